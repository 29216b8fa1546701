/* exec-diag: an execve(2) ENOENT names the program, its interpreter or a library loader alike;
 * the kernel does not say which. When the program exists, the missing one is its interpreter
 * (execve(2), ENOENT: "an interpreter or ELF interpreter could not be found"), which hutch reads
 * from the file itself to name it. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-diag.h"
#include "util.h"

static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

bool exec_diag_resolve(const char *cmd, char *path, size_t size)
{
	if (strchr(cmd, '/')) {
		snprintf(path, size, "%s", cmd);
		return is_exec_file(path);
	}
	/* execvp's search: PATH, or glibc's default when unset. */
	const char *dirs = getenv("PATH");
	if (!dirs)
		dirs = "/bin:/usr/bin";
	for (const char *p = dirs;; p++) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);
		snprintf(path, size, "%.*s%s%s", n, p, n ? "/" : "", cmd);
		if (is_exec_file(path))
			return true;
		if (!*end)
			return false;
		p = end;
	}
}

/* PT_INTERP of an ELF file of either class, in the file's byte order when it is ours. */
static bool elf_interpreter(int fd, char *interp, size_t size)
{
	unsigned char ident[EI_NIDENT];
	uint64_t phoff;
	unsigned phnum, phentsize;

	if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		return false;
	bool is64 = ident[EI_CLASS] == ELFCLASS64;
	if (is64) {
		Elf64_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return false;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return false;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	}
	for (unsigned i = 0; i < phnum && i < 256; i++) {
		uint64_t off, fsz;
		uint32_t type;
		off_t at = (off_t)(phoff + (uint64_t)i * phentsize);
		if (is64) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
				return false;
			type = ph.p_type, off = ph.p_offset, fsz = ph.p_filesz;
		} else {
			Elf32_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
				return false;
			type = ph.p_type, off = ph.p_offset, fsz = ph.p_filesz;
		}
		if (type != PT_INTERP)
			continue;
		if (fsz == 0 || fsz >= size)
			return false;
		if (pread(fd, interp, (size_t)fsz, (off_t)off) != (ssize_t)fsz)
			return false;
		interp[fsz] = '\0';
		return interp[0] != '\0';
	}
	return false;
}

bool exec_diag_interpreter(const char *path, char *interp, size_t size)
{
	char head[256];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	if (n < 2)
		return false;
	head[n] = '\0';
	if (head[0] != '#' || head[1] != '!')
		return elf_interpreter(fd, interp, size);
	/* "#!", optional blanks, the path up to a blank or the end of the line (execve(2)). */
	const char *p = head + 2;
	p += strspn(p, " \t");
	size_t len = strcspn(p, " \t\n");
	if (len == 0 || len >= size)
		return false;
	memcpy(interp, p, len);
	interp[len] = '\0';
	return true;
}

noreturn void exec_diag_fail(const char *cmd, int errnum)
{
	char path[4096], interp[4096];
	bool exists = face->exec_diagnosis && errnum == ENOENT &&
		      exec_diag_resolve(cmd, path, sizeof(path));

	if (exists && exec_diag_interpreter(path, interp, sizeof(interp)) &&
	    access(interp, F_OK) < 0) {
		char *slash = strrchr(interp, '/');
		warn("cannot execute '%s': its interpreter %s does not exist in the sandbox", path,
		     interp);
		if (slash && slash != interp)
			hint("bind the directory that holds it from the host as well, e.g. "
			     "--ro-bind %.*s %.*s (or --symlink its target where the host has a "
			     "link)",
			     (int)(slash - interp), interp, (int)(slash - interp), interp);
		exit(face->exit_exec);
	}
	if (exists) /* the interpreter is there, or unknown: still not "not found" */
		die_status_errno(face->exit_exec, errnum, msg(MSG_EXEC), path);
	if (errnum == ENOENT && !strchr(cmd, '/'))
		die_status(face->exit_notfound, msg(MSG_EXEC_NOT_FOUND), cmd);
	die_status_errno(errnum == ENOENT ? face->exit_notfound : face->exit_exec, errnum,
			 msg(MSG_EXEC), cmd);
}
