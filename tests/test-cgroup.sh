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
. "$srcdir/tests/lib-cgroup.sh"
NAME=$CG_NAME

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

cgroup_delegate

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
	own_parents
	(
		if [ "$MODE" = user ]; then
			exec "$T/bin/in-shell" "$USER_UID" "$C" --memory 64M --pids 20 --account \
				"${OWN_PARENTS[@]}" hold
		fi
		exec "$C" --memory 64M --pids 20 --account "${OWN_PARENTS[@]}" hold
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
	run_in "$MODE" "$C" --memory 64M --pids 20 --account "${OWN_PARENTS[@]}" hog 1M
	is "$RC:$(val exit)" 0:0 "$MODE: the next run"
	OUT=$(cat "$out")
	all_gone "$MODE: the next run removed the dead driver's cgroups"
	wait_until 5 eval '! alive "$child"'
	ok "$MODE: the next run killed the dead driver's child" eval '! alive "$child"'
	remove_own_parents
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
