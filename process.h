/* process: clone into the namespaces, the parent's wait loop with signal forwarding, the
 * pid-1 reaper, descriptors and exec. Called by main() (parent side) and by the setup child. */
#ifndef HUTCH_PROCESS_H
#define HUTCH_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdnoreturn.h>
#include <sys/types.h>

struct config;
struct int_list;

/* The signals hutch passes on to the command (and SIGCHLD, which it waits for). */
void process_forward_set(sigset_t *set);

/* Block the forwarded signals (saving the caller's mask in *orig) and clone with `flags`
 * (CLONE_NEW*). Returns the pid in the parent and 0 in the child; the child's die() reports
 * through a close-on-exec pipe whose read end the parent keeps in *report_rd. */
pid_t process_spawn(unsigned long flags, sigset_t *orig, int *report_rd);

/* Parent: forward signals to child until it exits; then exit with its status (128+N for
 * signal N), or with hutch's own status when setup failed. */
noreturn void process_parent_wait(pid_t child, int report_rd);

/* Child: SIGKILL when the parent dies (and exit now if it already has). */
void process_child_die_with_parent(void);

/* Child in a PID namespace: fork; the original process becomes a reaper that forwards
 * signals and exits with the command's status. Returns only in the command's process. */
void process_child_fork_reaper(void);

/* Child: make every inherited fd > 2 close-on-exec except those in keep. */
void process_child_close_fds(const struct int_list *keep);

/* Child: apply the --setenv/--unsetenv/--clearenv list in order, chdir like bubblewrap
 * (--chdir, else the caller's cwd if it exists inside, else $HOME) and set PWD. */
void process_child_env_and_cwd(const struct config *cfg, const char *caller_cwd);

/* Child: restore the signal mask and exec the command, found on PATH inside. Never returns;
 * exits with the face's exec/not-found status on failure. */
noreturn void process_child_exec(const struct config *cfg, const sigset_t *orig);

#endif
