#!/bin/bash
# The bwrap face (hutch run through a symlink named bwrap): bubblewrap 0.11's options,
# messages ("bwrap: " and bubblewrap's texts), exit status 1 for its own failures, inherited
# fds passed through. Where Debian's /usr/bin/bwrap (0.8) knows the option and behaves as
# 0.11 does, the same row runs against it too and stdout, stderr and status must match.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DATA=$T/data
echo fd-data >"$DATA"
chmod 0644 "$DATA"
AREA=$T/area
mkdir -m 0755 "$AREA"
printf '#!/bin/sh\necho ran\n' >"$AREA/not-executable"
chmod 0644 "$AREA/not-executable"

# The reference runs through a symlink named bwrap too, so both see argv[0] = "bwrap".
REF=${BWRAP_REF:-/usr/bin/bwrap}
mkdir -m 0755 "$T/ref"
if [ -x "$REF" ]; then
	ln -s "$REF" "$T/ref/bwrap"
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
'

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

for_each_mode case_compared
for_each_mode case_own
for_each_mode case_version_help
for_each_mode case_fds
done_testing
