# lib.sh: shared code of the TAP shell tests (tests/test-*.sh source it).
# shellcheck disable=SC2034 # the variables set here are used by the scripts sourcing it
#
# Provides: a temp dir $T removed on exit, TAP helpers (plan, pass, fail, ok, is, isnt, like,
# unlike, skip, diag, done_testing), the binary under test copied where uid 65534 can run it
# ($H: hutch face, $B: bwrap face through a `bwrap` hard link, $P: the probe), the mode loop
# (for_each_mode: as root and as uid 65534, or only as the caller when unprivileged),
# run_as (captures $OUT, $ERR, $RC), val (one key of the probe's output), MINROOT (a minimal
# read-only root holding the probe), scratch dirs and host snapshots.
#
# Environment: HUTCH and PROBE (absolute paths; `make check` exports them), srcdir,
# top_builddir, HUTCH_TEST_TIMEOUT (seconds per sandbox run, default 60). A script that sets
# USE_TESTBUILD=1 before sourcing this tests HUTCH_TESTBUILD (tests/hutch-test: the test build,
# which obeys HUTCH_TEST_FALLBACK) instead of HUTCH; HUTCH stays in $HREAL.

set -u

# The shell that script(1) and other tools start is /bin/sh, whatever the caller's login shell
# is: CI runs with no SHELL set, a developer's shell is bash (a bashism in a `script -c`
# command passed here and failed there).
export SHELL=/bin/sh

# --- paths, before anything changes the directory -------------------------------------------

if [ -z "${srcdir:-}" ]; then
	srcdir=$(cd "$(dirname "$0")/.." && pwd)
fi
srcdir=$(cd "$srcdir" && pwd)
top_builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
HUTCH=${HUTCH:-$top_builddir/hutch}
HUTCH_TESTBUILD=${HUTCH_TESTBUILD:-$top_builddir/tests/hutch-test}
PROBE=${PROBE:-$top_builddir/tests/probe}
TEST_TIMEOUT=${HUTCH_TEST_TIMEOUT:-60}
TEST_NAME=$(basename "$0" .sh)

case $HUTCH in /*) ;; *) HUTCH=$PWD/$HUTCH ;; esac
case $HUTCH_TESTBUILD in /*) ;; *) HUTCH_TESTBUILD=$PWD/$HUTCH_TESTBUILD ;; esac
case $PROBE in /*) ;; *) PROBE=$PWD/$PROBE ;; esac

# No stray descriptors from whoever started us: the fd tests count what reaches the sandbox.
# (255 is where bash reads this script from.)
for _fd in "/proc/$$/fd/"*; do
	_fd=${_fd##*/}
	if [ "$_fd" -gt 2 ] && [ "$_fd" -lt 255 ]; then
		eval "exec $_fd>&-" 2>/dev/null || :
	fi
done
unset _fd
exec </dev/null

# --- TAP --------------------------------------------------------------------------------------

_tap_n=0
_tap_failed=0
_tap_plan=

plan() {
	_tap_plan=$1
	echo "1..$1"
}

diag() {
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

pass() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

# fail NAME [DIAG...]: the diagnostics, then what the last run_as saw.
fail() {
	local name=$1
	shift
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $name"
	diag "$@"
	if [ -n "${LAST_CMD:-}" ]; then
		diag "last run: $LAST_CMD" "  status: ${RC:-?}"
		[ -n "${ERR:-}" ] && diag "  stderr:" "$ERR"
	fi
	return 0
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1"
}

# ok NAME COMMAND...: passes when COMMAND succeeds.
ok() {
	local name=$1
	shift
	if "$@"; then
		pass "$name"
	else
		fail "$name" "command failed: $*"
	fi
}

# is GOT EXPECTED NAME
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "expected: '$2'" "     got: '$1'"
	fi
}

# isnt GOT UNEXPECTED NAME. An empty GOT fails too: a value that is missing (the run failed,
# the probe did not answer) must never count as "different".
isnt() {
	if [ -z "$1" ]; then
		fail "$3" "expected a value other than '$2', got nothing"
	elif [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3" "expected anything but: '$2'"
	fi
}

# First lines of a long value, for diagnostics.
_short() {
	printf '%s\n' "$1" | head -n 12
	[ "$(printf '%s\n' "$1" | wc -l)" -le 12 ] || echo "[...]"
}

# like GOT ERE NAME
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected to match: $2" "                got: '$(_short "$1")'"
	fi
}

# unlike GOT ERE NAME. An empty GOT fails too (see isnt).
unlike() {
	if [ -z "$1" ]; then
		fail "$3" "expected a value not matching $2, got nothing"
	elif ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected not to match: $2" "                    got: '$(_short "$1")'"
	fi
}

done_testing() {
	if [ -z "$_tap_plan" ]; then
		echo "1..$_tap_n"
	elif [ "$_tap_plan" != "$_tap_n" ]; then
		diag "planned $_tap_plan tests but ran $_tap_n"
		_tap_failed=$((_tap_failed + 1))
	fi
	[ "$_tap_failed" = 0 ] && exit 0
	diag "$_tap_failed of $_tap_n failed"
	exit 1
}

bail_out() {
	echo "Bail out! $*"
	exit 99
}

# --- temp dir and cleanup ---------------------------------------------------------------------

T=$(mktemp -d "${TMPDIR:-/tmp}/hutch-$TEST_NAME.XXXXXX") || bail_out "cannot create a temp dir"
chmod 0755 "$T"
_cleanup_hooks=

# at_cleanup COMMAND: run COMMAND (a string, eval'd) before the temp dir goes.
at_cleanup() {
	_cleanup_hooks="$1
$_cleanup_hooks"
}

# Mount points under $T, deepest first (mountinfo escapes blanks as \040; $T has none).
_mounts_under_t() {
	awk -v t="$T/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r -u
}

_cleanup() {
	local rc=$? m left
	eval "$_cleanup_hooks" 2>/dev/null
	# A broken sandbox may have leaked a mount (even of the host's /) under $T: never rm -rf
	# across one.
	for _ in 1 2 3 4 5; do
		left=$(_mounts_under_t)
		[ -z "$left" ] && break
		for m in $left; do
			umount -l "$m" 2>/dev/null
		done
	done
	if [ -n "$(_mounts_under_t)" ]; then
		echo "# leaving $T: mounts remain under it" >&2
	else
		rm -rf --one-file-system "$T"
	fi
	exit $rc
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$T" || bail_out "cannot cd to $T"

# --- the binaries under test ------------------------------------------------------------------

[ -x "$HUTCH" ] || bail_out "HUTCH=$HUTCH is not an executable"
if [ "${USE_TESTBUILD:-}" = 1 ]; then
	[ -x "$HUTCH_TESTBUILD" ] ||
		bail_out "HUTCH_TESTBUILD=$HUTCH_TESTBUILD is not an executable (make check builds it)"
fi
if [ ! -x "$PROBE" ]; then
	[ -f "$srcdir/tests/probe.c" ] || bail_out "PROBE=$PROBE missing and no tests/probe.c"
	${CC:-cc} -O2 -o "$T/probe.built" "$srcdir/tests/probe.c" ||
		bail_out "PROBE=$PROBE missing and building it failed"
	PROBE=$T/probe.built
fi
if head -c 2 "$HUTCH" | grep -q '^#!'; then
	bail_out "HUTCH=$HUTCH is a script (libtool wrapper?), need the real binary"
fi

mkdir -m 0755 "$T/bin" "$T/real"
if [ "${USE_TESTBUILD:-}" = 1 ]; then
	cp "$HUTCH_TESTBUILD" "$T/bin/hutch" || bail_out "cannot copy $HUTCH_TESTBUILD"
else
	cp "$HUTCH" "$T/bin/hutch" || bail_out "cannot copy $HUTCH"
fi
cp "$HUTCH" "$T/real/hutch" || bail_out "cannot copy $HUTCH"
cp "$PROBE" "$T/bin/probe" || bail_out "cannot copy $PROBE"
chmod 0755 "$T/bin/hutch" "$T/real/hutch" "$T/bin/probe"
# A hard link, as `make install` makes it: a bwrap re-run through /proc/self/exe keeps its face.
ln "$T/bin/hutch" "$T/bin/bwrap"
H=$T/bin/hutch
HREAL=$T/real/hutch
B=$T/bin/bwrap
P=$T/bin/probe

# --- modes ------------------------------------------------------------------------------------

USER_UID=65534
USER_GID=65534
if [ "$(id -u)" = 0 ]; then
	MODES="root user"
else
	MODES="user"
	USER_UID=$(id -u)
	USER_GID=$(id -g)
fi

# uid / gid the caller has in MODE
mode_uid() { if [ "$1" = root ]; then echo 0; else echo "$USER_UID"; fi; }
mode_gid() { if [ "$1" = root ]; then echo 0; else echo "$USER_GID"; fi; }

# as_mode MODE CMD...: exec CMD as MODE's caller (no capabilities left for "user").
as_mode() {
	local mode=$1
	shift
	if [ "$mode" = user ] && [ "$(id -u)" = 0 ]; then
		exec setpriv --reuid="$USER_UID" --regid="$USER_GID" --clear-groups \
			--inh-caps=-all "$@"
	fi
	exec "$@"
}

# The hutch face's warnings about a plan (plan-check.c) and their hints, which the tests that
# are about something else need not see: left out of ERR unless KEEP_PLAN_WARNINGS=1.
_plan_warnings_out() {
	if [ "${KEEP_PLAN_WARNINGS:-}" = 1 ]; then
		cat
		return
	fi
	awk '/^hutch: warning: (.* covers all of the earlier |the working directory .* will not exist in the sandbox|--chdir .* will not exist in the sandbox|the sandbox will have no usable \/dev\/null|a PID namespace without its own \/proc)/ { skip = 1; next }
		skip && /^hint: / { next } { skip = 0; print }'
}

# run_as MODE CMD...: run CMD as MODE, under a timeout; sets OUT, ERR (trailing newlines
# stripped), RC and LAST_CMD. Redirections given to run_as reach CMD.
run_as() {
	local mode=$1
	shift
	LAST_CMD="[$mode] $*"
	# The outer subshell takes bash's "Killed" notice when CMD dies of a signal.
	(
		(as_mode "$mode" timeout -k 5 "$TEST_TIMEOUT" "$@") >"$T/.out" 2>"$T/.err"
		exit $?
	) 2>/dev/null
	RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(_plan_warnings_out <"$T/.err")
	if [ "$RC" = 124 ]; then
		diag "timed out after ${TEST_TIMEOUT}s: $LAST_CMD"
	fi
	return 0
}

# Whether an unprivileged caller can create a user namespace (cached).
_userns_ok=
unpriv_userns_works() {
	if [ -z "$_userns_ok" ]; then
		if (as_mode user unshare --user true) >/dev/null 2>&1; then
			_userns_ok=yes
		else
			_userns_ok=no
		fi
	fi
	[ "$_userns_ok" = yes ]
}

# for_each_mode CASE [ARGS...]: run the case once per mode with $MODE set.
# A case is skipped in user mode when the kernel refuses unprivileged user namespaces.
for_each_mode() {
	local m
	for m in $MODES; do
		MODE=$m
		if [ "$m" = user ] && ! unpriv_userns_works; then
			skip "user: $1 (unprivileged user namespaces are disabled on this kernel)"
			continue
		fi
		"$@"
	done
}

# val KEY: the value of KEY in $OUT (the probe's key=value lines); empty when missing.
# python3 for the cases that need it (empty when missing: those cases skip).
PY=$(command -v /usr/bin/python3 python3 2>/dev/null | head -n 1)

# kill_matching STRING: SIGKILL every process whose command line contains STRING (a unique
# temp path of the test), so nothing a failed case started outlives the test.
kill_matching() {
	local f p
	for f in /proc/[0-9]*/cmdline; do
		if tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "$1"; then
			p=${f#/proc/}
			p=${p%/cmdline}
			[ "$p" != $$ ] && [ "$p" != "$BASHPID" ] && kill -9 "$p" 2>/dev/null
		fi
	done
	return 0
}

# wait_until SECONDS COMMAND...: poll COMMAND every 50 ms; its last status.
wait_until() {
	local n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	"$@"
}

val() {
	printf '%s\n' "$OUT" | awk -v k="$1=" 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }'
}

# has_key KEY: $OUT has a line for KEY.
has_key() {
	printf '%s\n' "$OUT" | awk -v k="$1=" 'index($0, k) == 1 { f = 1 } END { exit !f }'
}

# has_flag OPTS FLAG: comma-separated OPTS contains FLAG.
has_flag() {
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

# --- scratch space and host snapshots ---------------------------------------------------------

# scratch: a new world-writable dir under $T; prints its path.
scratch() {
	local d
	d=$(mktemp -d "$T/s.XXXXXX") || bail_out "mktemp failed"
	chmod 0777 "$d"
	echo "$d"
}

# owned_dir MODE: a new dir under $T owned by what the sandbox of MODE's caller runs as on the
# host (0755); prints its path.
# In root mode the dir is nobody's: the hutch face runs root's sandbox as host uid 65534
# (hutch(1), --host-uid), and the bwrap face's root writes anywhere.
owned_dir() {
	local d
	d=$(mktemp -d "$T/o.XXXXXX") || bail_out "mktemp failed"
	chmod 0755 "$d"
	if [ "$(id -u)" = 0 ]; then
		chown "$(sandbox_uid hutch "$1"):$(sandbox_gid hutch "$1")" "$d"
	fi
	echo "$d"
}

# sandbox_uid FACE MODE, sandbox_gid FACE MODE: the host ids the sandbox of a caller in MODE
# runs as (what owns the files it creates): root's is nobody in the hutch face.
sandbox_uid() { if [ "$1:$2" = hutch:root ]; then echo 65534; else mode_uid "$2"; fi; }
sandbox_gid() { if [ "$1:$2" = hutch:root ]; then echo 65534; else mode_gid "$2"; fi; }

# give_to MODE PATH...: (as root) hand PATH, recursively and without following links, to what
# the hutch face's sandbox of MODE runs as on the host, so that sandbox may write there.
give_to() {
	local m=$1
	shift
	[ "$(id -u)" = 0 ] || return 0
	chown -h -R "$(sandbox_uid hutch "$m"):$(sandbox_gid hutch "$m")" "$@"
}

# snapshot DIR...: one line per file (path, mode, size, type, link target), sorted.
snapshot() {
	find "$@" -printf '%p %m %s %y %l %U:%G\n' 2>&1 | sort
}

# host_root_snapshot: the names under the host's / and its mount table (mount point,
# per-mount options, super options), leaving out the temp dirs of other tests running in
# parallel (test-mounts mounts a tmpfs in its own).
host_root_snapshot() {
	ls -A /
	awk -v mine="$T/" -v others="$(dirname "$T")/hutch-" '
		index($5, others) == 1 && index($5, mine) != 1 { next }
		{ n = 0; for (i = 7; i <= NF; i++) if ($i == "-") n = i;
		  print $5, $6, (n ? $(n + 3) : "") }' /proc/self/mountinfo | sort
}

# --- a minimal root ---------------------------------------------------------------------------

# MINROOT_NOPROC: options giving a sandbox whose / is hutch's own tmpfs, with /usr and the
# top-level usr links (or dirs) read-only from the host and the dir of $P at its host path.
# MINROOT: the same plus --proc /proc (the probe reads /proc/self/mountinfo).
# MINROOT_TOP: the names MINROOT's root has at its top level, sorted, comma-separated.
MINROOT=(--ro-bind /usr /usr)
_top=(usr)
for _d in /bin /sbin /lib /lib32 /lib64 /libx32; do
	if [ -L "$_d" ]; then
		MINROOT+=(--symlink "$(readlink "$_d")" "$_d")
	elif [ -d "$_d" ]; then
		MINROOT+=(--ro-bind "$_d" "$_d")
	else
		continue
	fi
	_top+=("${_d#/}")
done
MINROOT+=(--ro-bind "$T/bin" "$T/bin")
MINROOT_NOPROC=("${MINROOT[@]}")
MINROOT+=(--proc /proc)
_t1=${T#/}
_top+=("${_t1%%/*}" proc)
MINROOT_TOP=$(printf '%s\n' "${_top[@]}" | sort -u | paste -sd, -)
unset _d _top _t1

# Is this binary hutch (and not bubblewrap standing in for it)?
is_hutch() {
	"$H" --version 2>/dev/null | head -n 1 | grep -q '^hutch'
}
