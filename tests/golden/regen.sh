#!/bin/sh
# regen.sh BUILDDIR [NAME...]: rewrites tests/golden/cmd/out/NAME (every case of
# tests/golden/cmd/cases, or the named ones) with the output of BUILDDIR/feynn.  Only when a
# change of output is intended: check `git diff tests/golden/cmd/out` and say in the commit
# message which outputs changed and why (tests/test_golden.sh).
if [ $# -lt 1 ] || [ ! -x "$1/feynn" ]; then
    echo "usage: tests/golden/regen.sh BUILDDIR [NAME...] (BUILDDIR holds the feynn to record)" >&2
    exit 2
fi
b=$1; shift
top=$(cd "$(dirname "$0")/../.." && pwd)
FY_TOP_SRCDIR=$top FY_TOP_BUILDDIR=$b sh "$top/tests/test_golden.sh" --regen "$@"
