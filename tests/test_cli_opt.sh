#!/bin/sh
# Every command whose options come from a table (src/cli/opt.h): its --help lists every option
# of the table, `feynn help CMD SUB` shows the same help, doc/feynn.1 documents every option and
# its generated OPTIONS blocks are those of the tables (make man), and the parser's refusals
# reach the command line with exit status 2 (TAP).
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

echo "1..10"

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

exit $fail
