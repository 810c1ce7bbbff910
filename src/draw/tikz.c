/* TikZ for pdfLaTeX: the graph of a diagram laid out by Graphviz's dot engine (libgvc), written
 * with explicit coordinates (in bp, Graphviz's points) and the Bezier control points of every
 * edge.  Plain TikZ plus arrows.meta (multiple arrow tips: one per derivative). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "config.h"
#include "draw/draw_impl.h"

/* libgvc (the dot layout) is not linked: opened on the first picture, through util/dl.h. */
#define GVC_SYMS(X) X(gvContext) X(gvLayout) X(gvFreeLayout)
typedef struct
{
    GVC_SYMS(FY_DL_PTR)
} gvc_api;
static gvc_api gvc_fn;
#define GVC_SYM(name) {#name, (void **) &gvc_fn.p_##name},
static const fy_dl_sym_struct gvc_syms[] = {GVC_SYMS(GVC_SYM){NULL, NULL}};
static fy_dl_lib_struct gvc_lib = {"Graphviz gvc", FY_SONAME_GVC, FY_PATH_GVC, "libgraphviz-dev",
                                   0, gvc_syms, 0, NULL, ""};
#define gvContext (gvc_fn.p_gvContext)
#define gvLayout (gvc_fn.p_gvLayout)
#define gvFreeLayout (gvc_fn.p_gvFreeLayout)

const char *fy_draw_tikz_preamble(void)
{
    /* Every tikzpicture of the document on a page of its own, cropped to the picture plus a
     * border of 4pt, with nothing beyond texlive-latex-base and texlive-pictures: the
     * standalone class (texlive-latex-extra) and the preview package (texlive-latex-extra)
     * are not needed.  The environment is redefined to set the picture in a box; the box is
     * shipped out on a page whose size pdfTeX takes from \pdfpagewidth / \pdfpageheight at
     * that moment (LuaTeX calls them \pagewidth / \pageheight).  Pictures never share a page,
     * so several pictures on standard output cannot overlap. */
    return "\\documentclass{article}\n"
           "\\usepackage{tikz}\n"
           "\\usetikzlibrary{arrows.meta}\n"
           "% one tight page per picture (pdfTeX page size primitives; no standalone class)\n"
           "\\ifdefined\\pdfpagewidth\\else\\let\\pdfpagewidth\\pagewidth"
           "\\let\\pdfpageheight\\pageheight\\fi\n"
           "\\makeatletter\n"
           "\\newbox\\fy@pic\n"
           "\\let\\fy@tikzpicture\\tikzpicture\n"
           "\\let\\fy@endtikzpicture\\endtikzpicture\n"
           "\\renewenvironment{tikzpicture}{\\setbox\\fy@pic\\hbox\\bgroup\\fy@tikzpicture}\n"
           "  {\\fy@endtikzpicture\\egroup\\fy@ship}\n"
           "\\def\\fy@ship{\\begingroup\n"
           "  \\pdfpagewidth=\\dimexpr\\wd\\fy@pic+8pt\\relax\n"
           "  \\pdfpageheight=\\dimexpr\\ht\\fy@pic+\\dp\\fy@pic+8pt\\relax\n"
           "  \\hoffset=-1in \\voffset=-1in\n"
           "  \\shipout\\vbox{\\kern4pt\\hbox{\\kern4pt\\box\\fy@pic\\kern4pt}\\kern4pt}%\n"
           "  \\endgroup}\n"
           "\\makeatother\n"
           "\\begin{document}\n";
}

const char *fy_draw_latex_preamble(void)
{
    return "\\documentclass{article}\n"
           "\\usepackage{amsmath}\n"
           "\\usepackage{tikz}\n"
           "\\usetikzlibrary{arrows.meta}\n"
           "\\allowdisplaybreaks\n"
           "\\begin{document}\n";
}

const char *fy_draw_document_end(void)
{
    return "\\end{document}\n";
}

static void put_point(fy_draw_sb *b, pointf p)
{
    fy_draw_sb_printf(b, "(%.2f,%.2f)", p.x, p.y);
}

/* A TikZ node or path option list: base options and the kind's style. */
static void options(fy_draw_sb *b, const char *base, const char *extra)
{
    int any = base[0] || (extra && extra[0]);
    if (!any)
        return;
    fy_draw_sb_puts(b, "[");
    fy_draw_sb_puts(b, base);
    if (extra && extra[0])
    {
        if (base[0])
            fy_draw_sb_puts(b, ",");
        fy_draw_sb_puts(b, extra);
    }
    fy_draw_sb_puts(b, "]");
}

static void write_edge(fy_draw_sb *b, const fy_draw_gedge *ge, Agedge_t *e)
{
    splines *spl = ED_spl(e);
    char tips[256];
    int i, j;

    tips[0] = '\0';
    if (ge->arrows > 0)
    {
        /* As many tips as Graphviz made room for (at most 4; the label gives larger k). */
        int k = ge->arrows < 4 ? ge->arrows : 4;
        strcpy(tips, "-{");
        for (i = 0; i < k; i++)
            strcat(tips, i ? " Stealth[length=5bp]" : "Stealth[length=5bp]");
        strcat(tips, "}");
    }
    if (spl == NULL || spl->size == 0)
    {
        /* No route (should not happen with dot): a straight line between the centres. */
        fy_draw_sb_puts(b, "\\draw");
        options(b, tips, ge->tikz);
        fy_draw_sb_printf(b, " (%s) -- (%s);\n", agnameof(agtail(e)), agnameof(aghead(e)));
        return;
    }
    for (j = 0; j < spl->size; j++)
    {
        bezier *bz = &spl->list[j];
        if (bz->size < 1)
            continue;
        fy_draw_sb_puts(b, "\\draw");
        /* Graphviz stops the curve at the base of the arrowheads (ep). */
        options(b, bz->eflag ? tips : "", ge->tikz);
        fy_draw_sb_puts(b, " ");
        if (bz->sflag)
        {
            put_point(b, bz->sp);
            fy_draw_sb_puts(b, " -- ");
        }
        put_point(b, bz->list[0]);
        for (i = 1; i + 2 < bz->size; i += 3)
        {
            fy_draw_sb_puts(b, " .. controls ");
            put_point(b, bz->list[i]);
            fy_draw_sb_puts(b, " and ");
            put_point(b, bz->list[i + 1]);
            fy_draw_sb_puts(b, " .. ");
            put_point(b, bz->list[i + 2]);
        }
        if (bz->eflag)
        {
            fy_draw_sb_puts(b, " -- ");
            put_point(b, bz->ep);
        }
        fy_draw_sb_puts(b, ";\n");
    }
}

/* One Graphviz context for the process.  Graphviz 2.43 keeps the last font name of its text
 * size estimate in a static variable that outlives gvFreeContext, so a second context reads
 * freed memory (AddressSanitizer shows it); one long-lived context avoids that.  Graphviz is
 * not thread-safe, and neither is drawing TikZ. */
static GVC_t *draw_gvc = NULL;

static GVC_t *gvc_get(void)
{
    if (draw_gvc == NULL)
        draw_gvc = gvContext();
    return draw_gvc;
}

/* The edge of the laid-out copy that corresponds to e: the same end names, and the same rank
 * among the parallel edges between them. */
static Agedge_t *match_edge(Agraph_t *g2, const fy_draw_graph *G, int idx)
{
    Agedge_t *e = G->edges[idx].edge, *f;
    Agnode_t *t2 = fy_ag_find_node(g2, agnameof(agtail(e)));
    Agnode_t *h2 = fy_ag_find_node(g2, agnameof(aghead(e)));
    int rank = 0, i;
    if (t2 == NULL || h2 == NULL)
        return NULL;
    for (i = 0; i < idx; i++)
        if (agtail(G->edges[i].edge) == agtail(e) && aghead(G->edges[i].edge) == aghead(e))
            rank++;
    for (f = agfstout(g2, t2); f != NULL; f = agnxtout(g2, f))
        if (aghead(f) == h2 && rank-- == 0)
            return f;
    return NULL;
}

int fy_draw_tikz(char **out, const fy_diagram_t d, const fy_draw_options_t opt, fy_error_t err)
{
    fy_draw_graph G;
    fy_draw_sb b;
    GVC_t *gvc;
    Agraph_t *g2;
    char *dot = NULL;
    size_t len = 0;
    FILE *fp;
    int rc, i;

    *out = NULL;
    if ((rc = fy_dl_load(&gvc_lib, err)) != FY_OK)
        return rc;
    if ((rc = fy_draw_graph_build(&G, d, opt, err)) != FY_OK)
        return rc;
    /* Lay out the DOT text as written, so that the picture is the one `dot` draws from the
     * emitted file (node order in the text steers dot's ordering within ranks). */
    fp = open_memstream(&dot, &len);
    if (fp == NULL)
    {
        fy_draw_graph_clear(&G);
        return fy_error_set(err, FY_ENOMEM, "cannot open a memory stream");
    }
    rc = agwrite(G.g, fp);
    if (fclose(fp) != 0 || rc != 0 || (g2 = agmemread(dot)) == NULL)
    {
        free(dot);
        fy_draw_graph_clear(&G);
        return fy_error_set(err, FY_ENOMEM, "cannot write and read back the DOT text");
    }
    free(dot);
    gvc = gvc_get();
    if (gvc == NULL)
    {
        agclose(g2);
        fy_draw_graph_clear(&G);
        return fy_error_set(err, FY_ENOMEM, "cannot create a Graphviz context");
    }
    if (gvLayout(gvc, g2, "dot") != 0)
    {
        agclose(g2);
        fy_draw_graph_clear(&G);
        return fy_error_set(err, FY_EUNSUPPORTED,
                            "the Graphviz dot layout failed (is the dot plugin installed? "
                            "run 'dot -c' as root)");
    }
    fy_draw_sb_init(&b);
    fy_draw_sb_printf(&b,
                      "%% feynn: %s diagram; coordinates in bp from the Graphviz dot layout\n"
                      "\\begin{tikzpicture}[x=1bp,y=1bp,line cap=round,"
                      "every node/.style={inner sep=1.5bp}]\n",
                      G.view.theory[0] ? G.view.theory : "a");
    for (i = 0; i < G.nn; i++)
    {
        const fy_draw_gnode *gn = &G.nodes[i];
        const char *nm = agnameof(gn->node);
        Agnode_t *n2 = fy_ag_find_node(g2, nm);
        pointf c;
        if (n2 == NULL)
        {
            rc = fy_error_set(err, FY_EINTERNAL, "node %s lost in the DOT round trip", nm);
            break;
        }
        c = ND_coord(n2);
        if (gn->type == FY_GNODE_STUB)
        {
            fy_draw_sb_printf(&b, "\\coordinate (%s) at ", nm);
            put_point(&b, c);
            fy_draw_sb_puts(&b, ";\n");
            continue;
        }
        fy_draw_sb_puts(&b, "\\node");
        if (gn->type == FY_GNODE_VERTEX)
        {
            /* the kind's style, then the size Graphviz laid the lines out for (so that they
             * end on the circle), then the vertex's label below it (Born ladders) */
            char size[320];
            int n = snprintf(size, sizeof size, "minimum size=%.2fbp", ND_width(n2) * 72.0);
            if (gn->latex != NULL && gn->latex[0] && n > 0 && (size_t) n < sizeof size)
                snprintf(size + n, sizeof size - (size_t) n,
                         ",label={[inner sep=1bp]below:$%s$}", gn->latex);
            fy_draw_sb_puts(&b, "[circle,fill,inner sep=0pt");
            if (gn->tikz[0])
                fy_draw_sb_printf(&b, ",%s", gn->tikz);
            fy_draw_sb_printf(&b, ",%s]", size);
        }
        else if (strcmp(gn->tikz, "gray") == 0)
            options(&b, "text=gray", NULL);
        else if (gn->outside == 1 && gn->latex != NULL && gn->latex[0])
        {
            /* a dot with its text below (inputs, legs) or above (the output) */
            char base[320];
            snprintf(base, sizeof base, "label={[inner sep=1bp]%s:$%s$}",
                     G.view.orient == 1 && c.y > 0.5 * GD_bb(g2).UR.y ? "above" : "below",
                     gn->latex);
            options(&b, gn->tikz, base);
        }
        else
            options(&b, "", gn->tikz);
        fy_draw_sb_printf(&b, " (%s) at ", nm);
        put_point(&b, c);
        if (gn->type == FY_GNODE_VERTEX || gn->outside == 1 || gn->latex == NULL ||
            gn->latex[0] == '\0')
            fy_draw_sb_puts(&b, " {};\n");
        else
            fy_draw_sb_printf(&b, " {$%s$};\n", gn->latex);
    }
    for (i = 0; i < G.ne && rc == FY_OK; i++)
    {
        Agedge_t *e2 = match_edge(g2, &G, i);
        const char *lab;
        textlabel_t *tl;
        if (e2 == NULL)
        {
            rc = fy_error_set(err, FY_EINTERNAL, "edge %d lost in the DOT round trip", i);
            break;
        }
        write_edge(&b, &G.edges[i], e2);
        /* Label of a line with more arrowheads than Graphviz stacks. */
        lab = fy_ag_get(e2, "label");
        tl = ED_label(e2);
        if (lab != NULL && lab[0] && tl != NULL)
        {
            fy_draw_sb_puts(&b, "\\node[font=\\scriptsize] at ");
            put_point(&b, tl->pos);
            fy_draw_sb_printf(&b, " {%s};\n", lab);
        }
    }
    fy_draw_sb_puts(&b, "\\end{tikzpicture}\n");
    gvFreeLayout(gvc, g2);
    agclose(g2);
    fy_draw_graph_clear(&G);
    if (rc != FY_OK)
    {
        fy_draw_sb_clear(&b);
        return rc;
    }
    return fy_draw_sb_take(out, &b, err);
}
