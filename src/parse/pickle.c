/* A pickle reader that builds inert data, never code (see parse_pickle.h).
 * The opcode set is CPython's (Lib/pickletools.py). Values are small tagged structs;
 * containers live on a heap of objects freed together at the end. Lists of numbers are
 * kept as packed doubles so float-heavy pickles cost 8 bytes per float. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/parse_pickle.h"

enum { V_NONE, V_BOOL, V_INT, V_FLOAT, V_STR, V_BYTES, V_OBJ, V_MARK, V_EMPTY };
enum { O_LIST, O_TUPLE, O_DICT, O_SET, O_GLOBAL, O_ARRAY, O_DTYPE, O_OTHER };

struct pobj;
typedef struct pval {
    uint8_t tag;
    union {
        double   f;
        int64_t  i;
        struct { const char *p; size_t n; } s;   /* V_STR / V_BYTES: borrowed from input or heap */
        struct pobj *o;
    } u;
} pval;

typedef struct pobj {
    uint8_t      type;
    uint8_t      visited;
    uint8_t      built;          /* O_ARRAY: state applied */
    pval        *items;          /* list/tuple/set/other children; dict: k0 v0 k1 v1 ... */
    size_t       n, alloc;
    double      *fl;             /* O_LIST while every item is a number */
    size_t       nf, af;
    int          numeric;        /* O_LIST: items are in fl */
    const char  *mod, *name;     /* O_GLOBAL: slices (not NUL-terminated) */
    size_t       modn, namen;
    /* O_ARRAY / O_DTYPE */
    char         kind;
    int          itemsize, be, fortran, ndim;
    size_t       shape[8];
    const unsigned char *raw;
    size_t       rawlen;
    pval         objdata;        /* object arrays: the list of items */
    unsigned char *owned;        /* bytes rebuilt from latin-1 text */
    struct pobj *next;
} pobj;

typedef struct pk {
    const unsigned char *p, *end, *start;
    pval   *st;  size_t nst, ast;
    size_t *marks; size_t nmarks, amarks;
    pval   *memo; size_t amemo, nmemo;   /* nmemo: filled slots (MEMOIZE's index) */
    pobj   *heap;
    size_t  mem, max_mem;
    fa_err *err;
    int     failed;
    fa_pickle_vec_fn fn;
    void   *udata;
    double *scratch; size_t ascratch;
} pk;

static int fail(pk *k, const char *code, const char *msg)
{
    if (!k->failed)
        fa_err_set(k->err, FA_FAIL, code, "%s at offset %zu", msg, (size_t)(k->p - k->start));
    k->failed = 1;
    return -1;
}

static int charge(pk *k, size_t bytes)
{
    k->mem += bytes;
    if (k->mem > k->max_mem)
        return fail(k, "pickle_too_complex", "pickle needs more memory than allowed to analyse");
    return 0;
}

static pobj *newobj(pk *k, int type)
{
    if (charge(k, sizeof(pobj)) < 0)
        return NULL;
    pobj *o = fa_xcalloc(1, sizeof *o);
    o->type = (uint8_t)type;
    o->numeric = type == O_LIST;
    o->next = k->heap;
    k->heap = o;
    return o;
}

static int push(pk *k, pval v)
{
    if (k->nst == k->ast) {
        if (charge(k, (k->ast ? k->ast : 64) * sizeof(pval)) < 0)
            return -1;
    }
    FA_GROW(k->st, k->nst + 1, k->ast);
    k->st[k->nst++] = v;
    return 0;
}

static int pop(pk *k, pval *out)
{
    if (!k->nst || k->st[k->nst - 1].tag == V_MARK)
        return fail(k, "malformed_pickle", "stack underflow");
    *out = k->st[--k->nst];
    return 0;
}

static int top(pk *k, pval **out)
{
    if (!k->nst || k->st[k->nst - 1].tag == V_MARK)
        return fail(k, "malformed_pickle", "stack underflow");
    *out = &k->st[k->nst - 1];
    return 0;
}

/* Index of the first item after the last mark (the mark itself is removed). */
static int pop_mark(pk *k, size_t *first)
{
    if (!k->nmarks)
        return fail(k, "malformed_pickle", "no mark on the stack");
    size_t m = k->marks[--k->nmarks];
    if (m > k->nst)
        return fail(k, "malformed_pickle", "mark past the stack");
    /* the mark slot sits at m; items are m+1 .. nst-1 */
    *first = m + 1;
    return 0;
}

static int obj_add(pk *k, pobj *o, pval v)
{
    if (o->numeric && (v.tag == V_FLOAT || v.tag == V_INT || v.tag == V_BOOL)) {
        if (o->nf == o->af && charge(k, (o->af ? o->af : 8) * sizeof(double)) < 0)
            return -1;
        FA_GROW(o->fl, o->nf + 1, o->af);
        o->fl[o->nf++] = v.tag == V_FLOAT ? v.u.f : (double)v.u.i;
        return 0;
    }
    if (o->numeric) {
        /* first non-number: move the packed numbers to items */
        o->numeric = 0;
        if (o->nf) {
            if (charge(k, o->nf * sizeof(pval)) < 0)
                return -1;
            FA_GROW(o->items, o->nf, o->alloc);
            for (size_t i = 0; i < o->nf; i++) {
                o->items[i].tag = V_FLOAT;
                o->items[i].u.f = o->fl[i];
            }
            o->n = o->nf;
        }
        free(o->fl);
        o->fl = NULL;
        o->nf = o->af = 0;
    }
    if (o->n == o->alloc && charge(k, (o->alloc ? o->alloc : 8) * sizeof(pval)) < 0)
        return -1;
    FA_GROW(o->items, o->n + 1, o->alloc);
    o->items[o->n++] = v;
    return 0;
}

static pval objval(pobj *o)
{
    pval v = { .tag = V_OBJ };
    v.u.o = o;
    return v;
}

static int need(pk *k, size_t n)
{
    if ((size_t)(k->end - k->p) < n)
        return fail(k, "truncated", "pickle truncated: an argument runs past the end");
    return 0;
}

static uint64_t rdle(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A text argument ending in '\n' (protocol 0 opcodes). */
static int readline(pk *k, const char **s, size_t *n)
{
    const unsigned char *nl = memchr(k->p, '\n', (size_t)(k->end - k->p));
    if (!nl)
        return fail(k, "truncated", "pickle truncated: a text argument has no end");
    *s = (const char *)k->p;
    *n = (size_t)(nl - k->p);
    k->p = nl + 1;
    return 0;
}

static int is_name(const pobj *o, const char *mod, const char *name)
{
    return o && o->type == O_GLOBAL && strlen(mod) == o->modn && !memcmp(o->mod, mod, o->modn) &&
           strlen(name) == o->namen && !memcmp(o->name, name, o->namen);
}

static int is_numpy(const pobj *o, const char *sub, const char *name)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "numpy.core.%s", sub);
    snprintf(b, sizeof b, "numpy._core.%s", sub);
    return is_name(o, a, name) || is_name(o, b, name);
}

static int str_eq(const pval *v, const char *s)
{
    return v->tag == V_STR && strlen(s) == v->u.s.n && !memcmp(v->u.s.p, s, v->u.s.n);
}

/* dtype from a numpy type string: 'f8', '<f4', 'float32', 'float64', 'float16' */
static void dtype_from_str(pobj *d, const char *s, size_t n)
{
    char buf[32];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    const char *p = buf;
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=') {
        d->be = *p == '>';
        p++;
    }
    if (!strcmp(p, "float64") || !strcmp(p, "double")) { d->kind = 'f'; d->itemsize = 8; return; }
    if (!strcmp(p, "float32") || !strcmp(p, "single")) { d->kind = 'f'; d->itemsize = 4; return; }
    if (!strcmp(p, "float16") || !strcmp(p, "half"))  { d->kind = 'f'; d->itemsize = 2; return; }
    d->kind = *p ? p[0] : '?';
    d->itemsize = atoi(p + (*p ? 1 : 0));
    if (d->itemsize < 0 || d->itemsize > 64)
        d->itemsize = 0;
}

static int shape_from(pobj *a, const pval *v)
{
    if (v->tag == V_INT) {
        a->ndim = 1;
        a->shape[0] = v->u.i < 0 ? 0 : (size_t)v->u.i;
        return 0;
    }
    if (v->tag != V_OBJ || (v->u.o->type != O_TUPLE && v->u.o->type != O_LIST))
        return -1;
    const pobj *t = v->u.o;
    if (t->type == O_LIST && t->numeric) {
        if (t->nf > 8) return -1;
        a->ndim = (int)t->nf;
        for (size_t i = 0; i < t->nf; i++)
            a->shape[i] = t->fl[i] < 0 ? 0 : (size_t)t->fl[i];
        return 0;
    }
    if (t->n > 8)
        return -1;
    a->ndim = (int)t->n;
    for (size_t i = 0; i < t->n; i++) {
        if (t->items[i].tag != V_INT || t->items[i].u.i < 0)
            return -1;
        a->shape[i] = (size_t)t->items[i].u.i;
    }
    return 0;
}

static void set_raw(pobj *a, const pval *v)
{
    if (v->tag == V_BYTES || v->tag == V_STR) {
        a->raw = (const unsigned char *)v->u.s.p;
        a->rawlen = v->u.s.n;
    } else if (v->tag == V_OBJ && (v->u.o->type == O_LIST || v->u.o->type == O_TUPLE)) {
        a->objdata = *v;    /* object array: items pickled one by one */
    }
}

static void take_dtype(pobj *a, const pval *v)
{
    if (v->tag == V_OBJ && v->u.o->type == O_DTYPE) {
        a->kind = v->u.o->kind;
        a->itemsize = v->u.o->itemsize;
        a->be = v->u.o->be;
    }
}

/* Latin-1 text (UTF-8 in the pickle) back to bytes: how protocol 2 stores bytes in Py3. */
static int latin1_bytes(pk *k, const pval *s, pval *out)
{
    if (charge(k, s->u.s.n + 1) < 0)
        return -1;
    pobj *holder = newobj(k, O_OTHER);
    if (!holder)
        return -1;
    unsigned char *b = fa_xmalloc(s->u.s.n + 1);
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s->u.s.p, *e = p + s->u.s.n;
    while (p < e) {
        if (*p < 0x80)
            b[n++] = *p++;
        else if ((*p & 0xe0) == 0xc0 && p + 1 < e) {
            b[n++] = (unsigned char)(((p[0] & 0x1f) << 6) | (p[1] & 0x3f));
            p += 2;
        } else {
            b[n++] = '?';    /* not latin-1: keep length roughly, data is not floats anyway */
            p++;
        }
    }
    holder->owned = b;
    out->tag = V_BYTES;
    out->u.s.p = (const char *)b;
    out->u.s.n = n;
    return 0;
}

static int do_reduce(pk *k, pval callable, pval args)
{
    pobj *c = callable.tag == V_OBJ ? callable.u.o : NULL;
    pobj *a = args.tag == V_OBJ && args.u.o->type == O_TUPLE ? args.u.o : NULL;
    size_t na = a ? a->n : 0;
    if (is_numpy(c, "multiarray", "_reconstruct")) {
        pobj *arr = newobj(k, O_ARRAY);
        return arr ? push(k, objval(arr)) : -1;
    }
    if (is_name(c, "numpy", "dtype") && na >= 1 && a->items[0].tag == V_STR) {
        pobj *d = newobj(k, O_DTYPE);
        if (!d) return -1;
        dtype_from_str(d, a->items[0].u.s.p, a->items[0].u.s.n);
        return push(k, objval(d));
    }
    if (is_numpy(c, "numeric", "_frombuffer") && na >= 3) {
        pobj *arr = newobj(k, O_ARRAY);
        if (!arr) return -1;
        set_raw(arr, &a->items[0]);
        take_dtype(arr, &a->items[1]);
        if (shape_from(arr, &a->items[2]) < 0)
            arr->ndim = 0;
        if (na >= 4 && str_eq(&a->items[3], "F"))
            arr->fortran = 1;
        arr->built = 1;
        return push(k, objval(arr));
    }
    if (is_numpy(c, "multiarray", "scalar") && na >= 2 && a->items[0].tag == V_OBJ &&
        a->items[0].u.o->type == O_DTYPE && (a->items[1].tag == V_BYTES || a->items[1].tag == V_STR)) {
        const pobj *d = a->items[0].u.o;
        size_t w = (size_t)d->itemsize;
        if (d->kind == 'f' && (w == 2 || w == 4 || w == 8) && a->items[1].u.s.n == w) {
            double x;
            fa_vec_decode((const unsigned char *)a->items[1].u.s.p,
                          w == 2 ? FA_VDT_F16 : w == 4 ? FA_VDT_F32 : FA_VDT_F64, d->be, 1, &x);
            pval v = { .tag = V_FLOAT };
            v.u.f = x;
            return push(k, v);
        }
    }
    if ((is_name(c, "_codecs", "encode") || is_name(c, "builtins", "bytearray") ||
         is_name(c, "__builtin__", "bytearray") || is_name(c, "builtins", "bytes")) && na >= 1) {
        if (a->items[0].tag == V_STR) {
            pval b;
            if (latin1_bytes(k, &a->items[0], &b) < 0)
                return -1;
            return push(k, b);
        }
        if (a->items[0].tag == V_BYTES)
            return push(k, a->items[0]);
    }
    if ((is_name(c, "builtins", "bytes") || is_name(c, "builtins", "bytearray")) && na == 0) {
        pval b = { .tag = V_BYTES };
        b.u.s.p = "";
        return push(k, b);
    }
    /* Anything else: an inert object whose children are its arguments. */
    pobj *o = newobj(k, O_OTHER);
    if (!o) return -1;
    if (obj_add(k, o, args) < 0) return -1;
    return push(k, objval(o));
}

static int do_build(pk *k)
{
    pval state, *t;
    if (pop(k, &state) < 0 || top(k, &t) < 0)
        return -1;
    if (t->tag != V_OBJ)
        return 0;
    pobj *o = t->u.o;
    const pobj *s = state.tag == V_OBJ ? state.u.o : NULL;
    if (o->type == O_ARRAY && !o->built && s && s->type == O_TUPLE && s->n >= 5) {
        if (shape_from(o, &s->items[1]) < 0)
            o->ndim = 0;
        take_dtype(o, &s->items[2]);
        o->fortran = s->items[3].tag == V_BOOL && s->items[3].u.i;
        set_raw(o, &s->items[4]);
        o->built = 1;
        return 0;
    }
    if (o->type == O_DTYPE && s && s->type == O_TUPLE && s->n >= 2) {
        if (str_eq(&s->items[1], ">"))
            o->be = 1;
        else if (str_eq(&s->items[1], "<"))
            o->be = 0;
        return 0;
    }
    if (o->type == O_DICT && s && s->type == O_DICT) {
        for (size_t i = 0; i < s->n; i++)
            if (obj_add(k, o, s->items[i]) < 0)
                return -1;
        return 0;
    }
    if (o->type == O_OTHER || o->type == O_ARRAY)
        return obj_add(k, o, state);
    return 0;
}

static int memo_put(pk *k, uint64_t idx)
{
    pval *v;
    if (top(k, &v) < 0)
        return -1;
    if (idx > (uint64_t)(k->end - k->start) + 16)
        return fail(k, "malformed_pickle", "memo index out of range");
    if (idx >= k->amemo) {
        size_t old = k->amemo, na = old ? old : 64;
        while (na <= idx) na *= 2;
        if (charge(k, (na - old) * sizeof(pval)) < 0)
            return -1;
        k->memo = fa_xrealloc(k->memo, na * sizeof(pval));
        for (size_t i = old; i < na; i++)
            k->memo[i].tag = V_EMPTY;
        k->amemo = na;
    }
    if (k->memo[idx].tag == V_EMPTY)
        k->nmemo++;
    k->memo[idx] = *v;
    return 0;
}

static int memo_get(pk *k, uint64_t idx)
{
    if (idx >= k->amemo || k->memo[idx].tag == V_EMPTY)
        return fail(k, "malformed_pickle", "memo reference to a missing entry");
    return push(k, k->memo[idx]);
}

static int parse_int_text(const char *s, size_t n, int64_t *out)
{
    int neg = 0;
    size_t i = 0;
    int64_t v = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == n) return -1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)   /* saturates: text ints are unbounded */
        v = v > (INT64_MAX - 9) / 10 ? INT64_MAX : v * 10 + (s[i] - '0');
    *out = neg ? -v : v;
    return 0;
}

static int run(pk *k, pval *result)
{
    while (k->p < k->end) {
        unsigned op = *k->p++;
        pval v = { .tag = V_NONE }, a, b;
        const char *s;
        size_t n;
        uint64_t len;
        switch (op) {
        case 0x80: /* PROTO */
            if (need(k, 1) < 0) return -1;
            if (*k->p > 5) return fail(k, "malformed_pickle", "unsupported pickle protocol");
            k->p++;
            break;
        case 0x95: /* FRAME */
            if (need(k, 8) < 0) return -1;
            k->p += 8;
            break;
        case '.': /* STOP */
            return pop(k, result);
        case '(':
            if (k->nmarks == k->amarks && charge(k, 64 * sizeof(size_t)) < 0) return -1;
            FA_GROW(k->marks, k->nmarks + 1, k->amarks);
            k->marks[k->nmarks++] = k->nst;
            v.tag = V_MARK;
            if (push(k, v) < 0) return -1;
            break;
        case '0': if (pop(k, &a) < 0) return -1; break;
        case '1': { size_t f; if (pop_mark(k, &f) < 0) return -1; k->nst = f - 1; break; }
        case '2': { pval *t; if (top(k, &t) < 0) return -1; a = *t; if (push(k, a) < 0) return -1; break; }
        case 'N': if (push(k, v) < 0) return -1; break;
        case 0x88: case 0x89:
            v.tag = V_BOOL; v.u.i = op == 0x88;
            if (push(k, v) < 0) return -1;
            break;
        case 'J': if (need(k, 4) < 0) return -1;
            v.tag = V_INT; v.u.i = (int32_t)rdle(k->p, 4); k->p += 4;
            if (push(k, v) < 0) return -1;
            break;
        case 'K': if (need(k, 1) < 0) return -1;
            v.tag = V_INT; v.u.i = *k->p++;
            if (push(k, v) < 0) return -1;
            break;
        case 'M': if (need(k, 2) < 0) return -1;
            v.tag = V_INT; v.u.i = (int64_t)rdle(k->p, 2); k->p += 2;
            if (push(k, v) < 0) return -1;
            break;
        case 0x8a: case 0x8b: /* LONG1, LONG4 */
            if (need(k, op == 0x8a ? 1 : 4) < 0) return -1;
            len = op == 0x8a ? *k->p : rdle(k->p, 4);
            k->p += op == 0x8a ? 1 : 4;
            if (need(k, len) < 0) return -1;
            v.tag = V_INT;
            if (len && len <= 8) {
                uint64_t u = rdle(k->p, (int)len);
                if (len < 8 && (k->p[len - 1] & 0x80))
                    u |= ~(uint64_t)0 << (8 * len);
                v.u.i = (int64_t)u;
            }
            k->p += len;
            if (push(k, v) < 0) return -1;
            break;
        case 'I': case 'L':
            if (readline(k, &s, &n) < 0) return -1;
            if (n >= 2 && op == 'I' && (!memcmp(s, "00", 2) || !memcmp(s, "01", 2))) {
                v.tag = V_BOOL; v.u.i = s[1] == '1';
            } else {
                v.tag = V_INT;
                if (parse_int_text(s, n, &v.u.i) < 0) return fail(k, "malformed_pickle", "bad integer");
            }
            if (push(k, v) < 0) return -1;
            break;
        case 'F': {
            if (readline(k, &s, &n) < 0) return -1;
            char buf[64];
            if (n >= sizeof buf) return fail(k, "malformed_pickle", "bad float");
            memcpy(buf, s, n); buf[n] = 0;
            v.tag = V_FLOAT; v.u.f = strtod(buf, NULL);
            if (push(k, v) < 0) return -1;
            break;
        }
        case 'G': if (need(k, 8) < 0) return -1;
            v.tag = V_FLOAT;
            fa_vec_decode(k->p, FA_VDT_F64, 1, 1, &v.u.f);
            k->p += 8;
            if (push(k, v) < 0) return -1;
            break;
        case 'S': case 'V': case 'P': /* STRING, UNICODE, PERSID: text lines */
            if (readline(k, &s, &n) < 0) return -1;
            if (op == 'P') { pobj *o = newobj(k, O_OTHER); if (!o) return -1; v = objval(o); }
            else {
                if (op == 'S' && n >= 2 && (s[0] == '\'' || s[0] == '"')) { s++; n -= 2; }
                v.tag = op == 'S' ? V_BYTES : V_STR; v.u.s.p = s; v.u.s.n = n;
            }
            if (push(k, v) < 0) return -1;
            break;
        case 'T': case 'U': case 'X': case 'B': case 'C':
        case 0x8c: case 0x8d: case 0x8e: case 0x96: {
            int w = (op == 'U' || op == 'C' || op == 0x8c) ? 1 : (op == 0x8d || op == 0x8e || op == 0x96) ? 8 : 4;
            if (need(k, (size_t)w) < 0) return -1;
            len = rdle(k->p, w);
            k->p += w;
            if (need(k, len) < 0) return -1;
            v.tag = (op == 'X' || op == 0x8c || op == 0x8d) ? V_STR : V_BYTES;
            v.u.s.p = (const char *)k->p; v.u.s.n = (size_t)len;
            k->p += len;
            if (push(k, v) < 0) return -1;
            break;
        }
        case 0x97: { /* NEXT_BUFFER: out-of-band data is not in the file */
            pobj *o = newobj(k, O_OTHER);
            if (!o || push(k, objval(o)) < 0) return -1;
            break;
        }
        case 0x98: break; /* READONLY_BUFFER */
        case ')': case ']': case '}': case 0x8f: {
            pobj *o = newobj(k, op == ')' ? O_TUPLE : op == ']' ? O_LIST : op == '}' ? O_DICT : O_SET);
            if (!o || push(k, objval(o)) < 0) return -1;
            break;
        }
        case 0x85: case 0x86: case 0x87: { /* TUPLE1..3 */
            size_t cnt = op - 0x84;
            if (k->nst < cnt) return fail(k, "malformed_pickle", "stack underflow");
            pobj *o = newobj(k, O_TUPLE);
            if (!o) return -1;
            for (size_t i = k->nst - cnt; i < k->nst; i++) {
                if (k->st[i].tag == V_MARK) return fail(k, "malformed_pickle", "stack underflow");
                if (obj_add(k, o, k->st[i]) < 0) return -1;
            }
            k->nst -= cnt;
            if (push(k, objval(o)) < 0) return -1;
            break;
        }
        case 't': case 'l': case 'd': case 0x91: { /* TUPLE, LIST, DICT, FROZENSET from mark */
            size_t f;
            if (pop_mark(k, &f) < 0) return -1;
            pobj *o = newobj(k, op == 't' ? O_TUPLE : op == 'l' ? O_LIST : op == 'd' ? O_DICT : O_SET);
            if (!o) return -1;
            for (size_t i = f; i < k->nst; i++)
                if (obj_add(k, o, k->st[i]) < 0) return -1;
            k->nst = f - 1;
            if (push(k, objval(o)) < 0) return -1;
            break;
        }
        case 'a': { /* APPEND */
            pval *t;
            if (pop(k, &a) < 0 || top(k, &t) < 0) return -1;
            if (t->tag == V_OBJ && obj_add(k, t->u.o, a) < 0) return -1;
            break;
        }
        case 'e': case 'u': case 0x90: { /* APPENDS, SETITEMS, ADDITEMS */
            size_t f;
            if (pop_mark(k, &f) < 0) return -1;
            if (f < 2) return fail(k, "malformed_pickle", "stack underflow");
            pval *t = &k->st[f - 2];
            if (t->tag == V_OBJ)
                for (size_t i = f; i < k->nst; i++)
                    if (obj_add(k, t->u.o, k->st[i]) < 0) return -1;
            k->nst = f - 1;
            break;
        }
        case 's': { /* SETITEM */
            pval *t;
            if (pop(k, &b) < 0 || pop(k, &a) < 0 || top(k, &t) < 0) return -1;
            if (t->tag == V_OBJ && (obj_add(k, t->u.o, a) < 0 || obj_add(k, t->u.o, b) < 0)) return -1;
            break;
        }
        case 'c': case 'i': { /* GLOBAL, INST */
            const char *m, *nm;
            size_t mn, nn;
            if (readline(k, &m, &mn) < 0 || readline(k, &nm, &nn) < 0) return -1;
            pobj *g = newobj(k, O_GLOBAL);
            if (!g) return -1;
            g->mod = m; g->modn = mn; g->name = nm; g->namen = nn;
            if (op == 'c') {
                if (push(k, objval(g)) < 0) return -1;
            } else {
                size_t f;
                if (pop_mark(k, &f) < 0) return -1;
                pobj *o = newobj(k, O_OTHER);
                if (!o) return -1;
                for (size_t i = f; i < k->nst; i++)
                    if (obj_add(k, o, k->st[i]) < 0) return -1;
                k->nst = f - 1;
                if (push(k, objval(o)) < 0) return -1;
            }
            break;
        }
        case 0x93: { /* STACK_GLOBAL */
            if (pop(k, &b) < 0 || pop(k, &a) < 0) return -1;
            if (a.tag != V_STR || b.tag != V_STR)
                return fail(k, "malformed_pickle", "STACK_GLOBAL needs two strings");
            pobj *g = newobj(k, O_GLOBAL);
            if (!g) return -1;
            g->mod = a.u.s.p; g->modn = a.u.s.n; g->name = b.u.s.p; g->namen = b.u.s.n;
            if (push(k, objval(g)) < 0) return -1;
            break;
        }
        case 'R':
            if (pop(k, &b) < 0 || pop(k, &a) < 0) return -1;
            if (do_reduce(k, a, b) < 0) return -1;
            break;
        case 0x81: case 0x92: { /* NEWOBJ, NEWOBJ_EX */
            pval kw = { .tag = V_NONE };
            if (op == 0x92 && pop(k, &kw) < 0) return -1;
            if (pop(k, &b) < 0 || pop(k, &a) < 0) return -1;
            pobj *o = newobj(k, is_name(a.tag == V_OBJ ? a.u.o : NULL, "collections", "OrderedDict") ? O_DICT : O_OTHER);
            if (!o) return -1;
            if (o->type == O_OTHER && obj_add(k, o, b) < 0) return -1;
            if (push(k, objval(o)) < 0) return -1;
            break;
        }
        case 'o': { /* OBJ */
            size_t f;
            if (pop_mark(k, &f) < 0) return -1;
            pobj *o = newobj(k, O_OTHER);
            if (!o) return -1;
            for (size_t i = f + 1; i < k->nst; i++)
                if (obj_add(k, o, k->st[i]) < 0) return -1;
            k->nst = f - 1;
            if (push(k, objval(o)) < 0) return -1;
            break;
        }
        case 'b': if (do_build(k) < 0) return -1; break;
        case 'Q': { /* BINPERSID */
            if (pop(k, &a) < 0) return -1;
            pobj *o = newobj(k, O_OTHER);
            if (!o || push(k, objval(o)) < 0) return -1;
            break;
        }
        case 0x82: case 0x83: case 0x84: { /* EXT1/2/4: registry codes, kept inert */
            int w = op == 0x82 ? 1 : op == 0x83 ? 2 : 4;
            if (need(k, (size_t)w) < 0) return -1;
            k->p += w;
            pobj *o = newobj(k, O_OTHER);
            if (!o || push(k, objval(o)) < 0) return -1;
            break;
        }
        case 'p': case 'g': {
            int64_t idx;
            if (readline(k, &s, &n) < 0) return -1;
            if (parse_int_text(s, n, &idx) < 0 || idx < 0) return fail(k, "malformed_pickle", "bad memo index");
            if ((op == 'p' ? memo_put(k, (uint64_t)idx) : memo_get(k, (uint64_t)idx)) < 0) return -1;
            break;
        }
        case 'q': case 'h':
            if (need(k, 1) < 0) return -1;
            len = *k->p++;
            if ((op == 'q' ? memo_put(k, len) : memo_get(k, len)) < 0) return -1;
            break;
        case 'r': case 'j':
            if (need(k, 4) < 0) return -1;
            len = rdle(k->p, 4);
            k->p += 4;
            if ((op == 'r' ? memo_put(k, len) : memo_get(k, len)) < 0) return -1;
            break;
        case 0x94: /* MEMOIZE */
            if (memo_put(k, k->nmemo) < 0) return -1;
            break;
        default: {
            char msg[64];
            snprintf(msg, sizeof msg, "unknown pickle opcode 0x%02x", op);
            return fail(k, "malformed_pickle", msg);
        }
        }
    }
    return fail(k, "truncated", "pickle truncated: it ends before STOP");
}

/* ---------------------------------------------------------------- finding vectors */

static void emit(pk *k, const char *path, fa_vdtype dt, size_t dim, const double *v)
{
    if (dim >= 2)
        k->fn(k->udata, path, dt, dim, v);
}

static void path_push(fa_buf *path, const pval *key)
{
    if (key && key->tag == V_STR && key->u.s.n && key->u.s.n < 64) {
        fa_buf_addch(path, '.');
        for (size_t i = 0; i < key->u.s.n; i++) {
            char c = key->u.s.p[i];
            fa_buf_addch(path, (c >= 0x20 && c < 0x7f && c != '"') ? c : '_');
        }
    } else {
        fa_buf_adds(path, "[*]");
    }
}

static void visit(pk *k, const pval *v, fa_buf *path, int depth);

static void visit_array(pk *k, pobj *a, fa_buf *path, int depth)
{
    if (a->objdata.tag == V_OBJ) {
        size_t l = path->len;
        fa_buf_adds(path, "[*]");
        visit(k, &a->objdata, path, depth + 1);
        path->len = l;
        path->buf[l] = 0;
        return;
    }
    if (a->kind != 'f' || !a->raw || a->ndim < 1)
        return;
    size_t w = (size_t)a->itemsize;
    if (w != 2 && w != 4 && w != 8)
        return;
    size_t nelem = 1;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] && nelem > SIZE_MAX / a->shape[i] / 8) return;
        nelem *= a->shape[i];
    }
    if (!nelem || nelem * w != a->rawlen)
        return;
    /* vectors run along the last axis */
    size_t dim = a->shape[a->ndim - 1];
    if (dim < 2 || dim > 65536 || (a->fortran && a->ndim > 2))
        return;    /* higher-rank Fortran arrays: rare, skipped */
    size_t count = nelem / dim;
    fa_vdtype dt = w == 2 ? FA_VDT_F16 : w == 4 ? FA_VDT_F32 : FA_VDT_F64;
    FA_GROW(k->scratch, dim, k->ascratch);
    for (size_t r = 0; r < count; r++) {
        if (a->fortran && a->ndim == 2)
            fa_vec_decode_strided(a->raw + r * w, dt, a->be, dim, count, k->scratch);
        else
            fa_vec_decode(a->raw + r * dim * w, dt, a->be, dim, k->scratch);
        emit(k, path->buf, dt, dim, k->scratch);
    }
}

static void visit(pk *k, const pval *v, fa_buf *path, int depth)
{
    if (v->tag != V_OBJ || depth > 64)
        return;
    pobj *o = v->u.o;
    if (o->visited)
        return;
    o->visited = 1;
    size_t l = path->len;
    switch (o->type) {
    case O_ARRAY:
        visit_array(k, o, path, depth);
        for (size_t i = 0; i < o->n; i++)
            visit(k, &o->items[i], path, depth + 1);
        break;
    case O_LIST: case O_TUPLE: case O_SET:
        if (o->numeric && o->nf) {
            emit(k, path->buf, FA_VDT_F64, o->nf, o->fl);
            break;
        }
        if (o->type == O_TUPLE && o->n && o->n <= 8) {
            /* (args) tuples of inert objects: keep the path */
            for (size_t i = 0; i < o->n; i++)
                visit(k, &o->items[i], path, depth + 1);
            break;
        }
        fa_buf_adds(path, "[*]");
        for (size_t i = 0; i < o->n; i++)
            visit(k, &o->items[i], path, depth + 1);
        break;
    case O_DICT:
        for (size_t i = 0; i + 1 < o->n; i += 2) {
            path_push(path, &o->items[i]);
            visit(k, &o->items[i + 1], path, depth + 1);
            path->len = l;
            path->buf[l] = 0;
        }
        break;
    case O_OTHER:
        for (size_t i = 0; i < o->n; i++)
            visit(k, &o->items[i], path, depth + 1);
        break;
    default:
        break;
    }
    path->len = l;
    path->buf[l] = 0;
}

fa_status fa_pickle_walk(const unsigned char *p, size_t len, size_t max_mem,
                         fa_pickle_vec_fn fn, void *udata, fa_err *err)
{
    pk k;
    memset(&k, 0, sizeof k);
    k.p = k.start = p;
    k.end = p + len;
    k.max_mem = max_mem ? max_mem : (size_t)256 << 20;
    k.err = err;
    k.fn = fn;
    k.udata = udata;
    pval result = { .tag = V_NONE };
    int rc = run(&k, &result);
    fa_buf path = FA_BUF_INIT;
    fa_buf_adds(&path, "$");
    if (rc == 0) {
        visit(&k, &result, &path, 0);
    } else {
        /* Salvage: what is on the stack of a truncated pickle may still hold arrays. */
        for (size_t i = 0; i < k.nst; i++)
            visit(&k, &k.st[i], &path, 0);
    }
    fa_buf_release(&path);
    while (k.heap) {
        pobj *o = k.heap;
        k.heap = o->next;
        free(o->items);
        free(o->fl);
        free(o->owned);
        free(o);
    }
    free(k.st);
    free(k.marks);
    free(k.memo);
    free(k.scratch);
    return rc == 0 ? FA_OK : FA_FAIL;
}
