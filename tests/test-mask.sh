#!/bin/bash
# Masked paths: the hutch face's --proc hides the OCI runtime spec's default maskedPaths (as
# runc and crun do: an empty read-only file or tmpfs over each one the kernel has) and makes
# its readonlyPaths read-only; --mask PATH hides more, in both faces; the bwrap face's /proc
# is bubblewrap's, without a mask. Asserted on what the kernel says inside (tests/probe), as
# root and as a user, in each way hutch builds a root: detached (6.15+), attached (older
# kernels) and the fallback without the new mount API (the test build's HUTCH_TEST_FALLBACK).
USE_TESTBUILD=1
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

MASKED=(asound acpi interrupts kcore keys latency_stats timer_list timer_stats sched_debug scsi)
READONLY=(bus fs irq sys sysrq-trigger)
# The masked names this kernel has, by kind. The host's /proc is read through a new proc
# instance, in case this test itself runs below a /proc with masks (a container's).
PROCVIEW=$T/procview
mkdir -m 0755 "$PROCVIEW"
FILES=() DIRS=()
if unshare --mount --pid --fork sh -c 'mount -t proc proc "$1" && for n in "$@"; do
	[ "$n" = "$1" ] && continue
	if [ -d "$1/$n" ]; then echo "d $n"; elif [ -e "$1/$n" ]; then echo "f $n"; fi
	done' - "$PROCVIEW" "${MASKED[@]}" >"$T/kinds" 2>/dev/null; then
	while read -r k n; do
		if [ "$k" = d ]; then DIRS+=("$n"); else FILES+=("$n"); fi
	done <"$T/kinds"
else
	for n in "${MASKED[@]}"; do
		if [ -d "/proc/$n" ]; then DIRS+=("$n"); elif [ -e "/proc/$n" ]; then FILES+=("$n"); fi
	done
fi
diag "this kernel's masked files: ${FILES[*]:-none}; directories: ${DIRS[*]:-none}"

# ro,nosuid,nodev,noexec all in the per-mount options OPTS.
all_flags() {
	has_flag "$1" ro && has_flag "$1" nosuid && has_flag "$1" nodev && has_flag "$1" noexec
}
# A write refused by the kernel: EROFS (the mount), or EACCES (the mode, checked first for a
# user that is not the owner).
refused() { [[ $1 == EROFS || $1 == EACCES ]]; }

# proc_queries: the probe's queries on every masked and read-only name, present or not.
proc_queries() {
	local n
	Q=()
	for n in "${FILES[@]}"; do
		Q+=(mountflags=/proc/$n head=/proc/$n writebyte=/proc/$n stat=/proc/$n)
	done
	for n in "${DIRS[@]}"; do
		Q+=(mountflags=/proc/$n ls=/proc/$n touch=/proc/$n/x mkdir=/proc/$n/y stat=/proc/$n)
	done
	for n in "${READONLY[@]}"; do
		Q+=(mountflags=/proc/$n)
	done
}

# check_masked WHAT: the masks in $OUT, each name this kernel has.
check_masked() {
	local what=$1 n
	for n in "${FILES[@]}"; do
		is "$(val mountpoint:/proc/$n)" "/proc/$n" "$what: /proc/$n is a mount of its own"
		ok "$what: /proc/$n: ro,nosuid,nodev,noexec ($(val mountflags:/proc/$n))" \
			all_flags "$(val mountflags:/proc/$n)"
		is "$(val head:/proc/$n)" "" "$what: /proc/$n reads as empty"
		like "$(val stat:/proc/$n)" '^file ' "$what: /proc/$n is a file still"
		ok "$what: writing /proc/$n fails ($(val writebyte:/proc/$n))" \
			refused "$(val writebyte:/proc/$n)"
	done
	for n in "${DIRS[@]}"; do
		is "$(val mountpoint:/proc/$n)" "/proc/$n" "$what: /proc/$n is a mount of its own"
		is "$(val fstype:/proc/$n)" tmpfs "$what: /proc/$n is a tmpfs"
		ok "$what: /proc/$n: ro,nosuid,nodev,noexec ($(val mountflags:/proc/$n))" \
			all_flags "$(val mountflags:/proc/$n)"
		is "$(val ls:/proc/$n)" "" "$what: /proc/$n lists as empty"
		ok "$what: creating a file in /proc/$n fails ($(val touch:/proc/$n/x))" \
			refused "$(val touch:/proc/$n/x)"
		ok "$what: creating a directory in /proc/$n fails ($(val mkdir:/proc/$n/y))" \
			refused "$(val mkdir:/proc/$n/y)"
	done
}

case_proc_masks() {
	local fb=$1 what n
	proc_queries
	for pidns in --unshare-pid ""; do
		what="$MODE/${fb:-detached}: --proc${pidns:+ $pidns}"
		run_as "$MODE" env HUTCH_TEST_FALLBACK="$fb" "$H" "${MINROOT[@]}" $pidns \
			"$P" "${Q[@]}"
		is "$RC" 0 "$what: runs"
		[ "$RC" = 0 ] || diag "$ERR"
		check_masked "$what"
		for n in "${READONLY[@]}"; do
			[ "$(val mountflags:/proc/$n)" = ENOENT ] && continue
			ok "$what: /proc/$n read-only ($(val mountflags:/proc/$n))" \
				has_flag "$(val mountflags:/proc/$n)" ro
		done
	done
}

# A read-only root before --proc (--remount-ro /): the masks are made all the same.
case_ro_root() {
	local fb n=${FILES[0]:-}
	[ -n "$n" ] || { skip "$MODE: --remount-ro / before --proc: no masked file here"; return; }
	for fb in "" attached 1; do
		run_as "$MODE" env HUTCH_TEST_FALLBACK="$fb" "$H" "${MINROOT_NOPROC[@]}" --dir /proc \
			--remount-ro / --unshare-pid --proc /proc "$P" "head=/proc/$n" \
			"mountflags=/proc/$n" touch=/x
		is "$RC:$(val head:/proc/$n):$(val touch:/x)" 0::EROFS \
			"$MODE/${fb:-detached}: --remount-ro / before --proc: /proc/$n masked, / read-only"
		is "$(val mountpoint:/proc/$n)" "/proc/$n" \
			"$MODE/${fb:-detached}: --remount-ro / before --proc: /proc/$n is a mount"
	done
}

# The bwrap face: no mask, /proc/fs as it is; the mount points under /proc the same as the
# reference bubblewrap's (when installed) for the same command line.
REF=${BWRAP_REF:-/usr/bin/bwrap}
mkdir -m 0755 "$T/ref"
[ -x "$REF" ] && ln -s "$REF" "$T/ref/bwrap"
proc_mounts() { val mounts | tr ' ' '\n' | grep '^/proc/' | sort | paste -sd ' ' -; }

case_bwrap_face() {
	local n args=(--unshare-user --unshare-pid "${MINROOT[@]}")
	proc_queries
	run_as "$MODE" "$B" "${args[@]}" "$P" "${Q[@]}" mounts
	is "$RC" 0 "$MODE: bwrap face: --proc runs"
	for n in "${FILES[@]}" "${DIRS[@]}"; do
		is "$(val mountpoint:/proc/$n)" /proc "$MODE: bwrap face: /proc/$n is not masked"
	done
	if [[ " ${FILES[*]} " == *" interrupts "* ]]; then
		isnt "$(val head:/proc/interrupts)" "" "$MODE: bwrap face: /proc/interrupts is proc's"
	fi
	is "$(val mountpoint:/proc/fs)" /proc "$MODE: bwrap face: /proc/fs is not covered"
	local ours
	ours=$(proc_mounts)
	if [ ! -x "$REF" ]; then
		skip "$MODE: bwrap face: /proc's mounts as bubblewrap's (no reference bwrap at $REF)"
		return
	fi
	run_as "$MODE" "$T/ref/bwrap" "${args[@]}" "$P" mounts
	if [ "$RC" != 0 ]; then
		skip "$MODE: bwrap face: /proc's mounts as bubblewrap's (the reference fails: $ERR)"
		return
	fi
	is "$ours" "$(proc_mounts)" "$MODE: bwrap face: the mounts under /proc are bubblewrap's"
}

# --mask of a file and of a directory in a host tree bound in, in both faces; the host's
# files stay as they were.
DATA=$T/data
mkdir -m 0755 "$DATA" "$DATA/sub"
echo secret >"$DATA/secret"
echo inner >"$DATA/sub/inner"
chmod 0644 "$DATA/secret" "$DATA/sub/inner"

case_mask_option() {
	local face bin
	for face in hutch bwrap; do
		bin=$H
		[ $face = bwrap ] && bin=$B
		run_as "$MODE" "$bin" --unshare-user "${MINROOT[@]}" --bind "$DATA" /d \
			--mask /d/secret --mask /d/sub "$P" head=/d/secret writebyte=/d/secret \
			ls=/d/sub touch=/d/sub/x mountflags=/d/secret mountflags=/d/sub \
			head=/d/sub/inner
		is "$RC" 0 "$MODE: $face: --mask a file and a directory: runs"
		is "$(val head:/d/secret)" "" "$MODE: $face: --mask FILE: reads as empty"
		ok "$MODE: $face: --mask FILE: writing fails ($(val writebyte:/d/secret))" \
			refused "$(val writebyte:/d/secret)"
		ok "$MODE: $face: --mask FILE: ro,nosuid,nodev,noexec" \
			all_flags "$(val mountflags:/d/secret)"
		is "$(val ls:/d/sub)" "" "$MODE: $face: --mask DIR: lists as empty"
		is "$(val head:/d/sub/inner)" ENOENT "$MODE: $face: --mask DIR: what it held is gone"
		ok "$MODE: $face: --mask DIR: creating in it fails ($(val touch:/d/sub/x))" \
			refused "$(val touch:/d/sub/x)"
		ok "$MODE: $face: --mask DIR: ro,nosuid,nodev,noexec" \
			all_flags "$(val mountflags:/d/sub)"
	done
	# A path masked already (by --proc, here) stays masked.
	if [ ${#FILES[@]} -gt 0 ]; then
		run_as "$MODE" "$H" "${MINROOT[@]}" --mask "/proc/${FILES[0]}" "$P" \
			"head=/proc/${FILES[0]}" "mountflags=/proc/${FILES[0]}"
		is "$RC:$(val head:/proc/${FILES[0]})" 0: \
			"$MODE: --mask of a path --proc masked: runs, empty"
		ok "$MODE: --mask of a path --proc masked: ro,nosuid,nodev,noexec" \
			all_flags "$(val mountflags:/proc/${FILES[0]})"
	fi
	is "$(cat "$DATA/secret"):$(cat "$DATA/sub/inner"):$(ls -A "$DATA/sub" | paste -sd,)" \
		"secret:inner:inner" "$MODE: --mask: the host's files are unchanged"
}

# --mask of a missing path: the command does not run, and the message names the option, the
# path and the reason.
case_mask_missing() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --mask /no-such-f15 "$P" exit=0
	is "$RC" 125 "$MODE: --mask of a missing path: setup fails (125)"
	is "$ERR" "hutch: cannot mask '/no-such-f15' (--mask): No such file or directory" \
		"$MODE: --mask of a missing path: the message"
	run_as "$MODE" "$B" --unshare-user "${MINROOT[@]}" --mask /no-such-f15 "$P" exit=0
	is "$RC" 1 "$MODE: bwrap face: --mask of a missing path: setup fails (1)"
	like "$ERR" "^bwrap: Can't mask /no-such-f15: No such file or directory" \
		"$MODE: bwrap face: --mask of a missing path: the message"
}

# A link in a tree the sandbox can write (a previous run could have planted it) is followed
# inside the new root only: to what the sandbox sees at that path, never to the host's.
# HOSTSIDE holds a file the sandbox sees at the same path, but with other content.
case_mask_link() {
	local w hostside=$T/hostside-f15 inside=$T/inside-f15 fb
	w=$(scratch)
	mkdir -p -m 0755 "$hostside" "$inside"
	echo host >"$hostside/file"
	echo inside >"$inside/file"
	chmod 0644 "$hostside/file" "$inside/file"
	ln -sfn "$hostside/file" "$w/abs"
	ln -sfn "../../../../../../../../..$hostside/file" "$w/rel"
	ln -sfn "$hostside" "$w/dirlink"
	for fb in "" attached 1; do
		before=$(host_root_snapshot)
		run_as "$MODE" env HUTCH_TEST_FALLBACK="$fb" "$H" "${MINROOT[@]}" --bind "$w" /w \
			--ro-bind "$inside" "$hostside" --mask /w/abs --mask /w/rel \
			--mask /w/dirlink/file "$P" head=/w/abs "read=$hostside/file" \
			"mountflags=$hostside/file"
		is "$RC" 0 "$MODE/${fb:-detached}: --mask through links: runs"
		is "$(val head:/w/abs)" "" "$MODE/${fb:-detached}: --mask through a link: empty"
		is "$(val mountpoint:$hostside/file)" "$hostside/file" \
			"$MODE/${fb:-detached}: --mask through links: the sandbox's file is masked"
		is "$(cat "$hostside/file"):$(cat "$inside/file")" host:inside \
			"$MODE/${fb:-detached}: --mask through links: the host's files are unchanged"
		is "$(host_root_snapshot)" "$before" \
			"$MODE/${fb:-detached}: --mask through links: the host's mounts are unchanged"
		# Where the root has nothing at the link's target, nothing is masked: an error.
		run_as "$MODE" env HUTCH_TEST_FALLBACK="$fb" "$H" "${MINROOT[@]}" --bind "$w" /w \
			--mask /w/abs "$P" exit=0
		is "$RC" 125 "$MODE/${fb:-detached}: --mask through a link to the host only: fails"
		like "$ERR" "cannot mask '/w/abs' \(--mask\): No such file or directory" \
			"$MODE/${fb:-detached}: --mask through a link to the host only: the message"
	done
	rm -f "$w/abs" "$w/rel" "$w/dirlink"
}

# --dry-run names every mask.
case_dryrun() {
	run_as "$MODE" "$H" --dry-run --proc /proc --mask /etc/shadow true
	like "$OUT" "--mask: mask /etc/shadow: an empty file or directory over it" \
		"$MODE: --dry-run shows --mask"
	like "$OUT" "masked where the kernel has them .*/proc/kcore.*/proc/scsi" \
		"$MODE: --dry-run shows --proc's masks"
	like "$OUT" "read-only: /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger" \
		"$MODE: --dry-run shows --proc's read-only paths"
}

# A nested sandbox with a PID namespace of its own mounts a new proc, which the kernel allows
# only where a proc is fully visible: the hidden plain proc below the masked one. It is hidden
# (no path reaches it), and absent where the command is uid 0 on the host.
case_nested() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --unshare-pid --uid 1000 -- "$H" "${MINROOT[@]}" --unshare-pid \
		"$P" pid read=/proc/1/comm
	is "$RC:$(val pid):$(val read:/proc/1/comm)" '0:2:hutch\n' \
		"$MODE: a nested sandbox with a PID namespace of its own mounts its /proc"
	run_as "$MODE" "$H" "${MINROOT[@]}" --unshare-pid "$P" ls=/proc stat=/proc/.hutch-proc
	unlike "$(val ls:/proc)" "hutch-proc" "$MODE: ... the plain proc it needs is not in /proc"
	is "$(val stat:/proc/.hutch-proc)" ENOENT "$MODE: ... and no path reaches it"
	run_as "$MODE" "$H" "${MINROOT[@]}" --unshare-pid --unshare-user --disable-userns "$P" mounts
	unlike "$(val mounts)" "hutch-proc" "$MODE: with --disable-userns there is none"
	if [ "$MODE" = root ]; then
		run_as root "$H" "${MINROOT[@]}" --unshare-pid --host-uid 0 "$P" mounts
		unlike "$(val mounts)" "hutch-proc" "root: with --host-uid 0 there is none"
	fi
}

if [ ${#FILES[@]} -eq 0 ] && [ ${#DIRS[@]} -eq 0 ]; then
	skip "the masks of --proc: this kernel has none of ${MASKED[*]} in /proc"
else
	for fb in "" attached 1; do
		for_each_mode case_proc_masks "$fb"
	done
fi
for_each_mode case_ro_root
for_each_mode case_bwrap_face
for_each_mode case_mask_option
for_each_mode case_mask_missing
for_each_mode case_mask_link
for_each_mode case_dryrun
for_each_mode case_nested
done_testing
