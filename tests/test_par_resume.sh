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
# the finished chunks in DIR; a chunk being written is chunk-*.tmp.*, and counting it made the
# checks flaky: a kill at that moment left no chunk (the restart removes the half-written one)
# and the restart had nothing to read back
chunks() { ls "$1" 2>/dev/null | grep '^chunk-' | grep -vc '\.tmp\.'; }
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

# ---- resume (issue 15): the three other scans, each chunk one job of the scan.  For each:
# an uninterrupted run; the same with --checkpoint killed (SIGTERM or SIGINT) once a chunk
# exists and run again: output identical, chunks read back (said on stderr); a damaged chunk
# recomputed; a finished run read back whole; another run's store not used.  The kill can come
# too late on a fast machine: then the restart is a finished run read back (the check of
# chunks read back still holds); the removal of chunks below makes the partial case certain.
# cmp_out DESCRIPTION FILTER A B: A and B through FILTER (the lines that say how long it took
# dropped) identical and not empty
cmp_out() {
    "$2" "$3" >"$w/fa"; "$2" "$4" >"$w/fb"
    if [ -s "$w/fa" ] && cmp -s "$w/fa" "$w/fb"; then ok "$1"
    else diff "$w/fa" "$w/fb" | head -10 >"$w/err"; no "$1"; fi
}
read_back() { # read_back DESCRIPTION TOTAL WHAT: stderr of the last run says R of TOTAL WHAT
    if grep -q "resumed: [1-9][0-9]* of $2 $3 read back" "$w/err"; then ok "$1"
    else no "$1"; fi
}
# scan_case TAG K SIG FILTER WHAT TOTAL CMD...: the cases above for one command (its output
# on stdout; CK is appended as --checkpoint)
scan_case() {
    tag=$1; k=$2; sig=$3; filt=$4; what=$5; total=$6; shift 6
    ck="$w/ck.$tag"
    "$@" >"$w/$tag.whole" 2>"$w/err"; st=$?
    kill_after "$ck" "$k" "$sig" "$@" --checkpoint "$ck"
    before=$(chunks "$ck")
    "$@" --checkpoint "$ck" >"$w/$tag.resumed" 2>"$w/err"
    if [ $? = "$st" ]; then
        cmp_out "$tag: SIG$sig after $before chunk(s), resumed: identical to a whole run" \
            "$filt" "$w/$tag.whole" "$w/$tag.resumed"
    else no "$tag: resumed run exits with $st"; fi
    read_back "$tag: the restart read chunks back" "$total" "$what"
    if ls "$ck" | grep -q '\.tmp\.'; then ls "$ck" >"$w/err"; no "$tag: no temporary file left"
    else ok "$tag: no temporary file left"; fi
    # a killed run of which only the first chunk survived (the others removed)
    first=$(ls "$ck" | grep '^chunk-' | head -1)
    for c in $(ls "$ck" | grep '^chunk-' | sed 1d); do rm -f "$ck/$c"; done
    "$@" --checkpoint "$ck" >"$w/$tag.partial" 2>"$w/err"
    cmp_out "$tag: 1 of $total chunks kept, resumed: identical" "$filt" "$w/$tag.whole" \
        "$w/$tag.partial"
    read_back "$tag: 1 of $total read back" "$total" "$what"
    # a damaged chunk (one byte in the middle changed) is recomputed
    printf 'X' | dd of="$ck/$first" bs=1 seek=60 conv=notrunc 2>/dev/null
    "$@" --checkpoint "$ck" >"$w/$tag.damaged" 2>"$w/err"
    cmp_out "$tag: damaged chunk recomputed: identical" "$filt" "$w/$tag.whole" \
        "$w/$tag.damaged"
    if grep -q "1 unusable chunk" "$w/err"; then ok "$tag: the damaged chunk is said on stderr"
    else no "$tag: the damaged chunk is said on stderr"; fi
    # the finished run: every chunk read back, nothing recomputed
    "$@" --checkpoint "$ck" >"$w/$tag.again" 2>"$w/err"
    cmp_out "$tag: finished run read back: identical" "$filt" "$w/$tag.whole" "$w/$tag.again"
    read_back "$tag: all $total read back" "$total" "$what"
    if grep -q "resumed: $total of $total" "$w/err"; then ok "$tag: nothing recomputed"
    else no "$tag: nothing recomputed"; fi
}
# other_run TAG WHAT CMD...: another run (other options) in TAG's folder uses none of its chunks
other_run() {
    tag=$1; what=$2; shift 2
    "$@" >"$w/$tag.other" 2>/dev/null; st=$?
    "$@" --checkpoint "$w/ck.$tag" >"$w/$tag.other_ck" 2>"$w/err"
    if [ $? = "$st" ] && grep -q "unusable" "$w/err" && ! grep -q "resumed" "$w/err"; then
        ok "$tag: another run's chunks refused ($what)"
    else no "$tag: another run's chunks refused ($what)"; fi
    cp "$w/err" "$w/err.other"
}
plain() { cat "$1"; }
notime() { sed -e '/^time: /d' "$1"; }
cells() { cut -d, -f1-15 "$1"; } # inn scan CSV without the training time

# 1. nnft couplings --scan: each cut-off a chunk
R="$feynn nnft couplings --hms-relu --scan 10,20,30,50,100,200,300,500"
scan_case rg 1 TERM plain cut-offs 8 $R
other_run rg "--width 30" $R --width 30
same "rg: the other run's own numbers" "$w/rg.other" "$w/rg.other_ck"
other_run rg "--mc" $R --mc --networks 2000
# with --mc the ensemble's running sums are kept too (DIR/ensemble): a restart that finds them
# and one cut-off draws no network and computes 7 cut-offs
M="$R --mc --networks 3000 --seed 5"
$M >"$w/rgmc.whole" 2>/dev/null
$M --checkpoint "$w/ck.rgmc" >/dev/null 2>&1
for c in $(ls "$w/ck.rgmc" | grep '^chunk-' | sed 1d); do rm -f "$w/ck.rgmc/$c"; done
$M --checkpoint "$w/ck.rgmc" >"$w/rgmc.resumed" 2>"$w/err"
cmp_out "rg --mc: ensemble and 1 cut-off read back: identical" plain "$w/rgmc.whole" \
    "$w/rgmc.resumed"
if grep -q "ensemble: resumed: [1-9][0-9]* of [0-9]* segments read back" "$w/err" &&
    grep -q "resumed: 1 of 8 cut-offs" "$w/err"; then ok "rg --mc: both stores read back"
else no "rg --mc: both stores read back"; fi
"$feynn" nnft couplings --hms-relu --scan 10,100 --checkpoint "$w/ck.rg" >/dev/null 2>"$w/err"
if [ $? = 2 ] || ! grep -q "unusable" "$w/err"; then no "rg: --scan 10,100 in the folder"
else ok "rg: other cut-offs, other run"; fi
"$feynn" nnft couplings --hms-relu --checkpoint "$w/ck.rg" >/dev/null 2>"$w/err"
if [ $? = 2 ] && grep -q "give --scan" "$w/err"; then ok "rg: --checkpoint without --scan refused"
else no "rg: --checkpoint without --scan refused"; fi

# 2. inn scan: each depth x data cell a chunk (CSV; the training time of a cell read back is
# its first run's, so the time column is left out)
printf 'lattice ring 1\nm2 1\nlam 1\n' >"$w/one.theory"
I="$feynn inn scan $w/one.theory --couplings 1,2,3 --sizes 40,60 --lbfgs 3 --quiet --format csv"
scan_case inn 1 INT cells cells 6 $I
other_run inn "--seed 2" $I --seed 2
printf 'lattice ring 1\nm2 1\nlam 2\n' >"$w/one.theory"
other_run inn "the theory file changed" $I
cmp_out "inn: the changed theory's own numbers" cells "$w/inn.other" "$w/inn.other_ck"

# 3. demo --seeds: each seed a chunk; the summary, seeds.json, and the seeds' folders
D="$feynn demo --quick --steps 4 --samples 60 --heldout 10 --epochs1 0 --epochs2 0 --lbfgs1 10
   --lbfgs2 10 --hidden1 4 --hidden2 4 --quiet"
scan_case demo 1 TERM notime seeds 2 $D --seeds 3,1 -o "$w/demo.out"
jstrip() { grep -v -E '^ *"time_s":' "$1"; }
"$feynn" demo --quick --steps 4 --samples 60 --heldout 10 --epochs1 0 --epochs2 0 --lbfgs1 10 \
    --lbfgs2 10 --hidden1 4 --hidden2 4 --quiet --seeds 3,1 -o "$w/demo.whole.dir" \
    >/dev/null 2>&1
cmp_out "demo: seeds.json of a run read back identical" jstrip "$w/demo.whole.dir/seeds.json" \
    "$w/demo.out/seeds.json"
ls "$w/demo.whole.dir"/seed-1 >"$w/l1"; ls "$w/demo.out"/seed-1 >"$w/l2"
cmp_out "demo: seed-1's folder restored from its chunk: the same files" plain "$w/l1" "$w/l2"
for f in F1.safetensors F2.safetensors data.safetensors gradient.csv; do
    cmp_out "demo: seed-1/$f restored identical" plain "$w/demo.whole.dir/seed-1/$f" \
        "$w/demo.out/seed-1/$f"; done
other_run demo "--steps 5" $D --steps 5 --seeds 3,1 -o "$w/demo.out"
"$feynn" demo --quick --checkpoint "$w/ck.demo" -o "$w/demo.x" >/dev/null 2>"$w/err"
if [ $? = 2 ] && grep -q "give --seeds" "$w/err"; then ok "demo: --checkpoint needs --seeds"
else no "demo: --checkpoint needs --seeds"; fi

echo "1..$n"
[ "$fail" = 0 ] && rm -rf "$w"
exit $fail
