/* Rows and columns of numbers in delimited text (see parse_jsonarr.h). */
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/parse_jsonarr.h"

#define MIN_ROW 8        /* fewer numbers in a row is not worth judging */
#define MIN_COLUMN 16

struct fa_csvvec {
    fa_tvec_fn fn;
    void      *udata;
    double    *row;       /* numbers of the current row */
    double    *col;       /* a column of one number per line */
    size_t     ncol;
    long       col_line;
    int        col_over;
    fa_buf     header;    /* last non-numeric line before numeric rows (column names) */
};

fa_csvvec *fa_csvvec_new(fa_tvec_fn fn, void *udata)
{
    fa_csvvec *c = fa_xcalloc(1, sizeof *c);
    c->fn = fn;
    c->udata = udata;
    c->row = fa_xmalloc(FA_TEXTVEC_MAX * sizeof(double));
    c->col = fa_xmalloc(FA_TEXTVEC_MAX * sizeof(double));
    fa_buf_init(&c->header, 256);
    return c;
}

void fa_csvvec_free(fa_csvvec *c)
{
    if (!c)
        return;
    free(c->row);
    free(c->col);
    fa_buf_release(&c->header);
    free(c);
}

static void flush_column(fa_csvvec *c)
{
    if (c->ncol >= MIN_COLUMN && !c->col_over) {
        fa_tvec tv = { "", FA_VC_TEXT, c->col_line, c->ncol, c->col, c->header.buf, c->header.len };
        c->fn(c->udata, &tv);
    }
    c->ncol = 0;
    c->col_over = 0;
}

void fa_csvvec_finish(fa_csvvec *c)
{
    flush_column(c);
}

static char pick_delim(const char *p, size_t n)
{
    if (memchr(p, '\t', n)) return '\t';
    if (memchr(p, ',', n)) return ',';
    if (memchr(p, ';', n)) return ';';
    return ' ';
}

void fa_csvvec_line(fa_csvvec *c, const char *line, size_t n, long lineno)
{
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' ')) n--;
    char d = pick_delim(line, n);
    const char *p = line, *end = line + n;
    size_t nrow = 0, best = 0, fields = 0, nonnum = 0;
    int over = 0;
    while (p <= end) {
        const char *f = p;
        const char *fe = memchr(p, d, (size_t)(end - p));
        if (!fe) fe = end;
        p = fe + 1;
        while (f < fe && (*f == ' ' || *f == '"' || *f == '\'')) f++;
        const char *ft = fe;
        while (ft > f && (ft[-1] == ' ' || ft[-1] == '"' || ft[-1] == '\'')) ft--;
        if (d == ' ' && f == ft)
            continue;           /* runs of spaces */
        fields++;
        double x;
        size_t k = f < ft ? fa_parse_number(f, ft, &x) : 0;
        if (k && f + k == ft) {
            if (nrow < FA_TEXTVEC_MAX)
                c->row[nrow] = x;
            else
                over = 1;
            nrow++;
            if (nrow > best)
                best = nrow;
        } else {
            nonnum++;
            nrow = 0;     /* a later run is written from index 0 again */
        }
        if (fe == end)
            break;
    }
    if (fields == 1 && best == 1) {
        /* one number on the line: part of a column */
        if (!c->ncol)
            c->col_line = lineno;
        if (c->ncol < FA_TEXTVEC_MAX)
            c->col[c->ncol++] = c->row[0];
        else
            c->col_over = 1;
        return;
    }
    flush_column(c);
    if (best >= MIN_ROW && best == nrow && !over) {
        /* the numeric run reaches the end of the row (ids and names come first in exports) */
        fa_tvec tv = { "", FA_VC_CSV, lineno, best, c->row, c->header.buf, c->header.len };
        c->fn(c->udata, &tv);
        return;
    }
    if (nonnum && n) {
        /* the latest non-numeric line is the context of the numbers below it (a header) */
        fa_buf_reset(&c->header);
        fa_buf_add(&c->header, line, n < 4096 ? n : 4096);
    }
}
