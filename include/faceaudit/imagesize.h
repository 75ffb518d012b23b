/* fa_imagesize: an image's dimensions from its header only, without decoding, so the
 * image kind refuses images over max_pixels before anything the size of the pixels is
 * allocated (decoders allocate width*height*channels up front). Plain C, bounded: it
 * reads at most `len` bytes and walks a bounded number of JPEG segments / TIFF entries. */
#ifndef FACEAUDIT_IMAGESIZE_H
#define FACEAUDIT_IMAGESIZE_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fa_imagesize {
    int64_t     width, height;  /* as the header claims (> 0 on success) */
    const char *format;         /* static: "JPEG", "PNG", "WebP", "BMP", "TIFF", "PNM", "GIF" */
    const char *mime;           /* static: "image/jpeg", ... (the sniffer's FA_TYPE_* strings) */
} fa_imagesize;

enum {
    FA_IMGSZ_OK        = 0,
    FA_IMGSZ_UNKNOWN   = -1,   /* not a format we know */
    FA_IMGSZ_TRUNCATED = -2,   /* the data ends before the dimensions */
    FA_IMGSZ_CORRUPT   = -3    /* a known format with an impossible header (zero size, bad marker) */
};

/* Fills *out and returns FA_IMGSZ_OK, or returns one of the negative codes above. */
int fa_imagesize_probe(const unsigned char *data, size_t len, fa_imagesize *out);
/* Human text for a code ("truncated header", ...); static. */
const char *fa_imagesize_strerror(int code);

/* Structural completeness checks run before a decoder sees the bytes, because the codec
 * libraries under OpenCV print warnings (not errors) for truncated data and return gray
 * pixels. JPEG: an EOI marker after the first SOS; PNG: the chunk chain reaches IEND with
 * at least one IDAT. Other formats: 1. Returns 1 if complete, 0 if not. */
int fa_imagesize_complete(const unsigned char *data, size_t len, const fa_imagesize *info);

#ifdef __cplusplus
}
#endif
#endif
