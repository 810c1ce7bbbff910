#!/bin/sh
# Tests of `feynn rules`: check, list, show and their exit codes (TAP).
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
top="${FY_TOP_SRCDIR:-.}"
n=0; fail=0
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2; n=$((n + 1))
    "$@" >rules-sh.out 2>rules-sh.err; got=$?
    if [ "$got" = "$want" ]; then echo "ok $n - $desc"; else
        echo "not ok $n - $desc (exit $got, want $want)"; sed 's/^/# /' rules-sh.err; fail=1; fi
}
g() { # g DESCRIPTION PATTERN FILE: the last command's output matches
    n=$((n + 1))
    if grep -q -- "$2" "$3"; then echo "ok $n - $1"; else
        echo "not ok $n - $1 (no '$2' in $3)"; sed 's/^/# /' "$3" | head -20; fail=1; fi
}
echo "1..20"
t 0 "rules --help" "$feynn" rules --help
t 0 "check every installed file" "$feynn" rules check "$top"/rules/*.rules
g "check names the theories" "mlp      generator layered-trees" rules-sh.out
bad=rules-sh.bad.rules
printf 'feynn-rules 1\ntheory t\n  generator g\n  vertex v level 1..H\nend\n' >"$bad"
t 2 "a malformed file exits 2" "$feynn" rules check "$bad"
g "with file:line:column" "rules-sh.bad.rules:4:21: expected a level symbol" rules-sh.err
t 2 "a missing file exits 2" "$feynn" rules check no/such.rules
t 2 "check without files" "$feynn" rules check
t 0 "list" "$feynn" rules list
g "list shows tanh's closure" "s' = 1 - s^2" rules-sh.out
t 0 "list --format json" "$feynn" rules list --format json
g "json has the activations" '"activations"' rules-sh.out
t 0 "show tanh --order 3" "$feynn" rules show tanh --order 3
g "tanh P_3" "P_3 = -2 + 8\*s^2 - 6\*s^4, sigma^(3)(0) = -2" rules-sh.out
t 0 "show quadratic with params" "$feynn" rules show quadratic --params a=1/3 --order 3
g "quadratic P_1 with a = 1/3" "P_1 = 1 + 2/3\*z" rules-sh.out
t 2 "show an unknown activation" "$feynn" rules show nosuch
t 2 "show with a bad order" "$feynn" rules show tanh --order 0
t 2 "unknown subcommand" "$feynn" rules frobnicate
dir=rules-sh.dir; rm -rf "$dir"; mkdir "$dir"
printf 'feynn-rules 1\nactivation mine closure "1 - s" at0 0 function "1 - exp(-z)"\n' >"$dir/mine.rules"
FEYNN_RULES_PATH="$dir" t 0 "an activation from FEYNN_RULES_PATH" "$feynn" rules show mine --order 2
g "its P_2" "P_2 = -1 + s" rules-sh.out
rm -rf "$dir" "$bad" rules-sh.out rules-sh.err
exit $fail
