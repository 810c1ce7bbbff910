#!/bin/sh
# Resumable runs of `feynn nnft sample --checkpoint DIR` (TAP): an ensemble and a scan over
# widths are killed (SIGTERM, SIGINT) once some checkpoints exist, started again with the same
# command, and must end with output byte-identical to an uninterrupted run; a damaged
# checkpoint and one of another run are not used (recomputed, said on stderr); a rerun of a
# finished run reads everything back.  One process, no MPI needed (tests/test_mpi.sh does it
# on several ranks).
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
OMP_NUM_THREADS=1; export OMP_NUM_THREADS
w=par_resume_t.dir; rm -rf "$w"; mkdir -p "$w"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$w/err" | head -20; fail=1; }
strip() { sed '/^# feynn nnft sample: /d' "$1"; }
same() { # same DESCRIPTION FILE_A FILE_B
    strip "$2" >"$w/a"; strip "$3" >"$w/b"
    if [ -s "$w/a" ] && cmp -s "$w/a" "$w/b"; then ok "$1"
    else diff "$w/a" "$w/b" | head -10 >"$w/err"; no "$1"; fi
}
chunks() { ls "$1" 2>/dev/null | grep -c '^chunk-'; }
# start CMD... in the background, wait until DIR holds at least K chunks, send SIGNAL
kill_after() { # kill_after DIR K SIGNAL CMD...
    dir=$1; k=$2; sig=$3; shift 3
    # a background command of a script ignores SIGINT unless told otherwise
    if [ "$sig" = INT ]; then
        if env --default-signal=INT true 2>/dev/null; then set -- env --default-signal=INT "$@"
        else sig=TERM; fi
    fi
    "$@" >"$w/killed.out" 2>"$w/killed.err" &
    pid=$!
    i=0
    while [ "$(chunks "$dir")" -lt "$k" ] && [ $i -lt 400 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.05; i=$((i + 1)); done
    kill "-$sig" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

printf 'activation erf\nwidth 5\npoint 0.25\npoint 0.5\npoint 1\n' >"$w/erf.spec"
printf 'activation relu\nsigma_b 0\nwidth 20\npoint 0.5\npoint 1\npoint 2\n' >"$w/relu.spec"
E="$feynn nnft sample $w/erf.spec --networks 40000 --seed 9 --tuples"

# ensemble: killed by SIGTERM, resumed
$E >"$w/whole.txt" 2>"$w/err" || no "uninterrupted run"
kill_after "$w/ck" 3 TERM $E --checkpoint "$w/ck" --checkpoint-networks 500
before=$(chunks "$w/ck")
$E --checkpoint "$w/ck" --checkpoint-networks 500 >"$w/resumed.txt" 2>"$w/err"
same "SIGTERM after $before checkpoint(s), resumed: identical to an uninterrupted run" \
    "$w/whole.txt" "$w/resumed.txt"
if grep -q "resumed: [1-9][0-9]* of 80 segments" "$w/err"; then
    ok "the restart read checkpoints back"
else no "the restart read checkpoints back"; fi
if ls "$w/ck" | grep -q '\.tmp\.'; then ls "$w/ck" >"$w/err"; no "no temporary file left"
else ok "no temporary file left"; fi

# a finished run is read back whole, even when one checkpoint is damaged
last=$(ls "$w/ck" | grep '^chunk-' | tail -1)
printf 'X' | dd of="$w/ck/$last" bs=1 seek=100 conv=notrunc 2>/dev/null
$E --checkpoint "$w/ck" --checkpoint-networks 500 >"$w/again.txt" 2>"$w/err"
same "damaged checkpoint recomputed: identical" "$w/whole.txt" "$w/again.txt"
if grep -q "1 unusable chunk" "$w/err"; then ok "the damaged checkpoint is named on stderr"
else no "the damaged checkpoint is named on stderr"; fi

# another run (other seed) in the same folder: its checkpoints are not used, nor ours by it
"$feynn" nnft sample "$w/erf.spec" --networks 40000 --seed 10 --tuples >"$w/other.txt" 2>/dev/null
"$feynn" nnft sample "$w/erf.spec" --networks 40000 --seed 10 --tuples --checkpoint "$w/ck" \
    --checkpoint-networks 500 >"$w/other_ck.txt" 2>"$w/err"
same "another run in the same folder: its own numbers" "$w/other.txt" "$w/other_ck.txt"
if grep -q "unusable" "$w/err" && ! grep -q "resumed" "$w/err"; then
    ok "another run's checkpoints refused"
else no "another run's checkpoints refused"; fi

# a scan over widths: killed by SIGINT after the first width, resumed
S="$feynn nnft sample $w/relu.spec --widths 20,60,100,140 --networks 40000 --seed 2 --n 2,4"
$S --format json >"$w/scan_whole.json" 2>"$w/err" || no "uninterrupted scan"
kill_after "$w/scan" 1 INT $S --format json --checkpoint "$w/scan"
before=$(chunks "$w/scan")
$S --format json --checkpoint "$w/scan" >"$w/scan_resumed.json" 2>"$w/err"
grep -v -E '^ *"(threads|ranks|time_s|networks_per_s)":' "$w/scan_whole.json" >"$w/sa"
grep -v -E '^ *"(threads|ranks|time_s|networks_per_s)":' "$w/scan_resumed.json" >"$w/sb"
if cmp -s "$w/sa" "$w/sb" && [ -s "$w/sa" ]; then
    ok "scan: SIGINT after $before width(s), resumed: identical"
else diff "$w/sa" "$w/sb" | head >>"$w/err"; no "scan: SIGINT after $before width(s), resumed"; fi
if [ "$before" -ge 4 ]; then
    n=$((n + 1)); echo "ok $n - the scan's restart read widths back # SKIP ended before the kill"
elif grep -q "resumed: [1-3] of 4 widths" "$w/err"; then ok "the scan's restart read widths back"
else no "the scan's restart read widths back"; fi

echo "1..$n"
[ "$fail" = 0 ] && rm -rf "$w"
exit $fail
