#!/bin/sh
# Tests of `feynn inn train` (TAP): help and refusals with exit codes (no data, missing and
# unreadable files, a 1-D array, a 4-D array, NaN in the data named by row and column, a
# singular covariance, a bad plan), a run on the draws of `feynn inn sample` whose model
# `feynn inn action` reads, the JSON report (tests/json_check; doc/schema/inn-train.schema.json
# when python3 has jsonschema), and models bit-identical for
# 1 and 2 threads.  Fixed seeds.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
jc="${FY_TOP_BUILDDIR:-.}/tests/json_check"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' inn_train.err | head -20; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >inn_train.out 2>inn_train.err; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else bad "$desc (exit $got, want $want)"; fi
}
has() { # has FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then ok "$3"; else n=$((n + 1)); echo "not ok $n - $3"
        sed 's/^/# /' "$1" | head -20; fail=1; fi
}
# npy FILE SHAPE BYTES: a little-endian f8 .npy (version 1.0, 128-byte header) of the given
# shape whose data are the printf-escaped BYTES.
npy() {
    { printf '\223NUMPY\001\000\166\000'
      printf '%-117s\n' "{'descr': '<f8', 'fortran_order': False, 'shape': $2, }"
      printf "$3"; } >"$1"
}
one='\000\000\000\000\000\000\360\077'      # 1.0
two='\000\000\000\000\000\000\000\100'      # 2.0
mone='\000\000\000\000\000\000\360\277'     # -1.0
half='\000\000\000\000\000\000\340\077'     # 0.5
nan='\000\000\000\000\000\000\370\177'      # NaN

npy inn_train_1d.npy '(3,)' "$one$two$mone"
npy inn_train_4d.npy '(1, 1, 1, 2)' "$one$two"
npy inn_train_nan.npy '(4, 2)' "$one$two$mone$half$two$nan$half$one"
npy inn_train_sing.npy '(4, 2)' "$one$two$two$two$half$two$mone$two"
printf 'not a data file\n' >inn_train_garbage.dat
printf 'lattice ring 2\nkinetic 1/2\nm2 1\ng3 1/2\nlam 1\n' >inn_train_r.theory

t 0 "help" "$feynn" inn train --help
has inn_train.out "--couplings" "help lists --couplings"
t 0 "inn help" "$feynn" inn --help
has inn_train.out "train" "inn help lists train"
t 2 "no data" "$feynn" inn train -o inn_train_m.safetensors
t 2 "no output" "$feynn" inn train inn_train_1d.npy
t 2 "unknown option" "$feynn" inn train inn_train_1d.npy -o x.safetensors --bogus
t 2 "bad learning rate" "$feynn" inn train inn_train_1d.npy -o x.safetensors --lr 0
t 2 "missing file" "$feynn" inn train inn_train_nonexistent.npy -o x.safetensors
t 2 "garbage file" "$feynn" inn train inn_train_garbage.dat -o x.safetensors
has inn_train.err "inn_train_garbage.dat" "the error names the file"
t 2 "1-D array" "$feynn" inn train inn_train_1d.npy -o x.safetensors
has inn_train.err "inn_train_1d.npy: the data array has 1 dimension" "1-D refused with the shape"
t 2 "4-D array" "$feynn" inn train inn_train_4d.npy -o x.safetensors
has inn_train.err "4 dimensions" "4-D refused"
t 2 "NaN in the data" "$feynn" inn train inn_train_nan.npy -o x.safetensors --val 0
has inn_train.err "inn_train_nan.npy: the data hold nan at row 2, column 1" \
    "NaN named by file, row and column"
t 2 "singular covariance" "$feynn" inn train inn_train_sing.npy -o x.safetensors --val 0
has inn_train.err "singular" "a constant column: singular covariance"
t 2 "bad plan" "$feynn" inn train inn_train_sing.npy -o x.safetensors --plan acx
has inn_train.err "letter 3 is 'x'" "the bad letter named"
if [ -e x.safetensors ]; then n=$((n + 1)); echo "not ok $n - no model after a refusal"
    fail=1; else ok "no model after a refusal"; fi

t 0 "sample" "$feynn" inn sample inn_train_r.theory --samples 500 --chains 2 --seed 4 \
    -o inn_train_d.safetensors
t 0 "train" "$feynn" inn train inn_train_d.safetensors -o inn_train_m1.safetensors \
    --couplings 1 --epochs 2 --lbfgs 40 --threads 1 --quiet
has inn_train.out "1000 rows x 2 columns" "the report counts the rows"
t 0 "action reads the model" "$feynn" inn action inn_train_m1.safetensors --order 3 \
    --arith double --check
t 0 "train, 2 threads" "$feynn" inn train inn_train_d.safetensors -o inn_train_m2.safetensors \
    --couplings 1 --epochs 2 --lbfgs 40 --threads 2 --quiet --format json
if cmp -s inn_train_m1.safetensors inn_train_m2.safetensors; then
    ok "models identical for 1 and 2 threads"
else n=$((n + 1)); echo "not ok $n - models identical for 1 and 2 threads"; fail=1; fi
mv inn_train.out inn_train.json
t 0 "json valid" "$jc" inn_train.json command='"inn train"' d=2 n_train=900 n_val=100 \
    best_val_nll='#number' curve.0.train_nll='#number'
schema="${FY_TOP_SRCDIR:-.}/doc/schema/inn-train.schema.json"
if python3 -c 'import jsonschema' 2>/dev/null; then
    t 0 "json follows doc/schema/inn-train.schema.json" python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
        "$schema" inn_train.json
else ok "# SKIP no python3 with jsonschema"; fi
t 0 "text model" "$feynn" inn train inn_train_d.safetensors -o inn_train_m.inn \
    --couplings 1 --epochs 1 --lbfgs 5 --quiet
has inn_train_m.inn "feynn-inn 1" "the text format for .inn"

# --moments: L-BFGS on points matching the data's moments gives the per-row route's loss (the
# plan aca qualifies: its likelihood is a polynomial of degree 4 in the data); an elementwise
# layer does not qualify, and the rows are used (said in the JSON)
t 0 "L-BFGS on the rows" "$feynn" inn train inn_train_d.safetensors -o inn_train_r.safetensors \
    --plan aca --epochs 0 --lbfgs 30 --quiet --format json
cp inn_train.out inn_train_rows.json
t 0 "L-BFGS on the moments" "$feynn" inn train inn_train_d.safetensors \
    -o inn_train_mo.safetensors --plan aca --epochs 0 --lbfgs 30 --moments --quiet --format json
if python3 - inn_train_rows.json inn_train.out <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert not a["moments_used"] and b["moments_used"]
for k in ("initial_train_nll", "final_train_nll", "best_val_nll"):
    assert abs(a[k] - b[k]) <= 1e-9 * abs(a[k]), (k, a[k], b[k])
PY
then ok "--moments: the same NLL as the rows to 1e-9, moments_used true"
else n=$((n + 1)); echo "not ok $n - --moments: the same NLL as the rows"; fail=1; fi
t 0 "--moments with an elementwise layer" "$feynn" inn train inn_train_d.safetensors \
    -o inn_train_mo.safetensors --plan aea --epochs 0 --lbfgs 3 --moments --quiet --format json
has inn_train.out '"moments_used": false' "an elementwise plan trains on the rows"
# --symmetries THEORY: every row and its images under the lattice's shifts (a 2-site ring: the
# identity and the swap), counted as such in both reports; a theory of other size refused
printf 'lattice ring 3\nm2 1\n' >inn_train_r3.theory
t 0 "--symmetries" "$feynn" inn train inn_train_d.safetensors -o inn_train_s.safetensors \
    --plan aca --epochs 0 --lbfgs 5 --symmetries inn_train_r.theory --quiet
has inn_train.out "1000 rows x 2 columns with 2 images each" "the text report counts the images"
t 0 "--symmetries, json" "$feynn" inn train inn_train_d.safetensors -o inn_train_s.safetensors \
    --plan aca --epochs 0 --lbfgs 5 --symmetries inn_train_r.theory --quiet --format json
mv inn_train.out inn_train_s.json
t 0 "json: images 2, 1800 + 200 training and validation images" "$jc" inn_train_s.json \
    images=2 n_train=1800 n_val=200
t 2 "--symmetries of a 3-site theory on 2 columns" "$feynn" inn train inn_train_d.safetensors \
    -o inn_train_s.safetensors --symmetries inn_train_r3.theory --quiet
has inn_train.err "inn_train_r3.theory has 3 sites but inn_train_d.safetensors has 2 columns" \
    "the mismatch named with both files"
t 2 "--symmetries of a missing theory" "$feynn" inn train inn_train_d.safetensors \
    -o inn_train_s.safetensors --symmetries inn_train_none.theory --quiet
has inn_train.err "inn_train_none.theory" "the missing theory named"
rm -f inn_train_*.npy inn_train_r.safetensors inn_train_s.safetensors inn_train_r3.theory \
    inn_train_s.json inn_train_mo.safetensors inn_train_rows.json inn_train_garbage.dat inn_train_r.theory inn_train_d.safetensors \
    inn_train_m1.safetensors inn_train_m2.safetensors inn_train_m.inn inn_train.json \
    inn_train.out inn_train.err
echo "1..$n"
exit $fail
