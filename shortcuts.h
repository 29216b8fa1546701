/* shortcuts: the hutch face's shortcut options (--base, --cwd-rw, --x11...) and the ordinary
 * options each one stands for on this host. The expansion is pure (unit-tested on made-up
 * hosts); shortcut_host_gather reads the facts it needs. Called by the parser in the parent. */
#ifndef HUTCH_SHORTCUTS_H
#define HUTCH_SHORTCUTS_H

#include <stdbool.h>

#include "util.h"

/* The top-level names a system keeps its programs and libraries under. */
#define SHORTCUT_TOPS 6
enum shortcut_top_kind { SHORTCUT_TOP_MISSING, SHORTCUT_TOP_DIR, SHORTCUT_TOP_LINK };

#define SHORTCUT_MAX_GPU 32

/* What the expansions depend on: the caller's environment and what this host has. A socket
 * or file is named only when it exists (lstat); every string is owned (freed by
 * shortcut_host_free). */
struct shortcut_host {
	char *cwd;  /* the caller's working directory, or NULL */
	char *home; /* $HOME when absolute and not "/", else the passwd entry's, or NULL */
	struct {
		const char *path; /* "/bin" */
		enum shortcut_top_kind kind;
		char *target; /* SHORTCUT_TOP_LINK: what the link says ("usr/bin") */
	} top[SHORTCUT_TOPS];
	char *display;	       /* $DISPLAY */
	char *x11_dir;	       /* "/tmp/.X11-unix" when it exists */
	char *xauthority;      /* $XAUTHORITY, else $HOME/.Xauthority, when it exists */
	char *runtime_dir;     /* $XDG_RUNTIME_DIR */
	char *wayland_display; /* $WAYLAND_DISPLAY */
	char *wayland_socket;  /* the socket it names, when it exists */
	char *pulse_socket; /* $PULSE_SERVER's unix:PATH, else RUNTIME/pulse/native, if it exists */
	char *pipewire_socket;	     /* RUNTIME/pipewire-0, when it exists */
	char *dbus_address;	     /* $DBUS_SESSION_BUS_ADDRESS */
	char *dbus_socket;	     /* its unix:path=, else RUNTIME/bus, when it exists */
	char *gpu[SHORTCUT_MAX_GPU]; /* /dev/dri, /dev/nvidia* */
	unsigned ngpu;
};

/* The words a shortcut stands for, each owned; `warning` (static) is said once it is used. */
struct shortcut_words {
	char **v;
	unsigned n;
	const char *warning;
};

/* Impure: the environment, the top-level links of /, which sockets and devices exist. */
void shortcut_host_gather(struct shortcut_host *h);
void shortcut_host_free(struct shortcut_host *h);

/* Pure: the ordinary options shortcut `name` (without dashes) stands for on host h. 0, or -1
 * with err filled ("cannot use --x11: DISPLAY is not set"). */
int shortcut_expand(const char *name, const struct shortcut_host *h, struct shortcut_words *out,
		    struct error *err);
void shortcut_words_free(struct shortcut_words *w);

#endif
