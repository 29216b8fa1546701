#!/bin/bash
# Namespaces, as the kernel reports them from inside: user (maps and ids), pid, net, uts, ipc,
# cgroup and --unshare-all.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# The host's namespaces, as seen by this script.
host_ns() { readlink "/proc/self/ns/$1"; }

case_userns_maps() {
	local uid gid
	uid=$(mode_uid "$MODE")
	gid=$(mode_gid "$MODE")
	run_as "$MODE" "$H" --unshare-user --ro-bind / / "$P" uid_map gid_map ids
	is "$RC" 0 "$MODE: --unshare-user runs"
	like "$(val uid_map)" '^[0-9]+ [0-9]+ 1$' "$MODE: --unshare-user: uid_map is one line of one id"
	like "$(val gid_map)" '^[0-9]+ [0-9]+ 1$' "$MODE: --unshare-user: gid_map is one line of one id"
	# The outer id is relative to the parent namespace, which may be an intermediate one.
	like "$(val uid_map)" "^$uid [0-9]+ 1\$" "$MODE: --unshare-user: uid_map maps the caller's uid"
	is "$(val uid):$(val euid)" "$uid:$uid" "$MODE: --unshare-user: uid inside is the caller's ($uid)"
	is "$(val gid):$(val egid)" "$gid:$gid" "$MODE: --unshare-user: gid inside is the caller's ($gid)"
}

case_userns_uid_gid() {
	run_as "$MODE" "$H" --unshare-user --uid 0 --gid 0 --ro-bind / / "$P" uid_map gid_map ids
	is "$RC:$(val uid):$(val gid)" "0:0:0" "$MODE: --uid 0 --gid 0: ids inside are 0/0"
	like "$(val uid_map)" '^0 [0-9]+ 1$' "$MODE: --uid 0: uid_map is the single line '0 N 1'"
	like "$(val gid_map)" '^0 [0-9]+ 1$' "$MODE: --gid 0: gid_map is the single line '0 N 1'"
	run_as "$MODE" "$H" --unshare-user --uid 1234 --gid 5678 --ro-bind / / "$P" uid_map ids
	is "$RC:$(val uid):$(val euid):$(val gid):$(val egid)" "0:1234:1234:5678:5678" \
		"$MODE: --uid 1234 --gid 5678: real and effective ids inside"
	like "$(val uid_map)" '^1234 [0-9]+ 1$' "$MODE: --uid 1234: uid_map is the single line '1234 N 1'"
	# With --dev, bubblewrap maps root first to mount devpts; the command must still see
	# only its own id.
	run_as "$MODE" "$H" --unshare-user --uid 1234 --gid 5678 --ro-bind / / --dev /dev \
		"$P" uid_map ids
	is "$RC:$(val uid):$(val gid)" "0:1234:5678" "$MODE: --uid/--gid with --dev: ids inside"
	like "$(val uid_map)" '^1234 [0-9]+ 1$' "$MODE: --uid with --dev: uid_map is one line"
}

case_userns_implied() {
	local uid
	uid=$(mode_uid "$MODE")
	run_as "$MODE" "$H" --ro-bind / / "$P" ns=user uid_map ids
	is "$RC" 0 "$MODE: without --unshare-user: runs"
	is "$(val uid)" "$uid" "$MODE: without --unshare-user: uid inside is the caller's"
	if [ "$MODE" = user ]; then
		isnt "$(val ns:user)" "$(host_ns user)" \
			"user: an unprivileged caller always gets a new user namespace"
		like "$(val uid_map)" "^$uid [0-9]+ 1\$" "user: the implied user namespace maps only the caller"
	else
		isnt "$(val ns:user)" "$(host_ns user)" \
			"root: the hutch face gives root a user namespace too"
		like "$(val uid_map)" "^0 65534 1\$" "root: ... mapping root onto nobody"
		run_as root "$H" --host-uid 0 --ro-bind / / "$P" uid_map
		like "$(val uid_map)" "^0 0 1\$" "root: ... or onto root with --host-uid 0"
		run_as root "$B" --ro-bind / / "$P" ns=user
		is "$(val ns:user)" "$(host_ns user)" \
			"root: bwrap face, without --unshare-user: root stays in the host user namespace"
	fi
}

case_pidns() {
	run_as "$MODE" "$H" --unshare-pid --ro-bind / / "$P" pid ppid
	is "$RC:$(val pid):$(val ppid)" "0:2:1" \
		"$MODE: --unshare-pid: the command is pid 2, its parent the reaper pid 1"
	run_as "$MODE" "$H" --unshare-pid --ro-bind / / --proc /proc "$P" read=/proc/1/cmdline ls=/proc
	is "$RC" 0 "$MODE: --unshare-pid --proc /proc runs"
	like "$(val read:/proc/1/cmdline)" '.' "$MODE: --unshare-pid: pid 1 exists inside"
	is "$(val ls:/proc | tr , '\n' | grep -E '^[0-9]+$' | paste -sd, -)" "1,2" \
		"$MODE: --unshare-pid: only the reaper and the command live in the namespace"
	run_as "$MODE" "$H" --unshare-pid --as-pid-1 --ro-bind / / "$P" pid ppid
	is "$RC:$(val pid):$(val ppid)" "0:1:0" "$MODE: --as-pid-1: the command is pid 1"
	run_as "$MODE" "$H" --ro-bind / / "$P" pid
	unlike "$(val pid)" '^[12]$' "$MODE: without --unshare-pid the command has a host pid"
}

case_netns() {
	run_as "$MODE" "$H" --unshare-net --ro-bind / / "$P" ifaces ns=net
	is "$RC" 0 "$MODE: --unshare-net runs"
	is "$(val ifaces)" "lo:up" "$MODE: --unshare-net: only lo, and it is up"
	isnt "$(val ns:net)" "$(host_ns net)" "$MODE: --unshare-net: a new network namespace"
	run_as "$MODE" "$H" --ro-bind / / "$P" ns=net
	is "$(val ns:net)" "$(host_ns net)" "$MODE: without --unshare-net the host network namespace"
}

case_utsns() {
	local before
	before=$(uname -n)
	run_as "$MODE" "$H" --unshare-uts --hostname foo --ro-bind / / "$P" hostname ns=uts
	is "$RC:$(val hostname)" "0:foo" "$MODE: --unshare-uts --hostname foo: hostname is foo"
	isnt "$(val ns:uts)" "$(host_ns uts)" "$MODE: --unshare-uts: a new uts namespace"
	is "$(uname -n)" "$before" "$MODE: the host's hostname is unchanged"
	run_as "$MODE" "$H" --unshare-uts --ro-bind / / "$P" hostname
	is "$RC:$(val hostname)" "0:$(uname -n)" "$MODE: --unshare-uts alone keeps the hostname"
}

case_ipcns() {
	run_as "$MODE" "$H" --unshare-ipc --ro-bind / / "$P" ns=ipc
	is "$RC" 0 "$MODE: --unshare-ipc runs"
	isnt "$(val ns:ipc)" "$(host_ns ipc)" "$MODE: --unshare-ipc: a new ipc namespace"
	run_as "$MODE" "$H" --ro-bind / / "$P" ns=ipc
	is "$(val ns:ipc)" "$(host_ns ipc)" "$MODE: without --unshare-ipc the host ipc namespace"
}

case_cgroupns() {
	if [ ! -e /proc/self/ns/cgroup ]; then
		skip "$MODE: --unshare-cgroup (no cgroup namespaces in this kernel)"
		return
	fi
	run_as "$MODE" "$H" --unshare-cgroup --ro-bind / / "$P" ns=cgroup
	is "$RC" 0 "$MODE: --unshare-cgroup runs"
	isnt "$(val ns:cgroup)" "$(host_ns cgroup)" "$MODE: --unshare-cgroup: a new cgroup namespace"
	run_as "$MODE" "$H" --ro-bind / / "$P" ns=cgroup
	is "$(val ns:cgroup)" "$(host_ns cgroup)" \
		"$MODE: without --unshare-cgroup the host cgroup namespace"
}

case_unshare_all() {
	local ns
	run_as "$MODE" "$H" --unshare-all --ro-bind / / "$P" pid ifaces \
		ns=user ns=ipc ns=net ns=uts ns=cgroup ns=mnt
	is "$RC" 0 "$MODE: --unshare-all runs"
	is "$(val pid)" 2 "$MODE: --unshare-all: a new pid namespace"
	is "$(val ifaces)" "lo:up" "$MODE: --unshare-all: only lo"
	for ns in user ipc net uts cgroup mnt; do
		[ -e "/proc/self/ns/$ns" ] || continue
		isnt "$(val "ns:$ns")" "$(host_ns "$ns")" "$MODE: --unshare-all: a new $ns namespace"
	done
	run_as "$MODE" "$H" --unshare-all --share-net --ro-bind / / "$P" ns=net
	is "$(val ns:net)" "$(host_ns net)" "$MODE: --unshare-all --share-net keeps the host network"
}

for_each_mode case_userns_maps
for_each_mode case_userns_uid_gid
for_each_mode case_userns_implied
for_each_mode case_pidns
for_each_mode case_netns
for_each_mode case_utsns
for_each_mode case_ipcns
for_each_mode case_cgroupns
for_each_mode case_unshare_all
done_testing
