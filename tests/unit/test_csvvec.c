/* Unit tests: vectors in CSV/TSV rows, with identifier columns around them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/parse_jsonarr.h"

typedef struct { int n; size_t dim; long line; double first, last; fa_vcont c; char ctx[64]; } got;
static void cb(void *u, const fa_tvec *tv)
{
    got *g = u;
    g->n++; g->dim = tv->dim; g->line = tv->line; g->c = tv->container;
    g->first = tv->v[0]; g->last = tv->v[tv->dim - 1];
    snprintf(g->ctx, sizeof g->ctx, "%.*s", (int)(tv->ctxlen < 63 ? tv->ctxlen : 63), tv->ctx);
}

/* Element k of a made-up vector: non-integer, sign-mixed (never a value of a real template). */
static double el(int row, int k) { return ((k * 37 + row * 11) % 101 - 50.5) / 131.0; }

/* One row: [lead integer id] dim floats [trail integer], joined by sep. */
static void row(fa_buf *b, char sep, int r, int dim, long lead, long trail)
{
    fa_buf_reset(b);
    if (lead >= 0) fa_buf_addf(b, "%ld%c", lead, sep);
    for (int k = 0; k < dim; k++)
        fa_buf_addf(b, "%s%.6g", k ? (char[]){ sep, 0 } : "", el(r, k));
    if (trail >= 0) fa_buf_addf(b, "%c%ld", sep, trail);
}

static void line(fa_csvvec *c, fa_buf *b, long no) { fa_csvvec_line(c, b->buf, b->len, no); }

Test(csvvec, leading_id_column_with_series_header)
{
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    fa_buf b = FA_BUF_INIT;
    fa_buf_adds(&b, "person_id");
    for (int k = 0; k < 128; k++) fa_buf_addf(&b, ",e%d", k);
    line(c, &b, 1);
    for (int r = 0; r < 3; r++) {
        row(&b, ',', r, 128, r, -1);      /* ids 0, 1, 2: "0" is an integer literal too */
        line(c, &b, 2 + r);
        cr_assert_eq(g.n, r + 1);
        cr_assert_eq(g.dim, 128, "row %d: dim %zu", r, g.dim);
        cr_assert_float_eq(g.first, el(r, 0), 1e-6);
        cr_assert_float_eq(g.last, el(r, 127), 1e-6);
    }
    cr_assert_eq(g.line, 4);
    cr_assert_eq(strncmp(g.ctx, "person_id,e0,e1", 15), 0);    /* the header is the context */
    fa_buf_release(&b);
    fa_csvvec_free(c);
}

Test(csvvec, tsv_id_and_trailing_count_with_long_header)
{
    /* a 512-d header longer than the context kept (4 KiB): its cells are still used */
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    fa_buf b = FA_BUF_INIT;
    fa_buf_adds(&b, "id");
    for (int k = 0; k < 512; k++) fa_buf_addf(&b, "\tembedding_%d", k);
    fa_buf_adds(&b, "\tframe");
    cr_assert_gt(b.len, 4096);
    line(c, &b, 1);
    row(&b, '\t', 0, 512, 100, 17);
    line(c, &b, 2);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.dim, 512);
    cr_assert_float_eq(g.first, el(0, 0), 1e-6);
    cr_assert_float_eq(g.last, el(0, 511), 1e-6);
    fa_buf_release(&b);
    fa_csvvec_free(c);
}

Test(csvvec, id_without_header_and_numbered_header_row)
{
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    fa_buf b = FA_BUF_INIT;
    for (int r = 0; r < 2; r++) {
        row(&b, ',', r, 128, 1000 + r, -1);
        line(c, &b, 1 + r);
        cr_assert_eq(g.dim, 128);
        cr_assert_float_eq(g.first, el(r, 0), 1e-6);
    }
    /* pandas: ",0,1,...,127" names the columns; it is a header, never a vector */
    fa_buf_reset(&b);
    for (int k = 0; k < 128; k++) fa_buf_addf(&b, ",%d", k);
    line(c, &b, 3);
    cr_assert_eq(g.n, 2);
    row(&b, ',', 5, 128, 5, -1);
    line(c, &b, 4);
    cr_assert_eq(g.n, 3);
    cr_assert_eq(g.dim, 128);
    cr_assert_float_eq(g.first, el(5, 0), 1e-6);
    fa_buf_release(&b);
    fa_csvvec_free(c);
}

Test(csvvec, integer_vector_element_is_kept_once_column_shows_floats)
{
    /* no header: a column that held a non-integer in an earlier row is a vector column,
     * even when this row's value prints as "0" */
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    fa_buf b = FA_BUF_INIT;
    row(&b, ' ', 0, 16, -1, -1);
    line(c, &b, 1);
    cr_assert_eq(g.dim, 16);
    fa_buf_reset(&b);
    fa_buf_adds(&b, "0");
    for (int k = 1; k < 16; k++) fa_buf_addf(&b, " %.6g", el(1, k));
    line(c, &b, 2);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.dim, 16);
    cr_assert_float_eq(g.first, 0.0, 1e-12);
    fa_buf_release(&b);
    fa_csvvec_free(c);
}

Test(csvvec, vector_between_text_columns_and_quotes)
{
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    fa_buf b = FA_BUF_INIT;
    fa_buf_adds(&b, "\"7\";\"alice\"");
    for (int k = 0; k < 128; k++) fa_buf_addf(&b, ";\"%.6g\"", el(2, k));
    fa_buf_adds(&b, ";\"enrolled\"");
    line(c, &b, 1);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.dim, 128);
    cr_assert_float_eq(g.last, el(2, 127), 1e-6);
    fa_buf_release(&b);
    fa_csvvec_free(c);
}

Test(csvvec, integer_tables_are_not_narrowed_into_floats)
{
    /* id + 128 integer histogram bins: the whole series is passed (and the statistics
     * reject integers); nothing is cut down to a non-integer subset */
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    fa_buf b = FA_BUF_INIT;
    fa_buf_adds(&b, "id");
    for (int k = 0; k < 128; k++) fa_buf_addf(&b, ",bin_%d", k);
    line(c, &b, 1);
    fa_buf_reset(&b);
    fa_buf_adds(&b, "42");
    for (int k = 0; k < 128; k++) fa_buf_addf(&b, ",%d", (k * 7) % 23);
    line(c, &b, 2);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.dim, 128);
    cr_assert_float_eq(g.first, 0.0, 1e-12);
    /* ids and counts only: too short once the id is gone, or all integers; never > 8 wide */
    fa_csvvec_line(c, "user_id,visits,clicks", 21, 3);
    fa_csvvec_line(c, "1,5,3,8,2,9,4,7,6", 17, 4);
    cr_assert_eq(g.n, 2);
    cr_assert_eq(g.dim, 8);
    fa_buf_release(&b);
    fa_csvvec_free(c);
}

Test(csvvec, short_rows_wide_rows_and_blank_lines)
{
    got g = { 0 };
    fa_csvvec *c = fa_csvvec_new(cb, &g);
    fa_csvvec_line(c, "1,0.5,-0.25", 11, 1);
    cr_assert_eq(g.n, 0);
    fa_csvvec_line(c, "", 0, 2);
    /* more fields than any vector: skipped, not buffered */
    static char wide[(FA_TEXTVEC_MAX + 10) * 2];
    size_t n = 0;
    for (int i = 0; i < FA_TEXTVEC_MAX + 10; i++) { wide[n++] = '1'; wide[n++] = ','; }
    fa_csvvec_line(c, wide, n - 1, 3);
    cr_assert_eq(g.n, 0);
    fa_csvvec_finish(c);
    fa_csvvec_free(c);
}
