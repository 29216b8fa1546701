#!/usr/bin/env python3
"""fdexec.py SPEC... -- COMMAND...: open the descriptors a bwrap caller hands to bwrap, the way
that caller makes them, then exec COMMAND with them at the given numbers (and nothing else
open but 0, 1, 2). Used by tests/test-callers.sh to replay real callers' command lines.

SPEC is N=KIND:ARG, the descriptor N made as:
  memfd:NAME:FILE    a memfd named NAME holding FILE's bytes, offset 0 (flatpak's --args,
                     --ro-bind-data, --file documents)
  sealed:NAME:FILE   the same, sealed against writes and resizes (WebKit's --args and
                     /.flatpak-info)
  unlinked:FILE      a regular file holding FILE's bytes, already unlinked, offset 0 (the
                     seccomp programs flatpak and gnome-desktop write with g_file_open_tmp)
  pipe:FILE          the read end of a pipe holding FILE's bytes, write end closed
  read:PATH          PATH opened read-only (a directory too: flatpak's --ro-bind-fd)
  write:PATH         PATH created or truncated for writing (--info-fd, --json-status-fd)
  socket:            one end of a socketpair (glycin's --dbus-fd)
"""
import fcntl
import os
import socket
import sys

F_ADD_SEALS = 1033
F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE = 1, 2, 4, 8


def make(kind, arg, tmpdir):
    if kind in ("memfd", "sealed"):
        name, path = arg.split(":", 1)
        flags = os.MFD_CLOEXEC | (os.MFD_ALLOW_SEALING if kind == "sealed" else 0)
        fd = os.memfd_create(name, flags)
        with open(path, "rb") as f:
            os.write(fd, f.read())
        os.lseek(fd, 0, os.SEEK_SET)
        if kind == "sealed":
            fcntl.fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)
        return fd, None
    if kind == "unlinked":
        path = os.path.join(tmpdir, ".fdexec-%d" % os.getpid())
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        os.unlink(path)
        with open(arg, "rb") as f:
            os.write(fd, f.read())
        os.lseek(fd, 0, os.SEEK_SET)
        return fd, None
    if kind == "pipe":
        r, w = os.pipe2(os.O_CLOEXEC)
        with open(arg, "rb") as f:
            os.write(w, f.read())
        os.close(w)
        return r, None
    if kind == "read":
        return os.open(arg, os.O_RDONLY | os.O_CLOEXEC), None
    if kind == "write":
        return os.open(arg, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644), None
    if kind == "socket":
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        return a.detach(), b  # b stays open (close-on-exec) until the exec
    raise SystemExit("fdexec.py: unknown kind %r" % kind)


def main():
    args = sys.argv[1:]
    if "--" not in args:
        raise SystemExit("usage: fdexec.py SPEC... -- COMMAND...")
    sep = args.index("--")
    specs, command = args[:sep], args[sep + 1:]
    tmpdir = os.environ.get("FDEXEC_TMPDIR", "/tmp")
    keep = []
    made = []
    for spec in specs:
        num, rest = spec.split("=", 1)
        kind, _, arg = rest.partition(":")
        fd, other = make(kind, arg, tmpdir)
        keep.append(other)
        # Out of the way first, so a later SPEC's target number cannot be taken.
        high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)
        os.close(fd)
        made.append((int(num), high))
    for num, high in made:
        os.dup2(high, num, inheritable=True)
        os.close(high)
    # Set by the test only so that python3 leaves LC_CTYPE alone (PEP 538).
    os.environ.pop("PYTHONCOERCECLOCALE", None)
    os.execvp(command[0], command)


main()
