#!/bin/bash
# test-landlock: --landlock, the second wall. A command given a descriptor of a host directory
# outside its root (--pass-fd) cannot read, list, write or execute through it under Landlock,
# and can without; through a descriptor of a directory the plan binds read-only it can read
# but not write (the host directory itself is writable: only Landlock stops it);
# --landlock-ro/--landlock-rw open a host path. The programs that must keep working (sh, gcc,
# make, python3, git) do under --base, which turns Landlock on; a hutch nested under Landlock
# fails naming the cause, and nests under --no-landlock and under the plain defaults. The dry
# run and --check give the kernel's ABI. Run as root and as uid 65534; the kernel is asked
# (tests/probe, and Landlock's own version call), not what hutch printed.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# The kernel's Landlock ABI, from landlock_create_ruleset(NULL, 0, VERSION) itself.
ABI=$("$P" landlock-abi | sed -n 's/^landlock-abi=//p')
case $ABI in
[1-9]*) ;;
*)
	plan 1
	skip "this kernel has no Landlock ($ABI)"
	exit 0
	;;
esac
if [ "$ABI" -lt 2 ]; then
	plan 1
	skip "Landlock ABI $ABI: --base's --landlock-try goes on without it below ABI 2"
	exit 0
fi

PY3=
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
GIT=$(command -v git 2>/dev/null || :)
CCX=$(command -v cc gcc 2>/dev/null | head -n 1)

# A host directory outside the sandbox's root: a secret to read, room to write (every uid may),
# a copy of the probe to execute; and one the plan binds read-only, writable on the host.
setup() {
	rm -rf "$T/out" "$T/robound"
	mkdir -m 0777 "$T/out" "$T/robound"
	echo secret >"$T/out/f"
	echo data >"$T/robound/f"
	cp "$P" "$T/out/probe"
	chmod 0755 "$T/out/probe"
	chmod 0644 "$T/out/f" "$T/robound/f"
}

# through LANDLOCK_OPTIONS...: the probe's openat through fd 5 (a host directory outside the
# root) and fd 6 (the host directory bound read-only at /ro).
through() {
	run_as "$MODE" "$H" --base --unshare-all "$@" --ro-bind "$P" /probe \
		--ro-bind "$T/robound" /ro --pass-fd 5 --pass-fd 6 /probe \
		at-fd=5:read:f at-fd=5:list:. at-fd=5:write:new at-fd=5:exec:probe \
		at-fd=6:read:f at-fd=6:write:new6 5<"$T/out" 6<"$T/robound"
}

case_fd() {
	setup
	through --landlock
	is "$RC" 0 "$MODE: --landlock: the probe runs"
	is "$(val at-fd:5:read:f)" EACCES "$MODE: --landlock: no read through an fd from outside"
	is "$(val at-fd:5:list:.)" EACCES "$MODE: --landlock: no listing through it"
	is "$(val at-fd:5:write:new)" EACCES "$MODE: --landlock: no file made through it"
	is "$(val at-fd:5:exec:probe)" EACCES "$MODE: --landlock: no execution through it"
	is "$(val at-fd:6:read:f)" 0 "$MODE: --landlock: the read-only bound directory is read"
	is "$(val at-fd:6:write:new6)" EACCES \
		"$MODE: --landlock: ... and not written through the fd, which the mount would not stop"
	ok "$MODE: --landlock: nothing made on the host" \
		[ ! -e "$T/out/new" ] && [ ! -e "$T/robound/new6" ]

	setup
	through --no-landlock
	is "$RC" 0 "$MODE: --no-landlock: the probe runs"
	is "$(val at-fd:5:read:f)" 0 "$MODE: without Landlock: the fd from outside reads"
	is "$(val at-fd:5:list:.)" 0 "$MODE: without Landlock: ... lists"
	is "$(val at-fd:5:write:new)" 0 "$MODE: without Landlock: ... makes a file"
	is "$(val at-fd:5:exec:probe)" 0 "$MODE: without Landlock: ... executes"
	is "$(val at-fd:6:write:new6)" 0 \
		"$MODE: without Landlock: the read-only bound directory is written through its fd"

	setup
	through --landlock --landlock-ro "$T/out"
	is "$(val at-fd:5:read:f)" 0 "$MODE: --landlock-ro PATH: read through the fd"
	is "$(val at-fd:5:exec:probe)" 0 "$MODE: --landlock-ro PATH: executed through the fd"
	is "$(val at-fd:5:write:new)" EACCES "$MODE: --landlock-ro PATH: still not written"
	setup
	through --landlock --landlock-rw "$T/out"
	is "$(val at-fd:5:write:new)" 0 "$MODE: --landlock-rw PATH: written through the fd"

	# The command's own fds of files: opened again through /proc/self/fd (/dev/stdout) with
	# the fd's own access, never more (the file is writable by all: only Landlock says no).
	setup
	: >"$T/out/log"
	: >"$T/out/held"
	chmod 0666 "$T/out/log" "$T/out/held"
	run_as "$MODE" "$H" --base --unshare-all --landlock --ro-bind "$P" /probe --pass-fd 7 \
		--pass-fd 8 /probe openw=/proc/self/fd/7 read=/proc/self/fd/8 openw=/proc/self/fd/8 \
		7>>"$T/out/log" 8<"$T/out/held"
	is "$(val openw:/proc/self/fd/7)" 0 \
		"$MODE: --landlock: a host file the command holds for writing is opened again"
	is "$(val read:/proc/self/fd/8)" "" "$MODE: --landlock: ... one it holds for reading, read"
	is "$(val openw:/proc/self/fd/8)" EACCES \
		"$MODE: --landlock: ... but not opened for writing through /proc/self/fd"
	run_as "$MODE" "$H" --base --unshare-all --no-landlock --ro-bind "$P" /probe --pass-fd 8 \
		/probe openw=/proc/self/fd/8 8<"$T/out/held"
	is "$(val openw:/proc/self/fd/8)" 0 \
		"$MODE: without Landlock: the read-only fd is opened for writing"

	# The plain hutch face has no Landlock: the fd reaches the host (a nested hutch must
	# work under the defaults).
	setup
	run_as "$MODE" "$H" --ro-bind /usr /usr --ro-bind "$P" /probe --pass-fd 5 /probe \
		at-fd=5:read:f 5<"$T/out"
	is "$(val at-fd:5:read:f)" 0 "$MODE: the defaults: no Landlock"
}

# The other ways of building the root (tests/hutch-test: the fallback without the new mount
# API, the attached build): the rules are opened after pivot_root the same way.
case_builds() {
	local fb
	if [ ! -x "${HUTCH_TESTBUILD:-}" ]; then
		skip "$MODE: builds: no HUTCH_TESTBUILD (make check builds tests/hutch-test)"
		return
	fi
	[ -x "$T/bin/hutch-test" ] || install -m 0755 "$HUTCH_TESTBUILD" "$T/bin/hutch-test"
	setup
	for fb in 1 attached; do
		run_as "$MODE" env HUTCH_TEST_FALLBACK=$fb "$T/bin/hutch-test" --base --unshare-all \
			--ro-bind "$P" /probe --pass-fd 5 /probe at-fd=5:read:f 5<"$T/out"
		is "$RC:$(val at-fd:5:read:f)" 0:EACCES "$MODE: HUTCH_TEST_FALLBACK=$fb: Landlock holds"
	done
}

# The programs that must keep working, under --base's Landlock, in a writable project.
case_programs() {
	local d
	d=$(owned_dir "$MODE")
	printf 'int main(void) { return 0; }\n' >"$d/hello.c"
	printf 'hello: hello.c\n\tcc -o hello hello.c\n' >"$d/Makefile"
	give_to "$MODE" "$d"
	# shellcheck disable=SC2016 # expanded inside
	local cmd='echo sh=ok; echo x >/dev/null && echo devnull=ok; mkdir -p t/a t/b;
		echo m >t/a/f && mv t/a/f t/b/f && ln t/b/f t/a/g && echo refer=ok;
		: >t/tr && truncate -s 0 t/tr 2>/dev/null; echo tr=$?;
		make -s >/dev/null 2>&1 && ./hello && echo make=ok'
	[ -n "$PY3" ] && cmd="$cmd; $PY3 -c 'import subprocess, tempfile, os
f = tempfile.NamedTemporaryFile(dir=\"t/a\", delete=False); f.write(b\"x\"); f.close()
os.replace(f.name, \"py.out\"); subprocess.run([\"true\"], check=True); print(\"py=ok\")'"
	[ -n "$GIT" ] && cmd="$cmd; git init -q g && cd g && echo a >a && git add a &&
		git -c user.name=t -c user.email=t@t commit -qm a && git log --oneline | grep -q a &&
		echo git=ok; cd .."
	cd "$d" || return
	run_as "$MODE" env HOME="$T/nohome" "$H" --base --unshare-all --cwd-rw sh -c "$cmd"
	cd "$T" || return
	is "$RC" 0 "$MODE: programs: the script ran (status 0)"
	is "$(val sh)" ok "$MODE: programs: sh"
	is "$(val devnull)" ok "$MODE: programs: /dev/null"
	is "$(val refer)" ok "$MODE: programs: a file moved and linked between directories"
	is "$(val tr)" 0 "$MODE: programs: truncate"
	if [ -n "$CCX" ] && command -v make >/dev/null; then
		is "$(val make)" ok "$MODE: programs: make and cc"
	else
		skip "$MODE: programs: make or cc is not installed"
	fi
	if [ -n "$PY3" ]; then
		is "$(val py)" ok "$MODE: programs: python3 (tempfile, os.replace, subprocess)"
	else
		skip "$MODE: programs: python3 is not installed"
	fi
	if [ -n "$GIT" ]; then
		is "$(val git)" ok "$MODE: programs: git init, add, commit, log"
	else
		skip "$MODE: programs: git is not installed"
	fi
	# The sandbox really was under Landlock: the same fd test from inside this run's plan.
	mkdir -m 0777 -p "$T/out2" && echo s >"$T/out2/f" && chmod 0644 "$T/out2/f"
	run_as "$MODE" env HOME="$T/nohome" "$H" --base --unshare-all --ro-bind "$P" /probe \
		--pass-fd 5 /probe at-fd=5:read:f 5<"$T/out2"
	is "$(val at-fd:5:read:f)" EACCES "$MODE: programs: --base turned Landlock on"
}

# A hutch nested under Landlock fails and says why; without Landlock it nests.
case_nested() {
	local inner=(/hutch --ro-bind / / --unshare-user /probe pid)
	run_as "$MODE" "$H" --base --unshare-all --uid 1000 --ro-bind "$H" /hutch \
		--ro-bind "$P" /probe "${inner[@]}"
	is "$RC" 125 "$MODE: nested under --base's Landlock: the inner hutch fails (125)"
	like "$ERR" "hutch: cannot build a sandbox inside this one: it runs under Landlock .*--landlock.*--base.*denies mount and pivot_root" \
		"$MODE: ... naming Landlock and the option that turned it on"
	like "$ERR" "hint: .*--no-landlock" "$MODE: ... with the way out"
	is "$(val pid)" "" "$MODE: ... and the inner command never ran"
	run_as "$MODE" "$H" --base --no-landlock --unshare-all --uid 1000 --ro-bind "$H" /hutch \
		--ro-bind "$P" /probe "${inner[@]}"
	is "$RC" 0 "$MODE: --base --no-landlock: a hutch nests inside"
	has_key pid
	ok "$MODE: ... and its command ran" has_key pid
	run_as "$MODE" "$H" --ro-bind / / --dev /dev --proc /proc --unshare-all --uid 1000 \
		"$H" --ro-bind / / --unshare-user "$P" pid
	is "$RC" 0 "$MODE: the hutch face's defaults: a hutch nests inside"
	# The bwrap face, nested the same way: its own words.
	run_as "$MODE" "$H" --base --unshare-all --uid 1000 --ro-bind "$B" /bwrap \
		--ro-bind "$P" /probe /bwrap --ro-bind / / --unshare-user /probe pid
	is "$RC" 1 "$MODE: a bwrap nested under Landlock fails (1)"
	like "$ERR" "bwrap: Can't build a sandbox under Landlock" "$MODE: ... in bwrap's words"
}

# The dry run and --check: the kernel's ABI (capped to the newest hutch knows, 7).
case_report() {
	local want=$ABI
	[ "$want" -gt 7 ] && want=7
	run_as "$MODE" "$H" --dry-run --base --unshare-all true
	like "$OUT" "^landlock: ABI $want \(--landlock-try \[from --base\]\)" \
		"$MODE: the dry run gives the kernel's ABI ($want)"
	like "$OUT" "^  /usr: read-only .*--ro-bind \[from --base\]" "$MODE: ... and the rules"
	like "$OUT" "scoped to the sandbox: signals and abstract unix sockets" \
		"$MODE: ... own PID and network namespaces: their scopes"
	run_as "$MODE" "$H" --dry-run --ro-bind / / true
	like "$OUT" "^landlock: off" "$MODE: the defaults: off"
	run_as "$MODE" "$H" --check
	like "$OUT" "Landlock: ABI $ABI, --landlock uses ABI $want" \
		"$MODE: --check gives the ABI used"
	run_as "$MODE" "$H" --landlock-ro /x true
	is "$RC" 64 "$MODE: --landlock-ro without Landlock is a usage error"
}

for_each_mode case_fd
for_each_mode case_builds
for_each_mode case_programs
for_each_mode case_nested
for_each_mode case_report
done_testing
