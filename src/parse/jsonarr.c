/* Streaming extractor of number arrays from JSON-ish text (see parse_jsonarr.h).
 * One pass per byte with a frame stack that survives line ends; numbers and strings
 * never span lines in JSON, so token state is per line. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/parse_jsonarr.h"

#define MAXDEPTH 128
#define KEYMAX 64

static const double pow10_tab[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

size_t fa_parse_number(const char *p, const char *end, double *out)
{
    const char *s = p;
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, exp = 0, any = 0;
    while (p < end && (unsigned)(*p - '0') < 10) {
        if (digits < 19) { m = m * 10 + (uint64_t)(*p - '0'); if (m) digits++; }
        else exp++;
        p++;
        any = 1;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (digits < 19) { m = m * 10 + (uint64_t)(*p - '0'); if (m) digits++; exp--; }
            p++;
            any = 1;
        }
    }
    if (!any)
        return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0, e = 0, edig = 0;
        if (q < end && (*q == '-' || *q == '+'))
            eneg = *q++ == '-';
        while (q < end && (unsigned)(*q - '0') < 10) {
            if (e < 100000) e = e * 10 + (*q - '0');
            q++;
            edig = 1;
        }
        if (edig) {
            exp += eneg ? -e : e;
            p = q;
        }
    }
    double v = (double)m;
    if (m == 0)
        v = 0;
    else if (exp < 0 && exp >= -22)
        v /= pow10_tab[-exp];
    else if (exp > 0 && exp <= 22)
        v *= pow10_tab[exp];
    else if (exp)
        v *= pow(10.0, exp);
    *out = neg ? -v : v;
    return (size_t)(p - s);
}

typedef struct frame {
    char  type;            /* '{' or '[' */
    char  numeric;         /* '[': only numbers so far */
    char  haskey;          /* '{': key holds the current member name */
    char  key[KEYMAX];
    long  line;            /* where it opened */
    size_t prefix_ok;      /* '[' at top level: opened after text on its line (pgvector, repr) */
    char  before;          /* char before '[' on its line */
} frame;

struct fa_jsonarr {
    fa_tvec_fn fn;
    void      *udata;
    frame      st[MAXDEPTH];
    int        depth;
    int        lost;       /* pushes beyond MAXDEPTH not tracked */
    double    *vals;       /* numbers of the innermost numeric array */
    size_t     nvals;
    int        overflow;
    fa_buf     path;
    double    *svals;      /* numbers of a stringified array */
    size_t     top_emitted;   /* vectors found in the current top-level value */
    long       cut_line;      /* > 0: the last line fed dropped an unfinished value with
                                 numbers in it that began on this line */
};

fa_jsonarr *fa_jsonarr_new(fa_tvec_fn fn, void *udata)
{
    fa_jsonarr *j = fa_xcalloc(1, sizeof *j);
    j->fn = fn;
    j->udata = udata;
    j->vals = fa_xmalloc(FA_TEXTVEC_MAX * sizeof(double));
    fa_buf_init(&j->path, 128);
    return j;
}

void fa_jsonarr_free(fa_jsonarr *j)
{
    if (!j)
        return;
    free(j->vals);
    free(j->svals);
    fa_buf_release(&j->path);
    free(j);
}

int fa_jsonarr_open(const fa_jsonarr *j)
{
    return j->depth > 0 || j->lost > 0;
}

/* Path of the value at the top of the stack (frames 0..upto-1 lead to it). */
static void build_path(fa_jsonarr *j, int upto)
{
    fa_buf_reset(&j->path);
    fa_buf_addch(&j->path, '$');
    for (int i = 0; i < upto; i++) {
        frame *f = &j->st[i];
        if (f->type == '[')
            fa_buf_adds(&j->path, "[*]");
        else if (f->haskey) {
            fa_buf_addch(&j->path, '.');
            fa_buf_adds(&j->path, f->key);
        }
    }
}

static void emit(fa_jsonarr *j, const double *v, size_t n, fa_vcont c, long line,
                 const char *ctx, size_t ctxlen)
{
    fa_tvec tv = { j->path.buf, c, line, n, v, ctx, ctxlen };
    j->top_emitted++;
    j->fn(j->udata, &tv);
}

/* The open value holds numbers: an array of numbers is open, or vectors were found in it. */
static int open_with_numbers(const fa_jsonarr *j)
{
    if (!j->depth)
        return 0;
    const frame *f = &j->st[j->depth - 1];
    return j->top_emitted || (f->type == '[' && f->numeric && j->nvals);
}

int fa_jsonarr_truncated(const fa_jsonarr *j, long *line)
{
    if (j->cut_line > 0) {
        *line = j->cut_line;
        return 1;
    }
    if (open_with_numbers(j)) {
        *line = j->st[0].line;
        return 1;
    }
    return 0;
}

/* "[0.1, -0.2, ...]" inside a JSON string: a stringified vector. */
static void string_array(fa_jsonarr *j, const char *p, const char *end, long lineno,
                         const char *line, size_t linelen)
{
    if (!j->svals)
        j->svals = fa_xmalloc(FA_TEXTVEC_MAX * sizeof(double));
    size_t n = 0;
    p++;   /* '[' */
    for (;;) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\t')) p++;
        if (p >= end)
            return;
        if (*p == ']')
            break;
        double x;
        size_t k = fa_parse_number(p, end, &x);
        if (!k || n == FA_TEXTVEC_MAX)
            return;
        j->svals[n++] = x;
        p += k;
    }
    if (n < 2)
        return;
    build_path(j, j->depth);   /* the string's own key or [*] is the top frame's */
    emit(j, j->svals, n, FA_VC_JSON, lineno, line, linelen);
}

static void close_array(fa_jsonarr *j, const char *line, size_t linelen)
{
    frame *f = &j->st[j->depth - 1];
    if (f->numeric && j->nvals >= 2 && !j->overflow) {
        build_path(j, j->depth - 1);
        fa_vcont c = FA_VC_JSON;
        if (j->depth == 1 && j->path.len == 1)
            c = (f->before == '\'' || f->before == '\t' || f->before == '"') ? FA_VC_PGVECTOR
              : f->before ? FA_VC_TEXT : FA_VC_JSON;
        emit(j, j->vals, j->nvals, c, f->line, line, linelen);
    }
    j->depth--;
    j->nvals = 0;
    j->overflow = 0;
}

void fa_jsonarr_line(fa_jsonarr *j, const char *line, size_t n, long lineno)
{
    const char *p = line, *end = line + n;
    j->cut_line = 0;     /* a cut followed by more text was not the end of it */
    while (p < end) {
        char c = *p;
        frame *top = j->depth ? &j->st[j->depth - 1] : NULL;
        /* Hot path: numbers inside a numeric array. */
        if (top && top->type == '[' && top->numeric && !j->lost &&
            ((unsigned)(c - '0') < 10 || c == '-' || c == '.' || c == '+')) {
            double x;
            size_t k = fa_parse_number(p, end, &x);
            if (k) {
                if (j->nvals < FA_TEXTVEC_MAX)
                    j->vals[j->nvals++] = x;
                else
                    j->overflow = 1;
                p += k;
                continue;
            }
        }
        switch (c) {
        case ' ': case '\t': case '\r': case ',': case ':':
            p++;
            break;
        case '"': {
            const char *s = ++p;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end) p++;
                p++;
            }
            const char *e = p;
            if (p < end) p++;
            /* a key when followed by ':' */
            const char *q = p;
            while (q < end && (*q == ' ' || *q == '\t')) q++;
            if (q < end && *q == ':' && top && top->type == '{' && !j->lost) {
                size_t kl = (size_t)(e - s);
                if (kl >= KEYMAX) kl = KEYMAX - 1;
                for (size_t i = 0; i < kl; i++) {
                    char kc = s[i];
                    top->key[i] = (kc == '.' || kc == '[' || (unsigned char)kc < 0x20) ? '_' : kc;
                }
                top->key[kl] = 0;
                top->haskey = 1;
            } else {
                if (top && top->type == '[')
                    top->numeric = 0;
                if (e - s > 4 && *s == '[' && !j->lost)
                    string_array(j, s, e, lineno, line, n);
            }
            break;
        }
        case '{':
        case '[':
            if (top && top->type == '[')
                top->numeric = 0;
            if (j->lost || j->depth == MAXDEPTH) {
                j->lost++;
            } else {
                if (!j->depth)
                    j->top_emitted = 0;    /* a new top-level value */
                frame *f = &j->st[j->depth++];
                f->type = c;
                f->numeric = 1;
                f->haskey = 0;
                f->line = lineno;
                f->before = 0;
                if (j->depth == 1) {
                    const char *b = p;
                    while (b > line && (b[-1] == ' ')) b--;
                    f->before = b > line ? b[-1] : 0;
                }
                j->nvals = 0;
                j->overflow = 0;
            }
            p++;
            break;
        case '}':
        case ']':
            if (j->lost) {
                j->lost--;
            } else if (top && top->type == (c == ']' ? '[' : '{')) {
                if (c == ']')
                    close_array(j, line, n);
                else
                    j->depth--;
            } else if (top) {
                /* mismatched bracket: this was not JSON; start over */
                j->depth = 0;
                j->nvals = 0;
            }
            p++;
            break;
        default:
            /* a sign or point ending the line is a number cut off, not text in the array */
            if (top && top->type == '[' && !(p + 1 == end && (c == '-' || c == '+' || c == '.')))
                top->numeric = 0;
            p++;
            /* skip the rest of a word quickly */
            while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                p++;
            break;
        }
    }
    /* A log line that opens a bracket it never closes (e.g. "[INFO" or truncation) must not
     * swallow the following lines: only real JSON continues across lines, and that ends the
     * line in a structural position. */
    if (j->depth && n) {
        const char *b = end;
        while (b > line && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r')) b--;
        char last = b > line ? b[-1] : 0;
        if (!(last == ',' || last == '[' || last == '{' || last == ':' ||
              (unsigned)(last - '0') < 10 || last == '"' || last == ']' || last == '}' ||
              last == 'e' || last == 'l')) {
            if (open_with_numbers(j))
                j->cut_line = j->st[0].line;   /* ends mid-number ("-", "1e") or mid-word */
            j->depth = 0;
            j->lost = 0;
            j->nvals = 0;
        }
    }
}
