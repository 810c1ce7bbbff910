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

# feynn.h includes every public header (issue 9: a program that includes only feynn/feynn.h
# finds every module's types), and every public header of the source tree is installed
hdrs=$(cd "$top/include/feynn" && ls ./*.h | sed 's|^\./||')
missing=""; absent=""
for h in $hdrs; do
    [ -f "$root/include/feynn/$h" ] || absent="$absent $h"
    [ "$h" = feynn.h ] && continue
    grep -q "^#include \"feynn/$h\"" "$root/include/feynn/feynn.h" 2>/dev/null || missing="$missing $h"
done
if [ -z "$absent" ]; then ok "every public header is installed"
else echo "include/feynn/ headers not installed (add them to pkginclude_HEADERS):$absent" \
    >install_t.err; no "every public header is installed"; fi
if [ -z "$missing" ]; then ok "feynn/feynn.h includes every public header"
else echo "feynn/feynn.h does not include:$missing" >install_t.err
    no "feynn/feynn.h includes every public header"; fi

# the public API through pkg-config: one program, only <feynn/feynn.h>, that reaches the
# rules, the graph generator (nauty) and the MLP tensors in double (CBLAS, OpenMP), so that
# the static link needs every library of Libs.private
cat >"$d/prog.c" <<'CEOF'
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <feynn/feynn.h>

/* tanh's second derivative polynomial from the installed rules: -2 s + 2 s^3. */
static int rules_part(const fy_rules_t r, fy_error_t err)
{
    const fy_activation_struct *a = fy_rules_activation(r, "tanh");
    fmpq_poly_t P;
    char *s;
    int ok;
    if (a == NULL)
        return 0;
    fmpq_poly_init(P);
    if (fy_activation_poly(P, a, 2, err) != FY_OK)
        return 0;
    s = fy_rules_poly_string(P, "s");
    printf("%s\n", s);
    ok = strcmp(s, "-2*s + 2*s^3") == 0;
    flint_free(s);
    fmpq_poly_clear(P);
    return ok;
}

/* The vacuum graphs of two quartic vertices: 3 graphs, and the sum of 1/|Aut| is the number
 * of Wick pairings of 8 half-edges over 4!^2 2!: 105/1152 = 35/384. */
static int feynman_part(fy_error_t err)
{
    fy_feynman_spec_t spec;
    fmpq_t w, want;
    long n = 0;
    int ok;
    fy_feynman_spec_init(spec);
    fmpq_init(w);
    fmpq_init(want);
    fmpq_set_si(want, 105, 24 * 24 * 2);
    ok = fy_feynman_spec_parse_vertices(spec, "4:2", err) == FY_OK &&
         fy_feynman_count(&n, w, NULL, spec, err) == FY_OK && n == 3 && fmpq_equal(w, want);
    printf("vacuum 4:2: %ld graphs, sum of 1/|Aut| ", n);
    fmpq_print(w);
    printf("\n");
    fmpq_clear(w);
    fmpq_clear(want);
    fy_feynman_spec_clear(spec);
    return ok;
}

/* F(x) = 3 tanh(2 x + 1/2) in double: F''(0) = 12 tanh''(1/2), tanh'' = -2 t (1 - t^2). */
static int mlp_part(const fy_rules_t r, fy_error_t err)
{
    static const char text[] = "feynn-model 1\ninput 1\nactivation tanh\n"
                               "layer 1\n2\nbias 1/2\nlayer 1\n3\n";
    fy_net_opts_t o;
    fy_net_t net;
    fy_mlp_t m;
    fy_symtensor_t T;
    double t = tanh(0.5), want = 12 * (-2 * t * (1 - t * t)), got = NAN;
    fy_net_opts_init(o);
    fy_net_init(net);
    fy_mlp_init(m);
    fy_symtensor_init_empty(T);
    if (fy_net_read_text_buffer(net, text, sizeof text - 1, "prog", o, err) == FY_OK &&
        fy_mlp_set_net(m, net, r, FY_ARITH_DOUBLE, 0, err) == FY_OK &&
        fy_mlp_set_point(m, NULL, 2, err) == FY_OK && fy_mlp_tensor(T, m, 0, 2, err) == FY_OK)
        got = fy_numvec_d(&T->e)[0];
    printf("F''(0) = %.17g, closed form %.17g\n", got, want);
    fy_symtensor_clear(T);
    fy_mlp_clear(m);
    fy_net_clear(net);
    return fabs(got - want) <= 1e-12 * fabs(want);
}

int main(void)
{
    fy_error_t err;
    fy_rules_t r;
    int ok;
    fy_error_init(err);
    fy_rules_init(r);
    if (fy_rules_load_default(r, err) != FY_OK)
    {
        fprintf(stderr, "%s\n", err->msg);
        return 1;
    }
    ok = rules_part(r, err);
    ok &= feynman_part(err);
    ok &= mlp_part(r, err);
    if (!ok && err->msg[0])
        fprintf(stderr, "%s\n", err->msg);
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
        ok "installed headers and library: tanh P_2, vacuum 4:2 35/384, MLP F''(0)"
    else cat install_t.out >>install_t.err; no "installed headers and library: tanh P_2, vacuum, MLP"; fi
    # static: libfeynn.a with what `pkg-config --static` lists (Libs.private must be complete)
    if [ -f "$d/stage$lib/libfeynn.a" ]; then
        libs=$($pc --static --libs feynn | sed "s|-lfeynn|$d/stage$lib/libfeynn.a|")
        if ${CC:-cc} $san -o "$root/bin/prog_static" $($pc --cflags feynn) "$d/prog.c" $libs \
            >install_t.err 2>&1 && "$root/bin/prog_static" >install_t.out 2>>install_t.err; then
            ok "static libfeynn.a with pkg-config --static: tanh P_2, vacuum 4:2, MLP F''(0)"
        else cat install_t.out >>install_t.err; no "static libfeynn.a with pkg-config --static"; fi
    else n=$((n + 1)); echo "ok $n - static link # SKIP no libfeynn.a (configured --disable-static)"
    fi
fi
echo "1..$n"
[ "$fail" = 0 ] && rm -rf "$d" install_t.out install_t.err
exit "$fail"
