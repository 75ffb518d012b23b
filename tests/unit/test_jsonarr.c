/* Unit tests: number vectors from JSON-ish text, CSV rows and columns. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "faceaudit/parse_jsonarr.h"

typedef struct { int n; size_t dim; long line; char path[128]; fa_vcont c; double last; } got;
static void cb(void *u, const fa_tvec *tv)
{
    got *g = u;
    g->n++; g->dim = tv->dim; g->line = tv->line; g->c = tv->container; g->last = tv->v[tv->dim - 1];
    snprintf(g->path, sizeof g->path, "%s", tv->path);
}

static void feed(fa_jsonarr *j, const char *text)
{
    long line = 1;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fa_jsonarr_line(j, p, n, line++);
        p += n + (nl ? 1 : 0);
    }
}

Test(jsonarr, numbers)
{
    double d;
    cr_assert_eq(fa_parse_number("-0.125e1,", "-0.125e1," + 9, &d), 8);
    cr_assert_float_eq(d, -1.25, 1e-15);
    cr_assert_eq(fa_parse_number("3.14159265358979323846", "3.14159265358979323846" + 22, &d), 22);
    cr_assert_float_eq(d, 3.141592653589793, 1e-15);
    cr_assert_eq(fa_parse_number("abc", "abc" + 3, &d), 0);
}

Test(jsonarr, key_path_and_line_across_lines)
{
    got g = { 0 };
    fa_jsonarr *j = fa_jsonarr_new(cb, &g);
    feed(j, "{\n \"faces\": [\n  {\"id\": 1,\n   \"embedding\": [\n 0.5,\n -0.25,\n 0.125\n ]}\n ]\n}\n");
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.path, "$.faces[*].embedding");
    cr_assert_eq(g.line, 4);
    cr_assert_eq(g.dim, 3);
    cr_assert_float_eq(g.last, 0.125, 1e-15);
    cr_assert(!fa_jsonarr_open(j));
    fa_jsonarr_free(j);
}

Test(jsonarr, log_prefix_pgvector_and_strings)
{
    got g = { 0 };
    fa_jsonarr *j = fa_jsonarr_new(cb, &g);
    feed(j, "7\talice\t[0.1,-0.2,0.3]\n");
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.c, FA_VC_PGVECTOR);
    feed(j, "{\"vec\": \"[1.5, 2.5, -3.5]\"}\n");
    cr_assert_eq(g.n, 2);
    cr_assert_str_eq(g.path, "$.vec");
    cr_assert_float_eq(g.last, -3.5, 1e-15);
    /* mixed arrays and log brackets are not vectors; an unclosed bracket does not leak */
    feed(j, "[INFO] started [1, \"a\", 2]\n[WARN oops\n{\"x\": [1.0, 2.0]}\n");
    cr_assert_eq(g.n, 3);
    cr_assert_str_eq(g.path, "$.x");
    cr_assert_eq(g.line, 3);
    fa_jsonarr_free(j);
}

Test(jsonarr, bounded_array)
{
    got g = { 0 };
    fa_jsonarr *j = fa_jsonarr_new(cb, &g);
    static char big[FA_TEXTVEC_MAX * 4 + 64];
    size_t n = 0;
    big[n++] = '[';
    for (int i = 0; i < FA_TEXTVEC_MAX + 10; i++) { memcpy(big + n, "0.5,", 4); n += 4; }
    big[n - 1] = ']';
    fa_jsonarr_line(j, big, n, 1);
    cr_assert_eq(g.n, 0);       /* too long to be a template: dropped, not accumulated */
    fa_jsonarr_free(j);
}

Test(csvvec, rows_with_header_and_column)
{
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    const char *hdr = "id,name,e0,e1,e2,e3,e4,e5,e6,e7,e8";
    fa_csvvec_line(c, hdr, strlen(hdr), 1);
    const char *row = "1,alice,0.1,-0.2,0.3,-0.4,0.5,-0.6,0.7,-0.8,0.9";
    fa_csvvec_line(c, row, strlen(row), 2);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.dim, 9);
    cr_assert_eq(g.c, FA_VC_CSV);
    cr_assert_eq(g.line, 2);
    char buf[32];
    for (int i = 0; i < 20; i++) {
        snprintf(buf, sizeof buf, "%d.5e-02", i - 10);
        fa_csvvec_line(c, buf, strlen(buf), 3 + i);
    }
    fa_csvvec_finish(c);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.dim, 20);
    cr_assert_eq(g.c, FA_VC_TEXT);
    cr_assert_eq(g.line, 3);
    fa_csvvec_free(c);
}
