/* exec-diag: what an execve failure means, said in the face's words, with the cause named when
 * hutch can find it (a missing ELF or script interpreter). Called by the process that execs the
 * command (the setup child, --join's command), after execvp failed. */
#ifndef HUTCH_EXEC_DIAG_H
#define HUTCH_EXEC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

/* The file execvp(cmd) ran (cmd itself, or the first regular executable file named cmd in
 * PATH) into path; false when there is none. */
bool exec_diag_resolve(const char *cmd, char *path, size_t size);

/* The interpreter file `path` asks for (PT_INTERP of an ELF file, the #! line of a script)
 * into interp; false when it names none or cannot be read. */
bool exec_diag_interpreter(const char *path, char *interp, size_t size);

/* Report that execvp(cmd) failed with errnum and exit with the face's status: 127 when no
 * such file exists, 126 when it exists but cannot run (its interpreter missing included). */
noreturn void exec_diag_fail(const char *cmd, int errnum);

#endif
