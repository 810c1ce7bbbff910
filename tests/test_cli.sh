#!/bin/sh
# Tests of the feynn command's dispatch, help and exit codes (TAP).
feynn="${FY_TOP_BUILDDIR:-.}/feynn"
n=0; fail=0
t() { # t EXPECTED_STATUS DESCRIPTION CMD...
    want=$1; desc=$2; shift 2; n=$((n + 1))
    "$@" >cli.out 2>cli.err; got=$?
    if [ "$got" = "$want" ]; then echo "ok $n - $desc"; else
        echo "not ok $n - $desc (exit $got, want $want)"; sed 's/^/# /' cli.err; fail=1; fi
}
t 0 "--version" "$feynn" --version
grep -q '^feynn [0-9]' cli.out || { echo "not ok 7 - version line"; fail=1; }
t 0 "--help" "$feynn" --help
t 2 "no arguments is a usage error" "$feynn"
t 2 "unknown command" "$feynn" frobnicate
t 0 "help model" "$feynn" help model
t 0 "model --help" "$feynn" model --help
has() { # has FILE PATTERN DESCRIPTION
    n=$((n + 1))
    if grep -q -- "$2" "$1"; then echo "ok $n - $3"; else echo "not ok $n - $3"
        sed 's/^/# /' "$1" | head -10; fail=1; fi
}
# the memory limit: an option anywhere on the line or the environment; refusals say how to
# raise it; a bad size is a usage error
top="${FY_TOP_SRCDIR:-.}"
ex="$top/examples/tiny_mlp.feynn"
t 0 "order 3 fits the default limit" "$feynn" taylor "$ex" --order 3
t 2 "--memory-limit 1K refuses order 3" "$feynn" --memory-limit 1K taylor "$ex" --order 3
has cli.err "memory-limit" "the refusal names --memory-limit"
has cli.err "FEYNN_MEMORY_LIMIT" "the refusal names FEYNN_MEMORY_LIMIT"
t 2 "the option after the command" "$feynn" taylor "$ex" --order 3 --memory-limit=1K
t 2 "FEYNN_MEMORY_LIMIT=1K refuses" env FEYNN_MEMORY_LIMIT=1K "$feynn" taylor "$ex" --order 3
t 0 "the option overrides the environment" env FEYNN_MEMORY_LIMIT=1K "$feynn" \
    --memory-limit 1G taylor "$ex" --order 3
t 2 "a bad size" "$feynn" --memory-limit 8Q taylor "$ex" --order 3
has cli.err "unknown unit" "the bad size is explained"
t 2 "a bad FEYNN_MEMORY_LIMIT" env FEYNN_MEMORY_LIMIT=lots "$feynn" taylor "$ex" --order 3
has cli.err "FEYNN_MEMORY_LIMIT" "the bad environment value is named"
t 2 "--memory-limit without a size" "$feynn" taylor "$ex" --memory-limit
echo "1..$n"
rm -f cli.out cli.err
exit $fail
