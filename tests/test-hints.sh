#!/bin/bash
# test-hints.sh: messages that name the cause: a missing ELF or script interpreter (126), the
# nearest option to an unknown one (hutch face only; the bwrap face keeps bubblewrap's text),
# the requested target in a --symlink conflict, a hint for the kernel's refusal of / as an
# overlay layer.
. "${srcdir:-.}/tests/lib.sh"

is_hutch || {
	echo "1..0 # SKIP not hutch"
	exit 0
}

# The root without its loader: /usr and /bin only, no /lib64 (nor /lib) link.
NOLOADER=(--ro-bind /usr /usr --symlink usr/bin /bin)
printf '#!/nonexistent-%s/sh\necho ran\n' $$ >"$T/bin/script"
chmod 0755 "$T/bin/script"

cases() {
	run_as "$MODE" "$H" "${NOLOADER[@]}" /usr/bin/true
	is "$RC" 126 "$MODE: a program whose ELF interpreter is missing: 126"
	like "$ERR" "^hutch: cannot execute '/usr/bin/true': its interpreter /[^ ]+ does not exist in the sandbox$" \
		"$MODE: ... and the message names its interpreter"
	like "$ERR" "^hint: bind the directory that holds it" "$MODE: ... with a hint"
	run_as "$MODE" "$H" "${NOLOADER[@]}" true
	like "$RC:$ERR" "^126:hutch: cannot execute '/(usr/)?bin/true': its interpreter" \
		"$MODE: the same through PATH (not 'command not found')"
	run_as "$MODE" "$H" "${MINROOT[@]}" "$T/bin/script"
	is "$RC" 126 "$MODE: a script whose #! interpreter is missing: 126"
	like "$ERR" "its interpreter /nonexistent-$$/sh does not exist in the sandbox" \
		"$MODE: ... and the message names it"
	run_as "$MODE" "$H" "${MINROOT[@]}" /nonexistent-cmd
	like "$RC:$ERR" "^127:hutch: cannot execute '/nonexistent-cmd'" \
		"$MODE: a program that does not exist is still 127"
	run_as "$MODE" "$B" --unshare-user "${NOLOADER[@]}" /usr/bin/true
	like "$RC:$ERR" "^1:bwrap: execvp /usr/bin/true: No such file or directory$" \
		"$MODE: the bwrap face keeps bubblewrap's message"

	run_as "$MODE" "$H" --ro-bin / / true
	is "$RC" 64 "$MODE: an unknown option is a usage error"
	is "$ERR" "hutch: cannot use '--ro-bin': unknown option
hint: did you mean '--ro-bind'?" "$MODE: ... suggesting the nearest option"
	run_as "$MODE" "$H" --xyzzy true
	like "$ERR" "hint: run '.*hutch --help' for the list of options|hint: run 'hutch --help'" \
		"$MODE: nothing near: the --help hint"
	run_as "$MODE" "$B" --ro-bin / / true
	is "$RC:$ERR" "1:bwrap: Unknown option --ro-bin" "$MODE: the bwrap face: bubblewrap's text"

	# A root command inside a sandbox runs hutch: the kernel refuses it uid 0's map.
	run_as "$MODE" "$H" --uid 0 --ro-bind / / --proc /proc --dev /dev "$H" --ro-bind / / \
		--dev /dev true
	like "$RC:$ERR" "^125:hutch: cannot write /proc/self/uid_map: Operation not permitted
hint: mapping uid 0 .*CAP_SETFCAP.*
hint: run this hutch as another uid .*--uid 1000.*--cap-add CAP_SETFCAP" \
		"$MODE: hutch as root inside a sandbox: the CAP_SETFCAP and --uid hints"
	run_as "$MODE" "$H" --uid 1000 --ro-bind / / --proc /proc --dev /dev "$H" --ro-bind / / \
		--dev /dev true
	is "$RC" 0 "$MODE: ... and as uid 1000 it works"

	run_as "$MODE" "$H" --ro-bind / / --symlink target-$$ /usr true
	like "$RC:$ERR" "^125:hutch: cannot create symlink '/usr' -> 'target-$$' \(--symlink\)" \
		"$MODE: a --symlink conflict shows the requested target"

	# / as an overlay layer: the kernel refuses a layer with locked mounts below it.
	run_as "$MODE" "$H" "${MINROOT[@]}" --overlay-src / --tmp-overlay /mnt true
	like "$RC:$ERR" "^125:hutch: cannot mount the overlay on '/mnt' \(--tmp-overlay\): Invalid argument
hint: a layer with mounts below it \(as / has\) cannot be an overlay layer" \
		"$MODE: --overlay-src / : the kernel's refusal with a hint that names the cause"
	run_as "$MODE" "$H" "${MINROOT[@]}" --overlay-src /usr --tmp-overlay /usr "$P" stat=/usr/bin
	is "$RC" 0 "$MODE: ... and the layer the hint suggests works"
}
for_each_mode cases

done_testing
