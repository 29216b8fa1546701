#!/bin/bash
# hutch --check: one line per item, each agreeing with what the kernel says when the test asks
# it directly (unshare(1), opening /dev/net/tun, the kernel version for the build path), the
# blocker named with its fix and a non-zero status where user namespaces are refused (a nested
# user namespace whose user.max_user_namespaces is 0; a sandbox whose seccomp filter refuses
# clone), status 0 where they work. As root and as uid 65534.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# line ERE: the first line of $OUT that starts with ERE.
line() { grep -E -m 1 "^$1" <<<"$OUT"; }

case_works_here() {
	run_as "$MODE" "$H" --check
	is "$RC" 0 "$MODE: --check exits 0 where user namespaces work (the kernel: unshare -U works)"
	like "$(line 'ok +user namespace:')" "cloned one, mapped uid $(mode_uid "$MODE")" \
		"$MODE: the user namespace line says it cloned one as uid $(mode_uid "$MODE")"
	unlike "$OUT" '^missing +user namespace' "$MODE: no user namespace blocker"
	local bad
	bad=$(grep -vE '^(ok|missing) +[^ ]|^ {9}hint: |^hutch: ' <<<"$OUT")
	is "$bad" "" "$MODE: every line is an item (ok/missing), a hint: or the verdict"
	like "$(tail -n 1 <<<"$OUT")" '^hutch: sandboxes can run here' "$MODE: the verdict"
	local n
	n=$(grep -cE '^(ok|missing) ' <<<"$OUT")
	ok "$MODE: twelve items or more ($n)" test "$n" -ge 12
	# Every missing item comes with its fix on the next line.
	local orphan
	orphan=$(awk '/^missing/ { m = $0; next } m && !/^ +hint: / { print m } { m = "" }
		END { if (m) print m }' <<<"$OUT")
	is "$orphan" "" "$MODE: every missing item is followed by a hint: line"
	like "$(line 'ok +overlayfs')" 'userxattr' "$MODE: overlayfs with userxattr mounts"

	# /dev/net/tun: what the kernel says when this user opens it.
	if [ -c /dev/net/tun ]; then
		local mode_str
		mode_str=$(stat -c %a /dev/net/tun)
		if (as_mode "$MODE" sh -c ': <>/dev/net/tun') 2>/dev/null; then
			like "$(line 'ok +/dev/net/tun')" "mode 0*$mode_str" \
				"$MODE: /dev/net/tun opens, and the line says so with its mode"
		else
			like "$(line 'missing +/dev/net/tun')" "Permission denied.*mode 0*$mode_str" \
				"$MODE: /dev/net/tun does not open (mode $mode_str): missing, with the mode"
			like "$(grep -A1 '^missing  /dev/net/tun' <<<"$OUT" | tail -n 1)" \
				'hint: .*chmod 0666 /dev/net/tun' "$MODE: ... and the fix"
		fi
	else
		like "$(line 'missing +/dev/net/tun')" 'does not exist' \
			"$MODE: no /dev/net/tun: missing"
	fi
	# pasta/slirp4netns: as PATH has them.
	if command -v pasta >/dev/null || command -v slirp4netns >/dev/null; then
		like "$(line '(ok|missing) +user-mode networking')" '^ok' \
			"$MODE: pasta or slirp4netns is installed: ok"
	else
		like "$(line '(ok|missing) +user-mode networking')" '^missing' \
			"$MODE: neither pasta nor slirp4netns: missing"
	fi
	run_as "$MODE" env PATH=/nonexistent "$H" --check
	like "$(line '(ok|missing) +user-mode networking')" '^missing.*neither' \
		"$MODE: with nothing on PATH, user-mode networking is missing"
	# Landlock: the kernel's list of LSMs.
	if grep -qw landlock /sys/kernel/security/lsm 2>/dev/null; then
		like "$(line '(ok|missing) +Landlock')" '^ok +Landlock: ABI [1-9]' \
			"$MODE: Landlock is in /sys/kernel/security/lsm: its ABI"
	fi
}
for_each_mode case_works_here

case_no_userns() {
	# A user namespace may lower its own user.max_user_namespaces: 0 there refuses every
	# namespace below it. The control asks the kernel directly in the same namespace.
	local sh="echo 0 >/proc/sys/user/max_user_namespaces || exit 90
		if unshare -U true 2>/dev/null; then exit 91; fi
		exec \"\$0\" --check"
	run_as "$MODE" unshare -Ur sh -c "$sh" "$H"
	if [ "$RC" = 90 ] || [ "$RC" = 91 ]; then
		fail "$MODE: a nested user namespace with max_user_namespaces 0 (setup: status $RC)"
		return
	fi
	is "$RC" 1 "$MODE: max_user_namespaces 0 (the kernel refuses unshare -U): --check exits 1"
	like "$(line 'missing +user.max_user_namespaces')" '= 0' \
		"$MODE: the sysctl line names user.max_user_namespaces = 0"
	like "$(grep -A1 '^missing  user.max_user_namespaces' <<<"$OUT" | tail -n 1)" \
		'hint: .*sysctl -w user.max_user_namespaces=' "$MODE: ... and the fix"
	like "$(line 'missing +user namespace:')" 'ENOSPC' \
		"$MODE: the try fails with ENOSPC, the blocker"
	like "$(tail -n 1 <<<"$OUT")" '^hutch: cannot run sandboxes here' "$MODE: the verdict"
}
for_each_mode case_no_userns

case_seccomp_refuses() {
	# hutch's strict profile refuses clone and unshare with CLONE_NEW* flags with EPERM, as a
	# container's filter would; --uid 1000 so uid 0 is not the one mapped (CAP_SETFCAP).
	local sh="if unshare -U true 2>/dev/null; then exit 91; fi; exec \"\$0\" --check"
	run_as "$MODE" "$H" --ro-bind / / --proc /proc --dev /dev --uid 1000 \
		--seccomp-profile strict sh -c "$sh" "$H"
	if [ "$RC" = 91 ]; then
		fail "$MODE: the strict profile lets unshare -U through"
		return
	fi
	is "$RC" 1 "$MODE: under a filter that refuses clone(CLONE_NEWUSER): --check exits 1"
	like "$(line 'missing +seccomp:')" 'clone\(CLONE_NEWUSER\) fails with EPERM' \
		"$MODE: the seccomp line names the refused clone and its errno"
	like "$(grep -A1 '^missing  seccomp:' <<<"$OUT" | tail -n 1)" 'hint: .*the filter does' \
		"$MODE: ... and blames the filter (no kernel switch refuses it)"
	like "$(line 'missing +user namespace:')" 'EPERM' "$MODE: the user namespace line: EPERM"
	like "$(tail -n 1 <<<"$OUT")" '^hutch: cannot run sandboxes here' "$MODE: the verdict"
}
for_each_mode case_seccomp_refuses

case_build_path() {
	# Which way the root is built: the kernel's version decides (6.15 attaches inside a
	# detached tree); the test build can force the other two.
	local v want
	v=$(uname -r | sed -E 's/^([0-9]+)\.([0-9]+).*/\1 \2/')
	# shellcheck disable=SC2086
	set -- $v
	if [ "$1" -gt 6 ] || { [ "$1" = 6 ] && [ "$2" -ge 15 ]; }; then want=detached; else
		want=attached; fi
	run_as "$MODE" "$H" --check
	like "$(line 'ok +mount API')" "built $want" "$MODE: Linux $(uname -r): the root is built $want"
	cp "$HUTCH_TESTBUILD" "$T/bin/hutch-test" && chmod 0755 "$T/bin/hutch-test"
	run_as "$MODE" env HUTCH_TEST_FALLBACK=1 "$T/bin/hutch-test" --check
	like "$(line 'missing +mount API')" 'by the fallback' \
		"$MODE: the test build forced to the fallback says so"
	is "$RC" 0 "$MODE: ... and the fallback is enough for the defaults (status 0)"
	run_as "$MODE" env HUTCH_TEST_FALLBACK=attached "$T/bin/hutch-test" --check
	like "$(line 'ok +mount API')" 'built attached' "$MODE: forced attached: attached"
}
for_each_mode case_build_path

# --check runs nothing and stops the parse; the bwrap face does not know it.
run_as root "$H" --check touch "$T/ran"
ok "--check runs no command" test ! -e "$T/ran"
run_as root "$B" --check true
is "$RC" 1 "the bwrap face does not know --check (status 1)"
like "$ERR" 'check' "... and names it"

done_testing
