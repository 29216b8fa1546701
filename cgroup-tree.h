/* cgroup-tree: the files, processes and removal of one cgroup directory and the cgroups below
 * it; the stale cgroups of dead hutches. Internal to the cgroup module (cgroup.c), parent
 * process only. Every path is one name relative to a directory fd; every fd is O_CLOEXEC. */
#ifndef HUTCH_CGROUP_TREE_H
#define HUTCH_CGROUP_TREE_H

#include <stddef.h>
#include <sys/types.h>

/* The directory rel below rootfd ("" for rootfd itself) as an O_PATH fd, never through a
 * symlink or out of rootfd's mount (openat2 RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS,
 * RESOLVE_NO_XDEV; before Linux 5.6 one O_NOFOLLOW component at a time). -1 with errno. */
int cgroup_open_below(int rootfd, const char *rel);
/* The same one O_NOFOLLOW component at a time ("..", a symlink, another mount refused). */
int cgroup_open_below_steps(int rootfd, const char *rel);
/* A small cgroup file below dirfd into buf (NUL-terminated); 0 or -1 with errno. */
int cgroup_read_at(int dirfd, const char *file, char *buf, size_t size);
/* A cgroup file of any size (cgroup.procs), *out malloc'd; 0 or -1 with errno. */
int cgroup_read_all_at(int dirfd, const char *file, char **out);
/* value in one write(2), as cgroupfs wants it; 0 or -1 with errno. */
int cgroup_write_at(int dirfd, const char *file, const char *value);
/* The cgroups right below dirfd: their names NUL-separated (malloc'd), *n of them. */
char *cgroup_subdirs(int dirfd, size_t *n);

long long cgroup_now_ms(void);
void cgroup_sleep_us(long us);

/* Send sig once to every process in dirfd's cgroup and below; *left: how many there were.
 * 0, or -1 with errno (the first failure; the others are still signalled). */
int cgroup_signal_tree(int dirfd, int sig, size_t *left);
/* SIGKILL everything in dirfd's cgroup and below until it is empty (cgroup.kill in v2), for
 * at most ms milliseconds; 0, or -1 with errno (EBUSY: processes remain). */
int cgroup_kill_tree(int dirfd, int version, long long ms);
/* Remove cgroup name below parentfd and every cgroup below it, killing what runs there,
 * for at most ms milliseconds; 0, or -1 with errno. */
int cgroup_remove_tree(int parentfd, const char *name, int version, long long ms);
/* Remove the cgroups that dead hutches of PID namespace pidns left in parentfd (cgroup.h);
 * a failure is a warning (the launch goes on). */
void cgroup_remove_stale(int parentfd, const char *parent_path, int version,
			 unsigned long long pidns);

#endif
