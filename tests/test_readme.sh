#!/bin/sh
# README.md's console examples against real runs (TAP; tests/readme_check.py says how blocks
# are read).  Blocks marked "readme-check: skip" (minutes-long jobs) run with
# `make readme-check`; `python3 tests/readme_check.py --update README.md BUILDDIR SRCDIR`
# regenerates the expected output from real runs.
top="${FY_TOP_SRCDIR:-.}"
b="${FY_TOP_BUILDDIR:-.}"
py=
for p in ${FEYNN_PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1; then py=$p; break; fi
done
if [ -z "$py" ]; then echo "1..0 # SKIP no python3"; exit 77; fi
exec "$py" "$top/tests/readme_check.py" "$top/README.md" "$b" "$top"
