#!/bin/sh
# Tests of `feynn diagrams` (TAP): JSON keys and the oracle, exit statuses, -o DIR, and the
# counting tables of MATH.md 1.5 (independent data, typed in from the note) through --count.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
# sanitizer builds: fontconfig (loaded by Graphviz's text layout) keeps its cache to the end
LSAN_OPTIONS="suppressions=${FY_TOP_SRCDIR:-..}/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
tmp=test_diagrams.tmp
rm -rf "$tmp"; mkdir -p "$tmp"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else
        notok "$desc (exit $got, want $want)"; sed 's/^/# /' "$tmp/err"; fi
}
# json_get KEY FILE: the value of a top-level scalar key of the pretty-printed JSON summary.
json_get() { sed -n "s/^  \"$1\": \(.*\)$/\1/p" "$2" | sed 's/,$//; s/^"//; s/"$//' | head -n 1; }
check() { # check DESCRIPTION COMMAND-STRING (evaluated)
    if eval "$2"; then ok "$1"; else notok "$1"; fi
}

echo "1..63"

# --- help and usage errors (exit 2)
t 0 "diagrams --help" "$feynn" diagrams --help
check "help documents every option" \
  'for o in --order --hidden --labelled --unlabelled --layers --kmin --kmax --logdet --points \
     --vertices --loops --connected --no-vacuum --1pi --no-tadpoles --no-self-loops \
     --no-factorial --format --output --count --help; do grep -q -- "$o" "$tmp/out" || exit 1; done'
t 0 "help diagrams" "$feynn" help diagrams
t 2 "missing theory" "$feynn" diagrams
t 2 "unknown theory" "$feynn" diagrams phi7
t 2 "unknown option" "$feynn" diagrams mlp --frobnicate
t 2 "bad --order" "$feynn" diagrams mlp --order zero
t 2 "bad --format" "$feynn" diagrams mlp --format npy
t 2 "malformed --vertices" "$feynn" diagrams phi4 --vertices 4:x
t 2 "Feynman options refused for mlp" "$feynn" diagrams mlp --points 2
t 2 "vacuum needs --vertices" "$feynn" diagrams vacuum
t 2 "--count with -o" "$feynn" diagrams mlp --count -o "$tmp/x"

# --- JSON summary: keys, exact rationals, agreement
t 0 "mlp H=3 n=4 json" "$feynn" diagrams mlp --hidden 3 --order 4 --count --format json
cp "$tmp/out" "$tmp/mlp.json"
check "json has diagrams, weighted_sum, oracle, agrees" \
  'for k in diagrams weighted_sum oracle agrees; do grep -q "^  \"$k\": " "$tmp/mlp.json" || exit 1; done'
check "mlp H=3 n=4: 14 diagrams (MATH.md 1.5)" '[ "$(json_get diagrams "$tmp/mlp.json")" = 14 ]'
check "mlp H=3 n=4: weighted sum 60 = N(4,3)" '[ "$(json_get weighted_sum "$tmp/mlp.json")" = 60 ]'
check "weighted_sum and oracle are strings" 'grep -q "^  \"oracle\": \"60\"" "$tmp/mlp.json"'
check "agrees is true" '[ "$(json_get agrees "$tmp/mlp.json")" = true ]'
if command -v python3 >/dev/null 2>&1; then
    check "json parses (python3)" 'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d[\"diagrams\"], int)" "$tmp/mlp.json"'
else
    ok "json parses # SKIP python3 not installed"
fi

t 0 "vacuum 4:2 json" "$feynn" diagrams vacuum --vertices 4:2 --format json --count
# Two quartic vertices, no points: the graphs are the figure-eight pair (1/128), the
# "watermelon" (1/48) and the dumbbell (1/16), with the oracle's [g^2] Z = 35/384.
check "vacuum 4:2 agrees" '[ "$(json_get agrees "$tmp/out")" = true ]'
check "vacuum 4:2: 3 graphs, sum of 1/|Aut| = 35/384" \
  '[ "$(json_get diagrams "$tmp/out")" = 3 ] && [ "$(json_get weighted_sum "$tmp/out")" = 35/384 ]'
check "vacuum 4:2 weighted sum = oracle" \
  '[ "$(json_get weighted_sum "$tmp/out")" = "$(json_get oracle "$tmp/out")" ]'
t 0 "phi4 4 points 4:2 1 loop connected" \
  "$feynn" diagrams phi4 --points 4 --vertices 4:2 --loops 1 --connected --format json
check "phi4 G4 one loop agrees" '[ "$(json_get agrees "$tmp/out")" = true ]'
check "phi4 list has expressions" 'grep -q "\"expression\": \"int dy1 dy2" "$tmp/out"'
t 0 "phi4 2 points, one vertex (tadpole)" "$feynn" diagrams phi4 --points 2 --vertices 4:1 --connected --count
check "tadpole: 1 diagram, 1/2" 'grep -q "1 diagrams" "$tmp/out" && grep -q "sum of 1/|Aut|): 1/2" "$tmp/out"'
t 0 "1PI: no oracle, still exit 0" "$feynn" diagrams phi4 --points 2 --vertices 4:2 --1pi --format json --count
check "1PI: oracle null" 'grep -q "^  \"oracle\": null" "$tmp/out"'

# --- MATH.md 1.5: unlabelled layered diagrams and N(n,H), via --count
for case in "2 1 1 1" "2 3 3 5" "2 4 5 15" "2 6 11 203" "3 2 3 3" "3 3 6 12" "3 5 27 358" \
            "3 6 58 2471"; do
    set -- $case
    "$feynn" diagrams mlp --hidden "$1" --order "$2" --count --format json >"$tmp/c" 2>"$tmp/err"
    st=$?
    if [ $st = 0 ] && [ "$(json_get diagrams "$tmp/c")" = "$3" ] &&
       [ "$(json_get weighted_sum "$tmp/c")" = "$4" ] && [ "$(json_get agrees "$tmp/c")" = true ]
    then ok "MATH.md 1.5 H=$1 n=$2: $3 diagrams, N = $4"
    else notok "MATH.md 1.5 H=$1 n=$2: want $3 diagrams, N = $4 (exit $st)"; cat "$tmp/c" | sed 's/^/# /'; fi
done
t 0 "labelled trees H=2 n=4 (Bell 15)" "$feynn" diagrams mlp --hidden 2 --order 4 --labelled --count --format json
check "labelled: 15 diagrams" '[ "$(json_get diagrams "$tmp/out")" = 15 ]'

# --- text table, other theories
t 0 "mlp text table" "$feynn" diagrams mlp --hidden 1 --order 2
check "order-2 expression of MATH.md 1.3" \
  'grep -q "D^(2,1)_{1a} sigma'"''"'_1(z_a) D^(1,0)_{ai} D^(1,0)_{aj}" "$tmp/out"'
t 0 "born order 3" "$feynn" diagrams born --order 3 --count
t 0 "inn order 4 chain of 2" "$feynn" diagrams inn --order 4 --layers 2 --count

# --- -o DIR: one file per diagram plus the index; dot renders each
t 0 "mlp -o DIR --format dot" "$feynn" diagrams mlp --hidden 2 --order 4 --format dot -o "$tmp/figs"
check "-o DIR: 5 diagram files (MATH.md 1.5: H=2, n=4)" \
  '[ "$(ls "$tmp/figs" | grep -c "^diagram-[0-9]*\.dot$")" = 5 ]'
check "-o DIR: index.txt and index.json" '[ -s "$tmp/figs/index.txt" ] && [ -s "$tmp/figs/index.json" ]'
check "index.json lists the files" '[ "$(grep -c "\"file\": \"diagram-" "$tmp/figs/index.json")" = 5 ]'
if command -v dot >/dev/null 2>&1; then
    check "dot -Tpdf renders every emitted file" \
      'for f in "$tmp"/figs/diagram-*.dot; do dot -Tpdf -o "$tmp/x.pdf" "$f" || exit 1; done'
else
    ok "dot -Tpdf renders every emitted file # SKIP dot (Graphviz) not installed"
fi
t 0 "phi4 -o DIR --format tikz" "$feynn" diagrams phi4 --points 2 --vertices 4:2 --connected --format tikz -o "$tmp/tikz"
if command -v pdflatex >/dev/null 2>&1; then
    check "pdflatex compiles the latex document" \
      '"$feynn" diagrams mlp --hidden 2 --order 3 --format latex >"$tmp/doc.tex" &&
       (cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error doc.tex >/dev/null 2>&1)'
else
    ok "pdflatex compiles the latex document # SKIP pdflatex not installed (apt-get install texlive-latex-base texlive-pictures)"
fi

check "index.txt reports the oracle's agreement" 'grep -q "(agrees)" "$tmp/figs/index.txt"'

# --- issue 10 item 7: --count needs no listing.  Under a memory limit the listing is refused
# (naming the limit's option and variable), --count is not: it counts without listing, and
# its numbers are those of the full listing without the limit (counted here from its rows)
t 2 "a listing above --memory-limit is refused" "$feynn" --memory-limit 1M diagrams mlp \
  --order 9 --hidden 4
check "the refusal names --memory-limit and FEYNN_MEMORY_LIMIT" \
  'grep -q -- "--memory-limit SIZE or FEYNN_MEMORY_LIMIT" "$tmp/err"'
t 0 "--count under the same limit is not refused" "$feynn" --memory-limit 1M diagrams mlp \
  --order 9 --hidden 4 --count
cp "$tmp/out" "$tmp/count"
t 0 "the listing without the limit" "$feynn" diagrams mlp --order 9 --hidden 4
check "--count's numbers are the listing's (diagrams, weighted sum, oracle)" \
  'rows=$(grep -c "^[0-9]" "$tmp/out") && [ "$rows" -gt 400 ] \
   && grep -q "^# mlp: $rows diagrams" "$tmp/count" \
   && [ "$(sed -n "s/^# weighted sum ([^:]*): //p" "$tmp/out")" = \
        "$(sed -n "s/^# weighted sum ([^:]*): //p" "$tmp/count")" ] \
   && grep -q "^# oracle: .*(agrees)" "$tmp/count"'
# the same for INN chains: counted by Polya counting, the weighted sum from the series
t 2 "an inn listing above --memory-limit is refused" "$feynn" --memory-limit 1M diagrams inn \
  --order 12 --layers 3
t 0 "inn --count under the same limit is not refused" "$feynn" --memory-limit 1M diagrams inn \
  --order 12 --layers 3 --count
cp "$tmp/out" "$tmp/count"
t 0 "the inn listing without the limit" "$feynn" diagrams inn --order 12 --layers 3
check "inn --count's numbers are the listing's (diagrams, weighted sum)" \
  'rows=$(grep -c "^[0-9]" "$tmp/out") && [ "$rows" -gt 1000 ] \
   && grep -q "^# inn: $rows diagrams" "$tmp/count" \
   && [ "$(sed -n "s/^# weighted sum ([^:]*): //p" "$tmp/out")" = \
        "$(sed -n "s/^# weighted sum (.*): //p" "$tmp/count")" ]'

# --- the text table's columns stay in line when a shape is longer than the default width: the
# |Aut| column ends at the same place in the header and in every row (shapes of 30 characters)
t 0 "phi4 4 points, 4:2 connected (long shapes)" "$feynn" diagrams phi4 --points 4 \
  --vertices 4:2 --connected
check "the |Aut| column ends at the same place in every row" \
  'end=$(awk "/^id /{print index(\$0, \"|Aut|\") + 4; exit}" "$tmp/out") \
   && [ -n "$end" ] && grep -q "^[0-9]* *y1(x1 y1 y2) y2(x2 x3 x4 y1)" "$tmp/out" \
   && awk -v e="$end" "/^[0-9]/ { if (substr(\$0, e, 1) !~ /[0-9]/ || substr(\$0, e + 1, 1) != \" \") bad = 1 } END { exit bad }" "$tmp/out"'

rm -rf "$tmp"
exit $fail
