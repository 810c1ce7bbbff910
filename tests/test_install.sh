#!/bin/sh
# The installed feynn (TAP): `make install DESTDIR=...` of this build; the installed program
# reads its installed rules first (not the source tree's), even though the staged prefix is not
# the one configure chose; and a C program built against the installed headers and library
# with pkg-config (feynn.pc), shared and static, loads those rules through the public API and
# gets tanh's second derivative polynomial, -2 s + 2 s^3 (tanh'' = -2 tanh (1 - tanh^2)).
top="${FY_TOP_SRCDIR:-.}"
b="${FY_TOP_BUILDDIR:-.}"
n=0; fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' install_t.err | head -20; fail=1; }
# outside the build tree: a program inside it counts as the uninstalled one
d=$(mktemp -d "${TMPDIR:-/tmp}/feynn_install_t.XXXXXX") || exit 1
# a private make: no jobserver of the surrounding `make check`
if env MAKEFLAGS= MFLAGS= make -s -C "$b" install DESTDIR="$d/stage" >install_t.err 2>&1; then
    ok "make install DESTDIR"; else no "make install DESTDIR"; echo "1..$n"; exit 1; fi
prefix=$(sed -n 's/^prefix=//p' "$b/feynn.pc")
root="$d/stage$prefix"
lib=$(sed -n 's/^libdir=//p' "$b/feynn.pc" | sed "s|\${exec_prefix}|$prefix|; s|\${prefix}|$prefix|")
export LD_LIBRARY_PATH="$d/stage$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
rules=$(cd "$root/share/feynn/rules" 2>/dev/null && pwd -P)
if [ -n "$rules" ] && [ -f "$rules/activations.rules" ]; then ok "rules installed"
else echo "no $root/share/feynn/rules/activations.rules" >install_t.err; no "rules installed"; fi

if [ -f "$root/share/feynn/schema/taylor.schema.json" ] && [ -f "$root/share/doc/feynn/math.md" ]
then ok "JSON schemas and notes installed"
else echo "no $root/share/feynn/schema/taylor.schema.json or share/doc/feynn/math.md" >install_t.err
    no "JSON schemas and notes installed"; fi

"$root/bin/feynn" rules list --format json >install_t.out 2>install_t.err
first=$(tr -d '\n ' <install_t.out | sed 's/.*"search_path":\["\([^"]*\)".*/\1/')
if [ "$first" = "$rules" ]; then ok "the installed feynn reads its installed rules first"
else echo "search path starts with '$first', want '$rules'" >install_t.err
    no "the installed feynn reads its installed rules first"; fi
"$root/bin/feynn" rules show tanh --order 2 --format json >install_t.out 2>install_t.err
if grep -q "\"file\": \"$rules/activations.rules\"" install_t.out; then
    ok "rules show names the installed file"
else cp install_t.out install_t.err; no "rules show names the installed file"; fi

# the public API through pkg-config
cat >"$d/prog.c" <<'CEOF'
#include <stdio.h>
#include <string.h>
#include <feynn/feynn.h>

int main(void)
{
    fy_error_t err;
    fy_rules_t r;
    const fy_activation_struct *a;
    fmpq_poly_t P;
    char *s;
    int ok;
    fy_error_init(err);
    fy_rules_init(r);
    if (fy_rules_load_default(r, err) != FY_OK)
    {
        fprintf(stderr, "%s\n", err->msg);
        return 1;
    }
    a = fy_rules_activation(r, "tanh");
    if (a == NULL)
        return 1;
    fmpq_poly_init(P);
    if (fy_activation_poly(P, a, 2, err) != FY_OK)
        return 1;
    s = fy_rules_poly_string(P, "s");
    printf("%s\n", s);
    ok = strcmp(s, "-2*s + 2*s^3") == 0;
    flint_free(s);
    fmpq_poly_clear(P);
    fy_rules_clear(r);
    return ok ? 0 : 1;
}
CEOF
if ! command -v pkg-config >/dev/null 2>&1; then
    n=$((n + 1)); echo "ok $n - public API program # SKIP pkg-config not installed"
else
    pc="pkg-config --define-variable=prefix=$root"
    export PKG_CONFIG_PATH="$d/stage$lib/pkgconfig"
    # the program sits in BINDIR beside feynn, so it too finds the installed rules first
    san=$(sed -n 's/^SAN_CFLAGS = //p' "$b/Makefile") # a sanitizer build's library needs it
    if ${CC:-cc} $san -o "$root/bin/prog" $($pc --cflags feynn) "$d/prog.c" $($pc --libs feynn) \
        >install_t.err 2>&1; then ok "a program compiles and links against the installed feynn"
    else no "a program compiles and links against the installed feynn"; fi
    if "$root/bin/prog" >install_t.out 2>install_t.err; then
        ok "installed headers and library: tanh P_2 = -2*s + 2*s^3"
    else cat install_t.out >>install_t.err; no "installed headers and library: tanh P_2"; fi
    # static: libfeynn.a with what `pkg-config --static` lists (Libs.private must be complete)
    if [ -f "$d/stage$lib/libfeynn.a" ]; then
        libs=$($pc --static --libs feynn | sed "s|-lfeynn|$d/stage$lib/libfeynn.a|")
        if ${CC:-cc} $san -o "$root/bin/prog_static" $($pc --cflags feynn) "$d/prog.c" $libs \
            >install_t.err 2>&1 && "$root/bin/prog_static" >install_t.out 2>>install_t.err; then
            ok "static libfeynn.a with pkg-config --static: tanh P_2 = -2*s + 2*s^3"
        else no "static libfeynn.a with pkg-config --static"; fi
    else n=$((n + 1)); echo "ok $n - static link # SKIP no libfeynn.a (configured --disable-static)"
    fi
fi
echo "1..$n"
[ "$fail" = 0 ] && rm -rf "$d" install_t.out install_t.err
exit "$fail"
