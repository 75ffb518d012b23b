/* Header-only image dimension probe (see imagesize.h). Every read is bounds-checked
 * against len; loops are bounded by the data or by fixed caps. */
#include "faceaudit/imagesize.h"
#include "faceaudit/facedet.h"
#include "faceaudit/sniff.h"
#include <string.h>

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int set(fa_imagesize *o, int64_t w, int64_t h, const char *fmt, const char *mime)
{
    o->format = fmt;
    o->mime = mime;
    o->width = w;
    o->height = h;
    return (w > 0 && h > 0) ? FA_IMGSZ_OK : FA_IMGSZ_CORRUPT;
}

static int probe_jpeg(const unsigned char *d, size_t len, fa_imagesize *o)
{
    size_t i = 2;
    o->format = "JPEG";
    o->mime = FA_TYPE_JPEG;
    /* Walk marker segments until a start-of-frame; each step advances, so the walk is
     * bounded by len. */
    for (;;) {
        if (i >= len) return FA_IMGSZ_TRUNCATED;
        if (d[i] != 0xFF) return FA_IMGSZ_CORRUPT;
        while (i < len && d[i] == 0xFF) i++;         /* fill bytes */
        if (i >= len) return FA_IMGSZ_TRUNCATED;
        unsigned m = d[i++];
        if (m == 0x00 || m == 0xD8) return FA_IMGSZ_CORRUPT;
        if (m == 0xD9 || m == 0xDA) return FA_IMGSZ_CORRUPT;   /* EOI / scan before any frame */
        if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) continue;  /* no length */
        if (i + 2 > len) return FA_IMGSZ_TRUNCATED;
        unsigned seglen = be16(d + i);
        if (seglen < 2) return FA_IMGSZ_CORRUPT;
        int sof = (m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof) {
            if (seglen < 8) return FA_IMGSZ_CORRUPT;
            if (i + 7 > len) return FA_IMGSZ_TRUNCATED;
            /* length(2) precision(1) height(2) width(2) */
            return set(o, be16(d + i + 5), be16(d + i + 3), "JPEG", FA_TYPE_JPEG);
        }
        i += seglen;
    }
}

static int probe_png(const unsigned char *d, size_t len, fa_imagesize *o)
{
    o->format = "PNG";
    o->mime = FA_TYPE_PNG;
    if (len < 24) return FA_IMGSZ_TRUNCATED;
    if (memcmp(d + 12, "IHDR", 4) != 0) return FA_IMGSZ_CORRUPT;
    uint32_t w = be32(d + 16), h = be32(d + 20);
    if (w > 0x7fffffffu || h > 0x7fffffffu) return FA_IMGSZ_CORRUPT;   /* PNG spec: 2^31-1 */
    return set(o, w, h, "PNG", FA_TYPE_PNG);
}

static int probe_webp(const unsigned char *d, size_t len, fa_imagesize *o)
{
    o->format = "WebP";
    o->mime = FA_TYPE_WEBP;
    if (len < 16) return FA_IMGSZ_TRUNCATED;
    if (!memcmp(d + 12, "VP8 ", 4)) {
        if (len < 30) return FA_IMGSZ_TRUNCATED;
        /* frame tag (3 bytes) then start code 9d 01 2a, then 14-bit width/height */
        if (d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a) return FA_IMGSZ_CORRUPT;
        return set(o, le16(d + 26) & 0x3fff, le16(d + 28) & 0x3fff, "WebP", FA_TYPE_WEBP);
    }
    if (!memcmp(d + 12, "VP8L", 4)) {
        if (len < 25) return FA_IMGSZ_TRUNCATED;
        if (d[20] != 0x2f) return FA_IMGSZ_CORRUPT;
        uint32_t b = le32(d + 21);
        return set(o, (int64_t)(b & 0x3fff) + 1, (int64_t)((b >> 14) & 0x3fff) + 1,
                   "WebP", FA_TYPE_WEBP);
    }
    if (!memcmp(d + 12, "VP8X", 4)) {
        if (len < 30) return FA_IMGSZ_TRUNCATED;
        int64_t w = (int64_t)(d[24] | d[25] << 8 | d[26] << 16) + 1;
        int64_t h = (int64_t)(d[27] | d[28] << 8 | d[29] << 16) + 1;
        return set(o, w, h, "WebP", FA_TYPE_WEBP);
    }
    return FA_IMGSZ_CORRUPT;
}

static int probe_bmp(const unsigned char *d, size_t len, fa_imagesize *o)
{
    o->format = "BMP";
    o->mime = FA_TYPE_BMP;
    if (len < 26) return FA_IMGSZ_TRUNCATED;
    uint32_t hs = le32(d + 14);
    if (hs == 12) return set(o, le16(d + 18), le16(d + 20), "BMP", FA_TYPE_BMP);
    if (hs < 16 || hs > 4096) return FA_IMGSZ_CORRUPT;
    int32_t w = (int32_t)le32(d + 18), h = (int32_t)le32(d + 22);
    int64_t aw = w, ah = h;
    if (ah < 0) ah = -ah;   /* negative height: top-down rows */
    if (aw < 0) return FA_IMGSZ_CORRUPT;
    return set(o, aw, ah, "BMP", FA_TYPE_BMP);
}

static int probe_tiff(const unsigned char *d, size_t len, fa_imagesize *o)
{
    int le = d[0] == 'I';
    o->format = "TIFF";
    o->mime = FA_TYPE_TIFF;
    if (len < 8) return FA_IMGSZ_TRUNCATED;
    uint32_t off = le ? le32(d + 4) : be32(d + 4);
    if (off < 8) return FA_IMGSZ_CORRUPT;
    if ((uint64_t)off + 2 > len) return FA_IMGSZ_TRUNCATED;
    unsigned n = le ? le16(d + off) : be16(d + off);
    int64_t w = -1, h = -1;
    /* The first IFD's entries; 12 bytes each, bounded by the count (<= 65535) and len. */
    for (unsigned k = 0; k < n; k++) {
        uint64_t e = (uint64_t)off + 2 + 12ull * k;
        if (e + 12 > len) return FA_IMGSZ_TRUNCATED;
        const unsigned char *p = d + e;
        unsigned tag = le ? le16(p) : be16(p), type = le ? le16(p + 2) : be16(p + 2);
        int64_t v;
        if (type == 3) v = le ? le16(p + 8) : be16(p + 8);
        else if (type == 4) v = le ? le32(p + 8) : be32(p + 8);
        else continue;
        if (tag == 256) w = v;
        else if (tag == 257) h = v;
        if (w >= 0 && h >= 0) break;
    }
    if (w < 0 || h < 0) return FA_IMGSZ_CORRUPT;
    return set(o, w, h, "TIFF", FA_TYPE_TIFF);
}

/* Next decimal field of a PNM header, skipping whitespace and # comments. */
static int pnm_int(const unsigned char *d, size_t len, size_t *i, int64_t *out)
{
    for (;;) {
        while (*i < len && (d[*i] == ' ' || d[*i] == '\t' || d[*i] == '\r' || d[*i] == '\n'))
            (*i)++;
        if (*i < len && d[*i] == '#') {
            while (*i < len && d[*i] != '\n') (*i)++;
            continue;
        }
        break;
    }
    if (*i >= len) return FA_IMGSZ_TRUNCATED;
    if (d[*i] < '0' || d[*i] > '9') return FA_IMGSZ_CORRUPT;
    int64_t v = 0;
    while (*i < len && d[*i] >= '0' && d[*i] <= '9') {
        v = v * 10 + (d[*i] - '0');
        if (v > 0x7fffffffLL) return FA_IMGSZ_CORRUPT;
        (*i)++;
    }
    if (*i >= len) return FA_IMGSZ_TRUNCATED;   /* a number must be followed by whitespace */
    *out = v;
    return FA_IMGSZ_OK;
}

static int probe_pam(const unsigned char *d, size_t len, fa_imagesize *o)
{
    int64_t w = -1, h = -1;
    size_t i = 2;
    /* Header lines "WIDTH n", "HEIGHT n", ... up to ENDHDR; bounded by len. */
    while (i < len) {
        while (i < len && (d[i] == '\n' || d[i] == '\r' || d[i] == ' ')) i++;
        size_t s = i;
        while (i < len && d[i] != '\n') i++;
        if (i >= len) return FA_IMGSZ_TRUNCATED;
        size_t n = i - s;
        if (n >= 6 && !memcmp(d + s, "ENDHDR", 6)) break;
        if (n > 6 && !memcmp(d + s, "WIDTH", 5)) {
            size_t j = s + 5;
            if (pnm_int(d, i + 1, &j, &w) != FA_IMGSZ_OK) return FA_IMGSZ_CORRUPT;
        } else if (n > 7 && !memcmp(d + s, "HEIGHT", 6)) {
            size_t j = s + 6;
            if (pnm_int(d, i + 1, &j, &h) != FA_IMGSZ_OK) return FA_IMGSZ_CORRUPT;
        }
    }
    if (i >= len) return FA_IMGSZ_TRUNCATED;
    if (w < 0 || h < 0) return FA_IMGSZ_CORRUPT;
    return set(o, w, h, "PNM", FA_TYPE_PNM);
}

static int probe_pnm(const unsigned char *d, size_t len, fa_imagesize *o)
{
    o->format = "PNM";
    o->mime = FA_TYPE_PNM;
    if (d[1] == '7') return probe_pam(d, len, o);
    size_t i = 2;
    int64_t w, h;
    int r;
    if ((r = pnm_int(d, len, &i, &w)) != FA_IMGSZ_OK) return r;
    if ((r = pnm_int(d, len, &i, &h)) != FA_IMGSZ_OK) return r;
    return set(o, w, h, "PNM", FA_TYPE_PNM);
}

static int probe_gif(const unsigned char *d, size_t len, fa_imagesize *o)
{
    o->format = "GIF";
    o->mime = FA_TYPE_GIF;
    if (len < 10) return FA_IMGSZ_TRUNCATED;
    return set(o, le16(d + 6), le16(d + 8), "GIF", FA_TYPE_GIF);
}

int fa_imagesize_probe(const unsigned char *d, size_t len, fa_imagesize *o)
{
    memset(o, 0, sizeof(*o));
    if (!d || len < 2) return FA_IMGSZ_UNKNOWN;
    if (d[0] == 0xFF && d[1] == 0xD8) return probe_jpeg(d, len, o);
    if (len >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8)) return probe_png(d, len, o);
    if (len >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
        return probe_webp(d, len, o);
    if (len >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
        return probe_gif(d, len, o);
    if (len >= 4 && (!memcmp(d, "II*\0", 4) || !memcmp(d, "MM\0*", 4)))
        return probe_tiff(d, len, o);
    if (d[0] == 'B' && d[1] == 'M' && len >= 14) return probe_bmp(d, len, o);
    if (d[0] == 'P' && d[1] >= '1' && d[1] <= '7' && len >= 3 &&
        (d[2] == ' ' || d[2] == '\n' || d[2] == '\r' || d[2] == '\t'))
        return probe_pnm(d, len, o);
    return FA_IMGSZ_UNKNOWN;
}

const char *fa_imagesize_strerror(int code)
{
    switch (code) {
    case FA_IMGSZ_OK: return "ok";
    case FA_IMGSZ_UNKNOWN: return "not a known image format";
    case FA_IMGSZ_TRUNCATED: return "truncated image header";
    case FA_IMGSZ_CORRUPT: return "corrupt image header";
    default: return "image header error";
    }
}

int fa_facedet_probe_size(const unsigned char *data, size_t len, long *w, long *h,
                          const char **type)
{
    fa_imagesize s;
    int r = fa_imagesize_probe(data, len, &s);
    if (r != FA_IMGSZ_OK) return r;
    if (w) *w = (long)s.width;
    if (h) *h = (long)s.height;
    if (type) *type = s.format;
    return 0;
}

/* JPEG: walk segments to the first SOS, then look for EOI (FF D9) in the entropy-coded
 * data, where FF is otherwise only followed by 00 or RSTn (or another marker of a
 * progressive scan), so FF D9 cannot appear by accident. */
static int jpeg_complete(const unsigned char *d, size_t len)
{
    size_t i = 2;
    for (;;) {
        if (i >= len || d[i] != 0xFF) return 0;
        while (i < len && d[i] == 0xFF) i++;
        if (i >= len) return 0;
        unsigned m = d[i++];
        if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) continue;
        if (m == 0xD9) return 0;
        if (i + 2 > len) return 0;
        unsigned seglen = be16(d + i);
        if (seglen < 2) return 0;
        i += seglen;
        if (m == 0xDA) break;
    }
    for (; i + 1 < len; i++)
        if (d[i] == 0xFF && d[i + 1] == 0xD9) return 1;
    return 0;
}

static int png_complete(const unsigned char *d, size_t len)
{
    size_t i = 8;
    int idat = 0;
    while (i + 12 <= len) {
        uint32_t n = be32(d + i);
        if (n > 0x7fffffffu) return 0;
        if (!memcmp(d + i + 4, "IDAT", 4)) idat = 1;
        if (!memcmp(d + i + 4, "IEND", 4)) return idat;
        if ((uint64_t)i + 12 + n > len) return 0;
        i += 12 + (size_t)n;
    }
    return 0;
}

int fa_imagesize_complete(const unsigned char *d, size_t len, const fa_imagesize *info)
{
    if (!info || !info->format) return 0;
    if (!strcmp(info->format, "JPEG")) return jpeg_complete(d, len);
    if (!strcmp(info->format, "PNG")) return png_complete(d, len);
    if (!strcmp(info->format, "WebP")) {
        /* RIFF size covers the file; a shorter buffer is truncated. */
        if (len < 12) return 0;
        return (uint64_t)le32(d + 4) + 8 <= len;
    }
    return 1;
}
