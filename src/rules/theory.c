/* Theories read from rule files: kinds of vertices, lines and legs with their constraints,
 * labels and styles, looked up by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_impl.h"

const char *fy_kind_class_name(fy_kind_class_t cls)
{
    switch (cls)
    {
    case FY_KIND_VERTEX: return "vertex";
    case FY_KIND_LINE: return "line";
    case FY_KIND_LEG: return "leg";
    default: return "?";
    }
}

const char *fy_arrows_name(fy_arrows_t a)
{
    switch (a)
    {
    case FY_ARROWS_DEFAULT: return "default";
    case FY_ARROWS_NONE: return "none";
    case FY_ARROWS_ONE: return "one";
    case FY_ARROWS_PER_DERIVATIVE: return "per-derivative";
    case FY_ARROWS_PER_LEVEL: return "per-level";
    default: return "?";
    }
}

void fy_theory_init(fy_theory_t th)
{
    memset(th, 0, sizeof *th);
    th->sign = 1;
}

static void kind_clear(fy_kind_struct *k)
{
    free(k->name);
    free(k->description);
    free(k->level_min.symbol);
    free(k->level_max.symbol);
    free(k->label);
    free(k->value);
    free(k->dot);
    free(k->tikz);
}

void fy_theory_clear(fy_theory_t th)
{
    int i;
    free(th->name);
    free(th->description);
    free(th->generator);
    for (i = 0; i < th->nsymbols; i++)
    {
        free(th->symbols[i]);
        free(th->symbol_descriptions[i]);
    }
    free(th->symbols);
    free(th->symbol_descriptions);
    for (i = 0; i < th->nkinds; i++)
        kind_clear(th->kinds + i);
    free(th->kinds);
    free(th->file);
    memset(th, 0, sizeof *th);
}

const fy_kind_struct *fy_theory_kind(const fy_theory_t th, fy_kind_class_t cls, const char *name)
{
    int i;
    if (name == NULL)
        return NULL;
    for (i = 0; i < th->nkinds; i++)
        if (th->kinds[i].cls == cls && strcmp(th->kinds[i].name, name) == 0)
            return th->kinds + i;
    return NULL;
}

static int in_range(int x, int lo, int hi)
{
    return x >= lo && (hi == FY_RULES_UNBOUNDED || x <= hi);
}

int fy_kind_valence_ok(const fy_kind_struct *k, int valence)
{
    return in_range(valence, k->valence_min, k->valence_max);
}

int fy_kind_children_ok(const fy_kind_struct *k, int children)
{
    return in_range(children, k->children_min, k->children_max);
}

int fy_kind_legs_ok(const fy_kind_struct *k, int legs)
{
    return in_range(legs, k->legs_min, k->legs_max);
}

static int bound_value(long *v, const fy_level_bound_struct *b, const char *const *names,
                       const long *values, int n)
{
    int i;
    if (b->symbol == NULL)
    {
        *v = b->offset;
        return 0;
    }
    for (i = 0; i < n; i++)
        if (names[i] != NULL && strcmp(names[i], b->symbol) == 0)
        {
            *v = values[i] + b->offset;
            return 0;
        }
    return -1;
}

int fy_kind_level_ok(const fy_kind_struct *k, long level, const char *const *names,
                     const long *values, int n)
{
    long lo, hi;
    if (!k->has_level)
        return 1;
    if (bound_value(&lo, &k->level_min, names, values, n) != 0 ||
        bound_value(&hi, &k->level_max, names, values, n) != 0)
        return -1;
    return level >= lo && level <= hi;
}

size_t fy_rules_format_label(char *buf, size_t n, const char *tmpl, const fy_label_vars_struct *v)
{
    size_t len = 0;
    const char *p;
    char num[32];

#define PUT(c)                                                                                     \
    do                                                                                             \
    {                                                                                              \
        if (len + 1 < n)                                                                           \
            buf[len] = (c);                                                                        \
        len++;                                                                                     \
    } while (0)

    for (p = tmpl; *p != '\0'; p++)
    {
        long x = -1;
        const char *q;
        if (*p != '%' || p[1] == '\0')
        {
            PUT(*p);
            continue;
        }
        p++;
        switch (*p)
        {
        case 'k': x = v ? v->k : -1; break;
        case 'l': x = v ? v->l : -1; break;
        case 'm': x = v ? v->m : -1; break;
        case 'i': x = v ? v->i : -1; break;
        case '%':
            PUT('%');
            continue;
        default:
            PUT('%');
            PUT(*p);
            continue;
        }
        if (x < 0)
        {
            PUT(*p);
            continue;
        }
        snprintf(num, sizeof num, "%ld", x);
        for (q = num; *q; q++)
            PUT(*q);
    }
#undef PUT
    if (n > 0)
        buf[len < n ? len : n - 1] = '\0';
    return len;
}
