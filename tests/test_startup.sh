#!/bin/sh
# What the `feynn` command maps (issue 16, TAP): the optional back ends (PLplot, Graphviz's
# cgraph and gvc, MPI) are opened on first use, so `feynn version`, a tiny `feynn taylor`, a
# text `feynn diagrams` and an `nnft sample` run alone open none of them; DOT opens cgraph,
# TikZ cgraph and gvc, `mpirun -np 2` libmpi.  Seen through the dynamic loader's own report
# (LD_DEBUG=files: one "file=NAME" line per object it opens, needed or dlopen'ed); skipped
# where the loader does not report (not glibc).  A library hidden with FEYNN_DL_HIDE (as if not
# installed) gives an error naming it and the package to install, and a nonzero exit.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
src="${FY_TOP_SRCDIR:-..}"
tmp=test_startup.tmp
rm -rf "$tmp"; mkdir -p "$tmp"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# opened CMD...: runs CMD under LD_DEBUG=files; prints the optional libraries the loader opened
# (sorted, space-separated; empty for none); the exit status in $tmp/rc, stdout in $tmp/out.
opened() {
    LD_DEBUG=files "$@" >"$tmp/out" 2>"$tmp/ld"; echo $? >"$tmp/rc"
    grep -oE 'file=lib(plplot|gvc|cgraph|mpi)\.so[.0-9]*' "$tmp/ld" | sed 's/^file=//' |
        sed 's/\.so.*//' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# expect DESCRIPTION WANT CMD...: the optional libraries CMD opens are WANT, and it exits 0
expect() {
    desc=$1; want=$2; shift 2
    got=$(opened "$@")
    if [ "$(cat "$tmp/rc")" != 0 ]; then
        notok "$desc (exit $(cat "$tmp/rc"))"; grep -v '^ *[0-9]*:' "$tmp/ld" | sed 's/^/# /'
    elif [ "$got" = "$want" ]; then ok "$desc: opens '${want}'"
    else notok "$desc: opens '$got', want '$want'"; fi
}

echo "1..11"
opened "$feynn" version >/dev/null
if ! grep -q 'file=libflint' "$tmp/ld"; then
    # the check of the check: FLINT is linked, so a loader that reports lists it
    for i in 1 2 3 4 5 6 7 8; do skip "loaded objects" "the loader does not report (LD_DEBUG)"; done
else
    expect "feynn version" "" "$feynn" version
    expect "tiny feynn taylor" "" "$feynn" taylor "$src/examples/tiny_mlp.feynn" --order 2
    expect "feynn diagrams, text" "" "$feynn" diagrams mlp --hidden 2 --order 3
    expect "feynn diagrams, DOT" "libcgraph" "$feynn" diagrams mlp --hidden 2 --order 3 \
        --format dot
    if grep -q 'digraph' "$tmp/out"; then ok "the DOT text is written"
    else notok "the DOT text is written"; fi
    expect "feynn diagrams, TikZ" "libcgraph libgvc" "$feynn" diagrams mlp --hidden 2 --order 3 \
        --format tikz
    printf 'activation erf\nwidth 5\npoint 0.25\npoint 0.5\n' >"$tmp/erf.spec"
    expect "feynn nnft sample alone" "" env -u OMPI_COMM_WORLD_SIZE -u PMIX_RANK \
        -u PMI_SIZE -u PMI_RANK "$feynn" nnft sample "$tmp/erf.spec" --networks 200 --seed 3
    if ! "$feynn" version 2>/dev/null | grep -q "MPI yes"; then
        skip "mpirun -np 2 feynn nnft sample opens libmpi" "feynn built without MPI"
    elif ! command -v mpirun >/dev/null 2>&1; then
        skip "mpirun -np 2 feynn nnft sample opens libmpi" "no mpirun"
    else
        OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 \
            OMPI_MCA_rmaps_base_oversubscribe=1 ASAN_OPTIONS=detect_leaks=0 \
            timeout 120 mpirun -np 2 --oversubscribe -x LD_DEBUG=files -x ASAN_OPTIONS \
            "$feynn" nnft sample "$tmp/erf.spec" --networks 200 --seed 3 \
            >"$tmp/out" 2>"$tmp/ld"
        c=$(grep -cE 'file=libmpi\.so' "$tmp/ld")
        if [ "$c" -ge 2 ] && grep -q '2 rank(s)' "$tmp/out"; then
            ok "mpirun -np 2 feynn nnft sample: both ranks open libmpi"
        else notok "mpirun -np 2 feynn nnft sample: libmpi opened $c times"; fi
    fi
fi

# a missing back end: named, with the package, and a nonzero exit
FEYNN_DL_HIDE=libcgraph "$feynn" diagrams mlp --hidden 2 --order 3 --format dot \
    >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ "$rc" != 0 ] && grep -q 'libcgraph\.so' "$tmp/err" && grep -q 'libgraphviz-dev' "$tmp/err"
then ok "hidden cgraph: '$(head -n 1 "$tmp/err")'"
else notok "hidden cgraph: exit $rc"; sed 's/^/# /' "$tmp/err"; fi
if ! "$feynn" version 2>/dev/null | grep -q "MPI yes"; then
    skip "hidden libmpi under a launcher" "feynn built without MPI"
else
    FEYNN_MPI=1 FEYNN_DL_HIDE=libmpi "$feynn" nnft sample "$tmp/erf.spec" --networks 200 \
        >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ "$rc" != 0 ] && grep -q 'libmpi\.so' "$tmp/err" && grep -q 'libopenmpi-dev' "$tmp/err"
    then ok "hidden libmpi under a launcher: '$(head -n 1 "$tmp/err")'"
    else notok "hidden libmpi under a launcher: exit $rc"; sed 's/^/# /' "$tmp/err"; fi
fi
# the same run alone needs no MPI at all
if FEYNN_DL_HIDE=libmpi "$feynn" nnft sample "$tmp/erf.spec" --networks 200 >/dev/null 2>&1
then ok "hidden libmpi, run alone: runs"
else notok "hidden libmpi, run alone: runs"; fi
rm -rf "$tmp"
exit $fail
