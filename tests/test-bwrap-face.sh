#!/bin/bash
# The bwrap face (hutch run through a symlink named bwrap): bubblewrap 0.11's options,
# messages ("bwrap: " and bubblewrap's texts), exit status 1 for its own failures, inherited
# fds passed through. Where Debian's /usr/bin/bwrap (0.8) knows the option and behaves as
# 0.11 does, the same row runs against it too and stdout, stderr and status must match.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DATA=$T/data
echo fd-data >"$DATA"
chmod 0644 "$DATA"
EMPTY=$T/empty
: >"$EMPTY"
SEVEN=$T/seven
printf 'abcdefg' >"$SEVEN"
chmod 0644 "$EMPTY" "$SEVEN"
AREA=$T/area
mkdir -m 0755 "$AREA"
printf '#!/bin/sh\necho ran\n' >"$AREA/not-executable"
chmod 0644 "$AREA/not-executable"

# The reference runs through a symlink named bwrap too, so both see argv[0] = "bwrap".
# REF_NEW: it is bubblewrap 0.9 or later, which the rows of 0.9 to 0.11 behaviour need
# (Debian 12's 0.8 is the one CI has: it runs only the rows where 0.8 and 0.11 agree).
REF=${BWRAP_REF:-/usr/bin/bwrap}
REF_NEW=
mkdir -m 0755 "$T/ref"
if [ -x "$REF" ]; then
	ln -s "$REF" "$T/ref/bwrap"
	_v=$("$REF" --version 2>/dev/null | awk '$1 == "bubblewrap" { print $2 }')
	case $_v in
	0.[0-8] | 0.[0-8].*) ;;
	0.* | [1-9]*) REF_NEW=yes ;;
	esac
	diag "reference: $REF (bubblewrap ${_v:-of unknown version})"
	unset _v
else
	REF=
fi

# run_face ours|ref MODE ARGS...: run `bwrap ARGS` found on PATH.
run_face() {
	local dir=$T/bin
	[ "$1" = ref ] && dir=$T/ref
	run_as "$2" env PATH="$dir:$PATH" bwrap "${@:3}"
	ERR=$(printf '%s\n' "$ERR" | sed -E 's/^(<[0-9]>)?[^ ]*bwrap: /\1bwrap: /')
}

# Rows run against both: KIND|ARGS (ARGS eval'd: $P, $DATA, $AREA, ${MINROOT[@]} etc. and
# redirections allowed). KIND S: must succeed; a number: that exit status; E: must fail
# with one "bwrap: " line and status 1.
# shellcheck disable=SC2016 # eval'd later
COMPARED_ROWS='
S|--ro-bind / / true
7|--ro-bind / / sh -c "exit 7"
S|--ro-bind / / "$P" ids uid_map gid_map caps nonewprivs seccomp
S|--unshare-user --uid 0 --gid 0 --ro-bind / / "$P" ids uid_map gid_map caps
S|--unshare-user --uid 1234 --gid 5678 --ro-bind / / --dev /dev "$P" ids uid_map gid_map
S|--unshare-pid --ro-bind / / "$P" pid ppid
S|--unshare-pid --as-pid-1 --ro-bind / / "$P" pid ppid
S|--unshare-net --ro-bind / / "$P" ifaces
S|--unshare-uts --hostname sandboxed --ro-bind / / "$P" hostname
S|--ro-bind / / --chdir /usr "$P" cwd env=PWD
S|--ro-bind / / --clearenv --setenv A b "$P" envnames env=A
S|--ro-bind / / --setenv A b --unsetenv HOME "$P" env=A env=HOME
S|"${MINROOT[@]}" --dev /dev --tmpfs /t2 --dir /x/y "$P" ls=/ ls=/dev stat=/x/y mountflags=/t2
S|"${MINROOT_NOPROC[@]}" --perms 0700 --tmpfs /t --file 3 /f --bind-data 4 /bd "$P" stat=/t read=/f read=/bd stat=/bd 3<"$DATA" 4<"$DATA"
S|"${MINROOT[@]}" --remount-ro /usr --symlink a /l --chmod 0700 /usr/.. "$P" mountflags=/usr readlink=/l stat=/
S|--ro-bind / / "$P" read-fd=5 fds 5<"$DATA"
S|--unshare-all --ro-bind / / "$P" pid ifaces hostname
E|--frobnicate echo RAN
E|--bind /
E|--tmpfs
E|--uid abc echo RAN
E|--perms 9 --dir /x echo RAN
E|--perms 0700 --bind / /x echo RAN
E|--size 0 --tmpfs /x echo RAN
E|--chmod 999 /x echo RAN
E|--hostname foo echo RAN
E|--as-pid-1 echo RAN
E|--cap-add foo echo RAN
E|--args 99 echo RAN
E|--userns-block-fd 3 echo RAN
E|--ro-bind / / /nonexistent-h3
E|--ro-bind / / "$AREA/not-executable"
E|--ro-bind / / --setenv PATH /usr/bin:/bin no-such-command-h3
E|--bind "$AREA/missing" /x echo RAN
E|--ro-bind / / --chmod 0700 /nonexistent-h3 echo RAN
E|--ro-bind / / --chdir /nonexistent-h3 echo RAN
E|"${MINROOT_NOPROC[@]}" --dir /x --ro-bind-data 3 /x echo RAN 3<"$DATA"
E|--ro-bind / / --dir /nonexistent-h3/x echo RAN
E|--ro-bind / / --dir /nonexistent-h3 echo RAN
E|--ro-bind / / --bind /usr /nonexistent-h3/x echo RAN
E|--ro-bind / / --symlink a /nonexistent-h3/x echo RAN
E|--ro-bind / / --file 3 /nonexistent-h3 echo RAN 3<"$DATA"
E|--ro-bind / / --bind-data 3 /nonexistent-h3 echo RAN 3<"$DATA"
E|--ro-bind / / --dir /etc/passwd/x echo RAN
E|--ro-bind / / --tmpfs /etc/passwd echo RAN
E|--ro-bind / / --seccomp 3 echo RAN 3<"$EMPTY"
E|--ro-bind / / --add-seccomp-fd 3 echo RAN 3<"$EMPTY"
E|--ro-bind / / --seccomp 3 echo RAN 3<"$SEVEN"
E|--ro-bind / / --add-seccomp-fd 3 echo RAN 3<"$SEVEN"
S|--unshare-user --uid 0 --cap-add CAP_NET_ADMIN --ro-bind / / "$P" caps
S|--unshare-user --uid 1000 --cap-add CAP_NET_ADMIN --ro-bind / / "$P" ids caps
S|--cap-add ALL --ro-bind / / "$P" caps
S|"${MINROOT_NOPROC[@]}" --proc /proc "$P" mountflags=/proc/sys/kernel mountflags=/proc/irq mountflags=/proc/bus
S|--unshare-pid "${MINROOT_NOPROC[@]}" --proc /proc "$P" mountflags=/proc/sys/net mountflags=/proc/irq
S|--ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/user /run/.userns sh -c "$SAME_NS" - user /run/.userns
S|--unshare-pid --ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/pid /run/.pidns sh -c "$SAME_NS" - pid /run/.pidns
S|--unshare-user --uid 5 --ro-bind / / --dev /dev --tmpfs /run --ro-bind-try /proc/self/ns/user /run/.userns sh -c "$SAME_NS" - user /run/.userns
E|--ro-bind / / --tmpfs /run --ro-bind /proc/self/ns/user /run/.userns echo RAN
S|--ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/no-such-ns /run/x --ro-bind-try /proc/self/fd/9 /run/y "$P" ls=/run
E|--ro-bind / / --tmpfs /run --bind-try /proc/self/fd/5/x /run/x echo RAN 5<"$DATA"
E|--ro-bind / / --tmpfs /tmp --dir /tmp/x --remount-ro /tmp/x echo RAN
E|--ro-bind / / --tmpfs /tmp --remount-ro /tmp/nonexistent echo RAN
S|--ro-bind / / --tmpfs /tmp --ro-bind-data 3 /tmp/x sh -c "$MOUNTS" - /tmp/x /tmp /tmp/x 3<"$DATA"
S|"${MINROOT[@]}" --ro-bind /etc /etc sh -c "$MOUNTS" - / /
'

# sh -c "$SAME_NS" - TYPE PATH: prints whether PATH is the namespace of TYPE the command is in.
# shellcheck disable=SC2016 # for that sh
SAME_NS='[ "$(stat -L -c %i "$2")" = "$(readlink "/proc/self/ns/$1" | tr -dc 0-9)" ] && echo same || echo differs'

# sh -c "$MOUNTS" - FILE MOUNTPOINT...: mount point, per-mount options, type and super options
# (less the uid= and gid= of a user namespace) of the mounts at exactly those mount points, then
# FILE's link count and mode, on one line joined by ';'.
# shellcheck disable=SC2016,SC2034 # for that sh, used in the rows
MOUNTS='f=$1; shift; { awk -v want=" $* " '"'"'{ n = 0; for (i = 7; i <= NF; i++) if ($i == "-") n = i }
index(want, " " $5 " ") { print $5, $6, $(n + 1), $(n + 3) }'"'"' /proc/self/mountinfo
stat -c "%h %a" "$f"; } | sed "s/,uid=[0-9]*,gid=[0-9]*//" | paste -sd ";" -'

# Rows bubblewrap 0.8 cannot serve as reference for (0.9 to 0.11 additions and changes):
# KIND|EXPECTED_STDOUT|EXPECTED_STDERR|ARGS.
# shellcheck disable=SC2016 # eval'd later
OWN_ROWS='
S|argv0=fancy||--ro-bind / / --argv0 fancy "$P" argv0
E||<3>bwrap: Unknown option --frobnicate|--level-prefix --frobnicate echo RAN
E||bwrap: Can'"'"'t make symlink at /x/l: existing destination is a|"${MINROOT_NOPROC[@]}" --symlink a /x/l --symlink b /x/l echo RAN
S|readlink:/x/l=a||"${MINROOT_NOPROC[@]}" --symlink a /x/l --symlink a /x/l "$P" readlink=/x/l
E||bwrap: --overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay|--overlay-src /usr echo RAN
E||bwrap: --argv0 used multiple times|--argv0 a --argv0 b echo RAN
E||bwrap: Can'"'"'t mkdir parents for /nonexistent-h3/x: Read-only file system|--ro-bind / / --dir /nonexistent-h3/x echo RAN
E||bwrap: Can'"'"'t mkdir /nonexistent-h3: Read-only file system|--ro-bind / / --dir /nonexistent-h3 echo RAN
E||bwrap: Can'"'"'t mkdir parents for /etc/passwd/x: Not a directory|--ro-bind / / --bind /usr /etc/passwd/x echo RAN
E||bwrap: Can'"'"'t mkdir parents for /nonexistent-h3/x: Read-only file system|--ro-bind / / --symlink a /nonexistent-h3/x echo RAN
E||bwrap: Can'"'"'t make symlink at /etc/passwd: destination exists and is not a symlink|--ro-bind / / --symlink a /etc/passwd echo RAN
E||bwrap: Can'"'"'t create file /nonexistent-h3: Read-only file system|--ro-bind / / --file 3 /nonexistent-h3 echo RAN 3<"$DATA"
E||bwrap: Can'"'"'t create file at /nonexistent-h3: Read-only file system|--ro-bind / / --bind-data 3 /nonexistent-h3 echo RAN 3<"$DATA"
E||bwrap: Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER.)|--ro-bind / / --seccomp 3 echo RAN 3<"$EMPTY"
E||bwrap: Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER.)|--ro-bind / / --add-seccomp-fd 3 echo RAN 3<"$EMPTY"
E||bwrap: Invalid seccomp data, must be multiple of 8|--ro-bind / / --add-seccomp-fd 3 echo RAN 3<"$SEVEN"
E||bwrap: Can'"'"'t remount readonly on /newroot/tmp/x: Unable to find "/newroot/tmp/x" in mount table|--ro-bind / / --tmpfs /tmp --dir /tmp/x --remount-ro /tmp/x echo RAN
E||bwrap: Can'"'"'t remount readonly on /newroot/tmp/nonexistent: realpath(destination): No such file or directory|--ro-bind / / --tmpfs /tmp --remount-ro /tmp/nonexistent echo RAN
S|/tmp rw,nosuid,nodev,relatime tmpfs rw,mode=755;/tmp/x ro,nosuid,nodev,relatime tmpfs rw;0 600||--ro-bind / / --tmpfs /tmp --ro-bind-data 3 /tmp/x sh -c "$MOUNTS" - /tmp/x /tmp /tmp/x 3<"$DATA"
S|/ rw,nosuid,nodev,relatime tmpfs rw;1 755||"${MINROOT[@]}" --ro-bind /etc /etc sh -c "$MOUNTS" - "$P" /
S|same||--ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/user /run/.userns sh -c "$SAME_NS" - user /run/.userns
S|same||--unshare-user --ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/user /run/.userns sh -c "$SAME_NS" - user /run/.userns
S|same||--unshare-pid --ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/pid /run/.pidns sh -c "$SAME_NS" - pid /run/.pidns
S|same||--unshare-net --ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/net /run/.netns sh -c "$SAME_NS" - net /run/.netns
E||bwrap: Can'"'"'t find source path /proc/self/ns/user: No such file or directory|--ro-bind / / --tmpfs /run --ro-bind /proc/self/ns/user /run/.userns echo RAN
S|ls:/run=||--ro-bind / / --tmpfs /run --ro-bind-try /proc/self/ns/no-such-ns /run/x --ro-bind-try /proc/self/fd/9 /run/y "$P" ls=/run
S|fd-data||--ro-bind / / --tmpfs /run --ro-bind /dev/fd/5 /run/x cat /run/x 5<"$DATA"
S|fd-data||--ro-bind / / --tmpfs /run --ro-bind-try /proc/self/fd/5 /run/x cat /run/x/data 5<"$T"
E||bwrap: Can'"'"'t find source path /proc/self/fd/5/x: Not a directory|--ro-bind / / --tmpfs /run --bind-try /proc/self/fd/5/x /run/x echo RAN 5<"$DATA"
'

check_kind() { # KIND NAME: status and stderr shape of the row's run of the bwrap face
	if [ "$1" = S ]; then
		is "$RC" 0 "$2: exit status 0"
	elif [ "$1" != E ]; then
		is "$RC" "$1" "$2: exit status $1"
	else
		is "$RC" 1 "$2: exit status 1"
		is "$(printf '%s\n' "$ERR" | grep -c .)" 1 "$2: one line on stderr"
		like "$ERR" '^(<[0-9]>)?bwrap: ' "$2: the message starts with 'bwrap: '"
		is "$OUT" "" "$2: the command does not run"
	fi
}

case_compared() {
	local row kind args name o_out o_err o_rc o_cmd r_out r_err r_rc
	while IFS= read -r row; do
		[ -n "$row" ] || continue
		kind=${row%%|*}
		args=${row#*|}
		name="$MODE: bwrap $args"
		eval "run_face ours \"\$MODE\" $args"
		check_kind "$kind" "$name"
		[ -n "$REF" ] || continue
		o_out=$OUT o_err=$ERR o_rc=$RC o_cmd=$LAST_CMD
		eval "run_face ref \"\$MODE\" $args"
		r_out=$OUT r_err=$ERR r_rc=$RC
		# Diagnostics show our run.
		OUT=$o_out ERR=$o_err RC=$o_rc LAST_CMD=$o_cmd
		is "$o_rc" "$r_rc" "$name: status as bubblewrap's ($r_rc)"
		is "$o_out" "$r_out" "$name: stdout as bubblewrap's"
		is "$o_err" "$r_err" "$name: stderr as bubblewrap's"
	done <<<"$COMPARED_ROWS"
}

case_own() {
	local row kind exp_out exp_err args name rest
	while IFS= read -r row; do
		[ -n "$row" ] || continue
		IFS='|' read -r kind exp_out exp_err rest <<<"$row"
		args=${row#*|*|*|}
		name="$MODE: bwrap $args"
		eval "run_face ours \"\$MODE\" $args"
		check_kind "$kind" "$name"
		is "$OUT" "$exp_out" "$name: stdout"
		is "$ERR" "$exp_err" "$name: stderr as bubblewrap 0.11's"
	done <<<"$OWN_ROWS"
}

case_version_help() {
	run_face ours "$MODE" --version
	is "$RC" 0 "$MODE: bwrap --version exits 0"
	is "$(printf '%s\n' "$OUT" | awk 'NR == 1 { print $1, $2 }')" "bubblewrap 0.11.1" \
		"$MODE: bwrap --version says 'bubblewrap 0.11.1'"
	run_face ours "$MODE" --help
	is "$RC" 0 "$MODE: bwrap --help exits 0"
	is "$(printf '%s\n' "$OUT" | head -n 1)" "usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]" \
		"$MODE: bwrap --help: bubblewrap's usage line"
	like "$OUT" '--overlay-src SRC' "$MODE: bwrap --help lists 0.11's options"
	unlike "$OUT" '--pass-fd' "$MODE: bwrap --help does not list hutch's own options"
	run_face ours "$MODE"
	is "$RC" 1 "$MODE: bwrap without arguments exits 1"
	is "$(printf '%s\n' "$ERR" | head -n 1)" "usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]" \
		"$MODE: bwrap without arguments prints the usage on stderr"
	run_face ours "$MODE" --pass-fd 5 --ro-bind / / true
	is "$RC:$ERR" "1:bwrap: Unknown option --pass-fd" "$MODE: bwrap face: hutch's --pass-fd is unknown"
}

case_fds() {
	run_face ours "$MODE" --ro-bind / / "$P" read-fd=5 read-fd=7 fds 5<"$DATA" 7<"$DATA"
	is "$RC" 0 "$MODE: bwrap face with fds 5 and 7 open runs"
	is "$(val fd:5)" 'fd-data\n' "$MODE: bwrap face: the caller's fd 5 is readable inside"
	is "$(val fd:7)" 'fd-data\n' "$MODE: bwrap face: the caller's fd 7 is readable inside"
	like "$(val fds)" '^0,1,2,5,7$' \
		"$MODE: bwrap face: exactly stdio and the caller's fds reach the command"
	run_as "$MODE" "$H" --ro-bind / / "$P" fds 5<"$DATA" 7<"$DATA"
	is "$(val fds)" 0,1,2 "$MODE: hutch face: inherited fds are closed"
	run_as "$MODE" "$H" --pass-fd 7 --ro-bind / / "$P" fds read-fd=7 5<"$DATA" 7<"$DATA"
	is "$(val fds):$(val fd:7)" '0,1,2,7:fd-data\n' \
		"$MODE: hutch face: --pass-fd 7 passes exactly fd 7"
}

# host_tree [FACE]: a writable host tree of MODE's caller as flatpak binds one (--bind /home /home):
# a private home, a group-only directory, a private file, a link, every time set in the past
# so that any change shows. Prints its path.
host_tree() {
	local w
	w=$(owned_dir "$MODE")
	mkdir -m 0700 "$w/home" "$w/home/sub"
	mkdir -m 0750 "$w/g"
	printf 'old\n' >"$w/f"
	chmod 0600 "$w/f"
	ln -s x "$w/l"
	# Owned by what the sandbox runs as: the caller's ids, but nobody for root in the hutch
	# face (--host-uid); bubblewrap's root keeps root's.
	if [ "$(id -u)" = 0 ]; then
		chown -hR "$(sandbox_uid "${1:-bwrap}" "$MODE"):$(sandbox_gid "${1:-bwrap}" "$MODE")" "$w"
	fi
	find "$w" -exec touch -h -d @1000000000 {} +
	echo "$w"
}

# tree_state DIR: name, mode, type, owner, size, mtime and ctime of every entry.
tree_state() {
	find "$1" -printf '%P %m %y %U:%G %s %T@ %C@\n' | sort
}

# Operations on names that exist in a bound host tree ($W): none may change anything there,
# modes and times included (flatpak build: --bind /home /home ... --dir $HOME). NEED|ARGS.
# shellcheck disable=SC2016 # eval'd later
UNTOUCHED_ROWS='
any|--dir "$W/home"
any|--perms 0755 --dir "$W/home"
any|--perms 0700 --dir "$W/g"
any|--perms 01777 --dir "$W/home/sub"
any|--tmpfs "$W/home"
any|--perms 0700 --tmpfs "$W/g"
any|--bind "$W/g" "$W/home"
any|--dev-bind "$W/g" "$W/home"
any|--ro-bind "$W/f" "$W/f"
any|--bind-data 3 "$W/f"
any|--perms 0644 --ro-bind-data 3 "$W/f"
new|--symlink x "$W/l"
any|--proc "$W/home"
any|--dev "$W/home"
any|--unshare-ipc --mqueue "$W/home"
any|--bind "$W" "$W" --remount-ro "$W"
any|--lock-file "$W/f"
new|--bind-fd 4 "$W/home" 4<"$W/g"
'

case_host_untouched() {
	local row need args W before who
	while IFS= read -r row; do
		[ -n "$row" ] || continue
		need=${row%%|*}
		args=${row#*|}
		for who in ours ref; do
			[ "$who" = ours ] || [ -n "$REF" ] || continue
			[ "$who" = ours ] || [ "$need" != new ] || [ -n "$REF_NEW" ] || continue
			W=$(host_tree)
			before=$(tree_state "$W")
			eval "run_face $who \"\$MODE\" \"\${MINROOT_NOPROC[@]}\" --bind \"\$W\" \"\$W\" \
				$args true 3<\"\$DATA\""
			is "$RC" 0 "$MODE: bwrap ($who) --bind W W $args: runs"
			is "$(tree_state "$W")" "$before" \
				"$MODE: bwrap ($who) --bind W W $args: the host tree is as it was"
		done
	done <<<"$UNTOUCHED_ROWS"
	# --file writes an existing file (it is asked to), and leaves its mode.
	for who in ours ref; do
		[ "$who" = ours ] || [ -n "$REF" ] || continue
		W=$(host_tree)
		run_face $who "$MODE" "${MINROOT_NOPROC[@]}" --bind "$W" "$W" --perms 0644 \
			--file 3 "$W/f" true 3<"$DATA"
		is "$RC:$(stat -c %a "$W/f"):$(cat "$W/f")" 0:600:fd-data \
			"$MODE: bwrap ($who) --perms 0644 --file on an existing 0600 file: written, mode kept"
	done
}

# tree_made DIR [NAME]: NAME:MODE+TYPE of NAME below DIR and of everything below it (without
# NAME: of everything below DIR), sorted by name.
tree_made() {
	if [ $# = 2 ]; then
		(cd "$1" && find "$2" -printf '%p\t%m%y\n')
	else
		find "$1" -mindepth 1 -printf '%P\t%m%y\n'
	fi | LC_ALL=C sort | tr '\t' : | paste -sd ' ' -
}

# What operations create on a bound host tree ($X, missing): the modes of the parents they
# make and of the file or directory itself (bubblewrap: parents 0755 less the group or other
# bits the operation's mode gives no access; no mode counts as 0). NEED|EXPECTED|ARGS, where
# EXPECTED lists NAME:MODE+TYPE of every entry made, sorted.
# shellcheck disable=SC2016 # eval'd later
PARENT_ROWS='
any|x:700d x/a:700d x/a/b:700d|--perms 0700 --dir "$X/a/b"
any|x:750d x/a:750d|--perms 0750 --dir "$X/a"
any|x:705d x/a:705d|--perms 0705 --dir "$X/a"
any|x:755d x/a:711d|--perms 0711 --dir "$X/a"
any|x:755d x/a:755d x/a/b:755d|--dir "$X/a/b"
any|x:1777d|--perms 01777 --dir "$X"
any|x:700d x/a:755d|--perms 0700 --tmpfs "$X/a"
any|x:755d x/a:755d|--tmpfs "$X/a"
any|x:755d x/a:666f|--file 3 "$X/a"
any|x:750d x/a:640f|--perms 0640 --file 3 "$X/a"
any|x:700d x/a:444f|--bind-data 3 "$X/a"
any|x:755d x/a:444f|--perms 0644 --ro-bind-data 3 "$X/a"
any|x:700d x/a:700d x/a/b:755d|--bind /usr "$X/a/b"
any|x:700d x/a:444f|--ro-bind "$DATA" "$X/a"
any|x:700d x/a:444f|--dev-bind /dev/null "$X/a"
any|x:700d x/a:777l|--symlink t "$X/a"
any|x:700d x/a:755d|--proc "$X/a"
any|x:700d x/a:755d|--dev "$X/a"
any|x:700d x/a:755d|--unshare-ipc --mqueue "$X/a"
new|x:700d x/a:755d|--bind-fd 4 "$X/a" 4</usr
new|x:700d x/a:755d|--overlay-src /usr --tmp-overlay "$X/a"
'

case_parent_modes() {
	local row need exp args W X who made
	while IFS= read -r row; do
		[ -n "$row" ] || continue
		IFS='|' read -r need exp args <<<"$row"
		for who in ours ref; do
			[ "$who" = ours ] || [ -n "$REF" ] || continue
			[ "$who" = ours ] || [ "$need" != new ] || [ -n "$REF_NEW" ] || continue
			W=$(owned_dir "$MODE")
			# shellcheck disable=SC2034 # used by the eval'd row
			X=$W/x
			eval "run_face $who \"\$MODE\" \"\${MINROOT_NOPROC[@]}\" --bind \"\$W\" \"\$W\" \
				$args true 3<\"\$DATA\""
			made=$(tree_made "$W" x)
			is "$RC:$made" "0:$exp" "$MODE: bwrap ($who) $args: creates $exp"
			is "$(find "$W" -mindepth 1 ! -user "$(mode_uid "$MODE")" | wc -l)" 0 \
				"$MODE: bwrap ($who) $args: what it creates belongs to the caller"
		done
	done <<<"$PARENT_ROWS"
	# The hutch face makes parents the same way (bubblewrap's rule is the private one).
	W=$(owned_dir "$MODE")
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$W" "$W" --bind /usr "$W/b/a" \
		--perms 0700 --dir "$W/d/a" --perms 0750 --tmpfs "$W/t/a" --file 3 "$W/f/a" \
		--symlink t "$W/s/a" true 3<"$DATA"
	made=$(tree_made "$W")
	# (--file itself: 0666 less the umask in the hutch face.)
	is "$RC:$made" "0:b:700d b/a:755d d:700d d/a:700d f:755d f/a:$(printf '%o' $((0666 & ~0$(umask))))f s:700d s/a:777l t:750d t/a:755d" \
		"$MODE: hutch face: parents as bubblewrap makes them"
	W=$(host_tree hutch)
	before=$(tree_state "$W")
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --bind "$W" "$W" --dir "$W/home" --perms 0755 \
		--dir "$W/g" --perms 0644 --ro-bind-data 3 "$W/f" --tmpfs "$W/home/sub" true 3<"$DATA"
	is "$RC" 0 "$MODE: hutch face: --dir, --perms --dir, --ro-bind-data, --tmpfs on existing names"
	is "$(tree_state "$W")" "$before" "$MODE: hutch face: the host tree is as it was"
}

# The magic links in sources that the rows above do not reach (the caller's processes, and
# the hutch face).
case_magic_sources() {
	local who
	for who in ours ref; do
		[ "$who" = ours ] || [ -n "$REF" ] || continue
		# This shell's root: the root mode's own, out of the user mode's reach.
		run_face $who "$MODE" --ro-bind / / --tmpfs /run --ro-bind-try "/proc/$$/root" \
			/run/x "$P" stat=/run/x/usr
		if [ "$MODE" = root ]; then
			like "$RC:$OUT" '^0:stat:/run/x/usr=dir ' \
				"$MODE: bwrap ($who) --ro-bind-try /proc/PID/root: binds that root"
		else
			is "$RC:$ERR" "1:bwrap: Can't find source path /proc/$$/root: Permission denied" \
				"$MODE: bwrap ($who) --ro-bind-try /proc/PID/root: EACCES is not forgiven"
		fi
		# bubblewrap binds the first user namespace, the command runs in the nested one.
		run_face $who "$MODE" --unshare-user --uid 5 --ro-bind / / --dev /dev --tmpfs /run \
			--ro-bind-try /proc/self/ns/user /run/.userns sh -c "$SAME_NS" - user /run/.userns
		is "$RC:$OUT" "0:differs" \
			"$MODE: bwrap ($who) --uid 5: /proc/self/ns/user is the setup's user namespace"
	done
	run_as "$MODE" "$H" --ro-bind / / --tmpfs /run --ro-bind /proc/self/ns/user /run/.userns \
		sh -c "$SAME_NS" - user /run/.userns
	is "$RC:$OUT" 0:same "$MODE: hutch face: --ro-bind /proc/self/ns/user binds the namespace"
	run_as "$MODE" "$H" --ro-bind / / --tmpfs /run --ro-bind /proc/self/ns/no-such-ns /run/x \
		true
	is "$RC" 125 "$MODE: hutch face: --ro-bind of a namespace that is not there fails"
}

# sh -c "$SET_PING" HOSTNET: set ping_group_range of the command's own network namespace (never
# the host's, HOSTNET) to its own gid, read it back; "ok". Without --dev (whose devpts makes an
# unprivileged bubblewrap nest a user namespace that has no power over the network's).
# shellcheck disable=SC2016 # for that sh
SET_PING='[ "$(readlink /proc/self/ns/net)" != "$0" ] || exit 9
g=$(id -g)
echo "$g $g" >/proc/sys/net/ipv4/ping_group_range || exit 1
[ "$(cat /proc/sys/net/ipv4/ping_group_range)" = "$(printf "%s\t%s" "$g" "$g")" ] && echo ok'

# /proc/sys, /proc/irq, /proc/bus (and /proc/sysrq-trigger) read-only only where writable at
# that point (bubblewrap): real root's own, never in an unprivileged user namespace, never
# /proc/sys (its directory refuses W_OK), so a sandbox can set up its own network namespace.
case_proc_covers() {
	local who hostnet ro_irq
	hostnet=$(readlink /proc/self/ns/net)
	ro_irq=rw
	[ "$MODE" = root ] && ro_irq=ro
	for who in ours ref; do
		[ "$who" = ours ] || [ -n "$REF" ] || continue
		run_face $who "$MODE" "${MINROOT_NOPROC[@]}" --proc /proc "$P" \
			mountflags=/proc/sys/kernel mountflags=/proc/irq
		is "$RC:$(val mountpoint:/proc/sys/kernel)" 0:/proc \
			"$MODE: bwrap ($who) --proc: /proc/sys is not covered"
		like "$(val mountflags:/proc/sys/kernel)" '(^|,)rw(,|$)' \
			"$MODE: bwrap ($who) --proc: /proc/sys is on the writable proc"
		if [ -d /proc/irq ]; then
			like "$(val mountflags:/proc/irq)" "(^|,)$ro_irq(,|$)" \
				"$MODE: bwrap ($who) --proc: /proc/irq $ro_irq (covered where writable)"
		else
			skip "$MODE: bwrap ($who) --proc: /proc/irq (not in this kernel)"
		fi
		run_face $who "$MODE" --ro-bind / / --unshare-user --uid 0 --unshare-net \
			--cap-add CAP_NET_ADMIN --proc /proc sh -c "$SET_PING" "$hostnet"
		is "$RC:$OUT" 0:ok \
			"$MODE: bwrap ($who) own netns with CAP_NET_ADMIN: /proc/sys/net is writable"
	done
	# The hutch face keeps all four read-only (kuid 0 passes the uid test of most sysctls),
	# with /proc/sys/net writable again when the network namespace is the sandbox's own.
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --unshare-net --proc /proc "$P" \
		mountflags=/proc/sys/kernel mountflags=/proc/sys/net/ipv4 mountflags=/proc/bus
	like "$RC:$(val mountflags:/proc/sys/kernel)" '^0:(.*,)?ro(,|$)' \
		"$MODE: hutch face --proc: /proc/sys read-only"
	like "$(val mountflags:/proc/sys/net/ipv4):$(val mountpoint:/proc/sys/net/ipv4)" \
		'^(.*,)?rw(,.*)?:/proc/sys/net$' \
		"$MODE: hutch face --proc --unshare-net: /proc/sys/net writable again"
	like "$(val mountflags:/proc/bus)" '(^|,)ro(,|$)' "$MODE: hutch face --proc: /proc/bus read-only"
	run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --proc /proc "$P" mountflags=/proc/sys/net/ipv4
	like "$RC:$(val mountflags:/proc/sys/net/ipv4)" '^0:(.*,)?ro(,|$)' \
		"$MODE: hutch face --proc without --unshare-net: /proc/sys/net read-only"
	run_as "$MODE" "$H" --ro-bind / / --unshare-user --uid 0 --unshare-net \
		--cap-add CAP_NET_ADMIN --proc /proc sh -c "$SET_PING" "$hostnet"
	is "$RC:$OUT" 0:ok "$MODE: hutch face own netns with CAP_NET_ADMIN: /proc/sys/net is writable"
}

# --cap-add raises the capabilities in the ambient set too, whatever the uid (bubblewrap).
case_ambient() {
	local who amb
	for who in ours ref; do
		[ "$who" = ours ] || [ -n "$REF" ] || continue
		amb=0000000000001000
		[ "$MODE" = root ] && amb=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
		run_face $who "$MODE" --unshare-user --uid 0 --cap-add CAP_NET_ADMIN --ro-bind / / \
			"$P" caps
		is "$RC:$(val CapAmb)" "0:$amb" "$MODE: bwrap ($who) --uid 0 --cap-add: CapAmb=$amb"
		run_face $who "$MODE" --unshare-user --uid 1000 --cap-add CAP_NET_ADMIN \
			--ro-bind / / "$P" caps
		is "$RC:$(val CapAmb)" "0:$amb" "$MODE: bwrap ($who) --uid 1000 --cap-add: CapAmb=$amb"
	done
}

# An empty program: the bwrap face lets the kernel refuse it (the rows above); the hutch face
# refuses it before anything runs.
case_seccomp_empty() {
	run_as "$MODE" "$H" --ro-bind / / --seccomp 3 echo RAN 3<"$EMPTY"
	is "$RC:$OUT:$ERR" "64::hutch: cannot read the seccomp program from fd 3: it is empty" \
		"$MODE: hutch face: an empty --seccomp program is refused up front"
}

# Without a PID namespace bubblewrap stays as the command's parent: a command killed by
# signal N gives 128+N, and a SIGTERM to bwrap ends it (and, with --die-with-parent, the command
# through its death signal) even when the command ignores SIGTERM (issue 10, item 4).
case_process_shape() {
	local who t0 t1 dir
	for who in ours ref; do
		[ "$who" = ours ] || [ -n "$REF" ] || continue
		run_face $who "$MODE" --ro-bind / / sh -c 'kill -9 $$'
		is "$RC" 137 "$MODE: bwrap ($who): a command killed by SIGKILL: 128+9"
		t0=$(date +%s%N)
		dir=$T/bin
		[ "$who" = ref ] && dir=$T/ref
		run_as "$MODE" env PATH="$dir:$PATH" timeout 1 bwrap --ro-bind / / --dev /dev \
			--die-with-parent sh -c 'trap "" TERM; sleep 5'
		t1=$(date +%s%N)
		is "$RC" 124 "$MODE: bwrap ($who) under timeout 1, the command ignoring SIGTERM: ended"
		ok "$MODE: bwrap ($who): ... after about 1 s, not the command's 5 s ($(((t1 - t0) / 1000000)) ms)" \
			test $(((t1 - t0) / 1000000)) -lt 3500
	done
}

# A bwrap that runs itself again through /proc/self/exe (bubblewrap's own tests, sandboxes
# inside sandboxes) keeps the bwrap face: the face comes from the binary's own name when
# argv[0] names no face (issue 10, item 9).
case_reexec() {
	local who
	for who in ours ref; do
		[ "$who" = ours ] || [ -n "$REF" ] || continue
		run_face $who "$MODE" --unshare-user --uid 0 --gid 0 --cap-add ALL --bind / / \
			--bind /proc /proc -- /proc/self/exe --unshare-all --bind / / --bind /proc /proc \
			sh -c 'echo hello; grep "^Seccomp:" /proc/self/status'
		is "$RC:$OUT" "0:hello
Seccomp:	0" "$MODE: bwrap ($who) re-run through /proc/self/exe nests as bwrap (no filter)"
	done
}

for_each_mode case_compared
for_each_mode case_process_shape
for_each_mode case_reexec
for_each_mode case_own
for_each_mode case_version_help
for_each_mode case_fds
for_each_mode case_host_untouched
for_each_mode case_parent_modes
for_each_mode case_magic_sources
for_each_mode case_proc_covers
for_each_mode case_ambient
for_each_mode case_seccomp_empty
done_testing
