# lib-cgroup.sh: the host's cgroup hierarchies, read here (not through the module under test),
# and their delegation to the unprivileged user as an administrator does it. Sourced after
# lib.sh by the tests that need a cgroup (test-cgroup.sh, test-limits.sh).
# shellcheck shell=bash disable=SC2034 # the variables set here are used by the sourcing scripts
#
# Provides, once sourced: CG_NAME (hutch-test-SUFFIX, the one name the test makes in each
# hierarchy), V2MNT (the cgroup2 mount, or empty), WHERE[CTL] ("v1:DIR" with DIR our own cgroup
# in CTL's v1 hierarchy, "v2", or "" when the kernel lacks CTL), have CTL, mount_of CTL,
# own_below MOUNT ROOT PATH, v1_dir CTL, in_kernel CTL.
# cgroup_delegate (as root): a directory CG_NAME in each v1 hierarchy of memory, pids, cpu,
# cpuacct, freezer and blkio, and one in the v2 tree (with memory, pids and cpu enabled when
# they live there), each owned by uid USER_UID with a leaf "shell" for the caller; sets
# DELEGATED (removed at cleanup, deepest first, after killing what runs there), PARENTS
# (--cgroup-parent arguments), LEAVES and V2D, and writes $T/bin/in-shell.
# in-shell UID CMD... (as root) moves itself into the leaves, then execs CMD as UID (0: as
# root); run_in MODE CMD... is run_as with it for the user.

CG_NAME=hutch-test-${T##*.}

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
for _ctl in memory pids cpu cpuacct freezer blkio io; do
	_d=$(v1_dir "$_ctl")
	if [ -n "$_d" ]; then
		WHERE[$_ctl]=v1:$_d
	elif [ -n "$V2MNT" ] && [[ " $V2CTLS " == *" $_ctl "* ]]; then
		WHERE[$_ctl]=v2
	else
		WHERE[$_ctl]=
	fi
done
unset _ctl _d
have() { [ -n "${WHERE[$1]}" ] && { [ "${WHERE[$1]}" = v2 ] || in_kernel "$1"; }; }

# --- delegation, as an administrator does it ---------------------------------------------------

DELEGATED=()	# the directories made here, removed by cleanup
PARENTS=()	# --cgroup-parent arguments naming each of them
LEAVES=()	# the caller's leaf in each
V2D=

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

cgroup_delegate() {
	local ctl w base d v2_needed=
	local -A seen
	at_cleanup cleanup_delegated
	for ctl in memory pids cpu; do
		[ "${WHERE[$ctl]}" = v2 ] && v2_needed+=" +$ctl"
	done
	for ctl in memory pids cpu cpuacct freezer blkio; do
		w=${WHERE[$ctl]}
		case $w in
		v1:*)
			base=${w#v1:}
			[ -n "${seen[$base]:-}" ] && continue
			seen[$base]=1
			mkdir "$base/$CG_NAME" "$base/$CG_NAME/shell" || bail_out "cannot make $base/$CG_NAME"
			DELEGATED+=("$base/$CG_NAME")
			chown -R "$USER_UID:$USER_GID" "$base/$CG_NAME" ||
				bail_out "cannot chown $base/$CG_NAME"
			PARENTS+=(--cgroup-parent "$base/$CG_NAME")
			LEAVES+=("$base/$CG_NAME/shell")
			;;
		esac
	done
	if [ -n "$V2MNT" ]; then
		# With a v2 controller to enable, below the v2 root (exempt from the no-internal-
		# process rule, where systemd enables them); else below our own v2 cgroup.
		if [ -n "$v2_needed" ]; then
			base=$V2MNT
		else
			base=$(own_below "$V2MNT" / "$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)")
		fi
		V2D=$base/$CG_NAME
		mkdir "$V2D" || bail_out "cannot make $V2D"
		DELEGATED+=("$V2D")
		if [ -n "$v2_needed" ]; then
			echo "$v2_needed" >"$V2D/cgroup.subtree_control" ||
				bail_out "cannot enable$v2_needed in $V2D"
		fi
		mkdir "$V2D/shell" || bail_out "cannot make $V2D/shell"
		for d in "$V2D" "$V2D/shell"; do
			chown "$USER_UID:$USER_GID" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" \
				"$d/cgroup.threads" || bail_out "cannot chown $d"
		done
		PARENTS+=(--cgroup-parent "$V2D")
		LEAVES+=("$V2D/shell")
	fi

	# in-shell UID CMD...: as root, move this process into the caller's leaves, then run CMD
	# as UID. cgroup v2 lets a process move only within a subtree whose cgroup.procs it may
	# write: the user's processes must be below the delegated directory (root moves them
	# there).
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
}

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

# own_parents: in MODE root, ROOT_PARENTS names a directory root owns (0755) below each
# delegated one (hutch cleans up stale cgroups only in a parent its user owns and no one else
# may write); for the user, PARENTS itself. remove_own_parents undoes it.
own_parents() {
	local d
	OWN_PARENTS=("${PARENTS[@]}")
	[ "$MODE" = root ] || return 0
	OWN_PARENTS=()
	for d in "${DELEGATED[@]}"; do
		mkdir -m 0755 "$d/root-own" || bail_out "cannot make $d/root-own"
		if [ "$d" = "$V2D" ]; then
			sed 's/\([a-z]\+\)/+\1/g' "$d/cgroup.subtree_control" \
				>"$d/root-own/cgroup.subtree_control" 2>/dev/null
		fi
		OWN_PARENTS+=(--cgroup-parent "$d/root-own")
	done
}
remove_own_parents() {
	local d
	[ "$MODE" = root ] || return 0
	for d in "${DELEGATED[@]}"; do
		rmdir "$d/root-own" 2>/dev/null
	done
}
