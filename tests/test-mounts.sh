#!/bin/bash
# Every root-filesystem operation, checked through what the probe reads inside: file types,
# modes, contents, mount flags from /proc/self/mountinfo, errno of writes.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DATA=$T/data
printf 'line1\nline2\n' >"$DATA"
chmod 0644 "$DATA"
DATA_ESC='line1\nline2\n'

# A host directory with a mount under it, for the recursive binds: a tmpfs we mount when
# root, else /dev with its /dev/pts.
SUBSRC='' SUBREL='' SUBFS=''
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/subsrc/inner"
	chmod 0755 "$T/subsrc"
	if mount -t tmpfs -o size=1m,mode=1777 hutch-test-sub "$T/subsrc/inner"; then
		at_cleanup "umount -l '$T/subsrc/inner'"
		SUBSRC=$T/subsrc SUBREL=inner SUBFS=tmpfs
	fi
elif awk '$5 == "/dev/pts" { f = 1 } END { exit !f }' /proc/self/mountinfo; then
	SUBSRC=/dev SUBREL=pts SUBFS=devpts
fi

# Mount points with names that /proc/self/mountinfo escapes (\040 space, \011 tab, \012
# newline, \134 backslash), each a 1 MiB tmpfs in a host directory (when root).
ESC_NAMES=('a b' $'t\tb' $'n\nb' 'b\s')
ESCSRC=''
if [ "$(id -u)" = 0 ]; then
	mkdir -m 0755 "$T/escsrc"
	ESCSRC=$T/escsrc
	for _n in "${ESC_NAMES[@]}"; do
		mkdir -m 0755 "$T/escsrc/$_n"
		if mount -t tmpfs -o size=1m,mode=0777 hutch-test-esc "$T/escsrc/$_n"; then
			at_cleanup "umount -l $(printf %q "$T/escsrc/$_n")"
		else
			ESCSRC=''
		fi
	done
	unset _n
fi

# A host directory with a stack (when root): tmpfs A on stack/sub holding tmpfs C on
# stack/sub/inA, covered by tmpfs B on stack/sub holding tmpfs D on stack/sub/inB; sizes 1, 2,
# 3 and 4 MiB tell them apart. And lock/locked/m, where locked is root's 0700, for a tmpfs
# mounted in a private mount namespace only (case_unreachable_submount): in the shared one it
# would make every --ro-bind / / that other tests run on the fallback path fail.
STACKSRC='' LOCKSRC=''
if [ "$(id -u)" = 0 ]; then
	mkdir -p -m 0755 "$T/stack/sub" "$T/lock/locked"
	chmod 0700 "$T/lock/locked"
	mkdir "$T/lock/locked/m"
	LOCKSRC=$T/lock
	if mount -t tmpfs -o size=1m hutch-test-a "$T/stack/sub" &&
		at_cleanup "umount -l '$T/stack/sub'" && mkdir "$T/stack/sub/inA" &&
		mount -t tmpfs -o size=2m hutch-test-c "$T/stack/sub/inA" &&
		at_cleanup "umount -l '$T/stack/sub/inA'" &&
		mount -t tmpfs -o size=3m,mode=0755 hutch-test-b "$T/stack/sub" &&
		at_cleanup "umount -l '$T/stack/sub'" && mkdir "$T/stack/sub/inB" &&
		mount -t tmpfs -o size=4m,mode=0777 hutch-test-d "$T/stack/sub/inB" &&
		at_cleanup "umount -l '$T/stack/sub/inB'"; then
		STACKSRC=$T/stack
	fi
fi

case_bind() {
	local d
	d=$(scratch)
	echo hello >"$d/file"
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind "$d" /w "$P" read=/w/file touch=/w/new mountflags=/w
	is "$RC" 0 "$MODE: --bind runs"
	is "$(val read:/w/file)" 'hello\n' "$MODE: --bind: the source's file is readable"
	is "$(val touch:/w/new)" 0 "$MODE: --bind: the destination is writable"
	ok "$MODE: --bind: a file created inside appears in the host source" test -e "$d/new"
	unlike "$(val mountflags:/w)" '(^|,)ro(,|$)' "$MODE: --bind: the mount is not read-only"
	if [ -z "$SUBSRC" ]; then
		skip "$MODE: --bind is recursive (no host directory with a submount)"
		return
	fi
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind "$SUBSRC" /w "$P" mountflags="/w/$SUBREL"
	is "$(val "fstype:/w/$SUBREL")" "$SUBFS" "$MODE: --bind is recursive: the submount is visible"
	unlike "$(val "mountflags:/w/$SUBREL")" '(^|,)ro(,|$)' \
		"$MODE: --bind: the submount is not read-only"
}

# Binds in a row take shortcuts: the source of the last bind is reused when the next names the
# same one, and a directory bound into the same parent as the last bind is made and mounted by
# name below the cached parent. Each case is one the shortcut could get wrong.
case_bind_caches() {
	local w s
	w=$(owned_dir "$MODE")
	s=$(scratch)
	echo src >"$s/m"
	echo data >"$s/f"
	mkdir -m 0755 "$w/d2" "$w/ex"
	echo under >"$w/ex/u"
	ln -s d2 "$w/l"
	: >"$w/file"
	give_to "$MODE" "$w"
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind "$w" /x --ro-bind "$s" /x/a --bind "$s" /x/b \
		--dev-bind "$s" /x/c --ro-bind "$s" /x/l --ro-bind "$s" /x/ex --ro-bind /usr /x/b \
		--ro-bind "$s/f" /x/f1 --ro-bind "$s/f" /x/f2 \
		"$P" mountflags=/x/a mountflags=/x/c mountflags=/x/d2 lstat=/x/l stat=/x/d2/m \
		stat=/x/ex/m stat=/x/ex/u stat=/x/b/bin stat=/x/b/m read=/x/f2
	is "$RC" 0 "$MODE: binds in a row run"
	like "$(val mountflags:/x/a)" '^ro,' "$MODE: the same source thrice: the --ro-bind is read-only"
	like "$(val mountflags:/x/c)" '^rw,' "$MODE: the same source thrice: the --dev-bind is not"
	unlike "$(val mountflags:/x/c)" '(^|,)nodev(,|$)' \
		"$MODE: the same source thrice: the --dev-bind is not nodev"
	like "$(val lstat:/x/l)" '^link ' "$MODE: a bind by name onto a symlink: the link stays"
	is "$(val mountpoint:/x/d2)" /x/d2 "$MODE: a bind by name onto a symlink lands on its target"
	like "$(val stat:/x/d2/m)" '^file ' "$MODE: a bind by name onto a symlink: the source is there"
	like "$(val stat:/x/ex/m)" '^file ' "$MODE: a bind by name onto a directory covers it"
	is "$(val stat:/x/ex/u)" ENOENT "$MODE: a bind by name onto a directory hides what it held"
	like "$(val stat:/x/b/bin)" '^dir ' "$MODE: a second bind on the same name goes on top"
	is "$(val stat:/x/b/m)" ENOENT "$MODE: a second bind on the same name hides the first"
	is "$(val read:/x/f2)" 'data\n' "$MODE: the same file source twice: both bound"
	ok "$MODE: binds by name created nothing in the host but their mount points" \
		test ! -e "$w/a/m" -a -d "$w/a" -a -d "$w/c" -a ! -e "$w/d2/m"
	# The third bind of a source is a copy of the second's detached copy: the flags and the
	# submounts must be the same as for a bind from the host's tree.
	local sub=() subq=()
	if [ -n "$SUBSRC" ]; then
		sub=(--ro-bind "$SUBSRC" /x/s1 --ro-bind "$SUBSRC" /x/s2 --ro-bind "$SUBSRC" /x/s3)
		subq=(mountflags="/x/s3/$SUBREL")
	fi
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind "$w" /x --ro-bind "$s" /x/r1 --ro-bind "$s" /x/r2 \
		--ro-bind "$s" /x/r3 --bind "$s" /x/w1 --bind "$s" /x/w2 --bind "$s" /x/w3 "${sub[@]}" \
		"$P" mountflags=/x/r3 mountflags=/x/w3 touch=/x/w3/t "${subq[@]}"
	is "$RC" 0 "$MODE: the same source bound thrice twice runs"
	like "$(val mountflags:/x/r3)" '^ro,nosuid,nodev' \
		"$MODE: the third --ro-bind of a source: ro,nosuid,nodev"
	like "$(val mountflags:/x/w3)" '^rw,nosuid,nodev' \
		"$MODE: then the third --bind of it: rw,nosuid,nodev"
	is "$(val touch:/x/w3/t)" 0 "$MODE: the third --bind of a source is writable"
	if [ -n "$SUBSRC" ]; then
		is "$(val "fstype:/x/s3/$SUBREL")" "$SUBFS" \
			"$MODE: the third --ro-bind of a source has its submount"
		like "$(val "mountflags:/x/s3/$SUBREL")" '^ro,nosuid,nodev' \
			"$MODE: the third --ro-bind of a source: its submount is ro,nosuid,nodev"
	fi
	# No source is remembered as missing: one made by an operation since is found.
	rm -rf "${w:?}/later"
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind-try "$w/later" /y --bind "$w" /x --dir /x/later \
		--bind-try "$w/later" /z --bind-try "$w/later" /z2 "$P" stat=/y stat=/z stat=/z2
	is "$RC:$(val stat:/y)" 0:ENOENT "$MODE: --bind-try of a missing source: skipped"
	like "$(val stat:/z)" '^dir ' "$MODE: the same source made by --dir since: bound"
	like "$(val stat:/z2)" '^dir ' "$MODE: ... and again"
	# A name in the cached parent that is not a directory: the same error as without it.
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind "$w" /x --ro-bind "$s" /x/a --ro-bind "$s" /x/file \
		"$P" stat=/x/file
	like "$RC:$ERR" "^125:hutch: cannot create directory '/x/file' \(--ro-bind\): Not a directory" \
		"$MODE: a directory bound by name onto a file fails as without the shortcut"
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind "$w" /x --ro-bind "$s/f" /x/f1 --ro-bind "$s/f" /x/ex \
		"$P" stat=/x/ex
	like "$RC:$ERR" "^125:hutch: cannot create mount point '/x/ex' \(--ro-bind\): Is a directory" \
		"$MODE: a file bound onto a directory in the cached parent fails"
	# The parent made read-only between two binds into it: the next one cannot make its name.
	run_as "$MODE" "$H" "${MINROOT[@]}" --tmpfs /t --ro-bind "$s" /t/a --remount-ro /t \
		--ro-bind "$s" /t/b "$P" stat=/t/b
	like "$RC:$ERR" "^125:hutch: cannot create directory '/t/b' \(--ro-bind\): Read-only file system" \
		"$MODE: --remount-ro of the parent between two binds into it is seen"
	rm -rf "${w:?}"/* 2>/dev/null
}

case_ro_bind() {
	local d
	d=$(scratch)
	echo hello >"$d/file"
	run_as "$MODE" "$H" "${MINROOT[@]}" --ro-bind "$d" /w "$P" read=/w/file touch=/w/new mountflags=/w
	is "$RC" 0 "$MODE: --ro-bind runs"
	is "$(val read:/w/file)" 'hello\n' "$MODE: --ro-bind: the source's file is readable"
	like "$(val mountflags:/w)" '(^|,)ro(,|$)' "$MODE: --ro-bind: the mount is read-only"
	is "$(val touch:/w/new)" EROFS "$MODE: --ro-bind: creating a file fails with EROFS"
	ok "$MODE: --ro-bind: nothing appears in the host source" test ! -e "$d/new"
	if [ -z "$SUBSRC" ]; then
		skip "$MODE: --ro-bind is recursive (no host directory with a submount)"
		return
	fi
	run_as "$MODE" "$H" "${MINROOT[@]}" --ro-bind "$SUBSRC" /w "$P" mountflags="/w/$SUBREL"
	is "$(val "fstype:/w/$SUBREL")" "$SUBFS" "$MODE: --ro-bind is recursive: the submount is visible"
	like "$(val "mountflags:/w/$SUBREL")" '(^|,)ro(,|$)' \
		"$MODE: --ro-bind: the submount is read-only too"
}

# A recursive bind reaches the mounts below mount points whose names mountinfo escapes (the
# fallback finds them there): read-only for --ro-bind, nosuid and nodev for both. Symlinks
# made inside give the probe names without those characters; statfs tells the 1 MiB tmpfs
# from the directory it covers.
case_escaped_mount_points() {
	local op i name want args=() q=()
	if [ -z "$ESCSRC" ]; then
		skip "$MODE: submounts with escaped names (mounting them needs root)"
		return
	fi
	for i in "${!ESC_NAMES[@]}"; do
		args+=(--symlink "/w/${ESC_NAMES[$i]}" "/e$i")
		q+=("statfs=/e$i/" "vfsflags=/e$i/" "touch=/e$i/new.$MODE")
	done
	for op in ro-bind bind; do
		run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" "--$op" "$ESCSRC" /w "${args[@]}" \
			"$P" "${q[@]}"
		is "$RC" 0 "$MODE: --$op of a directory with escaped submount names runs"
		for i in "${!ESC_NAMES[@]}"; do
			name=$(printf %q "${ESC_NAMES[$i]}")
			is "$(val "statfs:/e$i/")" 1048576 "$MODE: --$op: the submount $name is there"
			if [ "$op" = ro-bind ]; then
				want=ro,nosuid,nodev
				is "$(val "touch:/e$i/new.$MODE")" EROFS \
					"$MODE: --$op: the submount $name refuses a new file"
			else
				want=nosuid,nodev
			fi
			is "$(val "vfsflags:/e$i/")" "$want" "$MODE: --$op: the submount $name is $want"
		done
	done
	rm -f "$ESCSRC"/*/new.*
}

# A covered mount (A, and C inside it) cannot be reached by anyone: the fallback leaves it and
# the launch goes on; what covers it (B, and D inside B) is what the sandbox sees, with the
# bind's flags. mount.c (mount_plan_attrs) has the proof.
case_stacked_submounts() {
	local op want
	if [ -z "$STACKSRC" ]; then
		skip "$MODE: stacked submounts (mounting them needs root)"
		return
	fi
	for op in ro-bind bind; do
		run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" "--$op" "$STACKSRC" /w "$P" \
			statfs=/w/sub statfs=/w/sub/inB stat=/w/sub/inA vfsflags=/w/sub \
			vfsflags=/w/sub/inB
		is "$RC" 0 "$MODE: --$op of a directory with a stack of mounts runs"
		is "$(val statfs:/w/sub):$(val statfs:/w/sub/inB)" 3145728:4194304 \
			"$MODE: --$op: the top of the stack and the mount inside it are seen"
		is "$(val stat:/w/sub/inA)" ENOENT "$MODE: --$op: the covered mount is not"
		want=nosuid,nodev
		[ "$op" = ro-bind ] && want=ro,nosuid,nodev
		is "$(val vfsflags:/w/sub)" "$want" "$MODE: --$op: the top of the stack is $want"
		is "$(val vfsflags:/w/sub/inB)" "$want" "$MODE: --$op: the mount inside it is $want"
	done
}

# A submount below a directory the caller cannot search: the new API sets its flags without a
# path; the fallback needs a path, and a mount it cannot change fails the launch. The tmpfs
# lives in a private mount namespace, where hutch then runs as MODE.
case_unreachable_submount() {
	local as=()
	if [ -z "$LOCKSRC" ]; then
		skip "$MODE: a submount below root's 0700 directory (mounting it needs root)"
		return
	fi
	local root_ids=()
	[ "$MODE" = user ] &&
		as=(setpriv --reuid="$USER_UID" --regid="$USER_GID" --clear-groups --inh-caps=-all)
	# Root's view of the host needs root's ids on it: not nobody's, the hutch face's default.
	[ "$MODE" = root ] && root_ids=(--host-uid 0)
	# shellcheck disable=SC2016 # for sh -c
	run_as root unshare -m --propagation private sh -c \
		'mount -t tmpfs -o size=1m hutch-test-locked "$1" || exit 99; shift; exec "$@"' sh \
		"$LOCKSRC/locked/m" "${as[@]}" "$H" "${root_ids[@]}" "${MINROOT_NOPROC[@]}" \
		--ro-bind "$LOCKSRC" /w \
		"$P" vfsflags=/w/locked/m
	if [ "$MODE" = user ] && [ "${HUTCH_TEST_FALLBACK:-}" = 1 ]; then
		is "$RC" 125 "$MODE: fallback: a submount hutch cannot reach fails the launch"
		like "$ERR" "^hutch: cannot make the mount at 'locked/m' below the bind read-only, nosuid, nodev: Permission denied" \
			"$MODE: fallback: ... naming it"
	elif [ "$MODE" = user ]; then
		is "$RC" 0 "$MODE: a submount the caller cannot reach: the sandbox runs"
		is "$(val vfsflags:/w/locked/m)" EACCES "$MODE: ... and cannot reach it either"
	else
		is "$RC" 0 "$MODE: a submount below a 0700 directory: the sandbox runs"
		is "$(val vfsflags:/w/locked/m)" ro,nosuid,nodev "$MODE: ... and it is read-only"
	fi
}

case_dev_bind() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --dev-bind /dev /d --bind /dev /b \
		"$P" writebyte=/d/null writebyte=/b/null mountflags=/d mountflags=/b
	is "$RC" 0 "$MODE: --dev-bind runs"
	is "$(val writebyte:/d/null)" 0 "$MODE: --dev-bind: devices work"
	unlike "$(val mountflags:/d)" '(^|,)nodev(,|$)' "$MODE: --dev-bind: the mount is not nodev"
	is "$(val writebyte:/b/null)" EACCES "$MODE: --bind of /dev: devices do not work"
	like "$(val mountflags:/b)" '(^|,)nodev(,|$)' "$MODE: --bind of /dev: the mount is nodev"
}

case_try() {
	local op d
	d=$(scratch)
	echo hello >"$d/file"
	for op in bind ro-bind dev-bind; do
		run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" "--$op-try" "$T/missing" /x/w "$P" stat=/x/w
		is "$RC:$(val stat:/x/w)" 0:ENOENT "$MODE: --$op-try with a missing source is skipped"
		run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" "--$op-try" "$d" /x/w "$P" read=/x/w/file
		is "$RC:$(val read:/x/w/file)" '0:hello\n' "$MODE: --$op-try with an existing source binds it"
		run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" "--$op" "$T/missing" /x/w "$P" stat=/x/w
		isnt "$RC" 0 "$MODE: --$op with a missing source fails"
		is "$OUT" "" "$MODE: --$op with a missing source does not run the command"
	done
}

case_remount_ro() {
	local d
	d=$(scratch)
	run_as "$MODE" "$H" "${MINROOT[@]}" --tmpfs /x --remount-ro /x --bind "$d" /w --remount-ro /w \
		--tmpfs /y "$P" mountflags=/x touch=/x/f mountflags=/w touch=/w/f touch=/y/f
	is "$RC" 0 "$MODE: --remount-ro runs"
	like "$(val mountflags:/x)" '(^|,)ro(,|$)' "$MODE: --remount-ro of a tmpfs: read-only"
	is "$(val touch:/x/f)" EROFS "$MODE: --remount-ro of a tmpfs: creating fails with EROFS"
	like "$(val mountflags:/w)" '(^|,)ro(,|$)' "$MODE: --remount-ro of a --bind: read-only"
	is "$(val touch:/w/f)" EROFS "$MODE: --remount-ro of a --bind: creating fails with EROFS"
	is "$(val touch:/y/f)" 0 "$MODE: a tmpfs not remounted stays writable"
	ok "$MODE: --remount-ro leaves the host source writable" touch "$d/host-still-rw"
}

# --remount-ro DEST resolves DEST again, as bubblewrap does, even right after a --bind of the
# same DEST: the bind may have changed the way there. Here /l is a link to y/z/.., so the bind
# lands on /y; afterwards /l goes through the bound source's z, a link to ../other/sub, and
# leads to /other, which is what --remount-ro makes read-only (bubblewrap 0.11.1 does the
# same), and /y stays writable. Where the source has no z, /l leads nowhere: an error.
case_remount_ro_rerouted() {
	local s
	s=$(scratch)
	ln -s ../other/sub "$s/z"
	run_as "$MODE" "$H" "${MINROOT[@]}" --tmpfs /other --dir /other/sub --dir /y/z \
		--symlink y/z/.. /l --bind "$s" /l --remount-ro /l \
		"$P" mountflags=/other touch=/other/f mountflags=/y touch=/y/f
	is "$RC" 0 "$MODE: --remount-ro of a path the bind before it rerouted runs"
	like "$(val mountflags:/other)" '(^|,)ro(,|$)' \
		"$MODE: ... and makes read-only what the path leads to now"
	is "$(val touch:/other/f)" EROFS "$MODE: ... where creating fails with EROFS"
	is "$(val touch:/y/f)" 0 "$MODE: ... and leaves the bind it no longer leads to writable"
	rm "$s/z"
	run_as "$MODE" "$H" "${MINROOT[@]}" --tmpfs /other --dir /y/z --symlink y/z/.. /l \
		--bind "$s" /l --remount-ro /l "$P" mountflags=/y
	isnt "$RC" 0 "$MODE: --remount-ro of a path that no longer resolves fails"
	is "$OUT" "" "$MODE: ... and the command does not run"
}

# The parent directory of the last destination is kept (rootfs-paths.c) only when its path is
# a straight descent of plain names. Here /l is a link to d/n/q/z/w/k/../.., that is /d/n/q/z,
# until the bind lands on its w; afterwards /l goes through the bound source's k, a link out
# to e/x/y, and leads to /e: the --dir after the bind is made there, where its path leads at
# its turn, not in the directory /l was before (a kept parent made it there).
case_parent_rerouted() {
	local s
	s=$(scratch)
	ln -s ../../../../../e/x/y "$s/k"
	run_as "$MODE" "$H" "${MINROOT[@]}" --dir /d/n/q/z/w/k --dir /e/x/y \
		--symlink d/n/q/z/w/k/../.. /l --dir /l/a --bind "$s" /l/w --dir /l/b \
		"$P" ls=/e ls=/d/n/q/z
	is "$RC" 0 "$MODE: a destination whose parent a bind rerouted: runs"
	is "$(val ls:/e)" b,x "$MODE: ... the --dir after the bind is where its path leads now"
	is "$(val ls:/d/n/q/z)" a,w "$MODE: ... not where the path led before the bind"
}

# A parent reached through a link or ".." is not kept, but the parent kept before it must go
# too: the operation there can mount on a name of the kept path (here /l/a and /n/../a are /a,
# the kept parent of /a/x). Kept, the --tmpfs after the bind lands in the /a the bind covered: the
# bound source's y, which it was to hide, stays visible.
case_parent_covered() {
	local s
	s=$(scratch)
	mkdir "$s/y"
	touch "$s/y/secret"
	for l in /l/a /n/../a; do
		run_as "$MODE" "$H" "${MINROOT[@]}" --dir /a --dir /n --symlink . /l --dir /a/x \
			--bind "$s" "$l" --tmpfs /a/y "$P" ls=/a/y ls=/a
		is "$RC" 0 "$MODE: --bind at $l, its parent not kept, after /a was: runs"
		is "$(val ls:/a/y)" "" "$MODE: ... the --tmpfs after it hides the bound source's y"
		is "$(val ls:/a)" y "$MODE: ... and /a is the bound source"
	done
}

case_tmpfs() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --tmpfs /x --perms 0700 --tmpfs /p --perms 01777 \
		--tmpfs /s --size 1048576 --tmpfs /z \
		"$P" mountflags=/x stat=/x touch=/x/f stat=/p stat=/s statfs=/z
	is "$RC" 0 "$MODE: --tmpfs runs"
	is "$(val fstype:/x)" tmpfs "$MODE: --tmpfs mounts a tmpfs"
	is "$(val mountpoint:/x)" /x "$MODE: --tmpfs mounts on the destination"
	like "$(val stat:/x)" '^dir 0755 ' "$MODE: --tmpfs: mode 0755 by default"
	is "$(val touch:/x/f)" 0 "$MODE: --tmpfs: writable"
	like "$(val stat:/p)" '^dir 0700 ' "$MODE: --perms 0700 --tmpfs: mode 0700"
	like "$(val stat:/s)" '^dir 1777 ' "$MODE: --perms 01777 --tmpfs: mode 1777"
	is "$(val statfs:/z)" 1048576 "$MODE: --size 1048576 --tmpfs: a 1 MiB filesystem"
}

case_proc() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --unshare-pid --proc /proc \
		"$P" readlink=/proc/self mountflags=/proc
	is "$RC" 0 "$MODE: --proc runs"
	is "$(val fstype:/proc)" proc "$MODE: --proc mounts a procfs"
	is "$(val readlink:/proc/self)" 2 "$MODE: --proc with --unshare-pid shows the namespace's pids"
	run_as "$MODE" "$H" "${MINROOT[@]}" "$P" readlink=/proc/self pid
	is "$(val readlink:/proc/self)" "$(val pid)" \
		"$MODE: --proc without --unshare-pid: /proc/self is our pid"
	unlike "$(val pid)" '^[12]$' "$MODE: --proc without --unshare-pid: the host's pid view"
}

case_dev() {
	local node exp
	run_as "$MODE" "$H" "${MINROOT[@]}" --dev /dev "$P" \
		stat=/dev/null stat=/dev/zero stat=/dev/full stat=/dev/random stat=/dev/urandom \
		stat=/dev/tty writebyte=/dev/null head=/dev/zero writebyte=/dev/full \
		head=/dev/urandom head=/dev/random mountflags=/dev mountflags=/dev/null \
		mountflags=/dev/pts readlink=/dev/ptmx open=/dev/ptmx stat=/dev/shm \
		readlink=/dev/stdin readlink=/dev/stdout readlink=/dev/stderr \
		readlink=/dev/fd readlink=/dev/core ls=/dev
	is "$RC" 0 "$MODE: --dev runs"
	for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
		exp=${node#*:}
		node=${node%%:*}
		like "$(val "stat:/dev/$node")" "^chr 0[0-7]{3} .* $exp\$" \
			"$MODE: --dev: /dev/$node is the char device $exp"
	done
	is "$(val writebyte:/dev/null)" 0 "$MODE: --dev: /dev/null takes writes"
	is "$(val head:/dev/zero)" 0000000000000000 "$MODE: --dev: /dev/zero reads zeros"
	is "$(val writebyte:/dev/full)" ENOSPC "$MODE: --dev: /dev/full is full"
	like "$(val head:/dev/urandom)" '^[0-9a-f]{16}$' "$MODE: --dev: /dev/urandom reads"
	like "$(val head:/dev/random)" '^[0-9a-f]{16}$' "$MODE: --dev: /dev/random reads"
	is "$(val fstype:/dev)" tmpfs "$MODE: --dev: /dev is a tmpfs"
	like "$(val mountflags:/dev)" '(^|,)nosuid(,|$)' "$MODE: --dev: the /dev tmpfs is nosuid"
	like "$(val mountflags:/dev)" '(^|,)nodev(,|$)' "$MODE: --dev: the /dev tmpfs is nodev"
	unlike "$(val mountflags:/dev/null)" '(^|,)nodev(,|$)' \
		"$MODE: --dev: the device nodes are not nodev"
	is "$(val fstype:/dev/pts)" devpts "$MODE: --dev: /dev/pts is a devpts"
	is "$(val readlink:/dev/ptmx)" pts/ptmx "$MODE: --dev: /dev/ptmx -> pts/ptmx"
	is "$(val open:/dev/ptmx)" 0 "$MODE: --dev: /dev/ptmx opens (a private devpts instance)"
	like "$(val stat:/dev/shm)" '^dir ' "$MODE: --dev: /dev/shm is a directory"
	is "$(val readlink:/dev/stdin)" /proc/self/fd/0 "$MODE: --dev: /dev/stdin -> /proc/self/fd/0"
	is "$(val readlink:/dev/stdout)" /proc/self/fd/1 "$MODE: --dev: /dev/stdout -> /proc/self/fd/1"
	is "$(val readlink:/dev/stderr)" /proc/self/fd/2 "$MODE: --dev: /dev/stderr -> /proc/self/fd/2"
	is "$(val readlink:/dev/fd)" /proc/self/fd "$MODE: --dev: /dev/fd -> /proc/self/fd"
	is "$(val readlink:/dev/core)" /proc/kcore "$MODE: --dev: /dev/core -> /proc/kcore"
	unlike "$(val ls:/dev)" '(^|,)(sda|vda|nvme0|mem|kmsg|port)(,|$)' \
		"$MODE: --dev: no host devices beyond the standard set"
}

case_mqueue() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --unshare-ipc --mqueue /mq "$P" mountflags=/mq stat=/mq
	is "$RC" 0 "$MODE: --mqueue runs"
	is "$(val fstype:/mq)" mqueue "$MODE: --mqueue mounts an mqueue filesystem"
	is "$(val mountpoint:/mq)" /mq "$MODE: --mqueue mounts on the destination"
}

case_dir() {
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --dir /x/a/b/c --perms 0700 --dir /x/p \
		--perms 0777 --dir /x/q --perms 01770 --dir /x/s \
		"$P" stat=/x stat=/x/a stat=/x/a/b stat=/x/a/b/c stat=/x/p stat=/x/q stat=/x/s
	is "$RC" 0 "$MODE: --dir runs"
	like "$(val stat:/x/a/b/c)" '^dir 0755 ' "$MODE: --dir: a directory, mode 0755"
	like "$(val stat:/x)" '^dir 0755 ' "$MODE: --dir: missing parent /x created 0755"
	like "$(val stat:/x/a)" '^dir 0755 ' "$MODE: --dir: missing parent /x/a created 0755"
	like "$(val stat:/x/a/b)" '^dir 0755 ' "$MODE: --dir: missing parent /x/a/b created 0755"
	like "$(val stat:/x/p)" '^dir 0700 ' "$MODE: --perms 0700 --dir: mode 0700"
	like "$(val stat:/x/q)" '^dir 0777 ' "$MODE: --perms 0777 --dir: mode 0777 (no umask)"
	like "$(val stat:/x/s)" '^dir 1770 ' "$MODE: --perms 01770 --dir: mode 1770"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --dir /x --dir /x "$P" stat=/x
	like "$RC:$(val stat:/x)" '^0:dir ' "$MODE: --dir of an existing directory succeeds"
}

case_symlink() {
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --symlink target /x/l --symlink ../abs/t /x/m \
		"$P" readlink=/x/l readlink=/x/m
	is "$RC" 0 "$MODE: --symlink runs"
	is "$(val readlink:/x/l)" target "$MODE: --symlink: the link has the given target"
	is "$(val readlink:/x/m)" ../abs/t "$MODE: --symlink: the target is stored as given"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --symlink target /x/l --symlink target /x/l \
		"$P" readlink=/x/l
	is "$RC:$(val readlink:/x/l)" 0:target "$MODE: --symlink over an identical link succeeds"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --symlink a /x/l --symlink b /x/l "$P" readlink=/x/l
	isnt "$RC" 0 "$MODE: --symlink over a link with another target fails"
	is "$OUT" "" "$MODE: --symlink over a differing link does not run the command"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --dir /x/d --symlink a /x/d "$P" readlink=/x/d
	isnt "$RC" 0 "$MODE: --symlink over a directory fails"
}

case_chmod() {
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --dir /x/d --chmod 0700 /x/d --file 3 /x/f \
		--chmod 0604 /x/f --tmpfs /t --chmod 01777 /t "$P" stat=/x/d stat=/x/f stat=/t 3<"$DATA"
	is "$RC" 0 "$MODE: --chmod runs"
	like "$(val stat:/x/d)" '^dir 0700 ' "$MODE: --chmod 0700 on a directory"
	like "$(val stat:/x/f)" '^file 0604 ' "$MODE: --chmod 0604 on a file"
	like "$(val stat:/t)" '^dir 1777 ' "$MODE: --chmod 01777 on a tmpfs"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --chmod 0700 /nonexistent "$P" stat=/
	isnt "$RC" 0 "$MODE: --chmod of a missing path fails"
	# A link at the name (in the directory the last operation used): its target changes.
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --dir /x/t --symlink t /x/l --chmod 0711 /x/l \
		"$P" stat=/x/t readlink=/x/l
	is "$RC:$(val readlink:/x/l)" 0:t "$MODE: --chmod through a link at the name runs"
	like "$(val stat:/x/t)" '^dir 0711 ' "$MODE: ... and changes the link's target"
	# A slash after a file's name asks for a directory.
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --file 3 /x/f --chmod 0600 /x/f/ "$P" stat=/x/f \
		3<"$DATA"
	isnt "$RC" 0 "$MODE: --chmod of a file named with a slash after it fails"
}

case_file() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --file 3 /x/f --perms 0640 --file 4 /x/g --file 0 /x/h \
		"$P" read=/x/f stat=/x/f read=/x/g stat=/x/g read=/x/h mountflags=/x/f \
		3<"$DATA" 4<"$DATA" 0<"$DATA"
	is "$RC" 0 "$MODE: --file runs"
	is "$(val read:/x/f)" "$DATA_ESC" "$MODE: --file: the content of the fd"
	like "$(val stat:/x/f)" "^file $(printf '%04o' $((0666 & ~0$(umask)))) " \
		"$MODE: --file: mode 0666 less the caller's umask by default (hutch face)"
	is "$(val read:/x/g)" "$DATA_ESC" "$MODE: --perms 0640 --file: the content of the fd"
	like "$(val stat:/x/g)" '^file 0640 ' "$MODE: --perms 0640 --file: mode 0640"
	is "$(val read:/x/h)" "$DATA_ESC" "$MODE: --file 0: the content of stdin"
	isnt "$(val mountpoint:/x/f)" /x/f "$MODE: --file makes a plain file, not a mount"
}

case_bind_data() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --bind-data 3 /x/bd --ro-bind-data 4 /x/rbd \
		--perms 0644 --ro-bind-data 5 /x/rbp \
		"$P" read=/x/bd stat=/x/bd mountflags=/x/bd writebyte=/x/bd \
		read=/x/rbd stat=/x/rbd mountflags=/x/rbd writebyte=/x/rbd stat=/x/rbp \
		3<"$DATA" 4<"$DATA" 5<"$DATA"
	is "$RC" 0 "$MODE: --bind-data and --ro-bind-data run"
	is "$(val read:/x/bd)" "$DATA_ESC" "$MODE: --bind-data: the content of the fd"
	like "$(val stat:/x/bd)" '^file 0600 ' "$MODE: --bind-data: mode 0600 by default"
	is "$(val mountpoint:/x/bd)" /x/bd "$MODE: --bind-data: a mount on the destination"
	unlike "$(val mountflags:/x/bd)" '(^|,)ro(,|$)' "$MODE: --bind-data: not read-only"
	like "$(val mountflags:/x/bd)" '(^|,)nosuid,nodev(,|$)' "$MODE: --bind-data: nosuid,nodev"
	is "$(val writebyte:/x/bd)" 0 "$MODE: --bind-data: writable"
	is "$(val read:/x/rbd)" "$DATA_ESC" "$MODE: --ro-bind-data: the content of the fd"
	like "$(val mountflags:/x/rbd)" '(^|,)ro(,|$)' "$MODE: --ro-bind-data: read-only mount"
	like "$(val mountflags:/x/rbd)" '(^|,)nosuid,nodev(,|$)' "$MODE: --ro-bind-data: nosuid,nodev"
	is "$(val writebyte:/x/rbd)" EROFS "$MODE: --ro-bind-data: writing fails with EROFS"
	like "$(val stat:/x/rbp)" '^file 0644 ' "$MODE: --perms 0644 --ro-bind-data: mode 0644"
}

case_relative() {
	run_as "$MODE" "$H" "${MINROOT[@]}" --tmpfs x --dir x/rel --file 3 x/f --symlink tgt x/l \
		--chmod 0700 x/rel "$P" mountflags=/x stat=/x/rel read=/x/f readlink=/x/l 3<"$DATA"
	is "$RC" 0 "$MODE: relative destinations run"
	is "$(val mountpoint:/x)" /x "$MODE: --tmpfs x mounts on /x"
	like "$(val stat:/x/rel)" '^dir 0700 ' "$MODE: --dir x/rel and --chmod x/rel act on /x/rel"
	is "$(val read:/x/f)" "$DATA_ESC" "$MODE: --file 3 x/f writes /x/f"
	is "$(val readlink:/x/l)" tgt "$MODE: --symlink tgt x/l makes /x/l"
	ok "$MODE: relative destinations are not relative to the host's cwd" test ! -e "$T/x"
}

case_dest_through_symlink() {
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --dir /d2 --symlink d2 /l --dir /l/sub \
		--tmpfs /l/tm --file 3 /l/f "$P" stat=/d2/sub stat=/d2/tm read=/d2/f 3<"$DATA"
	is "$RC" 0 "$MODE: destinations through a relative symlink made inside run"
	like "$(val stat:/d2/sub)" '^dir ' "$MODE: --dir through a symlink made inside lands there"
	like "$(val stat:/d2/tm)" '^dir ' "$MODE: --tmpfs through a symlink made inside lands there"
	is "$(val read:/d2/f)" "$DATA_ESC" "$MODE: --file through a symlink made inside lands there"
}

case_nosuid_nodev() {
	local d m flags
	d=$(scratch)
	set -- / /usr "$T/bin" /proc /t /b /rb /bd /rbd /dev /mq
	local extra=()
	if [ -n "$SUBSRC" ]; then
		extra=(--bind "$SUBSRC" /sb)
		set -- "$@" "/sb/$SUBREL"
	fi
	local q=()
	for m in "$@"; do q+=("mountflags=$m"); done
	run_as "$MODE" "$H" "${MINROOT[@]}" --tmpfs /t --bind "$d" /b --ro-bind "$d" /rb \
		--bind-data 3 /bd --ro-bind-data 4 /rbd --dev /dev --unshare-ipc --mqueue /mq \
		"${extra[@]}" "$P" "${q[@]}" 3<"$DATA" 4<"$DATA"
	is "$RC" 0 "$MODE: a run with one mount of each kind"
	for m in "$@"; do
		flags=$(val "mountflags:$m")
		ok "$MODE: the mount at $m is nosuid ($flags)" has_flag "$flags" nosuid
		ok "$MODE: the mount at $m is nodev ($flags)" has_flag "$flags" nodev
	done
}

case_nothing_of_host() {
	local tparent unexpected
	tparent=$(dirname "$T")
	run_as "$MODE" "$H" "${MINROOT[@]}" "$P" ls=/ mounts ls="$tparent" ls="$T"
	is "$RC" 0 "$MODE: a minimal root runs"
	is "$(val ls:/)" "$MINROOT_TOP" "$MODE: / holds only what the options created"
	is "$(val "ls:$tparent")" "$(basename "$T")" "$MODE: parents of a bind hold only the path to it"
	is "$(val "ls:$T")" bin "$MODE: the bound directory's parent holds nothing else"
	unlike "$(val mounts)" '(oldroot|newroot)' "$MODE: no oldroot or newroot in the mount table"
	like "$(val mounts)" "(^| )$T/bin( |\$)" "$MODE: the mount table inside lists the bind of $T/bin"
	unexpected=$(val mounts | tr ' ' '\n' | grep -Ev "^(/|/usr(/.*)?|/proc(/.*)?|$T/bin)\$")
	is "$(printf '%s\n' "$unexpected" | paste -sd' ' -)" "" \
		"$MODE: every mount inside is one the options asked for"
}

# Nothing may cover the sandbox's "/": the old root stacked on the new one by pivot_root must
# be gone, whatever became the root (hutch's tmpfs, a bind or a tmpfs on /, a root switched to
# the attached build by --remount-ro). "/.." climbs onto whatever covers "/".
case_root_uncovered() {
	local shape args d
	d=$(scratch)
	for shape in minimal bind-on-root tmpfs-on-root remount-ro ro-bind-host-root; do
		case $shape in
		minimal) args=("${MINROOT[@]}") ;;
		bind-on-root) args=(--bind "$d" / "${MINROOT[@]}") ;;
		tmpfs-on-root) args=(--tmpfs / "${MINROOT[@]}") ;;
		remount-ro) args=("${MINROOT[@]}" --tmpfs /x --remount-ro /x) ;;
		ro-bind-host-root) args=(--ro-bind / / --proc /proc) ;;
		esac
		run_as "$MODE" "$H" "${args[@]}" "$P" ident=/ ident=/.. ls=/ ls=/..
		is "$RC" 0 "$MODE: $shape: runs"
		like "$(val ident:/)" '^[0-9]+\.[0-9]+:[0-9]+:[0-9]+$' "$MODE: $shape: / can be examined"
		is "$(val ident:/..)" "$(val ident:/)" "$MODE: $shape: nothing covers / (/.. is /)"
		is "$(val ls:/..)" "$(val ls:/)" "$MODE: $shape: /.. lists what / lists"
	done
}

# A bind into the cached parent that falls back to the slow path (its name is a link the
# sandbox planted) may cover the cached directory itself; the next bind into that directory
# must still land where the path now leads, not on the covered directory. Here the hidden
# file must stay hidden.
case_stale_parent() {
	local w
	w=$(owned_dir "$MODE")
	mkdir -m 0755 "$w/a" "$w/sdir"
	echo SECRET >"$w/secret"
	echo SECRET >"$w/sdir/secret"
	ln -s . "$w/build" # planted by an earlier run of the sandbox
	give_to "$MODE" "$w"
	# control: the plain order hides the file
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w --ro-bind "$w/a" /w/a \
		--ro-bind /dev/null /w/secret "$P" read=/w/secret
	unlike "$RC:$(val read:/w/secret)" "SECRET" "$MODE: control: /w/secret is hidden"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w --ro-bind "$w/a" /w/a \
		--bind "$w/build" /w/build --ro-bind /dev/null /w/secret "$P" read=/w/secret
	unlike "$RC:$(val read:/w/secret)" "SECRET" \
		"$MODE: a bind through a planted link does not make the cached parent stale"
	# Every operation with a destination goes through the parent cache, not only binds:
	# --dir and --symlink fill it, a --tmpfs meant to hide a directory uses it.
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w --dir /w/a --symlink x /w/l \
		--bind "$w/build" /w/build --ro-bind /dev/null /w/secret "$P" read=/w/secret
	unlike "$RC:$(val read:/w/secret)" "SECRET" \
		"$MODE: ... nor a bind after --dir and --symlink in that directory"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w --ro-bind "$w/a" /w/a \
		--bind "$w/build" /w/build --tmpfs /w/sdir "$P" read=/w/sdir/secret
	is "$RC:$(val read:/w/sdir/secret)" "0:ENOENT" \
		"$MODE: ... nor a --tmpfs that hides a directory"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w --ro-bind "$w/a" /w/a \
		--tmpfs /w/build --ro-bind /dev/null /w/secret "$P" stat=/w/build stat=/w/secret
	is "$RC:$(val stat:/w/build)" "0:ENOENT" \
		"$MODE: a --tmpfs through a planted link covers the directory it leads to"
	like "$(val stat:/w/secret)" '^chr ' "$MODE: ... and the next bind into it lands on that tmpfs"
}
# The caller's own root may have a mount stacked on it (mount --rbind X / after its root was
# set): it follows the host root on top of the new root and must go with it.
# The kernel refuses such a caller a user namespace, which the hutch face always wants for
# root (uid 0 here, in the unshare's namespace): that face says why; the bwrap face runs it.
case_caller_stacked_root() {
	run_as "$MODE" unshare -Urm --propagation private sh -c 'mount --rbind / / && exec "$@"' sh \
		"$H" "${MINROOT[@]}" "$P" ident=/
	is "$RC" 125 "$MODE: hutch face, a caller with a mount stacked on its root: refused"
	like "$ERR" "hint: .*mount stacked on /" "$MODE: ... with the kernel's reason as a hint"
	run_as "$MODE" unshare -Urm --propagation private sh -c 'mount --rbind / / && exec "$@"' sh \
		"$B" "${MINROOT[@]}" "$P" ident=/ ident=/.. ls=/
	is "$RC" 0 "$MODE: a caller with a mount stacked on its root: the sandbox runs"
	is "$(val ident:/..)" "$(val ident:/)" "$MODE: ... and nothing covers its / (/.. is /)"
	is "$(val ls:/)" "$MINROOT_TOP" "$MODE: ... whose / holds only what the options created"
}

case_many_binds() {
	local i
	for i in $(seq 1 1000); do
		printf -- '--ro-bind\0%s\0/m/%s\0' "$T/bin" "$i"
	done >"$T/args.$MODE"
	run_as "$MODE" "$H" "${MINROOT[@]}" --args 3 "$P" stat=/m/1/probe stat=/m/1000/probe \
		mountflags=/m/1000 mounts 3<"$T/args.$MODE"
	is "$RC" 0 "$MODE: 1000 --ro-bind operations from --args run"
	like "$(val stat:/m/1/probe)" '^file ' "$MODE: the first of 1000 binds is there"
	like "$(val stat:/m/1000/probe)" '^file ' "$MODE: the last of 1000 binds is there"
	like "$(val mountflags:/m/1000)" '(^|,)ro(,|$)' "$MODE: the last of 1000 binds is read-only"
	is "$(val mounts | tr ' ' '\n' | grep -c '^/m/')" 1000 "$MODE: 1000 mounts under /m"
}

# Each bind holds its mount's fd only until the next operation (struct build's made): binds of
# directories in a row, more than the open-file limit, all run.
case_many_binds_few_fds() {
	local i
	for i in $(seq 1 300); do
		printf -- '--ro-bind\0%s\0/m/%s\0' "$T/bin" "$i"
	done >"$T/args.$MODE"
	run_as "$MODE" sh -c 'ulimit -n 128 && exec "$@"' sh "$H" "${MINROOT[@]}" --args 3 "$P" \
		stat=/m/300/probe 3<"$T/args.$MODE"
	is "$RC" 0 "$MODE: 300 --ro-bind of a directory in a row with 128 open files at most run"
	like "$(val stat:/m/300/probe)" '^file ' "$MODE: ... and the last is there"
}

for_each_mode case_bind
for_each_mode case_bind_caches
for_each_mode case_ro_bind
for_each_mode case_escaped_mount_points
for_each_mode case_stacked_submounts
for_each_mode case_unreachable_submount
for_each_mode case_dev_bind
for_each_mode case_try
for_each_mode case_remount_ro
for_each_mode case_remount_ro_rerouted
for_each_mode case_parent_rerouted
for_each_mode case_parent_covered
for_each_mode case_tmpfs
for_each_mode case_proc
for_each_mode case_dev
for_each_mode case_mqueue
for_each_mode case_dir
for_each_mode case_symlink
for_each_mode case_chmod
for_each_mode case_file
for_each_mode case_bind_data
for_each_mode case_relative
for_each_mode case_dest_through_symlink
for_each_mode case_nosuid_nodev
for_each_mode case_many_binds
for_each_mode case_many_binds_few_fds
for_each_mode case_root_uncovered
for_each_mode case_stale_parent
for_each_mode case_caller_stacked_root
for_each_mode case_nothing_of_host
done_testing
