/* process: clone into the namespaces, the parent's monitor (status fds, signal forwarding,
 * exit status), the pid-1 reaper, descriptors and exec. Called by main() (parent side) and by
 * the setup child. */
#ifndef HUTCH_PROCESS_H
#define HUTCH_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/types.h>

struct int_list;
struct process_plan;

/* A wait status as an exit status: the code, or 128+N for a signal N (the shell's way). */
int process_exit_status(int st);

/* The signals hutch passes on to the command (and SIGCHLD, which it waits for). */
void process_forward_set(sigset_t *set);

/* Block the forwarded signals (saving the caller's mask in *orig) and clone with `flags`
 * (into the v2 cgroup of cgroup_fd when it is >= 0 and the kernel can: *in_cgroup)
 * (CLONE_NEW*). Returns the pid in the parent and 0 in the child; the child reports through
 * a close-on-exec pipe whose read end the parent keeps in *report_rd: one 'R' byte right
 * before exec, and a status byte from die(). */
pid_t process_spawn(unsigned long flags, sigset_t *orig, int *report_rd, int cgroup_fd,
		    bool *in_cgroup);

/* Parent: bubblewrap's --info-fd document (then closed) and first --json-status-fd line.
 * Namespace ids are those of `child` for every namespace in clone_flags (mnt always). */
void process_parent_write_info(int info_fd, int json_fd, pid_t child, unsigned long clone_flags);

/* Child: SIGKILL when the parent dies (and exit now if it already has). */
void process_child_die_with_parent(void);

/* In place (hutch is the sandbox): SIGKILL when the caller, our parent, dies, and exit now
 * if it is no longer caller. */
void process_child_die_with_caller(pid_t caller);

/* Child: wait for the parent's explicit go (one byte 'G' on go_rd, then closed). EOF or any
 * other byte means stop: exit with the setup status, silently (the parent has said why). */
void process_child_wait_go(int go_rd);
/* Parent: say go (the sandbox may run the command) and close go_wr. */
void process_parent_go(int go_wr);

/* Child: read one byte from fd (EOF counts), then close it (--block-fd, release pipes). */
void process_child_block_on(int fd, const char *what);

/* Child with --pidns: enter that PID namespace (and a new one below it when also unsharing),
 * through the forks this needs; the intermediate processes tell the parent the final pid on
 * pid_wr and exit. Returns in the process that goes on with the setup. */
void process_child_enter_pidns(int pidns_fd, bool unshare_pid, int pid_wr);

/* Child: fork the command. Returns 0 in the command and the command's pid in the process
 * that stays behind as its reaper. */
pid_t process_child_fork_command(void);

/* The reaper: forward signals to cmd, reap everything. The command's status goes to
 * status_wr as soon as it is known (the parent exits with it); the reaper itself stays until
 * every process of the sandbox is gone, then exits with that status. Without status_wr (no
 * parent waits) pid 1 exits at once with it. deadline_ms (0: none): pid 1 SIGKILLs everything
 * in its namespace that long after it started. */
noreturn void process_reaper_loop(pid_t cmd, bool pid1, int status_wr, uint64_t deadline_ms);

/* Child: make every inherited fd > 2 close-on-exec except --pass-fd's and make's jobserver. */
void process_child_close_fds(const struct process_plan *pr);

/* Child: apply the --setenv/--unsetenv/--clearenv list in order, chdir like bubblewrap
 * (--chdir, else the caller's cwd if it exists inside, else $HOME) and set PWD. */
void process_child_env_and_cwd(const struct process_plan *pr);

/* Child: restore the signal mask, tell the parent the setup is done, and exec the command,
 * found on PATH inside. Exits with the face's exec/not-found status on failure. */
noreturn void process_child_exec(const struct process_plan *pr, const sigset_t *orig);

#endif
