#!/bin/bash
# `make install` installs what users run and nothing only the tests need: not tests/hutch-test
# (the test build, which obeys HUTCH_TEST_FALLBACK), and an installed hutch that is the built
# one and holds no test switch; and no seccomp profile file, which would look like it counts.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

[ -f "$top_builddir/Makefile" ] || bail_out "no Makefile in $top_builddir (run it from make check)"

# A make of our own, not a job of the make running the tests (whose jobserver fds lib.sh
# closed).
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install DESTDIR="$T/inst" \
	>"$T/install.log" 2>&1
RC=$?
is "$RC" 0 "make install DESTDIR=... succeeds"
[ "$RC" = 0 ] || diag "$(cat "$T/install.log")"
INST=$(find "$T/inst" -path '*/bin/hutch' -type f)
ok "hutch is installed" test -n "$INST" -a -x "${INST:-/nonexistent}"
is "$(find "$T/inst" -name 'hutch-test*' | wc -l)" 0 "the test build is not installed"
# (the build tree's hutch: under make check-asan, $HUTCH is the sanitizer build)
ok "the installed hutch is the one built" cmp -s "${INST:-/nonexistent}" "$top_builddir/hutch"
ok "control: the test build holds the test switch's name" \
	grep -aq HUTCH_TEST_FALLBACK "$HUTCH_TESTBUILD"
ok "the installed hutch does not" eval '! grep -aq HUTCH_TEST_ "${INST:-/nonexistent}"'
is "$(find "$T/inst" -name '*.bpf' -o -name '*.profile' -o -name '*.inc' | wc -l)" 0 \
	"no seccomp profile file is installed (they are built into hutch)"
done_testing
