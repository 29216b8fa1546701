/* probe: runs inside the sandbox and prints what the kernel says, one `key=value` line per
 * fact, for the queries named on its command line. Used by the TAP shell tests (test-*.sh),
 * which assert on these lines rather than on anything hutch prints. libc only, so it can be
 * linked statically and run in a root that holds nothing but this binary.
 *
 * Queries (each one argument; QUERY=ARG for those that take an argument):
 *   uid_map gid_map setgroups     /proc/self/{uid_map,gid_map,setgroups}, lines joined by ';'
 *   ids                           uid= euid= suid= gid= egid= sgid= groups=
 *   caps                          CapInh= CapPrm= CapEff= CapBnd= CapAmb= (hex, /proc)
 *   nonewprivs seccomp            prctl(PR_GET_NO_NEW_PRIVS); Seccomp: from /proc
 *   pid ppid session              pid=; ppid=; sid= pgid=
 *   hostname cwd argv0 umask      uname nodename; getcwd; our argv[0]; umask
 *   ifaces                        ifaces=lo:up,eth0:down (sorted, from getifaddrs)
 *   fds                           fds=0,1,2 (from /proc/self/fd, without the listing fd)
 *   envnames env=NAME             sorted names of the environment; one variable
 *   ns=TYPE                       ns:TYPE=readlink(/proc/self/ns/TYPE)
 *   mounts                        mounts=every mount point of /proc/self/mountinfo, ' '
 *   mountflags=PATH               mountflags:PATH= mountpoint:PATH= fstype:PATH= of the
 *                                 mount holding PATH (per-mount options, e.g. ro,nosuid;
 *                                 the mount point as mountinfo escapes it, \040)
 *   vfsflags=PATH                 vfsflags:PATH=ro,nosuid,nodev,noexec (those set), from
 *                                 statvfs(2): the flags of the mount holding PATH, no
 *                                 mountinfo involved
 *   stat=PATH lstat=PATH          stat:PATH=TYPE MODE UID GID SIZE MAJ:MIN, or the errno name
 *   readlink=PATH read=PATH       the link target; the file content (\n escaped)
 *   read-fd=N                     fd:N=content read from inherited fd N
 *   landlock-abi                  landlock-abi=the kernel's Landlock ABI, or the errno name
 *   at-fd=N:OP:NAME               openat through inherited directory fd N (the path never
 *                                 named from "/"): OP read (O_RDONLY), write (O_WRONLY|
 *                                 O_CREAT, nothing written), list (O_DIRECTORY), exec
 *                                 (execveat of NAME, which must exit 0): at-fd:N:OP:NAME=0
 *                                 or errno
 *   ls=PATH                       ls:PATH=sorted names in the directory, ','
 *   statfs=PATH                   statfs:PATH=total bytes of the filesystem
 *   ident=PATH                    ident:PATH=DEV:INODE:MOUNT_ID (statx; mount id 0 if unknown)
 *   open=PATH                     open O_RDWR (O_RDONLY for directories): 0 or errno
 *   writebyte=PATH                open O_WRONLY and write one byte: 0 or errno
 *   head=PATH                     head:PATH=hex of the first 8 bytes read
 *   touch=PATH mkdir=PATH         create a file / directory, print errno name or 0
 *   write=PATH                    open O_WRONLY|O_APPEND and write nothing: 0 or errno
 *   exec=PATH                     access(X_OK): 0 or errno
 *   errno-of=OP                   0 or errno name of OP, tried in a child process:
 *                                 unshare-user unshare-mnt unshare-net unshare-pid
 *                                 unshare-ipc unshare-uts sethostname setuid0 chroot
 *                                 mount-tmpfs ptrace-me mknod-null uname personality
 *                                 nested-proc (a user+mount+pid namespace and a fresh
 *                                 /proc in it, as nested sandboxes do)
 *   wait-signal=READYFILE         create READYFILE, wait for TERM/INT/USR1/USR2/HUP and
 *                                 print signal=NAME
 *   sleep=SECONDS exit=N kill=SIG sleep; exit with N; kill ourselves with SIG (a number)
 *   seccomp-filters               Seccomp_filters= from /proc (number of filters stacked)
 *   tty                           tty:N=isatty of fds 0 1 2 (1 or errno), ttyname=of fd 0
 *   stty-size ctty                the window size of fd 0 (rows cols); whether fd 0 is the
 *                                 controlling terminal of our session (own/other or errno)
 *   write-fd=N                    write "probe-hello\n" to fd N: 0 or errno
 *   unix-send=PATH                connect a stream socket to PATH, write "probe-hello\n":
 *                                 0 or errno
 *   wait-file=PATH                wait (up to 60 s) until PATH exists: 0 or ETIMEDOUT
 *   environ                       environ:NAME=VALUE for every variable, sorted by name
 *   status=FIELD                  status:FIELD=the field of /proc/self/status (SigBlk...)
 *   fdlinks                       fdlink:N=readlink(/proc/self/fd/N) for every open fd
 *   mountinfo                     mount=MOUNTPOINT ROOT FSTYPE SOURCE OPTS SUPEROPTS TAGS
 *                                 per line of /proc/self/mountinfo, in order (no ids, no
 *                                 device numbers, peer group tags without their numbers)
 *   tree=PATH                     tree:PATH/SUB=TYPE MODE UID GID [-> TARGET] for PATH and
 *                                 everything under it on the same mount (mount points are
 *                                 listed, not entered; at most 400 entries)
 *   procs                         proc:PID=PPID COMM for every process /proc lists
 *   rlimits                       rlimit:NAME=SOFT:HARD for the limits a launcher may touch
 *   attack[=OPT,...]              walk every process of the sandbox and everything it holds
 *                                 (fds, cwd, root, exe, mem, ptrace, pidfd_getfd, pipes):
 *                                 finding=CLASS WHO DETAIL per way out, attack:done=N last.
 *                                 OPT: allow:FD (an fd of ours passed on purpose),
 *                                 canary:DEV:INO (a host dir to try to write in if reached),
 *                                 forge:N (the word written into others' pipes, default 77)
 *   attack-child[=OPT,...]        the same from a forked child while we wait (the control)
 *   tty-ioctl=FD                  tiocsti:FD= tiocsti-hi:FD= tioclinux:FD= tioclinux-hi:FD=
 *   openw=PATH reopenw=PATH       open O_WRONLY (directly / O_PATH then /proc/self/fd):
 *                                 0 or errno; nothing is written
 *   exchange=STOP,A,B[,A2,B2...]  renameat2(RENAME_EXCHANGE) each pair in turn until STOP
 *                                 exists
 *
 * `probe with-fd=N:DIR CMD ARGS...` opens DIR (O_DIRECTORY|O_NOFOLLOW) as fd N and execs CMD.
 * Unknown queries print `error=unknown query ...` and make the exit status 2. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int status;

/* clang-format off */
#define ERRNO_NAME(e) { e, #e }
/* clang-format on */
static const struct {
	int num;
	const char *name;
} errno_names[] = {
	ERRNO_NAME(EPERM),	  ERRNO_NAME(ENOENT),  ERRNO_NAME(EINTR),
	ERRNO_NAME(EIO),	  ERRNO_NAME(E2BIG),   ERRNO_NAME(ENOEXEC),
	ERRNO_NAME(EBADF),	  ERRNO_NAME(ECHILD),  ERRNO_NAME(EAGAIN),
	ERRNO_NAME(ENOMEM),	  ERRNO_NAME(EACCES),  ERRNO_NAME(EFAULT),
	ERRNO_NAME(EBUSY),	  ERRNO_NAME(EEXIST),  ERRNO_NAME(EXDEV),
	ERRNO_NAME(ENODEV),	  ERRNO_NAME(ENOTDIR), ERRNO_NAME(EISDIR),
	ERRNO_NAME(EINVAL),	  ERRNO_NAME(ENFILE),  ERRNO_NAME(EMFILE),
	ERRNO_NAME(ETXTBSY),	  ERRNO_NAME(EFBIG),   ERRNO_NAME(ENOSPC),
	ERRNO_NAME(ESPIPE),	  ERRNO_NAME(EROFS),   ERRNO_NAME(EMLINK),
	ERRNO_NAME(ENAMETOOLONG), ERRNO_NAME(ENOSYS),  ERRNO_NAME(ENOTEMPTY),
	ERRNO_NAME(ELOOP),	  ERRNO_NAME(EUSERS),  ERRNO_NAME(EOPNOTSUPP),
	ERRNO_NAME(ENXIO),	  ERRNO_NAME(ENOTTY),  ERRNO_NAME(ECONNREFUSED),
	ERRNO_NAME(ETIMEDOUT),	  ERRNO_NAME(EPIPE),   ERRNO_NAME(ENOTSOCK),
};
#undef ERRNO_NAME

static const char *errname(int e)
{
	static char buf[32];
	size_t i;

	if (e == 0)
		return "0";
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].num == e)
			return errno_names[i].name;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/* One line per fact; backslashes and newlines in the value are escaped so the
 * shell side can rely on one line per key. */
static void emit(const char *key, const char *value)
{
	const char *p;

	fputs(key, stdout);
	putchar('=');
	for (p = value; *p; p++) {
		if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\\')
			fputs("\\\\", stdout);
		else
			putchar(*p);
	}
	putchar('\n');
}

static void emitf(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emitf(const char *key, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emit(key, buf);
}

static void emit_kv(const char *prefix, const char *arg, const char *value)
{
	char key[PATH_MAX + 64];

	snprintf(key, sizeof(key), "%s:%s", prefix, arg);
	emit(key, value);
}

/* Whole file into a malloc'd NUL-terminated buffer; NULL with errno set. */
static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	int e;

	if (fd < 0)
		return NULL;
	buf = slurp_fd(fd);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

/* "0  1000     1\n" lines -> "0 1000 1;..." */
static void q_idmap(const char *key, const char *path)
{
	char *buf = slurp(path);
	char out[4096];
	size_t o = 0;
	bool space = false, line_start = true;
	const char *p;

	if (!buf) {
		emit(key, errname(errno));
		return;
	}
	for (p = buf; *p && o + 2 < sizeof(out); p++) {
		if (*p == '\n') {
			if (!line_start)
				out[o++] = ';';
			line_start = true;
			space = false;
		} else if (*p == ' ' || *p == '\t') {
			if (!line_start)
				space = true;
		} else {
			if (space)
				out[o++] = ' ';
			out[o++] = *p;
			space = false;
			line_start = false;
		}
	}
	while (o > 0 && out[o - 1] == ';')
		o--;
	out[o] = '\0';
	emit(key, out);
	free(buf);
}

static void q_ids(void)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	gid_t groups[NGROUPS_MAX];
	char buf[8192];
	size_t o = 0;
	int n, i;

	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	emitf("uid", "%u", (unsigned)ru);
	emitf("euid", "%u", (unsigned)eu);
	emitf("suid", "%u", (unsigned)su);
	emitf("gid", "%u", (unsigned)rg);
	emitf("egid", "%u", (unsigned)eg);
	emitf("sgid", "%u", (unsigned)sg);
	n = getgroups(NGROUPS_MAX, groups);
	buf[0] = '\0';
	for (i = 0; i < n && o + 16 < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u", i ? "," : "",
				      (unsigned)groups[i]);
	emit("groups", buf);
}

/* Lines "Name:\tvalue" of /proc/self/status. */
static void status_fields(const char *const *names)
{
	char *buf = slurp("/proc/self/status");
	const char *const *n;

	if (!buf) {
		for (n = names; *n; n++)
			emit(*n, errname(errno));
		return;
	}
	for (n = names; *n; n++) {
		size_t len = strlen(*n);
		const char *line = buf;
		bool found = false;

		while (line && *line) {
			if (strncmp(line, *n, len) == 0 && line[len] == ':') {
				const char *v = line + len + 1;
				const char *end = strchr(v, '\n');
				char val[256];
				size_t vl;

				while (*v == ' ' || *v == '\t')
					v++;
				vl = end ? (size_t)(end - v) : strlen(v);
				if (vl >= sizeof(val))
					vl = sizeof(val) - 1;
				memcpy(val, v, vl);
				val[vl] = '\0';
				emit(*n, val);
				found = true;
				break;
			}
			line = strchr(line, '\n');
			if (line)
				line++;
		}
		if (!found)
			emit(*n, "missing");
	}
	free(buf);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void q_ifaces(void)
{
	struct ifaddrs *ifa, *i;
	char *names[256];
	unsigned flags[256];
	size_t n = 0, k, o = 0;
	char buf[8192];

	if (getifaddrs(&ifa) != 0) {
		emit("ifaces", errname(errno));
		return;
	}
	for (i = ifa; i; i = i->ifa_next) {
		bool seen = false;

		for (k = 0; k < n; k++)
			if (strcmp(names[k], i->ifa_name) == 0)
				seen = true;
		if (seen || n == 256)
			continue;
		names[n] = strdup(i->ifa_name);
		flags[n] = i->ifa_flags;
		n++;
	}
	freeifaddrs(ifa);
	/* Sort names and keep the flags with them. */
	for (k = 1; k < n; k++) {
		size_t j = k;

		while (j > 0 && strcmp(names[j - 1], names[j]) > 0) {
			char *t = names[j];
			unsigned f = flags[j];

			names[j] = names[j - 1];
			flags[j] = flags[j - 1];
			names[j - 1] = t;
			flags[j - 1] = f;
			j--;
		}
	}
	buf[0] = '\0';
	for (k = 0; k < n; k++) {
		if (o + strlen(names[k]) + 8 < sizeof(buf))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s:%s", k ? "," : "",
					      names[k], (flags[k] & IFF_UP) ? "up" : "down");
		free(names[k]);
	}
	emit("ifaces", buf);
}

static void q_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self, fds[4096];
	size_t n = 0, k, o = 0;
	char buf[16384];

	if (!d) {
		emit("fds", errname(errno));
		return;
	}
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v;

		if (de->d_name[0] == '.')
			continue;
		v = strtol(de->d_name, &end, 10);
		if (*end || v == self || n == 4096)
			continue;
		fds[n++] = (int)v;
	}
	closedir(d);
	for (k = 1; k < n; k++) {
		size_t j = k;

		while (j > 0 && fds[j - 1] > fds[j]) {
			int t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
			j--;
		}
	}
	buf[0] = '\0';
	for (k = 0; k < n && o + 16 < sizeof(buf); k++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%d", k ? "," : "", fds[k]);
	emit("fds", buf);
}

static void q_envnames(void)
{
	size_t n = 0, k, o = 0;
	char **names, buf[16384];
	char **e;

	for (e = environ; *e; e++)
		n++;
	names = calloc(n + 1, sizeof(*names));
	if (!names)
		exit(3);
	for (k = 0; k < n; k++) {
		const char *eq = strchr(environ[k], '=');
		size_t len = eq ? (size_t)(eq - environ[k]) : strlen(environ[k]);

		names[k] = strndup(environ[k], len);
	}
	qsort(names, n, sizeof(*names), cmpstr);
	buf[0] = '\0';
	for (k = 0; k < n; k++) {
		if (o + strlen(names[k]) + 2 < sizeof(buf))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", k ? "," : "",
					      names[k]);
		free(names[k]);
	}
	free(names);
	emit("envnames", buf);
}

/* mountinfo fields: id parent maj:min root mountpoint options [optional...] - fstype src
 * superoptions. Mount points are octal-escaped (\040 space, \011 tab, \012 newline, \134
 * backslash): kept so for printing, decoded (unescape) for comparing with a path. */
struct mnt {
	char mountpoint[PATH_MAX];
	char options[1024];
	char fstype[128];
};

static int read_mounts(struct mnt **out, size_t *count)
{
	char *buf = slurp("/proc/self/mountinfo");
	char *line, *save = NULL;
	struct mnt *v = NULL;
	size_t n = 0;

	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mp[PATH_MAX], opts[1024], fstype[128];
		const char *sep;
		struct mnt *nv;

		if (sscanf(line, "%*s %*s %*s %*s %4095s %1023s", mp, opts) != 2)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%127s", fstype) != 1)
			strcpy(fstype, "?");
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			exit(3);
		v = nv;
		snprintf(v[n].mountpoint, sizeof(v[n].mountpoint), "%s", mp);
		snprintf(v[n].options, sizeof(v[n].options), "%s", opts);
		snprintf(v[n].fstype, sizeof(v[n].fstype), "%s", fstype);
		n++;
	}
	free(buf);
	*out = v;
	*count = n;
	return 0;
}

static void q_mounts(void)
{
	struct mnt *m = NULL;
	size_t n = 0, k, o = 0;
	char *buf;

	if (read_mounts(&m, &n) != 0) {
		emit("mounts", errname(errno));
		return;
	}
	buf = malloc(n * PATH_MAX + 1);
	if (!buf)
		exit(3);
	buf[0] = '\0';
	for (k = 0; k < n; k++)
		o += (size_t)sprintf(buf + o, "%s%s", k ? " " : "", m[k].mountpoint);
	emit("mounts", buf);
	free(buf);
	free(m);
}

/* s with mountinfo's \ooo escapes decoded, into buf. */
static void unescape(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	while (*s && o + 1 < size) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			buf[o++] = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			buf[o++] = *s++;
		}
	}
	buf[o] = '\0';
}

/* The mount that holds PATH: the longest mount point that is a prefix of the resolved
 * path, the last such entry when several are stacked on the same point. */
static void q_mountflags(const char *path)
{
	char real[PATH_MAX], mp[PATH_MAX];
	struct mnt *m = NULL;
	size_t n = 0, k, best_len = 0;
	long best = -1;

	if (!realpath(path, real)) {
		emit_kv("mountflags", path, errname(errno));
		return;
	}
	if (read_mounts(&m, &n) != 0) {
		emit_kv("mountflags", path, errname(errno));
		return;
	}
	for (k = 0; k < n; k++) {
		size_t len;
		bool prefix;

		unescape(m[k].mountpoint, mp, sizeof(mp));
		len = strlen(mp);
		if (strcmp(mp, "/") == 0)
			prefix = true, len = 0;
		else
			prefix = strncmp(real, mp, len) == 0 &&
				 (real[len] == '/' || real[len] == '\0');
		if (prefix && (best < 0 || len >= best_len)) {
			best = (long)k;
			best_len = len;
		}
	}
	if (best < 0) {
		emit_kv("mountflags", path, "none");
	} else {
		emit_kv("mountflags", path, m[best].options);
		emit_kv("mountpoint", path, m[best].mountpoint);
		emit_kv("fstype", path, m[best].fstype);
	}
	free(m);
}

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "link";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	}
	return "unknown";
}

static void q_stat(const char *key, const char *path, bool follow)
{
	struct stat st;
	char buf[256];

	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) {
		emit_kv(key, path, errname(errno));
		return;
	}
	snprintf(buf, sizeof(buf), "%s %04o %u %u %lld %u:%u", type_name(st.st_mode),
		 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
		 (long long)st.st_size, major(st.st_rdev), minor(st.st_rdev));
	emit_kv(key, path, buf);
}

static void q_readlink(const char *path)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0) {
		emit_kv("readlink", path, errname(errno));
		return;
	}
	buf[n] = '\0';
	emit_kv("readlink", path, buf);
}

static void q_read(const char *path)
{
	char *buf = slurp(path);

	emit_kv("read", path, buf ? buf : errname(errno));
	free(buf);
}

static void q_read_fd(const char *arg)
{
	char *end, *buf;
	long fd = strtol(arg, &end, 10);

	if (*arg == '\0' || *end || fd < 0 || fd > INT_MAX) {
		emit_kv("fd", arg, "EINVAL");
		status = 2;
		return;
	}
	buf = slurp_fd((int)fd);
	emit_kv("fd", arg, buf ? buf : errname(errno));
	free(buf);
}

static void q_at_fd(const char *arg)
{
	char op[16] = "";
	int fd = -1, n = 0, r = -1;

	if (sscanf(arg, "%d:%15[a-z]:%n", &fd, op, &n) < 2 || n == 0 || fd < 0) {
		emit_kv("at-fd", arg, "EINVAL");
		status = 2;
		return;
	}
	const char *name = arg + n;
	errno = 0;
	if (strcmp(op, "read") == 0) {
		r = openat(fd, name, O_RDONLY | O_CLOEXEC);
	} else if (strcmp(op, "write") == 0) {
		r = openat(fd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	} else if (strcmp(op, "list") == 0) {
		r = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else if (strcmp(op, "exec") == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { (char *)name, NULL };
			syscall(SYS_execveat, fd, name, argv, environ, 0);
			_exit(100 + errno);
		}
		int st = 0;
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st)) {
			r = WEXITSTATUS(st) == 0 ? 0 : -1;
			errno = WEXITSTATUS(st) > 100 ? WEXITSTATUS(st) - 100 : EIO;
		}
	} else {
		emit_kv("at-fd", arg, "EINVAL");
		status = 2;
		return;
	}
	emit_kv("at-fd", arg, r >= 0 ? "0" : errname(errno));
	if (r > 0 && strcmp(op, "exec") != 0)
		close(r);
}

static void q_ls(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL, *buf;
	size_t n = 0, k, o = 0, total = 1;

	if (!d) {
		emit_kv("ls", path, errname(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			exit(3);
		names = nn;
		names[n] = strdup(de->d_name);
		total += strlen(de->d_name) + 1;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmpstr);
	buf = malloc(total);
	if (!buf)
		exit(3);
	buf[0] = '\0';
	for (k = 0; k < n; k++) {
		o += (size_t)sprintf(buf + o, "%s%s", k ? "," : "", names[k]);
		free(names[k]);
	}
	free(names);
	emit_kv("ls", path, buf);
	free(buf);
}

static void q_ident(const char *path)
{
	struct statx sx;
	char buf[96];

	if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_MNT_ID, &sx) != 0) {
		emit_kv("ident", path, errname(errno));
		return;
	}
	snprintf(buf, sizeof(buf), "%u.%u:%llu:%llu", sx.stx_dev_major, sx.stx_dev_minor,
		 (unsigned long long)sx.stx_ino,
		 (sx.stx_mask & STATX_MNT_ID) ? (unsigned long long)sx.stx_mnt_id : 0ULL);
	emit_kv("ident", path, buf);
}

static void q_statfs(const char *path)
{
	struct statfs sf;
	char buf[64];

	if (statfs(path, &sf) != 0) {
		emit_kv("statfs", path, errname(errno));
		return;
	}
	snprintf(buf, sizeof(buf), "%llu",
		 (unsigned long long)sf.f_blocks * (unsigned long long)sf.f_bsize);
	emit_kv("statfs", path, buf);
}

static void q_vfsflags(const char *path)
{
	struct statvfs sv;
	char buf[64];

	if (statvfs(path, &sv) != 0) {
		emit_kv("vfsflags", path, errname(errno));
		return;
	}
	snprintf(buf, sizeof(buf), "%s%s%s%s", (sv.f_flag & ST_RDONLY) ? "ro," : "",
		 (sv.f_flag & ST_NOSUID) ? "nosuid," : "", (sv.f_flag & ST_NODEV) ? "nodev," : "",
		 (sv.f_flag & ST_NOEXEC) ? "noexec," : "");
	buf[strlen(buf) ? strlen(buf) - 1 : 0] = '\0';
	emit_kv("vfsflags", path, buf);
}

static void q_open(const char *path)
{
	struct stat st;
	int flags = O_RDWR | O_CLOEXEC | O_NOCTTY, fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	fd = open(path, flags);
	emit_kv("open", path, fd < 0 ? errname(errno) : "0");
	if (fd >= 0)
		close(fd);
}

static void q_writebyte(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0) {
		emit_kv("writebyte", path, errname(errno));
		return;
	}
	n = write(fd, "x", 1);
	emit_kv("writebyte", path, n == 1 ? "0" : errname(n < 0 ? errno : EIO));
	close(fd);
}

static void q_head(const char *path)
{
	unsigned char b[8];
	char hex[sizeof(b) * 2 + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;
	size_t k;

	if (fd < 0) {
		emit_kv("head", path, errname(errno));
		return;
	}
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n < 0) {
		emit_kv("head", path, errname(errno));
		return;
	}
	hex[0] = '\0';
	for (k = 0; k < (size_t)n; k++)
		sprintf(hex + 2 * k, "%02x", b[k]);
	emit_kv("head", path, hex);
}

static void q_touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	emit_kv("touch", path, fd < 0 ? errname(errno) : "0");
	if (fd >= 0)
		close(fd);
}

static void q_mkdir(const char *path)
{
	emit_kv("mkdir", path, mkdir(path, 0755) != 0 ? errname(errno) : "0");
}

static void q_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	emit_kv("write", path, fd < 0 ? errname(errno) : "0");
	if (fd >= 0)
		close(fd);
}

static void q_exec(const char *path)
{
	emit_kv("exec", path, access(path, X_OK) != 0 ? errname(errno) : "0");
}

static void q_ns(const char *type)
{
	char path[64], buf[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0) {
		emit_kv("ns", type, errname(errno));
		return;
	}
	buf[n] = '\0';
	emit_kv("ns", type, buf);
}

/* What a nested sandbox (sandbox-runtime's apply-seccomp, a bwrap inside a flatpak) does
 * first: a user, mount and pid namespace, then a fresh /proc as pid 1 of the new one. The
 * kernel allows that proc mount only while an existing proc mount is fully visible, so it
 * depends on what the outer sandbox put over its /proc. */
static int nested_proc(void)
{
	int wst;
	pid_t pid;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
			_exit(errno & 0xff);
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
			_exit(errno & 0xff);
		_exit(0);
	}
	if (waitpid(pid, &wst, 0) != pid)
		return -1;
	if (!WIFEXITED(wst)) {
		errno = EINTR;
		return -1;
	}
	errno = WEXITSTATUS(wst);
	return errno ? -1 : 0;
}

/* Runs in a forked child so the probe's own state is left alone. */
static int try_op(const char *op)
{
	if (strcmp(op, "unshare-user") == 0)
		return unshare(CLONE_NEWUSER);
	if (strcmp(op, "unshare-mnt") == 0)
		return unshare(CLONE_NEWNS);
	if (strcmp(op, "unshare-net") == 0)
		return unshare(CLONE_NEWNET);
	if (strcmp(op, "unshare-pid") == 0)
		return unshare(CLONE_NEWPID);
	if (strcmp(op, "unshare-ipc") == 0)
		return unshare(CLONE_NEWIPC);
	if (strcmp(op, "unshare-uts") == 0)
		return unshare(CLONE_NEWUTS);
	if (strcmp(op, "sethostname") == 0)
		return sethostname("probe", 5);
	if (strcmp(op, "setuid0") == 0)
		return setuid(0);
	if (strcmp(op, "chroot") == 0)
		return chroot("/");
	if (strcmp(op, "mount-tmpfs") == 0)
		return mount("tmpfs", "/", "tmpfs", 0, NULL);
	if (strcmp(op, "ptrace-me") == 0)
		return (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	if (strcmp(op, "uname") == 0) {
		struct utsname u;

		return uname(&u);
	}
	if (strcmp(op, "personality") == 0)
		return personality(0xffffffff) == -1 ? -1 : 0;
	if (strcmp(op, "nested-proc") == 0)
		return nested_proc();
	if (strcmp(op, "mknod-null") == 0) {
		char path[] = "/tmp/probe-mknod-XXXXXX";
		int fd = mkstemp(path), r;

		if (fd < 0)
			return -1;
		close(fd);
		unlink(path);
		r = mknod(path, S_IFCHR | 0600, makedev(1, 3));
		if (r == 0)
			unlink(path);
		return r;
	}
	errno = ENOSYS;
	return -2;
}

static void q_errno_of(const char *op)
{
	int pipefd[2], e = 0, wst;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		emit_kv("errno-of", op, errname(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		emit_kv("errno-of", op, errname(errno));
		return;
	}
	if (pid == 0) {
		int r = try_op(op);

		e = r == -2 ? -1 : (r == 0 ? 0 : errno);
		if (write(pipefd[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &e, sizeof(e)) != sizeof(e))
		e = -3;
	close(pipefd[0]);
	waitpid(pid, &wst, 0);
	if (e == -1) {
		emit_kv("errno-of", op, "unknown-op");
		status = 2;
	} else if (e == -3) {
		emit_kv("errno-of", op, "child-died");
	} else {
		emit_kv("errno-of", op, errname(e));
	}
}

static const struct {
	int num;
	const char *name;
} signal_names[] = {
	{ SIGTERM, "TERM" }, { SIGINT, "INT" },	  { SIGUSR1, "USR1" }, { SIGUSR2, "USR2" },
	{ SIGHUP, "HUP" },   { SIGQUIT, "QUIT" }, { SIGCONT, "CONT" }, { SIGWINCH, "WINCH" },
};

static void q_wait_signal(const char *ready)
{
	sigset_t set;
	size_t k;
	int sig, fd;

	sigemptyset(&set);
	for (k = 0; k < sizeof(signal_names) / sizeof(signal_names[0]); k++) {
		signal(signal_names[k].num, SIG_DFL);
		sigaddset(&set, signal_names[k].num);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		emit_kv("wait-signal", ready, errname(errno));
		status = 2;
		return;
	}
	close(fd);
	fflush(stdout);
	do {
		sig = sigwaitinfo(&set, NULL);
	} while (sig < 0 && errno == EINTR);
	for (k = 0; k < sizeof(signal_names) / sizeof(signal_names[0]); k++)
		if (signal_names[k].num == sig)
			emit("signal", signal_names[k].name);
}

static void q_tty(void)
{
	char key[16], *name;
	int fd;

	for (fd = 0; fd < 3; fd++) {
		snprintf(key, sizeof(key), "tty:%d", fd);
		emit(key, isatty(fd) ? "1" : errname(errno));
	}
	name = ttyname(0);
	emit("ttyname", name ? name : errname(errno));
}

static const char hello[] = "probe-hello\n";

static void q_write_fd(const char *arg)
{
	char *end;
	long fd = strtol(arg, &end, 10);
	ssize_t n;

	if (*arg == '\0' || *end || fd < 0 || fd > INT_MAX) {
		emit_kv("write-fd", arg, "EINVAL");
		status = 2;
		return;
	}
	n = write((int)fd, hello, sizeof(hello) - 1);
	emit_kv("write-fd", arg,
		n == (ssize_t)sizeof(hello) - 1 ? "0" : errname(n < 0 ? errno : EIO));
}

static void q_unix_send(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		emit_kv("unix-send", path, errname(fd < 0 ? errno : ENAMETOOLONG));
		if (fd >= 0)
			close(fd);
		return;
	}
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		emit_kv("unix-send", path, errname(errno));
		close(fd);
		return;
	}
	n = write(fd, hello, sizeof(hello) - 1);
	emit_kv("unix-send", path,
		n == (ssize_t)sizeof(hello) - 1 ? "0" : errname(n < 0 ? errno : EIO));
	close(fd);
}

static void q_wait_file(const char *path)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct stat st;
	int i;

	for (i = 0; i < 3000; i++) {
		if (stat(path, &st) == 0) {
			emit_kv("wait-file", path, "0");
			return;
		}
		nanosleep(&ts, NULL);
	}
	emit_kv("wait-file", path, "ETIMEDOUT");
}

static void q_environ(void)
{
	size_t n = 0, k;
	char **vars;
	char **e;

	for (e = environ; *e; e++)
		n++;
	vars = calloc(n + 1, sizeof(*vars));
	if (!vars)
		exit(3);
	for (k = 0; k < n; k++)
		vars[k] = environ[k];
	qsort(vars, n, sizeof(*vars), cmpstr);
	for (k = 0; k < n; k++) {
		const char *eq = strchr(vars[k], '=');
		char key[512];

		snprintf(key, sizeof(key), "environ:%.*s", eq ? (int)(eq - vars[k]) : 400, vars[k]);
		emit(key, eq ? eq + 1 : "");
	}
	free(vars);
}

static void q_status(const char *field)
{
	char *buf = slurp("/proc/self/status"), *line, *save = NULL;
	size_t len = strlen(field);

	if (!buf) {
		emit_kv("status", field, errname(errno));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			const char *v = line + len + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			emit_kv("status", field, v);
			free(buf);
			return;
		}
	}
	emit_kv("status", field, "missing");
	free(buf);
}

static void q_fdlinks(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self;

	if (!d) {
		emit("fdlinks", errname(errno));
		return;
	}
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		char path[300], target[PATH_MAX], key[300];
		ssize_t n;

		if (de->d_name[0] == '.' || atoi(de->d_name) == self)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		snprintf(key, sizeof(key), "fdlink:%s", de->d_name);
		emit(key, n < 0 ? errname(errno) : target);
	}
	closedir(d);
}

/* One line per mount, in the kernel's order, without what changes from run to run (mount
 * and parent ids, anonymous device numbers, peer group numbers). */
static void q_mountinfo(void)
{
	char *buf = slurp("/proc/self/mountinfo");
	char *line, *save = NULL;

	if (!buf) {
		emit("mountinfo", errname(errno));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[PATH_MAX], mp[PATH_MAX], opts[1024], fstype[128], src[PATH_MAX];
		char super[2048], tags[256] = "", out[4 * PATH_MAX], *tok, *tsave = NULL;
		char *sep = strstr(line, " - ");
		int field = 0;

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s %1023s", root, mp, opts) != 3)
			continue;
		*sep = '\0';
		if (sscanf(sep + 3, "%127s %4095s %2047s", fstype, src, super) != 3)
			continue;
		/* Optional fields (shared:N master:N propagate_from:N unbindable), numbers cut. */
		for (tok = strtok_r(line, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave)) {
			char *colon;

			if (++field <= 6)
				continue;
			colon = strchr(tok, ':');
			if (colon)
				*colon = '\0';
			snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), "%s%s",
				 tags[0] ? "," : "", tok);
		}
		snprintf(out, sizeof(out), "%s %s %s %s %s %s %s", mp, root, fstype, src, opts,
			 super, tags[0] ? tags : "-");
		emit("mount", out);
	}
	free(buf);
}

static int tree_count;

static void tree_walk(const char *top, const char *path, int dirfd_parent, const char *name,
		      unsigned long long parent_mnt)
{
	struct statx sx;
	char key[PATH_MAX + 16], val[PATH_MAX + 64], target[PATH_MAX] = "";
	int fd;
	DIR *d;
	struct dirent *de;

	if (tree_count++ >= 400) {
		if (tree_count == 401)
			emit_kv("tree", top, "truncated");
		return;
	}
	if (statx(dirfd_parent, name, AT_SYMLINK_NOFOLLOW,
		  STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_MNT_ID, &sx) != 0) {
		emit_kv("tree", path, errname(errno));
		return;
	}
	if (S_ISLNK(sx.stx_mode)) {
		ssize_t n = readlinkat(dirfd_parent, name, target, sizeof(target) - 1);

		target[n < 0 ? 0 : n] = '\0';
	}
	snprintf(val, sizeof(val), "%s %04o %u %u%s%s%s", type_name(sx.stx_mode),
		 (unsigned)(sx.stx_mode & 07777), (unsigned)sx.stx_uid, (unsigned)sx.stx_gid,
		 target[0] ? " -> " : "", target,
		 parent_mnt && sx.stx_mnt_id != parent_mnt ? " (mount point)" : "");
	snprintf(key, sizeof(key), "tree:%s", path);
	emit(key, val);
	if (!S_ISDIR(sx.stx_mode) || (parent_mnt && sx.stx_mnt_id != parent_mnt))
		return;
	fd = openat(dirfd_parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	{
		char **names = NULL;
		size_t n = 0, k;

		while ((de = readdir(d)) != NULL) {
			char **nn;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			nn = realloc(names, (n + 1) * sizeof(*names));
			if (!nn)
				exit(3);
			names = nn;
			names[n++] = strdup(de->d_name);
		}
		qsort(names, n, sizeof(*names), cmpstr);
		for (k = 0; k < n; k++) {
			char sub[PATH_MAX];

			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 path[strlen(path) - 1] == '/' ? "" : "/", names[k]);
			tree_walk(top, sub, dirfd(d), names[k], sx.stx_mnt_id);
			free(names[k]);
		}
		free(names);
	}
	closedir(d);
}

static void q_tree(const char *path)
{
	tree_count = 0;
	tree_walk(path, path, AT_FDCWD, path, 0);
}

static void q_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d) {
		emit("procs", errname(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[300], *buf, *close_paren, key[300], val[128];
		int ppid = -1;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		buf = slurp(path);
		if (!buf)
			continue;
		/* pid (comm) state ppid ...: comm may hold spaces and parentheses. */
		close_paren = strrchr(buf, ')');
		if (close_paren && sscanf(close_paren + 1, " %*c %d", &ppid) == 1) {
			char *open_paren = strchr(buf, '(');

			*close_paren = '\0';
			snprintf(val, sizeof(val), "%d %s", ppid,
				 open_paren ? open_paren + 1 : "?");
			snprintf(key, sizeof(key), "proc:%s", de->d_name);
			emit(key, val);
		}
		free(buf);
	}
	closedir(d);
}

static void q_rlimits(void)
{
	static const struct {
		int res;
		const char *name;
	} lim[] = {
		{ RLIMIT_NOFILE, "nofile" }, { RLIMIT_NPROC, "nproc" }, { RLIMIT_CORE, "core" },
		{ RLIMIT_AS, "as" },	     { RLIMIT_STACK, "stack" },
	};
	size_t k;

	for (k = 0; k < sizeof(lim) / sizeof(lim[0]); k++) {
		struct rlimit rl;
		char key[32], val[64];

		snprintf(key, sizeof(key), "rlimit:%s", lim[k].name);
		if (getrlimit(lim[k].res, &rl) != 0) {
			emit(key, errname(errno));
			continue;
		}
		snprintf(val, sizeof(val), "%llu:%llu", (unsigned long long)rl.rlim_cur,
			 (unsigned long long)rl.rlim_max);
		emit(key, val);
	}
}

static void q_session(void)
{
	emitf("sid", "%d", (int)getsid(0));
	emitf("pgid", "%d", (int)getpgid(0));
}

/* --- attack: what the command can reach from inside (issue 9) ------------------------------
 *
 * The command's view of every process it can see: each one in its own mount namespace (pid 1
 * of a PID namespace whose mount namespace it cannot read, too) is a process of the sandbox,
 * and everything such a process holds that the command can reach is a way out unless it lies
 * on one of the sandbox's own mounts (those of /proc/self/mountinfo, by mount id) and is no
 * pipe, socket or anonymous inode the command does not already hold as its stdio. Each way
 * out is one `finding=CLASS WHO DETAIL` line; everything looked at is reported as an
 * `attack:...` line; `attack:done=N` (N findings) ends a complete run. */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#define MAGIC_PROC	 0x9fa0
#define MAGIC_ANON	 0x09041934
#define MAGIC_PIPE	 0x50495045
#define MAGIC_SOCK	 0x534F434B
#define MAGIC_NSFS	 0x6e736673
#define ATTACK_MAX_PIPES 64

struct attack {
	int allow[16]; /* our own fds above 2 that the caller passed on purpose */
	size_t nallow;
	bool canary; /* a host directory the test owns: try to create a file in it if reached */
	unsigned long long canary_dev, canary_ino;
	int forge; /* what goes into every pipe of another process we can open for writing */
	unsigned long long *mnts;
	size_t nmnts;
	struct stat stdio[3];
	bool has_stdio[3];
	unsigned findings;
	struct {
		pid_t pid;
		int fd;
	} pipes[ATTACK_MAX_PIPES];
	size_t npipes;
};

struct ident {
	unsigned long long dev, ino, mnt;
	mode_t mode;
	long fstype;
};

static void finding(struct attack *a, const char *cls, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void finding(struct attack *a, const char *cls, const char *who, const char *fmt, ...)
{
	char detail[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	emitf("finding", "%s %s %s", cls, who, detail);
	fflush(stdout);
	a->findings++;
}

static int ident_of(int fd, struct ident *id)
{
	struct statx sx;
	struct statfs sf;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_MNT_ID, &sx) != 0)
		return -1;
	id->dev = (unsigned long long)makedev(sx.stx_dev_major, sx.stx_dev_minor);
	id->ino = (unsigned long long)sx.stx_ino;
	id->mnt = (sx.stx_mask & STATX_MNT_ID) ? (unsigned long long)sx.stx_mnt_id : 0;
	id->mode = sx.stx_mode;
	id->fstype = fstatfs(fd, &sf) == 0 ? (long)sf.f_type : 0;
	return 0;
}

static bool mount_is_ours(const struct attack *a, unsigned long long mnt)
{
	for (size_t i = 0; i < a->nmnts; i++)
		if (a->mnts[i] == mnt)
			return true;
	return false;
}

static bool is_our_stdio(const struct attack *a, const struct ident *id)
{
	for (int k = 0; k < 3; k++)
		if (a->has_stdio[k] && (unsigned long long)a->stdio[k].st_dev == id->dev &&
		    (unsigned long long)a->stdio[k].st_ino == id->ino)
			return true;
	return false;
}

static const char *kind_of(const struct ident *id)
{
	switch ((unsigned long)id->fstype) {
	case MAGIC_PIPE:
		return "pipe";
	case MAGIC_SOCK:
		return "socket";
	case MAGIC_ANON:
		return "anon";
	case MAGIC_NSFS:
		return "namespace";
	case MAGIC_PROC:
		return S_ISDIR(id->mode) ? "proc-dir" : "proc-file";
	}
	return type_name(id->mode);
}

/* Mount ids of every mount the sandbox has (the first field of mountinfo). */
static int attack_read_mounts(struct attack *a)
{
	char *buf = slurp("/proc/self/mountinfo"), *line, *save = NULL;

	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long *nm = realloc(a->mnts, (a->nmnts + 1) * sizeof(*a->mnts));

		if (!nm)
			exit(3);
		a->mnts = nm;
		a->mnts[a->nmnts++] = strtoull(line, NULL, 10);
	}
	free(buf);
	return 0;
}

static int count_entries(int fd)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* A directory outside: how much of the host it shows, and whether it can be written. The
 * only writes are a new file in the test's own canary directory; a sysctl is only opened. */
static void outside_dir_detail(struct attack *a, const char *who, int fd, const struct ident *id,
			       char *out, size_t len)
{
	static const char *const sysctls[] = { "kernel/hostname", "sys/kernel/hostname",
					       "../sys/kernel/hostname" };
	int n = count_entries(fd);
	size_t o;

	o = (size_t)snprintf(out, len, "entries=%d", n);
	if (id->fstype == MAGIC_PROC) {
		for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
			int w = openat(fd, sysctls[i], O_WRONLY | O_CLOEXEC | O_NOCTTY);
			int e = errno;

			if (w < 0 && e == ENOENT)
				continue;
			if (w >= 0)
				close(w);
			if (o < len)
				o += (size_t)snprintf(out + o, len - o, " open-for-write:%s=%s",
						      sysctls[i], w >= 0 ? "0" : errname(e));
			if (w >= 0)
				finding(a, "host-sysctl-writable", who, "%s", sysctls[i]);
			break;
		}
	}
	if (a->canary && id->dev == a->canary_dev && id->ino == a->canary_ino) {
		char name[64];
		int w;

		snprintf(name, sizeof(name), "escaped-by-probe.%d", (int)getpid());
		w = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (w >= 0) {
			close(w);
			finding(a, "host-write", who, "created %s in the caller's directory", name);
		}
		if (o < len)
			snprintf(out + o, len - o, " canary-write=%s",
				 w >= 0 ? "0" : errname(errno));
	}
}

/* Follow ".." from a directory to the top of what it shows: every step must stay on the
 * sandbox's mounts (a mount of our namespace that the root cannot reach is not listed). */
static void climb(struct attack *a, const char *who, int fd, bool outside_already)
{
	int cur = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	struct ident id, up;
	int step;

	if (cur < 0 || ident_of(cur, &id) != 0) {
		if (cur >= 0)
			close(cur);
		return;
	}
	for (step = 1; step <= 64; step++) {
		int nxt = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (nxt < 0 || ident_of(nxt, &up) != 0) {
			if (nxt >= 0)
				close(nxt);
			break;
		}
		close(cur);
		cur = nxt;
		if (up.dev == id.dev && up.ino == id.ino && up.mnt == id.mnt)
			break; /* the top: ".." of a root is itself */
		id = up;
		if (!outside_already && !mount_is_ours(a, id.mnt)) {
			char detail[512];

			outside_dir_detail(a, who, cur, &id, detail, sizeof(detail));
			finding(a, "dir-climbs-outside", who, "after %d x '..' mount=%llu %s", step,
				id.mnt, detail);
			outside_already = true;
		} else if (outside_already && a->canary && id.dev == a->canary_dev &&
			   id.ino == a->canary_ino) {
			char detail[512];

			outside_dir_detail(a, who, cur, &id, detail, sizeof(detail));
		}
	}
	if (outside_already)
		emitf("attack:climb", "%s top-entries=%d", who, count_entries(cur));
	close(cur);
}

/* One object another process holds (or our own fd, cwd, root). Returns whether it was a
 * finding. stdio_ok: the same object as our own stdio is no news. */
static bool check_object(struct attack *a, const char *who, int fd, const char *target,
			 bool stdio_ok, pid_t pid, int fdnum)
{
	struct ident id;
	char detail[1024];
	const char *kind;

	if (ident_of(fd, &id) != 0) {
		emitf("attack:obj", "%s %s statx=%s", who, target, errname(errno));
		return false;
	}
	kind = kind_of(&id);
	if (stdio_ok && is_our_stdio(a, &id)) {
		emitf("attack:obj", "%s ok-stdio %s %s", who, kind, target);
		return false;
	}
	if (id.fstype == MAGIC_PIPE || S_ISFIFO(id.mode)) {
		if (pid > 0 && fdnum >= 0 && a->npipes < ATTACK_MAX_PIPES) {
			a->pipes[a->npipes].pid = pid;
			a->pipes[a->npipes].fd = fdnum;
			a->npipes++;
		}
		finding(a, "pipe", who, "%s (not our stdio)", target);
		return true;
	}
	if (id.fstype == MAGIC_SOCK || id.fstype == MAGIC_ANON || S_ISSOCK(id.mode)) {
		finding(a, id.fstype == MAGIC_ANON ? "anon-inode" : "socket", who, "%s", target);
		return true;
	}
	if (!mount_is_ours(a, id.mnt)) {
		const char *cls = id.fstype == MAGIC_PROC ? "host-proc" :
				  id.fstype == MAGIC_NSFS ? "namespace" :
				  S_ISDIR(id.mode)	  ? "dir-outside" :
							    "file-outside";

		detail[0] = '\0';
		if (S_ISDIR(id.mode))
			outside_dir_detail(a, who, fd, &id, detail, sizeof(detail));
		finding(a, cls, who, "%s %s mount=%llu %s", kind, target, id.mnt, detail);
		if (S_ISDIR(id.mode))
			climb(a, who, fd, true);
		return true;
	}
	emitf("attack:obj", "%s ok-inside %s mount=%llu %s", who, kind, id.mnt, target);
	if (S_ISDIR(id.mode)) {
		unsigned before = a->findings;

		climb(a, who, fd, false);
		return a->findings != before;
	}
	return false;
}

static void attack_parse(struct attack *a, const char *opts)
{
	char *copy = strdup(opts ? opts : ""), *tok, *save = NULL;

	a->forge = 77;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "allow:", 6) == 0 && a->nallow < 16) {
			a->allow[a->nallow++] = atoi(tok + 6);
		} else if (strncmp(tok, "canary:", 7) == 0) {
			char *end;

			a->canary_dev = strtoull(tok + 7, &end, 10);
			a->canary_ino = *end == ':' ? strtoull(end + 1, NULL, 10) : 0;
			a->canary = true;
		} else if (strncmp(tok, "forge:", 6) == 0) {
			a->forge = atoi(tok + 6);
		} else {
			emitf("error", "attack: unknown option %s", tok);
			status = 2;
		}
	}
	free(copy);
}

static bool is_allowed(const struct attack *a, int fd)
{
	for (size_t i = 0; i < a->nallow; i++)
		if (a->allow[i] == fd)
			return true;
	return false;
}

/* Our own descriptors, listed before the attack opens any of its own. */
static void attack_self(struct attack *a)
{
	DIR *d = opendir("/proc/self/fd");
	int fds[1024], self, n = 0;
	struct dirent *de;
	char who[64], path[64], target[PATH_MAX];

	if (!d) {
		emitf("attack:self-fds", "%s", errname(errno));
		return;
	}
	self = dirfd(d);
	while ((de = readdir(d)) != NULL && n < 1024) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (de->d_name[0] != '.' && !*end && v != self)
			fds[n++] = (int)v;
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		snprintf(who, sizeof(who), "self:fd:%d", fds[i]);
		if (fds[i] <= 2 || is_allowed(a, fds[i])) {
			emitf("attack:obj", "%s %s %s", who, fds[i] <= 2 ? "stdio" : "passed",
			      target);
			continue;
		}
		if (!check_object(a, who, fds[i], target, false, 0, -1))
			finding(a, "own-fd", who, "%s: an fd nobody passed reached the command",
				target);
	}
	/* runc CVE-2024-21626: the command's cwd and root are the sandbox's. */
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char buf[PATH_MAX];

	if (cwd >= 0)
		check_object(a, "self:cwd", cwd, "cwd", false, 0, -1);
	if (root >= 0)
		check_object(a, "self:root", root, "/", false, 0, -1);
	if (!getcwd(buf, sizeof(buf)))
		finding(a, "cwd-unreachable", "self:cwd", "getcwd: %s", errname(errno));
	else if (buf[0] != '/')
		finding(a, "cwd-unreachable", "self:cwd", "getcwd: %s", buf);
	if (cwd >= 0)
		close(cwd);
	if (root >= 0)
		close(root);
}

/* ptrace in a child, which detaches (or, if it hangs, dies and so detaches) within a few
 * seconds: a stopped pid 1 must not be able to wedge the sandbox. */
static void attack_ptrace(struct attack *a, pid_t pid, const char *who)
{
	int p[2], res[2] = { -1, -1 }, st;
	pid_t child;

	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		close(p[0]);
		alarm(3);
		res[0] = ptrace(PTRACE_SEIZE, pid, NULL, NULL) == 0 ? 0 : errno;
		if (res[0] == 0) {
			ptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
			waitpid(pid, &st, __WALL);
			ptrace(PTRACE_DETACH, pid, NULL, NULL);
		}
		res[1] = ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0 ? 0 : errno;
		if (res[1] == 0) {
			waitpid(pid, &st, __WALL);
			ptrace(PTRACE_DETACH, pid, NULL, NULL);
		}
		if (write(p[1], res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (child < 0) {
		close(p[0]);
		return;
	}
	if (read(p[0], res, sizeof(res)) != sizeof(res))
		res[0] = res[1] = -2;
	close(p[0]);
	waitpid(child, &st, 0);
	emitf("attack:ptrace", "%s seize=%s attach=%s", who,
	      res[0] == -2 ? "stuck" : errname(res[0]), res[1] == -2 ? "stuck" : errname(res[1]));
	if (res[0] == 0)
		finding(a, "ptrace-seize", who, "PTRACE_SEIZE succeeded");
	if (res[1] == 0)
		finding(a, "ptrace-attach", who, "PTRACE_ATTACH succeeded");
	if (res[0] == -2) {
		finding(a, "ptrace-stuck", who, "the ptrace child hung and was killed");
		kill(pid, SIGCONT);
	}
}

/* pidfd_getfd(2) takes another process's descriptors without /proc. */
static void attack_getfd(struct attack *a, pid_t pid, const char *who)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int got = 0, first_err = 0;

	if (pidfd < 0) {
		emitf("attack:getfd", "%s pidfd_open=%s", who, errname(errno));
		return;
	}
	for (int n = 0; n < 1024; n++) {
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, n, 0);
		struct ident id;
		char w[96];

		if (fd < 0) {
			if (errno != EBADF && !first_err)
				first_err = errno;
			if (errno == EPERM || errno == ENOSYS || errno == ESRCH)
				break;
			continue;
		}
		got++;
		if (ident_of(fd, &id) == 0 && is_our_stdio(a, &id)) {
			close(fd);
			continue;
		}
		snprintf(w, sizeof(w), "%s:getfd:%d", who, n);
		finding(a, "getfd", w, "pidfd_getfd took its fd %d (%s)", n,
			ident_of(fd, &id) == 0 ? kind_of(&id) : "?");
		close(fd);
	}
	emitf("attack:getfd", "%s taken=%d first-error=%s", who, got, errname(first_err));
	close(pidfd);
}

static void attack_process(struct attack *a, pid_t pid)
{
	char path[96], who[64], target[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d) {
		emitf("attack:fds", "pid:%d %s", (int)pid, errname(errno));
	} else {
		int fds[1024], n = 0;

		while ((de = readdir(d)) != NULL && n < 1024) {
			char *end;
			long v = strtol(de->d_name, &end, 10);

			if (de->d_name[0] != '.' && !*end)
				fds[n++] = (int)v;
		}
		closedir(d);
		for (int i = 0; i < n; i++) {
			ssize_t len;

			snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fds[i]);
			snprintf(who, sizeof(who), "pid:%d:fd:%d", (int)pid, fds[i]);
			len = readlink(path, target, sizeof(target) - 1);
			if (len < 0) {
				emitf("attack:obj", "%s readlink=%s", who, errname(errno));
				continue;
			}
			target[len] = '\0';
			fd = open(path, O_PATH | O_CLOEXEC);
			if (fd < 0) {
				emitf("attack:obj", "%s %s open=%s", who, target, errname(errno));
				continue;
			}
			check_object(a, who, fd, target, true, pid, fds[i]);
			close(fd);
		}
	}
	static const char *const links[] = { "cwd", "root" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, links[i]);
		snprintf(who, sizeof(who), "pid:%d:%s", (int)pid, links[i]);
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			emitf("attack:obj", "%s open=%s", who, errname(errno));
			continue;
		}
		check_object(a, who, fd, links[i], false, pid, -1);
		close(fd);
	}
	/* runc CVE-2019-5736: the binary of a process that is hutch must not be writable. */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	snprintf(who, sizeof(who), "pid:%d:exe", (int)pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		struct ident id;

		if (ident_of(fd, &id) == 0 && !mount_is_ours(a, id.mnt))
			finding(a, "exe-outside", who, "a host file, mount=%llu", id.mnt);
		close(fd);
	} else {
		emitf("attack:obj", "%s open=%s", who, errname(errno));
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		finding(a, "exe-writable", who, "opened for writing (nothing written)");
	} else {
		emitf("attack:obj", "%s open-for-write=%s", who, errname(errno));
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	snprintf(who, sizeof(who), "pid:%d:mem", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		finding(a, "mem", who, "opened for reading and writing");
	} else {
		emitf("attack:obj", "%s open=%s", who, errname(errno));
	}
	snprintf(who, sizeof(who), "pid:%d", (int)pid);
	attack_ptrace(a, pid, who);
	attack_getfd(a, pid, who);
}

/* Last: a forged word in the status pipe makes the parent exit at once. */
static void attack_pipes(struct attack *a)
{
	for (size_t i = 0; i < a->npipes; i++) {
		char path[96], who[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)a->pipes[i].pid,
			 a->pipes[i].fd);
		snprintf(who, sizeof(who), "pid:%d:fd:%d", (int)a->pipes[i].pid, a->pipes[i].fd);
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			emitf("attack:pipe-write", "%s open=%s", who, errname(errno));
			continue;
		}
		finding(a, "pipe-write", who, "opened for writing; writing %d as a 4-byte word",
			a->forge);
		if (write(fd, &a->forge, sizeof(a->forge)) < 0)
			emitf("attack:pipe-write", "%s write=%s", who, errname(errno));
		close(fd);
	}
}

static void q_attack(const char *opts)
{
	struct attack a = { 0 };
	char ownmnt[128] = "", buf[128];
	struct dirent *de;
	pid_t *pids = NULL;
	size_t npids = 0;
	ssize_t n;
	DIR *d;

	attack_parse(&a, opts);
	for (int k = 0; k < 3; k++)
		a.has_stdio[k] = fstat(k, &a.stdio[k]) == 0;
	if (attack_read_mounts(&a) != 0 || a.nmnts == 0) {
		emitf("attack:error", "cannot read /proc/self/mountinfo: %s", errname(errno));
		status = 2;
		return;
	}
	emitf("attack:mounts", "%zu", a.nmnts);
	attack_self(&a);
	n = readlink("/proc/self/ns/mnt", ownmnt, sizeof(ownmnt) - 1);
	ownmnt[n > 0 ? n : 0] = '\0';
	d = opendir("/proc");
	if (!d) {
		emitf("attack:error", "cannot list /proc: %s", errname(errno));
		status = 2;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		pid_t *np;

		if (de->d_name[0] == '.' || *end || v <= 0 || v == getpid())
			continue;
		np = realloc(pids, (npids + 1) * sizeof(*pids));
		if (!np)
			exit(3);
		pids = np;
		pids[npids++] = (pid_t)v;
	}
	closedir(d);
	unsigned counts[3] = { 0, 0, 0 };
	for (size_t i = 0; i < npids; i++) {
		char path[64];
		const char *scope;

		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pids[i]);
		n = readlink(path, buf, sizeof(buf) - 1);
		if (n < 0) {
			scope = "hidden";
		} else {
			buf[n] = '\0';
			scope = strcmp(buf, ownmnt) == 0 ? "sandbox" : "foreign";
		}
		counts[scope[0] == 's' ? 0 : scope[0] == 'h' ? 1 : 2]++;
		/* A foreign process is the host's or another sandbox's: the host's pid 1 (no PID
		 * namespace) included. Ours are attacked, and so are pid 1 and our parent when we
		 * cannot even identify them (a process that hides well is still tried). */
		if (scope[0] == 's' ||
		    (scope[0] == 'h' && (pids[i] == 1 || pids[i] == getppid()))) {
			emitf("attack:proc", "%d %s", (int)pids[i], scope);
			attack_process(&a, pids[i]);
		}
	}
	emitf("attack:processes", "sandbox=%u hidden=%u foreign=%u", counts[0], counts[1],
	      counts[2]);
	free(pids);
	attack_pipes(&a);
	free(a.mnts);
	emitf("attack:done", "%u", a.findings);
}

/* The same attack from a forked child while we wait: with --as-pid-1 we are pid 1, holding
 * whatever the command holds, so the child must find it (the attack's own control). */
static void q_attack_child(const char *opts)
{
	int p[2], st, got = 0;
	pid_t child;

	if (pipe2(p, 0) != 0) {
		emit("attack-child", errname(errno));
		return;
	}
	fflush(stdout);
	child = fork();
	if (child == 0) {
		close(p[0]);
		close(p[1]);
		q_attack(opts);
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	waitpid(child, &st, 0);
	/* The pipe's read end stayed with us: did the child write the forged word into it? */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	if (read(p[0], &got, sizeof(got)) != sizeof(got))
		got = 0;
	close(p[0]);
	emitf("attack-child:forged", "%d", got);
}

/* TIOCSTI and TIOCLINUX on FD, plain and with bits above 31 set in the request (the kernel
 * reads 32 bits; a filter that compares 64 would let the second form through). TIOCSTI
 * pushes one space; TIOCLINUX asks subcode 6 (read the shift state), changing nothing. */
static void q_tty_ioctl(const char *arg)
{
	int fd = atoi(arg);
	char c = ' ', sub = 6;
	unsigned long hi = sizeof(long) > 4 ? (1UL << 32) : 0;
	long r;

	r = syscall(SYS_ioctl, fd, (unsigned long)TIOCSTI, &c);
	emit_kv("tiocsti", arg, r == 0 ? "0" : errname(errno));
	r = syscall(SYS_ioctl, fd, (unsigned long)TIOCSTI | hi, &c);
	emit_kv("tiocsti-hi", arg, r == 0 ? "0" : errname(errno));
	r = syscall(SYS_ioctl, fd, (unsigned long)TIOCLINUX, &sub);
	emit_kv("tioclinux", arg, r == 0 ? "0" : errname(errno));
	sub = 6;
	r = syscall(SYS_ioctl, fd, (unsigned long)TIOCLINUX | hi, &sub);
	emit_kv("tioclinux-hi", arg, r == 0 ? "0" : errname(errno));
}

/* Open for writing only (no O_TRUNC, nothing written): 0 or the errno. */
static void q_openw(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	emit_kv("openw", path, fd < 0 ? errname(errno) : "0");
	if (fd >= 0)
		close(fd);
}

/* The same through an O_PATH descriptor reopened by /proc/self/fd (how an attacker keeps a
 * handle on a binary until it can be written). */
static void q_reopenw(const char *path)
{
	int pfd = open(path, O_PATH | O_CLOEXEC), fd;
	char self[64];

	if (pfd < 0) {
		emit_kv("reopenw", path, errname(errno));
		return;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	emit_kv("reopenw", path, fd < 0 ? errname(errno) : "0");
	if (fd >= 0)
		close(fd);
	close(pfd);
}

/* Swap each pair A and B (renameat2 RENAME_EXCHANGE) in turn, as fast as one process can,
 * until STOP exists: the racing half of the symlink-exchange tests (it runs on the host, as
 * the sandbox's accomplice). One process for all pairs leaves the other core to hutch. */
static void q_exchange(const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok, *stop, *paths[16];
	unsigned long swaps = 0;
	size_t n = 0, i;
	struct stat st;
	time_t end = time(NULL) + 300;

	stop = strtok_r(copy, ",", &save);
	while ((tok = strtok_r(NULL, ",", &save)) != NULL && n < 16)
		paths[n++] = tok;
	if (!stop || n == 0 || n % 2) {
		emit_kv("exchange", arg, "EINVAL");
		status = 2;
		free(copy);
		return;
	}
	for (;;) {
		for (i = 0; i < n; i += 2) {
			if (renameat2(AT_FDCWD, paths[i], AT_FDCWD, paths[i + 1],
				      RENAME_EXCHANGE) != 0) {
				emit_kv("exchange", arg, errname(errno));
				status = 2;
				free(copy);
				return;
			}
		}
		if ((++swaps & 63) == 0 && (stat(stop, &st) == 0 || time(NULL) > end))
			break;
	}
	/* An even count leaves every pair where it started. */
	if (swaps & 1)
		for (i = 0; i < n; i += 2)
			renameat2(AT_FDCWD, paths[i], AT_FDCWD, paths[i + 1], RENAME_EXCHANGE);
	emitf("exchange:swaps", "%lu", swaps);
	free(copy);
}

static void query(const char *q, const char *argv0)
{
	const char *eq = strchr(q, '=');
	const char *arg = eq ? eq + 1 : NULL;
	size_t nlen = eq ? (size_t)(eq - q) : strlen(q);
	char name[64];

	if (nlen >= sizeof(name))
		nlen = sizeof(name) - 1;
	memcpy(name, q, nlen);
	name[nlen] = '\0';

#define IS(s) (strcmp(name, s) == 0)
#define NEEDS_ARG()                                                         \
	do {                                                                \
		if (!arg) {                                                 \
			emitf("error", "query %s needs an argument", name); \
			status = 2;                                         \
			return;                                             \
		}                                                           \
	} while (0)

	if (IS("uid_map")) {
		q_idmap("uid_map", "/proc/self/uid_map");
	} else if (IS("gid_map")) {
		q_idmap("gid_map", "/proc/self/gid_map");
	} else if (IS("setgroups")) {
		q_idmap("setgroups", "/proc/self/setgroups");
	} else if (IS("ids")) {
		q_ids();
	} else if (IS("caps")) {
		static const char *const f[] = { "CapInh", "CapPrm", "CapEff",
						 "CapBnd", "CapAmb", NULL };
		status_fields(f);
	} else if (IS("nonewprivs")) {
		emitf("nonewprivs", "%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	} else if (IS("seccomp")) {
		static const char *const f[] = { "Seccomp", NULL };
		status_fields(f);
	} else if (IS("seccomp-filters")) {
		static const char *const f[] = { "Seccomp_filters", NULL };
		status_fields(f);
	} else if (IS("tty")) {
		q_tty();
	} else if (IS("stty-size")) {
		struct winsize ws;
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			emitf("stty-size", "%u %u", ws.ws_row, ws.ws_col);
		else
			emit("stty-size", errname(errno));
	} else if (IS("ctty")) {
		/* fd 0 is our controlling terminal when its session is ours */
		pid_t sid = 0;
		if (ioctl(0, TIOCGSID, &sid) == 0)
			emitf("ctty", "%s", sid == getsid(0) ? "own" : "other");
		else
			emit("ctty", errname(errno));
	} else if (IS("write-fd")) {
		NEEDS_ARG();
		q_write_fd(arg);
	} else if (IS("unix-send")) {
		NEEDS_ARG();
		q_unix_send(arg);
	} else if (IS("wait-file")) {
		NEEDS_ARG();
		q_wait_file(arg);
	} else if (IS("environ")) {
		q_environ();
	} else if (IS("status")) {
		NEEDS_ARG();
		q_status(arg);
	} else if (IS("fdlinks")) {
		q_fdlinks();
	} else if (IS("mountinfo")) {
		q_mountinfo();
	} else if (IS("tree")) {
		NEEDS_ARG();
		q_tree(arg);
	} else if (IS("procs")) {
		q_procs();
	} else if (IS("rlimits")) {
		q_rlimits();
	} else if (IS("pid")) {
		emitf("pid", "%d", (int)getpid());
	} else if (IS("ppid")) {
		emitf("ppid", "%d", (int)getppid());
	} else if (IS("session")) {
		q_session();
	} else if (IS("hostname")) {
		struct utsname u;

		uname(&u);
		emit("hostname", u.nodename);
	} else if (IS("cwd")) {
		char buf[PATH_MAX];

		emit("cwd", getcwd(buf, sizeof(buf)) ? buf : errname(errno));
	} else if (IS("argv0")) {
		emit("argv0", argv0);
	} else if (IS("umask")) {
		mode_t m = umask(0);

		umask(m);
		emitf("umask", "%04o", (unsigned)m);
	} else if (IS("ifaces")) {
		q_ifaces();
	} else if (IS("fds")) {
		q_fds();
	} else if (IS("envnames")) {
		q_envnames();
	} else if (IS("env")) {
		const char *v;

		NEEDS_ARG();
		v = getenv(arg);
		emit_kv("env", arg, v ? v : "(unset)");
	} else if (IS("ns")) {
		NEEDS_ARG();
		q_ns(arg);
	} else if (IS("mounts")) {
		q_mounts();
	} else if (IS("mountflags")) {
		NEEDS_ARG();
		q_mountflags(arg);
	} else if (IS("stat")) {
		NEEDS_ARG();
		q_stat("stat", arg, true);
	} else if (IS("lstat")) {
		NEEDS_ARG();
		q_stat("lstat", arg, false);
	} else if (IS("readlink")) {
		NEEDS_ARG();
		q_readlink(arg);
	} else if (IS("read")) {
		NEEDS_ARG();
		q_read(arg);
	} else if (IS("read-fd")) {
		NEEDS_ARG();
		q_read_fd(arg);
	} else if (IS("landlock-abi")) {
		long abi = syscall(444 /* landlock_create_ruleset */, NULL, (size_t)0, 1u);
		if (abi > 0)
			emitf("landlock-abi", "%ld", abi);
		else
			emit("landlock-abi", errname(errno));
	} else if (IS("at-fd")) {
		NEEDS_ARG();
		q_at_fd(arg);
	} else if (IS("ls")) {
		NEEDS_ARG();
		q_ls(arg);
	} else if (IS("statfs")) {
		NEEDS_ARG();
		q_statfs(arg);
	} else if (IS("vfsflags")) {
		NEEDS_ARG();
		q_vfsflags(arg);
	} else if (IS("ident")) {
		NEEDS_ARG();
		q_ident(arg);
	} else if (IS("open")) {
		NEEDS_ARG();
		q_open(arg);
	} else if (IS("writebyte")) {
		NEEDS_ARG();
		q_writebyte(arg);
	} else if (IS("head")) {
		NEEDS_ARG();
		q_head(arg);
	} else if (IS("touch")) {
		NEEDS_ARG();
		q_touch(arg);
	} else if (IS("mkdir")) {
		NEEDS_ARG();
		q_mkdir(arg);
	} else if (IS("write")) {
		NEEDS_ARG();
		q_write(arg);
	} else if (IS("exec")) {
		NEEDS_ARG();
		q_exec(arg);
	} else if (IS("errno-of")) {
		NEEDS_ARG();
		q_errno_of(arg);
	} else if (IS("wait-signal")) {
		NEEDS_ARG();
		q_wait_signal(arg);
	} else if (IS("attack")) {
		q_attack(arg);
	} else if (IS("attack-child")) {
		q_attack_child(arg);
	} else if (IS("tty-ioctl")) {
		NEEDS_ARG();
		q_tty_ioctl(arg);
	} else if (IS("openw")) {
		NEEDS_ARG();
		q_openw(arg);
	} else if (IS("reopenw")) {
		NEEDS_ARG();
		q_reopenw(arg);
	} else if (IS("exchange")) {
		NEEDS_ARG();
		q_exchange(arg);
	} else if (IS("sleep")) {
		struct timespec ts;
		double s;

		NEEDS_ARG();
		s = strtod(arg, NULL);
		ts.tv_sec = (time_t)s;
		ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
		fflush(stdout);
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	} else if (IS("exit")) {
		NEEDS_ARG();
		fflush(stdout);
		exit(atoi(arg));
	} else if (IS("kill")) {
		NEEDS_ARG();
		fflush(stdout);
		signal(atoi(arg), SIG_DFL);
		kill(getpid(), atoi(arg));
	} else {
		emitf("error", "unknown query %s", q);
		status = 2;
	}
#undef IS
#undef NEEDS_ARG
}

/* with-fd=N:DIR: a caller that opens a directory without following a link in its last
 * component and hands it to CMD as fd N (how a careful caller uses --bind-fd); while the
 * name is a link (ELOOP, ENOTDIR) or missing it tries again. */
static noreturn void with_fd_exec(const char *spec, char **argv)
{
	char *end;
	long n = strtol(spec, &end, 10);
	int fd;

	if (end == spec || *end != ':' || n < 0 || n > 1000) {
		fprintf(stderr, "probe: with-fd=N:DIR\n");
		exit(2);
	}
	/* Under a race the name is a link part of the time: try again (up to about a second)
	 * until it is the directory, as a caller that got ELOOP would. */
	for (int tries = 0;; tries++) {
		fd = open(end + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 || tries >= 10000 ||
		    (errno != ELOOP && errno != ENOTDIR && errno != ENOENT))
			break;
		usleep(100);
	}
	if (fd < 0) {
		fprintf(stderr, "probe: cannot open %s: %s\n", end + 1, errname(errno));
		exit(111);
	}
	if (fd != n && dup2(fd, (int)n) < 0)
		exit(111);
	if (fd == n)
		fcntl(fd, F_SETFD, 0);
	execvp(argv[0], argv);
	fprintf(stderr, "probe: cannot run %s: %s\n", argv[0], errname(errno));
	exit(127);
}

int main(int argc, char **argv)
{
	int i;

	if (argc > 2 && strncmp(argv[1], "with-fd=", 8) == 0)
		with_fd_exec(argv[1] + 8, argv + 2);

	for (i = 1; i < argc; i++) {
		query(argv[i], argv[0]);
		fflush(stdout);
	}
	return status;
}
