#!/bin/bash
# test-dryrun: --dry-run prints the plan (shortcuts expanded, every op in order with the host
# path it resolves to, ids, env, seccomp size, fds, limits, network) and runs nothing: no
# command, no file, no namespace (it succeeds where every call that makes one is denied);
# the plan's warnings, at a dry run and at a launch; make's jobserver kept for a make inside.
KEEP_PLAN_WARNINGS=1
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

case_prints() {
	local d
	d=$(owned_dir "$MODE")
	cd "$d" || return
	run_as "$MODE" env HOME="$T/nohome" "$H" --dry-run --base --unshare-all --cwd-rw \
		--bind "$T/real/../bin" /x --setenv A b --memory 64M --rlimit nofile=64 \
		--timeout 10s touch "$d/ran"
	is "$RC" 0 "$MODE: --dry-run exits 0"
	like "$OUT" "^hutch: dry run: this is the plan; nothing was run" "$MODE: says it is a dry run"
	like "$OUT" "^namespaces: new user mount pid net ipc uts( cgroup)?" "$MODE: the namespaces"
	like "$OUT" "^id maps: uid [0-9]+ -> host uid $(sandbox_uid hutch "$MODE")" \
		"$MODE: the id map"
	like "$OUT" "--ro-bind: bind /usr on /usr \(host /usr\): ro,nosuid,nodev \[from --base\]" \
		"$MODE: --base's ops, with the host path and the flags"
	like "$OUT" "--(symlink|ro-bind): .*/bin.* \[from --base\]" "$MODE: /bin as the host has it"
	like "$OUT" "--bind: bind $T/real/../bin on /x \(host $T/bin\): rw,nosuid,nodev" \
		"$MODE: a bind's host path, resolved"
	like "$OUT" "--tmpfs: tmpfs on $T/nohome: .* \[from --base\]" "$MODE: the empty home"
	like "$OUT" "--bind: bind $d on $d .* \[from --cwd-rw\]" "$MODE: --cwd-rw's bind"
	like "$OUT" "^working directory: $d \(--chdir\)" "$MODE: the working directory"
	like "$OUT" "set HOME=$T/nohome \[--base\]; set A=b" "$MODE: the environment changes"
	like "$OUT" "^capabilities: none; no_new_privs" "$MODE: the capabilities"
	like "$OUT" "^seccomp: profile 'default': [0-9]+ BPF instructions" "$MODE: seccomp's size"
	like "$OUT" "^limits: a cgroup of its own: memory=67108864; rlimit nofile=64; timeout 10000" \
		"$MODE: the limits"
	like "$OUT" "^network: none" "$MODE: the network"
	like "$OUT" "^command: 'touch' '$d/ran'" "$MODE: the command"
	ok "$MODE: the command did not run" [ ! -e "$d/ran" ]
	if command -v pasta >/dev/null || command -v slirp4netns >/dev/null; then
		run_as "$MODE" "$H" --dry-run --net user --net-allow 10.0.2.2:80 --ro-bind / / true
		like "$OUT" "^network: user: .*connected by (pasta|slirp4netns) .*loopback closed" \
			"$MODE: --net user: the helper, the addresses"
		like "$OUT" "^network: allow 10.0.2.2:80" "$MODE: --net user: the allow-list"
	fi
	ok "$MODE: no cgroup, no file: the dir is as it was" [ -z "$(ls -A "$d")" ]
}

# Every call that would make a namespace, a mount or a process is denied: the dry run still
# succeeds (it makes none), a real launch cannot.
case_nothing_made() {
	local deny=() c
	for c in clone clone3 fork vfork unshare setns mount open_tree move_mount fsopen \
		pivot_root; do
		deny+=(--seccomp-deny "$c")
	done
	run_as "$MODE" "$H" --ro-bind / / --dev /dev "${deny[@]}" \
		"$H" --dry-run --unshare-all --ro-bind / / --dev /dev --proc /proc true
	is "$RC" 0 "$MODE: the dry run makes no namespace, mount or process"
	like "$OUT" "^command: 'true'" "$MODE: ... and prints the plan"
	run_as "$MODE" "$H" --ro-bind / / --dev /dev "${deny[@]}" \
		"$H" --unshare-all --ro-bind / / --dev /dev --proc /proc true
	isnt "$RC" 0 "$MODE: (a launch there fails: the test can tell)"
}

case_export_not_written() {
	run_as "$MODE" "$H" --dry-run --seccomp-export "$T/exported" --ro-bind / / true
	is "$RC" 0 "$MODE: --dry-run with --seccomp-export exits 0"
	ok "$MODE: ... and writes no file" [ ! -e "$T/exported" ]
}

case_warnings() {
	local d
	d=$(owned_dir "$MODE")
	run_as "$MODE" "$H" --dry-run --dev /dev --proc /proc --bind "$d" "$d" --ro-bind / / true
	like "$ERR" "^hutch: warning: --ro-bind '/' covers all of the earlier --bind '$d'" \
		"$MODE: a later --ro-bind / / covering a --bind is warned about"
	like "$ERR" "^hint: " "$MODE: ... with a hint"
	cd "$d" || return
	run_as "$MODE" "$H" --dev /dev --ro-bind /usr /usr --ro-bind /etc /etc \
		--symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
		/usr/bin/pwd
	like "$ERR" "^hutch: warning: the working directory '$d' will not exist in the sandbox" \
		"$MODE: at a launch: a working directory that will not exist"
	is "$OUT" / "$MODE: ... (it starts in /)"
	run_as "$MODE" "$H" --ro-bind / / --unshare-pid true
	like "$ERR" "no usable /dev/null" "$MODE: no /dev/null"
	like "$ERR" "a PID namespace without its own /proc" "$MODE: a PID namespace without /proc"
	run_as "$MODE" "$H" --ro-bind / / --dev /dev --proc /proc --unshare-pid true
	is "$ERR" "" "$MODE: none of these when all is well"
	run_as "$MODE" "$B" --ro-bind / / --unshare-pid true
	is "$ERR" "" "$MODE: the bwrap face says nothing (bubblewrap does not)"
}

# make -j4 runs `+hutch ... make`: the inner make's two jobs wait for each other (a barrier
# on marker files, no timing): they meet only when the inner make runs them side by side, on
# the job slots of the outer make's jobserver, whose fds hutch kept open.
case_jobserver() {
	local d
	d=$(owned_dir "$MODE")
	mkdir "$d/inner"
	cat >"$d/inner/Makefile" <<'EOF'
all: a b
a b:
	@touch $@.started; n=0; \
	while [ ! -e $(if $(filter a,$@),b,a).started ] && [ $$n -lt 200 ]; do \
		sleep 0.05; n=$$((n + 1)); done; \
	if [ -e $(if $(filter a,$@),b,a).started ]; then touch $@.met; fi
EOF
	cat >"$d/Makefile" <<EOF
all:
	+cd inner && $H --base --unshare-all --cwd-rw make
EOF
	give_to "$MODE" "$d"
	run_as "$MODE" env HOME="$T/nohome" make -s -j4 -C "$d"
	is "$RC" 0 "$MODE: jobserver: the outer make succeeds"
	ok "$MODE: jobserver: the inner make ran its jobs side by side" \
		test -e "$d/inner/a.met" -a -e "$d/inner/b.met"
	unlike "make:$ERR$OUT" "jobserver unavailable" "$MODE: jobserver: make found its jobserver"
	cat >"$d/Makefile" <<EOF
all:
	+cd inner && $H --dry-run --base --unshare-all --cwd-rw make
EOF
	run_as "$MODE" env HOME="$T/nohome" make -s -j4 -C "$d"
	like "$OUT" "^make's jobserver: MAKEFLAGS says --jobserver-(auth|fds)=[0-9]+,[0-9]+: its fds are kept open" \
		"$MODE: jobserver: the dry run shows it"
}

for_each_mode case_prints
for_each_mode case_nothing_made
for_each_mode case_export_not_written
for_each_mode case_warnings
for_each_mode case_jobserver
done_testing
