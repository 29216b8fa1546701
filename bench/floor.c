/* bench/floor.c: the floor of a hutch launch, and the harness that times it against hutch and
 * bubblewrap. One file, built three ways by bench/run.sh:
 *
 *   cc -O2 -o floor floor.c                        the floor (below, the default build)
 *   cc -O2 -DBENCH_HARNESS -o bench-harness floor.c  rounds, memory, throughput, mount tables
 *   cc -O2 -static -nostdlib -DBENCH_NOP -o bench-nop floor.c   a command that does nothing
 *
 * The floor takes the subset of bubblewrap's options the benchmark uses and does the bare
 * syscalls of that launch as an unprivileged user, with the same result and nothing else: no
 * option validation, no messages beyond errno, no helper it does not need. What it does not
 * skip, because hutch and bwrap give the command the same: a tmpfs root built in command-line
 * order, recursive binds made read-only recursively, /proc with its read-only covers, a /dev
 * with node binds and a devpts, pivot_root and the detach of the old root, the capability
 * bounding set emptied, no_new_privs, stray fds closed, and with --unshare-pid a pid 1 that
 * waits for the command while the launching process waits for pid 1.
 *
 * Its choices, each the cheapest that gives the same sandbox:
 *  - The caller's ids are mapped straight through (uid -> uid) in one user namespace. Only a
 *    devpts mount needs uid 0 mapped (the kernel refuses it otherwise), so with --dev it maps
 *    0 -> uid, builds the root, then enters a nested user namespace mapping uid -> 0.
 *  - Every bind source is cloned (open_tree) before the new root is attached, so no source can
 *    see the new root: one pivot_root instead of two.
 *  - The namespaces are entered with unshare() in the launching process; with a PID
 *    namespace its first child is pid 1 and builds the root (proc must be mounted from
 *    inside the PID namespace), then forks the command.
 */
#define _GNU_SOURCE

#if defined(BENCH_NOP)
/* The command for the memory measurements: a static binary with no libc, so its own pages
 * are a few KiB and the largest process of a launch is the sandbox's. With an argument it
 * sleeps 300 ms, long enough to look at the helpers while it runs; with the argument "hold"
 * it writes one byte to stdout (it runs) and reads stdin until end of file, so the harness
 * holds many sandboxes running at once and ends them all by closing one pipe. */
#include <stddef.h>
#include <sys/syscall.h>

static long nop_syscall(long n, long a, long b, long c)
{
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	ret = x0;
#else
#error "bench-nop: add the syscall instruction of this architecture"
#endif
	return ret;
}

struct nop_timespec {
	long tv_sec, tv_nsec;
};

void nop_main(long *sp);

__attribute__((used)) void nop_main(long *sp)
{
	static const struct nop_timespec t = { 0, 300 * 1000 * 1000 };
	const char *arg = sp[0] > 1 ? (const char *)sp[2] : "";
	char buf[16] = "h";

	if (arg[0] == 'h' && arg[1] == 'o' && arg[2] == 'l' && arg[3] == 'd' && !arg[4]) {
		nop_syscall(SYS_write, 1, (long)buf, 1);
		while (nop_syscall(SYS_read, 0, (long)buf, sizeof(buf)) > 0)
			;
	} else if (sp[0] > 1) {
		nop_syscall(SYS_nanosleep, (long)&t, 0, 0);
	}
	nop_syscall(SYS_exit_group, 0, 0, 0);
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall nop_main\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n\tmov x0, sp\n\tbl nop_main\n");
#endif

#else /* the floor and the harness use libc */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *prog = "floor";

static void die(int status, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(status);
}

#endif /* !BENCH_NOP */

#if !defined(BENCH_NOP) && !defined(BENCH_HARNESS)
/* ------------------------------------------------------------------------------------------
 * The floor.
 */
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* The mount API by number: older libc headers lack some of it, and newer ones declare a
 * struct mount_attr that <linux/mount.h> would clash with. The numbers are the same on every
 * architecture (the syscall table was unified before they were added). */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 1
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 1
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x1
#define MOUNT_ATTR_NOSUID 0x2
#define MOUNT_ATTR_NODEV 0x4
#define MOUNT_ATTR_NOEXEC 0x8
#endif
/* enum fsconfig_command: libc may declare the enum, never these macros. */
#define FLOOR_FSCONFIG_SET_FLAG 0
#define FLOOR_FSCONFIG_SET_STRING 1
#define FLOOR_FSCONFIG_CMD_CREATE 6

struct floor_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static int f_open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int f_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static int set_attr_recursive(int tree, uint64_t attrs)
{
	struct floor_mount_attr a = { .attr_set = attrs };

	return (int)syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a,
			    sizeof(a));
}

/* A new filesystem instance, detached; options are "key=value" strings or bare flags. */
static int new_fs(const char *type, unsigned attrs, const char *const *opts)
{
	int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
	int mnt;

	if (fs < 0)
		die(125, "fsopen %s", type);
	for (; opts && *opts; opts++) {
		char key[32];
		const char *eq = strchr(*opts, '=');
		int r;

		if (eq) {
			snprintf(key, sizeof(key), "%.*s", (int)(eq - *opts), *opts);
			r = (int)syscall(SYS_fsconfig, fs, FLOOR_FSCONFIG_SET_STRING, key, eq + 1,
					 0);
		} else {
			r = (int)syscall(SYS_fsconfig, fs, FLOOR_FSCONFIG_SET_FLAG, *opts, NULL, 0);
		}
		if (r < 0)
			die(125, "fsconfig %s %s", type, *opts);
	}
	if (syscall(SYS_fsconfig, fs, FLOOR_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die(125, "create %s", type);
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		die(125, "fsmount %s", type);
	close(fs);
	return mnt;
}

enum op_type {
	OP_BIND,
	OP_RO_BIND,
	OP_PROC,
	OP_DEV,
	OP_TMPFS,
	OP_SYMLINK,
	OP_DIR,
	OP_FILE,
	OP_BIND_DATA,
	OP_CHMOD,
	OP_REMOUNT_RO,
	OP_RO_OVERLAY,
};

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
#define N_DEV_NODES (sizeof(dev_nodes) / sizeof(dev_nodes[0]))

struct op {
	enum op_type type;
	const char *src, *dest;
	int tree;	/* OP_*BIND: the detached clone of src */
	bool is_dir;	/* ... and whether it is a directory */
	int *nodes;	/* OP_DEV: the detached clones of the host's nodes */
	int fd;		/* OP_FILE, OP_BIND_DATA: the data */
	mode_t mode;	/* OP_CHMOD */
	char *lower;	/* OP_RO_OVERLAY: the --overlay-src paths before it, "a:b" */
};

struct floor {
	struct op *ops;
	size_t n_ops, n_trees;
	int ns;
	bool die_with_parent, devpts, scratch;
	struct sock_fprog filter; /* --seccomp-file: a program to attach, len 0: none */
	bool proc_oci;		  /* --proc-oci: --proc as the hutch face makes it */
	char **cmd;
	uid_t uid;
	gid_t gid;
};

static noreturn void usage(void)
{
	fprintf(stderr,
		"usage: floor [--unshare-all|--unshare-{user,pid,net,ipc,uts,cgroup}]\n"
		"             [--die-with-parent] [--ro-bind|--bind SRC DEST] [--proc DEST]\n"
		"             [--dev DEST] [--tmpfs DEST] [--symlink TARGET DEST] [--dir DEST]\n"
		"             [--file FD DEST] [--bind-data FD DEST] [--chmod OCTAL PATH]\n"
		"             [--remount-ro DEST] [--overlay-src SRC]... [--ro-overlay DEST]\n"
		"             [--setenv VAR VALUE] [--seccomp-file BPF] [--proc-oci]\n"
		"             [--] COMMAND [ARG...]\n");
	exit(64);
}

static void parse(int argc, char **argv, struct floor *f)
{
	static const struct {
		const char *name;
		int flags;
	} unshare[] = {
		{ "unshare-all", CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET |
					 CLONE_NEWUTS | CLONE_NEWCGROUP },
		{ "unshare-user", CLONE_NEWUSER },   { "unshare-pid", CLONE_NEWPID },
		{ "unshare-net", CLONE_NEWNET },     { "unshare-ipc", CLONE_NEWIPC },
		{ "unshare-uts", CLONE_NEWUTS },     { "unshare-cgroup", CLONE_NEWCGROUP },
	};
	char *lower = NULL;
	int i;

	f->ops = calloc((size_t)argc, sizeof(*f->ops));
	if (!f->ops)
		die(125, "calloc");
	f->ns = CLONE_NEWUSER | CLONE_NEWNS;
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *o = argv[i] + 2;
		struct op *op = &f->ops[f->n_ops];
		int args = 0;
		bool known = false;

		if (!*o) {
			i++;
			break;
		}
		for (size_t k = 0; k < sizeof(unshare) / sizeof(unshare[0]); k++)
			if (strcmp(o, unshare[k].name) == 0) {
				f->ns |= unshare[k].flags;
				known = true;
			}
		if (known)
			continue;
		if (strcmp(o, "die-with-parent") == 0) {
			f->die_with_parent = true;
			continue;
		}
		if (strcmp(o, "setenv") == 0) {
			if (i + 2 >= argc)
				usage();
			setenv(argv[i + 1], argv[i + 2], 1);
			i += 2;
			continue;
		}
		if (strcmp(o, "proc-oci") == 0) {
			f->proc_oci = true;
			continue;
		}
		if (strcmp(o, "seccomp-file") == 0) {
			/* The same program hutch's face attaches (hutch --seccomp-export FILE): the
			 * floor of a launch that loads a filter loads it too. Read here, attached
			 * right before the command (and its pid 1) as hutch does. */
			static struct sock_filter prog[4096];
			int fd;
			ssize_t n;

			if (i + 1 >= argc)
				usage();
			fd = open(argv[++i], O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				die(125, "open %s", argv[i]);
			n = read(fd, prog, sizeof(prog));
			if (n <= 0 || n % (ssize_t)sizeof(prog[0]))
				die(125, "read %s", argv[i]);
			close(fd);
			f->filter.filter = prog;
			f->filter.len = (unsigned short)(n / (ssize_t)sizeof(prog[0]));
			continue;
		}
		if (strcmp(o, "overlay-src") == 0) {
			size_t len = lower ? strlen(lower) + 1 : 0;

			if (i + 1 >= argc)
				usage();
			lower = realloc(lower, len + strlen(argv[++i]) + 1);
			if (!lower)
				die(125, "realloc");
			if (len)
				lower[len - 1] = ':';
			strcpy(lower + len, argv[i]);
			continue;
		}
		if (strcmp(o, "bind") == 0)
			op->type = OP_BIND, args = 2;
		else if (strcmp(o, "ro-bind") == 0)
			op->type = OP_RO_BIND, args = 2;
		else if (strcmp(o, "symlink") == 0)
			op->type = OP_SYMLINK, args = 2;
		else if (strcmp(o, "proc") == 0)
			op->type = OP_PROC, args = 1;
		else if (strcmp(o, "dev") == 0)
			op->type = OP_DEV, args = 1, f->devpts = true;
		else if (strcmp(o, "tmpfs") == 0)
			op->type = OP_TMPFS, args = 1;
		else if (strcmp(o, "dir") == 0)
			op->type = OP_DIR, args = 1;
		else if (strcmp(o, "file") == 0)
			op->type = OP_FILE, args = 2;
		else if (strcmp(o, "bind-data") == 0)
			op->type = OP_BIND_DATA, args = 2, f->scratch = true;
		else if (strcmp(o, "chmod") == 0)
			op->type = OP_CHMOD, args = 2;
		else if (strcmp(o, "remount-ro") == 0)
			op->type = OP_REMOUNT_RO, args = 1;
		else if (strcmp(o, "ro-overlay") == 0)
			op->type = OP_RO_OVERLAY, args = 1;
		else
			usage();
		if (i + args >= argc)
			usage();
		if (args == 2)
			op->src = argv[++i];
		if (op->type == OP_FILE || op->type == OP_BIND_DATA)
			op->fd = atoi(op->src);
		else if (op->type == OP_CHMOD)
			op->mode = (mode_t)strtoul(op->src, NULL, 8);
		if (op->type == OP_RO_OVERLAY) {
			if (!lower)
				usage();
			op->lower = lower;
			lower = NULL;
		}
		op->dest = argv[++i];
		if (op->dest[0] != '/')
			usage();
		op->dest++; /* relative to the new root */
		if (op->type == OP_BIND || op->type == OP_RO_BIND)
			f->n_trees++;
		else if (op->type == OP_DEV)
			f->n_trees += N_DEV_NODES;
		f->n_ops++;
	}
	if (i >= argc)
		usage();
	f->cmd = argv + i;
}

static void write_at(int dfd, const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);

	if (fd < 0 || write(fd, text, (size_t)len) != len)
		die(125, "cannot write %s", name);
	close(fd);
}

/* One line each way; setgroups must be denied first (user_namespaces(7)). */
static void map_ids(int procself, unsigned uid_in, unsigned uid_out, unsigned gid_in,
		    unsigned gid_out)
{
	char line[64];

	write_at(procself, "setgroups", "deny");
	snprintf(line, sizeof(line), "%u %u 1", uid_in, uid_out);
	write_at(procself, "uid_map", line);
	snprintf(line, sizeof(line), "%u %u 1", gid_in, gid_out);
	write_at(procself, "gid_map", line);
}

/* mkdir -p of the parents of rel under root; the last parent made is remembered, so N binds
 * into one directory make it once. */
static void make_parents(int root, const char *rel)
{
	static char done[4096];
	char buf[4096];
	const char *slash = strrchr(rel, '/');
	size_t len;

	if (!slash)
		return;
	len = (size_t)(slash - rel);
	if (len >= sizeof(buf))
		die(125, "path too long");
	memcpy(buf, rel, len);
	buf[len] = 0;
	if (strcmp(buf, done) == 0)
		return;
	for (char *p = buf;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;

			*p = 0;
			if (mkdirat(root, buf, 0755) < 0 && errno != EEXIST)
				die(125, "mkdir %s", buf);
			*p = c;
			if (!c)
				break;
		}
	}
	strcpy(done, buf);
}

static void make_dir(int root, const char *rel)
{
	make_parents(root, rel);
	if (mkdirat(root, rel, 0755) < 0 && errno != EEXIST)
		die(125, "mkdir %s", rel);
}

static void make_file(int dir, const char *rel)
{
	int fd = openat(dir, rel, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);

	if (fd < 0)
		die(125, "create %s", rel);
	close(fd);
}

/* Everything from fd to dst: a read of 64 KiB, a write, and the read that sees the end. */
static void copy_data(int fd, int dst, const char *rel)
{
	static char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 || write(dst, buf, (size_t)n) != n)
			die(125, "copy to %s", rel);
	}
}

/* --file: a new file, written from the fd. */
static void make_data_file(int root, const struct op *op)
{
	int dst;

	make_parents(root, op->dest);
	dst = openat(root, op->dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (dst < 0)
		die(125, "create %s", op->dest);
	copy_data(op->fd, dst, op->dest);
	close(dst);
}

static void attach(int tree, int root, const char *rel)
{
	if (f_move_mount(tree, "", root, rel, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die(125, "move_mount onto %s", rel);
	close(tree);
}

static int clone_source(const char *src, uint64_t attrs, bool *is_dir)
{
	int tree = f_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);
	struct stat st;

	if (tree < 0)
		die(125, "open_tree %s", src);
	if (set_attr_recursive(tree, attrs) < 0)
		die(125, "mount_setattr %s", src);
	if (is_dir) {
		if (fstat(tree, &st) < 0)
			die(125, "stat %s", src);
		*is_dir = S_ISDIR(st.st_mode);
	}
	return tree;
}

/* A read-only recursive cover of a path of the new proc over itself, as bwrap and hutch do
 * for sys, sysrq-trigger, irq and bus. */
static void cover_proc(int proc, const char *name)
{
	int tree = f_open_tree(proc, name, OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);

	if (tree < 0) {
		if (errno == ENOENT)
			return;
		die(125, "open_tree proc/%s", name);
	}
	if (set_attr_recursive(tree, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) < 0)
		die(125, "mount_setattr proc/%s", name);
	attach(tree, proc, name);
}

/* The OCI spec's masked paths of proc, as the hutch face masks them: a directory under an
 * empty read-only tmpfs, anything else under an empty read-only file of the root, unlinked
 * once all are bound (a clone of a mount keeps its flags: one mount_setattr in all). */
static void mask_proc(int root, int proc)
{
	static const char *const masked[] = { "asound",	    "acpi",	   "interrupts", "kcore",
					      "keys",	    "latency_stats", "timer_list", "timer_stats",
					      "sched_debug", "scsi" };
	int file = -1;

	for (size_t k = 0; k < sizeof(masked) / sizeof(masked[0]); k++) {
		struct stat st;
		int tree;

		if (fstatat(proc, masked[k], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			die(125, "stat proc/%s", masked[k]);
		}
		if (S_ISDIR(st.st_mode)) {
			static const char *const opts[] = { "mode=0755", NULL };

			tree = new_fs("tmpfs", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				      opts);
		} else {
			if (file < 0) {
				int fd = openat(root, ".mask", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
						0444);
				if (fd < 0)
					die(125, "create the mask file");
				close(fd);
				file = f_open_tree(root, ".mask", OPEN_TREE_CLONE | O_CLOEXEC);
				if (file < 0 || set_attr_recursive(file, MOUNT_ATTR_RDONLY |
									 MOUNT_ATTR_NOSUID |
									 MOUNT_ATTR_NODEV |
									 MOUNT_ATTR_NOEXEC) < 0)
					die(125, "the mask file");
			}
			tree = f_open_tree(file, "", OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
		}
		if (tree < 0)
			die(125, "mask proc/%s", masked[k]);
		attach(tree, proc, masked[k]);
	}
	if (file >= 0) {
		close(file);
		if (unlinkat(root, ".mask", 0) < 0)
			die(125, "unlink the mask file");
	}
}

static void build_dev(int root, const struct op *op)
{
	static const char *const devpts_opts[] = { "newinstance", "ptmxmode=0666", "mode=620",
						   NULL };
	static const char *const mode_opts[] = { "mode=0755", NULL };
	static const char *const links[][2] = {
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "/proc/self/fd", "fd" },
		{ "/proc/kcore", "core" },	 { "pts/ptmx", "ptmx" },
	};
	int dev;

	make_dir(root, op->dest);
	dev = new_fs("tmpfs", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, mode_opts);
	if (f_move_mount(dev, "", root, op->dest, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die(125, "move_mount onto %s", op->dest);
	for (size_t i = 0; i < N_DEV_NODES; i++) {
		make_file(dev, dev_nodes[i]);
		attach(op->nodes[i], dev, dev_nodes[i]);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0)
			die(125, "symlink dev/%s", links[i][1]);
	if (mkdirat(dev, "shm", 0755) < 0 || mkdirat(dev, "pts", 0755) < 0)
		die(125, "mkdir dev/shm, dev/pts");
	attach(new_fs("devpts", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, devpts_opts), dev, "pts");
	close(dev);
}

static void build_root(struct floor *f)
{
	static const char *const mode_opts[] = { "mode=0755", NULL };
	/* Where the new root is attached until pivot_root; any directory of the host will do,
	 * as every source was cloned before. */
	static const char attach_at[] = "/tmp";
	const uint64_t ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	struct rlimit rl;
	int root, scratch = -1;

	/* Every source is held as a detached clone until the root is built. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < f->n_trees + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (size_t i = 0; i < f->n_ops; i++) {
		struct op *op = &f->ops[i];

		if (op->type == OP_BIND || op->type == OP_RO_BIND) {
			op->tree = clone_source(op->src, op->type == OP_RO_BIND ? ro : MOUNT_ATTR_NOSUID,
						&op->is_dir);
		} else if (op->type == OP_DEV) {
			char path[64];

			op->nodes = malloc(N_DEV_NODES * sizeof(int));
			if (!op->nodes)
				die(125, "malloc");
			for (size_t k = 0; k < N_DEV_NODES; k++) {
				snprintf(path, sizeof(path), "/dev/%s", dev_nodes[k]);
				op->nodes[k] = clone_source(path, MOUNT_ATTR_NOSUID, NULL);
			}
		}
	}

	/* --bind-data: the data goes to a file of a detached tmpfs mounted nosuid,nodev, whose
	 * clones carry those flags (no mount_setattr per file). */
	if (f->scratch)
		scratch = new_fs("tmpfs", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, NULL);
	root = new_fs("tmpfs", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, mode_opts);
	if (f_move_mount(root, "", AT_FDCWD, attach_at, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die(125, "move_mount onto %s", attach_at);

	for (size_t i = 0; i < f->n_ops; i++) {
		struct op *op = &f->ops[i];

		switch (op->type) {
		case OP_BIND:
		case OP_RO_BIND:
			if (!*op->dest) {
				/* Over the root itself: later operations go to the top mount. */
				if (f_move_mount(op->tree, "", root, "",
					       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
					die(125, "move_mount onto /");
				close(op->tree);
				close(root);
				root = open(attach_at, O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (root < 0)
					die(125, "open %s", attach_at);
				break;
			}
			if (op->is_dir) {
				make_dir(root, op->dest);
			} else {
				make_parents(root, op->dest);
				make_file(root, op->dest);
			}
			attach(op->tree, root, op->dest);
			break;
		case OP_PROC: {
			static const char *const covers[] = { "sys", "sysrq-trigger", "irq", "bus" };
			int proc, shadow = -1, net = -1;

			make_dir(root, op->dest);
			if (f->proc_oci) {
				char sp[4096];

				snprintf(sp, sizeof(sp), "%s/.hutch-proc", op->dest);
				if (mkdirat(root, sp, 0555) < 0)
					die(125, "mkdir %s", sp);
				shadow = openat(root, sp, O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (shadow < 0)
					die(125, "open %s", sp);
			}
			proc = new_fs("proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				      NULL);
			if (f_move_mount(proc, "", root, op->dest, MOVE_MOUNT_F_EMPTY_PATH) < 0)
				die(125, "move_mount onto %s", op->dest);
			if (f->proc_oci) {
				/* The hutch face's: a clone for nested sandboxes, hidden below. */
				int clone = f_open_tree(proc, "",
							OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);

				if (clone < 0 ||
				    f_move_mount(clone, "", shadow, "",
						 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
					die(125, "the shadow of %s", op->dest);
				close(clone);
				close(shadow);
				/* With a network namespace, sys/net writable again. */
				if (f->ns & CLONE_NEWNET)
					net = f_open_tree(proc, "sys/net", OPEN_TREE_CLONE | O_CLOEXEC);
				cover_proc(proc, "fs");
			}
			for (size_t k = 0; k < sizeof(covers) / sizeof(covers[0]); k++)
				cover_proc(proc, covers[k]);
			if (net >= 0)
				attach(net, proc, "sys/net");
			if (f->proc_oci)
				mask_proc(root, proc);
			close(proc);
			break;
		}
		case OP_DEV:
			build_dev(root, op);
			break;
		case OP_TMPFS: {
			/* mount(2) through the magic link of the directory: one call with the
			 * options, where fsopen takes four (measured: ~2 us less per tmpfs). The
			 * root is attached, so mount(2) can reach into it. */
			char at[64];
			int dir;

			make_dir(root, op->dest);
			dir = openat(root, op->dest, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dir < 0)
				die(125, "open %s", op->dest);
			snprintf(at, sizeof(at), "/proc/self/fd/%d", dir);
			if (mount("tmpfs", at, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
				die(125, "mount tmpfs on %s", op->dest);
			close(dir);
			break;
		}
		case OP_SYMLINK:
			make_parents(root, op->dest);
			if (symlinkat(op->src, root, op->dest) < 0)
				die(125, "symlink %s", op->dest);
			break;
		case OP_DIR:
			make_dir(root, op->dest);
			break;
		case OP_FILE:
			make_data_file(root, op);
			break;
		case OP_BIND_DATA: {
			static const char tmp[] = "data";
			int data = openat(scratch, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			int tree;

			if (data < 0)
				die(125, "create the data of %s", op->dest);
			copy_data(op->fd, data, op->dest);
			tree = f_open_tree(data, "", OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
			if (tree < 0)
				die(125, "open_tree the data of %s", op->dest);
			make_parents(root, op->dest);
			make_file(root, op->dest);
			attach(tree, root, op->dest);
			/* Only now: the kernel refuses to mount an unlinked file. */
			if (unlinkat(scratch, tmp, 0) < 0)
				die(125, "unlink the data of %s", op->dest);
			close(data);
			break;
		}
		case OP_CHMOD:
			if (fchmodat(root, op->dest, op->mode, 0) < 0)
				die(125, "chmod %s", op->dest);
			break;
		case OP_REMOUNT_RO: {
			/* That mount only, not its children: no AT_RECURSIVE. */
			struct floor_mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

			if (syscall(SYS_mount_setattr, root, op->dest, 0, &a, sizeof(a)) < 0)
				die(125, "remount %s read-only", op->dest);
			break;
		}
		case OP_RO_OVERLAY: {
			/* The lower layers are host paths: the new root, attached at /tmp, does not
			 * hide them. */
			const char *opts[] = { op->lower, "userxattr", NULL };
			char lowerdir[8192];
			int ovl;

			snprintf(lowerdir, sizeof(lowerdir), "lowerdir=%s", op->lower);
			opts[0] = lowerdir;
			make_dir(root, op->dest);
			ovl = new_fs("overlay", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				     opts);
			attach(ovl, root, op->dest);
			break;
		}
		}
	}
	if (scratch >= 0)
		close(scratch);

	/* pivot_root(".", ".") stacks the old root on the new one; detaching "." drops it. */
	if (fchdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		die(125, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		die(125, "detach the old root");
	close(root);
}

static void loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die(125, "loopback");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die(125, "loopback up");
	close(s);
}

static void drop_bounding_set(void)
{
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			die(125, "PR_CAPBSET_DROP");
		}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die(125, "PR_SET_NO_NEW_PRIVS");
}

static noreturn void exec_command(char **cmd)
{
	syscall(SYS_close_range, 3u, ~0u, 0u);
	execvp(cmd[0], cmd);
	die(errno == ENOENT ? 127 : 126, "exec %s", cmd[0]);
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static noreturn void wait_for(pid_t pid, bool capless)
{
	int st;
	pid_t r;

	if (capless) {
		/* pid 1 keeps no capability over the sandbox while it waits. */
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2] = { { 0 } };

		if (syscall(SYS_capset, &h, d) < 0)
			die(125, "capset");
	}
	/* As pid 1, reap whatever is orphaned to us until the command is done. */
	while ((r = waitpid(-1, &st, 0)) != pid)
		if (r < 0 && errno != EINTR)
			die(125, "waitpid");
	exit(exit_code(st));
}

int main(int argc, char **argv)
{
	struct floor f = { 0 };
	char cwd[4096];
	int procself = -1;

	parse(argc, argv, &f);
	f.uid = getuid();
	f.gid = getgid();
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	if (f.die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die(125, "PR_SET_PDEATHSIG");

	if (unshare(f.ns) < 0)
		die(125, "unshare");
	procself = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procself < 0)
		die(125, "open /proc/self");
	/* devpts refuses a namespace without uid 0: map 0 now, the caller's ids later. */
	if (f.devpts)
		map_ids(procself, 0, f.uid, 0, f.gid);
	else
		map_ids(procself, f.uid, f.uid, f.gid, f.gid);
	close(procself);

	if (f.ns & CLONE_NEWPID) {
		pid_t pid1 = fork();

		if (pid1 < 0)
			die(125, "fork");
		if (pid1 > 0)
			wait_for(pid1, false);
		if (f.die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die(125, "PR_SET_PDEATHSIG");
	}
	if (f.devpts) {
		procself = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (procself < 0)
			die(125, "open /proc/self");
	}

	build_root(&f);
	if (f.ns & CLONE_NEWNET)
		loopback_up();
	if (f.devpts) {
		if (unshare(CLONE_NEWUSER) < 0)
			die(125, "unshare the nested user namespace");
		map_ids(procself, f.uid, 0, f.gid, 0);
		close(procself);
	}
	if (chdir(cwd) < 0 && chdir("/") < 0)
		die(125, "chdir");
	drop_bounding_set();
	/* One filter for pid 1 and the command, attached before the fork (hutch's way). */
	if (f.filter.len && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &f.filter) < 0)
		die(125, "attach the seccomp filter");

	if (f.ns & CLONE_NEWPID) {
		pid_t cmd = fork();

		if (cmd < 0)
			die(125, "fork");
		if (cmd > 0)
			wait_for(cmd, true);
	}
	exec_command(f.cmd);
}
#endif /* the floor */

#if defined(BENCH_HARNESS)
/* ------------------------------------------------------------------------------------------
 * The harness. Every subcommand prints tab-separated rows on stdout, each tagged by its first
 * field (bench/README.md lists the columns):
 *
 *   rounds SECTION CASE ROUNDS SPEC       time every contender once per round, rotating the
 *                                         order; R rows per run, one T row per contender
 *   memory CASE RUNS SPEC                 peak RSS of the largest process, and what the
 *                                         sandbox's own processes hold while the command
 *                                         (bench-nop, sleeping) runs; one M row each
 *   scale CASE N RUNS UID SPEC            N sandboxes at once (bench-nop hold), started one
 *                                         after the other as UID (-1: as we are); what the
 *                                         processes each leaves beside its command hold,
 *                                         from smaps_rollup (root can read a non-dumpable
 *                                         pid 1's); S rows per run, one Z row per contender
 *   throughput CASE PAR LAUNCHES ROUNDS SPEC  LAUNCHES launches, PAR at a time; one P row each
 *   with-mounts DIR N COMMAND...          in a private mount namespace only: a tmpfs at DIR
 *                                         with N bind mounts under it, COMMAND, then unmount
 *
 * SPEC is a file with one contender a line: its name, then its argv, tab-separated.
 * Contenders run with stdin and stdout on /dev/null and stderr inherited, from "/".
 */
#include <ctype.h>
#include <dirent.h>
#include <grp.h>
#include <spawn.h>

extern char **environ;

struct contender {
	char *name;
	char **argv;
	int fails;
	int skip;     /* failed its warm-up: not run again */
	double *t;    /* per round: seconds (rounds) or launches/s (throughput) */
	double *cpu;  /* per round (rounds): CPU seconds */
};

static struct contender *read_spec(const char *file, int *n)
{
	FILE *fp = fopen(file, "re");
	struct contender *c = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*n = 0;
	if (!fp)
		die(2, "open %s", file);
	while ((len = getline(&line, &cap, fp)) > 0) {
		size_t fields = 1, k = 0;
		char *p, *save = NULL;

		if (line[len - 1] == '\n')
			line[--len] = 0;
		if (!len)
			continue;
		for (p = line; *p; p++)
			fields += *p == '\t';
		c = realloc(c, (size_t)(*n + 1) * sizeof(*c));
		if (!c)
			die(2, "realloc");
		memset(&c[*n], 0, sizeof(*c));
		c[*n].argv = calloc(fields + 1, sizeof(char *));
		if (!c[*n].argv)
			die(2, "calloc");
		c[*n].name = strdup(strtok_r(line, "\t", &save));
		while ((p = strtok_r(NULL, "\t", &save)))
			c[*n].argv[k++] = strdup(p);
		if (!k) {
			errno = EINVAL;
			die(2, "%s: contender %s has no command", file, c[*n].name);
		}
		(*n)++;
	}
	free(line);
	fclose(fp);
	return c;
}

static int find(const struct contender *c, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0 && !c[i].skip)
			return i;
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A launch that takes longer than this is killed (its whole process group) and counted as
 * failed, so a hung contender cannot hang the run. */
#ifndef LAUNCH_TIMEOUT
#define LAUNCH_TIMEOUT 120
#endif

static posix_spawn_file_actions_t quiet;
static posix_spawnattr_t own_group;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void quiet_init(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: waitpid is cut */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		die(2, "open /dev/null");
	posix_spawn_file_actions_init(&quiet);
	posix_spawn_file_actions_adddup2(&quiet, null, 0);
	posix_spawn_file_actions_adddup2(&quiet, null, 1);
	/* BENCH_FDS=N BENCH_FD_FILE=PATH: fds 3 to N+2 open on PATH, each its own open file, for
	 * the --file and --bind-data cases (each reads its fd to the end; bubblewrap closes it). */
	const char *fds = getenv("BENCH_FDS"), *fd_file = getenv("BENCH_FD_FILE");
	for (int i = 0; fds && fd_file && i < atoi(fds); i++)
		posix_spawn_file_actions_addopen(&quiet, 3 + i, fd_file, O_RDONLY, 0);
	posix_spawnattr_init(&own_group);
	posix_spawnattr_setflags(&own_group, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&own_group, 0);
	sigaction(SIGALRM, &sa, NULL);
	if (chdir("/") < 0)
		die(2, "chdir /");
}

/* Waits for pid, killing its process group after LAUNCH_TIMEOUT seconds. */
static void reap(pid_t pid, int *status, struct rusage *ru)
{
	timed_out = 0;
	alarm(LAUNCH_TIMEOUT);
	while (wait4(pid, status, 0, ru) < 0) {
		if (errno != EINTR)
			die(2, "wait4");
		if (timed_out) {
			fprintf(stderr, "bench-harness: %d still running after %d s: killed\n", (int)pid,
				LAUNCH_TIMEOUT);
			kill(-pid, SIGKILL);
			timed_out = 0;
		}
	}
	alarm(0);
}

/* For the memory runs: posix_spawn shares the harness's memory until exec (vfork), and the
 * kernel counts that memory into the child's peak RSS at exec; a fork()ed child only brings
 * the copy of the harness's anonymous pages, far smaller than any launcher. */
static pid_t fork_exec(const struct contender *c)
{
	static int null = -1;
	pid_t pid;

	if (null < 0 && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		die(2, "open /dev/null");
	pid = fork();
	if (pid < 0)
		die(2, "fork");
	if (pid == 0) {
		dup2(null, 0);
		dup2(null, 1);
		setpgid(0, 0);
		execve(c->argv[0], c->argv, environ);
		_exit(127);
	}
	return pid;
}

static pid_t spawn(const struct contender *c)
{
	pid_t pid;
	int e = posix_spawn(&pid, c->argv[0], &quiet, &own_group, c->argv, environ);

	if (e) {
		errno = e;
		die(2, "spawn %s", c->argv[0]);
	}
	return pid;
}

/* One launch, start to reaped; returns seconds and fills the status and, if cpu is not
 * NULL, the CPU time (user and system) of the launch and the processes it waited for. */
static double launch(const struct contender *c, int *status, double *cpu)
{
	double t0 = now();
	pid_t pid = spawn(c);
	struct rusage ru;

	reap(pid, status, &ru);
	if (cpu)
		*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	return now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v[0..n), by linear interpolation; v is left sorted. */
static double quantile(double *v, int n, double q)
{
	double pos, frac;
	int i;

	if (n <= 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	pos = q * (n - 1);
	i = (int)pos;
	frac = pos - i;
	return i + 1 < n ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

/* The median over rounds of a[r] / b[r]: paired, so drift between rounds cancels out. */
static double paired_ratio(const double *a, const double *b, int rounds, bool inverse)
{
	double *r = malloc((size_t)rounds * sizeof(*r));
	double m;
	int n = 0;

	if (!r)
		die(2, "malloc");
	for (int i = 0; i < rounds; i++)
		if (a[i] > 0 && b[i] > 0)
			r[n++] = inverse ? b[i] / a[i] : a[i] / b[i];
	m = quantile(r, n, 0.5);
	free(r);
	return m;
}

static void print_ratio(const struct contender *c, int n, int i, const char *ref, int rounds,
			bool inverse)
{
	int k = find(c, n, ref);

	if (k < 0 || c[i].skip)
		printf("\t-");
	else
		printf("\t%.3f", paired_ratio(c[i].t, c[k].t, rounds, inverse));
}

static void print_cpu_ratio(const struct contender *c, int n, int i, const char *ref, int rounds)
{
	int k = find(c, n, ref);

	if (k < 0 || c[i].skip)
		printf("\t-");
	else
		printf("\t%.3f", paired_ratio(c[i].cpu, c[k].cpu, rounds, false));
}

/* A run that fails its warm-up is reported and dropped, so one broken contender does not
 * stop the others. */
static void warm_up(struct contender *c, int n, const char *section, const char *name)
{
	for (int i = 0; i < n; i++) {
		int st;

		launch(&c[i], &st, NULL);
		if (st != 0) {
			fprintf(stderr, "bench: %s %s: %s failed its warm-up (status 0x%x); skipped\n",
				section, name, c[i].name, st);
			c[i].skip = 1;
		}
	}
}

static int cmd_rounds(int argc, char **argv)
{
	const char *section, *name;
	struct contender *c;
	int n, rounds;

	if (argc != 6)
		die(2, "usage: rounds SECTION CASE ROUNDS SPEC");
	section = argv[2];
	name = argv[3];
	rounds = atoi(argv[4]);
	c = read_spec(argv[5], &n);
	quiet_init();
	for (int i = 0; i < n; i++) {
		c[i].t = calloc((size_t)rounds, sizeof(double));
		c[i].cpu = calloc((size_t)rounds, sizeof(double));
		if (!c[i].t || !c[i].cpu)
			die(2, "calloc");
	}
	warm_up(c, n, section, name);
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < n; k++) {
			struct contender *x = &c[(r + k) % n];
			int st;

			if (x->skip)
				continue;
			x->t[r] = launch(x, &st, &x->cpu[r]);
			if (st != 0)
				x->fails++;
			printf("R\t%s\t%s\t%s\t%d\t%.1f\t%d\t%.1f\n", section, name, x->name, r,
			       x->t[r] * 1e6, st, x->cpu[r] * 1e6);
		}
	for (int i = 0; i < n; i++) {
		double *t, q1, q2, q3;

		if (c[i].skip) {
			printf("T\t%s\t%s\t%s\t-\t-\t-\t-\t-\tfailed\t-\t-\t-\t-\t-\n", section, name,
			       c[i].name);
			continue;
		}
		t = malloc((size_t)rounds * sizeof(double));
		if (!t)
			die(2, "malloc");
		memcpy(t, c[i].t, (size_t)rounds * sizeof(double));
		q1 = quantile(t, rounds, 0.25);
		q2 = quantile(t, rounds, 0.5);
		q3 = quantile(t, rounds, 0.75);
		printf("T\t%s\t%s\t%s\t%.1f\t%.1f\t%.1f", section, name, c[i].name, q2 * 1e6,
		       q1 * 1e6, q3 * 1e6);
		print_ratio(c, n, i, "floor", rounds, false);
		print_ratio(c, n, i, "bwrap", rounds, false);
		printf("\t%d", c[i].fails);
		print_ratio(c, n, i, "bwrap-ref", rounds, false);
		/* The same from the CPU time, which the load of a shared machine disturbs less. */
		memcpy(t, c[i].cpu, (size_t)rounds * sizeof(double));
		printf("\t%.1f", quantile(t, rounds, 0.5) * 1e6);
		print_cpu_ratio(c, n, i, "floor", rounds);
		print_cpu_ratio(c, n, i, "bwrap", rounds);
		print_cpu_ratio(c, n, i, "bwrap-ref", rounds);
		printf("\n");
		free(t);
	}
	return 0;
}

/* ---- memory ---- */

struct proc {
	pid_t pid, ppid;
	char name[32];
	long rss, anon, pte; /* KiB */
};

static int read_procs(struct proc **out)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct proc *v = NULL;
	int n = 0;

	if (!d)
		die(2, "opendir /proc");
	while ((e = readdir(d))) {
		char path[300], line[256];
		struct proc p = { 0 };
		FILE *fp;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		p.pid = atoi(e->d_name);
		while (fgets(line, sizeof(line), fp)) {
			if (strncmp(line, "Name:", 5) == 0)
				sscanf(line + 5, "%31s", p.name);
			else if (strncmp(line, "PPid:", 5) == 0)
				p.ppid = atoi(line + 5);
			else if (strncmp(line, "VmRSS:", 6) == 0)
				p.rss = atol(line + 6);
			else if (strncmp(line, "RssAnon:", 8) == 0)
				p.anon = atol(line + 8);
			else if (strncmp(line, "VmPTE:", 6) == 0)
				p.pte = atol(line + 6);
		}
		fclose(fp);
		v = realloc(v, (size_t)(n + 1) * sizeof(*v));
		if (!v)
			die(2, "realloc");
		v[n++] = p;
	}
	closedir(d);
	*out = v;
	return n;
}

static bool descends(const struct proc *v, int n, pid_t pid, pid_t root)
{
	for (int depth = 0; depth < 64; depth++) {
		if (pid == root)
			return true;
		int k;

		for (k = 0; k < n && v[k].pid != pid; k++)
			;
		if (k == n || v[k].ppid <= 1)
			return false;
		pid = v[k].ppid;
	}
	return false;
}

/* While the command runs: how many processes of the sandbox are not the command, and what
 * they hold. Returns false if the command was never seen running. */
static bool helpers(pid_t root, int *count, long *rss, long *anon)
{
	double deadline = now() + 5;

	while (now() < deadline) {
		struct proc *v;
		int n = read_procs(&v);
		bool seen = false;

		for (int i = 0; i < n; i++)
			if (strcmp(v[i].name, "bench-nop") == 0 && descends(v, n, v[i].pid, root))
				seen = true;
		free(v);
		if (!seen) {
			usleep(1000);
			continue;
		}
		/* Give the helpers time to settle into their wait. */
		usleep(50 * 1000);
		n = read_procs(&v);
		*count = 0;
		*rss = *anon = 0;
		for (int i = 0; i < n; i++)
			if (strcmp(v[i].name, "bench-nop") != 0 && descends(v, n, v[i].pid, root)) {
				(*count)++;
				*rss += v[i].rss;
				*anon += v[i].anon;
			}
		free(v);
		return true;
	}
	return false;
}

static int cmd_memory(int argc, char **argv)
{
	struct contender *c;
	int n, runs;

	if (argc != 5)
		die(2, "usage: memory CASE RUNS SPEC");
	runs = atoi(argv[3]);
	c = read_spec(argv[4], &n);
	quiet_init();
	for (int i = 0; i < n; i++) {
		double peak[runs], rss[runs], anon[runs];
		int count = -1, fails = 0;

		for (int r = 0; r < runs; r++) {
			pid_t pid = fork_exec(&c[i]);
			struct rusage ru;
			long h_rss = -1, h_anon = -1;
			int st, h = -1;

			if (!helpers(pid, &h, &h_rss, &h_anon))
				fails++;
			reap(pid, &st, &ru);
			if (st != 0)
				fails++;
			peak[r] = (double)ru.ru_maxrss;
			rss[r] = (double)h_rss;
			anon[r] = (double)h_anon;
			if (h > count)
				count = h;
		}
		printf("M\t%s\t%s\t%.0f\t%d\t%.0f\t%.0f\t%d\n", argv[2], c[i].name,
		       quantile(peak, runs, 0.5), count, quantile(rss, runs, 0.5),
		       quantile(anon, runs, 0.5), fails);
	}
	return 0;
}

/* ---- many sandboxes at once ---- */

/* What one process holds, KiB: the sums of smaps_rollup (its proportional share of every page
 * it maps, PSS, and the anonymous part of it), its RSS, and its page tables (kernel memory,
 * never shared, in no PSS). */
struct held {
	double pss, pss_anon, rss, pte;
};

static bool read_rollup(pid_t pid, struct held *h)
{
	char path[64], line[256];
	bool got = false;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "Pss:", 4) == 0) {
			h->pss += atof(line + 4);
			got = true;
		} else if (strncmp(line, "Pss_Anon:", 9) == 0) {
			h->pss_anon += atof(line + 9);
		} else if (strncmp(line, "Rss:", 4) == 0) {
			h->rss += atof(line + 4);
		}
	}
	fclose(fp);
	return got;
}

/* Whether pid is one of roots[0..n) or below one of them. */
static bool descends_any(const struct proc *v, int np, pid_t pid, const pid_t *roots, int n)
{
	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		int k;

		for (int i = 0; i < n; i++)
			if (roots[i] == pid)
				return true;
		for (k = 0; k < np && v[k].pid != pid; k++)
			;
		if (k == np)
			return false;
		pid = v[k].ppid;
	}
	return false;
}

static pid_t start_held(const struct contender *c, int hold_rd, int ready_wr, long uid)
{
	pid_t pid = fork();

	if (pid < 0)
		die(2, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		/* N launches' warnings would flood the report; a failure shows in the status. */
		dup2(hold_rd, 0);
		dup2(ready_wr, 1);
		if (null >= 0)
			dup2(null, 2);
		setpgid(0, 0);
		if (uid >= 0 && (setgroups(0, NULL) < 0 || setgid((gid_t)uid) < 0 ||
				 setuid((uid_t)uid) < 0))
			_exit(126);
		execve(c->argv[0], c->argv, environ);
		_exit(127);
	}
	return pid;
}

/* N launches of c, all running at once: the time until every command said it runs, and what
 * the processes of the launches other than the commands hold, summed. Returns the failures. */
static int scale_run(const struct contender *c, int n, long uid, double *secs, int *procs,
		     struct held *sum)
{
	pid_t *pid = calloc((size_t)n, sizeof(*pid));
	int hold[2], ready[2], fails = 0, got = 0;
	struct proc *v;
	double t0;
	int np;

	if (!pid || pipe2(hold, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
		die(2, "scale");
	t0 = now();
	for (int i = 0; i < n; i++)
		pid[i] = start_held(c, hold[0], ready[1], uid);
	close(hold[0]);
	close(ready[1]);
	timed_out = 0;
	alarm(LAUNCH_TIMEOUT);
	while (got < n && !timed_out) {
		char buf[64];
		ssize_t r = read(ready[0], buf, sizeof(buf) < (size_t)(n - got) ? sizeof(buf)
										: (size_t)(n - got));
		if (r > 0)
			got += (int)r;
		else if (r == 0 || errno != EINTR)
			break;
	}
	alarm(0);
	*secs = now() - t0;
	/* Let the launchers and pid 1s settle into their wait. */
	usleep(300 * 1000);
	memset(sum, 0, sizeof(*sum));
	*procs = 0;
	np = read_procs(&v);
	for (int k = 0; k < np; k++) {
		if (strcmp(v[k].name, "bench-nop") == 0)
			continue;
		if (!descends_any(v, np, v[k].pid, pid, n))
			continue;
		if (!read_rollup(v[k].pid, sum))
			fails++; /* gone, or not readable: the sum would be short */
		sum->pte += (double)v[k].pte;
		(*procs)++;
	}
	free(v);
	close(hold[1]); /* every command reads end of file and exits */
	for (int i = 0; i < n; i++) {
		int st;

		reap(pid[i], &st, NULL);
		if (st != 0)
			fails++;
	}
	close(ready[0]);
	free(pid);
	return fails + (n - got);
}

static int cmd_scale(int argc, char **argv)
{
	struct contender *c;
	int n, runs, k;
	long uid;

	if (argc != 7)
		die(2, "usage: scale CASE N RUNS UID SPEC");
	n = atoi(argv[3]);
	runs = atoi(argv[4]);
	uid = atol(argv[5]);
	c = read_spec(argv[6], &k);
	quiet_init();
	{
		double t[k][runs], pss[k][runs], anon[k][runs], rss[k][runs], pte[k][runs];
		int procs[k], fails[k];

		memset(procs, 0, sizeof(procs));
		memset(fails, 0, sizeof(fails));
		for (int r = 0; r < runs; r++)
			for (int j = 0; j < k; j++) {
				int i = (r + j) % k, p;
				struct held h;
				double s;
				int f = scale_run(&c[i], n, uid, &s, &p, &h);

				fails[i] += f;
				t[i][r] = s * 1e6 / n;
				pss[i][r] = h.pss / n;
				anon[i][r] = h.pss_anon / n;
				rss[i][r] = h.rss / n;
				pte[i][r] = h.pte / n;
				if (p > procs[i])
					procs[i] = p;
				printf("S\t%s\t%d\t%s\t%d\t%.1f\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%d\n",
				       argv[2], n, c[i].name, r, t[i][r], p, pss[i][r], anon[i][r],
				       rss[i][r], pte[i][r], f);
			}
		for (int i = 0; i < k; i++)
			printf("Z\t%s\t%d\t%s\t%.0f\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\n", argv[2], n,
			       c[i].name, quantile(t[i], runs, 0.5), (double)procs[i] / n,
			       quantile(pss[i], runs, 0.5), quantile(anon[i], runs, 0.5),
			       quantile(rss[i], runs, 0.5), quantile(pte[i], runs, 0.5), fails[i]);
	}
	return 0;
}

/* ---- throughput ---- */

static double batch(const struct contender *c, int par, int total, int *fails)
{
	int started = 0, done = 0, running = 0;
	double t0 = now();

	while (done < total) {
		int st;

		while (running < par && started < total) {
			spawn(c);
			started++;
			running++;
		}
		if (wait(&st) < 0) {
			if (errno == EINTR)
				continue;
			die(2, "wait");
		}
		running--;
		done++;
		if (st != 0)
			(*fails)++;
	}
	return (double)total / (now() - t0);
}

static int cmd_throughput(int argc, char **argv)
{
	struct contender *c;
	int n, par, total, rounds;

	if (argc != 7)
		die(2, "usage: throughput CASE PAR LAUNCHES ROUNDS SPEC");
	par = atoi(argv[3]);
	total = atoi(argv[4]);
	rounds = atoi(argv[5]);
	c = read_spec(argv[6], &n);
	quiet_init();
	for (int i = 0; i < n; i++) {
		c[i].t = calloc((size_t)rounds, sizeof(double));
		if (!c[i].t)
			die(2, "calloc");
	}
	warm_up(c, n, "throughput", argv[2]);
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < n; k++) {
			struct contender *x = &c[(r + k) % n];

			if (!x->skip)
				x->t[r] = batch(x, par, total, &x->fails);
		}
	for (int i = 0; i < n; i++) {
		double v[rounds];

		if (c[i].skip) {
			printf("P\t%s\t%d\t%s\t-\t-\t-\tfailed\n", argv[2], par, c[i].name);
			continue;
		}
		memcpy(v, c[i].t, sizeof(v));
		printf("P\t%s\t%d\t%s\t%.1f", argv[2], par, c[i].name, quantile(v, rounds, 0.5));
		/* launches/s: higher is better, and the ratio is hutch's rate over the other's. */
		print_ratio(c, n, i, "floor", rounds, false);
		print_ratio(c, n, i, "bwrap", rounds, false);
		printf("\t%d\n", c[i].fails);
	}
	return 0;
}

/* ---- a large caller mount table ---- */

static int cmd_with_mounts(int argc, char **argv)
{
	char self[64] = "", init[64] = "", src[4200], path[4200];
	const char *dir;
	int n, st;
	pid_t pid;

	if (argc < 5)
		die(2, "usage: with-mounts DIR N COMMAND...");
	dir = argv[2];
	n = atoi(argv[3]);
	/* Never on the host: refuse to run in the mount namespace of pid 1. (Where pid 1's
	 * namespace cannot be read we are not root of the host and could not mount there.) */
	if (readlink("/proc/self/ns/mnt", self, sizeof(self) - 1) < 0)
		die(2, "readlink /proc/self/ns/mnt");
	if (readlink("/proc/1/ns/mnt", init, sizeof(init) - 1) >= 0 && strcmp(self, init) == 0) {
		errno = EPERM;
		die(2, "with-mounts must run in a private mount namespace (unshare -m)");
	}
	if (mount("hutch-bench", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m") < 0)
		die(2, "mount a tmpfs on %s", dir);
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
		die(2, "make %s private", dir);
	snprintf(src, sizeof(src), "%s/src", dir);
	if (mkdir(src, 0755) < 0)
		die(2, "mkdir %s", src);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%d", dir, i);
		if (mkdir(path, 0755) < 0 || mount(src, path, NULL, MS_BIND, NULL) < 0)
			die(2, "bind %s", path);
	}
	pid = fork();
	if (pid < 0)
		die(2, "fork");
	if (pid == 0) {
		execvp(argv[4], argv + 4);
		die(127, "exec %s", argv[4]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die(2, "waitpid");
	/* The namespace goes with its last process anyway; unmount now all the same. */
	if (umount2(dir, MNT_DETACH) < 0)
		die(2, "unmount %s", dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	prog = "bench-harness";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "rounds") == 0)
		return cmd_rounds(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "memory") == 0)
		return cmd_memory(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "throughput") == 0)
		return cmd_throughput(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "scale") == 0)
		return cmd_scale(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "with-mounts") == 0)
		return cmd_with_mounts(argc, argv);
	fprintf(stderr, "usage: bench-harness rounds|memory|scale|throughput|with-mounts ...\n");
	return 2;
}
#endif /* BENCH_HARNESS */
