#!/bin/sh
# Tests of `feynn inn` (TAP): help texts, exit codes and refusals, the printed polynomial
# against closed forms (an affine layer alone: S = -|W x + b|^2 / 2 + ln|det W| - (d/2) ln 2 pi;
# one coupling from the Gaussian root, MATH.md 3.3: S = -u0^2/2 - (u1 + g u0^2)^2 / 2), sign,
# convention, expansion point, JSON validity (tests/json_check; the schemas of doc/schema with
# python's jsonschema when it is installed), LaTeX and npy output, the diagrams of a layer,
# `inn info`, and --check (the Taylor-mode AD route) on the example models and on random
# networks made by awk from a printed seed.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
jc="${FY_TOP_BUILDDIR:-.}/tests/json_check"
top="${FY_TOP_SRCDIR:-.}"
seed="${FY_TEST_SEED:-$(date +%s)}"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' inn_cli.err | head -20; fail=1; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >inn_cli.out 2>inn_cli.err; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else bad "$desc (exit $got, want $want)"; fi
}
has() { # has FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then ok "$3"; else n=$((n + 1)); echo "not ok $n - $3"
        sed 's/^/# /' "$1" | head -20; fail=1; fi
}
hasnt() { # hasnt FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then n=$((n + 1)); echo "not ok $n - $3"
        sed 's/^/# /' "$1" | head -20; fail=1; else ok "$3"; fi
}
# line FILE COEFF MONOMIAL DESCRIPTION: the polynomial has the line "COEFF  MONOMIAL"
line() {
    if awk -v c="$2" -v m="$3" '{ x = $1; $1 = ""; sub(/^ +/, "") }
        x == c && $0 == m { f = 1 } END { exit !f }' "$1"; then ok "$4"
    else n=$((n + 1)); echo "not ok $n - $4 (want '$2  $3')"; sed 's/^/# /' "$1" | head -30
        fail=1; fi
}
# schema FILE SCHEMA DESCRIPTION: validation with python's jsonschema, skipped without it
have_jsonschema=0
if command -v python3 >/dev/null 2>&1 && python3 -c 'import jsonschema' 2>/dev/null; then
    have_jsonschema=1; fi
schema() {
    if [ "$have_jsonschema" = 0 ]; then skip "$3" "python3 jsonschema not installed"; return; fi
    if python3 - "$1" "$top/doc/schema" "$2" >inn_cli.err 2>&1 <<'EOF'
import json, os, sys
import jsonschema
doc, d, name = sys.argv[1], sys.argv[2], sys.argv[3]
store = {}
for f in os.listdir(d):
    if f.endswith(".json"):
        s = json.load(open(os.path.join(d, f)))
        store[s.get("$id", f)] = s
        store[f] = s
schema = store[name]
try:
    from referencing import Registry, Resource
    reg = Registry().with_resources([(k, Resource.from_contents(v)) for k, v in store.items()])
    v = jsonschema.Draft202012Validator(schema, registry=reg)
except ImportError:
    res = jsonschema.RefResolver(schema["$id"], schema, store=store)
    v = jsonschema.Draft202012Validator(schema, resolver=res)
errs = sorted(v.iter_errors(json.load(open(doc))), key=lambda e: list(e.path))
for e in errs[:5]:
    print(list(e.path), e.message)
sys.exit(1 if errs else 0)
EOF
    then ok "$3"; else bad "$3"; fi
}
# inn SEED D DEPTH BIAS > FILE: a random network in the text format with entries k/8 (affine
# layers near the identity so they stay invertible, couplings with random splits, elementwise
# layers with small gamma when DEPTH > 2); the uniforms from the library's generator
# (tests/rng_uniforms)
inn() {
    "${FY_TOP_BUILDDIR:-.}/tests/rng_uniforms" "$1" \
        $(($3 * ($2 * $2 * $2 + 2 * $2 * $2 + 2 * $2 + 2))) >inn_cli.u || return 1
    awk -v uf=inn_cli.u -v d="$2" -v depth="$3" -v bias="$4" '
    function u01() { if ((getline u < uf) <= 0) exit 1; return u + 0 }
    BEGIN {
      print "feynn-inn 1"; print "dim " d;
      for (l = 0; l < depth; l++) {
        kind = l % 3;
        if (kind == 0) {
          print "layer affine a" l; print "W";
          for (i = 0; i < d; i++) { row = "";
            for (j = 0; j < d; j++) row = row (j ? " " : "") (i == j ? 1 + int(u01() * 3) : (j > i ? int(u01() * 5 - 2) "/8" : 0));
            print row }
          if (bias) { row = "b"; for (i = 0; i < d; i++) row = row " " int(u01() * 5 - 2) "/8"; print row }
        } else if (kind == 1 || d < 2) {
          print "layer coupling c" l; na = 1 + int(u01() * (d - 1)); row = "A";
          for (i = 0; i < na; i++) row = row " " i; print row;
          for (b = na; b < d; b++) for (a = 0; a < na; a++) for (c = a; c < na; c++)
            print "G " b " " a " " c " " int(u01() * 7 - 3) "/8";
        } else {
          print "layer elementwise e" l; row = "gamma";
          for (i = 0; i < d; i++) row = row " " int(u01() * 5 - 2) "/16"; print row } } }'
}
echo "# seed $seed (set FY_TEST_SEED to replay)"
echo "1..126"

# ---- models with closed forms
cat > inn_cli_aff.feynn-inn <<'EOF'
feynn-inn 1
dim 2
layer affine scale
W
2 0
0 1/2
EOF
cat > inn_cli_aff3.feynn-inn <<'EOF'
feynn-inn 1
dim 2
layer affine scale
W
2 0
0 3
b 1 0
EOF
cat > inn_cli_coup.feynn-inn <<'EOF'
feynn-inn 1
dim 2
layer coupling quad
A 0
G 1 0 0 3/4
EOF
cat > inn_cli_elem.feynn-inn <<'EOF'
feynn-inn 1
dim 2
layer affine a
W
1 1/2
0 1
layer elementwise e
gamma 1/4 -1/8
EOF
aff=inn_cli_aff.feynn-inn; aff3=inn_cli_aff3.feynn-inn; coup=inn_cli_coup.feynn-inn
elem=inn_cli_elem.feynn-inn

# ---- help and usage
t 0 "inn --help" "$feynn" inn --help
has inn_cli.out "diagrams" "inn --help lists the commands"
t 2 "inn without a command" "$feynn" inn
t 2 "inn with an unknown command" "$feynn" inn frobnicate
t 0 "inn action --help" "$feynn" inn action --help
for o in --order --arith --digits --at --convention --sign --per-layer --check --tol \
         --normalizable --threshold --limit --format -o; do
    grep -q -- "^ *$o" inn_cli.out || { echo "# help lacks $o"; miss=1; }
done
if [ -z "$miss" ]; then ok "action help lists every option"; else bad "action help lists every option"; fi
t 0 "inn diagrams --help" "$feynn" inn diagrams --help
has inn_cli.out "--layer L" "diagrams help documents --layer"
t 0 "inn info --help" "$feynn" inn info --help
t 2 "no --order" "$feynn" inn action "$aff"
t 2 "no model" "$feynn" inn action --order 2
t 2 "bad --order" "$feynn" inn action "$aff" --order x
t 2 "unknown arithmetic" "$feynn" inn action "$aff" --order 2 --arith quad
t 2 "unknown format" "$feynn" inn action "$aff" --order 2 --format dot
t 2 "unknown option" "$feynn" inn action "$aff" --order 2 --frob
t 2 "--digits with exact" "$feynn" inn action "$aff" --order 2 --digits 5
t 2 "bad --convention" "$feynn" inn action "$aff" --order 2 --convention B
t 2 "bad --sign" "$feynn" inn action "$aff" --order 2 --sign x
t 2 "npy without -o" "$feynn" inn action "$aff" --order 2 --format npy
t 2 "missing model file" "$feynn" inn action inn_cli_missing.feynn-inn --order 2
printf 'feynn-inn 1\ndim 2\nlayer affine\nW\n1 2\n2 4\n' > inn_cli_sing.feynn-inn
t 2 "singular W refused" "$feynn" inn action inn_cli_sing.feynn-inn --order 2
printf 'this is not a model\n' > inn_cli_junk.feynn-inn
t 2 "garbage file refused" "$feynn" inn action inn_cli_junk.feynn-inn --order 2
t 2 "--at with the wrong count" "$feynn" inn action "$aff" --order 2 --at 1,2,3
t 2 "--order all with an elementwise layer" "$feynn" inn action "$elem" --order all
has inn_cli.err "series" "the refusal says the action is a series"
awk 'BEGIN { print "feynn-inn 1"; print "dim 40"; print "layer affine id"; print "W";
  for (i = 0; i < 40; i++) { r = ""; for (j = 0; j < 40; j++) r = r (j ? " " : "") (i == j);
  print r } }' > inn_cli_big.feynn-inn
t 2 "a request too large for memory is refused" "$feynn" inn action inn_cli_big.feynn-inn \
    --order 40 --arith ball
t 2 "diagrams: --layer out of range" "$feynn" inn diagrams "$coup" --layer 3 --order 2
t 2 "diagrams: no --layer" "$feynn" inn diagrams "$coup" --order 2
t 2 "info: no model" "$feynn" inn info

# ---- closed forms
t 0 "affine layer, exact" "$feynn" inn action "$aff" --order all
line inn_cli.out "-2" "x0^2" "affine: -|W x|^2/2 gives -2 x0^2"
line inn_cli.out "-1/8" "x1^2" "affine: and -1/8 x1^2"
has inn_cli.out "constant.*-ln(2 pi)" "affine: constant -ln(2 pi) (|det W| = 1, d = 2)"
t 0 "affine layer with a bias" "$feynn" inn action "$aff3" --order 2
line inn_cli.out "-2" "x0^2" "bias: -2 x0^2"
line inn_cli.out "-2" "x0" "bias: -2 x0 from (2 x0 + 1)^2"
line inn_cli.out "-9/2" "x1^2" "bias: -9/2 x1^2"
line inn_cli.out "-1/2" "1" "bias: the rational constant -1/2"
has inn_cli.out "ln(6) - ln(2 pi)" "bias: constant ln|det W| - ln(2 pi) = ln(6) - ln(2 pi)"
t 0 "one coupling, all orders" "$feynn" inn action "$coup" --order all
line inn_cli.out "-3/4" "x0^2 x1" "coupling: A^(3) = -Sym[G] gives -g x0^2 x1"
line inn_cli.out "-9/32" "x0^4" "coupling: A^(4) = -1/2 Sym[G G] gives -g^2/2 x0^4"
line inn_cli.out "-1/2" "x1^2" "coupling: the Gaussian -x1^2/2"
t 0 "one coupling, truncated at 3" "$feynn" inn action "$coup" --order 3
hasnt inn_cli.out "x0^4" "truncation at 3 drops x0^4"
t 0 "-ln p" "$feynn" inn action "$coup" --order all --sign -
line inn_cli.out "9/32" "x0^4" "--sign - flips the coefficients"
has inn_cli.out "constant.* ln(2 pi)" "--sign - flips the constant"
t 0 "threshold" "$feynn" inn action "$coup" --order all --threshold 0.6
hasnt inn_cli.out "x0^4" "--threshold 0.6 leaves out -9/32 x0^4"
line inn_cli.out "-3/4" "x0^2 x1" "--threshold keeps -3/4 x0^2 x1"
t 0 "limit" "$feynn" inn action "$coup" --order all --limit 1
has inn_cli.out "# 1 of 4 nonzero" "--limit 1 prints one of the four monomials"
t 0 "expansion point" "$feynn" inn action "$aff" --order 2 --at 1,0
line inn_cli.out "-4" "y0" "--at 1,0: -2 (y0 + 1)^2 has -4 y0"
line inn_cli.out "-2" "1" "--at 1,0: and the constant -2"
echo "1 0" > inn_cli_x0.txt
t 0 "expansion point from a file" "$feynn" inn action "$aff" --order 2 --at inn_cli_x0.txt
line inn_cli.out "-4" "y0" "--at FILE reads the point"
t 0 "ball with certified digits" "$feynn" inn action "$coup" --order all --arith ball --digits 30
has inn_cli.out "-0.28125000000000000000000000000" "ball: -9/32 to 30 certified digits"
t 0 "double" "$feynn" inn action "$coup" --order all --arith double
line inn_cli.out "-0.28125" "x0^4" "double: -9/32"

# ---- JSON
t 0 "json" "$feynn" inn action "$coup" --order all --format json -o inn_cli.json
t 0 "json valid" "$jc" inn_cli.json command='"inn action"' dim=2 order=4 degree=4 \
    complete=true arith='"exact"' result.total_monomials=4
schema inn_cli.json inn-action.schema.json "json follows inn-action.schema.json"
t 0 "gamma convention json" "$feynn" inn action "$coup" --order all --convention gamma \
    --format json -o inn_cli.json
t 0 "gamma: Gamma^(4)_0000 = 4! A = -27/4, the coefficient stays -9/32" "$jc" inn_cli.json \
    convention='"gamma"' result.monomials.0.monomial='"x0^2 x1"' \
    result.monomials.3.entry='"-27/4"' result.monomials.3.coefficient='"-9/32"'
t 0 "per-layer ball json" "$feynn" inn action "$elem" --order 3 --arith ball --per-layer \
    --format json -o inn_cli.json
t 0 "per-layer json has the layers" "$jc" inn_cli.json layers.2.kind='"latent"' \
    layers.1.kind='"elementwise"' layers.0.kind='"affine"'
t 0 "log-det radius min 1/(2|gamma_i|) = 2 at the image 0 of the origin" "$jc" inn_cli.json \
    logdet_radii.0.layer=1 logdet_radii.0.radius=2.0
schema inn_cli.json inn-action.schema.json "ball per-layer json follows the schema"

# ---- --check
t 0 "check, exact" "$feynn" inn action "$coup" --order all --check --format json -o inn_cli.json
# issue 10 item 18: with -o FILE the check's verdict is printed on standard output too
has inn_cli.out "^check: agrees (max relative difference" "check -o FILE: the verdict on stdout"
t 0 "check json: agrees, max_rel_diff" "$jc" inn_cli.json agrees=true max_rel_diff='#number'
schema inn_cli.json inn-action.schema.json "check json follows the schema"
t 0 "check, elementwise layer in balls" "$feynn" inn action "$elem" --order 4 --arith ball --check
has inn_cli.out "agrees" "ball check agrees"
t 0 "check, double" "$feynn" inn action "$elem" --order 4 --arith double --check
has inn_cli.out "converges for |h_i - h0_i| < 2 " "text reports the log-det radius"
# a disagreement: double results with thirds and sevenths round differently on the two routes,
# so an absurd tolerance must make --check fail (exit 1, "agrees": false in the JSON)
cat > inn_cli_dis.feynn-inn <<'EOF'
feynn-inn 1
dim 3
layer affine a
W
1 1/3 1/5
1/7 1 1/11
1/13 1/17 1
b 1/3 -1/7 1/9
layer coupling c
A 0 1
G 2 0 0 1/3
G 2 0 1 1/7
G 2 1 1 -1/5
EOF
t 1 "check disagreement exits 1" "$feynn" inn action inn_cli_dis.feynn-inn --order 4 \
    --arith double --check --tol 1e-300 --format json -o inn_cli.json
has inn_cli.out "^check: DISAGREES" "a disagreement with -o FILE is said on stdout"
t 0 "disagreement json: agrees false" "$jc" inn_cli.json agrees=false max_rel_diff='#number'
t 0 "the same within the default tolerance agrees" "$feynn" inn action inn_cli_dis.feynn-inn \
    --order 4 --arith double --check
for ex in "$top/examples/tiny_inn.feynn-inn" "$top/examples/tiny_inn.safetensors"; do
    if [ -f "$ex" ]; then
        for a in exact ball double; do
            t 0 "check $a on ${ex##*/}" "$feynn" inn action "$ex" --order 4 --arith "$a" \
                --check --format json -o inn_cli.json
            "$jc" inn_cli.json agrees=true >inn_cli.err 2>&1 && ok "${ex##*/} $a: agrees" \
                || bad "${ex##*/} $a: agrees"
        done
    else
        for a in exact ball double; do
            skip "check $a on ${ex##*/}" "no ${ex##*/}"; skip "${ex##*/} $a: agrees" "no file"
        done
    fi
done
for s in 1 2 3; do
    inn $((seed + s)) $((2 + s % 3)) $((2 + s)) $((s % 2)) > inn_cli_r$s.feynn-inn
    t 0 "random network $s (seed $((seed + s))): exact action agrees with the jet route" \
        "$feynn" inn action inn_cli_r$s.feynn-inn --order 4 --check
done

# ---- LaTeX and npy
t 0 "latex" "$feynn" inn action "$coup" --order all --format latex -o inn_cli.tex
has inn_cli.tex '\\begin{align\*}' "latex has an align* environment"
has inn_cli.tex '\\tfrac{9}{32}' "latex writes 9/32 as a tfrac"
has inn_cli.tex 'x_{0}^{4}' "latex monomial x_{0}^{4}"
has inn_cli.tex '\\ln(2\\pi)' "latex constant"
rm -rf inn_cli_npy
t 0 "npy" "$feynn" inn action "$coup" --order all --format npy -o inn_cli_npy
if [ -f inn_cli_npy/A4.npy ] && grep -q "'shape': (2, 2, 2, 2)" inn_cli_npy/A4.npy; then
    ok "npy: A4.npy of shape (2, 2, 2, 2)"; else bad "npy: A4.npy of shape (2, 2, 2, 2)"; fi
t 0 "npy metadata" "$jc" inn_cli_npy/metadata.json dim=2 order=4

# ---- diagrams of a layer
t 0 "diagrams of the coupling, order 4" "$feynn" inn diagrams "$coup" --layer 0 --order 4
has inn_cli.out "split *n=2" "order 4 has the two-split diagram"
line inn_cli.out "-9/32" "u0^4" "its contribution is -g^2/2 u0^4"
has inn_cli.out "add up to the coefficient of S_0: yes" "the terms add up to the coefficient"
t 0 "diagrams json" "$feynn" inn diagrams "$coup" --layer 0 --order 3 --format json \
    -o inn_cli.json
t 0 "diagrams json valid" "$jc" inn_cli.json command='"inn diagrams"' kind='"coupling"' \
    terms.0.kind='"split"' terms.0.monomials.0.coefficient='"-3/4"' sum_check.agrees=true
for a in ball double; do
    t 0 "diagrams of every order of tiny_inn, $a: the terms add up" "$feynn" inn diagrams \
        "$top/examples/tiny_inn.feynn-inn" --layer 1 --order 4 --all-orders --arith $a \
        --format json -o inn_cli.json
    "$jc" inn_cli.json sum_check.agrees=true >inn_cli.err 2>&1 && ok "$a: sum_check agrees" \
        || bad "$a: sum_check agrees"
done
schema inn_cli.json inn-diagrams.schema.json "diagrams json follows inn-diagrams.schema.json"
t 0 "diagrams of an elementwise layer" "$feynn" inn diagrams "$elem" --layer 1 --order 2
has inn_cli.out "logdet" "elementwise: a log-det vertex"
t 0 "diagrams as dot" "$feynn" inn diagrams "$coup" --layer 0 --order 4 --format dot
has inn_cli.out "graph" "dot output"

# ---- info
t 0 "info" "$feynn" inn info "$aff3"
has inn_cli.out "|det W| = 6" "info: |det W| = 6"
t 0 "info json" "$feynn" inn info "$coup" --format json -o inn_cli.json
t 0 "info json valid" "$jc" inn_cli.json dim=2 action_degree=4 couplings=1 \
    layers.0.degree_input=4 layers.0.degree_output=2
schema inn_cli.json inn-info.schema.json "info json follows inn-info.schema.json"

rm -rf inn_cli.out inn_cli.err inn_cli.json inn_cli.tex inn_cli_npy inn_cli_*.feynn-inn \
    inn_cli_x0.txt inn_cli.u
exit $fail
