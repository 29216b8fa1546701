#!/bin/bash
# The fallback path for kernels without openat2(2) and the new mount API, forced by
# HUTCH_TEST_FALLBACK=1 in the test build (tests/hutch-test): check that it really avoids those
# syscalls, and that the usual operations still build a correct root; and that the real hutch
# does not obey the switch. test-fallback-mounts.sh and test-fallback-escape.sh rerun the whole
# mount and escape suites on this path.
export USE_TESTBUILD=1
. "${srcdir:-$(dirname "$0")/..}/tests/lib.sh"

export HUTCH_TEST_FALLBACK=1

case_fallback() {
	local mode=$MODE
	run_as "$mode" strace -f -e trace=openat2,open_tree,move_mount,mount_setattr,fsopen,fsmount,mount \
		"$H" "${MINROOT[@]}" --tmpfs /scratch --dev /dev --dir /scratch/a/b --ro-bind-data 3 /scratch/data \
		--symlink /scratch/a /l "$P" read=/scratch/data mountflags=/usr mountflags=/scratch 3<"$T/payload"
	is "$RC" 0 "$mode: fallback: the sandbox runs"
	like "$(val read:/scratch/data)" '^payload' "$mode: fallback: --ro-bind-data content arrives"
	like "$(val mountflags:/usr)" '(^|,)ro(,|$)' "$mode: fallback: --ro-bind is read-only"
	like "$(val mountflags:/scratch)" 'nosuid' "$mode: fallback: --tmpfs is nosuid"
	local newapi
	newapi=$(grep -cE '(openat2|open_tree|move_mount|mount_setattr|fsopen|fsmount)\(' <<<"$ERR")
	is "$newapi" 0 "$mode: fallback: no openat2 or new mount API call was made"
	like "$(grep -c 'mount(' <<<"$ERR")" '^[1-9]' "$mode: fallback: mount(2) did the work"
}

# How many pivot_root calls a launch makes: one when the root is built detached (Linux 6.15+
# attaches mounts inside a detached tree), two when it is built attached (older kernels,
# HUTCH_TEST_FALLBACK=attached or =1, and a build that --remount-ro switches over).
count_pivots() {
	run_as "$MODE" env HUTCH_TEST_FALLBACK="$1" strace -f -e trace=pivot_root \
		"$H" "${MINROOT[@]}" "${@:2}" "$P" pid
	PIVOTS=$(grep -c 'pivot_root(' <<<"$ERR")
}

case_pivots() {
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	count_pivots attached
	is "$RC:$PIVOTS" 0:2 "$MODE: attached build: the sandbox runs after two pivot_root calls"
	count_pivots 1
	is "$RC:$PIVOTS" 0:2 "$MODE: fallback: the sandbox runs after two pivot_root calls"
	if [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 15 ]; }; then
		skip "$MODE: detached build: Linux $major.$minor cannot attach mounts inside a detached tree (6.15)"
		skip "$MODE: detached build with --remount-ro: same"
		return
	fi
	count_pivots ""
	is "$RC:$PIVOTS" 0:1 "$MODE: detached build: the sandbox runs after one pivot_root"
	count_pivots "" --tmpfs /x --remount-ro /x
	is "$RC:$PIVOTS" 0:2 "$MODE: --remount-ro switches to the attached build: two pivot_root"
}

# The switch is a hook of the test build only: the real hutch, which `make install` installs
# (test-install.sh), builds with the new API whatever HUTCH_TEST_FALLBACK says. The test build
# without the switch is the control: it shows that this kernel has those calls.
case_real_ignores_switch() {
	local major minor
	run_as "$MODE" env -u HUTCH_TEST_FALLBACK strace -f -e trace=openat2,open_tree "$H" \
		"${MINROOT[@]}" "$P" pid
	if ! grep -qE '(openat2|open_tree)\(' <<<"$ERR"; then
		skip "$MODE: the real hutch ignores HUTCH_TEST_FALLBACK (no openat2/open_tree here)"
		return
	fi
	run_as "$MODE" env HUTCH_TEST_FALLBACK=1 strace -f -e trace=openat2,open_tree \
		"$HREAL" "${MINROOT[@]}" "$P" pid
	is "$RC" 0 "$MODE: the real hutch with HUTCH_TEST_FALLBACK=1 runs"
	like "$(grep -cE 'openat2\(' <<<"$ERR"):$(grep -cE 'open_tree\(' <<<"$ERR")" \
		'^[1-9][0-9]*:[1-9]' "$MODE: ... and still calls openat2 and open_tree"
	IFS=. read -r major minor _ <<<"$(uname -r)"
	if [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 15 ]; }; then
		skip "$MODE: the real hutch with HUTCH_TEST_FALLBACK=attached (Linux $major.$minor builds attached anyway)"
		return
	fi
	run_as "$MODE" env HUTCH_TEST_FALLBACK=attached strace -f -e trace=pivot_root \
		"$HREAL" "${MINROOT[@]}" "$P" pid
	is "$RC:$(grep -c 'pivot_root(' <<<"$ERR")" 0:1 \
		"$MODE: the real hutch with HUTCH_TEST_FALLBACK=attached still builds detached"
}

printf 'payload\n' >"$T/payload"
chmod 644 "$T/payload"
for_each_mode case_fallback
for_each_mode case_pivots
for_each_mode case_real_ignores_switch
done_testing
