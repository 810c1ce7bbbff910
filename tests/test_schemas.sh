#!/bin/sh
# Every JSON output of feynn against its schema in doc/schema (TAP).  Each schema is first
# checked to be a valid JSON Schema (draft 2020-12); then each command below is run and its
# output validated with python's jsonschema (tests/schema_check.py); finally every schema in
# doc/schema must have been used by at least one case here, so a new JSON output cannot ship
# without its schema being tested.  Skipped (77) only where no python3 with jsonschema exists
# (quickstart.sh installs python3-jsonschema).
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
top="${FY_TOP_SRCDIR:-.}"
sd="$top/doc/schema"
ex="$top/examples"
py=
for p in ${FEYNN_PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import jsonschema' 2>/dev/null; then
        py=$p; break; fi
done
if [ -z "$py" ]; then echo "1..0 # SKIP no python3 with jsonschema"; exit 77; fi
n=0; fail=0
w=schemas_t.dir; rm -rf "$w"; mkdir -p "$w"
used="$w/used"; : >"$used"
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$w/err" | head -20; fail=1; }
# case SCHEMA DESCRIPTION CMD... : the command's standard output (or, after -o FILE in CMD,
# that file: name it $w/out.json) must validate
case_() {
    schema=$1; desc=$2; shift 2
    echo "$schema" >>"$used"
    rm -f "$w/out.json"
    "$@" >"$w/stdout" 2>"$w/err"; st=$?
    [ -f "$w/out.json" ] || cp "$w/stdout" "$w/out.json"
    if [ "$st" -gt 1 ]; then no "$desc (exit $st)"; return; fi
    if "$py" "$top/tests/schema_check.py" "$sd" "$schema" "$w/out.json" 2>"$w/err"; then
        ok "$desc"; else no "$desc: $schema"; fi
}

if "$py" "$top/tests/schema_check.py" "$sd" --meta 2>"$w/err"; then ok "every schema is a valid JSON Schema"
else no "every schema is a valid JSON Schema"; fi

printf '# square well\n-1\n' >"$w/pot.txt"
printf 'activation relu\nsigma_b 0\nwidth 20\npoint 0.5\npoint 1\npoint 2\n' >"$w/relu.spec"
printf 'activation erf\nwidth 4\nsigma_W 1\nsigma_b 1/2\npoint 1\npoint -1\n' >"$w/erf.spec"

case_ born-a0.schema.json "born a0" "$feynn" born a0 --potential "$w/pot.txt" --format json
case_ born-terms.schema.json "born terms" "$feynn" born terms --potential "$w/pot.txt" --order 4 \
    --format json
# the one JSON ball {"mid", "rad"} (doc/schema/*: $defs/ball; io/json_num.h): a non-finite ball
# (no lambda binds a repulsive step: lambda1 has mid and rad "inf") validates, the old string
# form "[mid +/- rad]" does not, and every schema that has a ball defines it the same way
printf '1\n' >"$w/rep.txt"
case_ born-a0.schema.json "born a0, lambda1 infinite" "$feynn" born a0 --potential "$w/rep.txt" \
    --format json
if grep -q '"lambda1": {' "$w/out.json" && grep -q '"mid": "inf"' "$w/out.json"; then
    ok "lambda1 of a repulsive step is the ball {inf, inf}"
else echo "lambda1 not written as {\"mid\": \"inf\", ...}" >"$w/err"; no "lambda1 infinite"; fi
"$py" -c 'import json, sys
d = json.load(open(sys.argv[1])); b = d["radius"]
d["radius"] = "[%s +/- %s]" % (b["mid"], b["rad"]); json.dump(d, open(sys.argv[2], "w"))' \
    "$w/out.json" "$w/old.json" 2>"$w/err"
if "$py" "$top/tests/schema_check.py" "$sd" born-a0.schema.json "$w/old.json" 2>"$w/err"; then
    echo "the string \"[mid +/- rad]\" passed as a ball" >"$w/err"; no "old ball string refused"
else ok "the old ball string \"[mid +/- rad]\" is refused"; fi
if "$py" - "$sd" >"$w/err" 2>&1 <<'EOF_PY'
import json, os, sys
d = sys.argv[1]; defs = {}
for n in sorted(os.listdir(d)):
    text = open(os.path.join(d, n)).read()
    if "#/$defs/ball" in text or "+/-" in text:
        defs[n] = json.loads(text).get("$defs", {}).get("ball")
bad = [n for n, b in defs.items() if b is None or b != defs.get("taylor.schema.json")]
print("schemas with a ball not the shared $defs/ball:", bad) if bad else None
sys.exit(1 if bad or len(defs) < 13 else 0)
EOF_PY
then ok "every schema with a ball has the one \$defs/ball"; else no "one \$defs/ball"; fi
case_ born-terms.schema.json "born terms, tensors" "$feynn" born terms --steps 2 --order 2 \
    --format json
case_ born-verify.schema.json "born verify" "$feynn" born verify "$ex/born_pytorch.safetensors" \
    --order 2 --heldout 20 --format json -o "$w/out.json"
case_ diagrams.schema.json "diagrams mlp" "$feynn" diagrams mlp --hidden 2 --order 3 --format json
case_ diagrams.schema.json "diagrams phi4" "$feynn" diagrams phi4 --points 4 --vertices 4:1 \
    --format json
case_ diagrams.schema.json "diagrams --count" "$feynn" diagrams vacuum --vertices 4:2 --count \
    --format json
case_ inn-action.schema.json "inn action" "$feynn" inn action "$ex/tiny_inn.feynn-inn" \
    --order all --format json
case_ inn-action.schema.json "inn action --check, balls" "$feynn" inn action \
    "$ex/tiny_inn.feynn-inn" --order 3 --arith ball --check --format json
case_ inn-diagrams.schema.json "inn diagrams" "$feynn" inn diagrams "$ex/tiny_inn.feynn-inn" \
    --layer 0 --order 3 --format json
case_ inn-info.schema.json "inn info" "$feynn" inn info "$ex/tiny_inn.feynn-inn" --format json
# a cubic layer's diagrams: legs split in two and in three (n3; inn-diag, issue 12)
printf 'feynn-inn 1\ndim 2\nlayer affine\nW\n1 1/2\n0 3/2\nb 1/4 -1/2\n' >"$w/cubic.inn"
printf 'layer cubic\ngamma 1/5 1/10\nlayer coupling\nA 0\nB 1\nG 1 0 0 1/3\n' >>"$w/cubic.inn"
case_ inn-diagrams.schema.json "inn diagrams, cubic layer" "$feynn" inn diagrams "$w/cubic.inn" \
    --layer 1 --order 5 --all-orders --format json
case_ model-info.schema.json "model info" "$feynn" model info --format json "$ex/tiny_mlp.feynn"
case_ model-info.schema.json "model info, npy folder" "$feynn" model info --format json \
    "$ex/tiny_mlp_npy"
echo nnft-spec.schema.json >>"$used" # the "spec" member of every nnft output refers to it
case_ nnft-kernel.schema.json "nnft kernel" "$feynn" nnft kernel "$w/erf.spec" --format json
case_ nnft-kernel.schema.json "nnft kernel --quad" "$feynn" nnft kernel "$w/erf.spec" --quad \
    --format json
case_ nnft-correlators.schema.json "nnft correlators" "$feynn" nnft correlators "$w/relu.spec" \
    --n 4,6 --format json
case_ nnft-sample.schema.json "nnft sample" "$feynn" nnft sample "$w/relu.spec" --networks 1000 \
    --exact --format json
case_ nnft-sample-scan.schema.json "nnft sample --widths (par)" "$feynn" nnft sample \
    "$w/relu.spec" --widths 2,5 --networks 1000 --exact --format json
case_ nnft-couplings.schema.json "nnft couplings" "$feynn" nnft couplings "$w/relu.spec" \
    --templates local,nonlocal --scan 10,100 --format json
case_ nnft-couplings.schema.json "nnft couplings, Monte Carlo" "$feynn" nnft couplings \
    "$w/relu.spec" --mc --networks 1000 --format json
case_ nnft-predict.schema.json "nnft predict" "$feynn" nnft predict --hms-relu --format json
case_ nnft-spectrum.schema.json "nnft spectrum" "$feynn" nnft spectrum "$ex/nnqft_free2.spec" \
    --np 5 --nx 5 --mc 2000 --format json
case_ nnft-spectrum.schema.json "nnft spectrum, ball" "$feynn" nnft spectrum \
    "$ex/nnqft_free1.spec" --np 4 --nx 3 --digits 6 --format json
case_ nnft-duality.schema.json "nnft duality" "$feynn" nnft duality "$ex/nnqft_duality.spec" \
    --format json
case_ nnft-spectrum.schema.json "nnft spectrum --rho" "$feynn" nnft spectrum \
    "$ex/nnqft_free2.spec" --np 3 --nx 5 --rho 0 --format json
case_ nnft-spectrum.schema.json "nnft spectrum --rho, ball" "$feynn" nnft spectrum \
    "$ex/nnqft_free1.spec" --np 3 --nx 3 --digits 6 --rho 0,1 --format json
# qft3: a user-given density and F, and a deeper g (the spec object gains g, g_act, ..)
case_ nnft-spectrum.schema.json "nnft spectrum, user P and F" "$feynn" nnft spectrum \
    "$ex/nnqft_user.spec" --np 4 --nx 3 --digits 6 --mc 1000 --format json
case_ nnft-spectrum.schema.json "nnft spectrum, deeper g" "$feynn" nnft spectrum \
    "$ex/nnqft_deep.spec" --np 4 --nx 3 --digits 6 --mc 1000 --format json
case_ nnft-rp.schema.json "nnft rp, spectral" "$feynn" nnft rp "$ex/nnqft_free2.spec" \
    --n-points 4 --format json
# qft14: the sampler and symmetry --mc on user layers and a deeper g, rho of a user layer
case_ nnft-sample.schema.json "nnft sample, deeper g" "$feynn" nnft sample "$ex/nnqft_deep.spec" \
    --networks 1000 --exact --format json
case_ nnft-sample.schema.json "nnft sample, user P and F" "$feynn" nnft sample \
    "$ex/nnqft_user.spec" --networks 1000 --exact --format json
case_ nnft-symmetry.schema.json "nnft symmetry --mc, user P and F" "$feynn" nnft symmetry \
    "$ex/nnqft_user.spec" --mc 200 --format json
case_ nnft-spectrum.schema.json "nnft spectrum --rho, user P and F" "$feynn" nnft spectrum \
    "$ex/nnqft_user.spec" --np 3 --nx 3 --digits 6 --rho 0 --format json
# the checks on any ensemble (qft-checks)
printf 'activation cos\nsigma_b 0\nwidth 3\ninputs unit-d1\n' >"$w/cos.spec"
case_ nnft-rp.schema.json "nnft rp" "$feynn" nnft rp "$w/cos.spec" --n-points 4 --format json
case_ nnft-rp.schema.json "nnft rp --kernel free" "$feynn" nnft rp --kernel free --d 3 \
    --n-points 5 --format json
case_ nnft-symmetry.schema.json "nnft symmetry" "$feynn" nnft symmetry "$w/cos.spec" \
    --connected --format json
case_ nnft-symmetry.schema.json "nnft symmetry --mc" "$feynn" nnft symmetry "$w/relu.spec" \
    --mc 200 --format json
case_ nnft-os.schema.json "nnft os" "$feynn" nnft os "$w/relu.spec" --format json
case_ nnft-ib.schema.json "nnft ib" "$feynn" nnft ib "$w/cos.spec" --eps 0,1/2 --widths 2,20 \
    --format json
case_ nnft-ib.schema.json "nnft ib --mc" "$feynn" nnft ib "$w/erf.spec" --mc 1000 --eps 1/2 \
    --widths 2 --tuple 0,0,1,1 --format json
case_ rules-list.schema.json "rules list" "$feynn" rules list --format json
case_ rules-show.schema.json "rules show tanh" "$feynn" rules show tanh --order 4 --format json
case_ rules-show.schema.json "rules show relu" "$feynn" rules show relu --format json
case_ taylor.schema.json "taylor, double" "$feynn" taylor "$ex/tiny_mlp.feynn" --order 3 \
    --format json
case_ taylor.schema.json "taylor, balls" "$feynn" taylor "$ex/tiny_mlp.feynn" --order 2 \
    --arith ball:96 --format json
case_ taylor.schema.json "taylor --check" "$feynn" taylor "$ex/tiny_mlp.feynn" --order 2 --check \
    --format json
# the demos write report.json into their folder (quick runs)
case_ demo.schema.json "demo --quick report.json" sh -c \
    "'$feynn' demo --quick --quiet -o '$w/demo' >/dev/null && cp '$w/demo/report.json' '$w/out.json'"
case_ demo-nnft.schema.json "demo nnft report.json" sh -c \
    "'$feynn' demo nnft --widths 2,5 --networks 2000 --quiet -o '$w/demo_nnft' >/dev/null; cp '$w/demo_nnft/report.json' '$w/out.json'"

# the INN learning loop: samples of a small ring theory, a model trained on them, the
# comparison with the true action, and the experiment's report
printf 'lattice ring 2\nkinetic 1/2\nm2 1\ng3 1/2\nlam 1\n' >"$w/ring.theory"
"$feynn" inn sample "$w/ring.theory" --samples 500 --chains 2 --seed 3 \
    -o "$w/ring.safetensors" >/dev/null 2>&1
case_ inn-train.schema.json "inn train" "$feynn" inn train "$w/ring.safetensors" \
    -o "$w/ring_model.safetensors" --couplings 1 --epochs 2 --lbfgs 20 --quiet --format json
case_ inn-train.schema.json "inn train --plan kaca --moments" "$feynn" inn train \
    "$w/ring.safetensors" -o "$w/ring_model_k.safetensors" --plan kaca --epochs 0 --lbfgs 5 \
    --moments --quiet --format json
case_ inn-train.schema.json "inn train --plan aca --moments" "$feynn" inn train \
    "$w/ring.safetensors" -o "$w/ring_model_m.safetensors" --plan aca --epochs 0 --lbfgs 5 \
    --moments --quiet --format json
case_ inn-compare.schema.json "inn compare" "$feynn" inn compare "$w/ring_model.safetensors" \
    "$w/ring.theory" --samples "$w/ring.safetensors" --format json
case_ demo-inn.schema.json "demo inn --quick report.json" sh -c \
    "'$feynn' demo inn --quick --quiet -o '$w/demo_inn' >/dev/null; cp '$w/demo_inn/report.json' '$w/out.json'"
# the Born demo over seeds (tiny, untrained: exit 1 by design; only the summary's form is checked)
case_ demo-seeds.schema.json "demo --seeds seeds.json" sh -c \
    "'$feynn' demo --quick --quiet --seeds 3,4 --samples 20 --heldout 5 --epochs1 0 --lbfgs1 0 --epochs2 0 --lbfgs2 0 -o '$w/demo_seeds' >/dev/null; cp '$w/demo_seeds/seeds.json' '$w/out.json'"

for s in "$sd"/*.schema.json; do
    b=$(basename "$s")
    if grep -qx "$b" "$used"; then ok "$b is tested"; else
        echo "no case in tests/test_schemas.sh uses $b" >"$w/err"; no "$b is tested"; fi
done
echo "1..$n"
[ "$fail" = 0 ] && rm -rf "$w"
exit "$fail"
