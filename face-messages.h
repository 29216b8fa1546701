/* face-messages: every message text of each face, side by side (the catalog face.h reads).
 * MSG(ID, hutch text, bwrap text): the hutch text follows `cannot VERB OBJECT[: REASON]`
 * (a usage error may name its option first: `--OPTION: REASON`), no capital, no final stop;
 * the bwrap text is bubblewrap 0.11.1's, or the old one where bubblewrap has none. Both take
 * the same printf arguments; the bwrap text may leave off trailing ones (C11 7.21.6.1p2:
 * excess arguments are evaluated and ignored). tests/unit-face.c checks all of it.
 * No include guard: included once per use with a different MSG(). */

MSG(CAP_BOUND_DROP, "cannot drop capability %d from the bounding set",
    "Dropping capability %d from bounds")
MSG(CAP_AMBIENT_CLEAR, "cannot clear the ambient capability set", "Clearing ambient capabilities")
MSG(CAP_SET_COMMAND, "cannot set the capabilities of the command", "capset failed")
MSG(CAP_CLEAR_REAPER, "cannot clear the capabilities of the reaper", "capset failed")
MSG(LABEL_UNSUPPORTED,
    "--exec-label and --file-label need SELinux, which is not enabled on this system",
    "labeling not supported on this system")
MSG(LABEL_INVALID, "cannot use the SELinux label '%s'", "invalid label %s")
MSG(LABEL_EXEC, "cannot set the SELinux label '%s' for exec", "label_exec %s")
MSG(SIGNALFD, "cannot create a signalfd", "Can't create signalfd")
MSG(LOOPBACK_SOCKET, "cannot create a socket to set up loopback", "Failed to create socket")
MSG(LOOPBACK_FLAGS, "cannot read the flags of 'lo'", "loopback: Failed to get flags")
MSG(LOOPBACK_UP, "cannot bring up 'lo'", "loopback: Failed RTM_NEWLINK")
MSG(PIPE, "cannot create a pipe", "pipe2")
MSG(INFO_FD_WRITE, "cannot write to --info-fd %d", "Write to info_fd")
MSG(JSON_FD_WRITE, "cannot write to --json-status-fd %d", "Write to info_fd")
MSG(GO_WRITE, "cannot tell the sandbox to start", "write go")
MSG(PARENT_READ, "cannot read %s", "read %s")
MSG(PIDNS_JOIN, "cannot join the PID namespace of fd %d (--pidns)", "Setting pidns failed")
MSG(PIDNS_CREATE, "cannot create a PID namespace", "unshare pid ns")
MSG(PIDNS_FORK, "cannot fork into the PID namespace", "Can't fork for --pidns")
MSG(PIDNS_SEND_PID, "cannot send the sandbox pid", "Can't send pid")
MSG(PID1_FORK, "cannot fork the command", "Can't fork for pid 1")
MSG(PID1_SIGWAIT, "cannot wait for signals in the sandbox's pid 1", "init sigwaitinfo()")
MSG(PID1_WAIT, "cannot wait for the children of the sandbox's pid 1", "init wait()")
MSG(FDS_CLOEXEC, "cannot mark descriptors close-on-exec", "close_range")
MSG(PASS_FD, "cannot pass fd %d (--pass-fd)", "fcntl fd %d")
MSG(SETENV, "cannot change the environment variable '%s'", "setenv %s")
MSG(CHDIR, "cannot change directory to '%s' (--chdir)", "Can't chdir to %s")
MSG(LOCK_NOT_REGULAR, "cannot open the lock file '%s' (--lock-file): it is not a regular file",
    "Unable to open lock file %s: not a regular file")
MSG(LOCK_OPEN, "cannot open the lock file '%s' (--lock-file)", "Unable to open lock file %s")
MSG(LOCK, "cannot lock '%s' (--lock-file)", "Unable to lock file %s")
MSG(SCRATCH_MOUNT, "cannot mount the scratch tmpfs", "Failed to mount tmpfs")
MSG(SCRATCH_MKDIR, "cannot create directories in the scratch tmpfs", "Creating oldroot failed")
MSG(SCRATCH_CREATE, "cannot create a file in the scratch tmpfs", "Creating stage failed")
MSG(SCRATCH_PIVOT, "cannot pivot_root into the scratch tmpfs", "pivot_root")
MSG(BASE_MOUNT, "cannot mount the base tmpfs", "Failed to mount tmpfs")
MSG(BASE_MODE, "cannot set the mode of the base tmpfs", "Failed to mount tmpfs")
MSG(ROOT_SLAVE, "cannot make / a slave mount", "Failed to make / slave")
MSG(HOST_ROOT_DETACH, "cannot detach the host root", "unmount old root")
MSG(NEW_ROOT_CHDIR, "cannot enter the new root", "Can't chdir to new root")
MSG(NEW_ROOT_PIVOT, "cannot pivot_root into the new root", "pivot_root")
MSG(OLD_ROOT_DETACH, "cannot detach the old root", "unmount old root")
MSG(NEW_ROOT_MISSING, "cannot enter the new root: it is not in place after pivot_root",
    "Failed to pivot to the new root")
MSG(OP_CHMOD, "cannot chmod %03o '%s' (--%s)", "Can't chmod %#o %s")
MSG(OP_BIND, "cannot bind '%s' on '%s' (--%s)", "Can't bind mount %s on %s")
MSG(OP_BIND_FD, "cannot bind fd %d on '%s' (--%s)", "Can't bind mount fd %d on %s")
MSG(OP_FD_SOURCE, "cannot find the source of fd %d (--%s)",
    "Can't find source path /proc/self/fd/%d")
MSG(OP_FD_RACE, "cannot bind fd %d (--%s): its source changed while binding it",
    "Race condition binding dirfd")
MSG(OP_MOUNT, "cannot mount %s on '%s' (--%s)", "Can't mount %s on %s")
MSG(OP_OPEN_SUB, "cannot open '%s/%s' (--%s)", "Can't access %s/%s")
MSG(OP_SUB_RDONLY, "cannot make '%s/%s' read-only (--%s)", "Can't bind mount %s/%s read-only")
MSG(OP_PROC_BIND, "cannot bind the host's /proc on '%s' (--%s)", "Can't mount proc on %s")
MSG(OP_OPEN, "cannot open '%s' (--%s)", "Can't open %s")
MSG(OP_CREATE_SUB, "cannot create '%s/%s' (--%s)", "Can't create file %s/%s")
MSG(OP_BIND_SUB, "cannot bind '%s' on '%s/%s' (--%s)", "Can't bind mount %s on %s/%s")
MSG(OP_SYMLINK_SUB, "cannot create symlink '%s/%s' (--%s)", "Can't create symlink %s/%s")
MSG(OP_DEV_MKDIR, "cannot create directories in '%s' (--%s)", "Can't mkdir %s/pts")
MSG(OP_DEVPTS, "cannot mount devpts on '%s/pts' (--%s)", "Can't mount devpts on %s/pts")
MSG(OP_SYMLINK_NOT_LINK,
    "cannot create symlink '%s' -> '%s' (--%s): a file that is not a symlink exists there",
    "Can't make symlink at %s: destination exists and is not a symlink%.0s%.0s")
MSG(OP_SYMLINK_UNREADABLE,
    "cannot create symlink '%s' -> '%s' (--%s): it exists and cannot be read",
    "Can't make symlink at %s: destination exists, and cannot read symlink target%.0s%.0s")
MSG(OP_SYMLINK, "cannot create symlink '%s' -> '%s' (--%s)", "Can't make symlink at %s%.0s%.0s")
MSG(OP_WRITE, "cannot write '%s' (--%s)", "Can't write data to file %s")
MSG(OP_CREATE_FILE, "cannot create file '%s' (--%s)", "Can't create file %s")
MSG(OP_FILE_NOT_REGULAR,
    "cannot create file '%s' (--%s): something that is not a regular file exists there",
    "Can't create file at %s%.0s: not a regular file")
MSG(OP_TRUNCATE, "cannot truncate '%s' (--%s)", "Can't create file at %s")
MSG(OP_DATA_CREATE, "cannot create the data file for '%s' (--%s)", "Can't create tmpfile for %s")
MSG(OP_DATA_CHMOD, "cannot chmod %#o the data file for '%s' (--%s)",
    "Can't set mode %#o on file to be used for %s")
MSG(OP_DATA_UNLINK, "cannot remove the data file for '%s' (--%s)", "Can't unlink tmpfile for %s")
MSG(OP_SOURCE, "cannot find source '%s' (--%s)", "Can't find source path %s")
MSG(OP_OVERLAY_UPPER, "cannot create the upper layer for '%s' (--%s)",
    "Creating --tmp-overlay upperdir failed")
MSG(OP_OVERLAY_OVERLAP,
    "cannot mount the overlay on '%s' (--%s%.0s): the overlay directories overlap",
    "Can't make overlay mount on %s%.0s with options %s: Overlay directories may not overlap")
MSG(OP_OVERLAY, "cannot mount the overlay on '%s' (--%s%.0s)",
    "Can't make overlay mount on %s%.0s with options %s")
MSG(OP_SOURCE_TYPE, "cannot find source '%s' (--%s)", "Can't get type of source %s")
MSG(OP_SOURCE_STAT, "cannot stat source '%s' (--%s)", "Can't stat %s")
MSG(OP_PARENTS, "cannot create the parent directories of '%s' (--%s)", "Can't mkdir parents for %s")
MSG(OP_MKDIR, "cannot create directory '%s' (--%s)", "Can't mkdir %s")
MSG(OP_MOUNT_POINT, "cannot create mount point '%s' (--%s)", "Can't create file at %s")
MSG(PRIVILEGED,
    "cannot run with privileges: %s\nhint: hutch needs none: remove them (chmod u-s,g-s; setcap -r)",
    "refusing to run: %s; this bwrap (hutch) must not be setuid")
MSG(PIPE_CHILD, "cannot create a pipe", "pipe2()")
MSG(USERNS2_JOIN, "cannot join the user namespace of fd %d (--userns2)", "Setting userns2 failed")
MSG(PID1_CLOSE_FDS, "cannot close the descriptors of the sandbox's pid 1", "close_range in pid 1")
MSG(LIMITS_TRY, "cannot set the limits that stand in for a cgroup (--limits-try)", "setrlimit")
MSG(CGROUPNS_CREATE, "cannot create the cgroup namespace", "unshare cgroup ns")
MSG(PROC_SELF_OPEN, "cannot open /proc/self", "open /proc/self failed")
MSG(HOSTNAME, "cannot set the hostname to '%s'", "Can't set hostname to %s")
MSG(NO_NEW_PRIVS, "cannot set no_new_privs", "prctl(PR_SET_NO_NEW_PRIVS) failed")
MSG(SETSID, "cannot start a new session", "setsid")
MSG(PID1_DUMPABLE, "cannot make pid 1 non-dumpable", "prctl(PR_SET_DUMPABLE)")
MSG(PIDNS_NO_PID, "cannot learn the pid of the sandbox (--pidns)", "No pid returned on socket")
MSG(USERNS_JOIN, "cannot join the user namespace of fd %d (--userns)",
    "Joining specified user namespace failed")
MSG(SECCOMP_DATA_LENGTH, "cannot read the seccomp program: its length is not a multiple of 8",
    "Invalid seccomp data, must be multiple of 8")
MSG(SECCOMP_LOAD, "cannot load seccomp program %zu", "prctl(PR_SET_SECCOMP)")
MSG(OVERLAY_SRC_DANGLING,
    "--overlay-src: must be followed by another --overlay-src or by --overlay, --tmp-overlay or --ro-overlay",
    "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay")
MSG(PERMS_DANGLING,
    "--perms: must be followed by an option that creates a file, with a mode 0..07777",
    "--perms must be followed by an option that creates a file")
MSG(SIZE_DANGLING, "--size: must be followed by --tmpfs", "--size must be followed by --tmpfs")
MSG(ID_MAP_WRITE, "cannot write /proc/self/%s", "setting up uid map: write %s")
MSG(DISABLE_USERNS,
    "cannot limit user namespaces (--disable-userns): write /proc/sys/user/max_user_namespaces",
    "sysctl user.max_user_namespaces = 1")
MSG(USERNS_NESTED, "cannot create the nested user namespace for uid %u", "unshare user ns")
MSG(SETGID, "cannot switch to gid %u", "unable to switch to gid %u")
MSG(SETUID, "cannot switch to uid %u", "unable to switch to uid %u")
MSG(DISABLE_USERNS_CHECK,
    "cannot disable user namespaces (--disable-userns): they can still be created in the sandbox",
    "creation of new user namespaces was not disabled as requested")
MSG(FD_TWO_OPTIONS, "cannot use fd %d for both --%s and --%s: hutch closes it after one of them",
    "fd %d cannot be used for both --%s and --%s")
MSG(BLOCK_FD_NEEDS_USERNS, "--userns-block-fd requires --unshare-user",
    "--userns-block-fd requires --unshare-user")
MSG(BLOCK_FD_NEEDS_INFO_FD,
    "--userns-block-fd requires --info-fd, where the child pid is announced",
    "--userns-block-fd requires --info-fd")
MSG(USERNS_AND_UNSHARE_USER, "--userns cannot be combined with --unshare-user",
    "--userns not compatible --unshare-user")
MSG(USERNS_AND_UNSHARE_USER_TRY,
    "--userns cannot be combined with --unshare-user-try (implied by --unshare-all)",
    "--userns not compatible --unshare-user-try")
MSG(DISABLE_USERNS_NEEDS_USERNS, "--disable-userns requires --unshare-user",
    "--disable-userns requires --unshare-user")
MSG(UID_NEEDS_USERNS, "--uid requires --unshare-user or --userns",
    "Specifying --uid requires --unshare-user or --userns")
MSG(GID_NEEDS_USERNS, "--gid requires --unshare-user or --userns",
    "Specifying --gid requires --unshare-user or --userns")
MSG(HOSTNAME_NEEDS_UTS, "--hostname requires --unshare-uts",
    "Specifying --hostname requires --unshare-uts")
MSG(AS_PID1_NEEDS_PIDNS, "--as-pid-1 requires --unshare-pid",
    "Specifying --as-pid-1 requires --unshare-pid")
MSG(AS_PID1_AND_LOCK_FILE,
    "--as-pid-1 cannot be combined with --lock-file: the locks are held by the pid-1 reaper",
    "Specifying --as-pid-1 and --lock-file is not permitted")
MSG(SECCOMP_AND_ADD_FD, "--seccomp cannot be combined with --add-seccomp-fd",
    "--seccomp cannot be combined with --add-seccomp-fd")
MSG(DISABLE_USERNS_AND_BLOCK_FD, "--disable-userns cannot be combined with --userns-block-fd",
    /* sic: two spaces, as bubblewrap prints it */
    "--disable-userns is not compatible with  --userns-block-fd")
MSG(CAP_UNKNOWN_REASON,
    "unknown capability '%s': expected a name from capabilities(7) such as CAP_NET_ADMIN, or ALL",
    "unknown cap: %s")
MSG(CAP_AMBIENT_RAISE, "cannot raise capability %d in the ambient set",
    "Adding ambient capability %d")
MSG(BIND_SUBMOUNT_FLAGS, "cannot make the mount at '%s' below the bind%s: %s", "")
MSG(BIND_FLAGS, "cannot make the mounts of the bind%s: %s", "")
MSG(SETUP_KILLED, "cannot set up the sandbox: the setup process was killed by signal %d (%s)", "")
MSG(MONITOR_POLL, "cannot wait for the sandbox's events", "poll")
MSG(REMOUNT, "cannot remount '/%s' read-only (--%s)",
    "Can't remount readonly on /newroot/%s: realpath(destination)")
MSG(REMOUNT_NOT_MOUNT, "cannot remount '/%s' read-only (--%s): it is not a mount point%.0s",
    "Can't remount readonly on /newroot/%s%.0s: %s")
MSG(OP_SYMLINK_OTHER, "cannot create symlink '%s' -> '%s' (--%s): a link to '%s' exists there",
    "Can't make symlink at %s%.0s%.0s: existing destination is %s")
MSG(OP_DATA_READ, "cannot write '%s' (--%s): cannot read fd %d", "Can't write data to file %s")
MSG(OP_OVERLAY_DIRS, "cannot open the upper layer of '%s' (--%s)", "open tmp-overlay")
MSG(OP_MASK, "cannot mask '%s' (--%s)", "Can't mask %s")
MSG(OP_MASK_SUB, "cannot mask '%s/%s' (--%s)", "Can't mask %s/%s")
MSG(OP_PROC_SUB, "cannot open '/%s/%s' (--%s)", "Can't access /newroot/%s/%s")
MSG(EXEC_NOT_FOUND, "cannot run '%s': command not found in the sandbox",
    "execvp %s: No such file or directory")
MSG(EXEC, "cannot execute '%s'", "execvp %s")
MSG(SECCOMP_FD_READ, "cannot read the seccomp program from fd %d", "Can't read seccomp data")
MSG(SECCOMP_EINVAL,
    "cannot load seccomp program %zu: the kernel refuses it (EINVAL); it needs CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER",
    "Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER.)")
MSG(OVERLAY_LAYERS, "--%s: needs at least %s --overlay-src layer%s before it",
    "--%s requires at least %s --overlay-src")
MSG(NS_NESTING, "cannot create the sandbox namespaces: %s",
    "Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces exceeded (ENOSPC)")
MSG(NS_USERNS_EPERM, "cannot create the sandbox namespaces: %s",
    "No permissions to create a new namespace, likely because the kernel does not allow non-privileged user namespaces. On e.g. debian this can be enabled with 'sysctl kernel.unprivileged_userns_clone=1'.")
MSG(NS_USERNS_EINVAL, "cannot create the sandbox namespaces: %s",
    "Creating new namespace failed, likely because the kernel does not support user namespaces.  bwrap must be installed setuid on such systems.")
MSG(NS_CREATE, "cannot create the sandbox namespaces: %s", "Creating new namespace failed: %s")
MSG(USERNS_NOT_DESCENDANT,
    "cannot join the user namespace of fd %d (--userns): it is not a descendant of the current user namespace",
    "Joining the specified user namespace failed, it might not be a descendant of the current user namespace.")
MSG(UNKNOWN_OPTION_NEAR, "cannot use '%s': unknown option\nhint: did you mean '--%s'?",
    "Unknown option %s")
MSG(UNKNOWN_OPTION,
    "cannot use '%s': unknown option\nhint: run '%s --help' for the list of options",
    "Unknown option %s")
MSG(ONLY_LAST, "warning: only the last --%s takes effect",
    "Only the last --%s option will take effect")
MSG(INVALID_FD, "--%s: invalid file descriptor '%s': expected a number 0..%d", "Invalid fd: %.0s%s")
MSG(INVALID_ID, "--%s: invalid %s '%s': expected a number 0..%lu", "Invalid %.0s%s: %s")
MSG(INVALID_MODE, "--%s: invalid octal mode '%s': expected 0..07777",
    "--%s takes an octal argument <= 07777")
MSG(PERMS_BEFORE,
    "--perms: must be followed by an option that creates a file (--dir, --file, --bind-data, --ro-bind-data, --tmpfs), not by %s%s",
    "--perms must be followed by an option that creates a file")
MSG(SIZE_BEFORE, "--size: must be followed by --tmpfs, not by %s%s",
    "--size must be followed by --tmpfs")
MSG(OVERLAY_SRC_BEFORE,
    "--overlay-src: must be followed by another --overlay-src or by --overlay, --tmp-overlay or --ro-overlay, not by %s%s",
    "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay")
MSG(ARGS_NESTED, "--args: not allowed among the arguments read by --args",
    "--args not supported in arguments file")
MSG(ARGS_READ, "cannot read the arguments of --args from fd %d", "Can't read --args data")
MSG(ARGV0_TWICE, "--argv0: given twice", "--argv0 used multiple times")
MSG(OPTION_REASON, "--%s: %s", "%.0s%s")
MSG(PERMS_TWICE, "--perms: given twice before the same option",
    "--perms given twice for the same action")
MSG(SIZE_TWICE, "--size: given twice before the same --tmpfs",
    "--size given twice for the same action")
MSG(SIZE_INVALID,
    "--size: invalid size '%s': expected a non-zero number of bytes, optionally with a k, m, g or t suffix",
    "--size takes a non-zero number of bytes")
MSG(SIZE_TOO_LARGE, "--size: size '%s' is too large: at most %zu bytes",
    "--size (for tmpfs) is limited to %.0s%zu")
MSG(FILE_LABEL_QUOTE,
    "--file-label: invalid SELinux label '%s': it holds a quote or a control character",
    "Invalid --file-label %s: quotes and control characters are not allowed")
MSG(SECCOMP_AFTER_ADD_FD, "--seccomp: cannot be combined with --add-seccomp-fd",
    "--seccomp cannot be combined with --add-seccomp-fd")
MSG(ADD_FD_AFTER_SECCOMP, "--add-seccomp-fd: cannot be combined with --seccomp",
    "--add-seccomp-fd cannot be combined with --seccomp")
MSG(HELP_USAGE, "usage: %s%.0s [OPTIONS...] [--] COMMAND [ARGS...]\n\n",
    "usage: %.0s%s [OPTIONS...] [--] COMMAND [ARGS...]\n\n")
MSG(HELP_VERSION, "hutch %s\n", "bubblewrap 0.11.1 (hutch %s)\n")
MSG(ROOT_FSTAT, "cannot read the attributes of the root", "fstat /")
MSG(SCRATCH_OPEN, "cannot open the scratch tmpfs", "open the scratch tmpfs")
MSG(ROOT_CHDIR, "cannot change directory to the new root", "chdir /")
MSG(ROOT_STATX, "cannot read the mount of the root", "statx /")
MSG(ROOT_OPEN, "cannot open the root", "open /")
MSG(SIGPROCMASK, "cannot block the forwarded signals", "sigprocmask")
MSG(PDEATHSIG, "cannot ask for a signal when the parent dies", "prctl(PR_SET_PDEATHSIG)")
MSG(SETENV_PWD, "cannot set the environment variable 'PWD'", "setenv PWD")
MSG(KEEPCAPS, "cannot keep the capabilities across the uid change", "prctl(PR_SET_KEEPCAPS) failed")
MSG(USERNS_CAPGET, "cannot read the capabilities", "capget")
MSG(USERNS_CAPSET, "cannot restore the capabilities after the uid change", "capset")
MSG(DUMPABLE, "cannot make the setup process non-dumpable", "prctl(PR_SET_DUMPABLE)")
MSG(LANDLOCK_RULESET, "cannot create the Landlock ruleset (--landlock)",
    "Can't create the Landlock ruleset")
MSG(LANDLOCK_RULE, "cannot add the Landlock rule of '%s' (--landlock)",
    "Can't add the Landlock rule of %s")
MSG(LANDLOCK_RESTRICT, "cannot enter the Landlock domain (--landlock)", "landlock_restrict_self")
MSG(LANDLOCK_NESTED,
    "cannot build a sandbox inside this one: it runs under Landlock (the outer sandbox's --landlock, which --base turns on), and the kernel denies mount and pivot_root under Landlock",
    "Can't build a sandbox under Landlock: the kernel denies mount and pivot_root")
