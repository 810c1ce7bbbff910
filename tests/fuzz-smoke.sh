#!/bin/sh
# Replays the committed fuzz corpus (fuzz/corpus/NAME/*) through every fuzz target
# (fuzz/replay_NAME, built by make check).  One TAP line per target.  A crash or a sanitizer
# report fails the target.
top="${FY_TOP_SRCDIR:-.}"; build="${FY_TOP_BUILDDIR:-.}"
set --
for f in "$build"/fuzz/replay_*; do
    case "$f" in *.o|*.obj) continue ;; esac
    [ -f "$f" ] && [ -x "$f" ] && set -- "$@" "$f"
done
if [ $# -eq 0 ]; then echo "1..0 # SKIP no fuzz targets built"; exit 0; fi
echo "1..$#"
n=0; fail=0
for exe in "$@"; do
    n=$((n + 1)); name=${exe##*/replay_}
    corpus="$top/fuzz/corpus/$name"
    files=$(ls "$corpus" 2>/dev/null | wc -l)
    if [ "$files" -eq 0 ]; then echo "not ok $n - $name: empty corpus $corpus"; fail=1; continue; fi
    if "$exe" "$corpus"/* >fuzz-smoke.log 2>&1; then
        echo "ok $n - $name: $files corpus inputs"
    else
        echo "not ok $n - $name"; sed 's/^/# /' fuzz-smoke.log | tail -30; fail=1
    fi
done
rm -f fuzz-smoke.log
exit $fail
