#!/bin/bash
# test-shortcuts: the five everyday jobs of README.md, each one line of shortcut options, run
# as root and as uid 65534, and what each can and cannot reach as the kernel reports it: the
# home hidden, no network, only the project directory written, /dev/null, git and Python's
# subprocess working. Then the shortcuts one by one (--home-ro, --x11 through a socket of the
# test's own, the errors of those whose host has nothing to give).
KEEP_PLAN_WARNINGS=1
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

PY3=
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
GIT=$(command -v git 2>/dev/null || :)

# A home with a secret, and a project directory the sandbox of MODE may write.
setup() {
	rm -rf "$T/home" "$T/proj" "$T/outside"
	mkdir -p "$T/home" "$T/proj"
	echo secret >"$T/home/secret"
	chmod 0755 "$T/home"
	printf 'echo script ran\n' >"$T/proj/downloaded.sh"
	printf 'int main(void) { return 0; }\n' >"$T/proj/hello.c"
	printf 'hello: hello.c\n\tcc -o hello hello.c\n' >"$T/proj/Makefile"
	give_to "$MODE" "$T/proj"
}

# What every job checks from inside: key=value lines.
# shellcheck disable=SC2016 # expanded inside
REPORT='echo home=$(ls -A "$HOME" | wc -l); test -e "$HOME/secret" && echo secret=seen;
	echo ifaces=$(tail -n +3 /proc/net/dev | grep -cv "^ *lo:");
	echo devnull=$(echo x 2>/dev/null >/dev/null && echo ok);
	touch "$PWD/written" 2>/dev/null && echo cwd=written;
	touch ../outside 2>/dev/null; :'

# job NAME EXPECT_CWD_WRITTEN: checks on $OUT after the job ran REPORT.
check_job() {
	local name=$1 cwd=$2
	is "$RC" 0 "$MODE: $name: runs (status 0)"
	is "$(val home)" 0 "$MODE: $name: the home is empty inside"
	is "$(val secret)" "" "$MODE: $name: the secret file is not there"
	[ -f "$T/home/secret" ] && [ "$(ls -A "$T/home")" = secret ]
	ok "$MODE: $name: the real home is untouched" true
	is "$(val ifaces)" 0 "$MODE: $name: no network interface but lo"
	is "$(val devnull)" ok "$MODE: $name: /dev/null works"
	is "$(val cwd)" "$cwd" "$MODE: $name: the working directory written: '$cwd'"
	ok "$MODE: $name: nothing written beside it on the host" [ ! -e "$T/outside" ]
}

# 1. Run a downloaded script with no network and the home hidden.
case_script() {
	setup
	cd "$T/proj" || return
	run_as "$MODE" env HOME="$T/home" "$H" --base --unshare-all --cwd-ro \
		sh -c "sh ./downloaded.sh; $REPORT"
	like "$OUT" "script ran" "$MODE: script: the script ran"
	check_job script ""
}

# 3. Build a C project where only the build directory is writable.
case_build() {
	setup
	cd "$T/proj" || return
	run_as "$MODE" env HOME="$T/home" "$H" --base --unshare-all --cwd-rw \
		sh -c "make -s && $REPORT"
	ok "$MODE: build: the program was built in the project" [ -x "$T/proj/hello" ]
	check_job build written
}

# 4. A shell one-liner.
case_oneliner() {
	setup
	cd "$T/proj" || return
	run_as "$MODE" env HOME="$T/home" "$H" --base --unshare-all --cwd-ro \
		sh -c "ls /etc | wc -l; $REPORT"
	like "$OUT" "^[0-9]+" "$MODE: one-liner: prints what it counted"
	check_job one-liner ""
	is "$ERR" "" "$MODE: one-liner: nothing on stderr"
}

# 5. An AI agent's command with the workspace writable (git and Python as agents use them).
case_agent() {
	setup
	cd "$T/proj" || return
	if [ -n "$GIT" ]; then
		git init -q "$T/proj" && give_to "$MODE" "$T/proj"
	fi
	local cmd="$REPORT"
	[ -n "$GIT" ] && cmd="$cmd; git status --short >/dev/null && echo git=ok"
	[ -n "$PY3" ] && cmd="$cmd; $PY3 -c 'import subprocess; subprocess.run([\"true\"], check=True); print(\"py=ok\")'"
	run_as "$MODE" env HOME="$T/home" "$H" --base --unshare-all --cwd-rw --new-session \
		sh -c "$cmd"
	check_job agent written
	if [ -n "$GIT" ]; then
		is "$(val git)" ok "$MODE: agent: git status works"
	else
		skip "$MODE: agent: git is not installed"
	fi
	if [ -n "$PY3" ]; then
		is "$(val py)" ok "$MODE: agent: Python's subprocess works"
	else
		skip "$MODE: agent: python3 is not installed"
	fi
}

# 2. An X11 app: a socket of the test's own at /tmp/.X11-unix/X99 (the host's /tmp is not ours
# to change: a tmpfs on it in a user and mount namespace of unshare(1), with $T bound back).
case_x11() {
	if [ -z "$PY3" ] || ! command -v unshare >/dev/null; then
		skip "$MODE: x11: python3 or unshare(1) is not installed"
		return
	fi
	setup
	echo cookie >"$T/home/.Xauthority"
	cat >"$T/x11.sh" <<EOF
mount --bind "$T" /mnt && mount -t tmpfs tmpfs /tmp && mkdir -p "$T" && mount --bind /mnt "$T" ||
	exit 99
mkdir /tmp/.X11-unix
$PY3 -c '
import socket
s = socket.socket(socket.AF_UNIX); s.bind("/tmp/.X11-unix/X99"); s.listen(1)
open("/tmp/.X11-unix/ready", "w").close()
c, _ = s.accept(); c.sendall(b"x11-ok")' &
while [ ! -e /tmp/.X11-unix/ready ]; do sleep 0.05; done
cd "$T/proj"
DISPLAY=:99 HOME="$T/home" "$H" --base --unshare-all --x11 sh -c '
	$PY3 -c "import socket, os; s = socket.socket(socket.AF_UNIX); s.connect(\"/tmp/.X11-unix/X\" + os.environ[\"DISPLAY\"][1:]); print(\"x11=\" + s.recv(9).decode())"
	echo display=\$DISPLAY; echo xauth=\$(cat "\$XAUTHORITY"); $REPORT'
EOF
	run_as "$MODE" unshare -Urm bash "$T/x11.sh"
	if [ "$RC" = 99 ]; then
		skip "$MODE: x11: cannot mount a tmpfs on /tmp in a user namespace here"
		return
	fi
	is "$(val x11)" x11-ok "$MODE: x11: the client reached the display's socket"
	is "$(val display)" :99 "$MODE: x11: DISPLAY is set"
	is "$(val xauth)" cookie "$MODE: x11: the Xauthority file is readable"
	is "$(val home)" 1 "$MODE: x11: the home holds only the Xauthority file"
	is "$(val ifaces)" 0 "$MODE: x11: no network"
}

case_home_ro() {
	setup
	cd "$T/proj" || return
	run_as "$MODE" env HOME="$T/home" "$H" --base --home-ro sh -c \
		'cat "$HOME/secret"; touch "$HOME/new" 2>/dev/null && echo wrote'
	is "$OUT" secret "$MODE: --home-ro: the home is readable, not writable"
	ok "$MODE: --home-ro: nothing written on the host" [ ! -e "$T/home/new" ]
}

# A shortcut whose host has nothing to give fails before anything runs, naming why.
case_errors() {
	run_as "$MODE" env -u DISPLAY "$H" --base --x11 true
	is "$RC" 64 "$MODE: --x11 without DISPLAY: usage error"
	like "$ERR" "^hutch: cannot use --x11: DISPLAY is not set" "$MODE: ... names DISPLAY"
	run_as "$MODE" env -u WAYLAND_DISPLAY "$H" --wayland true
	like "$ERR" "^hutch: cannot use --wayland: WAYLAND_DISPLAY is not set" \
		"$MODE: --wayland without WAYLAND_DISPLAY"
	run_as "$MODE" env -u XDG_RUNTIME_DIR -u PULSE_SERVER "$H" --audio true
	like "$ERR" "^hutch: cannot use --audio: no PulseAudio or PipeWire socket" \
		"$MODE: --audio without a socket"
	run_as "$MODE" env DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/dbus-x "$H" --dbus-session true
	like "$ERR" "abstract socket" "$MODE: --dbus-session with an abstract socket: refused"
	run_as "$MODE" "$H" --perms 0700 --base true
	like "$ERR" "^hutch: --perms: must be followed" "$MODE: --perms cannot take a shortcut's op"
	cd / && run_as "$MODE" "$H" --cwd-rw true
	like "$ERR" "cannot use --cwd-rw: the working directory is /" "$MODE: --cwd-rw refuses /"
	cd "$T" || return
}

# --dbus-session with a bus of the test's own: bound, the address set, and the warning said.
case_dbus() {
	setup
	local bus=$T/proj/bus
	touch "$bus"
	run_as "$MODE" env DBUS_SESSION_BUS_ADDRESS="unix:path=$bus,guid=1" "$H" --base \
		--dbus-session sh -c 'echo "addr=$DBUS_SESSION_BUS_ADDRESS"; test -e "'"$bus"'" && echo bus=there'
	is "$(val addr)" "unix:path=$bus" "$MODE: --dbus-session: the address names the socket"
	is "$(val bus)" there "$MODE: --dbus-session: the socket is there"
	like "$ERR" "^hutch: warning: --dbus-session is a wide door" "$MODE: --dbus-session warns"
}

# --gpu: the devices this host has, or a clear refusal.
case_gpu() {
	if [ -e /dev/dri ] || ls /dev/nvidia* >/dev/null 2>&1; then
		run_as "$MODE" "$H" --base --gpu sh -c 'ls /dev/dri /dev/nvidia* 2>/dev/null | head -n 1'
		is "$RC" 0 "$MODE: --gpu: the devices are there"
	else
		run_as "$MODE" "$H" --base --gpu true
		like "$ERR" "cannot use --gpu: this host has no /dev/dri" "$MODE: --gpu: no GPU here"
	fi
}

for_each_mode case_script
for_each_mode case_x11
for_each_mode case_build
for_each_mode case_oneliner
for_each_mode case_agent
for_each_mode case_home_ro
for_each_mode case_errors
for_each_mode case_dbus
for_each_mode case_gpu
done_testing
