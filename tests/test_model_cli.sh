#!/bin/sh
# Tests of `feynn model info` (TAP): exit codes, messages naming the file, JSON validity
# (checked with jansson by tests/json_check, so python is not needed).
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
check="${FY_TOP_BUILDDIR:-.}/tests/json_check"
top="${FY_TOP_SRCDIR:-.}"
ex="$top/examples/tiny_mlp.safetensors"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' model_cli.err; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >model_cli.out 2>model_cli.err; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else bad "$desc (exit $got, want $want)"; fi
}
has() { # has FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then ok "$3"; else n=$((n + 1)); echo "not ok $n - $3"
        sed 's/^/# /' "$1"; fail=1; fi
}
echo "1..34"
t 0 "info on the PyTorch example" "$feynn" model info "$ex"
has model_cli.out "^widths  *3-8-8-1" "text: widths"
has model_cli.out "^parameters  *113" "text: parameter count"
has model_cli.out "^activation  *tanh (from metadata)" "text: activation from metadata"
has model_cli.out "0\.weight (8, 3)" "text: weight shape"
t 0 "--format json" "$feynn" model info --format json "$ex"
cp model_cli.out model_cli.json
t 0 "json is valid and has the values" "$check" model_cli.json format='"safetensors"' \
    widths='[3,8,8,1]' parameters=113 hidden_layers=2 architecture='"3-8-8-1"' \
    activation_source='"metadata"' output_activation=null exact=false layers=?
t 0 "--format=json --activation sin overrides" "$feynn" model info --format=json --activation sin "$ex"
cp model_cli.out model_cli.json
t 0 "json: activation source option" "$check" model_cli.json activation_source='"option"'
t 0 "text format example" "$feynn" model info "$top/examples/tiny_mlp.feynn"
has model_cli.out "text (exact rationals)" "text format is exact"
t 0 "npy directory example" "$feynn" model info --format json "$top/examples/tiny_mlp_npy"
cp model_cli.out model_cli.json
t 0 "npy json" "$check" model_cli.json format='"npy"' parameters=113
t 0 "standard input" sh -c "\"$feynn\" model info --input-format safetensors - < \"$ex\""
t 0 "help" "$feynn" model info --help
t 2 "missing FILE" "$feynn" model info
t 2 "unknown subcommand" "$feynn" model frob
t 2 "unknown option" "$feynn" model info --frob "$ex"
t 2 "bad --format" "$feynn" model info --format dot "$ex"
t 2 "bad --input-format" "$feynn" model info --input-format zip "$ex"
t 2 "missing file" "$feynn" model info no-such-file.safetensors
has model_cli.err "^feynn model: no-such-file.safetensors: cannot open" "message names the file"
printf 'feynn-model 1\ninput 2\nlayer 1\n1 x\n' > model_cli_bad.txt
t 2 "bad text model" "$feynn" model info model_cli_bad.txt
has model_cli.err "^feynn model: model_cli_bad.txt:4:3: expected a number" "file:line:column"
head -c 100 "$ex" > model_cli_cut.safetensors
t 2 "truncated safetensors" "$feynn" model info model_cli_cut.safetensors
has model_cli.err "model_cli_cut.safetensors: offset 0: safetensors header size" "offset named"
t 2 "wrong --layers" "$feynn" model info --layers 0,4,2 "$ex"
has model_cli.err "tensor '2.weight' has shape (8, 8)" "tensor named"
t 2 "wrong activation count" "$feynn" model info --activation tanh,tanh,tanh "$ex"
printf 'feynn-model 1\ninput 2\nlayer 2\n1 2\n3 4\nlayer 1\n1 2\n' > model_cli_noact.txt
t 2 "no activation" "$feynn" model info model_cli_noact.txt
has model_cli.err "give the activation with --activation" "asks for --activation"
t 0 "--activation supplies it" "$feynn" model info --activation tanh model_cli_noact.txt
t 2 "empty file" "$feynn" model info --input-format text /dev/null
t 0 "--layers in the right order, output activation" "$feynn" model info --format json \
    --layers 0,2,4 --output-activation sigmoid "$ex"
rm -f model_cli.out model_cli.err model_cli.json model_cli_noact.txt model_cli_bad.txt model_cli_cut.safetensors
exit $fail
