#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/ (committed; run again
after editing the command lines below). The formats are those of tests/fuzz/README.md."""
import base64
import hashlib
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# flatpak 1.14 (flatpak-run.c): nearly everything goes through --args, in a memfd.
FLATPAK_ARGS = """--unshare-ipc --unshare-pid --unshare-net --unshare-cgroup-try
--die-with-parent --dev /dev --proc /proc --dir /tmp --dir /var/tmp --dir /run/host
--perms 0700 --dir /run/user/1000 --setenv XDG_RUNTIME_DIR /run/user/1000
--symlink ../run /var/run --ro-bind /sys/block /sys/block --ro-bind /sys/bus /sys/bus
--ro-bind /sys/class /sys/class --ro-bind /sys/dev /sys/dev --ro-bind /sys/devices /sys/devices
--ro-bind-try /proc/self/ns/user /run/.userns
--ro-bind /var/lib/flatpak/runtime/org.gnome.Platform/x86_64/45/active/files /usr
--lock-file /usr/.ref --ro-bind /var/lib/flatpak/app/org.example.App/x86_64/stable/active/files /app
--lock-file /app/.ref --symlink /usr/lib64 /lib64 --symlink /usr/lib /lib
--symlink /usr/bin /bin --symlink /usr/sbin /sbin --file 23 /etc/passwd --file 25 /etc/group
--ro-bind-data 27 /.flatpak-info --bind-data 29 /run/user/1000/flatpak-info
--ro-bind-try /etc/resolv.conf /run/host/monitor/resolv.conf
--bind /home/user/.var/app/org.example.App /home/user/.var/app/org.example.App
--setenv LD_LIBRARY_PATH /app/lib --unsetenv TMPDIR --chdir /home/user
--seccomp 31 --sync-fd 33 --info-fd 35 --json-status-fd 37 --disable-userns
--unshare-user --assert-userns-disabled""".split()
FLATPAK_CMD = ["--args", "40", "--", "/app/bin/example", "--gapplication-service"]

# WebKitGTK 2.42 (BubblewrapLauncher.cpp), a web process.
WEBKIT = """--die-with-parent --unshare-uts --unshare-ipc --unshare-cgroup-try --unshare-pid
--unshare-net --unshare-user-try --new-session --ro-bind-try /usr/share /usr/share
--ro-bind-try /usr/lib /usr/lib --ro-bind-try /usr/lib64 /usr/lib64
--ro-bind-try /etc/fonts /etc/fonts --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache
--symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin --dev /dev
--proc /proc --tmpfs /tmp --unsetenv TMPDIR --dir /run/user/1000
--setenv XDG_RUNTIME_DIR /run/user/1000 --chmod 0700 /run/user/1000
--bind /run/user/1000/webkitgtk/bus-proxy-1 /run/user/1000/bus --seccomp 42
--add-seccomp-fd 43 --info-fd 44 --
/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/WebKitWebProcess 7 30""".split()
WEBKIT = [w for w in WEBKIT if w != "--add-seccomp-fd" and w != "43"]  # --seccomp alone

COMMAND_LINES = [
    # (face, words)
    ("bwrap", FLATPAK_ARGS + ["--", "/app/bin/example"]),
    ("bwrap", WEBKIT),
    # BuildStream-style build sandbox
    ("bwrap", "--bind /sysroot / --remount-ro / --dir /buildstream --unshare-user --uid 0 "
              "--gid 0 --unshare-net --unshare-pid --dev /dev --proc /proc --tmpfs /tmp "
              "--chdir /buildstream -- sh -c make".split()),
    # joining a running sandbox from its --info-fd output
    ("bwrap", "--userns 11 --pidns 12 --ro-bind / / -- true".split()),
    ("bwrap", "--overlay-src /a --overlay-src /b --ro-overlay /c true".split()),
    ("bwrap", "--overlay-src /lower --overlay /upper /work /mnt --tmp-overlay /x true".split()),
    ("bwrap", "--size 1048576 --perms 0700 --tmpfs /tmp --cap-add CAP_NET_ADMIN "
              "--cap-drop ALL --userns-block-fd 5 --block-fd 6 --as-pid-1 true".split()),
    ("bwrap", ["--version"]),
    ("bwrap", ["--help"]),
    ("bwrap", []),
    ("hutch", "--unshare-all --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp sh -c id".split()),
    ("hutch", "--seccomp-profile strict --seccomp-allow ptrace --seccomp-deny "
              "personality:EPERM --seccomp-export /tmp/x.bpf --pass-fd 3 true".split()),
    ("hutch", "--size 1m --tmpfs /tmp --perms 0700 --dir /x --hostname h --unshare-uts "
              "--level-prefix --argv0 sh --setenv A B --clearenv true".split()),
    ("hutch", "--uid 5 --gid 6 --unshare-user --cap-add CAP_SYS_ADMIN --as-pid-1 "
              "--unshare-pid --lock-file /l --bind-fd 3 /b --ro-bind-fd 4 /c true".split()),
    ("hutch", "--args 3 --exec-label x --file-label y --mqueue /mq --remount-ro / true".split()),
]

ARGS_STREAMS = [
    (0, FLATPAK_ARGS),
    (1, FLATPAK_ARGS),
    (2, ["--dir", "/x", "--file", "9", "/f"]),
    (3, ["--unshare-all", "--share-net", "--", "cmd"]),
    (5, ["--ro-bind", "/", "/", "--proc", "/proc"]),
    (6, ["--setenv", "A"]),
    (0, ["--args", "3"]),
    (1, ["--size", "4096"]),
]

PROFILES = {
    "mux": "arch native compat\ndefault allow\nerrno EPERM socket\nallow socketcall\n"
           "errno EACCES semget\nallow socket arg0 == 1\n",
    "ioctl": "default errno ENOSYS\nallow ioctl\n"
             "errno EPERM ioctl arg1 &0xffffffff == 0x5412\n"
             "errno EPERM ioctl arg1 &0xffffffff == 0x541c\n",
    "conds": "default allow\nerrno EPERM read arg0 == 1 arg1 > 5 arg2 <= 0x100000000\n"
             "allow read arg1 == 7\nkill write arg0 >= 3 arg0 < 10\n"
             "trap getpid\nlog getppid\nerrno 0 getuid\n",
    "groups": "group @a\nread write\nend\ngroup @b\n@a close\nend\n"
              "default errno ENOSYS\nallow @b\nerrno EPERM ?nosuchcall open\n",
    "include": "include inc1\ninclude default\narch native\n%%% inc1\n"
               "group @mine\nclone unshare\nend\nerrno EPERM @mine arg0 &0x10000000 != 0\n",
    "adjust": "include lib/strict\n%%% adjust\nallow ptrace\ndeny personality:EACCES\n"
              "deny socket\nallow @io\n",
    "aarch64": "#native aarch64\narch native compat\ndefault allow\nerrno EPERM clone\n",
    "s390x": "#native s390x\ndefault allow\nerrno EPERM socket\nallow ipc\n",
    "arches": "arch x86 x32 aarch64 arm riscv64 ppc64le s390x mips mipsel64n32 parisc\n"
              "default trap\nallow read\n",
    "empty": "default allow\n",  # once NULL + 0 in the compiler (UBSan)
    "noarch": "#native riscv64\narch compat\ndefault allow\n",
    # once printed with "allow socketcall" after "errno EACCES getpid socket"
    "mux-print": "default allow\nerrno EACCES getpid\nallow socketcall\nerrno EACCES socket\n",
    # once "allows all": no filter, so i386 and x32 calls got through
    "native-allow": "arch native\ndefault allow\n",
}


# Inputs that once went wrong (base64), kept as regression tests of the targets.
REGRESSIONS = [
    # nine --args: the ninth read an fd of libFuzzer's and blocked (a harness bug)
    ("fuzz-options", "AS0tYXJncwBre2gALS1hcmdzADAALS1hcmdzAAAtLWFyZ3MAa3toAC0tYXJncwA1AC0tYX"
                     "JncwAALWJhHS0AAf9kAA=="),
    # mipsel o32: socket's own number was not found, only socketcall's selector
    ("fuzz-seccomp-profile", "I25hdGl2ZSBtaXBzZWw2NApkZWZhdWx0IGFsbG93CmVycm5vIEVQRVJNIHNv"
                             "Y2tldAo="),
]


def name(data):
    return hashlib.sha1(data).hexdigest()[:16]


def write(target, label, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, label + "-" + name(data)), "wb") as f:
        f.write(data)


def main():
    shutil.rmtree(os.path.join(HERE, "corpus"), ignore_errors=True)
    for i, (face, words) in enumerate(COMMAND_LINES):
        blob = b""
        if "--args" in words:
            blob = b"\xff" + b"\0".join(w.encode() for w in ["--tmpfs", "/tmp"])
        data = bytes([1 if face == "bwrap" else 0]) + b"\0".join(w.encode() for w in words)
        write("fuzz-options", "%s-%02d" % (face, i), data + blob)
    data = bytes([1]) + b"\0".join(w.encode() for w in FLATPAK_CMD) + b"\xff" + \
        b"\0".join(w.encode() for w in FLATPAK_ARGS) + b"\0"
    write("fuzz-options", "flatpak-args", data)
    for i, (flags, words) in enumerate(ARGS_STREAMS):
        data = bytes([flags]) + b"\0".join(w.encode() for w in words) + b"\0"
        write("fuzz-args", "%02d" % i, data)
    for shipped in ("default.profile", "strict.profile", "none.profile", "groups/common.inc"):
        with open(os.path.join(TOP, "seccomp-profiles", shipped), "rb") as f:
            write("fuzz-seccomp-profile", os.path.basename(shipped).split(".")[0], f.read())
    for label, text in PROFILES.items():
        write("fuzz-seccomp-profile", label, text.encode())
    for target, b64 in REGRESSIONS:
        write(target, "regress", base64.b64decode(b64))
    return 0


if __name__ == "__main__":
    sys.exit(main())
