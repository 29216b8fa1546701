#!/bin/bash
# Regression tests named after the escapes found in bubblewrap, flatpak and runc: each case's
# name starts with the CVE id it stands for, adapted to what hutch does. What the static
# planted-symlink suite already covers is not repeated here (tests/test-escape.sh: every
# operation aimed through a link to a host path, nine link kinds, and its -attached and
# -fallback twins; tests/test-seccomp.sh: the shipped programs loaded without a sandbox;
# tests/test-caps.sh: the setuid-root copy); this file adds the races, the real terminal, the
# other privileged installs, option injection, the binaries of running processes, the
# descriptors and directories a sandbox can inherit, masks and /proc writes.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$srcdir/tests/lib-attack.sh"

TEST_TIMEOUT=${HUTCH_TEST_TIMEOUT:-30}
# Launches per race, per mode and build path (each one is ~20 ms).
RACE_LAUNCHES=${HUTCH_TEST_RACE_LAUNCHES:-40}

DATA=$T/data
echo data >"$DATA"
chmod 0644 "$DATA"
BSRC=$T/bsrc
mkdir -m 0755 "$BSRC"
echo bind-source >"$BSRC/marker"
chmod 0644 "$BSRC/marker"

# face_args FACE: the bwrap face run by real root keeps root's capabilities (bubblewrap's
# rule), with which nothing is confined: those runs drop them.
face_args() {
	if [ "$1:$MODE" = bwrap:root ]; then
		echo --cap-drop ALL
	fi
}

# chown_mode MODE PATH...: PATHs belong to MODE's caller (so plain permissions stop nothing).
chown_mode() {
	local m=$1
	shift
	give_to "$m" "$@"
	return 0
}

# --- CVE-2017-5226, CVE-2019-10063: TIOCSTI and TIOCLINUX -------------------------------------

# in_tty CMD...: run CMD on a new pseudo-terminal (script(1), util-linux) as $MODE; OUT
# without the \r.
in_tty() {
	local cmd
	cmd=$(printf '%q ' "$@")
	run_as "$MODE" script -qec "$cmd" /dev/null
	# A character TIOCSTI pushed comes back as the terminal's echo, before the next line.
	OUT=$(printf '%s\n' "$OUT" | tr -d '\r' | sed 's/^ *//')
}

case_tiocsti() {
	local name="CVE-2017-5226/CVE-2019-10063 $MODE"
	# The control: without a filter, the terminal is real and TIOCSTI works on it.
	in_tty "$H" "${MINROOT[@]}" --seccomp-profile none "$P" tty=0 tty-ioctl=0
	is "$(val tty:0):$(val tiocsti:0)" 1:0 \
		"$name: control: on a real terminal, TIOCSTI without a filter pushes input"
	in_tty "$H" "${MINROOT[@]}" "$P" tty-ioctl=0
	is "$(val tiocsti:0):$(val tiocsti-hi:0)" EPERM:EPERM \
		"$name: hutch face, default profile: TIOCSTI on the terminal fails with EPERM (both forms)"
	is "$(val tioclinux:0):$(val tioclinux-hi:0)" EPERM:EPERM \
		"$name: hutch face, default profile: TIOCLINUX fails with EPERM (both forms)"
	in_tty "$H" "${MINROOT[@]}" --unshare-all --new-session "$P" tty-ioctl=0
	is "$(val tiocsti:0):$(val tiocsti-hi:0)" EPERM:EPERM \
		"$name: hutch face with --unshare-all --new-session: TIOCSTI fails with EPERM"
	# bubblewrap's own answer: --new-session leaves the terminal's session, so the kernel
	# refuses TIOCSTI on it (tty_ioctl(4): not the controlling terminal).
	# shellcheck disable=SC2046 # split on purpose
	in_tty "$B" "${MINROOT[@]}" $(face_args bwrap) --new-session "$P" tty-ioctl=0
	is "$(val tiocsti:0):$(val tiocsti-hi:0)" EPERM:EPERM \
		"$name: bwrap face with --new-session: the kernel refuses TIOCSTI (both forms)"
}

# --- CVE-2020-5291: a privileged install -------------------------------------------------------

# The setuid-root copy run by uid 65534 is tests/test-caps.sh's; here: setgid, file
# capabilities, and the bwrap face of each.
case_privileged_install() {
	local d kind name face bin
	[ "$MODE" = root ] || return 0
	d=$(mktemp -d "$T/priv.XXXXXX")
	chmod 0755 "$d"
	if findmnt -n -o OPTIONS -T "$d" | tr , '\n' | grep -qx nosuid; then
		skip "CVE-2020-5291: privileged installs ($d is on a nosuid mount)"
		return
	fi
	for kind in setuid setgid setcap; do
		rm -f "$d/hutch" "$d/bwrap"
		cp "$H" "$d/hutch"
		chown 0:0 "$d/hutch"
		chmod 0755 "$d/hutch"
		ln -s hutch "$d/bwrap"
		case $kind in
		setuid) chmod 4755 "$d/hutch" ;;
		setgid) chmod 2755 "$d/hutch" ;;
		setcap)
			if ! setcap cap_sys_admin+ep "$d/hutch"; then
				fail "CVE-2020-5291: setcap cap_sys_admin+ep on a copy (libcap2-bin, xattrs)"
				continue
			fi
			;;
		esac
		for face in hutch bwrap; do
			bin=$d/$face
			name="CVE-2020-5291 a $kind copy, $face face, run by uid $USER_UID"
			run_as user "$bin" --unshare-pid --ro-bind / / "$P" ids caps
			is "$RC:$OUT" "$([ "$face" = hutch ] && echo 125 || echo 1):" \
				"$name: refuses to run, the command never starts"
			like "$ERR" 'refusing to run|cannot run with privileges' "$name: says why"
		done
	done
	rm -rf "$d"
}

# --- CVE-2024-32462: options injected as the command ------------------------------------------

case_option_injection() {
	local d face bin name cmd
	d=$(scratch)
	for cmd in --bind --ro-bind=x --args --version --help --seccomp-export --chdir; do
		printf '#!/bin/sh\necho "ran:${0##*/}:$*"\n' >"$d/$cmd"
		chmod 0755 "$d/$cmd"
	done
	for face in hutch bwrap; do
		bin=$(path_bin "$face" default)
		name="CVE-2024-32462 $MODE, $face face"
		for cmd in --bind --ro-bind=x --args --version --help --seccomp-export --chdir; do
			# shellcheck disable=SC2046 # split on purpose
			run_as "$MODE" "$bin" --ro-bind / / $(face_args "$face") \
				--setenv PATH "$d:/usr/bin:/bin" -- "$cmd" / /x 3
			is "$RC:$OUT" "0:ran:$cmd:/ /x 3" \
				"$name: after --, '$cmd / /x 3' is the command and its arguments"
		done
		# Without --: the same word is an option, never a command.
		# shellcheck disable=SC2046
		run_as "$MODE" "$bin" --ro-bind / / $(face_args "$face") \
			--setenv PATH "$d:/usr/bin:/bin" --bind "$BSRC" /mnt "$P" stat=/mnt/marker
		like "$RC:$(val stat:/mnt/marker)" '^0:file ' "$name: control: before --, --bind is an option"
		# -- inside --args: bubblewrap 0.11.1 drops what follows it in the fd, the hutch face
		# refuses it. Either way what follows is never an option.
		printf '%s\0' --ro-bind / / -- --bind "$BSRC" /mnt >"$T/args"
		# shellcheck disable=SC2046
		run_as "$MODE" "$bin" $(face_args "$face") --args 3 "$P" stat=/mnt/marker 3<"$T/args"
		if [ "$RC" != 0 ] && [ -z "$OUT" ]; then
			pass "$name: -- inside --args: refused (status $RC), nothing runs"
		else
			is "$RC:$(val stat:/mnt/marker)" 0:ENOENT \
				"$name: -- inside --args: the --bind after it is not applied"
		fi
	done
}

# --- CVE-2024-42472, CVE-2021-30465: symlink exchange races ----------------------------------

# race_start A B [A2 B2...]: an accomplice (as $MODE, the owner of the directory: a sandbox
# that ran before) exchanges each pair, atomically and as fast as it can, until race_stop.
RACE_PIDS=
race_start() {
	RACE_STOP=$T/race-stop
	rm -f "$RACE_STOP"
	(as_mode "$MODE" "$P" "exchange=$RACE_STOP,$(IFS=,; echo "$*")" >>"$T/race.out" 2>&1) &
	RACE_PIDS="$RACE_PIDS $!"
}
race_stop() {
	local p
	touch "$RACE_STOP"
	for p in $RACE_PIDS; do
		wait "$p"
	done
	RACE_PIDS=
	RACE_SWAPS=$(awk -F= '/^exchange:swaps=/ { n += $2 } END { print n + 0 }' "$T/race.out")
	rm -f "$T/race.out"
}
# shellcheck disable=SC2016 # eval'd at exit
at_cleanup 'touch "$T/race-stop"; for _p in $RACE_PIDS; do kill -9 $_p 2>/dev/null; done'

# race_tree BASE: BASE/w (bound at /w) holds three real directories d e f, each with a
# swapping partner: ld -> the host's victim by absolute path, le -> the same through
# /oldroot (the host's root during an attached setup), lf -> ../victim. The victim and the
# real directories hold the same names, so a walk that lands on the wrong one finds them.
race_tree() {
	local b=$1 x
	mkdir -m 0755 "$b/w"
	for x in "$b/victim" "$b/w/d" "$b/w/e" "$b/w/f"; do
		mkdir -m 0755 "$x" "$x/mnt"
		echo keep >"$x/keep"
		chmod 0640 "$x/keep"
		: >"$x/mask"
		: >"$x/mask2"
		chmod 0644 "$x/mask" "$x/mask2"
	done
	echo host >"$b/victim/whoami"
	ln -s "$b/victim" "$b/w/ld"
	ln -s "/oldroot$b/victim" "$b/w/le"
	ln -s ../victim "$b/w/lf"
	chown_mode "$MODE" "$b/victim" "$b/w"
}

# race_ops I: operations that create or change something, each aimed into d, e and f.
race_ops() {
	local x
	for x in d e f; do
		printf '%s\n' --dir "/w/$x/newdir.$1" --file 3 "/w/$x/newfile.$1" \
			--symlink planted "/w/$x/newlink.$1" --chmod 0700 "/w/$x/keep" \
			--ro-bind /dev/null "/w/$x/mask" --ro-bind-data 4 "/w/$x/mask2" \
			--bind-data 5 "/w/$x/newbd.$1" --bind "$BSRC" "/w/$x/mnt"
	done
}

case_race_destinations() {
	local path face base before after i ok=0 bad=0 ops name
	for path in $BUILD_PATHS; do
		face=hutch
		name="CVE-2021-30465/CVE-2024-42472 $MODE, $path path"
		base=$(mktemp -d "$T/race.XXXXXX")
		chmod 0755 "$base"
		race_tree "$base"
		before=$(snapshot "$base/victim" "$BSRC"; host_root_snapshot)
		race_start "$base/w/d" "$base/w/ld" "$base/w/e" "$base/w/le" "$base/w/f" "$base/w/lf"
		for i in $(seq "$RACE_LAUNCHES"); do
			mapfile -t ops < <(race_ops "$i")
			run_path "$MODE" "$face" "$path" "${MINROOT_NOPROC[@]}" --bind "$base/w" /w \
				"${ops[@]}" "$P" pid 3<"$DATA" 4<"$DATA" 5<"$DATA"
			if [ "$RC" = 0 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		done
		race_stop
		after=$(snapshot "$base/victim" "$BSRC"; host_root_snapshot)
		diag "$name: $ok launches ran, $bad stopped, $RACE_SWAPS swaps"
		if [ "$before" = "$after" ]; then
			pass "$name: swapping directories for links to the host while hutch builds leaves the host unchanged"
		else
			fail "$name: swapping directories for links to the host while hutch builds leaves the host unchanged" \
				"$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 20)"
		fi
		isnt "$RACE_SWAPS" 0 "$name: the accomplice did swap"
		rm -rf --one-file-system "$base" 2>/dev/null
		ok=0
		bad=0
	done
}

# One --bind-fd launch of case_race_bind_fd, counted in its inside, host or refused.
bind_fd_once() {
	# shellcheck disable=SC2046 # split on purpose
	run_as "$MODE" "$P" "with-fd=5:$base/w/p" "$(path_bin "$face" default)" \
		"${MINROOT[@]}" $(face_args "$face") --bind-fd 5 /persist "$P" read=/persist/whoami
	case $RC:$(val read:/persist/whoami) in
	'0:inside\n') inside=$((inside + 1)) ;;
	'0:host\n') host=$((host + 1)) ;;
	*) refused=$((refused + 1)) ;;
	esac
}

# flatpak's fix for CVE-2024-42472: the caller opens the directory without following a link
# (O_NOFOLLOW) and hands the fd over (--bind-fd); whatever the name points to afterwards, the
# sandbox gets that directory. A plain --bind of the name follows the link, on the host, by
# design: that part is the caller's, and is only counted.
case_race_bind_fd() {
	local face base i inside host refused plain_host name
	for face in hutch bwrap; do
		name="CVE-2024-42472 $MODE, $face face"
		base=$(mktemp -d "$T/racefd.XXXXXX")
		chmod 0755 "$base"
		mkdir -m 0755 "$base/victim" "$base/w" "$base/w/p"
		echo host >"$base/victim/whoami"
		echo inside >"$base/w/p/whoami"
		chmod 0644 "$base/victim/whoami" "$base/w/p/whoami"
		ln -s "$base/victim" "$base/w/q"
		chown_mode "$MODE" "$base/victim" "$base/w"
		inside=0 host=0 refused=0 plain_host=0
		race_start "$base/w/p" "$base/w/q"
		for i in $(seq "$RACE_LAUNCHES"); do
			bind_fd_once
			# shellcheck disable=SC2046
			run_as "$MODE" "$(path_bin "$face" default)" "${MINROOT[@]}" $(face_args "$face") \
				--bind "$base/w/p" /persist "$P" read=/persist/whoami
			[ "$(val read:/persist/whoami)" = 'host\n' ] && plain_host=$((plain_host + 1))
		done
		# hutch binds the path the fd names (the kernel will not clone a mount of another
		# namespace) and refuses when the swap lands in between; slowed down (ASan), that
		# can be every launch of the 40: go on until one lands, as a retrying caller would.
		for i in $(seq 400); do
			[ "$inside" = 0 ] || break
			bind_fd_once
		done
		race_stop
		diag "$name: --bind-fd: $inside inside, $host host, $refused refused (the name changed between resolving and binding); plain --bind reached the host $plain_host times"
		is "$host" 0 "$name: --bind-fd of an O_NOFOLLOW fd never gives the sandbox the host directory"
		isnt "$inside" 0 "$name: --bind-fd under the race still works"
		rm -rf --one-file-system "$base" 2>/dev/null
	done
}

# --- CVE-2019-5736: the binary of a running hutch ------------------------------------------------

case_exe_overwrite() {
	local d face v sum name bin
	d=$(mktemp -d "$T/exe.XXXXXX")
	chmod 0755 "$d"
	# A copy of its own: if the write ever worked, the other cases keep a good binary. The
	# caller owns it, so only hutch can stand in the way of a write.
	cp "$H" "$d/hutch"
	ln -s hutch "$d/bwrap"
	chmod 0755 "$d/hutch"
	chown_mode "$MODE" "$d/hutch"
	sum=$(sha256sum <"$d/hutch")
	for face in hutch bwrap; do
		bin=$d/$face
		for v in "--unshare-pid" "--sync-fd 5" "--unshare-pid --lock-file $P"; do
			name="CVE-2019-5736 $MODE, $face face, $v"
			# $PPID: the process behind the command when there is no PID namespace.
			# shellcheck disable=SC2046,SC2016 # split on purpose; expanded inside
			run_as "$MODE" "$bin" --ro-bind / / --proc /proc $v $(face_args "$face") \
				sh -c 'exec "$0" openw=/proc/1/exe reopenw=/proc/1/exe \
					openw=/proc/$PPID/exe reopenw=/proc/$PPID/exe readlink=/proc/$PPID/exe' \
				"$P" 5>"$T/fd5"
			unlike "$(val openw:/proc/1/exe) $(val reopenw:/proc/1/exe)" '(^| )0( |$)' \
				"$name: /proc/1/exe cannot be opened for writing"
			unlike "$(printf '%s\n' "$OUT" | sed -n 's/^\(re\)\{0,1\}openw:\/proc\/[0-9]*\/exe=//p' | paste -sd' ' -)" \
				'(^| )0( |$)' "$name: the parent's exe cannot be opened for writing"
		done
	done
	is "$(sha256sum <"$d/hutch")" "$sum" "CVE-2019-5736 $MODE: hutch's binary on the host is unchanged"
	rm -rf "$d"
}

# --- CVE-2024-21626: leaked descriptors and working directories ----------------------------------

case_leaked_cwd() {
	local face name n
	for face in hutch bwrap; do
		name="CVE-2024-21626 $MODE, $face face"
		# The caller's cwd is a directory the sandbox does not have.
		# shellcheck disable=SC2046 # split on purpose
		run_as "$MODE" sh -c 'cd "$1" && shift && exec "$@"' sh "$OUTSIDE" \
			"$(path_bin "$face" default)" "${MINROOT[@]}" --unshare-pid $(face_args "$face") \
			"$P" cwd 7<"$OUTSIDE"
		like "$RC:$(val cwd)" '^0:/' "$name: a caller's cwd outside the sandbox: the command's cwd is a path inside"
		# shellcheck disable=SC2046
		run_as "$MODE" sh -c 'cd "$1" && shift && exec "$@"' sh "$OUTSIDE" \
			"$(path_bin "$face" default)" "${MINROOT[@]}" --unshare-pid $(face_args "$face") \
			"$P" attack=canary:$OUTSIDE_ID,allow:7 7<"$OUTSIDE"
		unlike "$(printf '%s\n' "$OUT" | grep '^finding=' | grep -E 'self:(cwd|root)|dir-outside|host-proc|climbs' || echo none)" \
			'finding' "$name: no fd of the command or of pid 1 is a host directory; its cwd is inside"
		outside_clean
		# runc's WORKDIR /proc/self/fd/N: --chdir through the descriptors open during setup.
		for n in 3 4 5 6 7 8 9 10; do
			# The bwrap face hands fd 7 to the command on purpose: a cwd there is the caller's.
			[ "$face:$n" = bwrap:7 ] && continue
			# shellcheck disable=SC2046
			run_as "$MODE" "$(path_bin "$face" default)" "${MINROOT[@]}" --unshare-pid \
				$(face_args "$face") --chdir "/proc/self/fd/$n" "$P" cwd \
				attack=allow:7 7<"$OUTSIDE"
			if [ "$RC" != 0 ] && [ -z "$OUT" ]; then
				pass "$name: --chdir /proc/self/fd/$n: refused"
				continue
			fi
			unlike "$(printf '%s\n' "$OUT" | grep '^finding=' | grep 'self:cwd' || echo none)" \
				'finding' "$name: --chdir /proc/self/fd/$n does not leave the sandbox (cwd=$(val cwd))"
		done
	done
}

# --- CVE-2025-31133: masks put on a planted link -------------------------------------------------

# runc bind-mounted /dev/null over masked paths; a container that turned its /dev/null into a
# link had the mount land elsewhere. hutch's sources are host paths the sandbox cannot
# change, so here the link is the destination: --ro-bind /dev/null, --ro-bind-data,
# --bind-data and --dev-bind /dev/null onto a name the sandbox made a link to a host file
# (the races above aim the same operations at swapped directories).
case_mask_link() {
	local kind op base w victim before after name target
	for kind in abs oldroot proc-self-root rel; do
		for op in "--ro-bind /dev/null" "--ro-bind-data 3" "--bind-data 3" "--dev-bind /dev/null"; do
			base=$(mktemp -d "$T/mask.XXXXXX")
			chmod 0755 "$base"
			w=$base/w
			victim=$base/victim
			mkdir -m 0755 "$w"
			echo secret >"$victim"
			chmod 0644 "$victim"
			case $kind in
			abs) target=$victim ;;
			oldroot) target=/oldroot$victim ;;
			proc-self-root) target=/proc/self/root$victim ;;
			rel) target=../victim ;;
			esac
			ln -s "$target" "$w/mask"
			chown_mode "$MODE" "$w" "$victim"
			before=$(snapshot "$base"; stat -c '%y' "$victim"; host_root_snapshot)
			name="CVE-2025-31133 $MODE, $op onto a link -> $target"
			# shellcheck disable=SC2086 # op is split on purpose
			run_as "$MODE" "$H" "${MINROOT[@]}" --bind "$w" /w $op /w/mask \
				"$P" read=/w/mask writebyte=/w/mask 3<"$DATA"
			after=$(snapshot "$base"; stat -c '%y' "$victim"; host_root_snapshot)
			if [ "$before" = "$after" ] && [ "$(cat "$victim")" = secret ]; then
				pass "$name: the host file is untouched (status $RC)"
			else
				fail "$name: the host file is untouched" \
					"$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')"
			fi
			if [ "$RC" != 0 ] && [ -z "$OUT" ]; then
				pass "$name: refused (status $RC): the sandbox does not read the host file"
			else
				unlike "$(val read:/w/mask)" '^secret' \
					"$name: the sandbox does not read the host file through it"
			fi
			rm -rf --one-file-system "$base" 2>/dev/null
		done
	done
}

# --- CVE-2025-52881: /proc writes redirected -----------------------------------------------------

# fake_proc DIR: files where hutch's /proc writes would land if it wrote by name after the
# sandbox's /proc is in place: every one writable, so a misdirected write shows.
fake_proc() {
	local d=$1 f
	mkdir -p "$d/self/attr" "$d/thread-self/attr" "$d/sys/user" "$d/sys/kernel" "$d/1"
	for f in self/uid_map self/gid_map self/setgroups self/attr/exec thread-self/uid_map \
		thread-self/gid_map thread-self/setgroups thread-self/attr/exec \
		sys/user/max_user_namespaces sys/kernel/hostname 1/uid_map; do
		echo planted >"$d/$f"
	done
	chmod -R a+rwX "$d"
}

case_proc_redirect() {
	local fake setup opts name before after sysctl_before want got
	sysctl_before=$(cat /proc/sys/user/max_user_namespaces)
	for setup in "--bind FAKE /proc" "--tmpfs /proc" "--proc /proc --bind FAKE/sys /proc/sys"; do
		for opts in "--dev /dev" "--unshare-user --uid 1234 --gid 1234" \
			"--unshare-user --disable-userns" \
			"--unshare-user --unshare-pid --dev /dev --disable-userns"; do
			fake=$(mktemp -d "$T/fakeproc.XXXXXX")
			fake_proc "$fake"
			chown_mode "$MODE" "$fake"
			before=$(find "$fake" -type f -exec sh -c 'printf "%s %s\n" "$1" "$(cat "$1")"' sh {} \; | sort)
			name="CVE-2025-52881 $MODE, ${setup//FAKE/fake} $opts"
			# What the maps are with a real /proc: the writes must land there just the same.
			# shellcheck disable=SC2086 # split on purpose
			run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" --proc /proc $opts "$P" \
				read=/proc/self/uid_map read=/proc/self/gid_map errno-of=unshare-user
			want="$(val read:/proc/self/uid_map) $(val read:/proc/self/gid_map) $(val errno-of:unshare-user)"
			# shellcheck disable=SC2086
			run_as "$MODE" "$H" "${MINROOT_NOPROC[@]}" ${setup//FAKE/$fake} $opts \
				--proc /realproc "$P" read=/realproc/self/uid_map read=/realproc/self/gid_map \
				errno-of=unshare-user
			got="$(val read:/realproc/self/uid_map) $(val read:/realproc/self/gid_map) $(val errno-of:unshare-user)"
			after=$(find "$fake" -type f -exec sh -c 'printf "%s %s\n" "$1" "$(cat "$1")"' sh {} \; | sort)
			is "$before" "$after" "$name: nothing is written into the sandbox's fake /proc"
			is "$RC:$got" "0:$want" "$name: the maps (and the user-namespace limit) are the ones a real /proc gets"
			rm -rf "$fake"
		done
	done
	is "$(cat /proc/sys/user/max_user_namespaces)" "$sysctl_before" \
		"CVE-2025-52881 $MODE: the host's user.max_user_namespaces is unchanged"
}

for_each_mode case_tiocsti
for_each_mode case_privileged_install
for_each_mode case_option_injection
for_each_mode case_exe_overwrite
for_each_mode case_leaked_cwd
for_each_mode case_mask_link
for_each_mode case_proc_redirect
for_each_mode case_race_destinations
for_each_mode case_race_bind_fd
done_testing
