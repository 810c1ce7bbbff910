#!/bin/sh
# Tests of `feynn born` (TAP): the JSON keys `terms` and `a0`, the square-well values, the
# bound-state refusal, parser messages with file:line:column, and the data generator.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
jc="${FY_TOP_BUILDDIR:-.}/tests/json_check"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' born_cli.err; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >born_cli.out 2>born_cli.err; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else no "$desc (exit $got, want $want)"; fi
}
has() { # has FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then ok "$3"; else no "$3 (no '$2' in $1)"; sed 's/^/# /' "$1" | head -20; fi
}
echo "1..78"
printf '# square well\n-1\n' >born_cli_pot.txt
t 0 "born --help" "$feynn" born --help
has born_cli.out "diagrams born" "help names the ladder diagrams command"
t 0 "terms json" "$feynn" born terms --potential born_cli_pot.txt --order 4 --format json
has born_cli.out '"terms": \[' "json has key terms"
has born_cli.out '"-17/315"' "third term -17/315"
has born_cli.out '"-62/2835"' "fourth term -62/2835"
has born_cli.out '"convention"' "json has key convention"
t 0 "a0 json" "$feynn" born a0 --potential born_cli_pot.txt --digits 16 --format json
has born_cli.out '"a0": "-0.5574077246549022"' "a0 = 1 - tan 1 to 16 digits"
t 0 "a0 40 digits" "$feynn" born a0 --potential born_cli_pot.txt --digits 40
has born_cli.out '^a0 = -0.5574077246549022305069748074583601730873' "a0 to 40 digits"
printf 'range 1\n-3\n' >born_cli_pot.txt
# issue 10 item 18: the Born-series verdict is stated once, in the report (not again on
# standard error); with -o FILE the report goes to the file and the verdict to standard output
once() { # once FILE PATTERN DESCRIPTION: exactly one line of FILE, and nothing on stderr
    if [ "$(grep -c -- "$2" "$1")" = 1 ] && [ ! -s born_cli.err ]; then ok "$3"
    else no "$3"; sed 's/^/# /' "$1" | head -20; fi
}
t 1 "bound state refused with --check" "$feynn" born terms --potential born_cli_pot.txt --order 3 --check
once born_cli.out "no Born-series claim: bound state(s): 1" "terms: the report names the bound state, once"
t 1 "a0 --check with a bound state" "$feynn" born a0 --potential born_cli_pot.txt --check
once born_cli.out "^Born series: no claim: bound state(s): 1" "a0: the verdict once, nowhere else"
t 1 "a0 --check -o FILE" "$feynn" born a0 --potential born_cli_pot.txt --check -o born_cli_a0.txt
once born_cli.out "^Born series: no claim: bound state(s): 1" "a0 -o: the verdict on standard output"
has born_cli_a0.txt "^Born series: no claim: bound state(s): 1" "a0 -o: and in the report"
t 0 "terms -o FILE" "$feynn" born terms --potential born_cli_pot.txt --order 2 -o born_cli_a0.txt
once born_cli.out "^Born series: no claim: bound state(s): 1" "terms -o: the verdict on standard output"
rm -f born_cli_a0.txt
# issue 10 item 12: the documented exponent limit of the potential format (doc/potential-format.md)
printf '%s\n' '-1e-5' '-1e100001' >born_cli_bad.txt
t 2 "an exponent beyond the documented limit" "$feynn" born a0 --potential born_cli_bad.txt
has born_cli.err "born_cli_bad.txt:2:.*exponent beyond +-100000" "the refusal names file:line and the limit"
printf '%s\n' '-1' '-1 2/0' >born_cli_bad.txt
t 2 "malformed potential" "$feynn" born a0 --potential born_cli_bad.txt
has born_cli.err "born_cli_bad.txt:2:6:" "error names file:line:column"
t 0 "tensors" "$feynn" born terms --steps 2 --order 2 --format json
has born_cli.out '"tensors"' "tensors in json"
t 2 "unknown sub-command" "$feynn" born frobnicate
t 0 "data safetensors" "$feynn" born data -n 10 --steps 3 --seed 7 --quiet -o born_cli_data.safetensors
t 0 "data again" "$feynn" born data -n 10 --steps 3 --seed 7 --quiet -o born_cli_data2.safetensors
if [ ! -s born_cli.err ]; then ok "data --quiet: nothing on stderr"; else no "data --quiet: nothing on stderr"; fi
t 0 "data without --quiet" "$feynn" born data -n 10 --steps 3 --seed 7 -o born_cli_data3.safetensors
if grep -q "wrote 10 samples" born_cli.err; then ok "data without --quiet says what it wrote"; else no "data without --quiet says what it wrote"; fi
if cmp -s born_cli_data.safetensors born_cli_data2.safetensors; then ok "data reproducible by seed"; else no "data reproducible by seed"; fi
t 0 "ladder diagrams: feynn diagrams born" "$feynn" diagrams born --order 3
printf -- '-1\n' >born_cli_pot.txt
"$feynn" born terms --potential born_cli_pot.txt --order 4 --format json >born_cli.json 2>born_cli.err
if "$jc" born_cli.json 'terms=["-1/3","-2/15","-17/315","-62/2835"]' 2>>born_cli.err; then
    ok "terms json validates"; else no "terms json validates"; fi
"$feynn" born a0 --potential born_cli_pot.txt --format json >born_cli.json 2>born_cli.err
if "$jc" born_cli.json 'a0="-0.5574077246549022"' born_series_converges=true bound_states=0 2>>born_cli.err; then
    ok "a0 json validates"; else no "a0 json validates"; fi
t 0 "opposite sign" "$feynn" born a0 --potential born_cli_pot.txt --opposite-sign
has born_cli.out "^a0 = 0.5574077246549022" "opposite sign flips a0"
# every help text ends with a newline
bad=""
for c in "" terms a0 data train verify; do
    last=$("$feynn" born $c --help 2>/dev/null | tail -c 1 | od -An -c | tr -d ' ')
    [ "$last" = '\n' ] || bad="$bad born${c:+ $c}"
done
last=$("$feynn" demo --help 2>/dev/null | tail -c 1 | od -An -c | tr -d ' ')
[ "$last" = '\n' ] || bad="$bad demo"
if [ -z "$bad" ]; then ok "help texts end with a newline"; else no "help without final newline:$bad"; fi
# issue 10, item 9: nothing to train is refused (no model written); a too-wide layer is named
t 2 "born train --epochs 0 refused" "$feynn" born train born_cli_data.safetensors --epochs 0 \
    --quiet -o born_cli_m.safetensors
has born_cli.err "trains nothing" "the refusal says --epochs 0 trains nothing"
if [ -e born_cli_m.safetensors ]; then no "no model written"; else ok "no model written"; fi
t 2 "born train --hidden 100000000 refused" "$feynn" born train born_cli_data.safetensors \
    --hidden 100000000 --quiet -o born_cli_m.safetensors
has born_cli.err "above the largest layer width" "the refusal names the width limit"
t 2 "born train --hidden 1000000,1000000 refused before allocating" "$feynn" born train \
    born_cli_data.safetensors --hidden 1000000,1000000 --quiet -o born_cli_m.safetensors
has born_cli.err "parameters needs about .* above the memory limit" "the refusal names the memory"
# issue 10, item 9: born verify says what it assumed of a model without Born metadata and
# refuses one that cannot map step heights to a_0
printf 'feynn-model 1\ninput 3\nactivation tanh\nlayer 2\n1 0 0\n0 1 0\nbias 0 0\n' \
    > born_cli_m.feynn
printf 'layer 2\n1 0\n0 1\nbias 0 0\n' >> born_cli_m.feynn
t 2 "born verify refuses a model with 2 outputs" "$feynn" born verify born_cli_m.feynn \
    --heldout 0
has born_cli.err "has 2 outputs" "the refusal names the outputs"
printf 'feynn-model 1\ninput 3\nactivation tanh\nlayer 1\n1 1 1\nbias 0\n' > born_cli_m.feynn
printf 'layer 1\n1\nbias 0\n' >> born_cli_m.feynn
t 0 "born verify of a model without metadata" "$feynn" born verify born_cli_m.feynn --heldout 0 \
    --identity 0
has born_cli.err "carries no Born metadata.*range assumed" "a note says what was assumed"
# issue 10, item 5: everything born data writes, born train and born verify --data read; the
# same data in every format give the same trained model, byte for byte, and the same report
rm -rf born_cli_fmt_npy
for f in safetensors npy text; do
    t 0 "born data --format $f" "$feynn" born data -n 40 --steps 2 --seed 11 --quiet \
        --format $f -o born_cli_fmt_$f
    t 0 "born train reads the $f data" "$feynn" born train born_cli_fmt_$f --hidden 4 \
        --epochs 3 --seed 2 --quiet -o born_cli_fmt_$f.model
    t 0 "born verify --data reads the $f data" "$feynn" born verify born_cli_fmt_$f.model \
        --data born_cli_fmt_$f --identity 0 --format json -o born_cli_fmt_$f.json
done
if cmp -s born_cli_fmt_safetensors.model born_cli_fmt_npy.model &&
    cmp -s born_cli_fmt_safetensors.model born_cli_fmt_text.model; then
    ok "the same model from every format"; else no "the same model from every format"; fi
for f in safetensors npy text; do grep -v '"model":' born_cli_fmt_$f.json >born_cli_fmt_$f.cmp; done
if grep -q '"heldout_potentials": 40' born_cli_fmt_npy.cmp &&
    cmp -s born_cli_fmt_safetensors.cmp born_cli_fmt_npy.cmp &&
    cmp -s born_cli_fmt_safetensors.cmp born_cli_fmt_text.cmp; then
    ok "the same verification from every format"; else no "the same verification from every format"; fi
t 2 "a single .npy array is not a data set" "$feynn" born train born_cli_fmt_npy/U.npy --quiet \
    -o born_cli_m.safetensors
has born_cli.err "give the folder" "the refusal says to give the folder"
printf '%s\n' '# R: 1' '-0.5 -0.25 -0.1' '-0.5 x -0.1' > born_cli_bad.txt
t 2 "a bad token in a text data set" "$feynn" born train born_cli_bad.txt --quiet \
    -o born_cli_m.safetensors
has born_cli.err "born_cli_bad.txt:3:6: expected a finite number, found 'x'" \
    "the refusal names file:line:column"
# npy folders are written whole (issue 10 item 4): no tensor of an earlier run is left beside the
# new ones, and a folder feynn did not write is refused unless --force
rm -rf born_cli_npy born_cli_npy.old.*
"$feynn" born terms --steps 2 --order 3 --format npy -o born_cli_npy 2>born_cli.err
t 0 "born terms npy, order 2 into the same folder" "$feynn" born terms --steps 2 --order 2 \
    --format npy -o born_cli_npy
if [ -f born_cli_npy/tensor_2.npy ] && [ ! -f born_cli_npy/tensor_3.npy ]; then
    ok "the order-3 tensor of the earlier run is gone"
else no "the order-3 tensor of the earlier run is gone"; fi
if grep -q "wrote born_cli_npy/" born_cli.err; then ok "born terms -o says what it wrote"
else no "born terms -o says what it wrote"; fi
t 0 "born terms npy --quiet" "$feynn" born terms --steps 2 --order 2 --format npy -o born_cli_npy \
    --quiet
if [ ! -s born_cli.err ]; then ok "born terms --quiet: nothing on stderr"
else no "born terms --quiet: nothing on stderr"; fi
rm -rf born_cli_npy && mkdir born_cli_npy && echo mine > born_cli_npy/notes.txt
t 2 "a folder feynn did not write is refused" "$feynn" born data -o born_cli_npy -n 3 \
    --format npy --quiet
has born_cli.err "\-\-force" "the refusal names --force"
t 0 "--force moves it aside" "$feynn" born data -o born_cli_npy -n 3 --format npy --quiet --force
rm -rf born_cli_npy born_cli_npy.old.*
# issue 9: born train's activation is the rules' definition of its name: one of a rules file of
# one's own (on FEYNN_RULES_PATH) trains and is named in the model; a name no rules file defines
# is refused naming the rules
rm -rf born_cli_rules && mkdir born_cli_rules
printf '%s\n' 'feynn-rules 1' \
    'activation cubic3 polynomial "z + z^3/3" description "z + z^3/3"' > born_cli_rules/mine.rules
FEYNN_RULES_PATH=$PWD/born_cli_rules
export FEYNN_RULES_PATH
t 0 "born train --activation of a rules file of one's own" "$feynn" born train \
    born_cli_fmt_safetensors --hidden 4 --epochs 3 --seed 2 --activation cubic3 --quiet \
    -o born_cli_m.safetensors
t 0 "model info of the model trained with it" "$feynn" model info born_cli_m.safetensors
has born_cli.out "cubic3" "the model names the activation"
t 2 "born train --activation of a name no rules define" "$feynn" born train \
    born_cli_fmt_safetensors --hidden 4 --epochs 3 --activation nosuch --quiet \
    -o born_cli_m.safetensors
has born_cli.err 'activation "nosuch" is not defined by the rules (.*mine.rules' \
    "the refusal names the rules"
unset FEYNN_RULES_PATH
rm -rf born_cli_rules
rm -rf born_cli_fmt_npy born_cli_fmt_safetensors* born_cli_fmt_text* born_cli_fmt_npy.*
rm -f born_cli.out born_cli.err born_cli.json born_cli_pot.txt born_cli_bad.txt \
    born_cli_data.safetensors born_cli_data2.safetensors born_cli_data3.safetensors born_cli_m.safetensors born_cli_m.feynn
exit $fail
