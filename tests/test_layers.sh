#!/bin/sh
# The layering of doc/design.md: a source file of module M (src/M/...) includes only headers of
# modules at M's layer or below, public (feynn/X.h) or internal (X/...).  One TAP line per module;
# a violation names the file, the header and both layers.
top="${FY_TOP_SRCDIR:-.}"
layer_of() {
    case "$1" in
    util|error|rng) echo 0 ;;
    num|series|io) echo 1 ;;
    graph|rules|enumerate|feynman|eval|draw|jet) echo 2 ;;
    mlp|train|sample|par) echo 3 ;;
    born|borntaylor|inn|nnft) echo 4 ;;
    cli) echo 5 ;;
    *) echo "" ;;
    esac
}
modules=$(cd "$top/src" && ls -d */ | tr -d /)
set -- $modules
echo "1..$(($# + 2))"
n=0; fail=0
for m in $modules; do
    n=$((n + 1))
    lm=$(layer_of "$m")
    if [ -z "$lm" ]; then
        echo "not ok $n - src/$m: a module without a layer: add it to doc/design.md and here"
        fail=1; continue
    fi
    bad=""
    for f in $(find "$top/src/$m" -name '*.c' -o -name '*.h'); do
        for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
            case "$inc" in
            feynn/*) t=${inc#feynn/}; t=${t%.h} ;;
            */*) t=${inc%%/*} ;;
            *) continue ;;
            esac
            [ "$t" = feynn ] && continue
            lt=$(layer_of "$t")
            if [ -z "$lt" ]; then
                bad="$bad ${f#$top/}: \"$inc\" (no such module);"
            elif [ "$lt" -gt "$lm" ]; then
                bad="$bad ${f#$top/}: \"$inc\" (layer $lt) from layer $lm;"
            fi
        done
    done
    if [ -n "$bad" ]; then echo "not ok $n - src/$m (layer $lm):$bad"; fail=1
    else echo "ok $n - src/$m (layer $lm) includes only its layer and below"; fi
done
# Every public header is a module of the table (a new header needs its layer).
n=$((n + 1)); bad=""
for h in "$top"/include/feynn/*.h; do
    t=$(basename "$h" .h)
    [ "$t" = feynn ] && continue
    [ -z "$(layer_of "$t")" ] && bad="$bad $t.h"
done
if [ -n "$bad" ]; then echo "not ok $n - headers without a layer:$bad"; fail=1
else echo "ok $n - every public header has a layer"; fi
# One FLINT 2.9 / FLINT 3 choice: feynn/num.h makes it, src/num/arb_all.h serves the other Arb
# headers; nowhere else names an Arb header through __has_include (the tests, benchmarks and
# fuzzers' sources included).
n=$((n + 1))
bad=$(cd "$top" && { grep -rl "__has_include" src include
    grep -rl --include='*.c' --include='*.h' --include='*.cpp' "__has_include" tests bench fuzz; } |
    grep -v "^include/feynn/num.h$" | tr '\n' ' ')
if [ -n "$bad" ]; then echo "not ok $n - __has_include outside feynn/num.h (use num/arb_all.h): $bad"; fail=1
else echo "ok $n - one FLINT/Arb header choice (feynn/num.h, num/arb_all.h)"; fi
exit $fail
