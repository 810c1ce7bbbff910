#!/usr/bin/env bash
# feynn quick start.  On Debian/Ubuntu (as root, or with sudo) it installs the packages that are
# missing, builds feynn in _build/, and then
#   bash quickstart.sh          runs the main job
#   bash quickstart.sh test     runs the whole test suite (ends with "N passed, N failed")
#   bash quickstart.sh sanitize builds again in _build_san/ with AddressSanitizer and
#                               UndefinedBehaviorSanitizer (-O1) and runs the unit tests there
# Idempotent: with everything installed and built it only re-runs make.
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)
mode=${1:-run}
build=${FEYNN_BUILD_DIR:-_build}
configure_flags=(${FEYNN_CONFIGURE_FLAGS:-})
if [ "$mode" = sanitize ]; then
    build=${FEYNN_SAN_BUILD_DIR:-_build_san}
    configure_flags+=(--enable-sanitizers "CFLAGS=-O1 -g")
fi

# Required to build and test; the optional libraries that feynn uses when present are listed
# second (configure prints what it found).
required="gcc make autoconf automake libtool autoconf-archive pkg-config libgmp-dev libmpfr-dev
  libflint-dev libflint-arb-dev libgraphviz-dev graphviz libcmocka-dev libjansson-dev librandom123-dev
  python3 python3-jsonschema openmpi-bin libopenmpi-dev"
optional="libnauty2-dev libopenblas-dev"
# The main job's figures are drawn with PLplot; only `run` installs it (the tests do not need it).
[ "$mode" = run ] && optional="$optional libplplot-dev plplot-driver-cairo"

missing=()
for p in $required $optional; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "quickstart: installing ${missing[*]}" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo=sudo; else
        echo "quickstart: need root to run: apt-get install ${missing[*]}" >&2; exit 2; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f "$build/Makefile"   # configure again: it looks for the optional libraries just installed
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    echo "quickstart: generating configure (autoreconf)" >&2
    autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
mkdir -p "$build"
if [ ! -f "$build/Makefile" ] || [ configure -nt "$build/Makefile" ]; then
    echo "quickstart: configuring in $build/" >&2
    (cd "$build" && "$top/configure" -q "${configure_flags[@]}")
fi
jobs=$(nproc 2>/dev/null || echo 2)
echo "quickstart: building feynn (make -j$jobs; a few minutes the first time)" >&2
make -s -C "$build" -j"$jobs" >/dev/null

case "$mode" in
run)
    # The main job: the Born-Taylor verification end to end (data, training, the iterative
    # scheme, verification against the exact Born tensors, report and figures).
    out=${FEYNN_RESULTS:-results}/demo
    status=0
    echo "quickstart: running feynn demo -o $out (about a minute)" >&2
    "$build/feynn" demo -o "$out" || status=$?
    case "$status" in
    0) echo "quickstart: feynn demo met its targets; report and figures in $out/" ;;
    1) echo "quickstart: feynn demo ran to the end but did not meet every target (see $out/report.txt)" ;;
    *) echo "quickstart: feynn demo failed (exit $status)" >&2; exit "$status" ;;
    esac
    ;;
test|sanitize)
    status=0
    if [ "$mode" = test ]; then
        echo "quickstart: running the test suite (make check; several minutes)" >&2
        target=check
    else
        echo "quickstart: running the unit tests under the sanitizers (make check-unit)" >&2
        target=check-unit
    fi
    make -s -C "$build" -j"$jobs" "$target" >"$build/check.out" 2>&1 || status=$?
    grep -E '^(PASS|FAIL|XFAIL|XPASS|ERROR|SKIP):' "$build/check.out" | grep -v '^PASS' || true
    # Count per test case from the TAP results of every test program.
    passed=$(cat "$build"/tests/*.trs "$build"/*.trs 2>/dev/null | grep -c '^:test-result: PASS' || true)
    failed=$(cat "$build"/tests/*.trs "$build"/*.trs 2>/dev/null | grep -cE '^:test-result: (FAIL|ERROR|XPASS)' || true)
    skipped=$(cat "$build"/tests/*.trs "$build"/*.trs 2>/dev/null | grep -c '^:test-result: SKIP' || true)
    if [ "$status" -ne 0 ]; then
        tail -40 "$build/check.out"
        [ -f "$build/test-suite.log" ] && tail -60 "$build/test-suite.log"
        [ "$failed" -eq 0 ] && failed=1
    fi
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
    ;;
*)
    echo "usage: bash quickstart.sh [run|test|sanitize]" >&2; exit 2 ;;
esac
