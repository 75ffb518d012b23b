/* Unit tests: XMP extraction from PNG text chunks (plain, zlib, raw-profile hex) and TIFF
 * IFD0 tag 700 (src/detect/metadata_xmp.c): caps, inflate budgets, malformed input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "faceaudit/metadata.h"

static const char PKT[] = "<x:xmpmeta><mwg-rs:RegionList><rdf:li mwg-rs:Type=\"Face\"/></mwg-rs:RegionList></x:xmpmeta>";

/* --- PNG builder --- */
typedef struct { unsigned char b[1 << 16]; size_t n; } img;

static void put32be(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);  p[3] = (unsigned char)v;
}

static void png_start(img *m)
{
    memcpy(m->b, "\x89PNG\r\n\x1a\n", 8);
    m->n = 8;
}

static void png_chunk(img *m, const char *type, const void *d, size_t n)
{
    cr_assert(m->n + n + 12 <= sizeof m->b);
    put32be(m->b + m->n, n);
    memcpy(m->b + m->n + 4, type, 4);
    memcpy(m->b + m->n + 8, d, n);
    memset(m->b + m->n + 8 + n, 0, 4);   /* CRC: not checked by the reader */
    m->n += n + 12;
}

static size_t zip(unsigned char *out, size_t cap, const void *in, size_t n)
{
    uLongf z = cap;
    cr_assert_eq(compress2(out, &z, in, n, 9), Z_OK);
    return z;
}

/* iTXt XML:com.adobe.xmp with the given text (compressed or not). */
static void itxt(img *m, const void *text, size_t n, int compressed)
{
    static unsigned char d[1 << 15];
    static const char hdr[] = "XML:com.adobe.xmp\0\0\0\0";   /* + implicit NUL = 22 bytes */
    memcpy(d, hdr, sizeof hdr);
    d[18] = (unsigned char)compressed;
    size_t k = sizeof hdr;
    if (compressed)
        k += zip(d + k, sizeof d - k, text, n);
    else {
        memcpy(d + k, text, n);
        k += n;
    }
    png_chunk(m, "iTXt", d, k);
}

static fa_xmp_stats stats(int64_t budget)
{
    fa_xmp_stats st;
    memset(&st, 0, sizeof st);
    st.inflate_max = budget;
    return st;
}

static int has_pkt(const fa_buf *b) { return memmem(b->buf, b->len, PKT, sizeof PKT - 1) != NULL; }

Test(metadata, png_itxt_plain_and_compressed)
{
    static img m;
    for (int c = 0; c < 2; c++) {
        png_start(&m);
        itxt(&m, PKT, sizeof PKT - 1, c);
        png_chunk(&m, "IEND", "", 0);
        fa_buf out = FA_BUF_INIT;
        fa_xmp_stats st = stats(1 << 20);
        fa_xmp_png(m.b, m.n, &out, 1 << 20, &st);
        cr_expect(has_pkt(&out), "compressed=%d", c);
        cr_expect_eq(out.len, sizeof PKT, "packet + newline");
        cr_expect_eq(st.corrupt, 0);
        cr_expect_eq(st.over, 0);
        cr_expect_eq(st.inflated, c ? (int64_t)(sizeof PKT - 1) : 0);
        fa_buf_release(&out);
    }
}

static size_t raw_profile(char *out, const char *x, size_t n)
{
    size_t k = (size_t)sprintf(out, "\nxmp\n%8zu\n", n);
    for (size_t i = 0; i < n; i++) {
        k += (size_t)sprintf(out + k, "%02x", (unsigned char)x[i]);
        if (i % 36 == 35)
            out[k++] = '\n';
    }
    out[k++] = '\n';
    return k;
}

Test(metadata, png_raw_profile_ztxt_and_text)
{
    static img m;
    static char hex[8192];
    static unsigned char d[8192];
    size_t hn = raw_profile(hex, PKT, sizeof PKT - 1);
    png_start(&m);
    memcpy(d, "Raw profile type xmp\0\0", 22);
    size_t k = 22 + zip(d + 22, sizeof d - 22, hex, hn);
    png_chunk(&m, "zTXt", d, k);
    memcpy(d, "Raw profile type xmp\0", 21);
    memcpy(d + 21, hex, hn);
    png_chunk(&m, "tEXt", d, 21 + hn);
    fa_buf out = FA_BUF_INIT;
    fa_xmp_stats st = stats(1 << 20);
    fa_xmp_png(m.b, m.n, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 2 * sizeof PKT, "two decoded packets");
    cr_expect(has_pkt(&out));
    cr_expect_eq(memcmp(out.buf + sizeof PKT, PKT, sizeof PKT - 1), 0);
    cr_expect_eq(st.corrupt, 0);
    fa_buf_release(&out);

    /* a non-hex byte stops decoding and is noted; the declared length caps the output */
    png_start(&m);
#define TEXT(lit) png_chunk(&m, "tEXt", lit, sizeof lit - 1)
    TEXT("Raw profile type xmp\0\nxmp\n       2\n41zz");
    TEXT("Raw profile type xmp\0\nxmp\n       1\n414243");
    TEXT("Raw profile type xmp\0\nxmp\nnolength\n41");
    st = stats(1 << 20);
    fa_xmp_png(m.b, m.n, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 4);
    cr_expect_eq(memcmp(out.buf, "A\nA\n", 4), 0);
    cr_expect_eq(st.corrupt, 2);
    cr_expect(strstr(st.why, "non-hex") != NULL, "%s", st.why);
    fa_buf_release(&out);
}

Test(metadata, png_inflate_budget_is_per_object)
{
    static img m;
    static char big[6000];
    memset(big, ' ', sizeof big);
    memcpy(big, PKT, sizeof PKT - 1);
    png_start(&m);
    itxt(&m, big, 4000, 1);   /* fits the budget */
    itxt(&m, big, 6000, 1);   /* 4000 + 6000 > 8000: dropped */
    itxt(&m, PKT, sizeof PKT - 1, 0);   /* uncompressed: still read */
    fa_buf out = FA_BUF_INIT;
    fa_xmp_stats st = stats(8000);
    fa_xmp_png(m.b, m.n, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 4001 + sizeof PKT);
    cr_expect_gt(st.over, 8000);
    cr_expect_leq(st.over, 8000 + 16384, "stops within one output block");
    cr_expect_eq(st.corrupt, 0);
    fa_buf_release(&out);
}

Test(metadata, png_output_cap)
{
    static img m;
    static char big[6000];
    memset(big, 'x', sizeof big);
    png_start(&m);
    itxt(&m, big, sizeof big, 1);
    itxt(&m, big, sizeof big, 0);
    fa_buf out = FA_BUF_INIT;
    fa_xmp_stats st = stats(1 << 20);
    fa_xmp_png(m.b, m.n, &out, 1000, &st);
    cr_expect_leq(out.len, 1001);
    cr_expect_eq(st.over, 0);
    fa_buf_release(&out);
}

Test(metadata, png_corrupt_and_truncated_zlib)
{
    static img m;
    static unsigned char d[4096];
    static const char hdr[] = "XML:com.adobe.xmp\0\1\0\0";
    png_start(&m);
    memcpy(d, hdr, sizeof hdr);
    memcpy(d + sizeof hdr, "\x78\x9c\xff\xff\xff\xff", 6);
    png_chunk(&m, "iTXt", d, sizeof hdr + 6);
    fa_buf out = FA_BUF_INIT;
    fa_xmp_stats st = stats(1 << 20);
    fa_xmp_png(m.b, m.n, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 0);
    cr_expect_eq(st.corrupt, 1);
    cr_expect(strstr(st.why, "does not inflate") != NULL, "%s", st.why);

    size_t z = zip(d + sizeof hdr, sizeof d - sizeof hdr, PKT, sizeof PKT - 1);
    png_start(&m);
    png_chunk(&m, "iTXt", d, sizeof hdr + z / 2);
    st = stats(1 << 20);
    fa_xmp_png(m.b, m.n, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 0);
    cr_expect_eq(st.corrupt, 1);
    cr_expect(strstr(st.why, "truncated") != NULL, "%s", st.why);

    /* unknown compression method, an iTXt without its NULs, a chunk longer than the file */
    png_start(&m);
    png_chunk(&m, "zTXt", "XML:com.adobe.xmp\0\7xx", 21);
    png_chunk(&m, "iTXt", "XML:com.adobe.xmp\0\0\0abc", 23);
    size_t at = m.n;
    png_chunk(&m, "iTXt", "XML:com.adobe.xmp\0\0\0\0\0<x/>", 26);
    put32be(m.b + at, 0x7ffffff0);
    st = stats(1 << 20);
    fa_xmp_png(m.b, m.n, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 0);
    cr_expect_eq(st.corrupt, 2);
    fa_buf_release(&out);
}

/* --- TIFF --- */

static void w16(unsigned char *p, unsigned v, int be)
{
    p[be ? 0 : 1] = (unsigned char)(v >> 8);
    p[be ? 1 : 0] = (unsigned char)v;
}

static void w32(unsigned char *p, unsigned long v, int be)
{
    for (int i = 0; i < 4; i++)
        p[be ? i : 3 - i] = (unsigned char)(v >> (24 - 8 * i));
}

/* Classic TIFF: IFD0 at 8 with one entry (tag 700) and the XMP after it. */
static size_t tiff(unsigned char *b, int be, unsigned type, unsigned long count, unsigned long off,
                   const char *x, size_t xn)
{
    memcpy(b, be ? "MM" : "II", 2);
    w16(b + 2, 42, be);
    w32(b + 4, 8, be);
    w16(b + 8, 1, be);
    w16(b + 10, 700, be);
    w16(b + 12, type, be);
    w32(b + 14, count, be);
    w32(b + 18, off, be);
    w32(b + 22, 0, be);
    memcpy(b + 26, x, xn);
    return 26 + xn;
}

Test(metadata, tiff_both_byte_orders)
{
    static unsigned char b[4096];
    for (int be = 0; be < 2; be++) {
        size_t n = tiff(b, be, be ? 1 : 7, sizeof PKT - 1, 26, PKT, sizeof PKT - 1);
        fa_buf out = FA_BUF_INIT;
        fa_xmp_stats st = stats(0);
        fa_xmp_tiff(b, n, &out, 1 << 20, &st);
        cr_expect_eq(out.len, sizeof PKT, "be=%d", be);
        cr_expect(has_pkt(&out));
        cr_expect_eq(st.corrupt, 0);
        /* an inline value (count <= 4) */
        n = tiff(b, be, 7, 3, 0, "", 0);
        memcpy(b + 18, "<x/", 3);
        fa_buf_reset(&out);
        fa_xmp_tiff(b, n, &out, 1 << 20, &st);
        cr_expect_eq(out.len, 4);
        cr_expect_eq(memcmp(out.buf, "<x/\n", 4), 0);
        fa_buf_release(&out);
    }
}

Test(metadata, tiff_out_of_range)
{
    static unsigned char b[4096];
    static const struct { unsigned long count, off; } bad[] = {
        { 20, 0xFFFFFF00ul }, { 0xFFFFFFFFul, 26 }, { 0x80000000ul, 0x80000000ul }, { 200, 26 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t n = tiff(b, (int)(i & 1), 7, bad[i].count, bad[i].off, PKT, sizeof PKT - 1);
        fa_buf out = FA_BUF_INIT;
        fa_xmp_stats st = stats(0);
        fa_xmp_tiff(b, n, &out, 1 << 20, &st);
        cr_expect_eq(out.len, 0, "case %zu", i);
        cr_expect_eq(st.corrupt, 1, "case %zu", i);
        cr_expect(strstr(st.why, "outside the file") != NULL, "%s", st.why);
        fa_buf_release(&out);
    }
    /* wrong type; IFD0 outside the file; an IFD count larger than the file (read what is there) */
    size_t n = tiff(b, 0, 3, 10, 26, PKT, sizeof PKT - 1);
    fa_buf out = FA_BUF_INIT;
    fa_xmp_stats st = stats(0);
    fa_xmp_tiff(b, n, &out, 1 << 20, &st);
    cr_expect_eq(st.corrupt, 1);
    cr_expect_eq(out.len, 0);
    n = tiff(b, 1, 7, 10, 26, PKT, sizeof PKT - 1);
    w32(b + 4, 0xFFFFFFF0ul, 1);
    st = stats(0);
    fa_xmp_tiff(b, n, &out, 1 << 20, &st);
    cr_expect_eq(st.corrupt + (int)out.len, 0);
    n = tiff(b, 0, 7, sizeof PKT - 1, 26, PKT, sizeof PKT - 1);
    w16(b + 8, 0xFFFF, 0);
    unsigned char *cut = malloc(20);   /* header + count + 10 bytes of the one entry */
    memcpy(cut, b, 20);
    fa_xmp_tiff(cut, 20, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 0);
    fa_xmp_tiff(b, n, &out, 1 << 20, &st);   /* 0xFFFF entries claimed, one there: found */
    cr_expect(has_pkt(&out));
    free(cut);
    fa_buf_release(&out);
}

Test(metadata, tiff_bigtiff)
{
    static unsigned char b[4096];
    memcpy(b, "II", 2);
    w16(b + 2, 43, 0); w16(b + 4, 8, 0); w16(b + 6, 0, 0);
    memset(b + 8, 0, 8); b[8] = 16;                 /* IFD0 at 16 */
    memset(b + 16, 0, 8); b[16] = 1;                /* one entry */
    w16(b + 24, 700, 0); w16(b + 26, 7, 0);
    memset(b + 28, 0, 16);
    b[28] = (unsigned char)(sizeof PKT - 1);        /* count */
    b[36] = 52;                                     /* offset: after entry + next-IFD */
    memset(b + 44, 0, 8);
    memcpy(b + 52, PKT, sizeof PKT - 1);
    fa_buf out = FA_BUF_INIT;
    fa_xmp_stats st = stats(0);
    fa_xmp_tiff(b, 52 + sizeof PKT - 1, &out, 1 << 20, &st);
    cr_expect(has_pkt(&out));
    b[43] = 0x40;                                   /* offset 2^62 + 52 */
    fa_buf_reset(&out);
    fa_xmp_tiff(b, 52 + sizeof PKT - 1, &out, 1 << 20, &st);
    cr_expect_eq(out.len, 0);
    cr_expect_eq(st.corrupt, 1);
    fa_buf_release(&out);
}
