#!/bin/sh
# Every command whose options come from a table (src/cli/opt.h): its --help lists every option
# of the table, `feynn help CMD SUB` shows the same help, doc/feynn.1 documents every option and
# its generated OPTIONS blocks are those of the tables (make man), and the parser's refusals
# reach the command line with exit status 2; the one sub-command dispatcher of every command
# with sub-commands; the progress bar of taylor --per-diagram (TAP).
top="${FY_TOP_SRCDIR:-.}"
b="${FY_TOP_BUILDDIR:-.}"
feynn="$b/feynn"
man="$top/doc/feynn.1"
tmp=${TMPDIR:-/tmp}/test_cli_opt.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

if "$feynn" help --options > "$tmp/opts" && [ -s "$tmp/opts" ]; then
    ok "help --options lists the tables"
else
    bad "help --options lists the tables"
fi

# 2: every option in its command's --help (run as `feynn NAME --help`)
miss=
cut -f1 "$tmp/opts" | uniq > "$tmp/names"
while read -r name; do
    # shellcheck disable=SC2086
    "$feynn" $name --help > "$tmp/help" 2>&1 || { echo "# feynn $name --help failed"; miss=1; }
    grep "^$name	" "$tmp/opts" | cut -f2 > "$tmp/list"
    while read -r o; do
        grep -q -- "^ *\(-., \)\?$o\b" "$tmp/help" || { echo "# feynn $name --help lacks $o"; miss=1; }
    done < "$tmp/list"
done < "$tmp/names"
if [ -z "$miss" ]; then ok "every --help lists every option of its table"; else bad "every --help lists every option of its table"; fi

# 3: `feynn help NAME` (words) prints the same as `feynn NAME --help`
miss=
while read -r name; do
    # shellcheck disable=SC2086
    "$feynn" help $name > "$tmp/h1" 2>&1
    # shellcheck disable=SC2086
    "$feynn" $name --help > "$tmp/h2" 2>&1
    cmp -s "$tmp/h1" "$tmp/h2" || { echo "# feynn help $name differs from --help"; miss=1; }
done < "$tmp/names"
if [ -z "$miss" ]; then ok "feynn help CMD SUB is CMD SUB --help"; else bad "feynn help CMD SUB is CMD SUB --help"; fi

# 4: doc/feynn.1 documents every option, inside the block of its command
miss=
while read -r name; do
    awk -v name="$name" -v q="'" '
        index($0, ".\\\" options of " q name q ":") == 1 { on = 1 }
        on { print }
        index($0, ".\\\" end of the options of " q name q) == 1 { on = 0 }' "$man" > "$tmp/block"
    [ -s "$tmp/block" ] || { echo "# doc/feynn.1 has no options block for '$name'"; miss=1; continue; }
    grep "^$name	" "$tmp/opts" | cut -f2 | sed 's/-/\\\\-/g' > "$tmp/list"
    while read -r o; do
        grep -q -- "fB$o\\\\fR" "$tmp/block" || { echo "# doc/feynn.1 ($name) lacks $o"; miss=1; }
    done < "$tmp/list"
done < "$tmp/names"
if [ -z "$miss" ]; then ok "doc/feynn.1 documents every option of every table"; else bad "doc/feynn.1 documents every option of every table"; fi

# 5: the blocks are exactly what the tables generate (make man)
if sh "$top/doc/man-options.sh" --check "$feynn" "$man" 2> "$tmp/err"; then
    ok "doc/feynn.1's options blocks are in sync with the tables"
else
    sed 's/^/# /' "$tmp/err" | head -30
    bad "doc/feynn.1's options blocks are in sync with the tables"
fi

# 6: the man page still formats without warnings (when man is here)
if command -v groff > /dev/null 2>&1; then
    if groff -man -Tutf8 -ww "$man" > /dev/null 2> "$tmp/err" && ! grep -q . "$tmp/err"; then
        ok "groff formats doc/feynn.1 without warnings"
    else
        sed 's/^/# /' "$tmp/err" | head; bad "groff formats doc/feynn.1 without warnings"
    fi
else
    ok "groff formats doc/feynn.1 without warnings # SKIP no groff"
fi

# 7-10: refusals on the command line: status 2 and the message
t() { # t DESCRIPTION PATTERN COMMAND...
    d=$1 p=$2; shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
    if [ "$rc" = 2 ] && grep -q -- "$p" "$tmp/err"; then ok "$d"; else
        echo "# exit $rc:"; sed 's/^/# /' "$tmp/err"; bad "$d"; fi
}
t "a misspelt option is named with a suggestion" \
  "^feynn diagrams: unknown option '--ordr' (did you mean '--order'?)" \
  "$feynn" diagrams mlp --ordr 3
t "a bad count says what was expected" \
  "^feynn inn sample: --chains: expected a positive integer, got 'abc'" \
  "$feynn" inn sample x.theory --chains abc
t "a range is named" "^feynn rules show: --order: expected a positive integer up to 1000" \
  "$feynn" rules show tanh --order 1001
t "a format outside the command's set lists its set" \
  "^feynn model info: --format: expected text or json" "$feynn" model info x --format npy

# 11-: the one sub-command dispatcher (fy_cli_dispatch): every command with sub-commands lists
# them in --help (exit 0), refuses an unknown one with exit 2, the list or the nearest name and
# the hint, and an option where a name belongs; no word at all prints the usage on standard
# error (exit 2).  The names are written out here, not read from the program.
d() { # d DESCRIPTION STATUS PATTERN (in standard error) COMMAND...
    desc=$1 want=$2 p=$3; shift 3
    "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
    if [ "$rc" = "$want" ] && grep -q -- "$p" "$tmp/err"; then ok "$desc"; else
        echo "# exit $rc (want $want), no '$p' in:"; sed 's/^/# /' "$tmp/err" | head -5
        bad "$desc"; fi
}
for spec in ":born demo diagrams inn model nnft rules taylor version help:taylr:taylor" \
    "born:terms a0 data train verify:verfy:verify" \
    "nnft:kernel correlators sample couplings predict symmetry rp os ib spectrum duality:kernl:kernel" \
    "inn:action diagrams info sample compare scan train:actoin:action" \
    "demo:born nnft inn:nnf:nnft" "model:info:inf:info" "rules:check list show path:shw:show"; do
    cmd=${spec%%:*} rest=${spec#*:}; names=${rest%%:*} rest=${rest#*:}
    typo=${rest%%:*} near=${rest#*:}
    pre="feynn${cmd:+ $cmd}"
    # shellcheck disable=SC2086
    "$feynn" $cmd --help > "$tmp/out" 2> "$tmp/err"; rc=$?
    miss=
    for w in $names; do grep -q "^  $w " "$tmp/out" || miss="$miss $w"; done
    if [ "$rc" = 0 ] && [ -z "$miss" ] && [ ! -s "$tmp/err" ]; then ok "$pre --help lists its commands"
    else echo "# exit $rc, missing:$miss"; bad "$pre --help lists its commands"; fi
    # shellcheck disable=SC2086
    d "$pre: an unknown name" 2 "^$pre: unknown [a-z]* 'zzzzzz' (.*$near.*)$" "$feynn" $cmd zzzzzz
    grep -q "^Try '$pre --help'.$" "$tmp/err" && ok "$pre: the hint" || bad "$pre: the hint"
    # shellcheck disable=SC2086
    d "$pre: a misspelt name gets the nearest" 2 \
      "^$pre: unknown [a-z]* '$typo' (did you mean '$near'?)$" "$feynn" $cmd "$typo"
    if [ "$cmd" != demo ]; then  # demo runs born on no word or an option first
        # shellcheck disable=SC2086
        d "$pre: an option where a name belongs" 2 \
          "^$pre: expected a [a-z]* before the options, got '--zzz'" "$feynn" $cmd --zzz
        # shellcheck disable=SC2086
        d "$pre with no word: the usage on standard error" 2 "^Usage: feynn" "$feynn" $cmd
    fi
done
"$feynn" help nnft rp > "$tmp/h1" 2>&1; r1=$?
"$feynn" nnft rp --help > "$tmp/h2" 2>&1
if [ "$r1" = 0 ] && cmp -s "$tmp/h1" "$tmp/h2" && grep -q -- "--kernel" "$tmp/h1"; then
    ok "feynn help nnft rp is feynn nnft rp --help"; else bad "feynn help nnft rp is feynn nnft rp --help"; fi
d "feynn help: an unknown command" 2 "^feynn help: unknown command 'nnf' (did you mean 'nnft'?)" \
  "$feynn" help nnf
d "feynn help nnft: an unknown sub-command" 2 "^feynn nnft: unknown command 'rpp' (did you mean 'rp'?)" \
  "$feynn" help nnft rpp
"$feynn" help > "$tmp/h1" 2>&1; r1=$?
"$feynn" --help > "$tmp/h2" 2>&1
if [ "$r1" = 0 ] && cmp -s "$tmp/h1" "$tmp/h2"; then ok "feynn help is feynn --help"
else bad "feynn help is feynn --help"; fi

# taylor --per-diagram: the bar over the diagrams with --progress, silent with --quiet, the
# same values either way
ex="$top/examples/tiny_mlp.feynn"
"$feynn" taylor "$ex" --order 4 --entry 0,0,0,0 --per-diagram --progress > "$tmp/t1" 2> "$tmp/err"
if grep -q "diagrams .*100.0%" "$tmp/err" \
    && "$feynn" taylor "$ex" --order 4 --entry 0,0,0,0 --per-diagram --quiet > "$tmp/t2" \
        2> "$tmp/e2" && [ ! -s "$tmp/e2" ] && [ -s "$tmp/t1" ] && cmp -s "$tmp/t1" "$tmp/t2"; then
    ok "taylor --per-diagram --progress: the bar; --quiet: silent; the same values"
else sed 's/^/# /' "$tmp/err" | head -5; bad "taylor --per-diagram --progress: the bar; --quiet: silent; the same values"; fi

# diagrams (Feynman graphs) and rules show: the bar with --progress, silent with --quiet, the
# same output.  The generator's bar counts the Wick contractions of the graphs found against
# the oracle's total, so 100.0% is reached only when they add up (3 x 5 x ... x 15 for 4:4)
bar_case() { # bar_case DESCRIPTION LABEL COMMAND...
    desc=$1 label=$2; shift 2
    "$@" --progress > "$tmp/t1" 2> "$tmp/err"
    if grep -q "$label .*100.0%" "$tmp/err" && "$@" --quiet > "$tmp/t2" 2> "$tmp/e2" \
        && [ ! -s "$tmp/e2" ] && [ -s "$tmp/t1" ] && cmp -s "$tmp/t1" "$tmp/t2"; then ok "$desc"
    else sed 's/^/# /' "$tmp/err" | tr '\r' '\n' | tail -3; bad "$desc"; fi
}
bar_case "diagrams vacuum --count: the bar reaches 100% (contractions = oracle)" diagrams \
    "$feynn" diagrams vacuum --vertices 4:4 --count
bar_case "diagrams phi4 --connected: the bar reaches 100%" diagrams \
    "$feynn" diagrams phi4 --vertices 4:3 --points 2 --connected
bar_case "rules show --format json: the bar" "rules show" \
    "$feynn" rules show tanh --order 40 --format json
printf '1 -1/2 1/3\n' > "$tmp/dir.txt"
bar_case "taylor --direction: the bar over the neurons reaches 100%" "order-60 coefficients" \
    "$feynn" taylor "$ex" --order 60 --direction "$tmp/dir.txt" --arith ball:128

# issue 10 item 18: the same --quiet and --progress on every command of the tables (help
# --options lists every command with its options, one per line)
miss=
while read -r name; do
    for o in --quiet --progress; do
        grep -q "^$name	$o\b" "$tmp/opts" || miss="$miss $name:$o"
    done
done < "$tmp/names"
if [ -z "$miss" ] && [ "$(wc -l < "$tmp/names")" -gt 30 ]; then
    ok "every command takes --quiet and --progress"
else echo "# missing:$miss"; bad "every command takes --quiet and --progress"; fi

echo "1..$n"
exit $fail
