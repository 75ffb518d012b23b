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

static void vec512(char *buf, size_t cap, int nvals)
{
    size_t n = 0;
    for (int i = 0; i < nvals && n + 16 < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%.5f", i ? ", " : "", ((i * 37) % 101 - 50.5) / 400.0);
    buf[n] = 0;
}

/* A JSON document cut inside its array: fa_jsonarr_truncated, with the value's first line. */
Test(jsonarr, truncated_document)
{
    static char v[512 * 16], doc[sizeof v + 64];
    vec512(v, sizeof v, 512);
    got g = { 0 };
    long line = 0;
    /* complete: not truncated */
    fa_jsonarr *j = fa_jsonarr_new(cb, &g);
    snprintf(doc, sizeof doc, "{\"embedding\": [%s]}", v);
    feed(j, doc);
    cr_assert_eq(g.n, 1);
    cr_assert(!fa_jsonarr_truncated(j, &line));
    fa_jsonarr_free(j);
    /* cut mid-way (after a comma, inside a number, right after a minus sign) */
    static const char *const tails[] = { ", ", "0.12", ", -" };
    for (size_t t = 0; t < 3; t++) {
        got h = { 0 };
        j = fa_jsonarr_new(cb, &h);
        vec512(v, sizeof v, 200);
        snprintf(doc, sizeof doc, "{\"embedding\": [%s%s", v, tails[t]);
        fa_jsonarr_line(j, doc, strlen(doc), 1);
        cr_assert_eq(h.n, 0);                            /* a partial vector is never passed */
        cr_assert(fa_jsonarr_truncated(j, &line), "tail %zu", t);
        cr_assert_eq(line, 1);
        fa_jsonarr_free(j);
    }
    /* pretty-printed, cut after the first of two vectors: the value began on line 1 */
    got k = { 0 };
    j = fa_jsonarr_new(cb, &k);
    feed(j, "{\n \"faces\": [\n  [0.5, -0.25, 0.125],\n  [0.5,");
    cr_assert_eq(k.n, 1);
    cr_assert(fa_jsonarr_truncated(j, &line));
    cr_assert_eq(line, 1);
    fa_jsonarr_free(j);
    /* a cut line followed by more text is not the end of the text */
    got m = { 0 };
    j = fa_jsonarr_new(cb, &m);
    feed(j, "{\"v\": [0.5, -\n{\"ok\": true}\n");
    cr_assert(!fa_jsonarr_truncated(j, &line));
    /* text without numbers left open is not reported (log brackets, prose) */
    feed(j, "{\"msg\": \"starting\", \"tags\": [\"a\",");
    cr_assert(!fa_jsonarr_truncated(j, &line));
    fa_jsonarr_free(j);
}

/* JSON-lines: the cut last line is reported with its own line number (the caller tells a
 * live log from a document by it). */
Test(jsonarr, truncated_last_line_of_jsonl)
{
    got g = { 0 };
    long line = 0;
    fa_jsonarr *j = fa_jsonarr_new(cb, &g);
    feed(j, "{\"e\": [0.5, -0.25, 0.125]}\n{\"e\": [0.5, -0.25, 0.125]}\n{\"e\": [0.5, -0.2");
    cr_assert_eq(g.n, 2);
    cr_assert(fa_jsonarr_truncated(j, &line));
    cr_assert_eq(line, 3);
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
