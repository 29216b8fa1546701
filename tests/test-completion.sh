#!/bin/bash
# The shell completions: bash's driven through COMP_WORDS/COMP_CWORD as bash itself calls it
# (options from --help, profile names after --seccomp-profile, capability names after
# --cap-add/--cap-drop, files after a path option, the command after the options and its own
# arguments after that); zsh's and fish's checked by their shells' own parsers, and fish's
# driven through `complete -C`, when the shells are installed.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

BC=$srcdir/hutch.bash-completion
mkdir -m 0755 "$T/path" "$T/files"
cp "$H" "$T/path/hutch"
: >"$T/files/some-file"

# comp SCRIPT_PREFIX WORD...: COMPREPLY, one per line, for the words (the last one is being
# completed), from a fresh bash that sourced the completion (after SCRIPT_PREFIX).
comp() {
	local pre=$1
	shift
	PATH=$T/path:$PATH bash -c '
		'"$pre"'
		. "$0" || exit 99
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_hutch
		printf "%s\n" "${COMPREPLY[@]}"' "$BC" "$@"
}

is "$(PATH=$T/path:$PATH bash -c '. "$0"; complete -p hutch' "$BC")" "complete -F _hutch hutch" \
	"bash: the completion registers _hutch for hutch"
like "$(comp '' hutch --ro-bi)" '^--ro-bind$' "bash: option names from --help (--ro-bi: --ro-bind)"
is "$(comp '' hutch --mas)" --mask "bash: --mas: --mask (from --help)"
is "$(comp '' hutch --seccomp-profile st)" strict "bash: --seccomp-profile st: the shipped strict"
ok "bash: --seccomp-profile: the shipped profile names" \
	grep -qx default <<<"$(comp '' hutch --seccomp-profile '')"
is "$(comp '' hutch --cap-add CAP_NET_BIND)" CAP_NET_BIND_SERVICE \
	"bash: --cap-add CAP_NET_BIND: the capability name"
is "$(comp '' hutch --cap-drop cap_sys_ad)" CAP_SYS_ADMIN \
	"bash: --cap-drop cap_sys_ad: the capability name (upper case)"
is "$(comp '' hutch --ro-bind "$T/files/some-f")" "$T/files/some-file" \
	"bash: --ro-bind SRC: files"
is "$(comp '' hutch --ro-bind / "$T/files/some-f")" "$T/files/some-file" \
	"bash: --ro-bind / DEST: files (its second word)"
is "$(comp '' hutch --overlay a b "$T/files/some-f")" "$T/files/some-file" \
	"bash: --overlay's third word: files"
like "$(comp '' hutch --ro-bind / / --unshare-all hutc)" '^hutch$' \
	"bash: after the options, the command word: commands on PATH"
unlike "$(comp '' hutch --ro-bind / / --unshare-all hutc)" '^--' \
	"bash: ... and no options of hutch there"
is "$(comp '' hutch --ro-bind / / cat "$T/files/some-f")" "$T/files/some-file" \
	"bash: the command's arguments: files (no bash-completion loaded)"
like "$(comp '' hutch -- hutc)" '^hutch$' "bash: after --, the command word"

BASHCOMP=/usr/share/bash-completion/bash_completion
if [ -r "$BASHCOMP" ]; then
	# With bash-completion, the command's own completion runs for its arguments: hutch
	# inside hutch completes hutch's options and their arguments.
	like "$(comp ". $BASHCOMP" hutch --ro-bind / / hutch --seccomp-pro)" '^--seccomp-profile$' \
		"bash: the command's own completion for its arguments (hutch in hutch: options)"
	is "$(comp ". $BASHCOMP" hutch --unshare-all hutch --cap-add CAP_CHO)" CAP_CHOWN \
		"bash: ... and their arguments (hutch in hutch: --cap-add)"
else
	skip "bash: the command's own completion for its arguments" "bash-completion is not installed"
	skip "bash: ... and their arguments" "bash-completion is not installed"
fi

if command -v zsh >/dev/null; then
	ok "zsh -n: completions/_hutch parses" zsh -n "$srcdir/completions/_hutch"
	like "$(head -n 1 "$srcdir/completions/_hutch")" '^#compdef hutch$' \
		"zsh: the file declares #compdef hutch"
else
	skip "zsh -n: completions/_hutch parses" "zsh is not installed"
	skip "zsh: the file declares #compdef hutch" "zsh is not installed"
fi

if command -v fish >/dev/null; then
	FC=$srcdir/completions/hutch.fish
	ok "fish -n: completions/hutch.fish parses" fish -n "$FC"
	fc() { PATH=$T/path:$PATH HOME=$T fish -c "source '$FC'; complete -C '$1'" 2>&1 |
		cut -f1; }
	is "$(fc 'hutch --seccomp-profile st')" strict "fish: --seccomp-profile st: strict"
	like "$(fc 'hutch --cap-add CAP_NET_B')" '^CAP_NET_BIND_SERVICE$' \
		"fish: --cap-add: capability names"
	like "$(fc 'hutch --ro-bi')" '^--ro-bind$' "fish: option names from --help"
	like "$(fc 'hutch --ro-bind / / hutc')" '^hutch$' "fish: the command word after the options"
	is "$(fc "hutch --ro-bind / / cat $T/files/some-f")" "$T/files/some-file" \
		"fish: the command's arguments"
else
	for n in "fish -n: completions/hutch.fish parses" "fish: --seccomp-profile" \
		"fish: --cap-add" "fish: option names" "fish: the command word" \
		"fish: the command's arguments"; do
		skip "$n" "fish is not installed"
	done
fi
done_testing
