#!/bin/bash
# Basic runs: the command runs, its exit status comes back, PATH lookup happens inside,
# `--` ends the options, --version and --help work.
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

case_true() {
	run_as "$MODE" "$H" --ro-bind / / true
	is "$RC" 0 "$MODE: --ro-bind / / true exits 0"
	is "$OUT$ERR" "" "$MODE: --ro-bind / / true prints nothing"
}

case_exit_status() {
	local code
	for code in 1 7 42 255; do
		run_as "$MODE" "$H" --ro-bind / / sh -c "exit $code"
		is "$RC" "$code" "$MODE: sh -c 'exit $code' gives status $code"
	done
	run_as "$MODE" "$H" --unshare-pid --ro-bind / / sh -c 'exit 7'
	is "$RC" 7 "$MODE: with --unshare-pid, sh -c 'exit 7' gives status 7"
	# As pid 1 the command cannot die of its own signals (the kernel shields a namespace's
	# init), so only the exit status is checked here.
	run_as "$MODE" "$H" --unshare-pid --as-pid-1 --ro-bind / / sh -c 'exit 9'
	is "$RC" 9 "$MODE: with --as-pid-1, sh -c 'exit 9' gives status 9"
}

case_signal_status() {
	run_as "$MODE" "$H" --ro-bind / / "$P" kill=9
	is "$RC" 137 "$MODE: command killed by SIGKILL gives 128+9"
	run_as "$MODE" "$H" --ro-bind / / "$P" kill=15
	is "$RC" 143 "$MODE: command killed by SIGTERM gives 128+15"
	run_as "$MODE" "$H" --unshare-pid --ro-bind / / "$P" kill=10
	is "$RC" 138 "$MODE: with --unshare-pid, killed by SIGUSR1 gives 128+10"
}

case_path_inside() {
	local d
	d=$(scratch)
	cp "$P" "$d/only-inside-probe"
	chmod 0755 "$d/only-inside-probe"
	# /opt/pp exists only in the sandbox, so the lookup must use the sandbox's view and
	# the PATH that --setenv gave.
	run_as "$MODE" "$H" --ro-bind / / --tmpfs /opt --ro-bind "$d" /opt/pp \
		--setenv PATH /opt/pp:/usr/bin:/bin only-inside-probe argv0
	is "$RC" 0 "$MODE: a command found on PATH inside the sandbox runs"
	is "$(val argv0)" only-inside-probe "$MODE: the command found on PATH gets its name as argv[0]"
	run_as "$MODE" "$H" --ro-bind / / --tmpfs /opt \
		--setenv PATH /opt/pp:/usr/bin:/bin only-inside-probe argv0
	isnt "$RC" 0 "$MODE: without the bind, the same command is not found"
	run_as "$MODE" env PATH="$d:/usr/bin:/bin" "$H" --ro-bind / / --tmpfs "$d" \
		only-inside-probe argv0
	isnt "$RC" 0 "$MODE: a command on the host PATH but hidden inside is not run"
}

case_double_dash() {
	local d
	d=$(scratch)
	cp "$P" "$d/-dash-probe"
	chmod 0755 "$d/-dash-probe"
	run_as "$MODE" "$H" --ro-bind / / -- "$P" argv0
	is "$RC" 0 "$MODE: -- before the command"
	is "$(val argv0)" "$P" "$MODE: -- is not passed to the command"
	run_as "$MODE" "$H" --ro-bind / / --setenv PATH "$d:/usr/bin:/bin" -- -dash-probe argv0
	is "$RC:$(val argv0)" "0:-dash-probe" "$MODE: after --, a command starting with - runs"
	run_as "$MODE" "$H" --ro-bind / / sh -c 'printf "%s|" "$@"' sh --bind a b -- --version
	is "$RC:$OUT" "0:--bind|a|b|--|--version|" \
		"$MODE: options after the command belong to the command"
}

case_version_help() {
	local first
	run_as "$MODE" "$H" --version
	is "$RC" 0 "$MODE: --version exits 0"
	first=$(printf '%s\n' "$OUT" | head -n 1)
	like "$first" '^hutch [0-9]+\.[0-9]+' "$MODE: --version prints 'hutch VERSION'"
	is "$ERR" "" "$MODE: --version writes nothing to stderr"
	run_as "$MODE" "$H" --help
	is "$RC" 0 "$MODE: --help exits 0"
	like "$OUT" '--ro-bind' "$MODE: --help lists --ro-bind"
	like "$OUT" '--unshare-user' "$MODE: --help lists --unshare-user"
	is "$ERR" "" "$MODE: --help writes nothing to stderr"
}

case_no_command() {
	run_as "$MODE" "$H" --ro-bind / /
	isnt "$RC" 0 "$MODE: no command is an error"
}

for_each_mode case_true
for_each_mode case_exit_status
for_each_mode case_signal_status
for_each_mode case_path_inside
for_each_mode case_double_dash
for_each_mode case_version_help
for_each_mode case_no_command
done_testing
