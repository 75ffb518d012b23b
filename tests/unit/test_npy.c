/* Unit tests: .npy header reader (versions, byte orders, hostile headers). */
#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/parse_npy.h"

static size_t mk(unsigned char *out, int ver, const char *dict, size_t data)
{
    size_t hl = strlen(dict), off = ver == 1 ? 10 : 12;
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)ver; out[7] = 0;
    out[8] = (unsigned char)hl; out[9] = (unsigned char)(hl >> 8);
    if (ver > 1) { out[10] = 0; out[11] = 0; }
    memcpy(out + off, dict, hl);
    memset(out + off + hl, 0, data);
    return off + hl + data;
}

Test(npy, v1_little_endian_2d)
{
    static unsigned char b[8192];
    size_t n = mk(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 512), }\n", 3 * 512 * 4);
    fa_npy h; fa_err e; fa_err_clear(&e);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_OK, "%s", e.msg);
    cr_assert_eq(h.kind, 'f');
    cr_assert_eq(h.itemsize, 4);
    cr_assert_eq(h.ndim, 2);
    cr_assert_eq(h.shape[1], 512);
    cr_assert_eq(h.nelem, 1536);
    cr_assert(!h.big_endian);
}

Test(npy, v3_big_endian_f8_fortran)
{
    static unsigned char b[4096];
    size_t n = mk(b, 3, "{'descr': '>f8', 'fortran_order': True, 'shape': (128,), }\n", 1024);
    fa_npy h; fa_err e; fa_err_clear(&e);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_OK, "%s", e.msg);
    cr_assert(h.big_endian);
    cr_assert(h.fortran);
    cr_assert_eq(h.itemsize, 8);
    cr_assert_eq(h.offset, 12 + strlen("{'descr': '>f8', 'fortran_order': True, 'shape': (128,), }\n"));
}

Test(npy, truncated_and_hostile)
{
    static unsigned char b[4096];
    fa_npy h; fa_err e;
    size_t n = mk(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 512), }\n", 16);
    fa_err_clear(&e);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    /* shape product overflow */
    n = mk(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (281474976710656, 281474976710656), }\n", 0);
    fa_err_clear(&e);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_FAIL);
    /* header length beyond the file */
    n = mk(b, 1, "{'descr': '<f4'", 0);
    b[8] = 0xff; b[9] = 0xff;
    fa_err_clear(&e);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_FAIL);
    /* not a dict literal: no evaluation, just failure */
    n = mk(b, 1, "__import__('os').system('x')\n", 0);
    fa_err_clear(&e);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "malformed_npy");
    /* bad version */
    n = mk(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 8);
    b[6] = 9;
    fa_err_clear(&e);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_FAIL);
}

Test(npy, object_and_structured)
{
    static unsigned char b[4096];
    fa_npy h; fa_err e; fa_err_clear(&e);
    size_t n = mk(b, 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n", 5);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_OK, "%s", e.msg);
    cr_assert_eq(h.kind, 'O');
    cr_assert_eq(h.data_len, 5);
    n = mk(b, 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", 8);
    cr_assert_eq(fa_npy_parse(b, n, &h, &e), FA_OK, "%s", e.msg);
    cr_assert_eq(h.kind, 'V');
}
