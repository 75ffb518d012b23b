/* NumPy .npy header reader: "\x93NUMPY" major minor, a little-endian header length
 * (2 bytes in v1, 4 in v2/v3), then a Python dict literal:
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 512), }
 * Only this literal form is accepted; nothing is evaluated. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include "faceaudit/parse_npy.h"

static const char *find_key(const char *h, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 <= n; i++)
        if ((h[i] == '\'' || h[i] == '"') && !memcmp(h + i + 1, key, kl) && h[i + 1 + kl] == h[i]) {
            const char *p = h + i + kl + 2, *end = h + n;
            while (p < end && isspace((unsigned char)*p)) p++;
            if (p < end && *p == ':') {
                p++;
                while (p < end && isspace((unsigned char)*p)) p++;
                return p;
            }
        }
    return NULL;
}

fa_status fa_npy_parse(const unsigned char *p, size_t len, fa_npy *o, fa_err *err)
{
    memset(o, 0, sizeof *o);
    if (len < 10 || memcmp(p, FA_NPY_MAGIC, 6))
        return fa_err_set(err, FA_FAIL, "malformed_npy", "not a .npy file (bad magic)");
    o->major = p[6];
    o->minor = p[7];
    size_t hlen, hoff;
    if (o->major == 1) {
        hlen = (size_t)p[8] | (size_t)p[9] << 8;
        hoff = 10;
    } else if (o->major == 2 || o->major == 3) {
        if (len < 12)
            return fa_err_set(err, FA_FAIL, "truncated", ".npy header truncated");
        hlen = (size_t)p[8] | (size_t)p[9] << 8 | (size_t)p[10] << 16 | (size_t)p[11] << 24;
        hoff = 12;
    } else {
        return fa_err_set(err, FA_FAIL, "malformed_npy", "unsupported .npy format version %d.%d",
                          o->major, o->minor);
    }
    if (hlen > len - hoff)
        return fa_err_set(err, FA_FAIL, "truncated", ".npy header claims %zu bytes, %zu present",
                          hlen, len - hoff);
    const char *h = (const char *)p + hoff, *end = h + hlen;
    o->offset = hoff + hlen;

    const char *d = find_key(h, hlen, "descr");
    if (!d || d >= end)
        return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy header has no 'descr'");
    if (*d == '[') {
        o->kind = 'V';    /* structured dtype: a record array, not a plain vector */
    } else {
        if (*d != '\'' && *d != '"')
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy 'descr' is not a string");
        char q = *d++;
        const char *e = memchr(d, q, (size_t)(end - d));
        if (!e || e - d < 2 || e - d > 12)
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy 'descr' is malformed");
        char bo = d[0];
        if (bo != '<' && bo != '>' && bo != '|' && bo != '=')
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy 'descr' lacks a byte order");
        o->big_endian = bo == '>';
        o->kind = d[1];
        long sz = 0;
        for (const char *q2 = d + 2; q2 < e; q2++) {
            if (!isdigit((unsigned char)*q2)) {
                /* datetime units like '<M8[ns]': not a vector type; keep the kind */
                break;
            }
            sz = sz * 10 + (*q2 - '0');
            if (sz > 1 << 20)
                return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy item size out of range");
        }
        o->itemsize = (int)sz;
        if (o->kind != 'O' && o->itemsize == 0 && !strchr("UVSM", o->kind))
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy 'descr' has no item size");
    }
    const char *f = find_key(h, hlen, "fortran_order");
    if (f && end - f >= 4 && !memcmp(f, "True", 4))
        o->fortran = 1;
    else if (!f || end - f < 5 || memcmp(f, "False", 5))
        return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy header has no valid 'fortran_order'");

    const char *s = find_key(h, hlen, "shape");
    if (!s || s >= end || *s != '(')
        return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy header has no valid 'shape'");
    s++;
    o->nelem = 1;
    for (;;) {
        while (s < end && (isspace((unsigned char)*s) || *s == ',')) s++;
        if (s >= end)
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy 'shape' is not closed");
        if (*s == ')')
            break;
        if (!isdigit((unsigned char)*s))
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy 'shape' holds a non-integer");
        uint64_t v = 0;
        while (s < end && isdigit((unsigned char)*s)) {
            v = v * 10 + (uint64_t)(*s++ - '0');
            if (v > (uint64_t)1 << 48)
                return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy dimension out of range");
        }
        if (s < end && *s == 'L') s++;     /* Python 2 long literal */
        if (o->ndim == FA_NPY_MAXDIM)
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy has more than %d dimensions", FA_NPY_MAXDIM);
        o->shape[o->ndim++] = (size_t)v;
        if (v && o->nelem > SIZE_MAX / v)
            return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy shape overflows");
        o->nelem *= (size_t)v;
    }
    size_t avail = len - o->offset;
    if (o->kind == 'O') {
        o->data_len = avail;
        return FA_OK;
    }
    if (o->itemsize && o->nelem > SIZE_MAX / (size_t)o->itemsize)
        return fa_err_set(err, FA_FAIL, "malformed_npy", ".npy shape overflows");
    o->data_len = o->nelem * (size_t)o->itemsize;
    if (o->data_len > avail)
        return fa_err_set(err, FA_FAIL, "truncated", ".npy data truncated: shape needs %zu bytes, %zu present",
                          o->data_len, avail);
    return FA_OK;
}
