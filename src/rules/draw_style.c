/* The rules module's style callback for the draw module: labels and styles of kinds come from
 * the loaded rule files (see fy_rules_draw_style in feynn/rules.h). */
#include "rules/rules_impl.h"

int fy_rules_draw_style(fy_draw_style_struct *style, void *ctx, const fy_family_struct *family,
                        int what, int kind, fy_error_t err)
{
    const fy_rules_struct *r = ctx;
    const fy_kind_struct *k;
    fy_kind_class_t cls;

    (void) err;
    if (r == NULL || family == NULL)
        return FY_OK;
    if (what == FY_DRAW_VERTEX)
        cls = FY_KIND_VERTEX;
    else if (what == FY_DRAW_LINE)
        cls = FY_KIND_LINE;
    else if (what == FY_DRAW_LEG)
        cls = FY_KIND_LEG;
    else
        return FY_OK;
    k = fy_rules_family_kind(r, family, cls, kind);
    if (k == NULL)
        return FY_OK;
    if (k->dot[0] != '\0')
        style->dot = k->dot;
    if (k->tikz[0] != '\0')
        style->tikz = k->tikz;
    if (k->label_given)
        style->latex = k->label;
    if (k->arrows != FY_ARROWS_DEFAULT)
        style->arrows = (int) k->arrows;
    return FY_OK;
}
