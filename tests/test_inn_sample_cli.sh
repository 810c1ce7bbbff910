#!/bin/sh
# Tests of `feynn inn sample` (TAP): help and refusals with exit codes, a parse error with
# file:line:column, a one-site Gaussian (m2 = 1/4: variance 4, kappa_3 = kappa_4 = 0) whose
# printed cumulants lie within 4 standard errors of the closed form, JSON validity
# (tests/json_check), the safetensors file (shape in the header, size = 8 + header + data),
# and draws bit-identical for 1 and 2 threads.  Fixed seeds.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
jc="${FY_TOP_BUILDDIR:-.}/tests/json_check"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' inn_sample.err | head -20; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >inn_sample.out 2>inn_sample.err; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else bad "$desc (exit $got, want $want)"; fi
}
has() { # has FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then ok "$3"; else n=$((n + 1)); echo "not ok $n - $3"
        sed 's/^/# /' "$1" | head -20; fail=1; fi
}
# within NAME EXACT DESCRIPTION: the printed "site  NAME  value +- se" is within 4 se of EXACT
within() {
    if awk -v k="$1" -v x="$2" '$1 == "site" && $2 == k {
            d = $3 - x; if (d < 0) d = -d; f = ($5 > 0 && d < 4 * $5) }
        END { exit !f }' inn_sample.out; then ok "$3"
    else n=$((n + 1)); echo "not ok $n - $3"; sed 's/^/# /' inn_sample.out; fail=1; fi
}

printf '# one site, Gaussian\nlattice ring 1\nm2 1/4\n' >inn_sample_g.theory
printf 'lattice ring 4\nkinetic 1\nm2 1/2\ng3 1/3\nlam 1\n' >inn_sample_r.theory
printf 'lattice ring 4\nm2 1/0\n' >inn_sample_bad.theory

t 0 "help" "$feynn" inn sample --help
has inn_sample.out "--samples" "help lists --samples"
t 0 "inn help" "$feynn" inn --help
has inn_sample.out "sample" "inn help lists sample"
t 2 "no theory" "$feynn" inn sample
t 2 "unknown option" "$feynn" inn sample inn_sample_g.theory --bogus
t 2 "too few samples" "$feynn" inn sample inn_sample_g.theory --samples 3
t 2 "bad format" "$feynn" inn sample inn_sample_g.theory --format npy
t 2 "missing file" "$feynn" inn sample inn_sample_nonexistent.theory
t 2 "bad number" "$feynn" inn sample inn_sample_bad.theory
has inn_sample.err "inn_sample_bad.theory:2:4:" "the error names file:line:column"

t 0 "gaussian" "$feynn" inn sample inn_sample_g.theory --samples 2000 --chains 4 --seed 3
within kappa_2 4 "kappa_2 within 4 se of 1/m2 = 4"
within kappa_1 0 "kappa_1 within 4 se of 0"
within kappa_3 0 "kappa_3 within 4 se of 0"
within kappa_4 0 "kappa_4 within 4 se of 0"
has inn_sample.out "Z2 moves accepted 1.0000" "even action: every Z2 move accepted"

t 0 "json" "$feynn" inn sample inn_sample_r.theory --samples 100 --chains 2 --format json \
    --threads 1 -o inn_sample_1.safetensors
mv inn_sample.out inn_sample_1.json
t 0 "json valid" "$jc" inn_sample_1.json command='"inn sample"' theory.sites=4 \
    theory.links=4 theory.even=false sampler.chains=2 sampler.samples=100 \
    diagnostics.phi.rhat='#number' cumulants.site.3.se='#number' \
    cumulants.nearest_neighbour.0.value='#number'
has inn_sample_1.safetensors '"shape":\[2,100,4\]' "safetensors header has the shape"
hlen=$(od -An -tu4 -N4 inn_sample_1.safetensors | tr -d ' ')
size=$(wc -c <inn_sample_1.safetensors | tr -d ' ')
if [ "$size" = $((8 + hlen + 2 * 100 * 4 * 8)) ]; then ok "safetensors size"
else n=$((n + 1)); echo "not ok $n - safetensors size $size (header $hlen)"; fail=1; fi
t 0 "two threads" "$feynn" inn sample inn_sample_r.theory --samples 100 --chains 2 \
    --format json --threads 2 -o inn_sample_2.safetensors
if cmp -s inn_sample_1.safetensors inn_sample_2.safetensors; then ok "draws equal, 1 and 2 threads"
else n=$((n + 1)); echo "not ok $n - draws differ between 1 and 2 threads"; fail=1; fi
if cmp -s inn_sample.out inn_sample_1.json; then ok "reports equal, 1 and 2 threads"
else n=$((n + 1)); echo "not ok $n - reports differ between 1 and 2 threads"; fail=1; fi

rm -f inn_sample.out inn_sample.err inn_sample_1.json inn_sample_g.theory inn_sample_r.theory \
    inn_sample_bad.theory inn_sample_1.safetensors inn_sample_2.safetensors
echo "1..$n"
exit $fail
