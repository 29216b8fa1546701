#!/bin/bash
# The fallback path for kernels without openat2(2) and the new mount API
# (HUTCH_TEST_FALLBACK=1): check that it really avoids those syscalls, and that the usual
# operations still build a correct root. test-fallback-mounts.sh and test-fallback-escape.sh
# rerun the whole mount and escape suites on this path.
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

printf 'payload\n' >"$T/payload"
chmod 644 "$T/payload"
for_each_mode case_fallback
done_testing
