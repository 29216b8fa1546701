#!/bin/bash
# test-man: man/hutch.1 documents every long option that --help prints (both faces), documents
# nothing --help does not know, renders without groff warnings, and its EXIT STATUS section
# lists the hutch face's statuses. Plain TAP; needs only bash, grep, sed, awk (groff, man-db
# for the rendering cases, skipped when absent).
#
# Environment: HUTCH (the binary under test; `make check` exports it), srcdir (top of the
# source tree; defaults to the parent of this script's directory).
set -u
export LC_ALL=C

srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
man_page=$srcdir/man/hutch.1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-man.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
# ok STATUS NAME: STATUS 0 is a pass.
ok()
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
diag()
{
	sed 's/^/# /'
}

# The source with roff escapes that do not change option names taken out: \% (no
# hyphenation) and \- (a minus that must render as ASCII '-').
normalize()
{
	sed -e 's/\\%//g' -e 's/\\-/-/g' "$1"
}

# section NAME: the lines of the normalized page between `.SH NAME` and the next `.SH`.
section()
{
	awk -v want="$1" '
		/^\.SH[ \t]/ {
			s = $0
			sub(/^\.SH[ \t]+/, "", s)
			gsub(/"/, "", s)
			in_sec = (s == want)
			next
		}
		in_sec
	' "$tmp/man.txt"
}

# The options the page documents: the tag line of each .TP (the line after it) and the
# argument of each .IP, in the OPTIONS section, when it starts with a long option.
documented_options()
{
	section OPTIONS | awk '
		tag { print; tag = 0; next }
		/^\.TP/ { tag = 1; next }
		/^\.IP[ \t]/ { sub(/^\.IP[ \t]+/, ""); print }
	' | sed -E -e 's/^\.[A-Za-z]+[[:space:]]+//' -e 's/^"//' -e 's/^\\f[BIR]//' \
		| grep -oE '^--[a-z0-9][a-z0-9-]*' | sort -u
}

# help_options FILE: every long option named in a --help output.
help_options()
{
	grep -oE -- '(^|[^-[:alnum:]_])--[a-z0-9][a-z0-9-]*' "$1" | sed -E 's/^[^-]+//' |
		sed -E 's/-+$//' | sort -u
}

# --- The page itself -----------------------------------------------------------------------

if [ ! -r "$man_page" ]; then
	echo "1..1"
	echo "not ok 1 - man page $man_page is readable"
	exit 1
fi
normalize "$man_page" >"$tmp/man.txt"

for sec in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT "EXIT STATUS" EXAMPLES SECURITY \
	"SEE ALSO"; do
	grep -qE "^\.SH[[:space:]]+\"?$sec\"?[[:space:]]*$" "$tmp/man.txt"
	ok $? "man page has section $sec"
done

section "EXIT STATUS" >"$tmp/exit.txt"
for code in 64 125 126 127; do
	grep -qw -- "$code" "$tmp/exit.txt"
	ok $? "EXIT STATUS lists $code"
done
grep -qE '128 *\+' "$tmp/exit.txt"
ok $? "EXIT STATUS explains 128+N for a command killed by signal N"

documented_options >"$tmp/documented"
count=$(wc -l <"$tmp/documented")
[ "$count" -ge 60 ]
ok $? "OPTIONS documents at least 60 options (found $count)"

# --- Rendering -----------------------------------------------------------------------------

if command -v groff >/dev/null 2>&1; then
	LC_ALL=C groff -man -Tutf8 -ww -z "$man_page" >"$tmp/groff.err" 2>&1
	status=$?
	[ "$status" -eq 0 ] && [ ! -s "$tmp/groff.err" ]
	ok $? "groff -man -Tutf8 -ww renders the page without warnings"
	diag <"$tmp/groff.err"

	# What man-db shows on an 80-column terminal (it formats with -mandoc and LL=78n).
	LC_ALL=C groff -mandoc -Tascii -rLL=78n -P-cbou "$man_page" >"$tmp/render.txt" 2>/dev/null
	awk 'length > 80 { print "rendered line " FNR ": " $0 }' "$tmp/render.txt" >"$tmp/long"
	[ ! -s "$tmp/long" ]
	ok $? "no rendered line is wider than 80 columns"
	diag <"$tmp/long"

	grep -nE -- '--[a-z0-9-]*[a-z0-9]-$' "$tmp/render.txt" >"$tmp/hyph"
	[ ! -s "$tmp/hyph" ]
	ok $? "no option name is hyphenated at the end of a rendered line"
	diag <"$tmp/hyph"

	# In UTF-8, a plain '-' may render as U+2010 HYPHEN: every option must come out with
	# ASCII hyphen-minus characters, so that readers can search for it and paste it.
	LC_ALL=C groff -man -Tutf8 -P-cbou "$man_page" >"$tmp/render-utf8.txt" 2>/dev/null
	: >"$tmp/mangled"
	while read -r opt; do
		grep -qF -- "$opt" "$tmp/render-utf8.txt" || echo "$opt" >>"$tmp/mangled"
	done <"$tmp/documented"
	[ ! -s "$tmp/mangled" ]
	ok $? "every documented option renders with ASCII hyphens in UTF-8"
	diag <"$tmp/mangled"
else
	skip "groff -man -Tutf8 -ww renders the page without warnings" "groff is not installed"
	skip "no rendered line is wider than 80 columns" "groff is not installed"
	skip "no option name is hyphenated at the end of a rendered line" \
		"groff is not installed"
	skip "every documented option renders with ASCII hyphens in UTF-8" \
		"groff is not installed"
fi

if command -v man >/dev/null 2>&1 && man --help 2>&1 | grep -q -- '--warnings'; then
	# man-db's own seccomp sandbox can fail inside containers; it is not under test here.
	LC_ALL=C MANWIDTH=80 MAN_DISABLE_SECCOMP=1 man --warnings -l "$man_page" \
		>"$tmp/man.out" 2>"$tmp/man.err"
	status=$?
	[ "$status" -eq 0 ] && [ ! -s "$tmp/man.err" ] && grep -q 'EXIT STATUS' "$tmp/man.out"
	ok $? "man --warnings -l shows the page without warnings"
	diag <"$tmp/man.err"
else
	skip "man --warnings -l shows the page without warnings" "man-db is not installed"
fi

# --- Both pages, as the build makes them: lint and the configured paths ---------------------

# The pages as installed: build-aux/man-paths.sh sets the paths they name to the configured
# ones (here: made-up ones, to see them change; a '-' must come out as \-).
for page in hutch.1 hutch-seccomp.5; do
	sh "$srcdir/build-aux/man-paths.sh" "$srcdir/man/$page" /opt/h-t/libexec/hutch \
		/opt/h-t/bash /opt/h-t/zsh /opt/h-t/fish /opt/h-t/apparmor >"$tmp/$page"
	ok $? "build-aux/man-paths.sh makes $page"
	if command -v mandoc >/dev/null 2>&1; then
		for src in "$srcdir/man/$page" "$tmp/$page"; do
			mandoc -Tlint "$src" >"$tmp/lint" 2>&1
			[ ! -s "$tmp/lint" ]
			ok $? "mandoc -Tlint: no message for ${src#"$tmp/"}"
			diag <"$tmp/lint"
		done
	else
		skip "mandoc -Tlint: no message for $page" "mandoc is not installed"
		skip "mandoc -Tlint: no message for the built $page" "mandoc is not installed"
	fi
	if command -v groff >/dev/null 2>&1; then
		LC_ALL=C groff -man -Tutf8 -ww -z "$tmp/$page" >"$tmp/groff.err" 2>&1
		[ $? -eq 0 ] && [ ! -s "$tmp/groff.err" ]
		ok $? "groff -man -ww: no warning for the built $page"
		diag <"$tmp/groff.err"
	else
		skip "groff -man -ww: no warning for the built $page" "groff is not installed"
	fi
done
if command -v groff >/dev/null 2>&1; then
	LC_ALL=C groff -man -Tutf8 -P-cbou "$tmp/hutch.1" >"$tmp/built.txt" 2>/dev/null
	for path in /opt/h-t/libexec/hutch/bwrap-compat/bwrap /opt/h-t/bash/hutch \
		/opt/h-t/zsh/_hutch /opt/h-t/fish/hutch.fish /opt/h-t/apparmor/hutch; do
		grep -qF -- "$path" "$tmp/built.txt"
		ok $? "the built hutch.1 names the configured $path"
	done
	grep -q '/usr/local' "$tmp/built.txt"
	[ $? -ne 0 ]
	ok $? "the built hutch.1 names no default /usr/local path"
else
	skip "the built hutch.1 names the configured paths" "groff is not installed"
fi
if [ -n "${top_builddir:-}" ] && [ -f "$top_builddir/doc/hutch.1" ] && [ -f "$top_builddir/Makefile" ]; then
	want=$(sed -n 's/^pkglibexecdir = //p' "$top_builddir/Makefile")
	grep -q '^\.ds hutch-pkglibexecdir ' "$top_builddir/doc/hutch.1"
	ok $? "the build's doc/hutch.1 sets the pkglibexecdir string (Makefile: $want)"
fi

# --- The page against --help ---------------------------------------------------------------

hutch=${HUTCH:-}
if [ -z "$hutch" ] && [ -x "${top_builddir:-$srcdir}/hutch" ]; then
	hutch=${top_builddir:-$srcdir}/hutch
fi

if [ -z "$hutch" ]; then
	skip "hutch --help options are all documented" "HUTCH is not set and no built hutch found"
elif [ ! -x "$hutch" ]; then
	ok 1 "HUTCH ($hutch) is an executable file"
else
	case $hutch in
	/*) ;;
	*) hutch=$(cd "$(dirname "$hutch")" && pwd)/$(basename "$hutch") ;;
	esac

	LC_ALL=C "$hutch" --help >"$tmp/help-hutch" 2>"$tmp/help-hutch.err"
	status=$?
	[ "$status" -eq 0 ] && [ -s "$tmp/help-hutch" ]
	ok $? "hutch --help prints help on stdout and exits 0 (status $status)"
	diag <"$tmp/help-hutch.err"

	# The bwrap face is the same binary under the name bwrap.
	ln -s "$hutch" "$tmp/bwrap"
	LC_ALL=C "$tmp/bwrap" --help >"$tmp/help-bwrap" 2>"$tmp/help-bwrap.err"
	status=$?
	[ "$status" -eq 0 ] && [ -s "$tmp/help-bwrap" ]
	ok $? "bwrap --help (through a symlink) prints help on stdout and exits 0 (status $status)"
	diag <"$tmp/help-bwrap.err"

	help_options "$tmp/help-hutch" >"$tmp/opts-hutch"
	help_options "$tmp/help-bwrap" >"$tmp/opts-bwrap"
	count=$(wc -l <"$tmp/opts-hutch")
	[ "$count" -ge 60 ]
	ok $? "hutch --help names at least 60 long options (found $count)"

	# One case per option, so a report names exactly what is missing.
	sort -u "$tmp/opts-hutch" "$tmp/opts-bwrap" >"$tmp/opts-all"
	while read -r opt; do
		faces=
		grep -qxF -- "$opt" "$tmp/opts-hutch" && faces="hutch"
		grep -qxF -- "$opt" "$tmp/opts-bwrap" && faces="${faces:+$faces and }bwrap"
		case $faces in
		*and*) faces="$faces faces" ;;
		*) faces="$faces face" ;;
		esac
		if grep -qxF -- "$opt" "$tmp/documented"; then
			ok 0 "man page documents $opt ($faces)"
		else
			ok 1 "man page documents $opt ($faces)"
			if grep -qE -- "(^|[^-[:alnum:]_])$opt([^-[:alnum:]_]|\$)" "$tmp/man.txt"; then
				echo "# $opt is mentioned, but is not an option heading under OPTIONS"
			else
				echo "# $opt does not appear in $man_page"
			fi
		fi
	done <"$tmp/opts-all"

	comm -23 "$tmp/documented" "$tmp/opts-all" >"$tmp/stale"
	[ ! -s "$tmp/stale" ]
	ok $? "every option the man page documents is in --help of one face"
	sed 's/^/not in --help: /' "$tmp/stale" | diag

	! grep -qxF -- --pass-fd "$tmp/opts-bwrap"
	ok $? "bwrap --help does not offer the hutch-only --pass-fd"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
