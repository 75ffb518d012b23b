/* fa_imagesize: dimensions from crafted headers only, including 100000x100000 claims that
 * must be read (and refused by the caller) without any pixel allocation. */
#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/imagesize.h"

static fa_imagesize probe_ok(const void *d, size_t n)
{
    fa_imagesize s;
    int r = fa_imagesize_probe(d, n, &s);
    cr_assert_eq(r, FA_IMGSZ_OK, "probe returned %d", r);
    return s;
}

static size_t png_header(unsigned char *b, unsigned w, unsigned h)
{
    memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    b[16] = w >> 24; b[17] = w >> 16; b[18] = w >> 8; b[19] = w;
    b[20] = h >> 24; b[21] = h >> 16; b[22] = h >> 8; b[23] = h;
    memcpy(b + 24, "\x08\x02\0\0\0", 5);
    return 29;
}

Test(imagesize, png_huge_claim)
{
    unsigned char b[64];
    size_t n = png_header(b, 100000, 100000);
    fa_imagesize s = probe_ok(b, n);
    cr_assert_eq(s.width, 100000);
    cr_assert_eq(s.height, 100000);
    cr_assert_str_eq(s.format, "PNG");
    cr_assert_str_eq(s.mime, "image/png");
    cr_assert_eq(fa_imagesize_complete(b, n, &s), 0, "no IDAT/IEND: incomplete");
}

Test(imagesize, png_truncated_and_zero)
{
    unsigned char b[64];
    size_t n = png_header(b, 0, 10);
    fa_imagesize s;
    cr_assert_eq(fa_imagesize_probe(b, n, &s), FA_IMGSZ_CORRUPT);
    cr_assert_eq(fa_imagesize_probe(b, 20, &s), FA_IMGSZ_TRUNCATED);
    png_header(b, 0x80000000u, 1);
    cr_assert_eq(fa_imagesize_probe(b, n, &s), FA_IMGSZ_CORRUPT);
}

/* SOI, an APP0 segment, then SOF2 (progressive) with the given size. */
static size_t jpeg_header(unsigned char *b, unsigned w, unsigned h, unsigned char sof)
{
    size_t i = 0;
    b[i++] = 0xFF; b[i++] = 0xD8;
    b[i++] = 0xFF; b[i++] = 0xE0; b[i++] = 0; b[i++] = 16;
    memcpy(b + i, "JFIF\0\1\1\0\0\1\0\1\0\0", 14); i += 14;
    b[i++] = 0xFF; b[i++] = 0xFF;   /* fill byte before the marker */
    b[i++] = sof; b[i++] = 0; b[i++] = 17; b[i++] = 8;
    b[i++] = h >> 8; b[i++] = h & 0xFF; b[i++] = w >> 8; b[i++] = w & 0xFF;
    b[i++] = 3;
    for (int k = 0; k < 9; k++) b[i++] = 1;
    return i;
}

Test(imagesize, jpeg_sof)
{
    unsigned char b[128];
    size_t n = jpeg_header(b, 65535, 40000, 0xC2);
    fa_imagesize s = probe_ok(b, n);
    cr_assert_eq(s.width, 65535);
    cr_assert_eq(s.height, 40000);
    cr_assert_str_eq(s.format, "JPEG");
    /* DHT (C4) is not a frame marker: a JPEG whose only "SOF" is C4 has no size. */
    n = jpeg_header(b, 10, 10, 0xC4);
    fa_imagesize t;
    cr_assert_neq(fa_imagesize_probe(b, n, &t), FA_IMGSZ_OK);
    /* Cut inside the SOF segment. */
    n = jpeg_header(b, 10, 10, 0xC0);
    cr_assert_eq(fa_imagesize_probe(b, 26, &t), FA_IMGSZ_TRUNCATED);
    cr_assert_eq(fa_imagesize_complete(b, n, &s), 0, "no EOI: incomplete");
}

Test(imagesize, jpeg_bad_segment_length)
{
    unsigned char b[] = {0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01};
    fa_imagesize s;
    cr_assert_eq(fa_imagesize_probe(b, sizeof b, &s), FA_IMGSZ_CORRUPT);
    unsigned char c[] = {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0, 0};   /* runs past the end */
    cr_assert_eq(fa_imagesize_probe(c, sizeof c, &s), FA_IMGSZ_TRUNCATED);
}

Test(imagesize, webp_variants)
{
    unsigned char b[40] = "RIFF\0\0\0\0WEBPVP8X";
    memset(b + 16, 0, 24);
    unsigned w = 100000 - 1, h = 100000 - 1;   /* 24-bit "minus one" fields */
    b[24] = w; b[25] = w >> 8; b[26] = w >> 16;
    b[27] = h; b[28] = h >> 8; b[29] = h >> 16;
    fa_imagesize s = probe_ok(b, 30);
    cr_assert_eq(s.width, 100000);
    cr_assert_eq(s.height, 100000);

    unsigned char l[32] = "RIFF\0\0\0\0WEBPVP8L";
    memset(l + 16, 0, 16);
    l[20] = 0x2f;
    unsigned bits = (640 - 1) | (480 - 1) << 14;
    l[21] = bits; l[22] = bits >> 8; l[23] = bits >> 16; l[24] = bits >> 24;
    s = probe_ok(l, 25);
    cr_assert_eq(s.width, 640);
    cr_assert_eq(s.height, 480);

    unsigned char v[32] = "RIFF\0\0\0\0WEBPVP8 ";
    memset(v + 16, 0, 16);
    v[23] = 0x9d; v[24] = 0x01; v[25] = 0x2a;
    v[26] = 0x20; v[27] = 0x03; v[28] = 0x58; v[29] = 0x02;   /* 800 x 600 */
    s = probe_ok(v, 30);
    cr_assert_eq(s.width, 800);
    cr_assert_eq(s.height, 600);
    v[23] = 0;
    cr_assert_eq(fa_imagesize_probe(v, 30, &s), FA_IMGSZ_CORRUPT);
}

Test(imagesize, bmp_gif_pnm_tiff)
{
    unsigned char bmp[30] = "BM";
    memset(bmp + 2, 0, 28);
    bmp[14] = 40;
    bmp[18] = 0xA0; bmp[19] = 0x86; bmp[20] = 0x01;   /* 100000 */
    int32_t neg = -100000;                               /* top-down */
    memcpy(bmp + 22, &neg, 4);
    fa_imagesize s = probe_ok(bmp, 30);
    cr_assert_eq(s.width, 100000);
    cr_assert_eq(s.height, 100000);

    unsigned char gif[] = "GIF89a\x40\x01\xf0\x00";
    s = probe_ok(gif, 10);
    cr_assert_eq(s.width, 320);
    cr_assert_eq(s.height, 240);

    const char *pnm = "P6\n# a comment\n100000 100000\n255\n";
    s = probe_ok(pnm, strlen(pnm));
    cr_assert_eq(s.width, 100000);
    cr_assert_str_eq(s.format, "PNM");
    const char *pnm_cut = "P5 640";
    cr_assert_eq(fa_imagesize_probe((const unsigned char *)pnm_cut, strlen(pnm_cut), &s), FA_IMGSZ_TRUNCATED);
    const char *pam = "P7\nWIDTH 300\nHEIGHT 200\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n";
    s = probe_ok(pam, strlen(pam));
    cr_assert_eq(s.width, 300);
    cr_assert_eq(s.height, 200);

    /* Little-endian TIFF, IFD at 8 with ImageWidth (LONG) and ImageLength (SHORT). */
    unsigned char tif[8 + 2 + 24 + 4] = {'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0};
    unsigned char *e = tif + 10;
    e[0] = 0; e[1] = 1; e[2] = 4; e[4] = 1; e[8] = 0xA0; e[9] = 0x86; e[10] = 0x01;   /* 256 = 100000 */
    e += 12;
    e[0] = 1; e[1] = 1; e[2] = 3; e[4] = 1; e[8] = 0x10; e[9] = 0x27;                /* 257 = 10000 */
    s = probe_ok(tif, sizeof tif);
    cr_assert_eq(s.width, 100000);
    cr_assert_eq(s.height, 10000);
    cr_assert_eq(fa_imagesize_probe(tif, 20, &s), FA_IMGSZ_TRUNCATED);
}

Test(imagesize, unknown_and_empty)
{
    fa_imagesize s;
    cr_assert_eq(fa_imagesize_probe((const unsigned char *)"hello world", 11, &s), FA_IMGSZ_UNKNOWN);
    cr_assert_eq(fa_imagesize_probe(NULL, 0, &s), FA_IMGSZ_UNKNOWN);
    cr_assert_eq(fa_imagesize_probe((const unsigned char *)"\xff", 1, &s), FA_IMGSZ_UNKNOWN);
}
