#!/bin/bash
# Capabilities of the command as /proc/self/status shows them, no_new_privs, and the refusal
# to run setuid.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NONE=0000000000000000
# CAP_NET_ADMIN is capability 12.
NET_ADMIN=0000000000001000
HOST_EFF=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
HOST_BND=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)

caps_are() { # EXPECTED NAME: all of CapEff, CapPrm, CapBnd, CapAmb, CapInh equal EXPECTED
	local exp=$1 name=$2 got
	got="Eff=$(val CapEff) Prm=$(val CapPrm) Bnd=$(val CapBnd) Amb=$(val CapAmb) Inh=$(val CapInh)"
	is "$got" "Eff=$exp Prm=$exp Bnd=$exp Amb=$exp Inh=$exp" "$name"
}

case_default_none() {
	local face bin
	for face in hutch bwrap; do
		if [ "$face" = hutch ]; then bin=$H; else bin=$B; fi
		if [ "$MODE" = root ] && [ "$face" = bwrap ]; then
			continue # real root keeps its capabilities in the bwrap face: case_root_bwrap
		fi
		run_as "$MODE" "$bin" --ro-bind / / "$P" caps
		is "$RC" 0 "$MODE: $face face: runs"
		caps_are "$NONE" "$MODE: $face face: the command has no capabilities by default"
		run_as "$MODE" "$bin" --unshare-user --ro-bind / / "$P" caps
		caps_are "$NONE" "$MODE: $face face, --unshare-user: the command has no capabilities"
		run_as "$MODE" "$bin" --unshare-user --uid 0 --ro-bind / / "$P" caps ids
		is "$(val uid)" 0 "$MODE: $face face, --unshare-user --uid 0: uid 0 inside"
		caps_are "$NONE" "$MODE: $face face, --unshare-user --uid 0: still no capabilities"
	done
}

case_root_bwrap() {
	[ "$MODE" = root ] || return 0
	run_as root "$B" --ro-bind / / "$P" caps
	is "$RC" 0 "root: bwrap face: runs"
	is "$(val CapEff)" "$HOST_EFF" "root: bwrap face: real root keeps its effective capabilities"
	is "$(val CapBnd)" "$HOST_BND" "root: bwrap face: real root keeps its bounding set"
	run_as root "$B" --cap-drop ALL --ro-bind / / "$P" caps
	is "$(val CapEff):$(val CapPrm):$(val CapAmb):$(val CapInh)" "$NONE:$NONE:$NONE:$NONE" \
		"root: bwrap face: --cap-drop ALL drops them all"
	run_as root "$B" --cap-drop CAP_NET_ADMIN --ro-bind / / "$P" caps
	is "$RC:$(val CapEff)" "0:$(printf '%016x' $((0x$HOST_EFF & ~0x1000)))" \
		"root: bwrap face: --cap-drop CAP_NET_ADMIN drops exactly that one"
}

case_root_hutch() {
	[ "$MODE" = root ] || return 0
	run_as root "$H" --ro-bind / / "$P" caps ids
	is "$RC:$(val uid)" 0:0 "root: hutch face: runs as uid 0"
	caps_are "$NONE" "root: hutch face: real root's capabilities are all dropped"
}

case_cap_add() {
	local face bin name bnd
	for face in hutch bwrap; do
		if [ "$face" = hutch ]; then bin=$H; else bin=$B; fi
		# Real root in the bwrap face keeps the bounding set as bubblewrap does (nothing
		# in it survives execve with no_new_privs), so Bnd is only checked otherwise.
		bnd=yes
		[ "$MODE" = root ] && [ "$face" = bwrap ] && bnd=no
		for name in CAP_NET_ADMIN net_admin; do
			# Real root in the bwrap face starts from its full set: drop it first.
			run_as "$MODE" "$bin" --cap-drop ALL --cap-add "$name" --ro-bind / / "$P" caps
			is "$RC" 0 "$MODE: $face face: --cap-drop ALL --cap-add $name runs"
			is "$(val CapEff):$(val CapPrm)" "$NET_ADMIN:$NET_ADMIN" \
				"$MODE: $face face: --cap-add $name gives exactly CAP_NET_ADMIN"
			if [ "$bnd" = yes ]; then
				is "$(val CapBnd)" "$NET_ADMIN" \
					"$MODE: $face face: --cap-add $name: bounding set is CAP_NET_ADMIN"
			fi
			# The ambient set carries the capability across execve for a non-zero uid.
			if [ "$MODE" = user ]; then
				is "$(val CapAmb)" "$NET_ADMIN" \
					"$MODE: $face face: --cap-add $name: in the ambient set (uid $USER_UID)"
			fi
		done
		if [ "$face" = hutch ] || [ "$MODE" = user ]; then
			run_as "$MODE" "$bin" --cap-add CAP_NET_ADMIN --ro-bind / / "$P" caps
			is "$(val CapEff):$(val CapPrm)" "$NET_ADMIN:$NET_ADMIN" \
				"$MODE: $face face: --cap-add CAP_NET_ADMIN alone gives exactly CAP_NET_ADMIN"
		fi
		run_as "$MODE" "$bin" --cap-add CAP_NET_ADMIN --cap-drop ALL --ro-bind / / "$P" caps
		is "$(val CapEff):$(val CapPrm):$(val CapAmb)" "$NONE:$NONE:$NONE" \
			"$MODE: $face face: --cap-add then --cap-drop ALL: none"
	done
}

case_nonewprivs() {
	local face bin opts
	for face in hutch bwrap; do
		if [ "$face" = hutch ]; then bin=$H; else bin=$B; fi
		for opts in "" "--unshare-user" "--unshare-pid" "--cap-add CAP_SYS_ADMIN"; do
			# shellcheck disable=SC2086 # opts is split on purpose
			run_as "$MODE" "$bin" $opts --ro-bind / / "$P" nonewprivs
			is "$RC:$(val nonewprivs)" 0:1 "$MODE: $face face ${opts:-(no options)}: no_new_privs is set"
		done
	done
}

case_setuid_refused() {
	local d
	if [ "$MODE" != root ]; then
		return 0
	fi
	d=$(mktemp -d "$T/suid.XXXXXX")
	chmod 0755 "$d"
	cp "$H" "$d/hutch"
	chown 0:0 "$d/hutch"
	chmod 4755 "$d/hutch"
	if findmnt -n -o OPTIONS -T "$d" | tr , '\n' | grep -qx nosuid; then
		skip "root: setuid refusal ($d is on a nosuid mount)"
		rm -rf "$d"
		return
	fi
	run_as user "$d/hutch" --ro-bind / / "$P" ids caps
	isnt "$RC" 0 "root: a setuid-root copy run by uid $USER_UID refuses to run"
	is "$OUT" "" "root: a setuid-root copy does not run the command"
	like "$ERR" '[Ss]etuid' "root: a setuid-root copy says why (setuid)"
	rm -rf "$d"
}

for_each_mode case_default_none
for_each_mode case_root_bwrap
for_each_mode case_root_hutch
for_each_mode case_cap_add
for_each_mode case_nonewprivs
for_each_mode case_setuid_refused
done_testing
