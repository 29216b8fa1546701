#!/bin/bash
# Symlink attacks on the setup: a directory the sandbox can write is bound at /w and holds a
# planted symlink /w/evil; each operation that creates, mounts or changes something is then
# aimed at /w/evil/... . Whatever hutch does with that (fail, or act inside the sandbox), the
# HOST must be unchanged: no new file, directory, mount or mode change in the host's temp
# dir, nothing new at the host's /, the host's mount table as it was.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DATA=$T/data
echo data >"$DATA"
chmod 0644 "$DATA"
BSRC=$T/bsrc
mkdir -m 0755 "$BSRC"
echo bind-source >"$BSRC/marker"
chmod 0644 "$BSRC/marker"

# link_target KIND VICTIM: where /w/evil points. Relative links climb from /w (inside) or
# from the bound host dir (outside); the scratch names are those a setup may use before it
# pivots (/oldroot: the host's root, /newroot: the new root) and the /proc links to roots.
link_target() {
	local up=../../../../../../../../../../../../../..
	case $1 in
	abs) echo "$2" ;;
	rel) echo ../victim ;;
	rel-deep) echo "$up$2" ;;
	oldroot) echo "/oldroot$2" ;;
	oldroot-rel) echo "$up/oldroot$2" ;;
	newroot) echo "/newroot$2" ;;
	proc-self-root) echo "/proc/self/root$2" ;;
	proc-self-cwd) echo "/proc/self/cwd$2" ;;
	proc-1-root) echo "/proc/1/root$2" ;;
	esac
}
LINK_KINDS="abs rel rel-deep oldroot oldroot-rel newroot proc-self-root proc-self-cwd proc-1-root"

# The operations, each aimed through /w/evil; fd 3 carries $DATA.
OPS="dir dir-parents file bind-data ro-bind-data symlink tmpfs bind dev chmod-file chmod-link
remount-ro bind-sibling ro-bind-data-sibling mask-file mask-dir"
op_args() {
	case $1 in
	dir) echo --dir /w/evil/newdir ;;
	dir-parents) echo --dir /w/evil/a/b/c ;;
	file) echo --file 3 /w/evil/newfile ;;
	bind-data) echo --bind-data 3 /w/evil/newbd ;;
	ro-bind-data) echo --ro-bind-data 3 /w/evil/newrbd ;;
	symlink) echo --symlink planted-by-op /w/evil/newlink ;;
	tmpfs) echo --tmpfs /w/evil/newtmpfs ;;
	bind) echo --bind "$BSRC" /w/evil/newbind ;;
	dev) echo --dev /w/evil/newdev ;;
	chmod-file) echo --chmod 0777 /w/evil/keep ;;
	chmod-link) echo --chmod 0777 /w/evil ;;
	remount-ro) echo --remount-ro /w/evil ;;
	mask-file) echo --mask /w/evil/keep ;;
	mask-dir) echo --mask /w/evil ;;
	# A bind into /w first, so the next one into the same directory takes hutch's cached
	# parent path, whose target is the planted link itself.
	bind-sibling) echo --bind "$BSRC" /w/first --bind "$BSRC" /w/evil ;;
	ro-bind-data-sibling) echo --ro-bind "$DATA" /w/firstfile --ro-bind-data 3 /w/evil ;;
	esac
}

# Everything of the host this test can see changing: the temp dir (minus run_as's capture
# files) and the host's / and mount table.
host_state() {
	find "$T" \( -path "$T/.out" -o -path "$T/.err" \) -prune -o \
		-printf '%p %m %s %y %l %U:%G\n' 2>&1 | sort
	host_root_snapshot
}

# inside_expect OP: for the binds by name into a cached parent, the probe query showing where
# the bind went when hutch succeeded (through the link, inside the sandbox), and an ERE (no
# blanks) its value must match; nothing for the other operations.
inside_expect() {
	case $1 in
	bind-sibling) echo "stat=/w/evil/marker file[[:space:]]" ;;
	ro-bind-data-sibling) echo "read=/w/evil data" ;;
	esac
}

escape_case() {
	local kind=$1 op=$2 base victim w target before after uid gid q re
	uid=$(mode_uid "$MODE")
	gid=$(mode_gid "$MODE")
	base=$(mktemp -d "$T/esc.XXXXXX")
	chmod 0755 "$base"
	victim=$base/victim
	w=$base/w
	# The victim and the bound dir belong to the caller, so an escape is not stopped by
	# plain permissions in user mode.
	mkdir -m 0755 "$victim" "$w" "$w/first"
	: >"$w/firstfile"
	echo keep >"$victim/keep"
	chmod 0640 "$victim/keep"
	target=$(link_target "$kind" "$victim")
	ln -s "$target" "$w/evil"
	if [ "$(id -u)" = 0 ]; then
		chown -h -R "$uid:$gid" "$victim" "$w"
	fi
	before=$(host_state)
	read -r q re <<<"$(inside_expect "$op")"
	# shellcheck disable=SC2046 # op_args is split on purpose
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w $(op_args "$op") \
		"$P" stat=/w/evil ${q:+"$q"} 3<"$DATA"
	after=$(host_state)
	# A mount that went out of the sandbox's tree through the link would land in this
	# process's own mount namespace, where the host cannot see it: look for it inside.
	if [ -n "$q" ] && [ "$RC" = 0 ]; then
		like "$(val "${q/=/:}")" "^$re" "$MODE: --$op through /w/evil -> $target lands inside"
	fi
	if [ "$CONTROL_RC" != 0 ]; then
		fail "$MODE: --$op through /w/evil -> $target: meaningless, the same run without the attack fails"
	elif [ "$before" = "$after" ]; then
		pass "$MODE: --$op through /w/evil -> $target leaves the host unchanged (status $RC)"
	else
		fail "$MODE: --$op through /w/evil -> $target leaves the host unchanged" \
			"host changes:" "$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')"
	fi
	rm -rf --one-file-system "$base" 2>/dev/null
}

case_escapes() {
	local kind op
	for kind in $LINK_KINDS; do
		for op in $OPS; do
			escape_case "$kind" "$op"
		done
	done
}

# control_expect OP: the probe query showing OP took effect at /w/plain, and an ERE (no
# blanks) the start of its value must match.
control_expect() {
	case $1 in
	dir) echo "stat=/w/plain/newdir dir[[:space:]]" ;;
	dir-parents) echo "stat=/w/plain/a/b/c dir[[:space:]]" ;;
	file) echo "stat=/w/plain/newfile file[[:space:]]" ;;
	bind-data) echo "stat=/w/plain/newbd file[[:space:]]" ;;
	ro-bind-data) echo "stat=/w/plain/newrbd file[[:space:]]" ;;
	symlink) echo "lstat=/w/plain/newlink link[[:space:]]" ;;
	tmpfs) echo "touch=/w/plain/newtmpfs/t 0$" ;;
	bind-sibling) echo "stat=/w/plain/marker file[[:space:]]" ;;
	ro-bind-data-sibling) echo "read=/w/plain/keep data" ;;
	bind) echo "stat=/w/plain/newbind/marker file[[:space:]]" ;;
	dev) echo "stat=/w/plain/newdev/null chr[[:space:]]" ;;
	chmod-file) echo "stat=/w/plain/keep file[[:space:]]0777[[:space:]]" ;;
	chmod-link) echo "stat=/w/plain dir[[:space:]]0777[[:space:]]" ;;
	remount-ro) echo "touch=/w/rofile EROFS$" ;;
	mask-file) echo "head=/w/plain/keep $" ;;
	mask-dir) echo "ls=/w/plain $" ;;
	esac
}

# Control: the same runs with no link on the way work and do what they should (else "the
# host is unchanged" below would hold only because hutch failed early or did nothing).
CONTROL_RC=1
case_control() {
	local w op q re
	w=$(owned_dir "$MODE")
	ln -s "/oldroot$T" "$w/evil"
	give_to "$MODE" "$w/evil"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w "$P" readlink=/w/evil stat=/w/evil
	CONTROL_RC=$RC
	is "$RC:$(val readlink:/w/evil)" "0:/oldroot$T" \
		"$MODE: control: the planted link is visible inside"
	is "$(val stat:/w/evil)" ENOENT "$MODE: control: the planted link dangles inside"
	for op in $OPS; do
		rm -rf "$w/plain"
		mkdir -m 0755 "$w/plain"
		mkdir -p -m 0755 "$w/first"
		: >"$w/firstfile"
		echo keep >"$w/plain/keep"
		chmod 0640 "$w/plain/keep"
		give_to "$MODE" "$w/plain"
		read -r q re <<<"$(control_expect "$op")"
		# --remount-ro needs a mount point: /w itself.
		# shellcheck disable=SC2046 # op_args is split on purpose
		run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$w" /w \
			$(op_args "$op" | sed 's|^--remount-ro /w/evil$|--remount-ro /w|
				s|--ro-bind-data 3 /w/evil$|--ro-bind-data 3 /w/plain/keep|; s|/w/evil|/w/plain|') \
			"$P" "$q" 3<"$DATA"
		like "$RC:$(val "${q/=/:}")" "^0:$re" "$MODE: control: --$op without a link on the way works"
	done
	ok "$MODE: control: the --tmpfs of the control was not the host directory" \
		test ! -e "$w/plain/newtmpfs/t"
	rm -rf "$w/plain"
}

for_each_mode case_control
for_each_mode case_escapes
done_testing
