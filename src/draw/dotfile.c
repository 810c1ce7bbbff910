/* dotfile.c - a diagram as a figure file: DOT text with a caption below the picture, written
 * atomically, and its PDF through Graphviz's dot program when it is on PATH (draw.h).  The
 * demos' largest diagrams (Born-Taylor, the learned INN quartic) are written through here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/draw.h"
#include "feynn/util.h"

#define FY_DOT_DPI "300" /* the PNG beside each diagram PDF, as FY_PLOT_DPI */

int fy_draw_dot_caption(char **out, const char *dot, const char *caption, fy_error_t err)
{
    const char *brace = strchr(dot, '{'), *c;
    fy_strbuf_t b;
    *out = NULL;
    if (brace == NULL)
        return fy_error_set(err, FY_EINPUT, "a DOT text without '{' cannot take a caption");
    fy_strbuf_init(b);
    fy_strbuf_printf(b, "%.*s\n\tlabel=\"", (int) (brace - dot + 1), dot);
    for (c = caption; *c; c++)
    {
        if (*c == '\n')
            fy_strbuf_puts(b, "\\n");
        else if (*c == '"' || *c == '\\')
            fy_strbuf_printf(b, "\\%c", *c);
        else
            fy_strbuf_putc(b, *c);
    }
    fy_strbuf_printf(b, "\";\n\tlabelloc=b;\n\tfontsize=10;\n%s", brace + 1);
    return fy_strbuf_take(out, b, err);
}

int fy_draw_dot_write(const char *path, const char *text, int *pdf, fy_error_t err)
{
    size_t n = strlen(path);
    int status;
    *pdf = 0;
    if (n < 5 || strcmp(path + n - 4, ".dot") != 0)
        return fy_error_set(err, FY_EINPUT, "%s: a DOT figure's file name ends in .dot", path);
    if ((status = fy_file_write_atomic(path, text, strlen(text), err)) != FY_OK)
        return status;
    if (fy_program_available("dot"))
    {
        char *pdfpath = malloc(n + 1), *av[6];
        if (pdfpath == NULL)
            return fy_error_set(err, FY_ENOMEM, "%s: out of memory", path);
        memcpy(pdfpath, path, n - 3);
        strcpy(pdfpath + n - 3, "pdf");
        av[0] = (char *) "dot";
        av[1] = (char *) "-Tpdf";
        av[2] = (char *) path;
        av[3] = (char *) "-o";
        av[4] = pdfpath;
        av[5] = NULL;
        *pdf = fy_program_run(av) == 0; /* the .dot stays when dot fails */
        if (*pdf) /* and the PNG beside it, as every figure (issue 10 items 14, 18) */
        {
            char *dpi[7] = {(char *) "dot", (char *) "-Tpng", (char *) "-Gdpi=" FY_DOT_DPI,
                            (char *) path, (char *) "-o", pdfpath, NULL};
            strcpy(pdfpath + n - 3, "png");
            *pdf = fy_program_run(dpi) == 0;
        }
        free(pdfpath);
    }
    return FY_OK;
}
