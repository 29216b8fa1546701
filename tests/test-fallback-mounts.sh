#!/bin/bash
# test-mounts.sh on the fallback path (no openat2, no new mount API): the test build
# (tests/hutch-test) with HUTCH_TEST_FALLBACK=1.
export USE_TESTBUILD=1 HUTCH_TEST_FALLBACK=1
. "${srcdir:-$(dirname "$0")/..}/tests/test-mounts.sh"
