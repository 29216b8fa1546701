#!/bin/bash
# test-mounts.sh with the root built attached (HUTCH_TEST_FALLBACK=attached): the new mount
# API, but the scratch root pivoted into first, as on kernels before 6.15.
export HUTCH_TEST_FALLBACK=attached
. "${srcdir:-$(dirname "$0")/..}/tests/test-mounts.sh"
