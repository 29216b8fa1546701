#!/bin/bash
# The bwrap face driven end to end the way its best-known clients drive bubblewrap 0.11:
# a flatpak-style launch (options through --args, --info-fd, --unshare-all, a libseccomp
# filter through --seccomp, a D-Bus-like socket bound in), a BuildStream-style build sandbox
# (--bind SYSROOT / --remount-ro / --unshare-user --uid 0 --gid 0), and a second sandbox
# joining a running one from its --info-fd output (--userns, --pidns).
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

BG_PIDS=
# shellcheck disable=SC2016 # eval'd at exit
at_cleanup 'for _p in $BG_PIDS; do kill -9 $_p 2>/dev/null; done; kill_matching "$T/"'

# json_num FILE KEY: the number after "KEY": in FILE.
json_num() {
	sed -n "s/.*\"$2\": \([0-9][0-9]*\).*/\1/p" "$1" | head -n 1
}

ns_keys() {
	grep -o '"[a-z]*-namespace"' "$1" | sed 's/"\([a-z]*\)-namespace"/\1/' | paste -sd, -
}

CG=
[ -e /proc/self/ns/cgroup ] && CG=cgroup,

# --- the seccomp filter, made with libseccomp as flatpak makes its own ------------------------

FILTER=
FILTER_WHY=
cat >"$T/mkfilter.c" <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <unistd.h>

/* Deny personality() and unshare() with EPERM, allow everything else; export as BPF. */
int main(int argc, char **argv)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int fd;

	if (argc != 2 || !ctx)
		return 1;
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 0) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) < 0)
		return 1;
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0)
		return 1;
	close(fd);
	seccomp_release(ctx);
	return 0;
}
EOF
_sc_flags=$(pkg-config --cflags --libs libseccomp 2>/dev/null || echo -lseccomp)
# shellcheck disable=SC2086 # flags are words
if ! ${CC:-cc} -o "$T/mkfilter" "$T/mkfilter.c" $_sc_flags >"$T/mkfilter.log" 2>&1; then
	FILTER_WHY="cannot build a libseccomp program: $(head -n 3 "$T/mkfilter.log" | tr '\n' ' ')"
elif ! "$T/mkfilter" "$T/filter.bpf"; then
	FILTER_WHY="the libseccomp program failed"
else
	FILTER=$T/filter.bpf
	chmod 0644 "$FILTER"
fi
unset _sc_flags

# --- a D-Bus-like listening socket: accepts one client, stores what it sent --------------------

BUS_PY=$T/bus.py
cat >"$BUS_PY" <<'EOF'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o777)
s.listen(1)
open(out + ".ready", "w").close()
s.settimeout(60)
data = b""
try:
    c, _ = s.accept()
    c.settimeout(10)
    while True:
        d = c.recv(100)
        if not d:
            break
        data += d
except Exception as e:
    data = ("error: %r" % e).encode()
with open(out + ".tmp", "wb") as f:
    f.write(data)
os.rename(out + ".tmp", out)
EOF

# ============================================================================================

case_flatpak() {
	local d uid run busdir pid
	if [ -z "$FILTER" ]; then
		skip "$MODE: flatpak-style launch ($FILTER_WHY)"
		return
	fi
	if [ -z "$PY" ]; then
		skip "$MODE: flatpak-style launch (no python3 for the bus)"
		return
	fi
	d=$(scratch)
	uid=$(mode_uid "$MODE")
	run=/run/user/$uid
	busdir=$(scratch)
	"$PY" "$BUS_PY" "$busdir/bus" "$d/bus.got" &
	BG_PIDS="$BG_PIDS $!"
	wait_until 10 test -e "$d/bus.got.ready"
	printf '[Application]\nname=org.example.Hutch\nruntime=runtime/org.example.Platform/x86_64/1\n' \
		>"$d/flatpak-info"
	chmod 0644 "$d/flatpak-info"

	# Most options through --args, as flatpak passes them (NUL-separated, in a file).
	local args=(--unshare-all --unshare-user --disable-userns --die-with-parent
		--ro-bind /usr /usr)
	local l
	for l in bin sbin lib lib32 lib64 libx32; do
		if [ -L "/$l" ]; then
			args+=(--symlink "$(readlink "/$l")" "/$l")
		elif [ -d "/$l" ]; then
			args+=(--ro-bind "/$l" "/$l")
		fi
	done
	args+=(--proc /proc --dev /dev --tmpfs /tmp --dir "$run" --perms 0700 --dir /var/tmp
		--ro-bind "$T/bin" "$T/bin"
		--bind "$busdir/bus" "$run/bus"
		--ro-bind-data 6 /.flatpak-info
		--setenv XDG_RUNTIME_DIR "$run"
		--setenv DBUS_SESSION_BUS_ADDRESS "unix:path=$run/bus"
		--unsetenv HUTCH_HOST_ONLY
		--chdir /
		--seccomp 5)
	printf '%s\0' "${args[@]}" >"$d/args"
	chmod 0644 "$d/args"
	run_as "$MODE" env HUTCH_HOST_ONLY=1 "$B" --args 3 --info-fd 4 -- "$P" ids ifaces pid \
		env=XDG_RUNTIME_DIR env=HUTCH_HOST_ONLY read=/.flatpak-info errno-of=personality \
		errno-of=unshare-user unix-send="$run/bus" fds ns=net cwd stat=/var/tmp \
		3<"$d/args" 4>"$d/info" 5<"$FILTER" 6<"$d/flatpak-info"
	is "$RC" 0 "$MODE: flatpak-style: runs"
	is "$(val uid)" "$uid" "$MODE: flatpak-style: the caller's uid inside"
	is "$(val ifaces)" lo:up "$MODE: flatpak-style: --unshare-all: only loopback"
	is "$(val pid)" 2 "$MODE: flatpak-style: --unshare-all: the app is pid 2 under a reaper"
	isnt "$(val ns:net)" "$(readlink /proc/self/ns/net)" "$MODE: flatpak-style: a new network namespace"
	is "$(val env:XDG_RUNTIME_DIR):$(val env:HUTCH_HOST_ONLY)" "$run:(unset)" \
		"$MODE: flatpak-style: environment from the --args file"
	like "$(val read:/.flatpak-info)" '^\[Application\]\\nname=org\.example\.Hutch\\n' \
		"$MODE: flatpak-style: --ro-bind-data /.flatpak-info"
	like "$(val stat:/var/tmp)" '^dir 0700 ' "$MODE: flatpak-style: --perms 0700 --dir from --args"
	is "$(val cwd)" / "$MODE: flatpak-style: --chdir /"
	is "$(val errno-of:personality)" EPERM "$MODE: flatpak-style: the libseccomp filter denies personality()"
	is "$(val errno-of:unshare-user)" EPERM "$MODE: flatpak-style: and unshare()"
	is "$(val "unix-send:$run/bus")" 0 "$MODE: flatpak-style: the bus socket accepts the connection"
	is "$(val fds)" 0,1,2 "$MODE: flatpak-style: --args, --info-fd, --seccomp and data fds are all closed"
	wait_until 15 test -e "$d/bus.got"
	is "$(cat "$d/bus.got" 2>/dev/null)" probe-hello "$MODE: flatpak-style: the message arrives outside"
	pid=$(json_num "$d/info" child-pid)
	like "$pid" '^[1-9][0-9]*$' "$MODE: flatpak-style: --info-fd gives child-pid"
	is "$(ns_keys "$d/info")" "${CG}ipc,mnt,net,pid,uts" \
		"$MODE: flatpak-style: --info-fd lists the namespaces of --unshare-all"
	is "net:[$(json_num "$d/info" net-namespace)]" "$(val ns:net)" \
		"$MODE: flatpak-style: its net-namespace is the app's"
}

# ============================================================================================

case_buildstream() {
	local sys build
	sys=$(owned_dir "$MODE")
	build=$(owned_dir "$MODE")
	mkdir -p "$sys/usr" "$sys/etc" "$sys/proc" "$sys/dev" "$sys/tmp" "$sys/buildstream-build" \
		"$sys$T/bin" "$sys/root"
	for l in bin sbin lib lib32 lib64 libx32; do
		if [ -L "/$l" ]; then
			ln -s "$(readlink "/$l")" "$sys/$l"
		elif [ -d "/$l" ]; then
			mkdir "$sys/$l"
		fi
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nbuilder:x:1000:1000::/tmp:/bin/sh\n' >"$sys/etc/passwd"
	printf 'root:x:0:\nbuilder:x:1000:\n' >"$sys/etc/group"
	printf 'passwd: files\ngroup: files\n' >"$sys/etc/nsswitch.conf"
	chmod -R a+rX "$sys"
	# The caller's own (root's in root mode: BuildStream's bwrap maps root onto root).
	[ "$(id -u)" = 0 ] && chown -R "$(mode_uid "$MODE"):$(mode_gid "$MODE")" "$sys" "$build"
	local libs=()
	for l in lib lib32 lib64 libx32; do
		[ -d "/$l" ] && [ ! -L "/$l" ] && libs+=(--ro-bind "/$l" "/$l")
	done
	# The sandbox BuildStream builds in: the sysroot read-only, a writable build directory.
	# shellcheck disable=SC2016 # expanded inside
	run_as "$MODE" "$B" --die-with-parent --unshare-pid --unshare-ipc --unshare-uts \
		--hostname buildstream --bind "$sys" / --ro-bind /usr /usr "${libs[@]}" \
		--ro-bind "$T/bin" "$T/bin" --proc /proc --dev /dev --bind "$build" /buildstream-build \
		--remount-ro / --unshare-user --uid 0 --gid 0 --chdir /buildstream-build \
		--setenv HOME /root -- sh -c '
			echo "whoami=$(whoami)"
			echo "id=$(id -u):$(id -g)"
			echo "host=$(hostname)"
			touch /newfile 2>&1 | sed "s/^/touch: /"
			echo built >/buildstream-build/out && echo "build=ok"
			exec "$0" touch=/etc/x mountflags=/ cwd' "$P"
	is "$RC" 0 "$MODE: BuildStream-style: runs"
	is "$(val whoami)" root "$MODE: BuildStream-style: whoami is root (the sysroot's passwd)"
	is "$(val id)" 0:0 "$MODE: BuildStream-style: --uid 0 --gid 0"
	is "$(val host)" buildstream "$MODE: BuildStream-style: --hostname"
	like "$OUT" '^touch: .*Read-only file system' "$MODE: BuildStream-style: touch /newfile fails: read-only"
	is "$(val touch:/etc/x)" EROFS "$MODE: BuildStream-style: writes into / fail with EROFS"
	like "$(val mountflags:/)" '(^|,)ro(,|$)' "$MODE: BuildStream-style: / is a read-only mount"
	is "$(val cwd):$(val build)" /buildstream-build:ok \
		"$MODE: BuildStream-style: the build directory is writable"
	is "$(cat "$build/out" 2>/dev/null)" built "$MODE: BuildStream-style: the result lands on the host"
	ok "$MODE: BuildStream-style: the sysroot is untouched" test ! -e "$sys/newfile" -a ! -e "$sys/etc/x"
}

# ============================================================================================

case_joined() {
	local d pid info rc bpid
	d=$(scratch)
	mkfifo -m 0666 "$d/info"
	# Sandbox A writes its info into a pipe the client reads, as flatpak does.
	# (The fifo is opened by a shell after timeout, so only the sandbox holds it.)
	(
		# shellcheck disable=SC2016 # expanded by that bash
		as_mode "$MODE" timeout -k 5 "$TEST_TIMEOUT" "$BASH" -c 'exec 3>"$0" && exec "$@"' \
			"$d/info" "$B" --unshare-all --ro-bind / / --proc /proc --bind "$d" "$d" \
			--info-fd 3 --die-with-parent "$P" wait-file="$d/stop" read="$d/from-b"
	) >"$d/a.out" 2>"$d/a.err" &
	bpid=$!
	BG_PIDS="$BG_PIDS $bpid"
	info=$(timeout 20 cat "$d/info")
	rc=$?
	is "$rc" 0 "$MODE: joined: the client reads A's info to EOF while A runs"
	pid=$(printf '%s\n' "$info" | sed -n 's/.*"child-pid": \([0-9][0-9]*\).*/\1/p')
	if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
		fail "$MODE: joined: A's child-pid is alive" "info: $info" "stderr: $(cat "$d/a.err")"
		touch "$d/stop"
		wait "$bpid"
		return
	fi
	pass "$MODE: joined: A's child-pid is alive"
	# The info reaches its EOF once pid 1 has closed its copy, which it does before it forks
	# the command: wait for the command, which must be pid 2.
	for _ in $(seq 200); do
		[ -n "$(cat "/proc/$pid/task/$pid/children" 2>/dev/null)" ] && break
		sleep 0.02
	done
	# shellcheck disable=SC2016 # expanded inside
	run_as "$MODE" "$B" --userns 5 --pidns 6 --ro-bind / / --proc /proc --bind "$d" "$d" \
		sh -c 'echo "comm2=$(cat /proc/2/comm)"
			echo "procs=$(ls /proc | grep -E "^[0-9]+$" | sort -n | paste -sd, -)"
			echo hello-from-b >"$0/from-b"; kill -0 2 && echo signal=ok
			exec "$1" ns=user ns=pid ns=net pid' "$d" "$P" \
		5<"/proc/$pid/ns/user" 6<"/proc/$pid/ns/pid"
	is "$RC" 0 "$MODE: joined: B runs in A's namespaces"
	is "$(val comm2)" probe "$MODE: joined: B sees A's command as pid 2"
	like "$(val procs)" '^1,2,[0-9]' "$MODE: joined: B's /proc lists A's processes and its own"
	is "$(val signal)" ok "$MODE: joined: B may signal A's command (same user namespace)"
	is "$(val ns:user)" "$(readlink "/proc/$pid/ns/user")" "$MODE: joined: B's user namespace is A's"
	is "$(val ns:pid)" "pid:[$(printf '%s\n' "$info" | sed -n 's/.*"pid-namespace": \([0-9]*\).*/\1/p')]" \
		"$MODE: joined: B's pid namespace is the one A's info reports"
	is "$(val ns:net)" "$(readlink /proc/self/ns/net)" \
		"$MODE: joined: B did not ask for A's network namespace"
	unlike "$(val pid)" '^[12]$' "$MODE: joined: B's command is a third process in A's namespace"
	touch "$d/stop"
	wait "$bpid"
	rc=$?
	OUT=$(cat "$d/a.out")
	is "$rc" 0 "$MODE: joined: A ends normally"
	is "$(val "read:$d/from-b")" 'hello-from-b\n' "$MODE: joined: A saw what B wrote"
}

for_each_mode case_flatpak
for_each_mode case_buildstream
for_each_mode case_joined
like "$(stat -c '%F %t:%T' /dev/null)" '^character special file 1:3$' "the host's /dev/null is intact"
done_testing
