/* Base64 decoding of blobs found in text; see base64.h for what is accepted. */
#include <stdint.h>
#include <stdlib.h>
#include "faceaudit/base64.h"
#include "faceaudit/buf.h"

enum { B64_BAD = 0xff, B64_SKIP = 0xfe, B64_PAD = 0xfd, B64_ESC = 0xfc };

/* Built once from a constant initializer, so it is thread-safe without locking. */
#define R4(a) a, a, a, a
#define R16(a) R4(a), R4(a), R4(a), R4(a)
static const unsigned char b64_class[256] = {
    /* 0x00 */ R4(B64_BAD), R4(B64_BAD), B64_BAD, B64_SKIP, B64_SKIP, B64_SKIP, B64_SKIP, B64_SKIP,
               B64_BAD, B64_BAD,
    /* 0x10 */ R16(B64_BAD),
    /* 0x20 ' ' */ B64_SKIP, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD, B64_BAD,
    /* ( */ B64_BAD, B64_BAD, B64_BAD, 62 /* + */, B64_BAD, 62 /* - */, B64_BAD, 63 /* / */,
    /* 0x30 */ 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, B64_BAD, B64_BAD, B64_BAD, B64_PAD,
               B64_BAD, B64_BAD,
    /* 0x40 @ */ B64_BAD, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    /* 0x50 */ 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, B64_BAD, B64_ESC, B64_BAD, B64_BAD,
               63 /* _ */,
    /* 0x60 ` */ B64_BAD, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    /* 0x70 */ 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, B64_BAD, B64_BAD, B64_BAD, B64_BAD,
               B64_BAD,
    /* 0x80 */ R16(B64_BAD), R16(B64_BAD), R16(B64_BAD), R16(B64_BAD),
               R16(B64_BAD), R16(B64_BAD), R16(B64_BAD), R16(B64_BAD),
};

size_t fa_base64_decoded_max(size_t n)
{
    return n / 4 * 3 + (n % 4 ? 3 : 0);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Classifies the backslash escape at src[*i] (a '\\'); advances *i past it. */
static unsigned escape_class(const char *src, size_t n, size_t *i)
{
    size_t j = *i + 1;
    if (j >= n)
        return B64_BAD;
    unsigned char c = (unsigned char)src[j];
    *i = j + 1;
    switch (c) {
    case '/': return 63;
    case 'n': case 'r': case 't': return B64_SKIP;
    case 'u': {
        if (j + 4 >= n)
            return B64_BAD;
        int cp = 0;
        for (int k = 1; k <= 4; k++) {
            int h = hexval((unsigned char)src[j + k]);
            if (h < 0)
                return B64_BAD;
            cp = cp * 16 + h;
        }
        *i = j + 5;
        if (cp >= 0x80)
            return B64_BAD;
        unsigned cl = b64_class[cp];
        return cl == B64_ESC ? B64_BAD : cl;
    }
    default:
        return B64_BAD;
    }
}

fa_status fa_base64_decode(const char *src, size_t n, unsigned char *out, size_t cap,
                           size_t *outlen)
{
    uint32_t acc = 0;
    int nbits = 0, pad = 0;
    size_t o = 0;
    fa_status st = FA_OK;
    for (size_t i = 0; i < n;) {
        unsigned cl = b64_class[(unsigned char)src[i]];
        if (cl == B64_ESC)
            cl = escape_class(src, n, &i);
        else
            i++;
        if (cl == B64_SKIP)
            continue;
        if (cl == B64_BAD)
            goto bad;
        if (cl == B64_PAD) {
            pad++;
            continue;
        }
        if (pad)            /* data after padding: not one base64 value */
            goto bad;
        acc = (acc << 6) | cl;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            if (o < cap)
                out[o++] = (unsigned char)(acc >> nbits);
            else
                st = FA_WARN;
        }
    }
    /* 6 leftover bits cannot come from whole bytes; padding beyond "==" is malformed. */
    if (nbits >= 6 || pad > 2)
        goto bad;
    *outlen = o;
    return st;
bad:
    *outlen = o;
    return FA_FAIL;
}

fa_status fa_base64_decode_alloc(const char *src, size_t n, size_t max, unsigned char **out,
                                 size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    size_t cap = fa_base64_decoded_max(n);
    if (cap > max)
        cap = max;
    unsigned char *buf = fa_xmalloc(cap + 1);
    size_t len;
    fa_status st = fa_base64_decode(src, n, buf, cap, &len);
    if (st != FA_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *outlen = len;
    return FA_OK;
}
