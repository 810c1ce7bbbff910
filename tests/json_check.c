/* json_check: validates JSON with jansson for the shell tests (python may be absent).
 *   json_check FILE [KEY=VALUE...]
 * Exit 0 when FILE (or - for stdin) is one JSON object and each top-level KEY has VALUE
 * (compared as compact JSON text: widths=[3,8,8,1], format="safetensors", parameters=113);
 * KEY=? only requires the key, KEY=#number and KEY=#bool its type; a KEY with dots
 * (first_order.rel_frobenius, orders.0.cosine) walks into nested objects and arrays.  Exit 1 otherwise, with the reason
 * on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int main(int argc, char **argv)
{
    json_error_t jerr;
    json_t *root;
    int i, bad = 0;

    if (argc < 2)
    {
        fprintf(stderr, "usage: json_check FILE [KEY=VALUE...]\n");
        return 2;
    }
    root = strcmp(argv[1], "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
                                     : json_load_file(argv[1], JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
    {
        fprintf(stderr, "json_check: %s:%d:%d: %s\n", argv[1], jerr.line, jerr.column, jerr.text);
        return 1;
    }
    if (!json_is_object(root))
    {
        fprintf(stderr, "json_check: %s: not an object\n", argv[1]);
        json_decref(root);
        return 1;
    }
    for (i = 2; i < argc; i++)
    {
        char *eq = strchr(argv[i], '='), *got;
        json_t *v;
        if (eq == NULL)
        {
            fprintf(stderr, "json_check: bad test '%s'\n", argv[i]);
            bad = 1;
            continue;
        }
        *eq = '\0';
        v = json_object_get(root, argv[i]);
        if (v == NULL && strchr(argv[i], '.') != NULL)
        {
            /* a dotted path into nested objects */
            char *p = argv[i], *dot;
            v = root;
            while (v != NULL && p != NULL)
            {
                dot = strchr(p, '.');
                if (dot != NULL)
                    *dot = '\0';
                if (json_is_array(v) && *p >= '0' && *p <= '9')
                    v = json_array_get(v, (size_t) strtoul(p, NULL, 10));
                else
                    v = json_is_object(v) ? json_object_get(v, p) : NULL;
                if (dot != NULL)
                    *dot = '.';
                p = dot ? dot + 1 : NULL;
            }
        }
        if (v == NULL)
        {
            fprintf(stderr, "json_check: key '%s' missing\n", argv[i]);
            bad = 1;
            continue;
        }
        if (strcmp(eq + 1, "?") == 0)
            continue;
        if (strcmp(eq + 1, "#number") == 0 || strcmp(eq + 1, "#bool") == 0)
        {
            int okt = eq[2] == 'n' ? json_is_number(v) : json_is_boolean(v);
            if (!okt)
            {
                fprintf(stderr, "json_check: %s is not a %s\n", argv[i], eq + 2);
                bad = 1;
            }
            continue;
        }
        got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (got == NULL || strcmp(got, eq + 1) != 0)
        {
            fprintf(stderr, "json_check: %s is %s, expected %s\n", argv[i], got ? got : "?",
                    eq + 1);
            bad = 1;
        }
        free(got);
    }
    json_decref(root);
    return bad;
}
