/* fa_base64: a forgiving base64 decoder for blobs found in text (logs, JSON, data: URIs).
 * Accepts the standard (+/) and URL-safe (-_) alphabets, optional '=' padding, and skips
 * what text wrapping puts in a blob: whitespace, JSON's escaped "\/" (as '/'), the escape
 * sequences "\n" "\r" "\t" and "\uXXXX" escapes of base64 characters ("\u002b", "\u003d").
 * Output is bounded: the decoder never writes more than the caller's capacity. */
#ifndef FACEAUDIT_BASE64_H
#define FACEAUDIT_BASE64_H
#include <stddef.h>
#include "faceaudit/err.h"

/* Upper bound of the decoded size of n input characters. */
size_t fa_base64_decoded_max(size_t n);

/* Decodes src[0..n) into out (capacity cap). Returns FA_OK with *outlen set; FA_FAIL when
 * the input is not base64 (a foreign character, a lone trailing 6-bit group, data after
 * padding); FA_WARN when the output would exceed cap (out holds the first cap bytes,
 * *outlen = cap). */
fa_status fa_base64_decode(const char *src, size_t n, unsigned char *out, size_t cap,
                           size_t *outlen);

/* As fa_base64_decode, into a new buffer (caller frees *out; NULL unless FA_OK).
 * max bounds the decoded size: FA_WARN (nothing allocated) when it would exceed max. */
fa_status fa_base64_decode_alloc(const char *src, size_t n, size_t max, unsigned char **out,
                                 size_t *outlen);
#endif
