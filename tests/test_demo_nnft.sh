#!/bin/sh
# Tests of `feynn demo nnft` (TAP): the quick run end to end -- report.json has the keys of
# doc/schema/demo-nnft.schema.json with the right types, the Monte Carlo agrees with the exact
# correlators (every 2- and 4-tuple within 5 standard errors at light-tailed widths, the ReLU
# m4 at N = 2 within 3 backgrounds, the fitted C4 within 15%), the ReLU 6-point ratios and the
# cut-off slope against their closed forms 50/93, 175/186 and -5 computed here with awk, the
# CSV files; and refusals of bad options.
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
jc="${FY_TOP_BUILDDIR:-.}/tests/json_check"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' demo_nnft_t.err | head -20; fail=1; }
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2
    "$@" >demo_nnft_t.out 2>demo_nnft_t.err; got=$?
    case " $want " in *" $got "*) ok "$desc" ;; *) no "$desc (exit $got, want $want)" ;; esac
}
val() { # val FILE KEYPATH -> the value, from `json_check FILE KEY=x` error text
    "$jc" "$1" "$2=x" 2>&1 | sed -n "s/^json_check: $2 is \(.*\), expected x$/\1/p"
}
close() { # close GOT WANT TOL DESCRIPTION
    if awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'; then
        ok "$4 ($1)"; else no "$4: got '$1', want $2 +- $3"; fi
}
echo "1..27"
dir=demo_nnft_t_dir
rm -rf "$dir"
t 0 "demo nnft --quick meets its targets" "$feynn" demo nnft --quick --quiet -o "$dir"
if "$jc" "$dir/report.json" experiment='"nnft"' targets_met=true time_s=#number \
    relu.C4_exact=#number relu.C4_mc=#number gauss.C4_exact=#number gauss.C4_mc=? \
    erf.C4_exact=#number erf.C4_mc=? relu.networks.0=20000 gauss.networks.3=20000 \
    erf.networks.1=20000 relu.six_point.gp_ratio=#number relu.six_point.lambda_ratio=#number \
    relu.rg_slope=#number relu.m4_exact.0=#number relu.m4_mc.0=#number \
    erf.m6_background.3=#number 2>demo_nnft_t.err; then ok "report.json keys"; else no "report.json keys"; fi
if "$jc" "$dir/report.json" relu.exact_mc_agree=true targets.relu=true targets.erf=true \
    erf.exact_mc_agree=true 2>demo_nnft_t.err; then ok "every 2- and 4-tuple within 5 standard errors of exact"; else no "exact against Monte Carlo"; fi
close "$(val "$dir/report.json" relu.six_point.gp_ratio)" "$(awk 'BEGIN { printf "%.17g", 50/93 }')" 1e-6 "relu G6_GP/G6 at N = 20 is 50/93"
close "$(val "$dir/report.json" relu.six_point.lambda_ratio)" "$(awk 'BEGIN { printf "%.17g", 175/186 }')" 1e-6 "relu with the quartic: 175/186"
close "$(val "$dir/report.json" relu.rg_slope)" -5 1e-6 "relu cut-off slope -(d + 4)"
# the Monte Carlo m4 of relu at N = 2 within 3 backgrounds of the exact one
m=$(val "$dir/report.json" relu.m4_mc.0); e=$(val "$dir/report.json" relu.m4_exact.0)
b=$(val "$dir/report.json" relu.m4_background.0)
close "$m" "$e" "$(awk -v b="$b" 'BEGIN { printf "%.17g", 3 * b }')" "relu m4(2): Monte Carlo against exact"
c=$(val "$dir/report.json" relu.C4_exact)
close "$(val "$dir/report.json" relu.C4_mc)" "$c" "$(awk -v c="$c" 'BEGIN { printf "%.17g", 0.15 * c }')" "relu C4: Monte Carlo fit against exact"
# exact m4 = C4 / N at every width
close "$(val "$dir/report.json" relu.m4_exact.3)" "$(awk -v c="$c" 'BEGIN { printf "%.17g", c / 100 }')" 1e-12 "relu exact m4(100) = C4 / 100"
for f in report.txt m4.csv m6.csv heavy_tail.csv six_point.csv; do
    if [ -s "$dir/$f" ]; then ok "$f written"; else no "$f missing"; fi
done
# qft2: the second part, fields from neurons ([H]), against closed forms computed here
r="$dir/report.json"
if "$jc" "$r" targets.qft=true qft.targets_met=true qft.free_scalar.rp.positive=true \
    qft.free_scalar.rp.certified=true qft.free_scalar.rp.spectral=1 \
    qft.free_scalar.rp_cos_net.positive=false qft.free_scalar.rp_cos_net.certified=true \
    qft.duality.spread_cos_contains_zero=true qft.symmetry.gauss_net.translation.symmetric=false \
    qft.symmetry.cos_net.translation.symmetric=true qft.symmetry.free_scalar.z2.symmetric=true \
    qft.independence_breaking.I_IB_zero_at_eps_0=true 2>demo_nnft_t.err; then ok "qft: verdicts (RP both ways certified, duality, symmetries)"; else no "qft verdicts"; fi
close "$(val "$r" qft.free_scalar.G.4)" "$(awk 'BEGIN { printf "%.17g", 1 / (2 * 2 + 1) }')" 1e-9 "qft: free scalar G(2) = m / (p^2 + m^2)"
close "$(val "$r" qft.free_scalar.G2.2)" "$(awk 'BEGIN { printf "%.17g", 0.5 * exp(-1) }')" 1e-9 "qft: free scalar G2(1) = e^(-m|x|) / 2"
g=$(val "$r" qft.free_scalar.G2_mc.3); se=$(val "$r" qft.free_scalar.G2_se.3)
close "$g" "$(awk 'BEGIN { printf "%.17g", 0.5 * exp(-2) }')" "$(awk -v s="$se" 'BEGIN { printf "%.17g", 4 * s }')" "qft: Monte Carlo G2(2) within 4 standard errors"
close "$(val "$r" qft.duality.g2_cos.3)" "$(awk 'BEGIN { printf "%.17g", exp(-0.02) }')" 1e-9 "qft: duality G2 / G2(x, x) = e^(-|x - y|^2 / 2) at the shift 3/2"
a=$(val "$r" qft.independence_breaking.I_N_vs_N.0); b=$(val "$r" qft.independence_breaking.I_N_vs_N.5)
close "$a" "$(awk -v b="$b" 'BEGIN { printf "%.17g", 50 * b }')" 1e-9 "qft: N I_N the same at N = 2 and N = 100"
close "$(val "$r" qft.independence_breaking.I_IB_vs_N.0)" "$(val "$r" qft.independence_breaking.I_IB_vs_N.5)" 1e-12 "qft: I_IB does not depend on N"
for f in qft_spectrum.csv qft_duality.csv qft_ib.csv; do
    if [ -s "$dir/$f" ]; then ok "$f written"; else no "$f missing"; fi
done
t 2 "--networks 5 refused" "$feynn" demo nnft --networks 5 -o "$dir.x"
t 2 "--widths 0 refused" "$feynn" demo nnft --widths 2,0 -o "$dir.x"
mkdir -p "$dir.x" && : >"$dir.x/a-user-file"
t 2 "a non-empty folder feynn did not write is refused" "$feynn" demo nnft --widths 2 --networks 100 --quiet -o "$dir.x"
rm -rf "$dir" "$dir.x" "$dir".x.old.* demo_nnft_t.out demo_nnft_t.err
exit $fail
