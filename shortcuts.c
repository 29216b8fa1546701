/* shortcuts: what each shortcut option stands for. Everything a shortcut depends on is read
 * once by shortcut_host_gather; shortcut_expand is pure, so the dry run and the unit tests see
 * the very options a launch would use. */
#include <dirent.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shortcuts.h"

static const char *const top_paths[SHORTCUT_TOPS] = { "/bin",	"/sbin",  "/lib",
						      "/lib32", "/lib64", "/libx32" };

/* ---- the facts (impure) ---- */

static char *env_dup(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? xstrdup(v) : NULL;
}

static __attribute__((format(printf, 1, 2))) char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		die("cannot allocate memory");
	return s;
}

/* path (owned) when something is there, else NULL (and path is freed). */
static char *if_exists(char *path)
{
	struct stat st;

	if (path && lstat(path, &st) == 0)
		return path;
	free(path);
	return NULL;
}

/* p is absolute and not the host's / by any spelling ("/.", "/tmp/..", a link to /). */
static bool absolute_not_root(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	char *r = realpath(p, NULL);
	bool root = r ? strcmp(r, "/") == 0 : p[strspn(p, "/")] == '\0';
	free(r);
	return !root;
}

/* The passwd file's home of uid: read as a file (hutch may be static: no NSS). */
static char *passwd_home(uid_t uid)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	char *home = NULL;

	if (!f)
		return NULL;
	while (!home && (pw = fgetpwent(f)))
		if (pw->pw_uid == uid && absolute_not_root(pw->pw_dir))
			home = xstrdup(pw->pw_dir);
	fclose(f);
	return home;
}

static void gather_gpu(struct shortcut_host *h)
{
	DIR *d;
	struct dirent *e;
	struct stat st;

	if (stat("/dev/dri", &st) == 0 && S_ISDIR(st.st_mode))
		h->gpu[h->ngpu++] = xstrdup("/dev/dri");
	d = opendir("/dev");
	if (!d)
		return;
	/* nvidia0.., nvidiactl, nvidia-uvm, nvidia-modeset, nvidia-caps/: what the driver's
	 * user-space opens. */
	while ((e = readdir(d)) && h->ngpu < SHORTCUT_MAX_GPU)
		if (strncmp(e->d_name, "nvidia", 6) == 0)
			h->gpu[h->ngpu++] = xprintf("/dev/%s", e->d_name);
	closedir(d);
}

/* The unix:path= of a D-Bus or PulseAudio address ("unix:path=/run/user/1000/bus,guid=..."). */
static char *address_path(const char *address, const char *prefix)
{
	const char *p = address ? strstr(address, prefix) : NULL;

	if (!p)
		return NULL;
	p += strlen(prefix);
	return strndup(p, strcspn(p, ",;"));
}

void shortcut_host_gather(struct shortcut_host *h)
{
	const char *xdg;

	memset(h, 0, sizeof(*h));
	h->cwd = get_current_dir_name();
	h->home = env_dup("HOME");
	if (!absolute_not_root(h->home)) {
		free(h->home);
		h->home = passwd_home(getuid());
	}
	for (unsigned i = 0; i < SHORTCUT_TOPS; i++) {
		struct stat st;
		char buf[4096];
		ssize_t n;

		h->top[i].path = top_paths[i];
		if (lstat(top_paths[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			h->top[i].kind = SHORTCUT_TOP_DIR;
		} else if (S_ISLNK(st.st_mode) &&
			   (n = readlink(top_paths[i], buf, sizeof(buf) - 1)) > 0) {
			buf[n] = '\0';
			h->top[i].kind = SHORTCUT_TOP_LINK;
			h->top[i].target = xstrdup(buf);
		}
	}
	h->display = env_dup("DISPLAY");
	h->x11_dir = if_exists(xstrdup("/tmp/.X11-unix"));
	h->xauthority = env_dup("XAUTHORITY");
	if (!h->xauthority && h->home)
		h->xauthority = xprintf("%s/.Xauthority", h->home);
	h->xauthority = if_exists(h->xauthority);
	h->runtime_dir = env_dup("XDG_RUNTIME_DIR");
	xdg = h->runtime_dir;
	h->wayland_display = env_dup("WAYLAND_DISPLAY");
	if (h->wayland_display && xdg)
		h->wayland_socket = if_exists(h->wayland_display[0] == '/' ?
						      xstrdup(h->wayland_display) :
						      xprintf("%s/%s", xdg, h->wayland_display));
	h->pulse_socket = address_path(getenv("PULSE_SERVER"), "unix:");
	if (!h->pulse_socket && xdg)
		h->pulse_socket = xprintf("%s/pulse/native", xdg);
	h->pulse_socket = if_exists(h->pulse_socket);
	h->pipewire_socket = xdg ? if_exists(xprintf("%s/pipewire-0", xdg)) : NULL;
	h->dbus_address = env_dup("DBUS_SESSION_BUS_ADDRESS");
	h->dbus_socket = address_path(h->dbus_address, "unix:path=");
	if (!h->dbus_socket && !h->dbus_address && xdg)
		h->dbus_socket = xprintf("%s/bus", xdg);
	h->dbus_socket = if_exists(h->dbus_socket);
	gather_gpu(h);
}

void shortcut_host_free(struct shortcut_host *h)
{
	char **owned[] = { &h->cwd,
			   &h->home,
			   &h->display,
			   &h->x11_dir,
			   &h->xauthority,
			   &h->runtime_dir,
			   &h->wayland_display,
			   &h->wayland_socket,
			   &h->pulse_socket,
			   &h->pipewire_socket,
			   &h->dbus_address,
			   &h->dbus_socket };

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		free(*owned[i]);
		*owned[i] = NULL;
	}
	for (unsigned i = 0; i < SHORTCUT_TOPS; i++) {
		free(h->top[i].target);
		h->top[i].target = NULL;
	}
	for (unsigned i = 0; i < h->ngpu; i++)
		free(h->gpu[i]);
	h->ngpu = 0;
}

/* ---- the expansions (pure) ---- */

static void word(struct shortcut_words *w, const char *s)
{
	if (w->n == 0 || (w->n >= 8 && (w->n & (w->n - 1)) == 0))
		w->v = xrealloc(w->v, (w->n ? 2 * w->n : 8) * sizeof(*w->v));
	w->v[w->n++] = xstrdup(s);
}

/* One option and its arguments, NULL-terminated. */
static void option(struct shortcut_words *w, const char *opt, ...)
{
	va_list ap;
	const char *s;

	word(w, opt);
	va_start(ap, opt);
	while ((s = va_arg(ap, const char *)))
		word(w, s);
	va_end(ap);
}

static int need(const char *fact, const char *name, const char *what, struct error *err)
{
	if (fact)
		return 0;
	return error_set(err, "cannot use --%s: %s", name, what);
}

static int home_hidden(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
		       struct error *err)
{
	if (need(h->home, name, "no home directory: HOME is not an absolute path", err) < 0)
		return -1;
	option(w, "--tmpfs", h->home, NULL);
	option(w, "--setenv", "HOME", h->home, NULL);
	return 0;
}

static int expand_base(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
		       struct error *err)
{
	option(w, "--ro-bind", "/usr", "/usr", NULL);
	/* merged /usr: the links as the host has them; else the directories themselves */
	for (unsigned i = 0; i < SHORTCUT_TOPS; i++) {
		if (h->top[i].kind == SHORTCUT_TOP_LINK)
			option(w, "--symlink", h->top[i].target, h->top[i].path, NULL);
		else if (h->top[i].kind == SHORTCUT_TOP_DIR)
			option(w, "--ro-bind", h->top[i].path, h->top[i].path, NULL);
	}
	option(w, "--ro-bind", "/etc", "/etc", NULL);
	option(w, "--proc", "/proc", NULL);
	option(w, "--dev", "/dev", NULL);
	option(w, "--tmpfs", "/tmp", NULL);
	/* For untrusted programs and agents: Landlock behind the mount namespace, where the
	 * kernel has it (hutch(1), Landlock; --no-landlock after it lets sandboxes nest). */
	option(w, "--landlock-try", NULL);
	return home_hidden(name, h, w, err);
}

static int expand_cwd(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
		      struct error *err)
{
	if (need(h->cwd, name, "the working directory is unknown (deleted?)", err) < 0)
		return -1;
	if (!absolute_not_root(h->cwd))
		return error_set(err,
				 "cannot use --%s: the working directory is /, which would hand "
				 "the whole host to the sandbox\nhint: cd to the project first",
				 name);
	option(w, strcmp(name, "cwd-rw") == 0 ? "--bind" : "--ro-bind", h->cwd, h->cwd, NULL);
	option(w, "--chdir", h->cwd, NULL);
	return 0;
}

static int expand_home_ro(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
			  struct error *err)
{
	if (need(h->home, name, "no home directory: HOME is not an absolute path", err) < 0)
		return -1;
	if (!absolute_not_root(h->home))
		return error_set(
			err,
			"cannot use --%s: the home directory %s is /, which would hand the "
			"whole host to the sandbox",
			name, h->home);
	option(w, "--ro-bind", h->home, h->home, NULL);
	option(w, "--setenv", "HOME", h->home, NULL);
	return 0;
}

/* DISPLAY ":0", ":0.0", "unix:0": a socket in /tmp/.X11-unix. "host:0" is reached over TCP. */
static bool display_local(const char *d)
{
	return d[0] == ':' || strncmp(d, "unix:", 5) == 0;
}

static int expand_x11(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
		      struct error *err)
{
	if (need(h->display, name, "DISPLAY is not set", err) < 0)
		return -1;
	if (display_local(h->display)) {
		if (!h->x11_dir)
			return error_set(err,
					 "cannot use --%s: /tmp/.X11-unix does not exist (DISPLAY "
					 "is %s)",
					 name, h->display);
		option(w, "--ro-bind", h->x11_dir, h->x11_dir, NULL);
	}
	option(w, "--setenv", "DISPLAY", h->display, NULL);
	if (h->xauthority) {
		option(w, "--ro-bind", h->xauthority, h->xauthority, NULL);
		option(w, "--setenv", "XAUTHORITY", h->xauthority, NULL);
	}
	return 0;
}

static int expand_wayland(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
			  struct error *err)
{
	if (need(h->wayland_display, name, "WAYLAND_DISPLAY is not set", err) < 0 ||
	    need(h->runtime_dir, name, "XDG_RUNTIME_DIR is not set", err) < 0)
		return -1;
	if (!h->wayland_socket)
		return error_set(err,
				 "cannot use --%s: the socket of WAYLAND_DISPLAY '%s' does "
				 "not exist",
				 name, h->wayland_display);
	option(w, "--ro-bind", h->wayland_socket, h->wayland_socket, NULL);
	option(w, "--setenv", "WAYLAND_DISPLAY", h->wayland_display, NULL);
	option(w, "--setenv", "XDG_RUNTIME_DIR", h->runtime_dir, NULL);
	return 0;
}

static int expand_audio(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
			struct error *err)
{
	if (!h->pulse_socket && !h->pipewire_socket)
		return error_set(err,
				 "cannot use --%s: no PulseAudio or PipeWire socket "
				 "(XDG_RUNTIME_DIR/pulse/native, XDG_RUNTIME_DIR/pipewire-0)",
				 name);
	if (h->pulse_socket) {
		char *server = NULL;

		option(w, "--ro-bind", h->pulse_socket, h->pulse_socket, NULL);
		if (asprintf(&server, "unix:%s", h->pulse_socket) < 0)
			die("cannot allocate memory");
		option(w, "--setenv", "PULSE_SERVER", server, NULL);
		free(server);
	}
	if (h->pipewire_socket)
		option(w, "--ro-bind", h->pipewire_socket, h->pipewire_socket, NULL);
	if (h->runtime_dir)
		option(w, "--setenv", "XDG_RUNTIME_DIR", h->runtime_dir, NULL);
	return 0;
}

static int expand_dbus(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
		       struct error *err)
{
	char *address = NULL;

	if (!h->dbus_socket) {
		if (h->dbus_address && strstr(h->dbus_address, "unix:abstract="))
			return error_set(err,
					 "cannot use --%s: the session bus is an abstract socket "
					 "(%s), which only the host's network namespace reaches\n"
					 "hint: add --share-net (with --unshare-all) instead",
					 name, h->dbus_address);
		return error_set(err,
				 "cannot use --%s: no session bus socket (DBUS_SESSION_BUS_ADDRESS "
				 "unset or not a unix:path=, no XDG_RUNTIME_DIR/bus)",
				 name);
	}
	option(w, "--ro-bind", h->dbus_socket, h->dbus_socket, NULL);
	if (asprintf(&address, "unix:path=%s", h->dbus_socket) < 0)
		die("cannot allocate memory");
	option(w, "--setenv", "DBUS_SESSION_BUS_ADDRESS", address, NULL);
	free(address);
	w->warning = "--dbus-session is a wide door: every service on the session bus (the "
		     "desktop's portals, secret stores, systemd --user) acts for the command "
		     "outside the sandbox";
	return 0;
}

static int expand_gpu(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
		      struct error *err)
{
	if (h->ngpu == 0)
		return error_set(err,
				 "cannot use --%s: this host has no /dev/dri and no "
				 "/dev/nvidia* device",
				 name);
	for (unsigned i = 0; i < h->ngpu; i++)
		option(w, "--dev-bind", h->gpu[i], h->gpu[i], NULL);
	return 0;
}

static const struct {
	const char *name;
	int (*expand)(const char *name, const struct shortcut_host *h, struct shortcut_words *w,
		      struct error *err);
} shortcuts[] = {
	{ "base", expand_base },	 { "cwd-rw", expand_cwd },
	{ "cwd-ro", expand_cwd },	 { "home-ro", expand_home_ro },
	{ "home-hidden", home_hidden },	 { "x11", expand_x11 },
	{ "wayland", expand_wayland },	 { "audio", expand_audio },
	{ "dbus-session", expand_dbus }, { "gpu", expand_gpu },
};

int shortcut_expand(const char *name, const struct shortcut_host *h, struct shortcut_words *out,
		    struct error *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(shortcuts) / sizeof(shortcuts[0]); i++) {
		if (strcmp(shortcuts[i].name, name) != 0)
			continue;
		if (shortcuts[i].expand(name, h, out, err) == 0)
			return 0;
		shortcut_words_free(out);
		return -1;
	}
	return error_set(err, "internal error: no shortcut --%s", name);
}

void shortcut_words_free(struct shortcut_words *w)
{
	for (unsigned i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	memset(w, 0, sizeof(*w));
}
