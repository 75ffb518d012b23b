/* Rows and columns of numbers in delimited text (see parse_jsonarr.h).
 *
 * A row's vector is a run of consecutive numeric fields. Exports put identifier columns
 * around the vector (person_id, index, row, a label, a timestamp): they must not become
 * part of it, or a 128-d template turns into a 129-d row nobody recognises. So a run is
 * narrowed to the vector columns:
 *   1. with a header whose cells name a numbered series (e0..e127, emb_0..emb_511,
 *      "0".."511", f1..f128, x[0]..x[127]), the longest such series inside the run;
 *   2. otherwise leading and trailing columns that hold integer literals in every row of
 *      the table so far (ids, counts, labels), or that the header names like an id, are
 *      dropped.
 * A vector's own elements are almost never whole numbers in every row, so rule 2 only
 * costs a vector whose first or last element is exactly 0 in the very first row. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "faceaudit/buf.h"
#include "faceaudit/parse_jsonarr.h"

#define MIN_ROW 8        /* fewer numbers in a row is not worth judging */
#define MIN_COLUMN 16
#define CTX_MAX 4096     /* header bytes passed as context */
#define HEADER_MAX ((size_t)1 << 20)   /* header bytes kept for its cells */

enum { F_NUM = 1, F_INT = 2 };    /* field flags: numeric, integer literal (no '.', no exponent) */

struct fa_csvvec {
    fa_tvec_fn fn;
    void      *udata;
    double    *row;       /* values of the current row's fields (FA_TEXTVEC_MAX) */
    unsigned char *flags; /* F_* per field of the current row */
    double    *col;       /* a column of one number per line */
    size_t     ncol;
    long       col_line;
    int        col_over;
    fa_buf     header;    /* last non-numeric line before numeric rows (column names) */
    char       hdelim;    /* the header's delimiter */
    size_t    *hoff, *hlen;          /* its cells (offsets into header.buf) */
    unsigned char *hcont;            /* hcont[i]: cell i+1 continues cell i's numbered series */
    size_t     nhcell, ahcell;
    int        hsplit;               /* hoff/hlen/hcont are those of header (split lazily) */
    unsigned char *nonint;           /* per column: a non-integer was seen in this table */
    size_t     anonint, table_fields;   /* fields per row of the current table */
};

fa_csvvec *fa_csvvec_new(fa_tvec_fn fn, void *udata)
{
    fa_csvvec *c = fa_xcalloc(1, sizeof *c);
    c->fn = fn;
    c->udata = udata;
    c->row = fa_xmalloc(FA_TEXTVEC_MAX * sizeof(double));
    c->flags = fa_xmalloc(FA_TEXTVEC_MAX);
    c->col = fa_xmalloc(FA_TEXTVEC_MAX * sizeof(double));
    fa_buf_init(&c->header, 256);
    return c;
}

void fa_csvvec_free(fa_csvvec *c)
{
    if (!c)
        return;
    free(c->row);
    free(c->flags);
    free(c->col);
    free(c->hoff);
    free(c->hlen);
    free(c->hcont);
    free(c->nonint);
    fa_buf_release(&c->header);
    free(c);
}

static void flush_column(fa_csvvec *c)
{
    if (c->ncol >= MIN_COLUMN && !c->col_over) {
        fa_tvec tv = { "", FA_VC_TEXT, c->col_line, c->ncol, c->col, c->header.buf,
                       c->header.len < CTX_MAX ? c->header.len : CTX_MAX };
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

/* Calls fn for each field of line (delimiter d), trimmed of blanks and quotes. Empty
 * fields between spaces are runs of spaces, not fields. Stops when fn returns non-zero. */
typedef int (*field_fn)(void *u, size_t idx, const char *f, const char *fe);
static size_t split(const char *line, size_t n, char d, field_fn fn, void *u)
{
    const char *p = line, *end = line + n;
    size_t idx = 0;
    while (p <= end) {
        const char *f = p;
        const char *fe = memchr(p, d, (size_t)(end - p));
        if (!fe) fe = end;
        p = fe + 1;
        while (f < fe && (*f == ' ' || *f == '"' || *f == '\'')) f++;
        const char *ft = fe;
        while (ft > f && (ft[-1] == ' ' || ft[-1] == '"' || ft[-1] == '\'')) ft--;
        if (!(d == ' ' && f == ft)) {
            if (fn(u, idx, f, ft))
                return idx + 1;
            idx++;
        }
        if (fe == end)
            break;
    }
    return idx;
}

/* ---------------------------------------------------------------- header cells */

static int header_cell(void *u, size_t idx, const char *f, const char *fe)
{
    fa_csvvec *c = u;
    (void)idx;
    if (c->nhcell == c->ahcell) {
        FA_GROW(c->hoff, c->nhcell + 1, c->ahcell);
        c->hlen = fa_xrealloc(c->hlen, c->ahcell * sizeof *c->hlen);
        c->hcont = fa_xrealloc(c->hcont, c->ahcell);
    }
    c->hoff[c->nhcell] = (size_t)(f - c->header.buf);
    c->hlen[c->nhcell] = (size_t)(fe - f);
    c->nhcell++;
    return c->nhcell > FA_TEXTVEC_MAX;   /* wider than any row we read: stop */
}

static int continues(const fa_csvvec *c, size_t i);

/* Most non-numeric lines are prose that no numeric row follows: the line is only kept here,
 * and split into cells when a row needs its column names (header_cells). */
static void set_header(fa_csvvec *c, const char *line, size_t n, char d)
{
    fa_buf_reset(&c->header);
    fa_buf_add(&c->header, line, n < HEADER_MAX ? n : HEADER_MAX);
    c->hdelim = d;
    c->hsplit = 0;
    c->table_fields = 0;     /* a new table: forget which columns held non-integers */
}

static void header_cells(fa_csvvec *c)
{
    if (c->hsplit)
        return;
    c->hsplit = 1;
    c->nhcell = 0;
    split(c->header.buf, c->header.len, c->hdelim, header_cell, c);
    for (size_t i = 0; i < c->nhcell; i++)
        c->hcont[i] = i + 1 < c->nhcell && continues(c, i);
}

/* A cell as prefix, number, suffix ("emb_", 12, "" or "x[", 3, "]"). 0 without a number. */
typedef struct hname { const char *p; size_t plen; const char *s; size_t slen; long num; } hname;
static int parse_hname(const char *f, size_t n, hname *h)
{
    size_t e = n;
    while (e > 0 && n - e < 2 && !isdigit((unsigned char)f[e - 1])) e--;   /* ']' or ')' */
    size_t b = e;
    while (b > 0 && isdigit((unsigned char)f[b - 1]) && e - b < 9) b--;
    if (b == e || (b > 0 && isdigit((unsigned char)f[b - 1])))
        return 0;
    h->p = f; h->plen = b;
    h->s = f + e; h->slen = n - e;
    h->num = strtol(f + b, NULL, 10);
    return 1;
}

/* Does header cell i+1 continue cell i's numbered series? */
static int continues(const fa_csvvec *c, size_t i)
{
    hname a, b;
    if (!parse_hname(c->header.buf + c->hoff[i], c->hlen[i], &a) ||
        !parse_hname(c->header.buf + c->hoff[i + 1], c->hlen[i + 1], &b))
        return 0;
    return a.plen == b.plen && a.slen == b.slen && b.num == a.num + 1 &&
           !memcmp(a.p, b.p, a.plen) && !memcmp(a.s, b.s, a.slen);
}

/* Identifier-like column names: id, person_id, personId, uid, index, idx, row, key, ... */
static int id_like(const char *f, size_t n)
{
    static const char *const words[] = { "id", "uid", "pk", "index", "idx", "row", "rowid", "key", "user",
                                          "person", "label", "class", "no", "num", "number", "count", "frame",
                                          "ts", "time", "timestamp", "epoch", "seq" };
    if (n >= 2 && (f[n - 1] == 'd' || f[n - 1] == 'D') && (f[n - 2] == 'I' ||
        ((f[n - 2] == 'i') && (n == 2 || f[n - 3] == '_' || f[n - 3] == '-' || f[n - 3] == '.' ||
                               f[n - 3] == ' '))))
        return 1;     /* id, person_id, personId, face-id */
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strlen(words[k]) == n && !strncasecmp(f, words[k], n))
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- rows */

typedef struct rowparse {
    fa_csvvec *c;
    size_t     over;      /* fields beyond FA_TEXTVEC_MAX */
} rowparse;

static int row_field(void *u, size_t idx, const char *f, const char *fe)
{
    rowparse *r = u;
    fa_csvvec *c = r->c;
    if (idx >= FA_TEXTVEC_MAX) {
        r->over = 1;
        return 1;
    }
    double x;
    size_t k = f < fe ? fa_parse_number(f, fe, &x) : 0;
    if (k && f + k == fe) {
        c->row[idx] = x;
        unsigned char fl = F_NUM;
        if (!memchr(f, '.', k) && !memchr(f, 'e', k) && !memchr(f, 'E', k))
            fl |= F_INT;
        c->flags[idx] = fl;
    } else {
        c->flags[idx] = 0;
    }
    return 0;
}

/* Column names numbered like 0, 1, 2 ... (pandas writes them as a numeric header row). */
static int numbering(const fa_csvvec *c, size_t s, size_t e)
{
    for (size_t i = s; i < e; i++)
        if (!(c->flags[i] & F_INT) || (i > s && c->row[i] != c->row[i - 1] + 1))
            return 0;
    return 1;
}

/* Narrows the numeric run [*s, *e) to the vector's columns (see the top of the file). */
static void narrow(fa_csvvec *c, size_t nfields, char d, size_t *s, size_t *e)
{
    size_t a = *s, b = *e;
    if (c->header.len && c->hdelim == d)
        header_cells(c);
    int hdr = c->header.len && c->hdelim == d && c->nhcell == nfields;
    if (hdr) {
        size_t best = 0, bs = 0, run = 1, rs = a;
        for (size_t i = a; i < b; i++) {
            if (i + 1 < b && c->hcont[i]) {
                run++;
                continue;
            }
            if (run > best) {
                best = run;
                bs = rs;
            }
            run = 1;
            rs = i + 1;
        }
        if (best >= MIN_ROW) {
            *s = bs;
            *e = bs + best;
            return;
        }
    }
#define IDCOL(i) ((((c->flags[i] & F_INT) && !c->nonint[i])) || \
                  (hdr && id_like(c->header.buf + c->hoff[i], c->hlen[i]) && c->row[i] == floor(c->row[i])))
    while (b - a > MIN_ROW && IDCOL(a))
        a++;
    while (b - a > MIN_ROW && IDCOL(b - 1))
        b--;
#undef IDCOL
    *s = a;
    *e = b;
}

void fa_csvvec_line(fa_csvvec *c, const char *line, size_t n, long lineno)
{
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' ')) n--;
    char d = pick_delim(line, n);
    rowparse r = { c, 0 };
    size_t fields = split(line, n, d, row_field, &r);
    if (r.over) {
        flush_column(c);
        return;           /* wider than any vector: neither data nor a header we can use */
    }
    if (fields == 1 && (c->flags[0] & F_NUM)) {
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
    if (!fields)
        return;           /* a blank line does not end the table */
    size_t nonnum = 0;
    for (size_t i = 0; i < fields; i++)
        nonnum += !(c->flags[i] & F_NUM);
    /* Which columns of this table ever held a non-integer (only ids and counts never do). */
    if (fields != c->table_fields) {
        FA_GROW(c->nonint, fields, c->anonint);
        memset(c->nonint, 0, fields);
        c->table_fields = fields;
    }
    int data = 0, header_row = 0;
    for (size_t i = 0; i < fields;) {
        if (!(c->flags[i] & F_NUM)) {
            i++;
            continue;
        }
        size_t s = i, e = i;
        while (e < fields && (c->flags[e] & F_NUM))
            e++;
        i = e;
        if (e - s < MIN_ROW)
            continue;
        if (numbering(c, s, e)) {
            header_row = 1;   /* "0,1,2,...": column names, not data */
            continue;
        }
        data = 1;
        for (size_t k = s; k < e; k++)
            if (!(c->flags[k] & F_INT))
                c->nonint[k] = 1;
        narrow(c, fields, d, &s, &e);
        if (e - s >= MIN_ROW) {
            fa_tvec tv = { "", FA_VC_CSV, lineno, e - s, c->row + s, c->header.buf,
                           c->header.len < CTX_MAX ? c->header.len : CTX_MAX };
            c->fn(c->udata, &tv);
        }
    }
    if (!data && (nonnum || header_row) && n) {
        /* the latest non-numeric line is the context of the numbers below it (a header) */
        set_header(c, line, n, d);
    }
}
