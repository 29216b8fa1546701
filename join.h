/* join: `hutch --join PID [--] COMMAND`, a command run inside the running sandbox PID belongs
 * to. Called by main() in place of the launch (its own process sequence, no plan). */
#ifndef HUTCH_JOIN_H
#define HUTCH_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

/* Is argv a --join command line (hutch face, --join as the first option)? */
bool join_requested(int argc, char **argv);

/* Run argv's command in the sandbox of its PID; never returns (exits with the command's
 * status, or the face's statuses for hutch's own failures). */
noreturn void join_main(int argc, char **argv);

/* The source name the hutch face gives the filesystems it creates for a sandbox (the tmpfs
 * of the root, --tmpfs, --proc, --dev...): the mark --join recognises a sandbox by. */
#define JOIN_MARK "hutch"

/* The root's tmpfs carries more: JOIN_MARK ":seccomp=" and the digest of the command's filter
 * (seccomp_set_digest), so that --join loads the same filter or refuses. NULL set: "tmpfs"
 * (the bwrap face). */
struct seccomp_set;
void join_mark_format(char *buf, size_t size, const struct seccomp_set *set);
#define JOIN_MARK_FILTER JOIN_MARK ":seccomp="

#endif
