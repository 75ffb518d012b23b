/* SHA-256 (FIPS 180-4): evidence hashes, fingerprints and the rules digest.
 * No allocation; the context lives on the caller's stack. */
#ifndef FACEAUDIT_SHA256_H
#define FACEAUDIT_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct fa_sha256_ctx {
    uint32_t      h[8];
    uint64_t      nbytes;     /* total bytes hashed so far */
    unsigned char block[64];  /* pending partial block */
    size_t        nblock;
} fa_sha256_ctx;

void fa_sha256_init(fa_sha256_ctx *c);
void fa_sha256_update(fa_sha256_ctx *c, const void *data, size_t len);
void fa_sha256_final(fa_sha256_ctx *c, unsigned char out[32]);
/* Lowercase hex of a 32-byte digest into out (65 bytes, NUL-terminated). */
void fa_sha256_tohex(const unsigned char dig[32], char out[65]);

/* One-shot helpers. */
void fa_sha256(const void *data, size_t len, unsigned char out[32]);
void fa_sha256_hex(const void *data, size_t len, char out[65]);
#endif
