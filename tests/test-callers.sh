#!/bin/bash
# Real callers of bubblewrap, replayed: each case is the command line one program builds (its
# source file cited above the case), with the same option order, descriptors made the way that
# program makes them (memfds, sealed memfds, unlinked files, pipes, sockets), the same
# environment and umask, and tests/probe in place of the program it would run. The case runs
# under the reference bubblewrap (BWRAP_REF, default /usr/bin/bwrap) and under hutch's bwrap
# face, each time from the same host state at the same paths, and everything a caller can see
# must be the same: the exit status, stdout (the probe's report: ids, capabilities, seccomp,
# descriptors, environment, every mount with its flags, the files the setup created inside),
# stderr, the --info-fd and --json-status-fd documents, and the files left on the host (types,
# modes, owners).
#
# Where the reference is older than 0.11 (Debian 12 has 0.8.0), what 0.9 to 0.11 changed is
# left out of the comparison (KNOWN_08 below); with BWRAP_REF=/opt/bwrap-0.11.1/bwrap nothing is.
# HUTCH_CALLERS="NAME..." runs only those cases.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

REF=${BWRAP_REF:-/usr/bin/bwrap}
if [ ! -x "$REF" ]; then
	echo "1..0 # SKIP no reference bubblewrap at $REF (install bubblewrap or set BWRAP_REF)"
	exit 0
fi
if [ -z "$PY" ]; then
	echo "1..0 # SKIP no python3 to make the callers' descriptors (memfds, sealed memfds)"
	exit 0
fi
mkdir -m 0755 "$T/ref"
ln -s "$REF" "$T/ref/bwrap"
RB=$T/ref/bwrap
REF_VERSION=$("$RB" --version 2>/dev/null | awk '{ print $2 }')
REF_OLD=no
if [ "$(printf '%s\n0.11.0\n' "$REF_VERSION" | sort -V | head -n 1)" != 0.11.0 ]; then
	REF_OLD=yes
fi
diag "reference: $REF (bubblewrap $REF_VERSION)"

cp "$srcdir/tests/fdexec.py" "$T/bin/fdexec.py"
chmod 0755 "$T/bin/fdexec.py"
# Where fdexec.py makes its unlinked files: writable by both modes.
mkdir -m 1777 "$T/fdtmp"
export FDEXEC_TMPDIR=$T/fdtmp
# python3 would set LC_CTYPE in the environment it passes on (PEP 538) unless told not to;
# fdexec.py drops the variable that tells it.
FDEXEC=(env PYTHONCOERCECLOCALE=0 "$PY" "$T/bin/fdexec.py")

BG_PIDS=
# shellcheck disable=SC2016 # eval'd at exit
at_cleanup 'for _p in $BG_PIDS; do kill -9 $_p 2>/dev/null; done; kill_matching "$T/"'

# --- seccomp programs as the callers make them (libseccomp, exported BPF) ---------------------

# flatpak: common/flatpak-run.c setup_seccomp (the list gnome-desktop's
# gnome-desktop-thumbnail-script.c and WebKit's BubblewrapLauncher.cpp carry copies of), with
# the i386 arch added as flatpak adds it for multiarch; glycin: glycin-core/src/sandbox.rs
# BLOCKED_SYSCALLS (ENOSYS for clone3 and the new mount API, personality only when non-zero).
cat >"$T/mkfilter.c" <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int deny(scmp_filter_ctx ctx, int err, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	return nr == __NR_SCMP_ERROR ? 0 : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

int main(int argc, char **argv)
{
	static const char *const common[] = { "syslog", "uselib", "acct", "quotactl", "add_key",
		"keyctl", "request_key", "move_pages", "mbind", "get_mempolicy", "set_mempolicy",
		"migrate_pages", "unshare", "mount", "pivot_root", "perf_event_open", NULL };
	static const char *const glycin_more[] = { "setns", "umount", "umount2", "chroot", NULL };
	static const char *const glycin_nosys[] = { "clone3", "open_tree", "move_mount", "fsopen",
		"fsconfig", "fsmount", "fspick", "mount_setattr", NULL };
	static const int families[] = { AF_AX25, AF_IPX, AF_APPLETALK, AF_NETROM, AF_BRIDGE,
		AF_ATMPVC, AF_X25, AF_ROSE, AF_DECnet, AF_NETBEUI, AF_SECURITY, AF_KEY };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int glycin, fd, rc = 0;
	size_t i;

	if (argc != 3 || !ctx)
		return 1;
	glycin = strcmp(argv[1], "glycin") == 0;
	if (seccomp_arch_add(ctx, SCMP_ARCH_X86) < 0)
		return 1;
	for (i = 0; common[i]; i++)
		rc |= deny(ctx, EPERM, common[i]);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
			       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, (int)TIOCSTI));
	if (glycin) {
		for (i = 0; glycin_more[i]; i++)
			rc |= deny(ctx, EPERM, glycin_more[i]);
		for (i = 0; glycin_nosys[i]; i++)
			rc |= deny(ctx, ENOSYS, glycin_nosys[i]);
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
				       SCMP_A0(SCMP_CMP_NE, 0));
	} else {
		rc |= deny(ctx, EPERM, "personality");
		rc |= deny(ctx, EPERM, "modify_ldt");
		rc |= deny(ctx, EPERM, "ptrace");
		for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
			seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
					       SCMP_A0(SCMP_CMP_EQ, families[i]));
		seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_GE, AF_NETLINK + 1));
	}
	if (rc)
		return 1;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0)
		return 1;
	close(fd);
	seccomp_release(ctx);
	return 0;
}
EOF
_sc_flags=$(pkg-config --cflags --libs libseccomp 2>/dev/null || echo -lseccomp)
# shellcheck disable=SC2086 # flags are words
${CC:-cc} -o "$T/mkfilter" "$T/mkfilter.c" $_sc_flags >"$T/mkfilter.log" 2>&1 ||
	bail_out "cannot build the libseccomp program: $(head -n 3 "$T/mkfilter.log" | tr '\n' ' ')"
"$T/mkfilter" flatpak "$T/flatpak.bpf" || bail_out "mkfilter flatpak failed"
"$T/mkfilter" glycin "$T/glycin.bpf" || bail_out "mkfilter glycin failed"
chmod 0644 "$T/flatpak.bpf" "$T/glycin.bpf"
unset _sc_flags

# --- what every case asks the probe -----------------------------------------------------------

WORLD=(ids caps nonewprivs seccomp seccomp-filters status=SigBlk status=SigIgn pid ppid session
	hostname cwd umask ifaces fdlinks environ mountinfo uid_map gid_map setgroups ns=user
	ns=mnt ns=pid ns=net ns=ipc ns=uts ns=cgroup rlimits argv0)

# --- normalising what differs from run to run (never what differs between the binaries) -------

HOST_NS_SED=
for _ns in user mnt pid net ipc uts cgroup; do
	_v=$(readlink "/proc/self/ns/$_ns" 2>/dev/null) || continue
	HOST_NS_SED="$HOST_NS_SED;s/${_v//[\[\]]/.}/$_ns:HOST/g"
done
unset _ns _v

# Mounts of other tests running at the same time come and go in the host's table (and so in
# that of a sandbox with the host's / bound): left out.
# A host mount covered by another on the same mount point (the host stacks two on /dev/shm
# and /dev/pts) cannot be reached in the sandbox; bubblewrap leaves its flags as they were,
# hutch sets them on every mount of a bind: only the visible one, the last, is compared.
norm_out() {
	awk -v o="mount=$(dirname "$T")/hutch-" -v m="mount=$T/" \
		'index($0, o) == 1 && index($0, m) != 1 { next }
		 /^mount=/ { k = $1; if (k in seen) line[seen[k]] = ""; seen[k] = NR }
		 { line[NR] = $0 }
		 END { for (i = 1; i <= NR; i++) if (line[i] != "") print line[i] }' |
		sed -E "${HOST_NS_SED#;}" |
		sed -E 's/(user|mnt|pid|net|ipc|uts|cgroup|time):\[[0-9]+\]/\1:NEW/g
			s/^(pid|ppid|sid|pgid)=[0-9]{3,}$/\1=HOSTPID/
			s/(pipe|socket):\[[0-9]+\]/\1:[N]/g
			s/^(fdlink:[0-9]+=\/memfd:[^ ]*) \(deleted\)$/\1/
			s/\/bindfile[A-Za-z0-9]{6}/\/bindfileXXXXXX/g
			s/^mount=\/ \/newroot tmpfs /mount=\/ \/ tmpfs /'
}

norm_err() {
	sed -E 's/^(<[0-9]>)?[^ ]*bwrap: /\1bwrap: /'
}

norm_doc() {
	sed -E 's/[0-9]+/N/g'
}

# What bubblewrap 0.9 to 0.11 changed in what these command lines show (sed programs applied
# to both sides when the reference is older than 0.11). Measured by running every case with
# 0.8.0 against 0.11.1: once normalised, nothing differs, so both are empty; a case that comes
# to need an entry gets it here with the bubblewrap change that explains it.
KNOWN_08_OUT=''
KNOWN_08_ERR=''

# host_snapshot DIR: every file under DIR, with type, mode, owner (and size for files).
host_snapshot() {
	find "$1" -printf '%P|%y|%m|%U:%G|%s|%l\n' 2>&1 |
		awk -F'|' '{ if ($2 != "f") $5 = "-"; print $1, $2, $3, $4, $5, $6 }' | sort
}

# --- running a case twice ---------------------------------------------------------------------

# Each case NAME has setup_NAME (the host state it starts from, made under $C as root) and
# run_NAME BWRAP (the caller's command line, through run_as "$MODE"). $C is the same path for
# both binaries and made afresh before each, so the two runs see and leave the same paths.
C=$T/c
D=$T/docs
R=$T/r
mkdir -m 0755 "$R"

fresh() {
	local m
	for m in $(awk -v c="$C/" 'index($5, c) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -rf --one-file-system "$C" "$D"
	mkdir -m 0755 "$C" "$D"
	chmod 0777 "$D"
}

# own PATH...: give PATH (recursively) to the caller of this mode.
own() {
	[ "$(id -u)" = 0 ] && chown -R "$(mode_uid "$MODE"):$(mode_gid "$MODE")" "$@"
	return 0
}

# launch UMASK CMD...: run CMD as $MODE with that umask (run_as's OUT, ERR, RC, LAST_CMD).
launch() {
	local u=$1
	shift
	# shellcheck disable=SC2016 # expanded by that bash
	run_as "$MODE" "$BASH" -c 'umask "$0" && exec "$@"' "$u" "$@"
}

# same ASPECT NAME: the ref and ours results of ASPECT agree.
same() {
	local aspect=$1 name=$2
	if cmp -s "$R/ref.$aspect" "$R/ours.$aspect"; then
		pass "$MODE: $name: $aspect as bubblewrap $REF_VERSION"
	else
		LAST_CMD=
		fail "$MODE: $name: $aspect as bubblewrap $REF_VERSION" \
			"$(diff -u --label "bubblewrap $REF_VERSION" --label hutch \
				"$R/ref.$aspect" "$R/ours.$aspect" | head -n 60)"
	fi
}

# compare NAME: run the case under both binaries and compare everything.
compare() {
	local name=$1 which bw
	for which in ref ours; do
		bw=$B
		[ "$which" = ref ] && bw=$RB
		fresh
		"setup_$name"
		"run_$name" "$bw"
		printf '%s\n' "$RC" >"$R/$which.status"
		printf '%s\n' "$OUT" | norm_out >"$R/$which.stdout"
		printf '%s\n' "$ERR" | norm_err >"$R/$which.stderr"
		if [ "$REF_OLD" = yes ]; then
			sed -i -E "$KNOWN_08_OUT" "$R/$which.stdout"
			sed -i -E "$KNOWN_08_ERR" "$R/$which.stderr"
		fi
		host_snapshot "$C" >"$R/$which.host-files"
		: >"$R/$which.documents"
		for f in "$D"/*; do
			[ -f "$f" ] || continue
			{ echo "== ${f##*/}"; norm_doc <"$f"; } >>"$R/$which.documents"
		done
		# Nothing of the run may outlive it (one grep over the command lines first: walking
		# them process by process is slow on a loaded machine).
		if grep -qsF -- "$C/" /proc/[0-9]*/cmdline; then
			kill_matching "$C/"
		fi
	done
	same status "$name"
	same stdout "$name"
	same stderr "$name"
	same host-files "$name"
	same documents "$name"
}

# args_file FILE ARGS...: ARGS NUL-separated in FILE, as callers write --args documents.
args_file() {
	local f=$1
	shift
	printf '%s\0' "$@" >"$f"
	chmod 0644 "$f"
}

# The top-level entries a caller binds from the host to make /usr work (usr-merged or not).
usr_links() {
	local l
	for l in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$l" ] && printf '%s %s\n' "$l" "$(readlink "/$l")"
	done
}

# ============================================================================================
# flatpak 1.14 (Debian 12's 1.14.10): `flatpak run`. common/flatpak-run.c (flatpak_run_app,
# flatpak_run_setup_base_argv, flatpak_run_add_environment_args), common/flatpak-bwrap.c
# (flatpak_bwrap_bundle_args: everything after the first arguments goes into a memfd named
# bwrap-args, passed with --args). Recorded from flatpak run under FLATPAK_BWRAP; flatpak gives
# bwrap an empty environment and sets every variable with --setenv. Paths: $C/home is $HOME,
# $C/xrun is $XDG_RUNTIME_DIR, $C/runtime and $C/app the deployed runtime and app.

flatpak_common_setup() {
	local uid
	uid=$(mode_uid "$MODE")
	mkdir -p "$C/runtime/files/bin" "$C/runtime/files/lib" "$C/runtime/files/lib64" \
		"$C/runtime/files/etc" "$C/app/files/bin" "$C/xrun/.flatpak/1234" \
		"$C/home/.var/app/org.hutch.App/cache/tmp" "$C/home/.var/app/org.hutch.App/data" \
		"$C/home/.var/app/org.hutch.App/config" "$C/xrun/.flatpak/org.hutch.App/xdg-run" \
		"$C/xrun/.flatpak/org.hutch.App/tmp" "$C/xrun/app/org.hutch.App"
	: >"$C/runtime/files/.ref"
	: >"$C/app/files/.ref"
	: >"$C/xrun/.flatpak/1234/.ref"
	: >"$C/xrun/.flatpak/org.hutch.App/.ref"
	printf '/usr/lib\n' >"$C/runtime/files/etc/ld.so.conf"
	cp "$P" "$C/app/files/bin/probe"
	printf 'root:x:0:0:root:/root:/bin/sh\nme:x:%s:%s::%s:/bin/sh\n' "$uid" "$uid" "$C/home" \
		>"$C/passwd"
	printf 'root:x:0:\nme:x:%s:\n' "$uid" >"$C/group"
	printf '[Application]\nname=org.hutch.App\nruntime=runtime/org.hutch.Platform/x86_64/1\n' \
		>"$C/xrun/.flatpak/1234/info"
	printf 'flatpak\n' >"$C/container-manager"
	printf 'Etc/UTC\n' >"$C/timezone"
	printf '# pkcs11\n' >"$C/pkcs11.conf"
	printf 'ld.so.cache stand-in\n' >"$C/ld.so.cache"
	printf '<fontconfig/>\n' >"$C/font-dirs.xml"
	chmod -R a+rX "$C"
	chmod 0700 "$C/home" "$C/xrun"
	own "$C"
}

# The options of flatpak_run_setup_base_argv and the run, in flatpak's order.
flatpak_run_args() {
	local uid=$1 h=$C/home a=$C/home/.var/app/org.hutch.App f
	FARGS=(--ro-bind-fd 20 /usr --lock-file /usr/.ref --ro-bind-fd 21 /app --lock-file /app/.ref
		--proc /proc --unshare-pid --dir /tmp --dir /var/tmp --dir /run/host
		--perms 0700 --dir "/run/user/$uid" --setenv XDG_RUNTIME_DIR "/run/user/$uid"
		--symlink ../run /var/run
		--ro-bind /sys/block /sys/block --ro-bind /sys/bus /sys/bus
		--ro-bind /sys/class /sys/class --ro-bind /sys/dev /sys/dev
		--ro-bind /sys/devices /sys/devices
		--ro-bind-try /proc/self/ns/user /run/.userns
		--symlink /etc/timezone /var/db/zoneinfo
		--ro-bind-data 22 /etc/passwd --ro-bind-data 24 /etc/group
		--ro-bind-data 25 /etc/pkcs11/pkcs11.conf)
	[ -e /etc/machine-id ] && FARGS+=(--ro-bind /etc/machine-id /etc/machine-id)
	FARGS+=(--ro-bind-fd 27 /etc/ld.so.conf
		--bind "$a/cache" /var/cache --bind "$a/data" /var/data --bind "$a/config" /var/config
		--bind "$a/cache/tmp" /var/tmp
		--symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64
		--ro-bind-data 28 /etc/timezone --seccomp 26)
	for f in /etc/resolv.conf /etc/host.conf /etc/hosts /etc/gai.conf; do
		[ -e "$f" ] && FARGS+=(--ro-bind "$f" "$f")
	done
	FARGS+=(--ro-bind-data 23 /etc/ld.so.cache
		--ro-bind "$C/xrun/.flatpak/1234" /run/flatpak/.flatpak/1234
		--lock-file /run/flatpak/.flatpak/1234/.ref
		--perms 0600 --file 30 /.flatpak-info --ro-bind-data 31 /.flatpak-info
		--setenv container flatpak --ro-bind-data 32 /run/host/container-manager --info-fd 33
		--bind "$C/xrun/.flatpak/org.hutch.App/xdg-run" "/run/user/$uid" --unshare-ipc
		--dev /dev --bind "$C/xrun/.flatpak/org.hutch.App/tmp" /tmp
		--bind "$C/xrun/app/org.hutch.App" /run/flatpak/app/org.hutch.App
		--dir "$h" --dir "$h/.local/share/flatpak" --dir "$h/.var/app" --bind "$a" "$a")
	[ -e /etc/os-release ] && FARGS+=(--ro-bind /etc/os-release /run/host/os-release)
	FARGS+=(--tmpfs /tmp/.X11-unix
		--ro-bind "$C/xrun/.flatpak/org.hutch.App/.ref" /run/flatpak/per-app-dirs-ref
		--lock-file /run/flatpak/per-app-dirs-ref)
	[ -d /usr/share/fonts ] && FARGS+=(--ro-bind /usr/share/fonts /run/host/fonts)
	FARGS+=(--tmpfs /run/host/user-fonts-cache --remount-ro /run/host/user-fonts-cache
		--ro-bind-data 35 /run/host/font-dirs.xml)
	[ -d /usr/share/icons ] && FARGS+=(--ro-bind /usr/share/icons /run/host/share/icons)
	FARGS+=(--symlink /app/lib/debug/source /run/build
		--symlink /usr/lib/debug/source /run/build-runtime
		--setenv FLATPAK_ID org.hutch.App --setenv HOME "$h"
		--setenv LD_LIBRARY_PATH '' --setenv PATH /app/bin:/usr/bin
		--setenv PS1 '[📦 $FLATPAK_ID \W]\$ ' --setenv SHELL /bin/sh
		--setenv XDG_CACHE_HOME "$a/cache" --setenv XDG_CONFIG_DIRS /app/etc/xdg:/etc/xdg
		--setenv XDG_CONFIG_HOME "$a/config" --setenv XDG_DATA_DIRS /app/share:/usr/share
		--setenv XDG_DATA_HOME "$a/data")
}

# The descriptors of a flatpak run, as flatpak makes them.
flatpak_fds() {
	# shellcheck disable=SC2191 # N=KIND:ARG words for fdexec.py, not array indices
	FFDS=(20=read:"$C/runtime/files" 21=read:"$C/app/files" 22=memfd:passwd:"$C/passwd"
		23=read:"$C/ld.so.cache" 24=memfd:group:"$C/group"
		25=memfd:pkcs11.conf:"$C/pkcs11.conf" 26=unlinked:"$T/flatpak.bpf"
		27=read:"$C/runtime/files/etc/ld.so.conf" 28=memfd:timezone:"$C/timezone"
		30=read:"$C/xrun/.flatpak/1234/info" 31=read:"$C/xrun/.flatpak/1234/info"
		32=memfd:container-manager:"$C/container-manager" 33=write:"$D/bwrapinfo.json"
		35=memfd:font-dirs.xml:"$C/font-dirs.xml" 36=memfd:bwrap-args:"$C/args")
}

setup_flatpak_run() {
	flatpak_common_setup
}

run_flatpak_run() {
	flatpak_run_args "$(mode_uid "$MODE")"
	args_file "$C/args" "${FARGS[@]}"
	flatpak_fds
	launch 0022 env -i "${FDEXEC[@]}" "${FFDS[@]}" -- "$1" --args 36 -- probe "${WORLD[@]}" \
		read=/.flatpak-info stat=/.flatpak-info read=/etc/passwd stat=/etc/passwd \
		stat=/run/.userns readlink=/var/db/zoneinfo errno-of=personality \
		errno-of=unshare-user errno-of=nested-proc tree=/ tree=/run tree=/var tree=/tmp \
		tree=/etc tree="$C" procs touch=/run/host/user-fonts-cache/x
}

# ============================================================================================
# flatpak 1.14: `flatpak build --filesystem=DIR` (app/flatpak-builtins-build.c, recorded):
# the app's build directory at /app, the host DIR bound at its own path and, when $HOME is
# under it, `--dir $HOME` on the existing host directory (which must stay 0700 on the host).

setup_flatpak_build() {
	flatpak_common_setup
	mkdir -p "$C/build/files" "$C/build/var/lib" "$C/build/var/tmp"
	own "$C/build"
}

run_flatpak_build() {
	local uid h=$C/home
	uid=$(mode_uid "$MODE")
	args_file "$C/args" --proc /proc --unshare-pid --dir /tmp --dir /var/tmp --dir /run/host \
		--perms 0700 --dir "/run/user/$uid" --setenv XDG_RUNTIME_DIR "/run/user/$uid" \
		--symlink ../run /var/run --ro-bind /sys/block /sys/block --ro-bind /sys/bus /sys/bus \
		--ro-bind /sys/class /sys/class --ro-bind /sys/dev /sys/dev \
		--ro-bind /sys/devices /sys/devices --ro-bind-try /proc/self/ns/user /run/.userns \
		--symlink /etc/timezone /var/db/zoneinfo --ro-bind-data 8 /etc/passwd \
		--ro-bind-data 9 /etc/group --ro-bind-data 11 /etc/pkcs11/pkcs11.conf \
		--ro-bind-fd 13 /etc/ld.so.conf --symlink usr/bin /bin --symlink usr/lib /lib \
		--symlink usr/lib64 /lib64 --ro-bind-data 14 /etc/timezone --seccomp 12 \
		--ro-bind "$C/runtime/files" /usr --lock-file /usr/.ref --bind "$C/build/files" /app \
		--setenv FLATPAK_DEST /app --setenv FLATPAK_ID org.hutch.App \
		--setenv FLATPAK_ARCH x86_64 --bind "$C/build/var/lib" /var/lib \
		--bind "$C/build/var/tmp" /var/tmp \
		--ro-bind "$C/xrun/.flatpak/1234" /run/flatpak/.flatpak/1234 \
		--lock-file /run/flatpak/.flatpak/1234/.ref --perms 0600 --file 16 /.flatpak-info \
		--ro-bind-data 17 /.flatpak-info --setenv container flatpak \
		--ro-bind-data 18 /run/host/container-manager --info-fd 19 --unshare-ipc \
		--unshare-net --dev /dev --bind "$C" "$C" --dir "$h" \
		--tmpfs "$h/.local/share/flatpak" --bind /usr /run/host/usr \
		--symlink usr/bin /run/host/bin --symlink usr/lib /run/host/lib \
		--symlink usr/lib64 /run/host/lib64 --symlink usr/sbin /run/host/sbin \
		--bind /etc /run/host/etc --tmpfs /tmp/.X11-unix \
		--symlink ../../../.flatpak-info "/run/user/$uid/flatpak-info" \
		--symlink ../../flatpak/.flatpak "/run/user/$uid/.flatpak" \
		--setenv PATH /app/bin:/usr/bin --setenv SHELL /bin/sh \
		--setenv LD_LIBRARY_PATH /app/lib --setenv LDFLAGS '-L/app/lib ' \
		--setenv LC_ALL en_US.utf8 --setenv PWD "$C" --setenv HOME "$h"
	cp "$P" "$C/build/files/probe"
	launch 0022 env -i "${FDEXEC[@]}" 8=memfd:passwd:"$C/passwd" 9=memfd:group:"$C/group" \
		11=memfd:pkcs11.conf:"$C/pkcs11.conf" 12=unlinked:"$T/flatpak.bpf" \
		13=read:"$C/runtime/files/etc/ld.so.conf" 14=memfd:timezone:"$C/timezone" \
		16=read:"$C/xrun/.flatpak/1234/info" 17=read:"$C/xrun/.flatpak/1234/info" \
		18=memfd:container-manager:"$C/container-manager" 19=write:"$D/bwrapinfo.json" \
		20=memfd:bwrap-args:"$C/args" -- \
		"$1" --args 20 -- /app/probe "${WORLD[@]}" stat="$h" tree=/run tree=/tmp \
		stat=/run/host/etc touch="$C/build/files/made-by-build" mkdir=/app/lib
}

# ============================================================================================
# flatpak-builder 1.2.3 (src/builder-module.c build, through `flatpak build`, recorded): the
# module's build directory bound at its own path and at /run/build/MODULE, the ccache
# directory at /run/ccache, the work done in /run/build/MODULE, --die-with-parent.

setup_flatpak_builder() {
	flatpak_common_setup
	mkdir -p "$C/bdir/files" "$C/bdir/var/lib" "$C/bdir/var/tmp" \
		"$C/.flatpak-builder/build/probe-1" "$C/.flatpak-builder/ccache"
	cp "$P" "$C/.flatpak-builder/build/probe-1/probe"
	own "$C/bdir" "$C/.flatpak-builder"
}

run_flatpak_builder() {
	local uid h=$C/home bd=$C/.flatpak-builder/build/probe-1
	uid=$(mode_uid "$MODE")
	args_file "$C/args" --proc /proc --unshare-pid --dir /tmp --dir /var/tmp --dir /run/host \
		--perms 0700 --dir "/run/user/$uid" --setenv XDG_RUNTIME_DIR "/run/user/$uid" \
		--symlink ../run /var/run --ro-bind /sys/block /sys/block --ro-bind /sys/bus /sys/bus \
		--ro-bind /sys/class /sys/class --ro-bind /sys/dev /sys/dev \
		--ro-bind /sys/devices /sys/devices --ro-bind-try /proc/self/ns/user /run/.userns \
		--symlink /etc/timezone /var/db/zoneinfo --die-with-parent \
		--ro-bind-data 8 /etc/passwd --ro-bind-data 9 /etc/group \
		--ro-bind-data 10 /etc/pkcs11/pkcs11.conf --ro-bind-fd 12 /etc/ld.so.conf \
		--symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
		--ro-bind-data 13 /etc/timezone --seccomp 11 \
		--ro-bind "$C/runtime/files" /usr --lock-file /usr/.ref --bind "$C/bdir/files" /app \
		--setenv FLATPAK_DEST /app --setenv FLATPAK_ID org.hutch.Built \
		--setenv FLATPAK_ARCH x86_64 --bind "$C/bdir/var/lib" /var/lib \
		--bind "$C/bdir/var/tmp" /var/tmp \
		--ro-bind "$C/xrun/.flatpak/1234" /run/flatpak/.flatpak/1234 \
		--lock-file /run/flatpak/.flatpak/1234/.ref --perms 0600 --file 15 /.flatpak-info \
		--ro-bind-data 16 /.flatpak-info --setenv container flatpak \
		--ro-bind-data 17 /run/host/container-manager --info-fd 18 --unshare-ipc \
		--unshare-net --dev /dev --bind "$bd" "$bd" --dir "$h" \
		--dir "$h/.local/share/flatpak" --tmpfs /tmp/.X11-unix --bind "$bd" /run/build/probe \
		--bind "$C/.flatpak-builder/ccache" /run/ccache --chdir /run/build/probe \
		--symlink ../../../.flatpak-info "/run/user/$uid/flatpak-info" \
		--symlink ../../flatpak/.flatpak "/run/user/$uid/.flatpak" \
		--setenv PATH /app/bin:/usr/bin --setenv SHELL /bin/sh --setenv LC_ALL en_US.utf8 \
		--setenv HOME "$h" --setenv CCACHE_DIR /run/ccache/disabled \
		--setenv FLATPAK_BUILDER_BUILDDIR /run/build/probe --setenv FLATPAK_BUILDER_N_JOBS 2
	# flatpak-builder reads the build's output through a pipe and runs it in the build dir.
	# shellcheck disable=SC2016 # expanded by that bash
	launch 0022 "$BASH" -c 'cd "$0" && "$@" 2>&1 | cat' "$bd" env -i "${FDEXEC[@]}" \
		8=memfd:passwd:"$C/passwd" 9=memfd:group:"$C/group" \
		10=memfd:pkcs11.conf:"$C/pkcs11.conf" 11=unlinked:"$T/flatpak.bpf" \
		12=read:"$C/runtime/files/etc/ld.so.conf" 13=memfd:timezone:"$C/timezone" \
		15=read:"$C/xrun/.flatpak/1234/info" 16=read:"$C/xrun/.flatpak/1234/info" \
		17=memfd:container-manager:"$C/container-manager" 18=write:"$D/bwrapinfo.json" \
		19=memfd:bwrap-args:"$C/args" -- \
		"$1" --args 19 -- ./probe "${WORLD[@]}" tree="$C" tree=/run/build \
		touch=/run/build/probe/made mkdir=/app/bin tty
}

# ============================================================================================
# flatpak 1.14: regenerating the ld.so cache (common/flatpak-run.c
# flatpak_run_maybe_regenerate_ld_so_cache, recorded): ldconfig -X -C in a writable
# /run/ld-so-cache-dir, the runtime and app bound from O_PATH-like descriptors.

setup_flatpak_ldconfig() {
	flatpak_common_setup
	mkdir -p "$C/home/.var/app/org.hutch.App/.ld.so"
	own "$C/home/.var/app/org.hutch.App/.ld.so"
}

run_flatpak_ldconfig() {
	local h=$C/home
	args_file "$C/args" --ro-bind-fd 20 /usr --lock-file /usr/.ref --ro-bind-fd 21 /app \
		--lock-file /app/.ref --symlink usr/bin /bin --symlink usr/lib /lib \
		--symlink usr/lib64 /lib64 --symlink ../usr/etc/ld.so.conf /etc/ld.so.conf \
		--unshare-pid --unshare-ipc --unshare-net --proc /proc --dev /dev \
		--bind "$h/.var/app/org.hutch.App/.ld.so" /run/ld-so-cache-dir --setenv HOME "$h" \
		--setenv LD_LIBRARY_PATH /app/lib --setenv PATH /app/bin:/usr/bin --setenv PWD "$C" \
		--setenv SHELL /bin/sh
	launch 0022 env -i "${FDEXEC[@]}" 20=read:"$C/runtime/files" 21=read:"$C/app/files" \
		22=memfd:bwrap-args:"$C/args" -- "$1" --args 22 probe "${WORLD[@]}" \
		readlink=/etc/ld.so.conf touch=/run/ld-so-cache-dir/cache.tmp tree=/ \
		touch=/usr/x touch=/app/x
}

# ============================================================================================
# flatpak 1.14: installation triggers (common/flatpak-dir.c flatpak_dir_run_triggers,
# recorded): the host's / read-only, the installation writable.

setup_flatpak_trigger() {
	mkdir -p "$C/home/.local/share/flatpak/exports/share"
	own "$C"
}

run_flatpak_trigger() {
	local f=$C/home/.local/share/flatpak
	launch 0022 env -i "$1" --unshare-ipc --unshare-net --unshare-pid --ro-bind / / \
		--proc /proc --dev /dev --bind "$f" "$f" -- "$P" "${WORLD[@]}" touch="$f/exports/x" \
		touch="$C/y" procs
}

# ============================================================================================
# WebKitGTK's web process: Source/WebKit/UIProcess/Launcher/glib/BubblewrapLauncher.cpp
# (bubblewrapSpawn, X11 session): everything in a sealed memfd named bwrap passed with --args,
# /.flatpak-info from a sealed memfd, a libseccomp filter from a memfd, the D-Bus proxy socket
# bound over the session bus path, binds that may be missing as --*-try.

setup_webkit() {
	local h=$C/home
	mkdir -p "$h/.config/fontconfig" "$h/.cache/fontconfig" "$C/run/webkitgtk" \
		"$C/libexec/webkit2gtk-4.1" "$C/x11"
	cp "$P" "$C/libexec/webkit2gtk-4.1/WebKitWebProcess"
	: >"$C/run/webkitgtk/dbus-proxy-AbCdEf"
	: >"$C/run/bus"
	printf '[Application]\nname=org.hutch.Browser\n' >"$C/flatpak-info"
	chmod -R a+rX "$C"
	chmod 0700 "$C/run"
	own "$C"
}

run_webkit() {
	local h=$C/home x=/usr/lib/x86_64-linux-gnu d
	local a=(--die-with-parent --unshare-pid --unshare-uts --unshare-net
		--ro-bind /etc /etc --dev /dev --proc /proc --tmpfs /tmp --unsetenv TMPDIR
		--dir /run --symlink ../run /var/run --symlink ../tmp /var/tmp
		--ro-bind /sys/block /sys/block --ro-bind /sys/bus /sys/bus
		--ro-bind /sys/class /sys/class --ro-bind /sys/dev /sys/dev
		--ro-bind /sys/devices /sys/devices
		--ro-bind-try /usr/share /usr/share --ro-bind-try /usr/local/share /usr/local/share
		--ro-bind-try /usr/share /usr/share
		--ro-bind-try /lib /lib --ro-bind-try /usr/lib /usr/lib
		--ro-bind-try /usr/local/lib /usr/local/lib --ro-bind-try "$x" "$x"
		--ro-bind-try /lib64 /lib64 --ro-bind-try /usr/lib64 /usr/lib64
		--ro-bind-try /usr/local/lib64 /usr/local/lib64
		--ro-bind-try "$C/libexec/webkit2gtk-4.1" "$C/libexec/webkit2gtk-4.1")
	for d in /etc/resolv.conf /etc/localtime; do
		[ -L "$d" ] && a+=(--ro-bind "$(readlink -f "$d")" "$(readlink -f "$d")")
	done
	a+=(--ro-bind-data 5 /.flatpak-info
		--bind-try /tmp/.X11-unix/X99 /tmp/.X11-unix/X99
		--ro-bind-try "$h/.Xauthority" "$h/.Xauthority"
		--bind "$C/run/webkitgtk/dbus-proxy-AbCdEf" "$C/run/bus"
		--bind-try "$C/run/pulse" "$C/run/pulse"
		--ro-bind-try "$h/.config/pulse" "$h/.config/pulse"
		--ro-bind-try "$h/.pulse" "$h/.pulse" --ro-bind-try "$h/.asoundrc" "$h/.asoundrc"
		--dev-bind-try /dev/snd /dev/snd
		--ro-bind-try "$h/.config/fontconfig" "$h/.config/fontconfig"
		--ro-bind-try "$h/.fontconfig" "$h/.fontconfig"
		--bind-try "$h/.cache/fontconfig" "$h/.cache/fontconfig"
		--ro-bind-try "$h/.fonts.conf" "$h/.fonts.conf"
		--ro-bind-try "$h/.config/.fonts.conf.d" "$h/.config/.fonts.conf.d"
		--ro-bind-try "$h/.local/share/fonts" "$h/.local/share/fonts"
		--ro-bind-try "$h/.fonts" "$h/.fonts" --ro-bind-try /var/cache/fontconfig /var/cache/fontconfig
		--ro-bind-try "$h/.local/share/gstreamer-1.0" "$h/.local/share/gstreamer-1.0"
		--bind-try "$h/.cache/gstreamer-1.0" "$h/.cache/gstreamer-1.0"
		--ro-bind-try /usr/libexec/gstreamer-1.0/gst-plugin-scanner /usr/libexec/gstreamer-1.0/gst-plugin-scanner
		--ro-bind-try /usr/libexec/gst-install-plugins-helper /usr/libexec/gst-install-plugins-helper
		--dev-bind-try /dev/dri /dev/dri --dev-bind-try /dev/mali /dev/mali
		--dev-bind-try /dev/mali0 /dev/mali0 --dev-bind-try /dev/umplock /dev/umplock
		--dev-bind-try /dev/nvidiactl /dev/nvidiactl --dev-bind-try /dev/nvidia0 /dev/nvidia0
		--dev-bind-try /dev/nvidia /dev/nvidia --dev-bind-try /dev/kgsl-3d0 /dev/kgsl-3d0
		--dev-bind-try /dev/ion /dev/ion --dev-bind-try /dev/v4l /dev/v4l
		--dev-bind-try /dev/video0 /dev/video0 --dev-bind-try /dev/video1 /dev/video1
		--ro-bind-try "$h/.config/gtk-3.0" "$h/.config/gtk-3.0"
		--ro-bind-try "$h/.local/share/themes" "$h/.local/share/themes"
		--ro-bind-try "$h/.themes" "$h/.themes" --ro-bind-try "$h/.icons" "$h/.icons"
		--seccomp 6)
	args_file "$C/args" "${a[@]}"
	launch 0022 env -i HOME="$h" XDG_RUNTIME_DIR="$C/run" TMPDIR="$C" DISPLAY=:99 \
		DBUS_SESSION_BUS_ADDRESS="unix:path=$C/run/bus" "${FDEXEC[@]}" \
		5=sealed:flatpak-info:"$C/flatpak-info" 6=memfd:seccomp-bpf:"$T/flatpak.bpf" \
		7=sealed:bwrap:"$C/args" -- "$1" --args 7 -- \
		"$C/libexec/webkit2gtk-4.1/WebKitWebProcess" "${WORLD[@]}" read=/.flatpak-info \
		stat=/.flatpak-info tree=/ tree=/run tree=/tmp stat="$C/run/bus" \
		stat="$h/.cache/fontconfig" touch="$h/.cache/fontconfig/x" touch=/etc/x \
		errno-of=ptrace-me errno-of=personality errno-of=nested-proc procs
}

# ============================================================================================
# gnome-desktop 43 and later: libgnome-desktop/gnome-desktop-thumbnail-script.c (add_bwrap,
# setup_seccomp with the host arch only, g_spawn_sync with the seccomp fd made inheritable):
# /usr, /etc/ld.so.cache, the usr-merged dirs as symlinks to "/usr//bin" (sic), a mkdtemp'd
# output dir as /tmp, the input bound at /tmp/gnome-desktop-file-to-thumbnail.EXT. The
# thumbnailer lives under the install prefix, here the probe's directory.

setup_thumbnailer() {
	mkdir -p "$C/in" "$C/gnome-desktop-thumbnailer-AbCdEf"
	printf 'PNG stand-in\n' >"$C/in/picture.png"
	chmod 0700 "$C/gnome-desktop-thumbnailer-AbCdEf"
	chmod 0644 "$C/in/picture.png"
	own "$C"
}

run_thumbnailer() {
	local a=(--ro-bind /usr /usr) d o=$C/gnome-desktop-thumbnailer-AbCdEf
	[ -e /etc/ld.so.cache ] && a+=(--ro-bind /etc/ld.so.cache /etc/ld.so.cache)
	for d in bin lib64 lib sbin; do
		[ -e "/$d" ] || continue
		if [ "$(stat -L -c %d:%i "/$d")" = "$(stat -L -c %d:%i "/usr/$d" 2>/dev/null)" ]; then
			a+=(--symlink "/usr//$d" "/$d")
		else
			a+=(--ro-bind "/$d" "/$d")
		fi
	done
	a+=(--proc /proc --dev /dev --chdir / --setenv GIO_USE_VFS local --unshare-all
		--die-with-parent --ro-bind "$T/bin" "$T/bin" --bind "$o" /tmp
		--ro-bind "$C/in/picture.png" /tmp/gnome-desktop-file-to-thumbnail.png --seccomp 9)
	launch 0077 env HOME="$C" "${FDEXEC[@]}" 9=unlinked:"$T/flatpak.bpf" -- "$1" "${a[@]}" \
		"$P" "${WORLD[@]}" read=/tmp/gnome-desktop-file-to-thumbnail.png tree=/ tree=/tmp \
		touch=/tmp/gnome-desktop-thumbnailer.png readlink=/bin errno-of=unshare-user \
		errno-of=mount-tmpfs
}

# ============================================================================================
# glycin 2 (GNOME's image loaders): glycin-core/src/sandbox.rs (Sandbox::bwrap_command and
# spawn): --unshare-all, /usr, the lib symlinks of /, a tmpfs HOME and XDG_RUNTIME_DIR, a clean
# environment, the seccomp program in a memfd, the loader (outside /usr, so bound), the D-Bus
# socket's fd passed through (--dbus-fd), stdin/stdout/stderr pipes, RLIMIT_AS set on bwrap.

setup_glycin() {
	mkdir -p "$C/loaders" "$C/cache/glycin"
	cp "$P" "$C/loaders/glycin-image-rs"
	chmod -R a+rX "$C"
	own "$C"
}

glycin_args() {
	local l target
	GA=(--unshare-all --die-with-parent --chdir / --ro-bind /usr /usr --dev /dev
		--ro-bind-try /etc/ld.so.cache /etc/ld.so.cache --ro-bind-try /nix/store /nix/store
		--tmpfs /tmp-home --tmpfs /tmp-run --clearenv --setenv HOME /tmp-home
		--setenv XDG_RUNTIME_DIR /tmp-run --setenv RUST_BACKTRACE 1)
	for l in /lib*; do
		if [ -L "$l" ]; then
			target=$(readlink -f "$l")
			case $target in /usr/*) GA+=(--symlink "$target" "$l") ;; esac
		fi
	done
	for l in /lib*; do
		[ -d "$l" ] && [ ! -L "$l" ] && GA+=(--ro-bind "$l" "$l")
	done
}

run_glycin() {
	local mem limit
	glycin_args
	mem=$(awk '/^MemAvailable:|^SwapFree:/ { t += $2 } END { printf "%d", (t * 1024 - 209715200) * 0.8 }' /proc/meminfo)
	limit=(prlimit --as="$mem")
	# An ASan build of hutch (make check-asan) reserves terabytes of address space for its
	# shadow memory and cannot start under any RLIMIT_AS: there both run without the limit.
	grep -aq __asan_init "$HUTCH" && limit=()
	# The loader's stdio are pipes glycin reads; the memory limit is set in bwrap's pre_exec.
	# shellcheck disable=SC2016 # expanded by that bash
	launch 0022 "$BASH" -c '{ : | "$@" | cat; } 2>&1 | cat' _ \
		"${limit[@]}" env RUST_BACKTRACE=1 "${FDEXEC[@]}" \
		10=memfd:seccomp-bpf-filter:"$T/glycin.bpf" 11=socket: -- \
		"$1" "${GA[@]}" --ro-bind "$C/loaders/glycin-image-rs" "$C/loaders/glycin-image-rs" \
		--seccomp 10 "$C/loaders/glycin-image-rs" --dbus-fd 11 "${WORLD[@]}" tree=/ \
		errno-of=personality errno-of=unshare-user errno-of=chroot read-fd=11 tty
}

# glycin's sandbox availability check (Sandbox::check_bwrap_syscalls_blocked_internal):
# the same command line with /usr/bin/true, judged by its status and known stderr texts.
setup_glycin_check() {
	setup_glycin
}

run_glycin_check() {
	glycin_args
	launch 0022 env RUST_BACKTRACE=1 "${FDEXEC[@]}" \
		10=memfd:seccomp-bpf-filter:"$T/glycin.bpf" 11=socket: -- \
		"$1" "${GA[@]}" --seccomp 10 /usr/bin/true --dbus-fd 11
}

# ============================================================================================
# opam 2: src/state/shellscripts/bwrap.sh (the `build` command): no --unshare-user (as a user
# bwrap makes one itself), $TMPDIR bound at /tmp, the system dirs read-only with their
# symlinks kept, the switch prefix read-only, the build directory ($PWD) writable; the build
# directory lies under $TMPDIR's host path, so it is created inside the bound /tmp.

setup_opam() {
	local s=$C/opam/default
	mkdir -p "$C/tmp" "$s/bin" "$s/.opam-switch/build/pkg.1.0"
	cp "$P" "$s/bin/probe"
	chmod 1777 "$C/tmp"
	own "$C/opam"
}

run_opam() {
	local s=$C/opam/default a l d
	a=(--unshare-net --new-session --proc /proc --dev /dev --bind "$C/tmp" /tmp
		--setenv TMPDIR /tmp --setenv TMP /tmp --setenv TEMPDIR /tmp --setenv TEMP /tmp
		--tmpfs /run)
	for d in /usr /bin /lib /lib32 /lib64 /etc /opt /home /var; do
		if [ -L "$d" ]; then
			a+=(--symlink "$(readlink -f "$d")" "$d")
		elif [ -d "$d" ]; then
			a+=(--ro-bind "$d" "$d")
		fi
	done
	a+=(--ro-bind "$s" "$s" --bind "$s/.opam-switch/build/pkg.1.0" "$s/.opam-switch/build/pkg.1.0")
	# shellcheck disable=SC2016 # expanded by that bash
	launch 0002 "$BASH" -c 'cd "$0" && exec "$@"' "$s/.opam-switch/build/pkg.1.0" \
		env OPAM_SWITCH_PREFIX="$s" TMPDIR="$C/tmp" "$1" "${a[@]}" "$s/bin/probe" \
		"${WORLD[@]}" tree=/tmp tree=/run touch=made-in-build touch=/tmp/made-in-tmp \
		touch="$s/x" readlink=/bin errno-of=unshare-user
}

# ============================================================================================
# BuildStream: src/buildstream/sandbox/_sandboxbwrap.py (SandboxBwrap._run and run_bwrap;
# BuildStream 2 hands the same job to buildbox-run-bubblewrap, whose source was not at hand):
# the environment as --setenv/--unsetenv, the staged sysroot bound at / and remounted
# read-only last, a handful of devices --dev-bind'ed, --json-status-fd read for the command's
# exit code, --unshare-user --uid 0 --gid 0, stdin /dev/null, a new session, close_fds.
# BuildStream removes afterwards what bwrap created in the sysroot (device files, dev/shm, tmp,
# dev, proc), so those are part of what it sees.

setup_buildstream() {
	local s=$C/sysroot
	mkdir -p "$s/bin" "$s/etc" "$s/buildstream/build" "$C/sources"
	cp "$P" "$s/bin/probe"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$s/etc/passwd"
	chmod -R a+rX "$C"
	own "$C"
}

run_buildstream() {
	local s=$C/sysroot a=() k
	a+=(--setenv PATH /usr/bin:/bin:/usr/sbin:/sbin --setenv SHELL /bin/sh
		--setenv TERM dumb --setenv USER tomjon --setenv USERNAME tomjon --setenv LC_ALL C
		--setenv HOME /tmp --setenv TZ UTC)
	for k in HOSTILE_HOST_VAR LANG; do
		a+=(--unsetenv "$k")
	done
	a+=(--unshare-pid --die-with-parent --bind "$s" / --unshare-net --unshare-uts
		--hostname buildstream --unshare-ipc --proc /proc --tmpfs /tmp)
	for k in /dev/full /dev/null /dev/urandom /dev/random /dev/zero; do
		a+=(--dev-bind "$k" "$k")
	done
	a+=(--tmpfs /dev/shm --dev-bind "$C/sources" /buildstream/build/src --remount-ro /
		--dir /buildstream/build --chdir /buildstream/build --unshare-user --uid 0 --gid 0
		--json-status-fd 3)
	launch 0022 env HOSTILE_HOST_VAR=1 LANG=C.UTF-8 setsid "${FDEXEC[@]}" \
		3=write:"$D/json-status" -- "$1" "${a[@]}" /bin/probe "${WORLD[@]}" tree=/ \
		tree=/dev touch=/x touch=/buildstream/build/src/out touch=/tmp/y procs \
		writebyte=/dev/null exit=3
}

# BuildStream's probe for user namespaces (SandboxBwrap._check_user_ns_available).
setup_buildstream_userns() {
	:
}

run_buildstream_userns() {
	launch 0022 "$1" --ro-bind / / --unshare-user --uid 0 --gid 0 whoami
}

# BuildStream's process handling (run_bwrap in the same file): bwrap's first child is the
# process that owns the pid namespace (terminate_bwrap SIGKILLs it), its first grandchild the
# command (suspend_bwrap stops that one's process group). The tree from the host while the
# command runs, then bwrap's status once that first child is killed.
setup_buildstream_tree() {
	setup_buildstream
}

run_buildstream_tree() {
	local s=$C/sysroot pid p depth n out="" kids
	(as_mode "$MODE" setsid "$1" --unshare-pid --die-with-parent --bind "$s" / --unshare-net \
		--unshare-uts --hostname buildstream --unshare-ipc --proc /proc --tmpfs /tmp \
		--dev-bind /dev/null /dev/null --dev-bind "$C/sources" /buildstream/build/src \
		--remount-ro / --unshare-user --uid 0 --gid 0 /bin/probe \
		touch=/buildstream/build/src/ready wait-file=/buildstream/build/src/stop) \
		>"$C/../bst.out" 2>"$C/../bst.err" &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	wait_until 20 test -e "$C/sources/ready"
	# Depth-first from bwrap: depth, name, how many pid namespaces the process is in.
	p=$pid
	depth=0
	while [ -n "$p" ] && [ "$depth" -lt 5 ]; do
		n=$(awk '/^NSpid:/ { print NF - 1 }' "/proc/$p/status" 2>/dev/null)
		kids=$(cat /proc/"$p"/task/*/children 2>/dev/null | wc -w)
		out="${out}process:$depth=$(cat "/proc/$p/comm" 2>/dev/null) pid-namespaces=$n children=$kids
"
		p=$(cat /proc/"$p"/task/*/children 2>/dev/null | awk '{ print $1; exit }')
		depth=$((depth + 1))
	done
	p=$(cat /proc/"$pid"/task/*/children 2>/dev/null | awk '{ print $1; exit }')
	[ -n "$p" ] && kill -9 "$p"
	wait "$pid"
	RC=$?
	OUT="${out}after-kill-of-first-child=$RC"
	ERR=$(cat "$C/../bst.err")
	rm -f "$C/../bst.out" "$C/../bst.err"
}

# ============================================================================================
# mat2 0.13: libmat2/bubblewrap.py (_get_bwrap_args and run): the system dirs and the current
# directory read-only, --unshare-user-try, --unshare-cgroup-try, --new-session, --cap-drop all,
# an empty temp dir bound over the output's directory (the input's own), then the input
# bound read-only in it. mat2 copies the result out of the temp dir afterwards; the probe's
# directory is bound at the end as the one addition.

setup_mat2() {
	mkdir -p "$C/work" "$C/tmpXYZ"
	printf 'JPEG stand-in\n' >"$C/work/photo.jpg"
	chmod 0700 "$C/tmpXYZ"
	own "$C"
}

run_mat2() {
	local a=() d w=$C/work
	for d in /usr /lib /lib64 /bin /sbin /etc/alternatives "$w"; do
		[ -d "$d" ] && a+=(--ro-bind "$d" "$d")
	done
	[ -f /etc/ld.so.cache ] && a+=(--ro-bind /etc/ld.so.cache /etc/ld.so.cache)
	a+=(--dev /dev --proc /proc --chdir "$w" --unshare-user-try --unshare-ipc --unshare-pid
		--unshare-net --unshare-uts --unshare-cgroup-try --new-session --cap-drop all
		--bind "$C/tmpXYZ" "$w" --ro-bind "$w/photo.jpg" "$w/photo.jpg"
		--ro-bind "$T/bin" "$T/bin")
	# shellcheck disable=SC2016 # expanded by that bash
	launch 0022 "$BASH" -c 'cd "$0" && exec "$@"' "$w" "$1" "${a[@]}" "$P" "${WORLD[@]}" \
		tree="$w" read="$w/photo.jpg" touch="$w/photo.cleaned.jpg" readlink=/lib procs
}

# ============================================================================================
# ansible-runner 2: src/ansible_runner/config/runner.py (wrap_args_for_sandbox, with
# build_process_isolation_temp_dir): the host's /dev with a relative destination ("dev"),
# /bin, /etc, /usr, /opt read-only, lib symlinks, hidden paths covered by fresh 0700 dirs and
# 0600 files from a 0700 temp dir, the private data dir writable, --chdir to the project. Run
# as root by AWX: no user namespace at all.

setup_ansible() {
	local p=$C/runner
	mkdir -p "$p/project" "$p/artifacts" "$C/tmp/ansible_runner_pi_ab12/tmpdir1" \
		"$C/secrets"
	printf 'secret\n' >"$C/secrets/vault.txt"
	: >"$C/tmp/ansible_runner_pi_ab12/tmpfile1"
	chmod 0700 "$C/tmp/ansible_runner_pi_ab12" "$C/tmp/ansible_runner_pi_ab12/tmpdir1"
	chmod 0600 "$C/tmp/ansible_runner_pi_ab12/tmpfile1"
	cp "$P" "$p/project/ansible-playbook"
	own "$C"
}

run_ansible() {
	local p=$C/runner pi=$C/tmp/ansible_runner_pi_ab12 a
	a=(--die-with-parent --unshare-pid --dev-bind /dev dev --proc /proc --dir /tmp
		--ro-bind /bin /bin --ro-bind /etc /etc --ro-bind /usr /usr)
	[ -d /opt ] && a+=(--ro-bind /opt /opt)
	a+=(--symlink usr/lib /lib --symlink usr/lib64 /lib64
		--bind "$pi/tmpdir1" "$C/secrets" --bind "$pi/tmpfile1" /etc/hostname
		--bind "$p" "$p" --chdir "$p/project")
	launch 0022 env -i PATH=/usr/bin:/bin "$1" "${a[@]}" "$p/project/ansible-playbook" \
		"${WORLD[@]}" ls="$C/secrets" read=/etc/hostname tree=/dev tree=/tmp \
		touch="$p/artifacts/out" touch=/etc/x procs
}

# ============================================================================================
# sandbox-runtime (anthropic-experimental/sandbox-runtime, the sandbox of AI agents):
# src/sandbox/linux-sandbox-utils.ts (wrapCommandWithSandboxLinux, generateFilesystemArgs):
# --new-session --die-with-parent, credential variables unset and masked, --unshare-net with
# the proxies' unix sockets bound, / read-only, the working directory writable with its
# dangerous files re-bound read-only, missing ones blocked by /dev/null (a file bwrap creates
# on the host) or an empty dir (for a missing parent), read-denied dirs and files covered,
# --unshare-pid --unshare-user --cap-drop ALL --proc /proc, the command through bash -c. The
# command inside then nests a user+pid+mount namespace with a fresh /proc (apply-seccomp).

setup_sandbox_runtime() {
	local w=$C/project
	mkdir -p "$w/.git/hooks" "$C/home/.ssh" "$C/empty-XYZ"
	printf '[core]\n' >"$w/.git/config"
	printf 'export X=1\n' >"$w/.profile"
	printf 'machine x\n' >"$C/home/.netrc"
	chmod 0700 "$C/home/.ssh" "$C/empty-XYZ"
	chmod 0600 "$C/home/.netrc"
	"$PY" -c 'import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX); s.bind(p)' "$C/claude-http-1.sock" "$C/claude-socks-1.sock"
	own "$C"
}

run_sandbox_runtime() {
	local w=$C/project h=$C/home f a
	a=(--new-session --die-with-parent --unsetenv GITHUB_TOKEN --setenv AWS_SECRET_ACCESS_KEY
		SRT_MASKED --unshare-net --bind "$C/claude-http-1.sock" "$C/claude-http-1.sock"
		--bind "$C/claude-socks-1.sock" "$C/claude-socks-1.sock"
		--setenv HTTP_PROXY http://localhost:3128 --setenv HTTPS_PROXY http://localhost:3128
		--setenv ALL_PROXY socks5h://localhost:1080 --setenv NO_PROXY 'localhost,127.0.0.1'
		--setenv CLAUDE_CODE_HOST_HTTP_PROXY_PORT 38417
		--ro-bind / / --bind "$w" "$w" --tmpfs "$h/.ssh")
	a+=(--ro-bind /dev/null "$h/.netrc")
	a+=(--ro-bind "$w/.git/hooks" "$w/.git/hooks" --ro-bind "$w/.git/config" "$w/.git/config"
		--ro-bind "$w/.profile" "$w/.profile")
	for f in .gitconfig .gitmodules .bashrc .bash_profile .zshrc .zprofile .ripgreprc \
		.mcp.json; do
		a+=(--ro-bind /dev/null "$w/$f")
	done
	a+=(--ro-bind "$C/empty-XYZ" "$w/.vscode" --ro-bind "$C/empty-XYZ" "$w/.claude"
		--dev /dev --unshare-pid --unshare-user --cap-drop ALL --proc /proc)
	# shellcheck disable=SC2016 # the command line sandbox-runtime gives bash
	launch 0022 env GITHUB_TOKEN=ghp_x AWS_SECRET_ACCESS_KEY=real "$1" "${a[@]}" -- \
		"$BASH" -c 'cd "$0" && exec "$@"' "$w" "$P" "${WORLD[@]}" tree="$w" \
		stat="$h/.ssh" read="$h/.netrc" touch="$w/.bashrc" touch="$w/new-file" \
		mkdir="$w/.claude/commands" touch=/etc/x unix-send="$C/claude-http-1.sock" \
		errno-of=nested-proc errno-of=unshare-user procs
}

CASES="flatpak_run flatpak_build flatpak_builder flatpak_ldconfig flatpak_trigger webkit
	thumbnailer glycin glycin_check opam buildstream buildstream_userns buildstream_tree mat2
	ansible
	sandbox_runtime"
for _case in ${HUTCH_CALLERS:-$CASES}; do
	for_each_mode compare "$_case"
done
done_testing
