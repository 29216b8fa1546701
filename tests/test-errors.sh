#!/bin/bash
# Bad input: one line on stderr naming the option, the path and the reason (plus optional
# hint: lines), the face's exit status, the command not run, the host unchanged.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

AREA=$T/area
mkdir -m 0755 "$AREA"
printf '#!/bin/sh\necho ran\n' >"$AREA/not-executable"
chmod 0644 "$AREA/not-executable"
mkdir -m 0755 "$AREA/a-directory"

# Each row: NAME#HUTCH_STATUS#ERE_THE_LINE_MUST_MATCH...#-- ARGS (ARGS split on blanks).
# The EREs are checked against the one message line of both faces, those written h:ERE only
# against the hutch face's (bubblewrap's texts do not always name the option); @ stands
# for $AREA.
ROWS='
missing source for --bind#125#h:bind#@/missing-src#No such file or directory#-- --ro-bind / / --bind @/missing-src /mnt/x echo RAN
missing source for --ro-bind#125#h:ro-bind#@/missing-src#No such file or directory#-- --ro-bind / / --ro-bind @/missing-src /mnt/x echo RAN
unknown option#64#--frobnicate#-- --frobnicate echo RAN
missing argument#64#--bind#-- --bind /
missing argument at the end#64#--tmpfs#-- --tmpfs
bad number for --uid#64#uid#abc#-- --unshare-user --uid abc --ro-bind / / echo RAN
bad number for --gid#64#gid#-1#-- --unshare-user --gid -1 --ro-bind / / echo RAN
bad number for --perms#64#perms#h:999#-- --perms 999 --dir /x --ro-bind / / echo RAN
not octal --perms#64#perms#h:8#-- --perms 8 --dir /x --ro-bind / / echo RAN
bad number for --chmod#64#chmod#h:0x7#-- --ro-bind / / --chmod 0x7 /tmp echo RAN
bad fd for --file#64#h:file#nine#-- --file nine /x --ro-bind / / echo RAN
--hostname without --unshare-uts#64#hostname#unshare-uts#-- --hostname foo --ro-bind / / echo RAN
--as-pid-1 without --unshare-pid#64#as-pid-1#unshare-pid#-- --as-pid-1 --ro-bind / / echo RAN
--chmod of a missing path#125#chmod#/nonexistent-h3#No such file or directory#-- --ro-bind / / --chmod 0700 /nonexistent-h3 echo RAN
--chdir to a missing directory#125#/nonexistent-h3#No such file or directory#-- --ro-bind / / --chdir /nonexistent-h3 echo RAN
command not executable#126#@/not-executable#Permission denied#-- --ro-bind / / @/not-executable
command is a directory#126#@/a-directory#Permission denied#-- --ro-bind / / @/a-directory
command not found by path#127#@/no-such-command#No such file or directory|not found#-- --ro-bind / / @/no-such-command
command not found on PATH#127#no-such-command-h3#No such file or directory|not found#-- --ro-bind / / --setenv PATH /usr/bin:/bin no-such-command-h3
'

# One case per row and face.
error_case() {
	local face=$1 row=$2 name status rest args bin exp lines first re nre before after
	IFS='#' read -r name status rest <<<"$row"
	args=${row##*#-- }
	args=${args//@/$AREA}
	rest=${rest%#-- *}
	if [ "$face" = hutch ]; then bin=$H; exp=$status; else bin=$B; exp=1; fi
	before=$(snapshot "$AREA"; host_root_snapshot)
	# shellcheck disable=SC2086 # args is split on purpose
	run_as "$MODE" "$bin" $args
	after=$(snapshot "$AREA"; host_root_snapshot)
	is "$RC" "$exp" "$MODE: $face face: $name: exit status $exp"
	is "$OUT" "" "$MODE: $face face: $name: the command does not run"
	lines=$(printf '%s\n' "$ERR" | grep -Ev '^((hutch|bwrap): )?hint: ' | grep -c .)
	is "$lines" 1 "$MODE: $face face: $name: exactly one message line (besides hint: lines)"
	first=$(printf '%s\n' "$ERR" | grep -Ev '^((hutch|bwrap): )?hint: ' | head -n 1)
	like "$first" "^$face: " "$MODE: $face face: $name: the message starts with '$face: '"
	if [ "$face" = hutch ] && [ "$status" -ge 125 ]; then
		like "$first" "^hutch: cannot " "$MODE: hutch face: $name: 'hutch: cannot VERB OBJECT: REASON'"
	fi
	IFS='#' read -r -a nre <<<"$rest"
	for re in "${nre[@]}"; do
		case $re in
		h:*)
			[ "$face" = hutch ] || continue
			re=${re#h:}
			;;
		esac
		re=${re//@/$AREA}
		like "$first" "$re" "$MODE: $face face: $name: the message names '$re'"
	done
	if [ "$before" = "$after" ]; then
		pass "$MODE: $face face: $name: the host is unchanged"
	else
		fail "$MODE: $face face: $name: the host is unchanged" \
			"$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')"
	fi
}

case_errors() {
	local face row
	for face in hutch bwrap; do
		while IFS= read -r row; do
			[ -n "$row" ] && error_case "$face" "$row"
		done <<<"$ROWS"
	done
}

# --uid/--gid only make sense in a user namespace: as root without one, the bwrap face
# refuses a different uid; the hutch face gives everyone one, root included.
case_uid_without_userns() {
	[ "$MODE" = root ] || return 0
	run_as root "$H" --uid 5 --ro-bind / / "$P" ids
	is "$RC:$(val uid)" "0:5" "root: hutch face: --uid without --unshare-user: uid 5 inside"
	run_as root "$B" --uid 5 --ro-bind / / true
	is "$RC" 1 "root: bwrap face: --uid without --unshare-user: exit status 1"
	like "$ERR" '^bwrap: Specifying --uid requires --unshare-user' \
		"root: bwrap face: --uid without --unshare-user: bubblewrap's message"
}

for_each_mode case_errors
for_each_mode case_uid_without_userns
done_testing
