/* XMP packets from PNG text chunks (plain, zlib-compressed, ImageMagick raw-profile hex) and
 * from TIFF IFD0 tag 700. Everything is bounded: offsets and counts are checked against the
 * file before any read, only IFD0 is read (no IFD chain to loop on), kept output stops at the
 * caller's cap and inflating stops once the object's inflate budget is spent. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include "faceaudit/metadata.h"

static const char XMP_KEY[] = "XML:com.adobe.xmp";
static const char RAW_KEY[] = "Raw profile type xmp";

static void note(fa_xmp_stats *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(fa_xmp_stats *st, const char *fmt, ...)
{
    if (!st->corrupt++) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(st->why, sizeof st->why, fmt, ap);
        va_end(ap);
    }
}

/* Appends up to the cap, then the '\n' that separates packets. */
void fa_xmp_add_packet(fa_buf *out, size_t cap, const void *p, size_t n)
{
    if (out->len >= cap)
        return;
    if (n > cap - out->len)
        n = cap - out->len;
    fa_buf_add(out, p, n);
    fa_buf_addch(out, '\n');
}

enum { INF_OK, INF_OVER, INF_BAD };

/* Inflates a zlib stream into dst, keeping its first `keep` bytes and counting every byte
 * produced against st's budget; stops as soon as the budget is passed. */
static int inflate_capped(z_stream *zs, int *zinit, const unsigned char *src, size_t n, fa_buf *dst,
                          size_t keep, fa_xmp_stats *st)
{
    unsigned char chunk[16384];
    if (!*zinit) {
        memset(zs, 0, sizeof *zs);
        if (inflateInit(zs) != Z_OK) {
            note(st, "zlib: cannot initialise");
            return INF_BAD;
        }
        *zinit = 1;
    } else if (inflateReset(zs) != Z_OK) {
        note(st, "zlib: cannot reset");
        return INF_BAD;
    }
    if (st->over)   /* the object's budget is spent: no more inflating */
        return INF_OVER;
    zs->next_in = (Bytef *)(uintptr_t)src;
    zs->avail_in = n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uInt)n;
    for (;;) {
        zs->next_out = chunk;
        zs->avail_out = sizeof chunk;
        int rc = inflate(zs, Z_NO_FLUSH);
        size_t got = sizeof chunk - zs->avail_out;
        st->inflated += (int64_t)got;
        if (got && dst->len < keep)
            fa_buf_add(dst, chunk, got < keep - dst->len ? got : keep - dst->len);
        if (st->inflated > st->inflate_max) {
            st->over = st->inflated;
            return INF_OVER;
        }
        if (rc == Z_STREAM_END)
            return INF_OK;
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR)   /* output room was there: the input ran out */
            note(st, "compressed XMP is truncated");
        else
            note(st, "compressed XMP does not inflate (%s)", zs->msg ? zs->msg : "zlib error");
        return INF_BAD;
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int is_space(int c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/* ImageMagick raw profile: "\nxmp\n<length>\n" then hex digits in lines. */
static void raw_profile(const unsigned char *t, size_t n, fa_buf *out, size_t cap, fa_xmp_stats *st)
{
    size_t i = 0;
    while (i < n && is_space(t[i])) i++;
    while (i < n && !is_space(t[i])) i++;                /* profile name */
    while (i < n && is_space(t[i])) i++;
    unsigned long long want = 0;
    size_t digits = 0;
    while (i < n && t[i] >= '0' && t[i] <= '9' && digits < 12) {
        want = want * 10 + (unsigned)(t[i++] - '0');
        digits++;
    }
    if (!digits || (i < n && !is_space(t[i]))) {
        note(st, "raw XMP profile has no length");
        return;
    }
    if (out->len >= cap)
        return;
    size_t room = cap - out->len;
    if (want < room)
        room = (size_t)want;
    unsigned char tmp[4096];
    size_t tn = 0, made = 0;
    int hi = -1;
    for (; i < n && made < room; i++) {
        if (is_space(t[i]))
            continue;
        int v = hexval(t[i]);
        if (v < 0) {
            note(st, "raw XMP profile has a non-hex byte");
            break;
        }
        if (hi < 0) {
            hi = v;
            continue;
        }
        tmp[tn++] = (unsigned char)(hi << 4 | v);
        hi = -1;
        made++;
        if (tn == sizeof tmp) {
            fa_buf_add(out, tmp, tn);
            tn = 0;
        }
    }
    if (tn)
        fa_buf_add(out, tmp, tn);
    if (made)
        fa_buf_addch(out, '\n');
}

/* One tEXt / zTXt / iTXt chunk's data p[0..n). */
static void png_text(const unsigned char *type, const unsigned char *p, size_t n, z_stream *zs,
                     int *zinit, fa_buf *out, size_t cap, fa_xmp_stats *st)
{
    const unsigned char *nul = memchr(p, 0, n < 80 ? n : 80);   /* keywords are 1-79 bytes */
    if (!nul)
        return;
    size_t kl = (size_t)(nul - p);
    int xmp = kl == sizeof XMP_KEY - 1 && !memcmp(p, XMP_KEY, kl);
    int raw = kl == sizeof RAW_KEY - 1 && !memcmp(p, RAW_KEY, kl);
    if (!xmp && !raw)
        return;
    size_t k = kl + 1;
    int compressed;
    if (!memcmp(type, "tEXt", 4)) {
        compressed = 0;
    } else if (!memcmp(type, "zTXt", 4)) {
        if (k >= n) {
            note(st, "zTXt chunk without data");
            return;
        }
        if (p[k] != 0) {
            note(st, "zTXt compression method %u", p[k]);
            return;
        }
        compressed = 1;
        k++;
    } else {   /* iTXt: flag, method, language NUL, translated keyword NUL */
        if (k + 2 > n) {
            note(st, "iTXt chunk is truncated");
            return;
        }
        compressed = p[k];
        if (compressed > 1 || (compressed && p[k + 1] != 0)) {
            note(st, "iTXt compression flag %u method %u", p[k], p[k + 1]);
            return;
        }
        k += 2;
        const unsigned char *z = k < n ? memchr(p + k, 0, n - k) : NULL;
        z = z ? memchr(z + 1, 0, n - (size_t)(z + 1 - p)) : NULL;
        if (!z) {
            note(st, "iTXt chunk is truncated");
            return;
        }
        k = (size_t)(z + 1 - p);
    }
    const unsigned char *t = p + k;
    size_t tn = n - k;
    if (!compressed) {
        if (xmp)
            fa_xmp_add_packet(out, cap, t, tn);
        else
            raw_profile(t, tn, out, cap, st);
        return;
    }
    if (out->len >= cap)
        return;
    /* Raw profiles are hex text in lines of 72 digits after a short header: keep enough of
     * it to fill the cap. */
    size_t room = cap - out->len;
    size_t keep = xmp ? room : room > SIZE_MAX / 4 ? SIZE_MAX : room * 2 + room / 16 + 4096;
    fa_buf tmp = FA_BUF_INIT;
    if (inflate_capped(zs, zinit, t, tn, &tmp, keep, st) == INF_OK) {
        if (xmp)
            fa_xmp_add_packet(out, cap, tmp.buf, tmp.len);
        else
            raw_profile((const unsigned char *)tmp.buf, tmp.len, out, cap, st);
    }
    fa_buf_release(&tmp);
}

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

void fa_xmp_png(const unsigned char *d, size_t len, fa_buf *out, size_t cap, fa_xmp_stats *st)
{
    z_stream zs;
    int zinit = 0;
    size_t i = 8;
    if (len < 8 || memcmp(d, "\x89PNG\r\n\x1a\n", 8))
        return;
    while (i + 12 <= len) {
        unsigned long n = be32(d + i);
        if (n > len - i - 12)
            break;
        const unsigned char *type = d + i + 4, *p = d + i + 8;
        if (!memcmp(type, "iTXt", 4) || !memcmp(type, "zTXt", 4) || !memcmp(type, "tEXt", 4))
            png_text(type, p, n, &zs, &zinit, out, cap, st);
        if (!memcmp(type, "IEND", 4))
            break;
        i += 12 + n;
    }
    if (zinit)
        inflateEnd(&zs);
}

/* --- TIFF --- */

static uint64_t rd(const unsigned char *p, int bytes, int be)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[be ? i : bytes - 1 - i] << (8 * (bytes - 1 - i));
    return v;
}

void fa_xmp_tiff(const unsigned char *d, size_t len, fa_buf *out, size_t cap, fa_xmp_stats *st)
{
    if (len < 8)
        return;
    int be;
    if (d[0] == 'I' && d[1] == 'I')
        be = 0;
    else if (d[0] == 'M' && d[1] == 'M')
        be = 1;
    else
        return;
    int big;
    uint64_t ifd;
    unsigned magic = (unsigned)rd(d + 2, 2, be);
    if (magic == 42) {
        big = 0;
        ifd = rd(d + 4, 4, be);
    } else if (magic == 43) {   /* BigTIFF: offset size 8, reserved 0, 8-byte IFD offset */
        if (len < 16 || rd(d + 4, 2, be) != 8 || rd(d + 6, 2, be) != 0)
            return;
        big = 1;
        ifd = rd(d + 8, 8, be);
    } else {
        return;
    }
    size_t hdr = big ? 8 : 2, ent = big ? 20 : 12;
    /* An IFD0 outside the file is a broken image, the image kind's to report. */
    if (ifd > len || len - ifd < hdr)
        return;
    uint64_t cnt = rd(d + ifd, (int)hdr, be);
    uint64_t have = (len - ifd - hdr) / ent;
    if (cnt > have)
        cnt = have;   /* a truncated IFD: read the entries that are there */
    for (uint64_t i = 0; i < cnt; i++) {
        const unsigned char *e = d + ifd + hdr + i * ent;
        if (rd(e, 2, be) != 700)
            continue;
        unsigned type = (unsigned)rd(e + 2, 2, be);
        uint64_t count = rd(e + 4, big ? 8 : 4, be);
        /* BYTE or UNDEFINED per the XMP spec; some writers use ASCII */
        if (type != 1 && type != 7 && type != 2) {
            note(st, "TIFF XMP tag has type %u", type);
            return;
        }
        size_t inl = big ? 8 : 4;
        if (count <= inl) {
            fa_xmp_add_packet(out, cap, e + (big ? 12 : 8), (size_t)count);
            return;
        }
        uint64_t off = rd(e + (big ? 12 : 8), big ? 8 : 4, be);
        if (off > len || count > len - off) {
            note(st, "TIFF XMP tag (%llu bytes at offset %llu) lies outside the file",
                 (unsigned long long)count, (unsigned long long)off);
            return;
        }
        fa_xmp_add_packet(out, cap, d + off, (size_t)count);
        return;
    }
}
