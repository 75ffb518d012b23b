/* The forgiving base64 decoder: bounded output, and alloc/non-alloc agree. */
#include "fuzz_common.h"
#include "faceaudit/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = data[0];          /* a small capacity exercises the FA_WARN path */
    const char *src = (const char *)data + 1;
    size_t n = size - 1;
    char *copy = (char *)fuzz_dup((const uint8_t *)src, n);
    size_t max = fa_base64_decoded_max(n);
    unsigned char *out = malloc(cap ? cap : 1);
    size_t outlen = 0;
    fa_status st = fa_base64_decode(copy, n, out, cap, &outlen);
    if (st == FA_OK && outlen > cap)
        abort();
    if (st == FA_WARN && outlen != cap)
        abort();
    if (st == FA_OK && outlen > max)
        abort();
    unsigned char *full = NULL;
    size_t fulllen = 0;
    fa_status st2 = fa_base64_decode_alloc(copy, n, max, &full, &fulllen);
    if (st2 == FA_OK) {
        if (fulllen > max)
            abort();
        if (st == FA_OK && (fulllen != outlen || (outlen && memcmp(full, out, outlen))))
            abort();
        free(full);
    } else if (full) {
        abort();
    }
    free(out);
    free(copy);
    return 0;
}
