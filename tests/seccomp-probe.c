/* seccomp-probe: makes the system calls named on its command line and prints what the kernel
 * (and the seccomp filter in front of it) answered, one `OP=RESULT` line each: 0, an errno
 * name such as EPERM, or killed:SIGNAL. Each call runs in a child process, so a call that
 * changes the process (unshare, personality) or a filter that kills leaves the probe alone.
 * libc only; builds 64-bit and with -m32 (test-seccomp.sh runs both).
 *
 *   seccomp-probe [--load FILE] OP...
 *   seccomp-probe --load FILE --exec PROGRAM [ARG...]
 *
 * --load: set no_new_privs and install FILE (a raw program as bubblewrap's --seccomp reads,
 * and hutch --seccomp-export writes), then probe or exec: a harness that needs no sandbox.
 *
 * The arguments are chosen so that an allowed call fails harmlessly with an errno the
 * filter does not use (EBADF, EINVAL, EFAULT...), which tells "the filter said no" from "the
 * kernel said no". OP is one of the names in `ops` below, or raw=NR[,ARG...] (numbers in C
 * notation) for any call by number, e.g. raw=0x40000202,-1,0x5412 for x32's ioctl.
 * seccomp-mode prints the Seccomp: field of /proc/self/status (0 none, 2 filter). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Numbers the C library headers may lack; the same on i386 and x86_64 (the unified table). */
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426
#endif
#ifndef SYS_io_uring_register
#define SYS_io_uring_register 427
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#if UINTPTR_MAX > 0xffffffffu
#define HIGH_BIT (1UL << 32)
#else
#define HIGH_BIT 0UL /* 32-bit: the register holds no upper half */
#endif

static long call_raw(const char *spec)
{
	long a[7] = { 0 };
	int n = 0;
	const char *s = spec;

	while (*s && n < 7) {
		char *end;

		a[n++] = strtol(s, &end, 0);
		if (end == s || (*end && *end != ','))
			return errno = EINVAL, -2;
		s = *end ? end + 1 : end;
	}
	return syscall(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

static long op_clone_newuser(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid < 0 ? -1 : 0;
}

/* One call; -1 with errno, -2 for an unknown op, anything else is success. */
static long run_op(const char *op)
{
	char c = 0;

	if (strncmp(op, "raw=", 4) == 0)
		return call_raw(op + 4);
	if (strcmp(op, "getpid") == 0)
		return syscall(SYS_getpid);
	/* ioctl on fd -1: EBADF when the filter lets it through. */
	if (strcmp(op, "tiocsti") == 0)
		return syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI, &c);
	if (strcmp(op, "tiocsti-hi") == 0)
		return syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI | HIGH_BIT, &c);
	if (strcmp(op, "tioclinux") == 0)
		return syscall(SYS_ioctl, -1, (unsigned long)TIOCLINUX, &c);
	if (strcmp(op, "tioclinux-hi") == 0)
		return syscall(SYS_ioctl, -1, (unsigned long)TIOCLINUX | HIGH_BIT, &c);
	if (strcmp(op, "tiocgwinsz") == 0)
		return syscall(SYS_ioctl, -1, (unsigned long)TIOCGWINSZ, &c);
	/* The kernel's own answer is EPERM too without CAP_SYS_BOOT / CAP_SYS_MODULE. */
	if (strcmp(op, "kexec_load") == 0)
		return syscall(SYS_kexec_load, 0, 0, NULL, 0);
#ifdef SYS_kexec_file_load
	if (strcmp(op, "kexec_file_load") == 0)
		return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0);
#endif
	if (strcmp(op, "init_module") == 0)
		return syscall(SYS_init_module, NULL, 0, "");
	if (strcmp(op, "finit_module") == 0)
		return syscall(SYS_finit_module, -1, "", 0);
	if (strcmp(op, "delete_module") == 0)
		return syscall(SYS_delete_module, "hutch-probe-none", 0);
	/* An unknown bpf command: EINVAL from the kernel. */
	if (strcmp(op, "bpf") == 0)
		return syscall(SYS_bpf, 1000, NULL, 0);
	/* No attributes: EFAULT. */
	if (strcmp(op, "perf_event_open") == 0)
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	/* UFFD_USER_MODE_ONLY passes the sysctl check, then an unknown flag: EINVAL. */
	if (strcmp(op, "userfaultfd") == 0)
		return syscall(SYS_userfaultfd, 0x40000001);
	/* An unknown keyctl operation: EOPNOTSUPP. */
	if (strcmp(op, "keyctl") == 0)
		return syscall(SYS_keyctl, -1, 0, 0, 0, 0);
	if (strcmp(op, "add_key") == 0)
		return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0);
	if (strcmp(op, "request_key") == 0)
		return syscall(SYS_request_key, NULL, NULL, NULL, 0);
	/* No parameters: EFAULT (or EPERM when kernel.io_uring_disabled says so). */
	if (strcmp(op, "io_uring_setup") == 0)
		return syscall(SYS_io_uring_setup, 1, NULL);
	if (strcmp(op, "io_uring_enter") == 0)
		return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
	if (strcmp(op, "io_uring_register") == 0)
		return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
	/* An unknown clock: EINVAL. */
	if (strcmp(op, "clock_settime") == 0)
		return syscall(SYS_clock_settime, -1, NULL);
	if (strcmp(op, "adjtimex") == 0)
		return syscall(SYS_adjtimex, NULL);
	if (strcmp(op, "settimeofday") == 0)
		return syscall(SYS_settimeofday, NULL, NULL);
	if (strcmp(op, "open_by_handle_at") == 0)
		return syscall(SYS_open_by_handle_at, -1, NULL, 0);
	/* A bad pointer: EFAULT, and accounting is left alone even as root. */
	if (strcmp(op, "acct") == 0)
		return syscall(SYS_acct, (const char *)1);
	if (strcmp(op, "swapoff") == 0)
		return syscall(SYS_swapoff, NULL);
	if (strcmp(op, "reboot") == 0)
		return syscall(SYS_reboot, 0, 0, 0, NULL);
	/* Too small a size: EINVAL from the kernel. */
	if (strcmp(op, "clone3") == 0)
		return syscall(SYS_clone3, NULL, 0);
	if (strcmp(op, "clone-newuser") == 0)
		return op_clone_newuser();
	if (strcmp(op, "unshare-user") == 0)
		return unshare(CLONE_NEWUSER);
	if (strcmp(op, "unshare-net") == 0)
		return unshare(CLONE_NEWNET);
	if (strcmp(op, "unshare-files") == 0)
		return unshare(CLONE_FILES);
	if (strcmp(op, "setns") == 0)
		return setns(-1, 0);
	/* Not tracing anyone: ESRCH. */
	if (strcmp(op, "ptrace") == 0)
		return ptrace(PTRACE_CONT, 0, NULL, NULL);
	/* A flag that does not exist: EINVAL. */
	if (strcmp(op, "process_vm_readv") == 0)
		return syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 1);
	if (strcmp(op, "personality-query") == 0)
		return syscall(SYS_personality, 0xffffffffUL);
	if (strcmp(op, "personality-set") == 0)
		return syscall(SYS_personality, (unsigned long)(PER_LINUX | ADDR_NO_RANDOMIZE));
	return errno = 0, -2;
}

static const char *errname(int e)
{
	static char buf[32];
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static int probe(const char *op)
{
	int fds[2], wst, result = -1;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return perror("pipe2"), 1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		long r = run_op(op);
		int e = r == -2 ? -2 : r == -1 ? errno : 0;

		if (write(fds[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &result, sizeof(result)) != sizeof(result))
		result = -3;
	close(fds[0]);
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (result == -3 && WIFSIGNALED(wst)) {
		printf("%s=killed:%s\n", op, sigabbrev_np(WTERMSIG(wst)) ?: "?");
		return 0;
	}
	if (result == -2) {
		printf("%s=unknown-op\n", op);
		return 2;
	}
	if (result < 0) {
		printf("%s=child-died\n", op);
		return 1;
	}
	printf("%s=%s\n", op, result ? errname(result) : "0");
	return 0;
}

static int seccomp_mode(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	int mode = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	if (f)
		fclose(f);
	printf("seccomp-mode=%d\n", mode);
	return mode < 0;
}

static int load(const char *path)
{
	static char buf[65536];
	struct sock_fprog prog;
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return perror(path), -1;
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len % sizeof(struct sock_filter) != 0) {
		fprintf(stderr, "%s: not a BPF program\n", path);
		return -1;
	}
	prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	prog.filter = (struct sock_filter *)(void *)buf;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return perror("loading the filter"), -1;
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;

	if (argc > 2 && strcmp(argv[1], "--load") == 0) {
		if (load(argv[2]) < 0)
			return 125;
		i = 3;
		if (argc > 4 && strcmp(argv[3], "--exec") == 0) {
			execvp(argv[4], argv + 4);
			perror(argv[4]);
			return 127;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [--load FILE] OP... | --load FILE --exec PROGRAM...\n",
			argv[0]);
		return 2;
	}
	for (; i < argc; i++) {
		int r = strcmp(argv[i], "seccomp-mode") == 0 ? seccomp_mode() : probe(argv[i]);

		if (r > status)
			status = r;
	}
	return status;
}
