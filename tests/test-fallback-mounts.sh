#!/bin/bash
# test-mounts.sh on the fallback path (no openat2, no new mount API): HUTCH_TEST_FALLBACK=1.
export HUTCH_TEST_FALLBACK=1
. "${srcdir:-$(dirname "$0")/..}/tests/test-mounts.sh"
