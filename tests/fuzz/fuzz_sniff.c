/* The sniffer: types an object by its first bytes. */
#include "fuzz_common.h"
#include "faceaudit/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    /* Once with the true total and once as a stream of unknown length. */
    const char *a = fa_sniff(copy, size, (long long)size);
    const char *b = fa_sniff(copy, size, -1);
    if (!a || !b)
        abort();
    (void)fa_type_is_archive(a);
    (void)fa_type_is_image(a);
    (void)fa_type_is_text(b);
    free(copy);
    return 0;
}
