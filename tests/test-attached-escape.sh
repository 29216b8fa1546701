#!/bin/bash
# test-escape.sh with the root built attached: the test build (tests/hutch-test) with
# HUTCH_TEST_FALLBACK=attached, which keeps the new mount API but pivots into the scratch root
# first, as on kernels before 6.15.
export USE_TESTBUILD=1 HUTCH_TEST_FALLBACK=attached
. "${srcdir:-$(dirname "$0")/..}/tests/test-escape.sh"
