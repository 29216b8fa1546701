#!/bin/bash
# Seccomp profiles (issue 4): what the kernel answers under the shipped profiles, from 64-bit
# and 32-bit code; the programs `default` must not break; the options of the hutch face;
# --seccomp-export read by Debian's bubblewrap.
#
# Part one needs no sandbox: tests/seccomp-probe --load installs the prebuilt programs
# itself. Part two runs them through hutch and is skipped while hutch lacks the options.
#
# Environment (make check sets them): SECCOMP_PROBE (tests/seccomp-probe), CC (to build the
# 32-bit probe with -m32). The compiled profiles are read from the build tree (hutch has them
# built in; the build leaves each one's raw program there as seccomp-profiles/NAME.bpf).
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

SPROBE=${SECCOMP_PROBE:-$top_builddir/tests/seccomp-probe}

# Copies everyone can read (uid 65534 cannot reach most build trees).
mkdir -m 0755 "$T/profiles"
for _p in default strict none; do
	cp "$top_builddir/seccomp-profiles/$_p.bpf" "$T/profiles/" ||
		bail_out "no compiled profile $_p.bpf in $top_builddir/seccomp-profiles"
done
chmod -R a+rX "$T/profiles"
[ -x "$SPROBE" ] || bail_out "SECCOMP_PROBE=$SPROBE is not an executable"
cp "$SPROBE" "$T/bin/sprobe" && chmod 0755 "$T/bin/sprobe" || bail_out "cannot copy the probe"
SP=$T/bin/sprobe
unset _p

# The 32-bit probe, when the compiler can make one.
SP32=
if ${CC:-cc} -m32 -O2 -o "$T/bin/sprobe32" "$srcdir/tests/seccomp-probe.c" 2>"$T/cc32.err" &&
	"$T/bin/sprobe32" getpid >/dev/null 2>&1; then
	chmod 0755 "$T/bin/sprobe32"
	SP32=$T/bin/sprobe32
else
	WHY32="no 32-bit build: ${CC:-cc} -m32 failed or its output does not run ($(head -n 1 "$T/cc32.err"))"
fi

# What `default` answers: exact errnos. The probe's arguments make an allowed call fail with
# something else (EBADF, EINVAL, EFAULT...), except kexec_load, which the kernel also refuses
# with EPERM to a process without CAP_SYS_BOOT (the unit tests check the program itself).
DENIED="tiocsti tiocsti-hi tioclinux tioclinux-hi kexec_load bpf keyctl add_key io_uring_setup
	userfaultfd perf_event_open clock_settime adjtimex open_by_handle_at"

check_default() { # LABEL: $OUT holds the probe's answers under `default`
	local op
	for op in $DENIED; do
		is "$(val "$op")" EPERM "$1: $op fails with EPERM"
	done
	is "$(val clone3)" ENOSYS "$1: clone3 fails with ENOSYS (the C library falls back to clone)"
	is "$(val tiocgwinsz)" EBADF "$1: other ioctls reach the kernel"
	is "$(val unshare-user)" 0 "$1: unshare(CLONE_NEWUSER) works (nested sandboxes)"
	is "$(val getpid)" 0 "$1: getpid works"
}

check_strict() {
	is "$(val unshare-user)" EPERM "$1: unshare(CLONE_NEWUSER) fails with EPERM"
	is "$(val clone-newuser)" EPERM "$1: clone(CLONE_NEWUSER) fails with EPERM"
	is "$(val unshare-files)" 0 "$1: unshare(CLONE_FILES) works"
	is "$(val setns)" EPERM "$1: setns fails with EPERM"
	is "$(val ptrace)" EPERM "$1: ptrace fails with EPERM"
	is "$(val personality-query)" 0 "$1: personality(0xffffffff) works"
	is "$(val personality-set)" EPERM "$1: personality(ADDR_NO_RANDOMIZE) fails with EPERM"
	is "$(val tiocsti)" EPERM "$1: TIOCSTI fails with EPERM (from default)"
}

OPS_DEFAULT="$DENIED clone3 tiocgwinsz unshare-user getpid"
OPS_STRICT="unshare-user clone-newuser unshare-files setns ptrace personality-query personality-set tiocsti"

# --- part one: the prebuilt programs, loaded by the probe ------------------------------------

case_loaded() {
	local bits probe
	for bits in 64 32; do
		probe=$SP
		if [ "$bits" = 32 ]; then
			if [ -z "$SP32" ]; then
				skip "$MODE: 32-bit: $WHY32"
				continue
			fi
			probe=$SP32
		fi
		run_as "$MODE" "$probe" --load "$T/profiles/default.bpf" $OPS_DEFAULT
		check_default "$MODE: default.bpf, $bits-bit"
		run_as "$MODE" "$probe" --load "$T/profiles/strict.bpf" $OPS_STRICT
		check_strict "$MODE: strict.bpf, $bits-bit"
		run_as "$MODE" "$probe" --load "$T/profiles/none.bpf" tiocsti bpf clone3
		is "$(val tiocsti):$(val bpf):$(val clone3)" EBADF:EINVAL:EINVAL \
			"$MODE: none.bpf, $bits-bit: the kernel answers"
	done
	# x32 entry points (numbers with bit 30) from a 64-bit process: denied or handled,
	# never let through. The kernel may lack x32 (ENOSYS), the filter must answer first.
	run_as "$MODE" "$SP" --load "$T/profiles/default.bpf" \
		raw=0x40000202,-1,0x5412 raw=0x40000202,-1,0x100005412 raw=0x40000210
	is "$(val raw=0x40000202,-1,0x5412):$(val raw=0x40000202,-1,0x100005412)" EPERM:EPERM \
		"$MODE: x32 ioctl TIOCSTI (both forms) fails with EPERM"
	is "$(val raw=0x40000210)" EPERM "$MODE: x32 kexec_load fails with EPERM"
}

case_bwrap_loads() {
	if [ ! -x /usr/bin/bwrap ]; then
		skip "$MODE: /usr/bin/bwrap is not installed"
		return
	fi
	run_as "$MODE" /usr/bin/bwrap --ro-bind / / --seccomp 3 "$SP" tiocsti tiocsti-hi tiocgwinsz \
		3<"$T/profiles/default.bpf"
	if [ "$RC" != 0 ] && [ -z "$OUT" ]; then
		skip "$MODE: /usr/bin/bwrap does not run here: $ERR"
		return
	fi
	is "$(val tiocsti):$(val tiocsti-hi):$(val tiocgwinsz)" EPERM:EPERM:EBADF \
		"$MODE: /usr/bin/bwrap --seccomp with the raw default program denies TIOCSTI"
}

for_each_mode case_loaded
for_each_mode case_bwrap_loads

# --- part two: through hutch -----------------------------------------------------------------

if ! "$H" --help 2>/dev/null | grep -q -- '--seccomp-profile'; then
	skip "hutch has no --seccomp-profile yet: the options are not integrated"
	done_testing
fi

# A fresh /tmp for the programs, with the test's own directory (often under /tmp) back on top.
SB=(--ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --ro-bind "$T" "$T")

case_profiles() {
	local bits probe
	for bits in 64 32; do
		probe=$SP
		if [ "$bits" = 32 ]; then
			if [ -z "$SP32" ]; then
				skip "$MODE: 32-bit: $WHY32"
				continue
			fi
			probe=$SP32
		fi
		run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile default "$probe" $OPS_DEFAULT
		is "$RC" 0 "$MODE: --seccomp-profile default, $bits-bit: runs"
		check_default "$MODE: --seccomp-profile default, $bits-bit"
		run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile strict "$probe" $OPS_STRICT
		check_strict "$MODE: --seccomp-profile strict, $bits-bit"
	done
}

case_faces() {
	run_as "$MODE" "$H" "${SB[@]}" "$SP" seccomp-mode tiocsti
	is "$(val seccomp-mode):$(val tiocsti)" 2:EPERM "$MODE: the hutch face applies default"
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile none "$SP" seccomp-mode tiocsti
	is "$(val seccomp-mode):$(val tiocsti)" 0:EBADF \
		"$MODE: --seccomp-profile none: no filter at all"
	run_as "$MODE" "$B" "${SB[@]}" "$SP" seccomp-mode tiocsti
	is "$(val seccomp-mode):$(val tiocsti)" 0:EBADF "$MODE: the bwrap face applies nothing"
}

# The shipped profiles are inside hutch: a copy of it alone in an empty directory applies its
# default filter, and no file beside it or named by the environment stands in for them (there
# was HUTCH_SECCOMP_DIR, and the directory beside the binary). The permissive "default" below
# is none's program and text.
case_built_in() {
	local alone=$T/alone.$MODE
	mkdir -m 0755 "$alone" "$T/fake.$MODE"
	cp "$HREAL" "$alone/hutch" && chmod 0755 "$alone/hutch"
	run_as "$MODE" "$alone/hutch" --ro-bind / / "$SP" seccomp-mode tiocsti
	is "$RC:$(val seccomp-mode):$(val tiocsti)" 0:2:EPERM \
		"$MODE: hutch alone in an empty directory: its default filter denies TIOCSTI"
	for d in "$T/fake.$MODE" "$alone/seccomp-profiles"; do
		mkdir -p -m 0755 "$d"
		cp "$T/profiles/none.bpf" "$d/default.bpf"
		printf 'arch native compat\ndefault allow\n' >"$d/default.profile"
		chmod 0644 "$d/default.bpf" "$d/default.profile"
	done
	run_as "$MODE" env HUTCH_SECCOMP_DIR="$T/fake.$MODE" "$alone/hutch" --ro-bind / / \
		"$SP" seccomp-mode tiocsti
	is "$RC:$(val seccomp-mode):$(val tiocsti)" 0:2:EPERM \
		"$MODE: a permissive default.bpf in HUTCH_SECCOMP_DIR or beside hutch changes nothing"
	run_as "$MODE" env HUTCH_SECCOMP_DIR="$T/fake.$MODE" "$alone/hutch" --seccomp-show default
	like "$OUT" "^errno EPERM ioctl arg1 &0xffffffff == 0x5412$" \
		"$MODE: ... nor what --seccomp-show prints"
	printf 'include groups/common.inc\ndefault allow\nerrno EPERM @privileged\n' \
		>"$T/fake.$MODE/own.profile"
	chmod 0644 "$T/fake.$MODE/own.profile"
	run_as "$MODE" "$alone/hutch" --ro-bind / / --seccomp-profile "$T/fake.$MODE/own.profile" \
		"$SP" seccomp-mode keyctl tiocsti
	is "$RC:$(val seccomp-mode):$(val keyctl):$(val tiocsti)" 0:2:EPERM:EBADF \
		"$MODE: a profile of one's own includes the shipped groups/common.inc (keyctl)"
}

case_adjust() {
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile default --seccomp-allow keyctl \
		--seccomp-deny setns:EACCES --seccomp-deny getppid "$SP" keyctl setns raw=110
	is "$(val keyctl)" EOPNOTSUPP "$MODE: --seccomp-allow keyctl: the call reaches the kernel"
	is "$(val setns)" EACCES "$MODE: --seccomp-deny setns:EACCES"
	is "$(val raw=110)" EPERM "$MODE: --seccomp-deny getppid: EPERM by default"
	# Merged into one filter, the later profile overriding: strict's rules, none's default.
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile strict --seccomp-profile none "$SP" \
		setns raw=470
	is "$(val setns):$(val raw=470)" EPERM:ENOSYS \
		"$MODE: two profiles are merged: strict's rules, none's default (allow)"
	# A profile given as a path is compiled at run time.
	printf 'include default\nerrno EACCES uname\n' >"$T/my.profile"
	chmod 0644 "$T/my.profile"
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile "$T/my.profile" "$SP" raw=63 tiocsti
	is "$(val raw=63):$(val tiocsti)" EACCES:EPERM "$MODE: a profile file: its rules and default's"
}

# With a PID namespace, pid 1 (the reaper) stays in the sandbox and must be filtered too, or
# the command could ptrace it and run unfiltered code. When the profile allows what both still
# do after the fork, one filter is attached before it (one attach: the kernel JITs and emulates
# the program each time); otherwise each attaches its own, as the caller's raw BPF always does.
seccomp_attaches() { # ARGS...: run under strace, count the filter attaches
	run_as "$MODE" strace -f -e trace=prctl,seccomp "$H" "${SB[@]}" --unshare-pid "$@" \
		"$P" read=/proc/1/status read=/proc/self/status
	ATTACHES=$(grep -cE 'PR_SET_SECCOMP|SECCOMP_SET_MODE_FILTER' <<<"$ERR")
}
pid1_filters() { val read:/proc/1/status | sed 's/\\n/\n/g' | awk '$1 == "Seccomp_filters:" { print $2 }'; }
self_filters() { val read:/proc/self/status | sed 's/\\n/\n/g' | awk '$1 == "Seccomp_filters:" { print $2 }'; }

case_reaper_filtered() {
	seccomp_attaches
	is "$RC:$(pid1_filters):$(self_filters)" 0:1:1 \
		"$MODE: default, PID namespace: pid 1 and the command each hold the filter"
	is "$ATTACHES" 1 "$MODE: ... attached once, before the fork"
	printf 'include default\nerrno EPERM capset\n' >"$T/nocapset.profile"
	chmod 0644 "$T/nocapset.profile"
	seccomp_attaches --seccomp-profile "$T/nocapset.profile"
	is "$RC:$(pid1_filters):$(self_filters)" 0:1:1 \
		"$MODE: a profile denying capset (pid 1 still drops its capabilities): both filtered"
	is "$ATTACHES" 2 "$MODE: ... each attaching its own, after its own setup"
	printf 'include default\nerrno EPERM wait4\n' >"$T/nowait.profile"
	chmod 0644 "$T/nowait.profile"
	seccomp_attaches --seccomp-profile "$T/nowait.profile"
	is "$ATTACHES" 2 "$MODE: a profile denying what the reaper needs: no early attach"
	is "$RC" 125 "$MODE: ... and pid 1, unable to reap, ends the sandbox (no hang)"
	like "$ERR" "hutch: cannot wait for the children of the sandbox's pid 1: Operation not permitted" \
		"$MODE: ... saying why"
	seccomp_attaches --seccomp-profile none --add-seccomp-fd 3 3<"$T/profiles/default.bpf"
	is "$RC:$(pid1_filters):$(self_filters)" 0:1:1 \
		"$MODE: the caller's own BPF: pid 1 and the command filtered"
	is "$ATTACHES" 2 "$MODE: ... each attaching it (the caller's BPF is never attached early)"
}

# The early attach is decided on the verdicts for the calls hutch still makes after the fork;
# a profile whose verdict depends on their arguments must not take it (the arguments checked
# are not the ones made).
case_early_attach_args() {
	# The check runs close(0); the reaper really closes its report fd (> 4).
	printf 'include default\nerrno EBADF close arg0 > 4\n' >"$T/close.profile"
	chmod 0644 "$T/close.profile"
	local t0=$SECONDS
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile "$T/close.profile" --unshare-pid \
		/bin/sh -c '/bin/sleep 4 & exit 7'
	is "$RC" 7 "$MODE: close denied for fds > 4: the command's status"
	ok "$MODE: ... returned without waiting for the background sleep" [ $((SECONDS - t0)) -lt 3 ]
	# The check runs capset(0, 0); the reaper passes pointers.
	printf 'include default\nerrno EPERM capset arg0 != 0\n' >"$T/capset.profile"
	chmod 0644 "$T/capset.profile"
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile "$T/capset.profile" --unshare-pid true
	is "$RC" 0 "$MODE: capset denied for non-null pointers: the launch still works"
}
case_errors() {
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile nosuch true
	is "$RC" 64 "$MODE: an unknown profile is a usage error"
	like "$ERR" "^hutch: cannot find seccomp profile 'nosuch': the shipped ones are default, " \
		"$MODE: ... and says so"
	printf 'default allow\nallow read\nerrno EPERM nosuchcall\n' >"$T/bad.profile"
	chmod 0644 "$T/bad.profile"
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-profile "$T/bad.profile" true
	is "$RC" 64 "$MODE: a profile with an unknown call is a usage error"
	is "$ERR" "hutch: $T/bad.profile:3: unknown system call 'nosuchcall'" \
		"$MODE: ... named with file and line"
	run_as "$MODE" "$H" "${SB[@]}" --seccomp-deny nosuchcall true
	is "$RC" 64 "$MODE: --seccomp-deny with an unknown call is a usage error"
	is "$ERR" "hutch: --seccomp-deny: unknown system call 'nosuchcall'" "$MODE: ... and says so"
}

case_list_show_export() {
	run_as "$MODE" "$H" --seccomp-list
	like "$OUT" "^default	Allowlist" "$MODE: --seccomp-list names default"
	like "$OUT" "^strict	" "$MODE: --seccomp-list names strict"
	run_as "$MODE" "$H" --seccomp-show strict
	like "$OUT" "^errno EPERM ioctl arg1 &0xffffffff == 0x5412$" \
		"$MODE: --seccomp-show strict prints the effective rules"
	like "$OUT" "^errno EPERM clone arg0 &0x7e020000 != 0$" "$MODE: ... strict's own too"
	local d
	d=$(owned_dir "$MODE")
	run_as "$MODE" "$H" --seccomp-profile default --seccomp-export "$d/export.bpf"
	is "$RC" 0 "$MODE: --seccomp-export writes the program"
	if [ ! -x /usr/bin/bwrap ]; then
		skip "$MODE: /usr/bin/bwrap is not installed"
		return
	fi
	run_as "$MODE" /usr/bin/bwrap --ro-bind / / --seccomp 3 "$SP" tiocsti tiocsti-hi \
		3<"$d/export.bpf"
	is "$(val tiocsti):$(val tiocsti-hi)" EPERM:EPERM \
		"$MODE: /usr/bin/bwrap --seccomp loads it and TIOCSTI is denied"
}

# --- programs that must keep working under default ---------------------------------------

# A fresh directory for MODE's caller, holding hello.c and a Makefile.
fresh_dir() {
	local d
	d=$(owned_dir "$MODE")
	printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >"$d/hello.c"
	printf 'all: hello\n\t./hello\nhello: hello.c\n\t$(CC) -o $@ hello.c\n' >"$d/Makefile"
	chmod a+r "$d/hello.c" "$d/Makefile"
	if [ "$(id -u)" = 0 ]; then
		give_to "$MODE" "$d/hello.c" "$d/Makefile"
	fi
	echo "$d"
}

# works NAME CMD...: CMD succeeds under `default` whenever it succeeds under `none`; each run
# in a fresh directory.
works() {
	local name=$1 none_rc d
	shift
	d=$(fresh_dir)
	run_as "$MODE" "$H" "${SB[@]}" --bind "$d" "$d" --chdir "$d" --setenv HOME "$d" \
		--seccomp-profile none "$@"
	none_rc=$RC
	if [ "$none_rc" != 0 ]; then
		skip "$MODE: $name: fails without a filter too (status $none_rc): $(printf '%s' "$ERR" | head -n 1)"
		return
	fi
	d=$(fresh_dir)
	run_as "$MODE" "$H" "${SB[@]}" --bind "$d" "$d" --chdir "$d" --setenv HOME "$d" \
		--seccomp-profile default "$@"
	is "$RC" 0 "$MODE: $name works under default"
}


case_programs() {
	works "sh" sh -c 'echo ok | cat >/dev/null'
	works "coreutils" sh -c 'ls -la / >/dev/null && date >/dev/null && sort /etc/passwd >/dev/null &&
		t=$(mktemp -d) && cp /etc/hostname "$t/x" && mv "$t/x" "$t/y" && rm -r "$t" && id >/dev/null'
	if command -v gcc >/dev/null; then
		works "gcc (compile and link)" sh -c 'gcc -O2 -o hello2 hello.c && ./hello2'
	else
		skip "$MODE: gcc is not installed"
	fi
	if command -v make >/dev/null; then
		works "make" make -s CC="${CC:-cc}"
	else
		skip "$MODE: make is not installed"
	fi
	if [ -n "$PY" ]; then
		works "python3 (ssl, sqlite3, threading, subprocess)" "$PY" -c '
import ssl, sqlite3, threading, subprocess
ctx = ssl.create_default_context()
db = sqlite3.connect(":memory:"); db.execute("create table t (x)"); db.execute("insert into t values (1)")
assert db.execute("select x from t").fetchone() == (1,)
out = []
t = threading.Thread(target=lambda: out.append(1)); t.start(); t.join(); assert out == [1]
assert subprocess.run(["true"]).returncode == 0
'
	else
		skip "$MODE: python3 is not installed"
	fi
	if command -v git >/dev/null; then
		works "git (init, commit)" sh -c 'git init -q repo && cd repo && echo x >f && git add f &&
			git -c user.name=t -c user.email=t@example.invalid commit -q -m x && git log --oneline >/dev/null'
	else
		skip "$MODE: git is not installed"
	fi
	if command -v node >/dev/null; then
		works "node" node -e '
const cp = require("child_process"), fs = require("fs");
fs.writeFileSync("n.txt", "x"); fs.readFileSync("n.txt");
cp.execSync("true");
setTimeout(() => process.exit(0), 10);'
	else
		skip "$MODE: node is not installed"
	fi
	# Inside, the caller is uid 0 without capabilities (root mode) or an unprivileged uid
	# (user mode); the kernel decides what it may do, the filter must not get in the way.
	works "a nested hutch" "$H" --ro-bind / / "$SP" getpid
	works "a nested hutch with its own user and PID namespaces" \
		"$H" --unshare-user --unshare-pid --ro-bind / / --dev /dev "$SP" getpid
}

for_each_mode case_profiles
for_each_mode case_faces
for_each_mode case_built_in
for_each_mode case_adjust
for_each_mode case_errors
for_each_mode case_reaper_filtered
for_each_mode case_early_attach_args
for_each_mode case_list_show_export
for_each_mode case_programs

done_testing
