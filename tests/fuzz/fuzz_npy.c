/* NumPy .npy headers. */
#include "fuzz_common.h"
#include "faceaudit/parse_npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    fa_npy h;
    fa_err err;
    fa_err_clear(&err);
    if (fa_npy_parse(copy, size, &h, &err) == FA_OK) {
        /* What the header promises must lie inside the bytes given. */
        if (h.offset > size || h.ndim < 0 || h.ndim > FA_NPY_MAXDIM)
            abort();
        if (h.kind != 'O' && h.data_len > size - h.offset)
            abort();
        if (h.kind != 'O' && h.data_len && h.offset + h.data_len > size)
            abort();
    }
    free(copy);
    return 0;
}
