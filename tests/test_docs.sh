#!/bin/sh
# doc/math.md and its citations (TAP).  README.md, `--help`, the man page and the sources
# cite the mathematics as "doc/math.md N.M" (also "doc/math.md 1.3-1.5", "doc/math.md 1.3,
# 2.2", "doc/math.md section 4"); every such section must exist in doc/math.md, so that a
# renumbered section cannot leave a dangling citation.  The notes outside the repository
# (MATH.md) must not be cited where users read (README.md, doc/, src/cli, strings of src/).
# Every test file and test function doc/math.md names must exist, so that the note's "Tested"
# lines follow renames.  The checker is first run on a made-up bad citation: it must fail there.
top="${FY_TOP_SRCDIR:-.}"
math="$top/doc/math.md"
n=0
fails=0
say() { # say OK|FAIL description
    n=$((n + 1))
    if [ "$1" = OK ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        fails=$((fails + 1))
    fi
}

echo "1..6"
if [ ! -r "$math" ]; then
    echo "Bail out! $math is missing"
    exit 1
fi

tmp="${TMPDIR:-/tmp}/test_docs.$$"
secfile="$tmp.sections"
trap 'rm -f "$tmp" "$tmp.refs" "$secfile"' EXIT INT TERM

# The section numbers of doc/math.md: "## 4. Title" gives 4, "### 4.2 Title" gives 4.2.
sections=$(awk '/^##+ [0-9]+(\.[0-9]+)?\.? / { s = $2; sub(/\.$/, "", s); print s }' "$math")
printf '%s\n' "$sections" > "$secfile"
nsec=$(grep -c . "$secfile")
if [ "$nsec" -ge 20 ] && printf '%s\n' "$sections" | grep -qx '2.4' &&
   printf '%s\n' "$sections" | grep -qx '4'; then
    say OK "doc/math.md has $nsec numbered sections"
else
    say FAIL "doc/math.md has $nsec numbered sections (expected sections 1..4 with 1.1..4.4)"
fi

# check FILE...: prints "FILE: REF: doc/math.md has no section N" for every citation of a
# missing section and "count K" last.  A file is read whole (a citation may wrap), troff's
# "\-" read as "-".
refre='doc/math\.md +(sections? )?[0-9]+(\.[0-9]+)?( *(-|,|and|to) *[0-9]+(\.[0-9]+)?)*'
check() {
    count=0
    for f in "$@"; do
        refs=$(tr '\n' ' ' < "$f" | sed 's/\\-/-/g' | grep -oE "$refre")
        [ -n "$refs" ] || continue
        printf '%s\n' "$refs" > "$tmp.refs"
        while IFS= read -r ref; do
            count=$((count + 1))
            for num in $(printf '%s\n' "$ref" |
                         sed -E 's/^doc\/math\.md +(sections? )?//; s/ *(-|,|and|to) */ /g'); do
                grep -qxF "$num" "$secfile" ||
                    echo "$f: \"$ref\": doc/math.md has no section $num"
            done
        done < "$tmp.refs"
    done
    echo "count $count"
}

# The checker can fail: a made-up citation of a section that does not exist.
printf 'see doc/math.md 9.9 and doc/math.md 1.3\\-1.5\n' > "$tmp"
out=$(check "$tmp")
if printf '%s\n' "$out" | grep -q 'no section 9.9' &&
   ! printf '%s\n' "$out" | grep -q 'no section 1\.[35]' &&
   printf '%s\n' "$out" | grep -qx 'count 2'; then
    say OK "the checker finds a citation of a missing section"
else
    say FAIL "the checker on a made-up citation: $out"
fi

# Every citation where documentation and sources cite the note.
files=$(
    for f in "$top/README.md" "$top/doc/feynn.1" "$top"/doc/*.md "$top"/doc/schema/*.json; do
        [ -r "$f" ] && [ "$f" != "$math" ] && echo "$f"
    done
    find "$top/src" "$top/include" -name '*.[ch]' -type f 2>/dev/null | sort
)
# shellcheck disable=SC2086
out=$(check $files)
bad=$(printf '%s\n' "$out" | grep -v '^count ')
cnt=$(printf '%s\n' "$out" | sed -n 's/^count //p')
if [ -z "$bad" ]; then
    say OK "every doc/math.md citation names a section that exists ($cnt citations)"
else
    printf '%s\n' "$bad" | sed 's/^/# /'
    say FAIL "citations of sections doc/math.md does not have"
fi
if [ "${cnt:-0}" -ge 10 ]; then
    say OK "README, the man page and the sources cite doc/math.md ($cnt citations)"
else
    say FAIL "only ${cnt:-0} citations of doc/math.md found (the scan is broken?)"
fi

# No citation of the notes outside the repository where users read.
stale=$( (grep -n 'MATH\.md' "$top/README.md" "$top/doc/feynn.1" "$top"/src/cli/*.c \
              "$top"/doc/*.md "$top"/doc/schema/*.json
           grep -rn '"[^"]*MATH\.md' "$top/src") 2>/dev/null | grep -v "^$math:")
if [ -z "$stale" ]; then
    say OK "no citation of MATH.md (not in the repository) in README, doc/, src/cli, src/ strings"
else
    printf '%s\n' "$stale" | sed 's/^/# /;s/$/   (cite doc\/math.md N.M instead)/'
    say FAIL "MATH.md cited in README.md, doc/, src/cli or a string of src/"
fi

# The test files and test functions doc/math.md names exist.
missing=""
for t in $(grep -o 'tests/test_[A-Za-z0-9_]*\.\(c\|sh\)' "$math" | sort -u); do
    [ -r "$top/$t" ] || missing="$missing $t"
done
for fn in $(grep -o '`test_[A-Za-z0-9_]*`' "$math" | tr -d '`' | sort -u); do
    grep -q "void $fn(" "$top"/tests/test_*.c || missing="$missing $fn"
done
if [ -z "$missing" ]; then
    say OK "every test file and test function named in doc/math.md exists"
else
    say FAIL "doc/math.md names tests that do not exist:$missing"
fi

[ "$fails" -eq 0 ]
