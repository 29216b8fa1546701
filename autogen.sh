#!/bin/sh
# Regenerates configure, Makefile.in and the build-aux/ helpers from configure.ac and
# Makefile.am. Needs autoconf, automake and pkg-config (for the PKG_* macros).
set -e
cd "$(dirname "$0")"
autoreconf -fi
echo "Now run ./configure && make"
