/* Unit tests: the pickle walker finds vectors without executing anything. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "faceaudit/parse_pickle.h"

typedef struct { unsigned char b[16384]; size_t n; } pb;
static void put(pb *p, const void *d, size_t n) { memcpy(p->b + p->n, d, n); p->n += n; }
static void op(pb *p, int c) { p->b[p->n++] = (unsigned char)c; }
#define S(p, lit) put((p), (lit), sizeof(lit) - 1)   /* literals may hold NUL bytes */
static void binfloat(pb *p, double d)
{
    uint64_t u; memcpy(&u, &d, 8);
    op(p, 'G');
    for (int i = 7; i >= 0; i--) op(p, (int)(u >> (8 * i)) & 0xff);
}
static void binunicode(pb *p, const char *x)
{
    uint32_t l = (uint32_t)strlen(x);
    op(p, 'X'); put(p, &l, 4); put(p, x, l);
}

typedef struct { int n; size_t dim; char path[128]; fa_vdtype dt; double first; } seen;
static void cb(void *u, const char *path, fa_vdtype dt, size_t dim, const double *v)
{
    seen *z = u;
    z->n++; z->dim = dim; z->dt = dt; z->first = v[0];
    snprintf(z->path, sizeof z->path, "%s", path);
}

Test(pickle, dict_of_float_lists_protocol2)
{
    pb p = { .n = 0 };
    S(&p, "\x80\x02}q\x00(");                    /* PROTO 2, EMPTY_DICT, BINPUT, MARK */
    binunicode(&p, "encodings");
    S(&p, "]q\x01(");                          /* list */
    for (int k = 0; k < 2; k++) {
        S(&p, "](");
        for (int i = 0; i < 128; i++) binfloat(&p, (i % 2 ? -1 : 1) * 0.01 * (i + 1));
        S(&p, "e");                            /* APPENDS: the inner list stays on the stack */
    }
    S(&p, "eu.");                              /* APPENDS (outer), SETITEMS, STOP */
    seen z = { 0 };
    fa_err e; fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(p.b, p.n, 0, cb, &z, &e), FA_OK, "%s", e.msg);
    cr_assert_eq(z.n, 2);
    cr_assert_eq(z.dim, 128);
    cr_assert_str_eq(z.path, "$.encodings[*]");
    cr_assert_float_eq(z.first, 0.01, 1e-12);
}

/* numpy.core.multiarray._reconstruct + BUILD state, protocol 3 bytes */
Test(pickle, numpy_ndarray_reconstruct)
{
    pb p = { .n = 0 };
    S(&p, "\x80\x03" "cnumpy.core.multiarray\n_reconstruct\nq\x00" "cnumpy\nndarray\nq\x01"
          "K\x00\x85q\x02" "C\x01" "bq\x03\x87Rq\x04(K\x01K\x02K\x80\x86" "cnumpy\ndtype\nq\x05");
    binunicode(&p, "f4");
    S(&p, "\x89\x88\x87Rq\x06(K\x03");
    binunicode(&p, "<");
    S(&p, "NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89");
    uint32_t l = 2 * 128 * 4;
    op(&p, 'B'); put(&p, &l, 4);
    for (int i = 0; i < 256; i++) { float f = (float)(i % 3 - 1) * 0.5f; put(&p, &f, 4); }
    S(&p, "tb.");
    seen z = { 0 };
    fa_err e; fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(p.b, p.n, 0, cb, &z, &e), FA_OK, "%s", e.msg);
    cr_assert_eq(z.n, 2);
    cr_assert_eq(z.dim, 128);
    cr_assert_eq(z.dt, FA_VDT_F32);
    cr_assert_float_eq(z.first, 0.5, 1e-9);    /* the last row starts at element 128: 128 % 3 - 1 = 1 */
}

Test(pickle, hostile_inputs_fail_cleanly)
{
    fa_err e;
    seen z = { 0 };
    /* BINBYTES claiming 4 GiB */
    const unsigned char huge[] = { 0x80, 0x03, ']', 'B', 0xff, 0xff, 0xff, 0xff, 'x' };
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(huge, sizeof huge, 0, cb, &z, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");    /* a length claiming more than the file holds */
    /* memo reference to nothing */
    const unsigned char memo[] = { 0x80, 0x02, 'h', 0x05, '.' };
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(memo, sizeof memo, 0, cb, &z, &e), FA_FAIL);
    /* LONG_BINPUT with an absurd index */
    const unsigned char put4[] = { 0x80, 0x02, 'N', 'r', 0xff, 0xff, 0xff, 0x7f, '.' };
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(put4, sizeof put4, 0, cb, &z, &e), FA_FAIL);
    /* unknown opcode */
    const unsigned char unk[] = { 0x80, 0x02, 0xff, '.' };
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(unk, sizeof unk, 0, cb, &z, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "malformed_pickle");
    /* os.system via REDUCE: kept as an inert name, nothing runs, no vector */
    static const char evil[] = "\x80\x02" "cos\nsystem\nX\x05\x00\x00\x00touch\x85R.";
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk((const unsigned char *)evil, sizeof evil - 1, 0, cb, &z, &e), FA_OK, "%s", e.msg);
    cr_assert_eq(z.n, 0);
    /* memory bound */
    pb p = { .n = 0 };
    S(&p, "\x80\x02](");
    for (int i = 0; i < 1000; i++) binfloat(&p, 0.5);
    S(&p, "e.");
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(p.b, p.n, 1024, cb, &z, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "pickle_too_complex");
}

/* A face_recognition-style pickle cut in half: "truncated", and the vectors complete
 * before the cut are still passed (salvaged from the stack). */
Test(pickle, truncated_before_stop)
{
    pb p = { .n = 0 };
    S(&p, "\x80\x04\x95\xff\xff\x00\x00\x00\x00\x00\x00}\x94(");  /* FRAME longer than the data */
    binunicode(&p, "encodings");
    S(&p, "]\x94(");
    size_t ends[3];
    for (int k = 0; k < 3; k++) {
        S(&p, "](");
        for (int i = 0; i < 128; i++) binfloat(&p, (i % 2 ? -1 : 1) * 0.003 * (i + 1 + k));
        S(&p, "e");
        ends[k] = p.n;
    }
    S(&p, "eu.");
    /* complete: no error */
    seen all = { 0 };
    fa_err e; fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(p.b, p.n, 0, cb, &all, &e), FA_OK, "%s", e.msg);
    cr_assert_eq(all.n, 3);
    /* cut inside the third vector's floats */
    seen z = { 0 };
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(p.b, ends[1] + 300, 0, cb, &z, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(z.n, 2, "salvaged %d", z.n);
    cr_assert_eq(z.dim, 128);
    /* cut just before STOP */
    seen y = { 0 };
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk(p.b, p.n - 1, 0, cb, &y, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(y.n, 3);
    /* protocol 0 text argument without its newline */
    static const char t0[] = "(lp0\nF0.5";
    fa_err_clear(&e);
    cr_assert_eq(fa_pickle_walk((const unsigned char *)t0, sizeof t0 - 1, 0, cb, &y, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
}
