#!/bin/sh
# Tests of `feynn nnft spectrum` and `feynn nnft duality` (TAP): the talk's example 2 through
# the command against its closed forms G(0) = sigma_a^2 / m = 1 and G2(1) = e^-1 / 2, the
# Monte Carlo column within 4 standard errors (--check), example 1's zero beyond the cut-off,
# the duality table's verdicts, JSON and CSV shapes, and the exit codes of bad input.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
top="${FY_TOP_SRCDIR:-$(dirname "$0")/..}"
ex="$top/examples"
w=nnft_euclid_cli.dir; rm -rf "$w"; mkdir -p "$w"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$w/err" | head -10; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >"$w/out" 2>"$w/err"; got=$?
    if [ "$got" = "$want" ]; then ok "$desc"; else no "$desc (exit $got, want $want)"; fi
}
has() { # has PATTERN DESCRIPTION: the last output contains PATTERN (fixed string)
    if grep -qF -- "$1" "$w/out"; then ok "$2"; else
        echo "# no '$1' in:"; sed 's/^/#   /' "$w/out" | head -30; no "$2"; fi
}

t 0 "spectrum of example 2" "$feynn" nnft spectrum "$ex/nnqft_free2.spec" --pmax 4 --np 5 \
    --xmax 2 --nx 3 --digits 12
has "G(p) = sigma_a^2 m / (p^2 + m^2)" "example 2 names its closed form"
# G(0) = sigma_a^2 m / m^2 = 1 exactly; G2(1) = e^-1 / 2 = 0.183939720585721...
if awk '$1 == "0" && $2 == "1.00000000000" { f = 1 } END { exit !f }' "$w/out"; then ok "G(0) = 1"
else no "G(0) = 1"; fi
has "0.183939720586" "G2(1) = e^-1 / 2 = 0.18393972058572..."
has "d^d p / (2 pi)^d e^(i p . (x - y)) G(p)" "the Fourier convention is printed"
t 0 "Monte Carlo column with --check" "$feynn" nnft spectrum "$ex/nnqft_free2.spec" --np 2 \
    --nx 5 --mc 20000 --seed 3 --check
has "0 value(s) beyond 4 standard errors" "Monte Carlo within 4 standard errors"
t 0 "spectrum of example 1, CSV" "$feynn" nnft spectrum "$ex/nnqft_free1.spec" --pmax 8 --np 5 \
    --nx 2 --digits 6 --format csv
has "kind,value,G,G_rad" "CSV header"
if grep -q '^p,8,0,' "$w/out"; then ok "G(p) = 0 beyond Lambda"; else
    sed 's/^/#   /' "$w/out"; no "G(p) = 0 beyond Lambda"; fi
t 0 "duality table" "$feynn" nnft duality "$ex/nnqft_duality.spec" --shifts 0,1/2,2
has "Cos-net" "duality header"
has "(translation invariant)" "Cos-net G4_c translation invariant"
has "(translation invariance broken)" "Gauss-net G4_c not"
t 0 "duality JSON" "$feynn" nnft duality "$ex/nnqft_duality.spec" --format json
has '"cos_invariant": true' "JSON: cos_invariant"
has '"gauss_invariant": false' "JSON: gauss_invariant"
t 0 "spectrum --help" "$feynn" nnft spectrum --help
has "Usage: feynn nnft spectrum" "spectrum help text"
printf 'activation erf\npoint 0\n' >"$w/erf.spec"
t 2 "spectrum of erf refused" "$feynn" nnft spectrum "$w/erf.spec"
printf 'activation cos\nsigma_b 0\nb_dist ball\npoint 0\n' >"$w/noL.spec"
t 2 "ball without Lambda refused" "$feynn" nnft spectrum "$w/noL.spec"
if grep -q "Lambda" "$w/err"; then ok "the message names Lambda"; else no "the message names Lambda"; fi
printf 'activation cos\nsigma_b 0\npoint 0\npoint 1\n' >"$w/two.spec"
t 2 "duality needs four points" "$feynn" nnft duality "$w/two.spec"
t 2 "bad --shifts" "$feynn" nnft duality "$ex/nnqft_duality.spec" --shifts 0,,1
t 2 "--check without --mc" "$feynn" nnft spectrum "$ex/nnqft_free2.spec" --check
# a deeper g: the kernel's header says so (and its G2 equals the spectrum's, the single layer's
# times E[S] = sigma_a^2 = 1 here: e^(-1/2) / 2 at x = 1/2); the tables of independent neurons
# refuse it with the reason
t 0 "kernel of a deeper g" "$feynn" nnft kernel "$ex/nnqft_deep.spec"
has "# neurons h_i = g(sum_j W_ij l_j(x) + beta_i): g dense, g_act linear, g_width 3" \
    "the header names the deeper g"
has "0    1  0.3032653299" "K(0, 1/2) = e^(-1/2) / 2 = 0.30326532985..."
t 2 "correlators of a deeper g refused" "$feynn" nnft correlators "$ex/nnqft_deep.spec" --n 4
if grep -q "the neurons of a deeper g share the input layer" "$w/err"; then
    ok "the refusal says why"; else no "the refusal says why"; fi
# qft14: the ensemble sampler on a user layer and on a deeper g, against the exact 4-point
# functions (--exact --check: exit 1 beyond 5 standard errors); symmetry --mc on them;
# F user with a Lorentzian b; rho(p, tau) of a user density (the ball written as pieces equals
# the built-in ball's closed form G(0) sin(a tau) / (pi tau), to 1e-12)
t 0 "sample of a user layer, --exact --check" "$feynn" nnft sample "$ex/nnqft_user.spec" \
    --networks 20000 --seed 2 --exact --check
has "b_dist user, F user" "the sample's header names the user layer"
has "n = 4: exact against Monte Carlo" "the user layer's G4 against its exact value"
t 0 "sample of the linear deeper g, --exact --check" "$feynn" nnft sample \
    "$ex/nnqft_deep.spec" --networks 20000 --seed 2 --exact --check
has "n = 6: exact against Monte Carlo" "the deeper g's G6 against its exact value"
printf 'activation cos\nsigma_b 0\nwidth 3\ng dense\ng_width 4\ng_act tanh\nsigma_g 2\npoint 0\npoint 1\n' \
    >"$w/tanh.spec"
t 0 "sample of a tanh g, --exact" "$feynn" nnft sample "$w/tanh.spec" --networks 2000 --exact \
    --format json
has '"command": "nnft sample"' "tanh g sampled (JSON)"
t 0 "symmetry --mc of a user layer" "$feynn" nnft symmetry "$ex/nnqft_user.spec" --mc 3000 \
    --n 4
if grep -q "^translation  G4  consistent" "$w/out" && grep -q "^rotation     G4  consistent" "$w/out"
then ok "the user layer is translation and rotation invariant (Monte Carlo)"
else no "the user layer is translation and rotation invariant (Monte Carlo)"; fi
printf 'activation cos\nsigma_b 0\nb_dist lorentz\nmass 1/2\nF user\nF_piece 0 2 1 0 1/2\npoint 0\n' \
    >"$w/lorF.spec"
t 0 "F user with a Lorentzian b" "$feynn" nnft spectrum "$w/lorF.spec" --np 3 --nx 2 --pmax 1
# G(1) = (sigma_a^2/2)(2 pi) m / (pi (1 + m^2)) F(1)^2 = (2/5)(9/4) = 0.9
has "   1             0.9000000000" "G(1) = 0.9 exactly"
printf 'activation cos\nsigma_b 0\nd 3\nb_dist user\nb_density 0 1 1\nb_density 1 2 1\npoint 0 0 0\n' \
    >"$w/user3.spec"
printf 'activation cos\nsigma_b 0\nd 3\nb_dist ball\nLambda 2\npoint 0 0 0\n' >"$w/ball3.spec"
t 0 "rho of a user density" "$feynn" nnft spectrum "$w/user3.spec" --rho 0,1 --nx 5 --xmax 2 \
    --format csv
grep '^rho,' "$w/out" >"$w/rho_user"
t 0 "rho of the ball" "$feynn" nnft spectrum "$w/ball3.spec" --rho 0,1 --nx 5 --xmax 2 --format csv
grep '^rho,' "$w/out" >"$w/rho_ball"
if [ -s "$w/rho_user" ] && awk -F, 'NR == FNR { v[FNR] = $3; next }
    { d = $3 - v[FNR]; if (d < 0) d = -d; if (d > 1e-12 * (1 + ($3 < 0 ? -$3 : $3))) bad = 1 }
    END { exit bad }' "$w/rho_user" "$w/rho_ball"
then ok "rho of the user density equals the ball's closed form"
else no "rho of the user density equals the ball's closed form"; fi
rm -rf "$w"
echo "1..$n"
exit $fail
