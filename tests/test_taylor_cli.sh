#!/bin/sh
# Tests of `feynn taylor` (TAP): exit codes, JSON validity (tests/json_check, jansson), the
# .npy header and size, exact/ball/symbolic modes, certified digits, and --check (diagrams,
# fused recursion and Taylor-mode AD in all three arithmetics) on random networks of depth up
# to 5 and order up to 5.  The random models are made by awk from a printed seed.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
check="${FY_TOP_BUILDDIR:-.}/tests/json_check"
top="${FY_TOP_SRCDIR:-.}"
ex="$top/examples/tiny_mlp.safetensors"
seed="${FY_TEST_SEED:-$(date +%s)}"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' taylor_cli.err | head -20; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >taylor_cli.out 2>taylor_cli.err; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else bad "$desc (exit $got, want $want)"; fi
}
has() { # has FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then ok "$3"; else n=$((n + 1)); echo "not ok $n - $3"
        sed 's/^/# /' "$1" | head -20; fail=1; fi
}
# model SEED BIAS W0 W1 ... > FILE: tanh MLP in the text format, weights k/16, biases k/32 or 0
# (the uniforms from the library's generator: tests/rng_uniforms)
model() {
    s=$1; b=$2; shift 2
    nu=0; p=""; for x in "$@"; do [ -n "$p" ] && nu=$((nu + p * x + x)); p=$x; done
    "${FY_TOP_BUILDDIR:-.}/tests/rng_uniforms" "$s" "$nu" >taylor_cli.u || return 1
    awk -v uf=taylor_cli.u -v bias="$b" -v widths="$*" '
    function u01() { if ((getline u < uf) <= 0) exit 1; return u + 0 }
    BEGIN {
      nw = split(widths, w, " ");
      print "feynn-model 1"; print "input " w[1]; print "activation tanh";
      for (l = 2; l <= nw; l++) {
        print "layer " w[l];
        for (a = 1; a <= w[l]; a++) { line = "";
          for (c = 1; c <= w[l-1]; c++) line = line (c > 1 ? " " : "") int(u01() * 33 - 16) "/16";
          print line }
        line = "bias"; for (a = 1; a <= w[l]; a++) line = line " " (bias ? int(u01() * 9 - 4) "/32" : "0");
        print line } }'
}
echo "# seed $seed (set FY_TEST_SEED to replay)"
echo "1..83"
t 0 "--help" "$feynn" taylor --help
has taylor_cli.out "--format F" "help documents --format"
t 2 "no --order is a usage error" "$feynn" taylor "$ex"
t 2 "unknown arithmetic" "$feynn" taylor "$ex" --order 2 --arith quad
t 2 "--entry with the wrong count" "$feynn" taylor "$ex" --order 3 --entry 0,1
t 2 "--entry index out of range" "$feynn" taylor "$ex" --order 2 --entry 0,7
t 2 "--per-diagram without an entry" "$feynn" taylor "$ex" --order 2 --per-diagram
t 2 "missing model file" "$feynn" taylor taylor_cli_missing.st --order 2
t 2 "exact arithmetic refused at irrational vertex values" "$feynn" taylor "$ex" --order 2 \
    --arith exact
has taylor_cli.err "ball arithmetic" "the refusal advises ball arithmetic"
t 0 "order-3 tensor, text" "$feynn" taylor "$ex" --order 3
has taylor_cli.out "^2 2 2: " "text: last entry of the order-3 tensor"
t 0 "order-3 tensor, json" "$feynn" taylor "$ex" --order 3 --format json -o taylor_cli.json
t 0 "json valid" "$check" taylor_cli.json command='"taylor"' order=3 arith='"double"' \
    mode='"tensor"' dim=3 entries=?
t 0 "ball json" "$feynn" taylor "$ex" --order 2 --arith ball:96 --format json -o taylor_cli.json
t 0 "ball json valid" "$check" taylor_cli.json arith='"ball"' prec=96 entries=?
has taylor_cli.json '"mid": "' "ball json has midpoints"
t 0 "npy output" "$feynn" taylor "$ex" --order 3 --format npy -o taylor_cli.npy
has taylor_cli.npy "NUMPY" "npy magic"
has taylor_cli.npy "'shape': (3, 3, 3)" "npy shape (d,)*N"
has taylor_cli.npy "'descr': '<f8'" "npy float64"
sz=$(wc -c < taylor_cli.npy)
if [ $((sz - 27 * 8)) -gt 0 ] && [ $(( (sz - 27 * 8) % 64 )) -eq 0 ]; then ok "npy size"
else n=$((n + 1)); echo "not ok $n - npy size $sz"; fail=1; fi
t 0 "npy of a direction" "$feynn" taylor "$ex" --order 4 --direction "$top/tests/golden/taylor_v3.txt" \
    --format npy -o taylor_cli.npy
has taylor_cli.npy "'shape': (5,)" "npy coefficients shape (N+1,)"
model 11 0 2 3 3 1 > taylor_cli_m0.feynn
model 12 1 3 4 4 1 > taylor_cli_m1.feynn
t 0 "exact tensor at zero biases" "$feynn" taylor taylor_cli_m0.feynn --order 3 --arith exact
has taylor_cli.out "^1 1 1: -*[0-9]*/[0-9]*$\|^1 1 1: -*[0-9]*$" "exact entries are rationals"
t 0 "exact to npy" "$feynn" taylor taylor_cli_m0.feynn --order 3 --arith exact --format npy \
    -o taylor_cli.npy
has taylor_cli.err "nearest doubles" "exact to npy says it rounds"
t 0 "exact json" "$feynn" taylor taylor_cli_m0.feynn --order 3 --arith exact --format json \
    -o taylor_cli.json
t 0 "exact json valid" "$check" taylor_cli.json arith='"exact"'
t 0 "symbolic" "$feynn" taylor taylor_cli_m0.feynn --order 2 --arith symbolic
has taylor_cli.out "s_{2,0,2}" "symbolic output has vertex symbols"
t 0 "symbolic json" "$feynn" taylor taylor_cli_m0.feynn --order 2 --arith symbolic --format json \
    -o taylor_cli.json
t 0 "symbolic json valid" "$check" taylor_cli.json arith='"symbolic"'
t 0 "certified digits" "$feynn" taylor taylor_cli_m1.feynn --order 3 --entry 0,1,2 --arith ball \
    --digits 60
has taylor_cli.out "= -*0*\.*[0-9]\{55\}" "60 digits printed"
t 0 "per-diagram" "$feynn" taylor taylor_cli_m1.feynn --order 3 --entry 0,1,1 --per-diagram
has taylor_cli.out "|Aut|" "per-diagram lists diagrams"
t 0 "check, json" "$feynn" taylor taylor_cli_m1.feynn --order 3 --check --format json \
    -o taylor_cli.json
t 0 "check json valid" "$check" taylor_cli.json check=?
has taylor_cli.json '"agree": true' "check json says agree"
t 1 "check catches a double that cannot meet --tol 0" "$feynn" taylor taylor_cli_m1.feynn \
    --order 3 --check --tol 0
has taylor_cli.out "DISAGREE" "the report names the disagreement"
t 2 "tensors above order 10 need --direction" "$feynn" taylor "$ex" --order 11 --check
# the issue's exact case: zero-bias tanh 8-16-16-16-1 to order 4, printed in full; tanh is odd,
# so every even derivative at 0 vanishes (330 zero entries), and order 3 agrees on every route
model 7 0 8 16 16 16 1 > taylor_cli_m8.feynn
t 0 "exact order-4 tensor of 8-16-16-16-1" "$feynn" taylor taylor_cli_m8.feynn --order 4 \
    --arith exact
if [ "$(grep -c '^[0-7] [0-7] [0-7] [0-7]: 0$' taylor_cli.out)" = 330 ]; then
    ok "330 entries, all 0 (an odd network's even derivatives)"
else n=$((n + 1)); echo "not ok $n - order-4 entries of an odd network"; fail=1; fi
t 0 "exact order 3 of 8-16-16-16-1 agrees on every route" "$feynn" taylor taylor_cli_m8.feynn \
    --order 3 --arith exact --check
# the definition of done: --check on random networks, depth up to 5, order up to 5, all arithmetics
i=0; bad_check=0
for depth in 2 3 4 5; do
    for order in 1 3 5; do
        i=$((i + 1)); s=$((seed + i))
        case $depth in 2) w="2 3 1";; 3) w="2 3 2 1";; 4) w="2 2 3 2 1";; 5) w="2 2 2 2 2 1";; esac
        model $s 0 $w > taylor_cli_r0.feynn
        model $s 1 $w > taylor_cli_r1.feynn
        for ar in exact ball double; do
            f=taylor_cli_r1.feynn; [ $ar = exact ] && f=taylor_cli_r0.feynn
            "$feynn" taylor $f --order $order --arith $ar --check >taylor_cli.out 2>taylor_cli.err
            rc=$?
            if [ $rc != 0 ]; then bad_check=1
                echo "# depth $depth order $order $ar seed $s: exit $rc"
                sed 's/^/# /' taylor_cli.out taylor_cli.err | tail -12; fi
            "$feynn" taylor $f --order $order --arith $ar --check --entry \
                "$(seq -s, 0 $((order - 1)) | sed 's/[0-9]*/1/g; s/^1/0/')" \
                >taylor_cli.out 2>taylor_cli.err || { bad_check=1; echo "# entry $ar $s"; }
        done
    done
done
if [ $bad_check = 0 ]; then ok "--check agrees on random networks (depth <= 5, order <= 5)"
else n=$((n + 1)); echo "not ok $n - --check on random networks"; fail=1; fi
# issue 10, item 2: double arithmetic never prints NaN/inf with status 0.  One tanh neuron
# (bias 1/2, so no coefficient vanishes) to order 200 along v = 1: sigma^(k)(1/2) passes 1e292
# near k = 164, yet the coefficients c_k (about 1e-40) are finite; double must agree with the
# ball coefficients (the reference) within 1e-10 relative, entry by entry, for every kind of
# activation (closure, antiderivative, cycle, Hermite); what still overflows (the diagram
# route with unscaled vertex values) is refused with status 2, naming --arith ball.
for act in tanh sigmoid softplus sin erf; do
    printf 'feynn-model 1\ninput 1\nactivation %s\nlayer 1\n1\nbias 1/2\nlayer 1\n1\nbias 0\n' \
        "$act" > taylor_cli_n1.feynn
    echo 1 > taylor_cli_v1.txt
    "$feynn" taylor taylor_cli_n1.feynn --order 200 --direction taylor_cli_v1.txt \
        >taylor_cli.out 2>taylor_cli.err; st=$?
    "$feynn" taylor taylor_cli_n1.feynn --order 200 --direction taylor_cli_v1.txt --arith ball \
        >taylor_cli_b.out 2>>taylor_cli.err; stb=$?
    if [ $st = 0 ] && [ $stb = 0 ] && ! grep -qi 'nan\|inf' taylor_cli.out && awk '
        FNR == NR { if ($1 ~ /^c_/) b[$1] = $3; next }
        $1 ~ /^c_/ { m++; if (!($1 in b) || b[$1] ~ /[[]/) bad = 1
                     e = $3 - b[$1]; y = b[$1] + 0; if (e < 0) e = -e; if (y < 0) y = -y
                     if (e > 1e-10 * y + 1e-300) bad = 1 }
        END { exit bad || m != 201 }' taylor_cli_b.out taylor_cli.out
    then ok "$act: order-200 direction in double is finite and matches ball"
    else bad "$act: order-200 direction in double (exit $st) against ball (exit $stb)"; fi
done
printf 'feynn-model 1\ninput 1\nactivation tanh\nlayer 1\n1\nbias 1/2\nlayer 1\n1\nbias 0\n' \
    > taylor_cli_n1.feynn
t 2 "order-200 per-diagram in double overflows: refused" "$feynn" taylor taylor_cli_n1.feynn \
    --order 200 --direction taylor_cli_v1.txt --per-diagram
has taylor_cli.err "overflowed.*--arith ball" "the refusal names the overflow and --arith ball"
t 0 "order-200 --check in double skips the overflowing route" "$feynn" taylor \
    taylor_cli_n1.feynn --order 200 --direction taylor_cli_v1.txt --check
if ! grep -q '^c_200 = ' taylor_cli.out || grep -qi '^c_[0-9]* = .*\(nan\|inf\)' taylor_cli.out
then bad "no NaN/inf printed with status 0"
else ok "no NaN/inf printed with status 0"; fi
# issue 10, item 1: a printed ball contains the exact value.  d/dx tanh at 1/2 is
# sech^2(1/2) = 0.786447732965927410149698...; every ball JSON entry (tensor, direction; 64, 128
# and 300 bits; default and --digits 30) read as exact decimals [mid - rad, mid + rad] must
# contain the reference, computed here by python3's decimal module at 80 digits (not by feynn).
printf 'feynn-model 1\ninput 1\nactivation tanh\nlayer 1\n1\nbias 0\nlayer 1\n1\nbias 0\n' \
    > taylor_cli_s1.feynn
echo 1/2 > taylor_cli_at.txt
echo 1 > taylor_cli_v1.txt
if command -v python3 >/dev/null 2>&1; then
    for args in "--arith ball:64" "--arith ball" "--arith ball:300" "--arith ball --digits 30" \
                "--direction taylor_cli_v1.txt --arith ball:64" \
                "--direction taylor_cli_v1.txt --arith ball --digits 25"; do
        # shellcheck disable=SC2086
        "$feynn" taylor taylor_cli_s1.feynn --order 1 --at taylor_cli_at.txt $args \
            --format json -o taylor_cli.json 2>taylor_cli.err
        if python3 - taylor_cli.json >taylor_cli.err 2>&1 <<'PY'
import json, sys
from decimal import Decimal, getcontext
getcontext().prec = 80
e = Decimal(1) / 2
ref = 4 / (e.exp() + (-e).exp()) ** 2           # sech^2(1/2), error ~1e-79
doc = json.load(open(sys.argv[1]))
vals = [x["value"] for x in doc["entries"]] if "entries" in doc else doc["coefficients"][1:2]
assert vals, "no values"
for v in vals:
    mid, rad = Decimal(v["mid"]), Decimal(v["rad"])
    slack = Decimal("1e-70")
    if not (mid - rad + slack <= ref <= mid + rad - slack):
        sys.exit("[%s +/- %s] misses %s" % (v["mid"], v["rad"], ref))
    if rad > Decimal("1e-15"):
        sys.exit("rad %s is wider than needed" % v["rad"])
PY
        then ok "ball JSON ($args) contains sech^2(1/2)"
        else bad "ball JSON ($args) contains sech^2(1/2)"; fi
    done
else
    for i in 1 2 3 4 5 6; do n=$((n + 1)); echo "ok $n # SKIP python3 not found"; done
fi
# issue 10, item 8: non-ASCII input is named (code point, what to type), not shown as '???'
printf 'feynn-model 1\ninput 1\nactivation tanh\nlayer 1\n\342\210\2221\nbias 0\n' \
    > taylor_cli_u.feynn
t 2 "a U+2212 minus in a model is refused" "$feynn" taylor taylor_cli_u.feynn --order 1
has taylor_cli.err "U+2212, MINUS SIGN; type '-' instead" "the refusal names U+2212 and says '-'"
printf '\357\273\277feynn-model 1\ninput 1\n' > taylor_cli_u.feynn
t 2 "a byte-order mark is refused" "$feynn" taylor taylor_cli_u.feynn --order 1
has taylor_cli.err "U+FEFF, a UTF-8 byte-order mark" "the refusal names the byte-order mark"
printf '\342\210\2221\n' > taylor_cli_at.txt
t 2 "a U+2212 minus in an --at file is refused" "$feynn" taylor taylor_cli_s1.feynn --order 1 \
    --at taylor_cli_at.txt
has taylor_cli.err "U+2212, MINUS SIGN" "the --at refusal names U+2212"
# issue 10, item 9: messages that say what is wrong
t 2 "--arith ball:abc refused" "$feynn" taylor taylor_cli_s1.feynn --order 1 --arith ball:abc
has taylor_cli.err "BITS a number of bits" "the refusal says the precision is not a number"
printf '\n  1x2\n' > taylor_cli_at.txt
t 2 "a bad token in an --at file" "$feynn" taylor taylor_cli_s1.feynn --order 1 \
    --at taylor_cli_at.txt
has taylor_cli.err "taylor_cli_at.txt:2:3: " "the refusal names file:line:column"
# a dense npy that cannot be written is refused before any work (200 inputs, order 4:
# 1.6e9 entries, 12.8 GB), naming the size and what to ask instead; no file is left
model 13 1 200 1 1 > taylor_cli_big.feynn
rm -f taylor_cli_big.npy
t 2 "npy too large: refused up front" "$feynn" taylor taylor_cli_big.feynn --order 4 \
    --format npy -o taylor_cli_big.npy
has taylor_cli.err "nothing was computed.*--format json" "the refusal says what to ask instead"
if [ -e taylor_cli_big.npy ]; then bad "no npy file after the refusal"; else ok "no npy file after the refusal"; fi
rm -f taylor_cli_big.feynn taylor_cli_big.npy
# issue 10 item 18: --check's verdict is printed on standard output when -o sends the data to
# a file (text and JSON; the file keeps it too)
for f in text json; do
    t 0 "--check -o FILE ($f)" "$feynn" taylor "$ex" --order 3 --check --format $f \
        -o taylor_cli.json
    has taylor_cli.out "^# check: .*all agree" "--check -o FILE ($f): the verdict on standard output"
done
has taylor_cli.json '"check"' "--check -o FILE: the verdict in the file too"
# binary formats never go to a terminal: --format npy to standard output on a terminal (a
# pseudo-terminal from util-linux script) is refused before any work; -o FILE is fine there
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "'$feynn' taylor '$ex' --order 2 --format npy" /dev/null \
        >taylor_cli.out 2>&1 </dev/null; st=$?
    if [ $st = 2 ] && grep -q "binary data, which is not shown on a terminal; give -o FILE" \
        taylor_cli.out && ! grep -q NUMPY taylor_cli.out
    then ok "npy to a terminal: refused, nothing written"
    else cp taylor_cli.out taylor_cli.err; bad "npy to a terminal: refused (exit $st)"; fi
    script -qec "'$feynn' taylor '$ex' --order 2 --format npy -o taylor_cli.npy" /dev/null \
        >taylor_cli.out 2>&1 </dev/null; st=$?
    if [ $st = 0 ] && [ -s taylor_cli.npy ]; then ok "npy -o FILE from a terminal"
    else cp taylor_cli.out taylor_cli.err; bad "npy -o FILE from a terminal (exit $st)"; fi
else
    for i in 1 2; do n=$((n + 1)); echo "ok $n # SKIP script (util-linux) not usable"; done
fi
rm -f taylor_cli.out taylor_cli.err taylor_cli.json taylor_cli.npy taylor_cli_m0.feynn \
    taylor_cli_m1.feynn taylor_cli_m8.feynn taylor_cli_r0.feynn taylor_cli_r1.feynn \
    taylor_cli_n1.feynn taylor_cli_v1.txt taylor_cli_b.out taylor_cli_s1.feynn \
    taylor_cli_at.txt taylor_cli_u.feynn taylor_cli.u
exit $fail
