/* Bounded XMP extraction from PNG text chunks and TIFF IFD0 (src/detect/metadata_xmp.c), the
 * container side of the `metadata` kind. No context, no output: what went wrong is counted in
 * fa_xmp_stats and the kind turns it into `errors` / `limits` entries. */
#ifndef FACEAUDIT_METADATA_H
#define FACEAUDIT_METADATA_H
#include <stddef.h>
#include <stdint.h>
#include "faceaudit/buf.h"

typedef struct fa_xmp_stats {
    int64_t inflate_max; /* in: bytes one object may inflate in total (--max-decoded) */
    int64_t inflated;    /* out: bytes inflated so far (over all compressed chunks) */
    int64_t over;        /* out: > 0 when a compressed chunk was dropped because inflating it
                            went past inflate_max; the byte count reached when it stopped */
    int     corrupt;     /* out: chunks / tags dropped as malformed */
    char    why[96];     /* out: the first malformed one's reason (never content) */
} fa_xmp_stats;

/* Appends one packet p/n to out followed by '\n'; out never grows past cap bytes (a packet
 * is cut at the cap). The readers below call it for each packet they find. */
void fa_xmp_add_packet(fa_buf *out, size_t cap, const void *p, size_t n);

/* The readers: d/len is the whole file; packets go to out through fa_xmp_add_packet. */

/* PNG: iTXt (plain or zlib), zTXt and tEXt chunks with keyword XML:com.adobe.xmp, and
 * ImageMagick / exiftool "Raw profile type xmp" (hex after a header) in zTXt / tEXt. */
void fa_xmp_png(const unsigned char *d, size_t len, fa_buf *out, size_t cap, fa_xmp_stats *st);

/* TIFF (II / MM, classic and BigTIFF; DNG and other TIFF-based raws): IFD0 tag 700. */
void fa_xmp_tiff(const unsigned char *d, size_t len, fa_buf *out, size_t cap, fa_xmp_stats *st);
#endif
