/* asan-defaults: the sanitizer options built into the ASan hutch of `make check-asan` (never
 * into a normal build). The sanitizer runtimes read ASAN_OPTIONS from /proc/self/environ
 * before the C library starts, and a hutch started inside a sandbox may have no /proc: then
 * only these apply. Leak detection is off for the reasons Makefile.am gives at check-asan. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=0:abort_on_error=1";
}

const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}
