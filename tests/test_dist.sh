#!/bin/sh
# What a tarball and an install carry: every document of doc/ (the format notes, design.md,
# math.md) and every JSON schema of doc/schema/ is named in the Makefile fragments, so that
# `make dist` ships it and `make install` puts the schemas under $(pkgdatadir)/schema and the
# notes under $(docdir).  One TAP line per file.
top="${FY_TOP_SRCDIR:-.}"
# the dist_doc_DATA and dist_schema_DATA lists of Makefile.am, continuation lines joined
mk=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$top/Makefile.am" | grep -E '^dist_(doc|schema)_DATA')
set -- $(cd "$top" && ls doc/*.md doc/schema/*.json)
echo "1..$#"
n=0; fail=0
for f in "$@"; do
    n=$((n + 1))
    case "$f" in
    doc/schema/*) want="schema" ;;
    *) want="doc" ;;
    esac
    if printf '%s\n' "$mk" | grep "^dist_${want}_DATA" | grep -q "[[:space:]]$f\([[:space:]]\|$\)"; then echo "ok $n - $f is in the Makefile ($want)"
    else echo "not ok $n - $f: add it to dist_${want}_DATA in Makefile.am"; fail=1; fi
done
exit $fail
