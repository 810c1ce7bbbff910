#!/bin/sh
# Golden outputs (TAP; issue 9: "the same outputs as before for every command"): every case of
# tests/golden/cmd/cases is run from the top of the source tree and its standard output and
# exit status compared with tests/golden/cmd/out/NAME: byte for byte (mode exact), or for
# double results that may move with the CPU's libm or BLAS (mode num) word by word with every
# number within a relative 1e-10 (absolute 1e-15 for values that are rounding noise near 0).
# Paths of the source tree print as <top>.  A failure prints a unified diff (golden first, this
# build's output second).
#
# Regenerating: only when a change of output is intended.  Run
#     tests/golden/regen.sh BUILDDIR [NAME...]
# (all cases, or the named ones), look at `git diff tests/golden/cmd/out`, and say in the commit
# message which outputs changed and why.  `sh tests/test_golden.sh --regen [NAME...]` with
# FY_TOP_SRCDIR and FY_TOP_BUILDDIR set is what regen.sh runs.
top=$(cd "${FY_TOP_SRCDIR:-.}" && pwd)
feynn="$(cd "${FY_TOP_BUILDDIR:-.}" && pwd)/feynn"
g="$top/tests/golden/cmd"
unset FEYNN_RULES_PATH # the rules of the source tree, whatever the caller's environment
regen=0
if [ "${1:-}" = "--regen" ]; then regen=1; shift; fi
only=" $* "
w="$(pwd)/golden_t.dir"; rm -rf "$w"; mkdir -p "$w"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

# numdiff GOLDEN OUT: 0 when the two files have the same words and their numbers agree within
# the tolerance; otherwise 1 and the first differing line on stderr
numdiff() {
    awk -v rtol=1e-10 -v atol=1e-15 '
    function split_nums(s, nums,    k, re, t) {
        re = "[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?"
        k = 0; t = ""
        while (match(s, re)) {
            t = t substr(s, 1, RSTART - 1) "#"
            nums[++k] = substr(s, RSTART, RLENGTH)
            s = substr(s, RSTART + RLENGTH)
        }
        nums[0] = k
        return t s
    }
    function abs(x) { return x < 0 ? -x : x }
    FNR == NR { gold[FNR] = $0; ng = FNR; next }
    {
        nl = FNR
        if (FNR > ng) { printf "line %d: extra line %s\n", FNR, $0 > "/dev/stderr"; bad = 1; exit }
        delete a; delete b
        sa = split_nums(gold[FNR], a); sb = split_nums($0, b)
        if (sa != sb) { printf "line %d: words differ\n", FNR > "/dev/stderr"; bad = 1; exit }
        for (k = 1; k <= a[0]; k++) {
            if (a[k] == b[k]) continue
            x = a[k] + 0; y = b[k] + 0; m = abs(x) > abs(y) ? abs(x) : abs(y)
            if (abs(x - y) > rtol * m && abs(x - y) > atol) {
                printf "line %d: %s against %s\n", FNR, a[k], b[k] > "/dev/stderr"; bad = 1; exit
            }
        }
    }
    END { if (!bad && nl != ng) { printf "%d lines, golden %d\n", nl, ng > "/dev/stderr"; bad = 1 }
          exit bad }' "$1" "$2"
}

while read -r name mode want args; do
    case "$name" in ''|'#'*) continue ;; esac
    case "$only" in "  ") ;; *" $name "*) ;; *) continue ;; esac
    # the arguments are words of our own file (no quoting needed: see cases)
    # shellcheck disable=SC2086
    (cd "$top" && "$feynn" $args) >"$w/$name.raw" 2>"$w/$name.err" </dev/null
    st=$?
    # the source tree's place (rules list names its folders) printed as <top>
    sed "s|$top|<top>|g" "$w/$name.raw" >"$w/$name"
    if [ "$regen" = 1 ]; then
        if [ "$st" != "$want" ]; then
            no "$name: exit $st, the cases file says $want (not regenerated)"
            sed 's/^/# /' "$w/$name.err" | head -5
        else cp "$w/$name" "$g/out/$name"; ok "$name regenerated"; fi
        continue
    fi
    if [ ! -f "$g/out/$name" ]; then
        no "$name: no golden file out/$name (run tests/golden/regen.sh)"; continue; fi
    if [ "$st" != "$want" ]; then
        no "$name: exit status $st, golden $want"; sed 's/^/# /' "$w/$name.err" | head -5
        continue
    fi
    if cmp -s "$g/out/$name" "$w/$name"; then ok "$name ($mode)"; continue; fi
    if [ "$mode" = num ] && numdiff "$g/out/$name" "$w/$name" 2>"$w/$name.nd"; then
        ok "$name (num: within the tolerance)"; continue; fi
    no "$name ($mode): output differs from tests/golden/cmd/out/$name"
    [ -s "$w/$name.nd" ] && sed 's/^/# /' "$w/$name.nd"
    diff -u "$g/out/$name" "$w/$name" | head -40 | sed 's/^/# /'
    echo "# if this change of output is intended: tests/golden/regen.sh BUILDDIR $name, and say so"
    echo "# in the commit message (see tests/test_golden.sh)"
done <"$g/cases"
if [ "$n" = 0 ]; then no "no case run (names: $only)"; fi
echo "1..$n"
[ "$fail" = 0 ] && rm -rf "$w"
exit "$fail"
