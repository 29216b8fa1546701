#!/bin/bash
# The two faces' differences, read from the face table itself (the test build's
# HUTCH_TEST_FACE_TABLE hook prints it), each checked through the real binary in both faces,
# or named with the test that checks it. A difference added to the table without a check
# here fails this test.
USE_TESTBUILD=1
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

TABLE=$(HUTCH_TEST_FACE_TABLE=1 "$H")
# hutch's and bwrap's value of FIELD in the table.
hv() { awk -v f="$1" '$1 == f { print $2 }' <<<"$TABLE"; }
bv() { awk -v f="$1" '$1 == f { print $3 }' <<<"$TABLE"; }

# Differences checked by other tests (field: the test).
declare -A ELSEWHERE=(
	[mark_mounts]=test-join.sh
	[join_option]=test-join.sh
	[exec_diagnosis]=test-hints.sh
	[exit_timeout]=test-limits.sh [exit_cputime]=test-limits.sh [exit_pids]=test-limits.sh
	[exit_oom]=test-limits.sh [closed_fd_is_error]=unit-plan.c
	[refuse_empty_seccomp]=test-bwrap-face.sh [root_keeps_caps]=test-caps.sh
	[root_userns]=test-caps.sh [root_as_nobody]=test-namespaces.sh
	[caps_ambient_always]=test-caps.sh [caps_best_effort]=test-caps.sh
	[file_umask]=test-bwrap-face.sh [proc_cover_all]=test-mounts.sh [proc_masks]=test-mask.sh
	[source_missing_early]=test-bwrap-face.sh [kill_leftovers]=test-limits.sh
	[die_with_parent]=test-process.sh [in_place]=test-process.sh
	[forward_signals]=test-process.sh [setup_signal_is_failure]=test-failclosed.sh
	[status_extra_docs]=test-limits.sh [args_tail_dropped]=test-bwrap-extra.sh
)
declare -A HERE=()

# both FIELD NAME HUTCH_EXPECTED BWRAP_EXPECTED ARGS...: run ARGS in each face as $MODE and
# compare "$RC" plus what check_out prints.
both() {
	local field=$1 name=$2 hexp=$3 bexp=$4
	shift 4
	HERE[$field]=1
	run_as "$MODE" "$H" "$@"
	is "$(check_out)" "$hexp" "$MODE: $field: hutch face: $name"
	run_as "$MODE" "$B" "$@"
	is "$(check_out)" "$bexp" "$MODE: $field: bwrap face: $name"
}

case_statuses() {
	check_out() { echo "$RC:${ERR%%:*}"; }
	both exit_usage "an unknown option" "$(hv exit_usage):hutch" "$(bv exit_usage):bwrap" \
		--frobnicate-f11 true
	HERE[prog]=1
	both exit_setup "a missing bind source" "$(hv exit_setup):hutch" "$(bv exit_setup):bwrap" \
		"${MINROOT[@]}" --ro-bind /nonexistent-f11 /x "$P" ids
	both exit_exec "a command that is a directory" "$(hv exit_exec):hutch" \
		"$(bv exit_exec):bwrap" "${MINROOT[@]}" /usr
	both exit_notfound "a command not found" "$(hv exit_notfound):hutch" \
		"$(bv exit_notfound):bwrap" "${MINROOT[@]}" no-such-command-f11
	both exit_setup "a namespace option without its namespace" "$(hv exit_usage):hutch" \
		"$(bv exit_usage):bwrap" --hostname x-f11 "${MINROOT[@]}" "$P" ids
}

case_defaults() {
	check_out() { echo "$RC:$(val Seccomp)"; }
	# The probe's Seccomp: 2 is a filter, 0 none.
	both default_seccomp "the filter the command runs under" 0:2 0:0 "${MINROOT[@]}" "$P" seccomp
	check_out() { echo "$RC:$(val fds | tr ',' '\n' | grep -cx 7)"; }
	both close_inherited_fds "fd 7 of the caller reaches the command" 0:0 0:1 \
		"${MINROOT[@]}" "$P" fds 7</dev/null
}

case_command_line() {
	check_out() { echo "$RC:$(grep -c '^hint: ' <<<"$ERR")"; }
	both hints "hint lines after an error" 64:1 1:0 --frobnicate-f11 true
	check_out() { echo "$RC:$(grep -c '^hutch: warning: \|^bwrap: warning: ' <<<"$ERR")"; }
	KEEP_PLAN_WARNINGS=1 both plan_warnings "a launch without /dev/null" 0:1 0:0 \
		--ro-bind / / --tmpfs /dev "$P" ids
	check_out() { echo "$RC"; }
	both size_any_base "--size 0x100000 (hexadecimal)" 64 0 --size 0x100000 --tmpfs /t \
		"${MINROOT[@]}" "$P" ids
	both modifiers_checked_at_end "a --perms left dangling" 64 0 "${MINROOT[@]}" --perms 0700 \
		"$P" ids
	check_out() { echo "$RC:$(grep -c '^usage: ' <<<"$ERR")"; }
	both usage_without_command "no command" 64:0 1:1 --ro-bind / /
	check_out() { echo "$RC:$ERR"; }
	both missing_arg_by_option "--chdir without its argument" \
		"64:hutch: --chdir: missing argument (usage: --chdir DIR)" \
		"1:bwrap: --chdir takes one argument" --chdir
	check_out() { echo "$RC:$(grep -c -- '--unshare-user .*setuid' <<<"$OUT")"; }
	both help_own_words "--help on --unshare-user" 0:0 0:1 --help
}

for_each_mode case_statuses
for_each_mode case_defaults
for_each_mode case_command_line

# Every field of the table whose faces differ is checked here or named with its test.
while read -r field h b; do
	[ "$field" = msg ] && continue
	[ "$h" = "$b" ] && continue
	if [ -n "${HERE[$field]:-}" ]; then
		pass "table: $field ($h / $b) checked here"
	elif [ -n "${ELSEWHERE[$field]:-}" ]; then
		is "$(ls "$srcdir/tests/${ELSEWHERE[$field]}" 2>/dev/null | wc -l)" 1 \
			"table: $field ($h / $b) checked by ${ELSEWHERE[$field]}"
	else
		fail "table: $field ($h / $b) differs and nothing checks it"
	fi
done <<<"$TABLE"
# Each message of the catalog has a name (its texts: unit-face).
like "$(grep -c '^msg ' <<<"$TABLE")" '^[1-9][0-9]*$' "table: the message catalog is listed"

done_testing
