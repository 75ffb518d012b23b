/* fa_base64: both alphabets, padding, text wrapping and JSON escapes, rejection of
 * non-base64, bounded output; round trips against a reference encoder. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/base64.h"

static const char std_al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t encode(const unsigned char *s, size_t n, const char *al, int pad, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        if (i + 1 < n) out[o++] = al[v >> 6 & 63]; else if (pad) out[o++] = '=';
        if (i + 2 < n) out[o++] = al[v & 63]; else if (pad) out[o++] = '=';
    }
    out[o] = 0;
    return o;
}

static void expect_decodes(const char *in, const char *want)
{
    unsigned char out[256];
    size_t n = 12345;
    fa_status st = fa_base64_decode(in, strlen(in), out, sizeof out, &n);
    cr_expect_eq(st, FA_OK, "'%s' should decode", in);
    cr_expect_eq(n, strlen(want), "'%s': length %zu", in, n);
    cr_expect(n == strlen(want) && !memcmp(out, want, n), "'%s' decoded wrongly", in);
}

static void expect_rejects(const char *in)
{
    unsigned char out[256];
    size_t n;
    cr_expect_eq(fa_base64_decode(in, strlen(in), out, sizeof out, &n), FA_FAIL, "'%s' should be rejected", in);
}

Test(base64, known_vectors)
{
    /* RFC 4648 section 10 */
    expect_decodes("", "");
    expect_decodes("Zg==", "f");
    expect_decodes("Zm8=", "fo");
    expect_decodes("Zm9v", "foo");
    expect_decodes("Zm9vYg==", "foob");
    expect_decodes("Zm9vYmE=", "fooba");
    expect_decodes("Zm9vYmFy", "foobar");
    /* padding optional */
    expect_decodes("Zg", "f");
    expect_decodes("Zm8", "fo");
}

Test(base64, alphabets_and_text_wrapping)
{
    expect_decodes("+/+/", "\xfb\xff\xbf");
    expect_decodes("-_-_", "\xfb\xff\xbf");            /* URL-safe */
    expect_decodes("Zm9v\nYmFy", "foobar");
    expect_decodes("Zm9v\r\n YmFy\t", "foobar");
    expect_decodes("Zm9v\\nYmFy", "foobar");          /* JSON "\n" escape sequence */
    expect_decodes("Zm9v\\r\\nYmFy", "foobar");
    expect_decodes("\\/\\/\\/\\/", "\xff\xff\xff");  /* JSON-escaped slashes */
    expect_decodes("Zm8\\u003d", "fo");               /* \u003d is '=' */
    expect_decodes("\\u002b\\u002f\\u002B\\u002F", "\xfb\xff\xbf");
    expect_decodes("Zg==\n", "f");
}

Test(base64, rejects_non_base64)
{
    expect_rejects("Zm9v!");
    expect_rejects("Zm9v YmF*");
    expect_rejects("Z");              /* 6 bits cannot be a byte */
    expect_rejects("Zm9vY");
    expect_rejects("Zg==Zg==");       /* data after padding */
    expect_rejects("Zg===");
    expect_rejects("Zm9v\\x41");      /* unknown escape */
    expect_rejects("Zm9v\\u00e9");    /* escape of a non-base64 character */
    expect_rejects("Zm9v\\u00");      /* truncated escape */
    expect_rejects("Zm9v\\");
    expect_rejects("Zm9v\xc3\xa9");
}

Test(base64, bounded_output)
{
    unsigned char out[4];
    memset(out, 0xaa, sizeof out);
    size_t n;
    cr_expect_eq(fa_base64_decode("Zm9vYmFy", 8, out, 3, &n), FA_WARN);
    cr_expect_eq(n, 3u);
    cr_expect(!memcmp(out, "foo", 3));
    cr_expect_eq(out[3], 0xaa, "wrote past the capacity");
    cr_expect_eq(fa_base64_decoded_max(8), 6u);
    cr_expect_eq(fa_base64_decoded_max(6), 6u);
    cr_expect_eq(fa_base64_decoded_max(0), 0u);

    unsigned char *buf;
    size_t len;
    cr_expect_eq(fa_base64_decode_alloc("Zm9vYmFy", 8, 5, &buf, &len), FA_WARN);
    cr_expect_null(buf);
    cr_expect_eq(fa_base64_decode_alloc("Zm9vYmFy", 8, 6, &buf, &len), FA_OK);
    cr_assert_not_null(buf);
    cr_expect_eq(len, 6u);
    cr_expect(!memcmp(buf, "foobar", 6));
    free(buf);
    cr_expect_eq(fa_base64_decode_alloc("Zm9v#", 5, 100, &buf, &len), FA_FAIL);
    cr_expect_null(buf);
}

Test(base64, round_trips)
{
    srand(7);
    unsigned char data[300], out[300];
    char enc[420];
    for (size_t n = 0; n < sizeof data; n++) {
        for (size_t i = 0; i < n; i++)
            data[i] = (unsigned char)rand();
        for (int variant = 0; variant < 4; variant++) {
            size_t el = encode(data, n, variant & 1 ? url_al : std_al, variant & 2, enc);
            size_t got;
            fa_status st = fa_base64_decode(enc, el, out, sizeof out, &got);
            cr_assert_eq(st, FA_OK, "n=%zu variant=%d", n, variant);
            cr_assert_eq(got, n, "n=%zu variant=%d", n, variant);
            cr_assert(!memcmp(out, data, n), "n=%zu variant=%d", n, variant);
            cr_assert_geq(fa_base64_decoded_max(el), n);
        }
    }
}
