#!/bin/sh
# The OPTIONS blocks of doc/feynn.1 are generated from the commands' option tables
# (src/cli/opt.h): each lies between the marker lines
#   .\" options of 'NAME': generated from its table by 'make man'
#   .\" end of the options of 'NAME'
# and is what `feynn help --man NAME` prints.
#
#   man-options.sh --update FEYNN MANPAGE   rewrite the blocks in place (make man)
#   man-options.sh --check FEYNN MANPAGE    exit 1 and show the difference when a block is
#                                           out of date or a table has no block
set -u
mode=$1 feynn=$2 man=$3
tmp=${TMPDIR:-/tmp}/feynn-man.$$
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp" || exit 2

"$feynn" help --man > "$tmp/all" || exit 2

# Replace each marked block of MANPAGE by the generated one.
awk -v all="$tmp/all" -v q="'" '
function marker(line,    name) {
    if (index(line, start) != 1) return ""
    name = substr(line, length(start) + 1)
    return substr(name, 1, index(name, q) - 1)
}
BEGIN {
    start = ".\\\" options of " q
    stop = ".\\\" end of the options of " q
    while ((getline line < all) > 0) {
        n = marker(line)
        if (n != "") { name = n; order[++count] = n }
        block[name] = block[name] line "\n"
    }
}
{
    n = marker($0)
    if (n != "") {
        if (n in block) { printf "%s", block[n]; seen[n] = 1 } else print
        skip = 1
        next
    }
    if (skip) {
        if (index($0, stop) == 1) skip = 0
        next
    }
    print
}
END {
    for (i = 1; i <= count; i++)
        if (!(order[i] in seen))
            print "man-options.sh: no block for " q order[i] q > "/dev/stderr"
}' "$man" > "$tmp/new" 2> "$tmp/missing" || exit 2

case $mode in
--update)
    if [ -s "$tmp/missing" ]; then
        cat "$tmp/missing" >&2
        echo "man-options.sh: add the marker lines for these commands to $man" >&2
    fi
    if ! cmp -s "$man" "$tmp/new"; then cp "$tmp/new" "$man" && echo "updated $man"; fi
    [ ! -s "$tmp/missing" ] ;;
--check)
    status=0
    if [ -s "$tmp/missing" ]; then cat "$tmp/missing" >&2; status=1; fi
    if ! cmp -s "$man" "$tmp/new"; then
        diff -u "$man" "$tmp/new" | head -40 >&2
        echo "man-options.sh: $man is out of date; run 'make man'" >&2
        status=1
    fi
    exit $status ;;
*)
    echo "usage: man-options.sh --update|--check FEYNN MANPAGE" >&2
    exit 2 ;;
esac
