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

# The completions and the man pages, where the configured directories say.
for f in share/bash-completion/completions/hutch share/zsh/site-functions/_hutch \
	share/fish/vendor_completions.d/hutch.fish share/man/man1/hutch.1 \
	share/man/man5/hutch-seccomp.5; do
	ok "installed: $f" test -n "$(find "$T/inst" -path "*/$f" -type f)"
done
MAN1=$(find "$T/inst" -path '*/man1/hutch.1' -type f)
BWRAP_INST=$(find "$T/inst" -path '*/bwrap-compat/bwrap' -type f)
BWRAP_PATH=${BWRAP_INST#"$T/inst"}
ok "the installed hutch.1 names the installed bwrap ($BWRAP_PATH)" \
	grep -qF -- ".ds hutch-pkglibexecdir $(dirname "$(dirname "$BWRAP_PATH")" | sed 's/-/\\-/g')" \
	"${MAN1:-/nonexistent}"
is "$(find "$T/inst" -path '*apparmor.d*' | wc -l)" 0 \
	"no AppArmor profile without --with-apparmor (apparmordir empty)"

# make uninstall removes every file and leaves no empty directory in the staged tree.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" uninstall \
	DESTDIR="$T/inst" >"$T/uninstall.log" 2>&1
is "$?" 0 "make uninstall DESTDIR=... succeeds"
is "$(find "$T/inst" ! -type d | wc -l)" 0 "make uninstall leaves no file"
is "$(find "$T/inst" -mindepth 1 -type d | sed "s|^$T/inst||" | tr '\n' ' ')" "" \
	"make uninstall leaves no empty directory"

# The AppArmor profile: installed where asked (apparmordir, as ./configure --with-apparmor=DIR
# sets it), naming the installed paths; gone again with make uninstall.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install \
	DESTDIR="$T/aa" apparmordir=/etc/apparmor.d >"$T/install-aa.log" 2>&1
is "$?" 0 "make install with apparmordir=/etc/apparmor.d succeeds"
AA=$T/aa/etc/apparmor.d/hutch
ok "the AppArmor profile is installed as DESTDIR/etc/apparmor.d/hutch" test -f "$AA"
HUTCH_INST=$(find "$T/aa" -path '*/bin/hutch' -type f)
like "$(grep '^profile hutch ' "$AA" 2>/dev/null)" "^profile hutch ${HUTCH_INST#"$T/aa"} flags=\(unconfined\) \{" \
	"the profile attaches to the installed hutch, unconfined"
like "$(grep '^profile hutch-bwrap ' "$AA" 2>/dev/null)" "bwrap-compat/bwrap flags=\(unconfined\)" \
	"... and to the installed bwrap"
ok "the profile allows user namespaces" grep -qx '  userns,' "$AA"
if ! command -v apparmor_parser >/dev/null; then
	skip "apparmor_parser -Q parses the profile" "apparmor_parser is not installed"
elif [ ! -e /etc/apparmor.d/abi/4.0 ]; then
	skip "apparmor_parser -Q parses the profile" \
		"$(apparmor_parser --version | head -n 1) predates AppArmor 4.0 (abi/4.0, userns)"
	# What this parser knows: the profile without AppArmor 4.0's abi and userns rule.
	sed -e 's|<abi/4.0>|<abi/3.0>|' -e '/^  userns,$/d' "$AA" >"$T/aa-3.0"
	ok "the rest of the profile parses (apparmor_parser -Q, abi 3.0, no userns rule)" \
		apparmor_parser -Q -K "$T/aa-3.0"
else
	ok "apparmor_parser -Q parses the profile" apparmor_parser -Q -K "$AA"
fi
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" uninstall \
	DESTDIR="$T/aa" apparmordir=/etc/apparmor.d >"$T/uninstall-aa.log" 2>&1
is "$(find "$T/aa" -mindepth 1 | wc -l)" 0 "... and make uninstall removes it, and every directory"
done_testing
