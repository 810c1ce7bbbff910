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
echo "1..6"
t 0 "--version" "$feynn" --version
grep -q '^feynn [0-9]' cli.out || { echo "not ok 7 - version line"; fail=1; }
t 0 "--help" "$feynn" --help
t 2 "no arguments is a usage error" "$feynn"
t 2 "unknown command" "$feynn" frobnicate
t 0 "help model" "$feynn" help model
t 0 "model --help" "$feynn" model --help
rm -f cli.out cli.err
exit $fail
