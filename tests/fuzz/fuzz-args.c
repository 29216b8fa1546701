/* fuzz-args: libFuzzer target for the words --args reads from an fd (NUL-separated), in both
 * faces, around a few real command lines.
 *
 * Input: byte 0 picks the face (bit 0: 0 hutch, 1 bwrap) and the command line around
 * `--args FD` (bits 1-2); the rest is what the fd (a memfd) holds. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char fdnum[16], *argv[16];
	enum face_id id;
	int fd, argc = 0;

	if (size < 1)
		return 0;
	id = data[0] & 1 ? FACE_BWRAP : FACE_HUTCH;
	fd = fuzz_memfd(data + 1, size - 1);
	if (fd < 0)
		fuzz_fail("cannot make a memfd");
	snprintf(fdnum, sizeof(fdnum), "%d", fd);

	argv[argc++] = id == FACE_BWRAP ? "bwrap" : "hutch";
	switch ((data[0] >> 1) & 3) {
	case 0: /* flatpak: everything in --args, the command after it */
		argv[argc++] = "--args";
		argv[argc++] = fdnum;
		argv[argc++] = "--";
		argv[argc++] = "/app/bin/app";
		break;
	case 1: /* options on both sides */
		argv[argc++] = "--unshare-all";
		argv[argc++] = "--args";
		argv[argc++] = fdnum;
		argv[argc++] = "--tmpfs";
		argv[argc++] = "/tmp";
		argv[argc++] = "true";
		break;
	case 2: /* a modifier waiting for an option of the fd */
		argv[argc++] = "--perms";
		argv[argc++] = "0700";
		argv[argc++] = "--args";
		argv[argc++] = fdnum;
		argv[argc++] = "sh";
		break;
	default: /* no command after it */
		argv[argc++] = "--args";
		argv[argc++] = fdnum;
		break;
	}
	argv[argc] = NULL;

	fuzz_parse_options(id, argc, argv);

	if (fcntl(fd, F_GETFD) >= 0)
		fuzz_fail("--args did not close fd %d: it would reach the sandbox", fd);
	return 0;
}
