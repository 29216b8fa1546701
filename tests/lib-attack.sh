# lib-attack.sh: shared by the attack tests (test-inside.sh, test-cve.sh, test-stress.sh),
# sourced after lib.sh.
# shellcheck disable=SC2034 # the variables set here are used by the scripts sourcing it
#
# Provides: the three build paths and the one place that says which binary runs the two that
# are not the default (path_bin, run_path), the caller's directory outside the sandbox
# (OUTSIDE, OUTSIDE_ID: a canary the probe tries to write in if it ever reaches it), and
# attack_verdict (one TAP line from `probe attack`'s output).

# --- build paths ------------------------------------------------------------------------------

# default: what the kernel allows (on 6.15+ the root is built detached); attached: the new
# mount API with the root built attached; fallback: no openat2, no new mount API.
BUILD_PATHS="default attached fallback"

# The binary for the non-default paths: the test build (tests/hutch-test), the only one that
# reads HUTCH_TEST_FALLBACK.
PATHS_BIN=${HUTCH_TEST_BIN:-$HUTCH_TESTBUILD}
case $PATHS_BIN in /*) ;; *) PATHS_BIN=$PWD/$PATHS_BIN ;; esac
if [ "$PATHS_BIN" = "$HUTCH" ]; then
	PATHS_H=$H
	PATHS_B=$B
else
	[ -x "$PATHS_BIN" ] || bail_out "HUTCH_TEST_BIN=$PATHS_BIN is not an executable"
	mkdir -m 0755 "$T/bin/paths"
	cp "$PATHS_BIN" "$T/bin/paths/hutch" || bail_out "cannot copy $PATHS_BIN"
	chmod 0755 "$T/bin/paths/hutch"
	ln "$T/bin/paths/hutch" "$T/bin/paths/bwrap"
	PATHS_H=$T/bin/paths/hutch
	PATHS_B=$T/bin/paths/bwrap
fi

# path_bin FACE PATH: the binary that runs FACE (hutch or bwrap) on PATH.
path_bin() {
	case $1:$2 in
	hutch:default) echo "$H" ;;
	bwrap:default) echo "$B" ;;
	hutch:*) echo "$PATHS_H" ;;
	bwrap:*) echo "$PATHS_B" ;;
	esac
}

# path_env PATH: the environment switch for PATH (an argument for env(1)).
path_env() {
	case $1 in
	default) echo -u HUTCH_TEST_FALLBACK ;;
	attached) echo HUTCH_TEST_FALLBACK=attached ;;
	fallback) echo HUTCH_TEST_FALLBACK=1 ;;
	esac
}

# run_path MODE FACE PATH ARGS...: run_as MODE, the binary of FACE on PATH with ARGS.
run_path() {
	local mode=$1 face=$2 path=$3
	shift 3
	# shellcheck disable=SC2046 # path_env is split on purpose
	run_as "$mode" env $(path_env "$path") "$(path_bin "$face" "$path")" "$@"
}

# --- the caller's directory outside the sandbox -------------------------------------------------

# Writable by everyone, so that uid 65534 could write in it too if it reached it.
OUTSIDE=$T/outside
mkdir -m 0777 "$OUTSIDE"
chmod 0777 "$OUTSIDE"
OUTSIDE_ID=$(stat -c '%d:%i' "$OUTSIDE")

# outside_clean: nothing was created in $OUTSIDE (and it is emptied for the next case).
# OUTSIDE_LEFT: what it held.
outside_clean() {
	local left
	left=$(ls -A "$OUTSIDE")
	OUTSIDE_LEFT=$left
	rm -rf --one-file-system "${OUTSIDE:?}"/* "$OUTSIDE"/.[!.]* 2>/dev/null
	[ -z "$left" ]
}

# --- processes of a run ----------------------------------------------------------------------

# marker_pids STRING: pids whose command line contains STRING (one grep over /proc). The dots
# of STRING go into the pattern as [.], so grep's own command line never matches it.
marker_pids() {
	local re=${1//./[.]}
	grep -slaE -- "$re" /proc/[0-9]*/cmdline 2>/dev/null |
		sed 's|^/proc/\([0-9]*\)/cmdline$|\1|'
}

# --- verdicts ---------------------------------------------------------------------------------

# attack_verdict NAME: $OUT is the output of `probe attack`: passes when the probe ran to the
# end, reported no finding, and the caller's directory outside is untouched.
attack_verdict() {
	local findings done_line
	findings=$(printf '%s\n' "$OUT" | grep '^finding=' | sed 's/^finding=//')
	done_line=$(val attack:done)
	if ! outside_clean; then
		findings="host-write-seen-from-the-host $OUTSIDE holds: $OUTSIDE_LEFT
$findings"
	fi
	if [ -z "$findings" ] && [ "$done_line" = 0 ]; then
		pass "$1"
	elif [ -z "$findings" ]; then
		fail "$1" "the probe did not finish its attack (attack:done='$done_line', status $RC)" \
			"$(_short "$OUT")"
	else
		fail "$1" "ways out (CLASS WHO DETAIL):" "$(printf '%s\n' "$findings" | head -n 20)"
	fi
}

# finding_classes: the sorted classes of the findings in $OUT, comma-separated.
finding_classes() {
	printf '%s\n' "$OUT" | sed -n 's/^finding=\([^ ]*\) .*/\1/p' | sort -u | paste -sd, -
}
