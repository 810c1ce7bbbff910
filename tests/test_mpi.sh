#!/bin/sh
# feynn under MPI (TAP): `mpirun -np 1, 2, 3 feynn nnft sample ...` against the same command run
# alone, byte for byte (text, JSON, CSV; a scan over widths), the library's tests under mpirun,
# and a run killed on 2 ranks resumed on 3; `feynn inn sample` (lattice chains, the report and
# the draws) and `feynn inn scan` (its cells) on 1-3 ranks against the serial command; `feynn
# demo --seeds` (the Born demo over seeds) and the cut-off scan of `feynn nnft couplings` on 2, 3
# ranks against the serial command; the cut-off scan and inn scan resumed from a store on 3 and
# 2 ranks (resume, issue 15).  The only
# lines allowed to differ are the ones that say how the run went (text: the first line; JSON:
# threads, ranks, time_s, networks_per_s; inn scan: the training times).
# Skipped (77) when feynn was built without MPI or mpirun is missing.  As root, Open MPI needs
# its two consent variables; this script sets them (CI runs as root).
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
tp="${FY_TOP_BUILDDIR:-.}/tests/test_par"
if ! "$feynn" version 2>/dev/null | grep -q "MPI yes"; then
    echo "1..0 # SKIP feynn built without MPI"; exit 77; fi
if ! command -v mpirun >/dev/null 2>&1; then echo "1..0 # SKIP no mpirun"; exit 77; fi
OMPI_ALLOW_RUN_AS_ROOT=1; OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; OMP_NUM_THREADS=1
OMPI_MCA_rmaps_base_oversubscribe=1; OMPI_MCA_mpi_yield_when_idle=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMP_NUM_THREADS
export OMPI_MCA_rmaps_base_oversubscribe OMPI_MCA_mpi_yield_when_idle
w=mpi_t.dir; rm -rf "$w"; mkdir -p "$w"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$w/err" | head -20; fail=1; }
# Open MPI's run time keeps memory to the end of the process (its components are dlopen'ed, so
# no suppression can name them): in a sanitizer build the processes under mpirun run without
# leak detection; the same commands run alone keep it (the serial references and
# test_par_resume.sh).
mpi() { np=$1; shift
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        timeout 120 mpirun -np "$np" --oversubscribe -x ASAN_OPTIONS "$@"; }
# drop the lines that say how the run went
strip() {
    case "$1" in
    *.txt) sed '/^# feynn nnft sample: /d' "$1" ;;
    *.json) grep -v -E '^ *"(threads|ranks|time_s|networks_per_s)":' "$1" ;;
    *) cat "$1" ;;
    esac
}
same() { # same DESCRIPTION FILE_A FILE_B
    strip "$2" >"$w/a"; strip "$3" >"$w/b"
    if [ -s "$w/a" ] && cmp -s "$w/a" "$w/b"; then ok "$1"
    else diff "$w/a" "$w/b" | head -10 >"$w/err"; no "$1"; fi
}

printf 'activation erf\nwidth 5\npoint 0.25\npoint 0.5\npoint 1\n' >"$w/erf.spec"
printf 'activation cos\nsigma_b 0\nwidth 3\nd 2\npoint 0.5 0.1\npoint 1 -0.3\npoint 2 0.7\n' \
    >"$w/cos.spec"
printf 'activation relu\nsigma_b 0\nwidth 20\npoint 0.5\npoint 1\npoint 2\n' >"$w/relu.spec"

# the library: ordered reduction, scan and store with real ranks (3 of them)
for np in 3; do
    if FY_TOP_SRCDIR="${FY_TOP_SRCDIR:-.}" mpi "$np" "$tp" >"$w/err" 2>&1; then
        ok "tests/test_par under mpirun -np $np"
    else no "tests/test_par under mpirun -np $np"; fi
done

# the ensemble: alone, then on 1, 2, 3 ranks
run() { # run "RANKS" TAG SPEC FORMAT EXTRA...
    nps=$1; tag=$2; spec=$3; fmt=$4; shift 4
    "$feynn" nnft sample "$w/$spec" --networks 6000 --seed 3 --format "$fmt" "$@" \
        >"$w/serial.$tag" 2>"$w/err" || no "alone: $tag"
    for np in $nps; do
        if mpi "$np" "$feynn" nnft sample "$w/$spec" --networks 6000 --seed 3 \
            --format "$fmt" "$@" >"$w/np$np.$tag" 2>"$w/err"; then
            same "mpirun -np $np, $tag: identical to the serial command" "$w/serial.$tag" \
                "$w/np$np.$tag"
        else no "mpirun -np $np, $tag (exit)"; fi
    done
}
run "1 2 3" erf.txt erf.spec text --tuples
run "3" cos.csv cos.spec csv
run "1 2 3" scan.json relu.spec json --widths 2,5,20,40 --n 2,4

# only rank 0 writes: the text has one header line
c=$(grep -c '^# feynn nnft sample: ' "$w/np3.erf.txt")
if [ "$c" = 1 ] && grep -q '3 rank(s)' "$w/np3.erf.txt"; then ok "one report from 3 ranks"
else echo "count $c" >"$w/err"; no "one report from 3 ranks"; fi

# a run killed on 2 ranks, resumed on 3: the checkpoints do not depend on the ranks
ck="$w/ck"
mpi 2 "$feynn" nnft sample "$w/erf.spec" --networks 100000 --seed 4 --format csv \
    --checkpoint "$ck" --checkpoint-networks 600 >"$w/killed" 2>"$w/err" &
pid=$!
i=0
# (finished chunks only: chunk-*.tmp.* is one being written, removed at the restart)
while [ "$(ls "$ck" 2>/dev/null | grep '^chunk-' | grep -vc '\.tmp\.')" -lt 2 ] && [ $i -lt 300 ]; do
    sleep 0.05; i=$((i + 1)); done
kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
mpi 3 "$feynn" nnft sample "$w/erf.spec" --networks 100000 --seed 4 --format csv \
    --checkpoint "$ck" --checkpoint-networks 600 >"$w/resumed" 2>"$w/err2"
"$feynn" nnft sample "$w/erf.spec" --networks 100000 --seed 4 --format csv >"$w/whole" 2>/dev/null
cp "$w/err2" "$w/err"
same "killed on 2 ranks, resumed on 3: identical to an uninterrupted run" "$w/whole" "$w/resumed"
r=$(sed -n 's/.*resumed: \([0-9]*\) of \([0-9]*\) segments.*/\1 \2/p' "$w/err2")
if [ -n "$r" ] && [ "${r% *}" = "${r#* }" ]; then
    n=$((n + 1)); echo "ok $n - the resumed run read checkpoints back # SKIP ended before the kill"
elif [ -n "$r" ]; then ok "the resumed run read ${r% *} of ${r#* } segments back"
else no "the resumed run read checkpoints back"; fi

# lattice chains over ranks (inn sample): the report and the draws (-o) byte for byte; 5 chains
# so that 2 and 3 ranks get unequal shares
printf 'lattice ring 3\nkinetic 1\nm2 1\ng3 1/2\nlam 1\n' >"$w/ring.theory"
hmc() { # hmc "RANKS" TAG FORMAT
    nps=$1; tag=$2; fmt=$3
    "$feynn" inn sample "$w/ring.theory" --chains 5 --samples 40 --warmup 60 --seed 7 \
        --format "$fmt" -o "$w/serial.$tag.st" >"$w/serial.$tag" 2>"$w/err" || no "alone: $tag"
    for np in $nps; do
        if mpi "$np" "$feynn" inn sample "$w/ring.theory" --chains 5 --samples 40 --warmup 60 \
            --seed 7 --format "$fmt" -o "$w/np$np.$tag.st" >"$w/np$np.$tag" 2>"$w/err"; then
            same "inn sample, mpirun -np $np, $tag: identical to the serial command" \
                "$w/serial.$tag" "$w/np$np.$tag"
            same "inn sample, mpirun -np $np, $tag: the draws (-o) identical" \
                "$w/serial.$tag.st" "$w/np$np.$tag.st"
        else no "inn sample, mpirun -np $np, $tag (exit)"; fi
    done
}
hmc "1 2 3" hmc.txt text
hmc "3" hmc.json json

# the depth x data scan (inn scan) over ranks: its cells in the serial order with the serial
# numbers (the last CSV column is the training's wall-clock time)
printf 'lattice ring 1\nm2 1\nlam 1\n' >"$w/one.theory"
"$feynn" inn scan "$w/one.theory" --couplings 1,2 --sizes 40,60 --lbfgs 3 --quiet \
    --format csv 2>"$w/err" | cut -d, -f1-15 >"$w/serial.scan.csv" || no "alone: inn scan"
for np in 2 3; do
    if mpi "$np" "$feynn" inn scan "$w/one.theory" --couplings 1,2 --sizes 40,60 --lbfgs 3 \
        --quiet --format csv >"$w/np$np.scan.raw" 2>"$w/err"; then
        cut -d, -f1-15 "$w/np$np.scan.raw" >"$w/np$np.scan.csv"
        same "inn scan, mpirun -np $np: the cells identical to the serial scan" \
            "$w/serial.scan.csv" "$w/np$np.scan.csv"
    else no "inn scan, mpirun -np $np (exit)"; fi
done
if [ "$(wc -l <"$w/np2.scan.csv")" = 5 ]; then ok "inn scan on 2 ranks: one report, 4 cells"
else wc -l <"$w/np2.scan.csv" >"$w/err"; no "inn scan on 2 ranks: one report, 4 cells"; fi

# the Born demo over seeds (demo --seeds): the summary of 2 seeds on 2 and 3 ranks identical to
# the serial command's (text and seeds.json; apart from the time, the ranks, and whether the
# per-seed folders were kept, which only one rank does)
sstrip() { sed -e '/^time: /d' "$1"; }
jstrip() { grep -v -E '^ *"(ranks|time_s|seed_folders)":' "$1"; }
"$feynn" demo --quick --seeds 1,2 --quiet -o "$w/seeds1" >"$w/seeds1.out" 2>"$w/err"
st=$?
if [ "$st" -le 1 ]; then
    sstrip "$w/seeds1.out" >"$w/serial.seeds.out"
    jstrip "$w/seeds1/seeds.json" >"$w/serial.seeds.js"
    for np in 2 3; do
        mpi "$np" "$feynn" demo --quick --seeds 1,2 --quiet -o "$w/seeds$np" \
            >"$w/seeds$np.out" 2>"$w/err"
        if [ $? = "$st" ]; then
            sstrip "$w/seeds$np.out" >"$w/np$np.seeds.out"
            jstrip "$w/seeds$np/seeds.json" >"$w/np$np.seeds.js"
            same "demo --seeds, mpirun -np $np: the summary identical to the serial command" \
                "$w/serial.seeds.out" "$w/np$np.seeds.out"
            same "demo --seeds, mpirun -np $np: seeds.json identical" "$w/serial.seeds.js" \
                "$w/np$np.seeds.js"
        else no "demo --seeds, mpirun -np $np (exit, want $st)"; fi
    done
    if [ "$(grep -c '^feynn demo over 2 seeds' "$w/seeds3.out")" = 1 ] &&
        grep -q '^time: .* on 3 rank(s)$' "$w/seeds3.out"; then
        ok "demo --seeds: one report from 3 ranks"
    else cp "$w/seeds3.out" "$w/err"; no "demo --seeds: one report from 3 ranks"; fi
else no "alone: demo --seeds (exit $st)"; fi

# the cut-off scan of nnft couplings: the cut-offs are the jobs of a scan over the ranks; the
# output (text and JSON, exact and from a Monte Carlo ensemble) is the serial command's byte
# for byte (rank 0 fits the line in cut-off order)
for f in txt json; do
    fmt=text; [ "$f" = json ] && fmt=json
    "$feynn" nnft couplings --hms-relu --scan 10,30,100,1000 --format "$fmt" \
        >"$w/rg1.$f" 2>"$w/err" || no "alone: nnft couplings --scan ($fmt)"
    for np in 2 3; do
        if mpi "$np" "$feynn" nnft couplings --hms-relu --scan 10,30,100,1000 --format "$fmt" \
            >"$w/rg$np.$f" 2>"$w/err"; then
            if cmp -s "$w/rg1.$f" "$w/rg$np.$f" && [ -s "$w/rg1.$f" ]; then
                ok "nnft couplings --scan ($fmt), mpirun -np $np: byte-identical"
            else diff "$w/rg1.$f" "$w/rg$np.$f" >"$w/err"
                no "nnft couplings --scan ($fmt), mpirun -np $np: byte-identical"; fi
        else no "nnft couplings --scan ($fmt), mpirun -np $np (exit)"; fi
    done
done
"$feynn" nnft couplings --hms-relu --scan 10,100 --mc --networks 4000 >"$w/rgmc1.txt" \
    2>"$w/err" || no "alone: nnft couplings --scan --mc"
if mpi 3 "$feynn" nnft couplings --hms-relu --scan 10,100 --mc --networks 4000 \
    >"$w/rgmc3.txt" 2>"$w/err" && cmp -s "$w/rgmc1.txt" "$w/rgmc3.txt"; then
    ok "nnft couplings --scan --mc, mpirun -np 3: byte-identical"
else no "nnft couplings --scan --mc, mpirun -np 3: byte-identical"; fi

# resume (issue 15): the scans' stores do not depend on the ranks.  A cut-off scan and an inn
# scan stored by one process, all but their first chunk removed (a run killed early), resumed
# on 3 and 2 ranks: identical to the serial command; a run read back whole on 3 ranks too.
keep_first() { for c in $(ls "$1" | grep '^chunk-' | sed 1d); do rm -f "$1/$c"; done; }
"$feynn" nnft couplings --hms-relu --scan 10,30,100,1000 --checkpoint "$w/ck.rg" \
    >/dev/null 2>"$w/err" || no "alone: nnft couplings --scan --checkpoint"
keep_first "$w/ck.rg"
if mpi 3 "$feynn" nnft couplings --hms-relu --scan 10,30,100,1000 --checkpoint "$w/ck.rg" \
    >"$w/rg3ck.txt" 2>"$w/err" && cmp -s "$w/rg1.txt" "$w/rg3ck.txt" &&
    grep -q "resumed: 1 of 4 cut-offs" "$w/err"; then
    ok "nnft couplings --scan resumed on 3 ranks from 1 chunk: byte-identical"
else no "nnft couplings --scan resumed on 3 ranks from 1 chunk: byte-identical"; fi
if mpi 3 "$feynn" nnft couplings --hms-relu --scan 10,30,100,1000 --checkpoint "$w/ck.rg" \
    >"$w/rg3ck2.txt" 2>"$w/err" && cmp -s "$w/rg1.txt" "$w/rg3ck2.txt" &&
    grep -q "resumed: 4 of 4 cut-offs" "$w/err"; then
    ok "nnft couplings --scan read back whole on 3 ranks: byte-identical"
else no "nnft couplings --scan read back whole on 3 ranks: byte-identical"; fi
# with --mc: the ensemble over 3 ranks into DIR/ensemble, then everything read back on 2
for np in 3 2; do
    if mpi "$np" "$feynn" nnft couplings --hms-relu --scan 10,100 --mc --networks 4000 \
        --checkpoint "$w/ck.rgmc" >"$w/rgmc$np.ck" 2>"$w/err" &&
        cmp -s "$w/rgmc1.txt" "$w/rgmc$np.ck"; then
        ok "nnft couplings --scan --mc --checkpoint, mpirun -np $np: byte-identical"
    else no "nnft couplings --scan --mc --checkpoint, mpirun -np $np: byte-identical"; fi
done
if grep -q "ensemble: resumed: [1-9][0-9]* of" "$w/err" && grep -q "resumed: 2 of 2" "$w/err"
then ok "nnft couplings --mc on 2 ranks: the ensemble and the cut-offs read back"
else no "nnft couplings --mc on 2 ranks: the ensemble and the cut-offs read back"; fi
"$feynn" inn scan "$w/one.theory" --couplings 1,2 --sizes 40,60 --lbfgs 3 --quiet \
    --format csv --checkpoint "$w/ck.inn" >/dev/null 2>"$w/err" ||
    no "alone: inn scan --checkpoint"
keep_first "$w/ck.inn"
if mpi 2 "$feynn" inn scan "$w/one.theory" --couplings 1,2 --sizes 40,60 --lbfgs 3 --quiet \
    --format csv --checkpoint "$w/ck.inn" >"$w/np2ck.scan.raw" 2>"$w/err" &&
    grep -q "resumed: 1 of 4 cells" "$w/err"; then
    cut -d, -f1-15 "$w/np2ck.scan.raw" >"$w/np2ck.scan.csv"
    same "inn scan resumed on 2 ranks from 1 cell: the cells identical to the serial scan" \
        "$w/serial.scan.csv" "$w/np2ck.scan.csv"
else no "inn scan resumed on 2 ranks from 1 cell"; fi
if mpi 3 "$feynn" inn scan "$w/one.theory" --couplings 1,2 --sizes 40,60 --lbfgs 3 --quiet \
    --format csv --checkpoint "$w/ck.inn" >"$w/np3ck.scan.raw" 2>"$w/err" &&
    grep -q "resumed: 4 of 4 cells" "$w/err"; then
    cut -d, -f1-15 "$w/np3ck.scan.raw" >"$w/np3ck.scan.csv"
    same "inn scan read back whole on 3 ranks (nothing drawn): identical to the serial scan" \
        "$w/serial.scan.csv" "$w/np3ck.scan.csv"
else no "inn scan read back whole on 3 ranks"; fi

echo "1..$n"
[ "$fail" = 0 ] && rm -rf "$w"
exit $fail
