/* join-relay: the standard streams of a joined command (hutch --join), relayed by a process
 * that stays outside the sandbox, so that the caller's own descriptors (its terminal, files,
 * pipes) never reach a process the sandbox can ptrace. Used by join.c only. */
#ifndef HUTCH_JOIN_RELAY_H
#define HUTCH_JOIN_RELAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdnoreturn.h>
#include <sys/types.h>
#include <termios.h>

struct join_relay {
	bool open[3];	      /* the caller's fd i is open */
	bool tty[3];	      /* ... and a terminal: the command's fd i is the pty's slave */
	int master, slave;    /* the pty (-1: none of 0-2 is a terminal) */
	int child[3];	      /* what the command gets as fd i (-1: closed) */
	int ours[3];	      /* the relay's end of fd i's pipe (-1: none) */
	int tty_out;	      /* the caller's terminal the pty's output goes to (1 or 2; -1) */
	int winsz_from;	      /* the caller's terminal the window size comes from */
	struct termios saved; /* the caller's settings, put back at the end */
	bool have_saved;      /* fd 0 is a terminal, made raw while the command runs */
};

/* Before the fork, as the caller: the pty and pipes. Dies on failure. */
void join_relay_prepare(struct join_relay *r);

/* In the child that becomes the command: its fds 0-2 from the relay (the caller's are gone). */
void join_relay_child(const struct join_relay *r);

/* In the command's own process, before exec: a session with the pty as its controlling
 * terminal (when it has one), else a process group of its own. */
void join_relay_ctty(const struct join_relay *r);

/* The parent: relay until the command ends and its output is read (at most about a second
 * more), forward the signals in `forward` to it, put the caller's terminal back, and exit
 * with the command's status (or, when it never started, the joiner's). The joiner (a child)
 * starts the command as our child (CLONE_PARENT) and writes its pid to pid_rd; target_fd is a
 * pidfd of the process joined, whose end kills the command. */
noreturn void join_relay_run(struct join_relay *r, pid_t joiner, int pid_rd, int target_fd,
			     const sigset_t *forward);

#endif
