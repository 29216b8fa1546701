/* rootfs-build: the state of one build of the new root, shared by its parts: rootfs.c (the build
 * strategies and the pivot), rootfs-paths.c (sources and destinations) and rootfs-ops.c (one
 * function per setup operation). Called by the setup child only. */
#ifndef HUTCH_ROOTFS_BUILD_H
#define HUTCH_ROOTFS_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mount.h"
#include "plan.h"

/* A source resolved on the host, and what the kernel says it is. */
struct source {
	int fd;
	mode_t mode;
	uint64_t mnt_id; /* 0: unknown, and then it is never taken for another source */
	dev_t dev;
	ino_t ino;
	unsigned attrs; /* HMNT_* its mount has already (the scratch's files), else 0 */
};

/* Where an operation acts. Either a plain name (not "", "." nor "..") in the directory dirfd,
 * which is the parent cache's (rootfs-paths.c), or, when name is NULL, dirfd itself, an fd of
 * the place's own. */
struct place {
	int dirfd;
	const char *name;
	char *name_copy; /* the name without the destination's trailing slashes */
	/* Reached by a full resolution (a link at the name, or no plain name): the place may
	 * be anything, the root included. */
	bool anywhere;
	/* dirfd is the place's own (a parent the cache may not keep), not the cache's. */
	bool own_dirfd;
};

struct build {
	const struct rootfs_plan *plan;
	struct mnt_ctx mnt; /* the kernel's interfaces, and the stage of the attached build */
	int hostfd;	    /* the host's root (at /oldroot of the scratch once attached) */
	int basefd;	    /* root of the base tmpfs */
	int scratchfd;	    /* the scratch root (a real dir fd), made when first needed */
	int scratch_mnt; /* the scratch mount: detached (new API), or stacked on "/" (fallback) */
	bool attached;	 /* the scratch is the root: the attached build (rootfs.c) */
	/* Sources under /proc and /dev, resolved before any operation: the absolute path given,
	 * and the object it named then (or why there was none). */
	struct {
		char *given;
		int fd;
		int err;
	} * magic;
	unsigned nmagic;
	unsigned ndata; /* --bind-data files made so far (their names) */
	int rootfd; /* what "/" of the sandbox is now (changes when something is mounted on /) */
	struct stat root_st; /* ... and its identity, to recognise a destination that is "/" */
	/* The caches of rootfs-paths.c, each shown by `make bench` to pay (bench/README.md). */
	struct {
		char *path; /* the parent directory of the last destination, as given */
		int fd;
	} parent;
	struct {
		char *path; /* the last source, as given */
		struct source src;
	} source;
	struct {
		uint64_t mnt_id; /* the source it copies, by the kernel's identity */
		dev_t dev;
		ino_t ino;
		unsigned attrs;
		int tree; /* -1 until the second bind of that source with those flags */
	} copy;
	/* The mount the last operation made, when it was a bind of a directory at a plain name
	 * in the cached parent (a straight descent of plain names: rootfs-paths.c): a
	 * --remount-ro of the same destination right after it (the usual pair) would resolve
	 * to that mount, so it changes it by its fd, without resolving the path again and
	 * asking the kernel whether it is a mount point. */
	struct {
		const struct setup_op *op;
		int fd;
	} made;
};

/* rootfs.c */
void rootfs_set_root(struct build *b, int fd);
int rootfs_scratch(struct build *b);
void rootfs_enter_scratch(struct build *b);

/* rootfs-paths.c */
void rootfs_resolve_magic_sources(struct build *b);
void rootfs_close_magic_sources(struct build *b);
int rootfs_open_host(struct build *b, const char *path);
const struct source *rootfs_source_open(struct build *b, const struct setup_op *op);
void rootfs_source_of_fd(const struct setup_op *op, int fd, struct source *s);
int rootfs_source_tree(struct build *b, const struct source *s, unsigned attrs, unsigned *left);
void rootfs_dest_parent(struct build *b, const struct setup_op *op, struct place *at);
bool rootfs_dest_cached(struct build *b, const struct setup_op *op, struct place *at);
void rootfs_dest_dir(struct build *b, const struct setup_op *op, mode_t mode, struct place *at);
void rootfs_dest_file(struct build *b, const struct setup_op *op, struct place *at);
int rootfs_dest_resolve(struct build *b, const struct setup_op *op);
void rootfs_place_release(struct place *at);
void rootfs_adopt_mount(struct build *b, const struct place *at, int mnt);
void rootfs_caches_drop(struct build *b);
void rootfs_parent_cache_drop(struct build *b);

/* rootfs-ops.c */
void rootfs_replay(struct build *b);

#define _cleanup_place_ __attribute__((cleanup(rootfs_place_release)))

#endif
