#!/bin/bash
# The sandbox's cgroup (cgroup.c), through tests/cgroup-tool, which uses the module the way
# hutch does: made before the child exists, the child cloned into it (v2) or attached (v1),
# limits the kernel enforces, usage and the reason of the end read back, the cgroup removed,
# and what a hutch killed with SIGKILL left behind removed by the next run.
#
# As root, the test delegates a directory in each cgroup v1 hierarchy it needs (mkdir,
# chown -R 65534) and one in the v2 tree (chown of the directory and its cgroup.procs,
# cgroup.subtree_control and cgroup.threads, the caller's process moved below it), as an
# administrator would, each with a leaf "shell" for the caller; then runs each case as root
# and as uid 65534. What it asserts comes from the kernel: /proc/PID/cgroup, the cgroup files,
# the directories that exist, the child's status. Everything it made is removed at the end,
# also on failure. A case skips only when the kernel lacks the controller it needs.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

TOOL=${CGROUP_TOOL:-$top_builddir/tests/cgroup-tool}
case $TOOL in /*) ;; *) TOOL=$PWD/$TOOL ;; esac
[ -x "$TOOL" ] || bail_out "CGROUP_TOOL=$TOOL is not an executable (make check builds it)"
cp "$TOOL" "$T/bin/cgroup-tool" && chmod 0755 "$T/bin/cgroup-tool" || bail_out "cannot copy $TOOL"
C=$T/bin/cgroup-tool
NAME=hutch-test-${T##*.}

# --- the host's hierarchies, read here (not through the module under test) -------------------

# mount_of CTL: "MOUNTPOINT ROOT" of the v1 hierarchy holding CTL; empty when none.
mount_of() {
	awk -v c="$1" '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) != "cgroup") next
		n = split($(i + 3), o, ","); for (j = 1; j <= n; j++) if (o[j] == c) { print $5, $4; exit } }' \
		/proc/self/mountinfo
}
V2MNT=$(awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)

# own_below MOUNT ROOT PATH: the directory of cgroup PATH under a mount of ROOT.
own_below() {
	local root=$2 path=$3
	[ "$root" = / ] && root=
	path=${path#"$root"}
	echo "$1${path%/}"
}

# v1_dir CTL: our cgroup's directory in CTL's v1 hierarchy; empty when CTL is not in v1.
v1_dir() {
	local mnt root own
	read -r mnt root < <(mount_of "$1")
	[ -n "$mnt" ] || return 0
	own=$(awk -F: -v c="$1" '{ n = split($2, o, ","); for (j = 1; j <= n; j++) if (o[j] == c) { print $3; exit } }' /proc/self/cgroup)
	own_below "$mnt" "$root" "$own"
}

# Is CTL enabled in this kernel (/proc/cgroups)?
in_kernel() {
	awk -v c="$1" '$1 == c && $4 == 1 { f = 1 } END { exit !f }' /proc/cgroups
}

# Where each controller lives: "v1:DIR", "v2", or "" when the kernel lacks it.
declare -A WHERE
V2CTLS=
[ -n "$V2MNT" ] && V2CTLS=$(cat "$V2MNT/cgroup.controllers" 2>/dev/null)
for ctl in memory pids cpu cpuacct freezer blkio io; do
	d=$(v1_dir "$ctl")
	if [ -n "$d" ]; then
		WHERE[$ctl]=v1:$d
	elif [ -n "$V2MNT" ] && [[ " $V2CTLS " == *" $ctl "* ]]; then
		WHERE[$ctl]=v2
	else
		WHERE[$ctl]=
	fi
done
have() { [ -n "${WHERE[$1]}" ] && { [ "${WHERE[$1]}" = v2 ] || in_kernel "$1"; }; }

if [ "$(id -u)" != 0 ]; then
	# Nothing to delegate: the caller's own cgroup works (a delegated scope) or the one
	# error says what is missing.
	plan 1
	run_as user "$C" --pids 8 forkbomb 100
	if [ "$RC" = 0 ]; then
		is "$(val reason)" pids "unprivileged, in a delegated cgroup: the pids limit holds"
	else
		like "$ERR" "cannot create the sandbox's cgroup.*" "unprivileged: one error, with hints"
	fi
	done_testing
fi

# --- delegation, as an administrator does it ---------------------------------------------------

DELEGATED=()	# the directories made here, removed by cleanup
PARENTS=()	# --cgroup-parent arguments naming each of them
LEAVES=()	# the caller's leaf in each
V2D=
V2_NEEDED=
for ctl in memory pids cpu; do
	[ "${WHERE[$ctl]}" = v2 ] && V2_NEEDED+=" +$ctl"
done

# remove_delegated DIR: kill what runs below DIR (the test's own processes), then rmdir it
# deepest first.
remove_delegated() {
	local d=$1 p n
	[ -d "$d" ] || return 0
	for n in 1 2 3 4 5; do
		p=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)
		[ -z "$p" ] && break
		# shellcheck disable=SC2086
		kill -9 $p 2>/dev/null
		sleep 0.1
	done
	find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	[ ! -d "$d" ] || echo "# cannot remove $d" >&2
}
cleanup_delegated() {
	local i
	for ((i = ${#DELEGATED[@]} - 1; i >= 0; i--)); do
		remove_delegated "${DELEGATED[i]}"
	done
}
at_cleanup cleanup_delegated

declare -A SEEN
for ctl in memory pids cpu cpuacct freezer blkio; do
	w=${WHERE[$ctl]}
	case $w in
	v1:*)
		base=${w#v1:}
		[ -n "${SEEN[$base]:-}" ] && continue
		SEEN[$base]=1
		mkdir "$base/$NAME" "$base/$NAME/shell" || bail_out "cannot make $base/$NAME"
		DELEGATED+=("$base/$NAME")
		chown -R "$USER_UID:$USER_GID" "$base/$NAME" || bail_out "cannot chown $base/$NAME"
		PARENTS+=(--cgroup-parent "$base/$NAME")
		LEAVES+=("$base/$NAME/shell")
		;;
	esac
done
if [ -n "$V2MNT" ]; then
	# With a v2 controller to enable, below the v2 root (exempt from the no-internal-process
	# rule, where systemd enables them); else below our own v2 cgroup.
	if [ -n "$V2_NEEDED" ]; then
		base=$V2MNT
	else
		base=$(own_below "$V2MNT" / "$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)")
	fi
	V2D=$base/$NAME
	mkdir "$V2D" || bail_out "cannot make $V2D"
	DELEGATED+=("$V2D")
	if [ -n "$V2_NEEDED" ]; then
		echo "$V2_NEEDED" >"$V2D/cgroup.subtree_control" ||
			bail_out "cannot enable$V2_NEEDED in $V2D"
	fi
	mkdir "$V2D/shell" || bail_out "cannot make $V2D/shell"
	for d in "$V2D" "$V2D/shell"; do
		chown "$USER_UID:$USER_GID" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" \
			"$d/cgroup.threads" || bail_out "cannot chown $d"
	done
	PARENTS+=(--cgroup-parent "$V2D")
	LEAVES+=("$V2D/shell")
fi

# in-shell UID CMD...: as root, move this process into the caller's leaves, then run CMD as
# UID. cgroup v2 lets a process move only within a subtree whose cgroup.procs it may write:
# the user's processes must be below the delegated directory (root moves them there).
cat >"$T/bin/in-shell" <<'EOF'
#!/bin/sh
uid=$1
shift
for leaf in $HUTCH_TEST_LEAVES; do
	echo $$ >"$leaf/cgroup.procs" || exit 126
done
[ "$uid" = 0 ] && exec "$@"
exec setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all "$@"
EOF
chmod 0755 "$T/bin/in-shell"
export HUTCH_TEST_LEAVES="${LEAVES[*]}"

# run_in MODE CMD...: CMD as MODE from the caller's leaves (root: as it is, from its own).
run_in() {
	local mode=$1
	shift
	if [ "$mode" = user ]; then
		run_as root "$T/bin/in-shell" "$USER_UID" "$@"
	else
		run_as root "$@"
	fi
}

# The directories a run reported (path= lines).
paths() { printf '%s\n' "$OUT" | sed -n 's/^path=//p'; }

# all_gone NAME: every path= of the last run no longer exists.
all_gone() {
	local p left=
	for p in $(paths); do
		[ -e "$p" ] && left+=" $p"
	done
	if [ -z "$(paths)" ]; then
		fail "$1" "the run reported no cgroup"
	elif [ -z "$left" ]; then
		pass "$1"
	else
		fail "$1" "still there:$left"
	fi
}

# key_of CTL: what cg_line takes for CTL: its name in v1, "" in v2.
key_of() { if [ "${WHERE[$1]}" = v2 ]; then echo ""; else echo "$1"; fi; }

# cg_line CTL: the child's /proc/self/cgroup line of CTL's hierarchy ("" for v2), from OUT.
cg_line() {
	printf '%s\n' "$OUT" | sed -n 's/^cgroup=//p' | awk -F: -v c="$1" '
		c == "" && $1 == 0 { print; exit }
		c != "" { n = split($2, o, ","); for (j = 1; j <= n; j++) if (o[j] == c) { print; exit } }'
}

SWAP=()
case ${WHERE[memory]} in
v1:*) [ -e "${WHERE[memory]#v1:}/$NAME/memory.memsw.limit_in_bytes" ] && SWAP=(--memory-swap 48M) ;;
v2) [ -e "$V2D/shell/memory.swap.max" ] && SWAP=(--memory-swap 48M) ;;
esac

# --- cases ------------------------------------------------------------------------------------

case_memory() {
	if ! have memory; then
		skip "$MODE: memory (the kernel has no memory controller)"
		return
	fi
	run_in "$MODE" "$C" --memory 48M "${SWAP[@]}" "${PARENTS[@]}" hog 512M
	is "$RC" 0 "$MODE: --memory 48M: the driver ran"
	is "$(val signal):$(val reason)" 9:oom "$MODE: --memory 48M: a 512M hog is killed, for oom"
	like "$(val oom_kills)" '^[1-9]' "$MODE: --memory 48M: the kernel counted an OOM kill"
	like "$ERR" 'ran out of memory' "$MODE: --memory 48M: one line says why it ended"
	ok "$MODE: --memory 48M: peak memory at most the limit" \
		test "$(val memory_peak)" -le $((48 << 20))
	all_gone "$MODE: --memory 48M: the cgroups are removed"

	run_in "$MODE" "$C" --memory 128M "${PARENTS[@]}" hog 16M
	is "$(val exit):$(val reason)" 0:none "$MODE: --memory 128M: a 16M hog runs to its end"
	ok "$MODE: --memory 128M: peak memory counts the 16M" test "$(val memory_peak)" -ge $((16 << 20))
	all_gone "$MODE: --memory 128M: the cgroups are removed"
}

case_pids() {
	if ! have pids; then
		skip "$MODE: pids (the kernel has no pids controller)"
		return
	fi
	run_in "$MODE" "$C" --pids 12 "${PARENTS[@]}" forkbomb 500
	is "$(val exit):$(val reason)" 1:pids "$MODE: --pids 12: a fork bomb is stopped, for pids"
	is "$(val forked):$(val refused_errno)" 11:11 "$MODE: --pids 12: 11 forks, then EAGAIN"
	like "$(val pids_refused)" '^[1-9]' "$MODE: --pids 12: the kernel counted the refusal"
	like "$ERR" 'reached its --pids limit' "$MODE: --pids 12: one line says why it ended"
	# The bomb's 11 children outlive it; the kernel removes a cgroup only when it is empty.
	all_gone "$MODE: --pids 12: the children left behind are killed, the cgroups removed"
}

# The limits as the kernel shows them to the child, in its own cgroup.
case_files() {
	local mem pid cpu io
	if ! have memory || ! have pids || ! have cpu; then
		skip "$MODE: limit files (the kernel lacks memory, pids or cpu)"
		return
	fi
	run_in "$MODE" "$C" --memory 48M --pids 12 --cpus 0.2 --cpu-weight 50 --io-weight 200 \
		"${PARENTS[@]}" cgroups
	if [ "$RC" != 0 ] && [[ $ERR == *"no I/O weight"* ]]; then
		# Neither BFQ nor io.cost: --io-weight has nothing to set on this kernel.
		skip "$MODE: --io-weight (the kernel has no I/O weight: $ERR)"
		run_in "$MODE" "$C" --memory 48M --pids 12 --cpus 0.2 --cpu-weight 50 \
			"${PARENTS[@]}" cgroups
		io=
	else
		io=200
	fi
	is "$RC" 0 "$MODE: every limit at once"
	for ctl in memory pids cpu; do
		like "$(cg_line "$(key_of "$ctl")")" "/hutch\.[0-9]+\.[0-9]+\.[0-9]+$" \
			"$MODE: the kernel puts the child in the sandbox's cgroup ($ctl)"
	done
	# Read the files of the cgroup the kernel says the child is in.
	file_of() { # CTL FILE
		local w=${WHERE[$1]} line
		if [ "$w" = v2 ]; then
			line=$(cg_line "")
			echo "$V2MNT${line#0::}/$2"
		else
			line=$(cg_line "$1")
			line=${line#*:*:}
			read -r mnt root < <(mount_of "$1")
			echo "$(own_below "$mnt" "$root" "$line")/$2"
		fi
	}
	# The run is over and its cgroup gone: run again, holding, to read them live.
	local out=$T/files.$MODE
	: >"$out"
	(
		if [ "$MODE" = user ]; then
			exec "$T/bin/in-shell" "$USER_UID" "$C" --memory 48M --pids 12 --cpus 0.2 \
				--cpu-weight 50 ${io:+--io-weight "$io"} "${PARENTS[@]}" hold
		fi
		exec "$C" --memory 48M --pids 12 --cpus 0.2 --cpu-weight 50 ${io:+--io-weight "$io"} \
			"${PARENTS[@]}" hold
	) >"$out" 2>&1 &
	local tool=$!
	wait_until 10 grep -q '^ready=1' "$out"
	local child
	child=$(sed -n 's/^child=//p' "$out")
	OUT=$(cat "/proc/$child/cgroup" 2>/dev/null | sed 's/^/cgroup=/')
	if [ "${WHERE[memory]}" = v2 ]; then
		mem=$(cat "$(file_of memory memory.max)")
	else
		mem=$(cat "$(file_of memory memory.limit_in_bytes)")
	fi
	pid=$(cat "$(file_of pids pids.max)")
	if [ "${WHERE[cpu]}" = v2 ]; then
		cpu="$(cat "$(file_of cpu cpu.max)") $(cat "$(file_of cpu cpu.weight)")"
		is "$cpu" "20000 100000 50" "$MODE: --cpus 0.2 --cpu-weight 50: cpu.max and cpu.weight"
	else
		cpu="$(cat "$(file_of cpu cpu.cfs_quota_us)") $(cat "$(file_of cpu cpu.cfs_period_us)") $(cat "$(file_of cpu cpu.shares)")"
		is "$cpu" "20000 100000 512" "$MODE: --cpus 0.2 --cpu-weight 50: CFS quota and shares"
	fi
	is "$mem" $((48 << 20)) "$MODE: --memory 48M: the memory limit"
	is "$pid" 12 "$MODE: --pids 12: pids.max"
	if [ -n "$io" ]; then
		local b=${WHERE[blkio]:-${WHERE[io]}} f v
		if [ "$b" = v2 ]; then
			for f in io.bfq.weight io.weight; do
				[ -e "$(file_of io "$f")" ] && v=$(cat "$(file_of io "$f")") && break
			done
			like "$v" '(^| )200$' "$MODE: --io-weight 200: the I/O weight"
		else
			for f in blkio.bfq.weight blkio.weight; do
				[ -e "$(file_of blkio "$f")" ] && v=$(cat "$(file_of blkio "$f")") && break
			done
			like "$f=$v" '^(blkio.bfq.weight=200|blkio.weight=1000)$' \
				"$MODE: --io-weight 200: the I/O weight"
		fi
	fi
	# The child killed, the driver removes its cgroups as at any end.
	kill -9 "$child" 2>/dev/null
	wait "$tool" 2>/dev/null
	OUT=$(cat "$out")
	is "$(val signal):$(val destroy)" 9:ok "$MODE: the child killed: the driver saw it and cleaned up"
	all_gone "$MODE: limit files: the cgroups are removed"
}

case_cpu() {
	if ! have cpu; then
		skip "$MODE: cpu (the kernel has no cpu controller)"
		return
	fi
	run_in "$MODE" "$C" --cpus 0.2 --account "${PARENTS[@]}" spin 100
	is "$(val exit)" 0 "$MODE: --cpus 0.2: 100 ms of CPU time"
	# 20 ms per 100 ms period: 100 ms of CPU need 5 periods' runtime, at least 4 periods
	# from the first to the last, whatever the phase (load only makes it slower).
	ok "$MODE: --cpus 0.2: the quota slows it down ($(val spin_wall_ms) ms)" \
		test "$(val spin_wall_ms)" -ge 300
	ok "$MODE: --account: the CPU time is counted ($(val cpu_user_us)+$(val cpu_system_us) us)" \
		test $(($(val cpu_user_us) + $(val cpu_system_us))) -ge 90000
	all_gone "$MODE: --cpus: the cgroups are removed"
}

# The kernel's view from inside: its own cgroup, and with a cgroup namespace made after the
# attach, that cgroup as the root of every hierarchy joined.
case_view() {
	local ctl line
	run_in "$MODE" "$C" --pids 50 --memory 64M --account "${PARENTS[@]}" cgroups
	is "$RC" 0 "$MODE: view: ran"
	if [ -n "$V2D" ]; then
		like "$(cg_line "")" "^0::.*/$NAME(/shell)?/hutch\.[0-9.]+$" \
			"$MODE: --account: the child is in the sandbox's v2 cgroup"
		is "$(val clone_into)" 1 "$MODE: --account: cloned into it (CLONE_INTO_CGROUP)"
	fi
	if [ -n "$V2D" ]; then
		run_in "$MODE" "$C" "${PARENTS[@]}" cgroups
		like "$(cg_line "")" "^0::.*/$NAME(/shell)?/hutch\.[0-9.]+$" \
			"$MODE: --cgroup-parent without a limit: a v2 cgroup all the same"
		all_gone "$MODE: --cgroup-parent without a limit: removed"
	fi
	if [ "$MODE" = user ] && ! unpriv_userns_works; then
		skip "user: --unshare-cgroup (unprivileged user namespaces are disabled on this kernel)"
		return
	fi
	run_in "$MODE" "$C" --pids 50 --memory 64M --account --unshare-cgroup "${PARENTS[@]}" cgroups
	for ctl in pids memory ""; do
		[ -z "$ctl" ] && [ -z "$V2D" ] && continue
		[ -n "$ctl" ] && ! have "$ctl" && continue
		[ -n "$ctl" ] && [ "${WHERE[$ctl]}" = v2 ] && continue
		line=$(cg_line "$ctl")
		like "$line" ':/$' "$MODE: --unshare-cgroup: the sandbox's cgroup is the root (${ctl:-v2})"
	done
	all_gone "$MODE: view: the cgroups are removed"
}

# Without --cgroup-parent: below the caller's own cgroup, here the leaf it was moved into.
case_own() {
	if ! have pids; then
		skip "$MODE: own cgroup (the kernel has no pids controller)"
		return
	fi
	run_as root "$T/bin/in-shell" "$(mode_uid "$MODE")" "$C" --pids 12 forkbomb 500
	is "$(val reason)" pids "$MODE: own cgroup: the pids limit holds"
	like "$(paths | head -n 1)" "/$NAME/shell/hutch\.[0-9.]+$" \
		"$MODE: own cgroup: made below the caller's cgroup"
	all_gone "$MODE: own cgroup: removed"
}

# A driver killed with SIGKILL leaves its cgroups and its child; the next run in the same
# place kills the child and removes them.
case_stale() {
	local out=$T/stale.$MODE tool child p before=
	: >"$out"
	(
		if [ "$MODE" = user ]; then
			exec "$T/bin/in-shell" "$USER_UID" "$C" --memory 64M --pids 20 --account \
				"${PARENTS[@]}" hold
		fi
		exec "$C" --memory 64M --pids 20 --account "${PARENTS[@]}" hold
	) >"$out" 2>&1 &
	tool=$!
	wait_until 10 grep -q '^ready=1' "$out"
	child=$(sed -n 's/^child=//p' "$out")
	OUT=$(cat "$out")
	kill -9 "$tool"
	wait "$tool" 2>/dev/null
	for p in $(paths); do
		[ -d "$p" ] && before+=" $p"
	done
	is "$(echo $before | wc -w)" "$(paths | wc -l)" "$MODE: SIGKILL: the dead driver's cgroups stay"
	ok "$MODE: SIGKILL: its child still runs" alive "$child"
	run_in "$MODE" "$C" --memory 64M --pids 20 --account "${PARENTS[@]}" hog 1M
	is "$RC:$(val exit)" 0:0 "$MODE: the next run"
	OUT=$(cat "$out")
	all_gone "$MODE: the next run removed the dead driver's cgroups"
	wait_until 5 eval '! alive "$child"'
	ok "$MODE: the next run killed the dead driver's child" eval '! alive "$child"'
}

alive() {
	[ -e "/proc/$1/stat" ] && ! awk '{ exit !($3 == "Z") }' "/proc/$1/stat" 2>/dev/null
}

# No delegated cgroup: one error naming what is missing and how to get it; --limits-try
# falls back to rlimits and says so once.
case_errors() {
	[ "$MODE" = user ] || return 0
	run_as user "$C" --pids 12 --memory 48M forkbomb 5
	is "$RC" 125 "user, nothing delegated: the driver fails"
	like "$ERR" "^hutch: cannot create the sandbox's cgroup: " "user, nothing delegated: the error"
	like "$ERR" "^hint: .*(chown -R $USER_UID|systemd-run)" \
		"user, nothing delegated: a hint names the commands"
	is "$(printf '%s\n' "$ERR" | grep -vc '^hint: ')" 1 "user, nothing delegated: one line"
	is "$OUT" "" "user, nothing delegated: nothing ran"
	run_as user "$C" --pids 12 --memory 48M --limits-try rlimits
	is "$RC" 0 "user, --limits-try: runs"
	is "$(printf '%s\n' "$ERR" | grep -c 'limits-try')" 1 "user, --limits-try: says so once"
	is "$(val rlimit_as):$(val rlimit_nproc)" "$((48 << 20)):12" \
		"user, --limits-try: RLIMIT_AS and RLIMIT_NPROC instead"
	run_as user "$C" --pids 12 --cgroup-parent /nonexistent-$NAME forkbomb 5
	is "$RC" 125 "--cgroup-parent of a missing cgroup fails"
	like "$ERR" "cannot open .*/nonexistent-$NAME: No such file" \
		"--cgroup-parent of a missing cgroup: the path and the reason"
}

# cgroup_kill: every process of a tree, whatever the way (v2 cgroup.kill, a freezer, pidfds).
case_kill() {
	local how extra
	if ! have pids; then
		skip "$MODE: cgroup_kill (the kernel has no pids controller)"
		return
	fi
	for how in pidfd account; do
		extra=()
		[ "$how" = account ] && extra=(--account)
		run_in "$MODE" "$C" --pids 100 "${extra[@]}" --kill-after-ms 300 "${PARENTS[@]}" tree 20
		is "$(val kill):$(val signal)" 0:9 "$MODE: SIGKILL ($how): the tree is killed"
		is "$(printf '%s\n' "$OUT" | sed -n 's/^left=//p' | sort -u)" 0 \
			"$MODE: SIGKILL ($how): no process left once it returns"
		all_gone "$MODE: SIGKILL ($how): the cgroups are removed"
	done
	run_in "$MODE" "$C" --pids 100 --account --kill-after-ms 300 --kill-signal 15 \
		"${PARENTS[@]}" tree 20
	is "$(val kill):$(val signal)" 0:15 "$MODE: SIGTERM: reaches the tree"
	all_gone "$MODE: SIGTERM: the cgroups are removed"
	if [ "$MODE" = user ] && have freezer && [ "${WHERE[freezer]}" != v2 ]; then
		# Not moved below the v2 directory: no v2 cgroup, v1's freezer instead.
		run_as user "$C" --pids 100 --account --kill-after-ms 300 "${PARENTS[@]}" tree 20
		like "$(paths)" "freezer" "user: no v2 cgroup: the v1 freezer is joined"
		is "$(val kill):$(val signal)" 0:9 "user: SIGKILL through the freezer: killed"
		is "$(printf '%s\n' "$OUT" | sed -n 's/^left=//p' | sort -u)" 0 \
			"user: SIGKILL through the freezer: no process left"
		all_gone "user: SIGKILL through the freezer: the cgroups are removed"
	fi
}

# Nothing of the runs is left in the delegated directories.
case_clean() {
	local left
	left=$(for d in "${DELEGATED[@]}"; do find "$d" -mindepth 1 -type d -name 'hutch.*'; done)
	is "$left" "" "$MODE: no sandbox cgroup left behind"
}

for MODE in $MODES; do
	case_memory
	case_pids
	case_files
	case_cpu
	case_view
	case_own
	case_stale
	case_kill
	case_errors
	case_clean
done
done_testing
