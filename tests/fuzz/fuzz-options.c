/* fuzz-options: libFuzzer target for the option parser of both faces (options_parse, then
 * plan_make), on a command line built from the input.
 *
 * Input: byte 0 picks the face (bit 0: 0 hutch, 1 bwrap); then the words of argv[1..],
 * NUL-separated, up to the first 0xff byte; what follows it is the data every `--args`
 * reads (each gets a memfd of its own, whose number replaces the word after `--args`; past
 * the eighth, a number no fd has).
 * `--seccomp-show` and `--seccomp-list` read the profile directories and print: they are
 * replaced by `--chdir` and `--new-session`, which take as many words. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_WORDS 4096
#define MAX_FDS	  8
/* above RLIMIT_NOFILE: reading it fails with EBADF (checked at start) */
#define CLOSED_FD "1048575"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	if (fcntl(atoi(CLOSED_FD), F_GETFD) >= 0)
		fuzz_fail("fd %s is open", CLOSED_FD);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[MAX_WORDS + 2];
	const uint8_t *sep;
	size_t words_len, blob_len = 0;
	const uint8_t *blob = NULL;
	char *buf, fdnum[MAX_FDS][16];
	int fds[MAX_FDS], n_fds = 0, argc = 1;
	enum face_id id;

	if (size < 1)
		return 0;
	id = data[0] & 1 ? FACE_BWRAP : FACE_HUTCH;
	data++;
	size--;
	sep = memchr(data, 0xff, size);
	words_len = sep ? (size_t)(sep - data) : size;
	if (sep) {
		blob = sep + 1;
		blob_len = size - words_len - 1;
	}
	/* the words, each NUL-terminated (the last one may lack its NUL in the input) */
	buf = malloc(words_len + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, words_len);
	buf[words_len] = '\0';
	argv[0] = id == FACE_BWRAP ? "bwrap" : "hutch";
	for (char *p = buf; words_len && p <= buf + words_len && argc <= MAX_WORDS;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seccomp-show") == 0)
			argv[i] = "--chdir";
		else if (strcmp(argv[i], "--seccomp-list") == 0)
			argv[i] = "--new-session";
		else if (strcmp(argv[i], "--args") == 0 && i + 1 < argc && n_fds == MAX_FDS)
			argv[++i] = CLOSED_FD; /* never an fd of libFuzzer's, which could block */
		else if (strcmp(argv[i], "--args") == 0 && i + 1 < argc) {
			fds[n_fds] = fuzz_memfd(blob ? blob : (const uint8_t *)"", blob_len);
			if (fds[n_fds] < 0)
				fuzz_fail("cannot make a memfd");
			snprintf(fdnum[n_fds], sizeof(fdnum[0]), "%d", fds[n_fds]);
			argv[++i] = fdnum[n_fds++];
		}
	}

	fuzz_parse_options(id, argc, argv);

	/* the parser closes the fds it read; the others are still ours */
	for (int i = 0; i < n_fds; i++)
		if (fcntl(fds[i], F_GETFD) >= 0)
			close(fds[i]);
	free(buf);
	return 0;
}
