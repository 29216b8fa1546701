#!/usr/bin/env bash
# bench/run.sh: hutch (both faces) against the floor (bench/floor.c: the bare syscalls of the
# same launch) and the system's bubblewrap, interleaved in the same rounds, as an
# unprivileged user. `make bench` runs it with HUTCH and srcdir set; on its own:
#
#   HUTCH=/path/to/hutch bench/run.sh        (default: ./hutch beside bench/, or hutch in PATH)
#
# Run as root it installs what is missing (bubblewrap, a C compiler) with apt-get, then drops
# to uid BENCH_USER (65534) for every measurement; run as a user it measures as that user.
# Knobs: BENCH_QUICK=1 (a smoke run of a minute), BENCH_ONLY="launch binds ops mounts memory
# scale throughput limits" (the sections to run, default all), BENCH_OUT=DIR (results, default
# $TMPDIR/hutch-bench-results-UID), BENCH_USER=UID, BWRAP=PATH, CC=COMPILER,
# HUTCH_OTHER=PATH (hutch linked the other way, static or dynamic: `make bench` passes
# other-link/hutch), BWRAP_REF=PATH (a second bubblewrap for the ops and scale sections,
# default /opt/bwrap-0.11.1/bwrap if it is there; BWRAP_REF= for none), BENCH_OPS="tmpfs
# file ..." (the ops section's types), BENCH_OPS_ROUNDS="10:40 100:20 1000:9" (its N:rounds).
# The numbers go to stdout and DIR/report.txt; every measurement to DIR/last-run.tsv.
set -euo pipefail
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
if [ -z "${HUTCH:-}" ]; then
	if [ -x "$srcdir/hutch" ]; then HUTCH=$srcdir/hutch; else HUTCH=$(command -v hutch || :); fi
fi
BWRAP=${BWRAP:-/usr/bin/bwrap}
BWRAP_REF=${BWRAP_REF-/opt/bwrap-0.11.1/bwrap}
CC=${CC:-cc}
QUICK=${BENCH_QUICK:-0}
OUT=${BENCH_OUT:-${TMPDIR:-/tmp}/hutch-bench-results-$(id -u)}
BENCH_USER=${BENCH_USER:-65534}
ONLY=${BENCH_ONLY:-launch binds ops mounts memory scale throughput limits}
HUTCH_OTHER=${HUTCH_OTHER:-}
# want SECTION: SECTION is among those to run.
want() { [[ " $ONLY " == *" $1 "* ]]; }

say() { printf 'bench: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

if [ -z "$HUTCH" ] || [ ! -x "$HUTCH" ]; then fail "no hutch binary: build it (make) or set HUTCH"; fi
HUTCH=$(cd "$(dirname "$HUTCH")" && pwd)/$(basename "$HUTCH")
if [ -n "$HUTCH_OTHER" ] && [ ! -x "$HUTCH_OTHER" ]; then fail "HUTCH_OTHER=$HUTCH_OTHER is not an executable"; fi
# link_mode FILE: static or dynamic (a dynamic executable names its loader: PT_INTERP).
link_mode() {
	if head -c 4096 "$1" | LC_ALL=C grep -qa 'ld-linux\|ld-musl\|/ld\.so'; then
		echo dynamic
	else
		echo static
	fi
}
HUTCH_MODE=$(link_mode "$HUTCH")
OTHER_MODE=
[ -z "$HUTCH_OTHER" ] || OTHER_MODE=$(link_mode "$HUTCH_OTHER")
if [ -n "$OTHER_MODE" ] && [ "$OTHER_MODE" = "$HUTCH_MODE" ]; then
	fail "HUTCH and HUTCH_OTHER are both linked $HUTCH_MODE"
fi

# Rounds. Each round runs every contender once, in an order that rotates from round to round.
if [ "$QUICK" = 1 ]; then
	R_LAUNCH=10 R_MOUNTS=3 R_MEMORY=2 R_TPUT=1 TPUT_N=50 R_SCALE=2
	R_BINDS=(10:5 100:5 1000:3 4000:2)
	SCALE_N=(1 10)
	R_OPS=(10:3 100:3 1000:2)
else
	R_LAUNCH=200 R_MOUNTS=30 R_MEMORY=7 R_TPUT=9 TPUT_N=200 R_SCALE=5
	R_BINDS=(10:100 100:50 1000:15 4000:10)
	SCALE_N=(1 10 100)
	R_OPS=(10:40 100:20 1000:9)
fi
# The operation types of the ops section (ops_args below); bubblewrap before 0.10 has no
# overlays: its ro-overlay cases fail their warm-up and are reported as such.
read -r -a OP_TYPES <<<"${BENCH_OPS:-bind tmpfs dir symlink file bind-data chmod remount-ro ro-overlay}"
[ -n "${BENCH_OPS_ROUNDS:-}" ] && read -r -a R_OPS <<<"$BENCH_OPS_ROUNDS"
# bubblewrap parses /proc/self/mountinfo once per bind (quadratic): 1000 binds take it about
# two seconds, 4000 would take half a minute per launch.
BWRAP_MAX_BINDS=1000
MOUNT_COUNTS=(0 1000 4000)

# ---- what the run needs ----------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	need=()
	[ -x "$BWRAP" ] || { BWRAP=/usr/bin/bwrap; need+=(bubblewrap); }
	command -v "${CC%% *}" >/dev/null || { CC=cc; need+=(gcc libc6-dev); }
	command -v setpriv >/dev/null && command -v unshare >/dev/null || need+=(util-linux)
	if [ ${#need[@]} -gt 0 ]; then
		say "installing ${need[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q "${need[@]}" >&2 ||
			{ apt-get update -q >&2 && apt-get install -y -q "${need[@]}" >&2; } ||
			fail "cannot install ${need[*]}"
	fi
	as_user=(setpriv --reuid="$BENCH_USER" --regid="$BENCH_USER" --clear-groups --)
	measured_as="uid $BENCH_USER (root dropped with setpriv)"
else
	as_user=()
	measured_as="uid $(id -u) ($(id -un 2>/dev/null || echo '?'))"
fi
command -v "${CC%% *}" >/dev/null || fail "no C compiler ($CC)"
have_bwrap=1
[ -x "$BWRAP" ] || { have_bwrap=0; say "no bubblewrap at $BWRAP: measuring without it"; }
have_bwrap_ref=0
if [ -n "$BWRAP_REF" ] && [ -x "$BWRAP_REF" ] && [ "$BWRAP_REF" -ef "$BWRAP" ]; then
	say "BWRAP_REF is BWRAP: no second bubblewrap"
elif [ -n "$BWRAP_REF" ] && [ -x "$BWRAP_REF" ]; then
	have_bwrap_ref=1
fi

# ---- binaries, in a world-readable directory the unprivileged user can run from ----------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hutch-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BIN=$WORK/bin
mkdir -p "$BIN" "$WORK/mnt" "$OUT"
chmod 755 "$WORK" "$BIN" "$WORK/mnt"
cp "$HUTCH" "$BIN/hutch" # the shipped seccomp profiles are built into it
ln -s hutch "$BIN/bwrap" # the bwrap face: hutch run under the name bwrap
if [ -n "$HUTCH_OTHER" ]; then
	mkdir -p "$BIN/$OTHER_MODE"
	cp "$HUTCH_OTHER" "$BIN/$OTHER_MODE/hutch"
	ln -s hutch "$BIN/$OTHER_MODE/bwrap"
fi
$CC -O2 -o "$BIN/floor" "$here/floor.c" || fail "cannot build the floor"
$CC -O2 -DBENCH_HARNESS -o "$BIN/bench-harness" "$here/floor.c" || fail "cannot build the harness"
have_nop=1
$CC -O2 -static -nostdlib -fno-stack-protector -DBENCH_NOP -o "$BIN/bench-nop" "$here/floor.c" \
	2>/dev/null || { have_nop=0; say "cannot build bench-nop here: no memory section"; }
# The hutch face's default filter as a program, for the floor of its launches (floor-hutch).
"$BIN/hutch" --seccomp-export "$BIN/default.bpf" --ro-bind / / true 2>/dev/null ||
	{ rm -f "$BIN/default.bpf"; say "cannot export hutch's default filter: no floor-hutch"; }
chmod -R a+rX "$WORK"
H=$BIN/bench-harness
TSV=$OUT/last-run.tsv
: >"$TSV"

clean_env=(env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C)
# Every measurement: from "/", as the unprivileged user, with a small fixed environment.
measure() { (cd / && "${as_user[@]}" "${clean_env[@]}" "$@"); }
# ... with N extra mounts in the caller's mount namespace: a private namespace of the run,
# never the host's (bench-harness with-mounts refuses the namespace of pid 1).
measure_with_mounts() {
	local n=$1
	shift
	if [ "$(id -u)" = 0 ]; then
		(cd / && unshare -m --propagation private -- "$H" with-mounts "$WORK/mnt" "$n" \
			"${as_user[@]}" "${clean_env[@]}" "$@")
	else
		# A user namespace of our own to mount in, then back to our own ids inside it.
		(cd / && unshare -Urm --propagation private -- "$H" with-mounts "$WORK/mnt" "$n" \
			unshare --map-user="$(id -u)" --map-group="$(id -g)" -U -- \
			"${clean_env[@]}" "$@")
	fi
}

line() {
	local IFS=$'\t'
	printf '%s\n' "$*"
}
# spec FILE WITH_BWRAP ARGS...: the contenders, each with the same arguments; with
# OTHER=1 also hutch linked the other way (hutch-dynamic or hutch-static, both faces).
spec() {
	local f=$1 with_bwrap=$2
	shift 2
	{
		line hutch "$BIN/hutch" "$@"
		line hutch-bwrap "$BIN/bwrap" "$@"
		if [ "${OTHER:-0}" = 1 ] && [ -n "$OTHER_MODE" ]; then
			line "hutch-$OTHER_MODE" "$BIN/$OTHER_MODE/hutch" "$@"
			line "hutch-bwrap-$OTHER_MODE" "$BIN/$OTHER_MODE/bwrap" "$@"
		fi
		line floor "$BIN/floor" "$@"
		# The floor of the hutch face's launch: the same work as the floor, and what the
		# hutch face does beyond it: its default filter, --proc's OCI covers and masks and
		# the shadow for nested sandboxes.
		if [ "${FILTER:-0}" = 1 ] && [ -s "$BIN/default.bpf" ]; then
			line floor-hutch "$BIN/floor" --seccomp-file "$BIN/default.bpf" --proc-oci "$@"
		fi
		if [ "$with_bwrap" = 1 ] && [ "$have_bwrap" = 1 ]; then line bwrap "$BWRAP" "$@"; fi
		if [ "$with_bwrap" = 1 ] && [ "${with_ref:-0}" = 1 ] && [ "$have_bwrap_ref" = 1 ]; then
			line bwrap-ref "$BWRAP_REF" "$@"
		fi
	} >"$f"
}

shape_ro_bind=(--ro-bind / /)
shape_unshare_all=(--unshare-all --ro-bind / /)
shape_flatpak=(--unshare-all --die-with-parent --ro-bind /usr /usr
	--symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin
	--symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp --ro-bind /etc /etc
	--setenv HOME /home/user --setenv XDG_RUNTIME_DIR /run/user/1000 --setenv LANG C.UTF-8
	--setenv FLATPAK_ID org.example.Bench)
SHAPES=(ro-bind unshare-all flatpak)
shape_args() {
	case $1 in
	ro-bind) args=("${shape_ro_bind[@]}") ;;
	unshare-all) args=("${shape_unshare_all[@]}") ;;
	flatpak) args=("${shape_flatpak[@]}") ;;
	esac
}
# N read-only binds: /usr (and its symlinks, for `true`) and N-1 binds of /usr/share.
binds_args() {
	local i
	args=(--ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64
		--symlink usr/bin /bin)
	for ((i = 1; i < $1; i++)); do args+=(--ro-bind /usr/share "/b/$i"); done
}

# N operations of one type after the few a command needs (/usr and its symlinks), each at its
# own destination in one directory. chmod and remount-ro need something to act on: a --dir
# and a --bind before each; the report subtracts the dir and bind cases' cost per operation.
# file and bind-data read fds 3 to N+2, which the harness opens for every launch.
ops_args() {
	local i
	args=(--ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64
		--symlink usr/bin /bin)
	for ((i = 1; i <= $2; i++)); do
		case $1 in
		bind) args+=(--bind /usr/share "/o/$i") ;;
		tmpfs) args+=(--tmpfs "/o/$i") ;;
		dir) args+=(--dir "/o/$i") ;;
		symlink) args+=(--symlink usr/share "/o/$i") ;;
		file) args+=(--file "$((i + 2))" "/o/$i") ;;
		bind-data) args+=(--bind-data "$((i + 2))" "/o/$i") ;;
		chmod) args+=(--dir "/o/$i" --chmod 0700 "/o/$i") ;;
		remount-ro) args+=(--bind /usr/share "/o/$i" --remount-ro "/o/$i") ;;
		ro-overlay) args+=(--overlay-src /usr/share --overlay-src /usr/lib --ro-overlay "/o/$i") ;;
		esac
	done
}

# ---- the machine -------------------------------------------------------------------------
git() { command git -c safe.directory='*' "$@"; }
commit=$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$srcdir" status --porcelain --untracked-files=no \
	-- ':(top,glob)*.[ch]' 2>/dev/null)" ]; then commit="$commit+changes"; fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
	line I date "$(date -u '+%Y-%m-%d %H:%M UTC')"
	line I machine "$(uname -srm), ${cpu:-unknown cpu}, $(nproc) cpus, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
	line I os "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
	line I hutch "$("$HUTCH" --version 2>/dev/null | head -1), commit $commit, linked $HUTCH_MODE${OTHER_MODE:+ (and $OTHER_MODE: HUTCH_OTHER)}"
	line I bwrap "$([ "$have_bwrap" = 1 ] && "$BWRAP" --version 2>/dev/null | head -1 || echo none)"
	if [ "$have_bwrap_ref" = 1 ]; then
		line I bwrap-ref "$("$BWRAP_REF" --version 2>/dev/null | head -1) ($BWRAP_REF; ops section)"
	fi
	line I floor "$($CC --version | head -1), -O2"
	line I user "$measured_as"
	line I load "$(cut -d' ' -f1-3 /proc/loadavg) before the run"
	line I quick "$QUICK"
} >>"$TSV"

# The floor must run, or unprivileged user namespaces are off and nothing can be measured.
measure "$BIN/floor" --ro-bind / / true ||
	fail "the floor cannot create a user namespace here (kernel.unprivileged_userns_clone, user.max_user_namespaces, AppArmor?)"

t_start=$SECONDS
# ---- 1. launch shapes --------------------------------------------------------------------
want launch && for s in "${SHAPES[@]}"; do
	say "launch: $s, $R_LAUNCH rounds"
	shape_args "$s"
	OTHER=1 FILTER=1 spec "$WORK/spec" 1 "${args[@]}" true
	measure "$H" rounds launch "$s" "$R_LAUNCH" "$WORK/spec" >>"$TSV"
done

# ---- 2. N binds --------------------------------------------------------------------------
want binds && for nr in "${R_BINDS[@]}"; do
	n=${nr%%:*} r=${nr##*:}
	say "binds: $n, $r rounds"
	binds_args "$n"
	spec "$WORK/spec" "$([ "$n" -le "$BWRAP_MAX_BINDS" ] && echo 1 || echo 0)" "${args[@]}" true
	measure "$H" rounds binds "$n" "$r" "$WORK/spec" >>"$TSV"
done

# ---- 2b. N operations of each type ------------------------------------------------------
# bubblewrap rereads the mount table for every mount it makes (quadratic in the binds); the
# rounds are few at N=1000 for that reason, and three times as many for the other types.
if want ops; then
	printf 'x\n' >"$WORK/data" # what --file and --bind-data copy
	chmod 644 "$WORK/data"
	for t in "${OP_TYPES[@]}"; do
		for nr in "${R_OPS[@]}"; do
			n=${nr%%:*} r=${nr##*:}
			# Three times the rounds where bubblewrap takes no seconds per launch.
			case $t in bind | bind-data | remount-ro) ;; *) r=$((r * 3)) ;; esac
			say "ops: $t, N=$n, $r rounds"
			ops_args "$t" "$n"
			with_ref=1 spec "$WORK/spec" 1 "${args[@]}" true
			fds=()
			[ "$t" = file ] || [ "$t" = bind-data ] && fds=(BENCH_FDS="$n" BENCH_FD_FILE="$WORK/data")
			measure env "${fds[@]}" "$H" rounds "ops-$t" "$n" "$r" "$WORK/spec" >>"$TSV"
		done
	done
fi

# ---- 3. a large caller mount table -------------------------------------------------------
want mounts && for m in "${MOUNT_COUNTS[@]}"; do
	for s in "${SHAPES[@]}"; do
		say "caller mounts: $m, $s, $R_MOUNTS rounds"
		shape_args "$s"
		spec "$WORK/spec" 1 "${args[@]}" true
		measure_with_mounts "$m" "$H" rounds mounts "$s/$m" "$R_MOUNTS" "$WORK/spec" >>"$TSV"
	done
done

# ---- 4. memory ---------------------------------------------------------------------------
if [ "$have_nop" = 1 ] && want memory; then
	for s in "${SHAPES[@]}"; do
		say "memory: $s, $R_MEMORY runs"
		shape_args "$s"
		if [ "$s" = flatpak ]; then
			spec "$WORK/spec" 1 "${args[@]}" --ro-bind "$BIN" /bench /bench/bench-nop sleep
		else
			spec "$WORK/spec" 1 "${args[@]}" "$BIN/bench-nop" sleep
		fi
		measure "$H" memory "$s" "$R_MEMORY" "$WORK/spec" >>"$TSV"
	done
fi

# ---- 4b. many sandboxes at once ---------------------------------------------------------------
# N sandboxes held running at once (bench-nop hold: it says it runs and waits for the end of
# its stdin), started one after the other; then, per sandbox, what the processes of each
# launch other than its command hold: the sum of their PSS (each shared page divided among
# the processes that map it, so libc's pages count little and pages the N sandboxes share
# count 1/N each), its anonymous part, RSS and page tables (kernel memory, in no PSS), from
# /proc/PID/smaps_rollup; and the time per sandbox until all N commands ran. Reading a
# non-dumpable pid 1's smaps_rollup takes root (ptrace access to an mm created in the initial
# user namespace): the harness runs as root and starts each launch as BENCH_USER.
scale_spec() {
	local f=$1
	shift
	{
		line "hutch-$HUTCH_MODE" "$BIN/hutch" "$@"
		[ -z "$OTHER_MODE" ] || line "hutch-$OTHER_MODE" "$BIN/$OTHER_MODE/hutch" "$@"
		line "hutch-bwrap-$HUTCH_MODE" "$BIN/bwrap" "$@"
		[ -z "$OTHER_MODE" ] || line "hutch-bwrap-$OTHER_MODE" "$BIN/$OTHER_MODE/bwrap" "$@"
		[ "$have_bwrap" = 0 ] || line bwrap "$BWRAP" "$@"
		[ ! -x "$BWRAP_REF" ] || [ "$BWRAP_REF" -ef "$BWRAP" ] || line bwrap-ref "$BWRAP_REF" "$@"
	} >"$f"
}
if [ "$have_nop" = 1 ] && want scale; then
	if [ "$(id -u)" = 0 ]; then
		[ ! -x "$BWRAP_REF" ] || [ "$BWRAP_REF" -ef "$BWRAP" ] ||
			line I bwrap-ref "$("$BWRAP_REF" --version 2>/dev/null | head -1) ($BWRAP_REF)" >>"$TSV"
		for s in unshare-all flatpak; do
			shape_args "$s"
			if [ "$s" = flatpak ]; then
				scale_spec "$WORK/spec" "${args[@]}" --ro-bind "$BIN" /bench /bench/bench-nop hold
			else
				scale_spec "$WORK/spec" "${args[@]}" "$BIN/bench-nop" hold
			fi
			for n in "${SCALE_N[@]}"; do
				say "scale: $s, $n at once, $R_SCALE runs"
				(cd / && "${clean_env[@]}" "$H" scale "$s" "$n" "$R_SCALE" "$BENCH_USER" \
					"$WORK/spec") >>"$TSV"
			done
		done
	else
		say "scale: not measured (reading pid 1's smaps_rollup needs root)"
	fi
fi

# ---- 5. throughput -----------------------------------------------------------------------
want throughput && for s in ro-bind unshare-all; do
	shape_args "$s"
	spec "$WORK/spec" 1 "${args[@]}" true
	for p in 1 2 8; do
		say "throughput: $s, parallelism $p, $TPUT_N launches x $R_TPUT rounds"
		measure "$H" throughput "$s" "$p" "$TPUT_N" "$R_TPUT" "$WORK/spec" >>"$TSV"
	done
done
# ---- 6. limits: a launch with --memory and --pids --------------------------------------------
# Issue 12's budget: at most 1 ms more than the same launch without them, next to the cgroup
# floor (bench/cgroup-floor.c: mkdir, the limit files, cgroup.procs, rmdir in each hierarchy,
# nothing else). Needs a cgroup the user may write: as root, the run delegates a directory in
# the hierarchies of memory and pids (v1 or v2, as the host has them) to BENCH_USER and
# measures from a leaf below it, as a delegated user's shell runs; removed at the end.
limits_bench() {
	local ctl mnt v2 d own cg=hutch-bench-$$ leaves=() parents=() dirs=()
	v2=$(awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
	for ctl in memory pids; do
		mnt=$(awk -v c="$ctl" '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) != "cgroup") next
			n = split($(i + 3), o, ","); for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit } }' \
			/proc/self/mountinfo)
		if [ -n "$mnt" ]; then
			d=$mnt/$cg
		elif [ -n "$v2" ] && grep -qw "$ctl" "$v2/cgroup.controllers" 2>/dev/null; then
			d=$v2/$cg
			[ -d "$d" ] || { mkdir "$d" && echo "+memory +pids" >"$d/cgroup.subtree_control"; } ||
				return 1
		else
			say "limits: no $ctl controller here"
			return 1
		fi
		[[ " ${dirs[*]} " == *" $d "* ]] && continue
		mkdir -p "$d/shell" || return 1
		chown -R "$BENCH_USER:$BENCH_USER" "$d" || return 1
		dirs+=("$d")
		parents+=(--cgroup-parent "$d")
		leaves+=("$d/shell")
	done
	LIMITS_DIRS=("${dirs[@]}")
	printf '%s\n' '#!/bin/sh' 'for l in $BENCH_LEAVES; do echo $$ >"$l/cgroup.procs" || exit 126; done' \
		'exec "$@"' >"$BIN/in-leaves"
	chmod 0755 "$BIN/in-leaves"
	export BENCH_LEAVES="${leaves[*]}"
	# Not "measure": the move into the leaves is root's, the run the user's.
	in_leaves() { (cd / && "$BIN/in-leaves" "${as_user[@]}" "${clean_env[@]}" "$@"); }
	$CC -O2 -o "$BIN/cgroup-floor" "$here/cgroup-floor.c" || return 1
	args=(--ro-bind / /)
	{
		line hutch "$BIN/hutch" "${args[@]}" true
		# Limits imply a PID namespace (nothing outlives the sandbox): its part apart.
		line hutch-pidns "$BIN/hutch" --unshare-pid "${args[@]}" true
		line hutch-limits "$BIN/hutch" --memory 64M --pids 100 "${parents[@]}" "${args[@]}" true
		line hutch-bwrap "$BIN/bwrap" "${args[@]}" true
		line hutch-bwrap-pidns "$BIN/bwrap" --unshare-pid "${args[@]}" true
		line hutch-bwrap-limits "$BIN/bwrap" --memory 64M --pids 100 "${parents[@]}" \
			"${args[@]}" true
		line floor "$BIN/floor" "${args[@]}" true
	} >"$WORK/spec"
	say "limits: --memory 64M --pids 100, $R_LAUNCH rounds"
	in_leaves "$H" rounds limits ro-bind "$R_LAUNCH" "$WORK/spec" >>"$TSV" || return 1
	own=$(in_leaves "$BIN/cgroup-floor" -n "$R_LAUNCH" -m 67108864 -p 100 "${leaves[@]}" 2>&1) ||
		{ say "limits: cgroup-floor failed: $own"; return 1; }
	own=$(printf '%s' "$own" | tr '\t\n' '  ') # one TSV field
	line I cgroup-floor "$own" >>"$TSV"
	# The same after a pause before each round, as between launches that are not back to
	# back: on v1 the move into the cgroup then waits for an RCU grace period (cgroup-floor.c).
	own=$(in_leaves "$BIN/cgroup-floor" -n "$R_LAUNCH" -g 10 -m 67108864 -p 100 "${leaves[@]}" 2>&1) ||
		{ say "limits: cgroup-floor -g 10 failed: $own"; return 1; }
	own=$(printf '%s' "$own" | tr '\t\n' '  ')
	line I cgroup-floor-paused "$own" >>"$TSV"
}
LIMITS_DIRS=()
if ! want limits; then
	:
elif [ "$(id -u)" = 0 ]; then
	limits_bench || say "limits: not measured"
	for d in "${LIMITS_DIRS[@]}"; do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || say "cannot remove $d"
	done
else
	say "limits: not measured (needs root to delegate a cgroup to the measuring user)"
fi
line I duration "$((SECONDS - t_start)) s" >>"$TSV"
line I load-after "$(cut -d' ' -f1-3 /proc/loadavg) after the run" >>"$TSV"

# ---- the report --------------------------------------------------------------------------
awk -F'\t' -v bwrap_max="$BWRAP_MAX_BINDS" -v op_types="${OP_TYPES[*]}" '
function ratio(x) { return x == "-" ? "     -" : sprintf("%6.3f", x) }
function rat(x) { return x == "" || x == "-" ? "-" : sprintf("%.3f", x) }
function ok(b) { return b ? "met" : "MISSED" }
$1 == "I" { info[$2] = $3; order[++ni] = $2 }
$1 == "T" {
	k = $2 SUBSEP $3 SUBSEP $4
	med[k] = $5; q1[k] = $6; q3[k] = $7; rf[k] = $8; rb[k] = $9; bad[k] = $10
	rr[k] = $11 == "" ? "-" : $11
	cmed[k] = $12 == "" ? "-" : $12; crf[k] = $13 == "" ? "-" : $13
	crb[k] = $14 == "" ? "-" : $14; crr[k] = $15 == "" ? "-" : $15
	if (!(($2 SUBSEP $3) in seen)) { seen[$2, $3] = 1; cases[$2, ++nc[$2]] = $3 }
	if (!(($2 SUBSEP $4) in seenc)) { seenc[$2, $4] = 1; conts[$2, ++nco[$2]] = $4 }
}
$1 == "R" && $2 == "launch" { rt[$3, $4, $5] = $6; if ($5 + 1 > nrt) nrt = $5 + 1 }
$1 == "M" { mrow[++nm] = $0 }
$1 == "Z" { zrow[++nz] = $0 }
$1 == "P" { prow[++np] = $0 }
function table(sec, title,   i, j, c, k, ref) {
	ref = sec ~ /^ops-/
	if (!nc[sec]) return
	printf "\n%s\n", title
	printf "  %-16s %-19s %10s %10s %10s %8s %8s%s\n", "case", "contender", "median us", "q1", "q3", "/floor", "/bwrap", ref ? sprintf(" %8s %9s %8s %8s %8s", "/bw-ref", "cpu us", "/floor", "/bwrap", "/bw-ref") : ""
	for (i = 1; i <= nc[sec]; i++)
		for (j = 1; j <= nco[sec]; j++) {
			c = conts[sec, j]; k = sec SUBSEP cases[sec, i] SUBSEP c
			if (!(k in med)) continue
			if (med[k] == "-") { printf "  %-16s %-19s %10s\n", cases[sec, i], c, "FAILED"; continue }
			printf "  %-16s %-19s %10.0f %10.0f %10.0f %8s %8s%s%s\n", cases[sec, i], c, med[k], q1[k], q3[k], ratio(rf[k]), ratio(rb[k]), ref ? sprintf(" %8s %9.0f %8s %8s %8s", ratio(rr[k]), cmed[k], ratio(crf[k]), ratio(crb[k]), ratio(crr[k])) : "", (bad[k] > 0 ? "  (" bad[k] " failed runs)" : "")
		}
}
# Least-squares line through (N, median us) of one section for one contender: the slope, us
# per operation; fit_b is the intercept.
function fit(sec, c, cpu,   i, n, x, y, sx, sy, sxx, sxy, k) {
	n = sx = sy = sxx = sxy = 0
	for (i = 1; i <= nc[sec]; i++) {
		k = sec SUBSEP cases[sec, i] SUBSEP c
		if (!(k in med) || med[k] == "-") continue
		x = cases[sec, i] + 0; y = (cpu ? cmed[k] : med[k]) + 0
		n++; sx += x; sy += y; sxx += x * x; sxy += x * y
	}
	if (n < 2) return "-"
	fit_b = (sy - ((n * sxy - sx * sy) / (n * sxx - sx * sx)) * sx) / n
	return (n * sxy - sx * sy) / (n * sxx - sx * sx)
}
# The median over rounds of the launch times of contender a over b in case cs (paired).
function paired(cs, a, b,   i, j, n, v, x) {
	n = 0
	for (i = 0; i < nrt; i++)
		if (rt[cs, a, i] > 0 && rt[cs, b, i] > 0) {
			x = rt[cs, a, i] / rt[cs, b, i]
			for (j = n++; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1]
			v[j] = x
		}
	if (!n) return "-"
	return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
}
function m(sec, cs, c) { k = sec SUBSEP cs SUBSEP c; return (k in med) && med[k] != "-" ? med[k] : "" }
END {
	print "hutch benchmark"
	for (i = 1; i <= ni; i++) if (order[i] != "quick" || info["quick"] == 1) printf "  %-9s %s\n", order[i] ":", info[order[i]]
	print "  Times are medians over rounds; /floor and /bwrap are medians of the per-round ratios"
	print "  (each round runs every contender once, rotating the order); q1, q3: quartiles."

	table("launch", "Launch shapes: ro-bind = --ro-bind / / true; unshare-all = --unshare-all --ro-bind / / true;\n  flatpak = --unshare-all --die-with-parent, /usr, symlinks, --proc, --dev, --tmpfs /tmp, /etc, 4 --setenv")
	for (j = 1; j <= nco["launch"]; j++)
		if (conts["launch", j] ~ /^hutch-(static|dynamic)$/) om = substr(conts["launch", j], 7)
	if (om != "") {
		printf "\n  The build over hutch linked %s (median of the per-round ratios of launch times):\n", om
		for (i = 1; i <= nc["launch"]; i++) {
			cs = cases["launch", i]; a = paired(cs, "hutch", "hutch-" om); b = paired(cs, "hutch-bwrap", "hutch-bwrap-" om)
			if (a != "-" && b != "-") printf "    %-16s hutch %.3f   hutch-bwrap %.3f\n", cs, a, b
		}
	}
	table("limits", "A launch with limits: --ro-bind / / true, and with --memory 64M --pids 100 (delegated cgroup)")
	if (info["cgroup-floor"] != "") print "  cgroup floor (mkdir, limits, cgroup.procs, rmdir; us): " info["cgroup-floor"]
	if (info["cgroup-floor-paused"] != "") print "  ... rounds 10 ms apart (v1: the move waits for RCU): " info["cgroup-floor-paused"]
	table("binds", "N --ro-bind operations (/usr, then N-1 binds of /usr/share; bwrap up to N=" bwrap_max ")")
	if (nc["binds"]) print "\n  Fit, median time against N (least squares), and the marginal cost of the last 3000 binds:"
	for (j = 1; j <= nco["binds"]; j++) {
		c = conts["binds", j]; s = fit("binds", c, 0)
		a = m("binds", 1000, c); b = m("binds", 4000, c)
		slope[c] = s
		if (s == "-") continue
		printf "    %-12s %7.2f us/bind + %7.0f us", c, s, fit_b
		if (a != "" && b != "") printf "   (1000->4000: %.2f us/bind)", (b - a) / 3000
		printf "\n"
	}
	nt = split(op_types, types, " ")
	for (t = 1; t <= nt; t++) {
		sec = "ops-" types[t]
		if (!nc[sec]) continue
		table(sec, "N --" types[t] (types[t] == "chmod" ? " (each after a --dir)" : types[t] == "remount-ro" ? " (each after a --bind)" : types[t] == "ro-overlay" ? " (two --overlay-src each)" : types[t] == "file" || types[t] == "bind-data" ? " (the harness opens N fds for every contender)" : ""))
		for (j = 1; j <= nco[sec]; j++) {
			c = conts[sec, j]; s = fit(sec, c, 0); sb = fit_b; sc = fit(sec, c, 1)
			if (s == "-") continue
			opfit[types[t], c] = s; opfitc[types[t], c] = sc
			printf "    fit %-12s wall %8.2f us/op + %7.0f us    cpu %8.2f us/op + %7.0f us\n", c, s, sb, sc, fit_b
		}
	}
	if (nc["ops-bind"]) {
		print "\nPer operation: least-squares slope over N of the median CPU time (us/op; wall time in the"
		print "  tables above), chmod and remount-ro less the dir and bind slopes of the same contender;"
		print "  then the paired ratios at N=1000 of CPU time and of wall time (/floor, /bwrap, /bwrap-ref)"
		printf "  %-11s %7s %7s %7s %7s %7s | %-20s %-20s | %-20s %-20s\n", "", "hutch", "h-bwrap", "floor", "bwrap", "bw-ref", "hutch cpu", "hutch-bwrap cpu", "hutch wall", "hutch-bwrap wall"
		split("hutch hutch-bwrap floor bwrap bwrap-ref", cn, " ")
		for (t = 1; t <= nt; t++) {
			sec = "ops-" types[t]
			if (!nc[sec]) continue
			base = types[t] == "chmod" ? "dir" : types[t] == "remount-ro" ? "bind" : ""
			line = sprintf("  %-11s", types[t])
			for (j = 1; j <= 5; j++) {
				v = opfitc[types[t], cn[j]]
				if (v != "" && base != "") v = opfitc[base, cn[j]] == "" ? "" : v - opfitc[base, cn[j]]
				line = line (v == "" ? sprintf(" %7s", "-") : sprintf(" %7.2f", v))
			}
			line = line " |"
			for (w = 1; w <= 2; w++)
				for (j = 1; j <= 2; j++) {
					k = sec SUBSEP 1000 SUBSEP cn[j]
					if (w == 1) line = line sprintf(" %6s %6s %6s", rat(crf[k]), rat(crb[k]), rat(crr[k]))
					else line = line sprintf(" %6s %6s %6s", rat(rf[k]), rat(rb[k]), rat(rr[k]))
					if (j == 2 && w == 1) line = line " |"
				}
			print line
		}
	}
	table("mounts", "The same launches with extra mounts in the caller\047s mount namespace (case = shape/mounts)")
	if (nc["mounts"]) print "\n  Cost of the caller\047s mount table: median(M mounts) - median(0); hutch cost / floor cost:"
	for (i = 1; i <= nc["mounts"]; i++) {
		split(cases["mounts", i], p, "/")
		if (p[2] == 0) continue
		f0 = m("mounts", p[1] "/0", "floor"); f1 = m("mounts", cases["mounts", i], "floor")
		line = sprintf("    %-20s floor %+8.0f us", cases["mounts", i], f1 - f0)
		foreach_c = split("hutch hutch-bwrap bwrap", cc, " ")
		for (j = 1; j <= foreach_c; j++) {
			h0 = m("mounts", p[1] "/0", cc[j]); h1 = m("mounts", cases["mounts", i], cc[j])
			if (h0 == "" || h1 == "") continue
			line = line sprintf("   %s %+8.0f us", cc[j], h1 - h0)
			if (f1 - f0 > 0) line = line sprintf(" (%.2fx)", (h1 - h0) / (f1 - f0))
			if (cc[j] == "hutch" && f1 - f0 > 0) { mcost[++nmc] = (h1 - h0) / (f1 - f0); mcase[nmc] = cases["mounts", i] }
		}
		print line
	}
	if (nm) {
		print "\nMemory (command: a static no-libc program sleeping 300 ms; medians of runs)"
		printf "  %-12s %-12s %12s %8s %16s %16s\n", "case", "contender", "peak RSS KiB", "helpers", "helpers RSS KiB", "helpers anon KiB"
		for (i = 1; i <= nm; i++) {
			split(mrow[i], f, "\t")
			printf "  %-12s %-12s %12s %8s %16s %16s%s\n", f[2], f[3], f[4], f[5], f[6], f[7], (f[8] > 0 ? "  (" f[8] " failed runs)" : "")
			if (f[3] == "hutch") { peak[++npk] = f[4]; helpers[npk] = f[5]; pkcase[npk] = f[2] }
		}
		print "  peak RSS: ru_maxrss of the launch, i.e. of its largest process. helpers: the"
		print "  processes of the launch other than the command, counted and summed while it runs."
	}
	if (nz) {
		print "\nMany sandboxes at once (command: bench-nop holding; per sandbox, what the processes of"
		print "  each launch other than its command hold, summed; medians of runs)"
		printf "  %-12s %4s %-20s %5s %8s %8s %8s %8s %9s %7s\n", "case", "N", "contender", "procs", "PSS KiB", "anon KiB", "RSS KiB", "PTE KiB", "launch us", "PSS/ref"
		for (i = 1; i <= nz; i++) {
			split(zrow[i], f, "\t")
			zpss[f[2], f[3], f[4]] = f[7]
		}
		ref = info["bwrap-ref"] != "" ? "bwrap-ref" : "bwrap"
		for (i = 1; i <= nz; i++) {
			split(zrow[i], f, "\t")
			r = (f[2] SUBSEP f[3] SUBSEP ref) in zpss && zpss[f[2], f[3], ref] > 0 ? sprintf("%7.2f", f[7] / zpss[f[2], f[3], ref]) : "      -"
			printf "  %-12s %4s %-20s %5s %8.0f %8.0f %8.0f %8.0f %9s %7s%s\n", f[2], f[3], f[4], f[6], f[7], f[8], f[9], f[10], f[5], r, (f[11] > 0 ? "  (" f[11] " failed)" : "")
			if (f[4] ~ /^hutch-(static|dynamic)$/ && f[3] == 100) { zgoal[++nzg] = "N=100 " f[2] ", " f[4]; zval[nzg] = f[7]; zref[nzg] = zpss[f[2], f[3], ref] }
		}
		print "  procs: processes kept per sandbox besides the command (parent, pid 1, helpers)."
		print "  PSS: proportional set size (shared pages divided among their users); anon: its"
		print "  anonymous part; PTE: page tables (kernel memory, in no PSS); launch: time until all"
		print "  N commands ran, divided by N (started one after another); PSS/ref: against " ref "."
	}
	if (np) {
		print "\nThroughput (launches per second, N launches at a time kept in flight)"
		printf "  %-12s %4s %-12s %10s %8s %8s\n", "case", "par", "contender", "launches/s", "/floor", "/bwrap"
		for (i = 1; i <= np; i++) {
			split(prow[i], f, "\t")
			if (f[5] == "-") { printf "  %-12s %4s %-12s %10s\n", f[2], f[3], f[4], "FAILED"; continue }
			printf "  %-12s %4s %-12s %10.0f %8s %8s%s\n", f[2], f[3], f[4], f[5], ratio(f[6]), ratio(f[7]), (f[8] > 0 ? "  (" f[8] " failed)" : "")
			if (f[4] == "hutch") { tput[++ntp] = f[6]; tpcase[ntp] = f[2] ", parallelism " f[3] }
		}
	}

	print "\nGoals (reported, not asserted)"
	for (i = 1; i <= nc["launch"]; i++) {
		cs = cases["launch", i]
		for (j = 1; j <= 2; j++) {
			c = j == 1 ? "hutch" : "hutch-bwrap"; k = "launch" SUBSEP cs SUBSEP c
			if (k in rf && rf[k] != "-")
				printf "  %-62s %6.3f  %s\n", "launch " cs ", " c "/floor <= 1.10:", rf[k], ok(rf[k] <= 1.10)
		}
		# The hutch face does more than bubblewrap; the floor that does it too.
		x = paired(cs, "hutch", "floor-hutch")
		if (x != "-")
			printf "  %-62s %6.3f  %s\n", "launch " cs ", hutch/floor-hutch <= 1.10:", x, ok(x <= 1.10)
	}
	for (j = 1; j <= 2; j++) {
		c = j == 1 ? "hutch" : "hutch-bwrap"
		a = m("limits", "ro-bind", c); b = m("limits", "ro-bind", c "-limits")
		if (a != "" && b != "")
			printf "  %-62s %6.0f  %s\n", "limits: " c " --memory --pids adds, us <= 1000:", b - a, ok(b - a <= 1000)
		pn = m("limits", "ro-bind", c "-pidns")
		if (pn != "" && b != "")
			printf "  %-62s %6.0f\n", "  ... of which beyond the PID namespace they imply, us:", b - pn
	}
	for (t = 1; t <= nt; t++) {
		sec = "ops-" types[t]
		for (j = 1; j <= 2; j++) {
			c = j == 1 ? "hutch" : "hutch-bwrap"; k = sec SUBSEP 1000 SUBSEP c
			if (!(k in rf) || rf[k] == "-") continue
			split("floor bwrap bwrap-ref", rn, " ")
			for (q = 1; q <= 3; q++) {
				w = q == 1 ? rf[k] : q == 2 ? rb[k] : rr[k]
				u = q == 1 ? crf[k] : q == 2 ? crb[k] : crr[k]
				if (w == "-" || u == "-") continue
				printf "  %-62s %6.3f  %s\n", "ops " types[t] " N=1000, " c "/" rn[q] " <= 1.0 (cpu; wall " sprintf("%.3f", w) "):", u, ok(u <= 1.0)
			}
		}
	}
	if (slope["hutch"] != "" && slope["hutch"] != "-")
		printf "  %-62s %6.2f  %s\n", "binds: hutch us per bind <= 20:", slope["hutch"], ok(slope["hutch"] <= 20)
	k = "binds" SUBSEP 4000 SUBSEP "hutch"
	if (nc["binds"]) printf "  %-62s %6s  %s\n", "binds: hutch runs 4000 binds:", (k in med) && med[k] != "-" && bad[k] == 0 ? "yes" : "no", ok((k in med) && med[k] != "-" && bad[k] == 0)
	for (i = 1; i <= nmc; i++)
		printf "  %-62s %6.2f  %s\n", "caller mounts " mcase[i] ": hutch cost / floor cost <= 1.2:", mcost[i], ok(mcost[i] <= 1.2)
	for (i = 1; i <= npk; i++)
		printf "  %-62s %6.0f  %s\n", "peak RSS " pkcase[i] ", hutch KiB <= 1331 (1.3 MiB):", peak[i], ok(peak[i] <= 1331)
	for (i = 1; i <= npk; i++)
		if (pkcase[i] == "ro-bind")
			printf "  %-62s %6s  %s\n", "helpers kept alive, ro-bind (none needed):", helpers[i], ok(helpers[i] == 0)
		else
			printf "  %-62s %6s  %s\n", "helpers kept alive, " pkcase[i] " (pid 1 needed):", helpers[i], "(report)"
	for (i = 1; i <= nzg; i++)
		if (zref[i] > 0)
			printf "  %-62s %6.0f  %s\n", "PSS " zgoal[i] " <= " ref " (" sprintf("%.0f", zref[i]) "):", zval[i], ok(zval[i] <= zref[i])
	for (i = 1; i <= ntp; i++)
		printf "  %-62s %6.3f  %s\n", "throughput " tpcase[i] ", hutch/floor >= 0.97:", tput[i], ok(tput[i] >= 0.97)
}' "$TSV" | tee "$OUT/report.txt"
say "results: $OUT/report.txt, every measurement in $TSV"
