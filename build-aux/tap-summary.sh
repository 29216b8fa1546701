#!/bin/sh
# Usage: build-aux/tap-summary.sh [MAKE_STATUS]
#
# Run from the build directory after `make check` (and `make check-asan`), or `make check-all`.
# Counts the results automake's TAP driver wrote to tests/*.trs, asan/*.trs and
# other-link/*.trs (and the one result of each part of check-all, tests/check-PART.trs),
# prints test-suite.log and the failing test points when something failed, and ends with one
# line:
#   N passed, N failed[, N skipped]
# PASS and XFAIL count as passed, FAIL, XPASS and ERROR as failed, SKIP as skipped.
# MAKE_STATUS is the exit status of `make check`: when it is non-zero but no result failed
# (the build broke, or make stopped before running the tests), that counts as one failure;
# so does finding no results at all.
# Exits 1 when anything failed, else 0.

status=${1:-0}

trs_files=$(find tests asan other-link -name '*.trs' 2>/dev/null | LC_ALL=C sort)

passed=0
failed=0
skipped=0
if [ -n "$trs_files" ]; then
	# shellcheck disable=SC2086 # one path per word; automake test names have no spaces
	counts=$(cat $trs_files | awk '
		/^:test-result: (PASS|XFAIL)/ { p++ }
		/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
		/^:test-result: SKIP/ { s++ }
		END { printf "%d %d %d\n", p, f, s }')
	set -- $counts
	passed=$1
	failed=$2
	skipped=$3
fi

if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
	if [ -f test-suite.log ]; then
		echo "===== test-suite.log ====="
		cat test-suite.log
	fi
	for trs in $trs_files; do
		case $trs in asan/*) ;; *) continue ;; esac
		if grep -Eq '^:test-result: (FAIL|XPASS|ERROR)' "$trs"; then
			echo "===== ${trs%.trs}.log ====="
			cat "${trs%.trs}.log"
		fi
	done
fi
if [ "$failed" -gt 0 ]; then
	echo "===== failed test points ====="
	for trs in $trs_files; do
		log=${trs%.trs}.log
		[ -f "$log" ] && grep -E '^(FAIL|XPASS|ERROR): ' "$log"
	done
fi

if [ -z "$trs_files" ] && [ "$status" -eq 0 ]; then
	echo "tap-summary: no test results (*.trs) under tests/ or asan/ in $(pwd);" \
		"counted as 1 failure"
	failed=1
elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "tap-summary: make check exited with status $status before any test failed" \
		"(build error?); counted as 1 failure"
	failed=1
fi

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
