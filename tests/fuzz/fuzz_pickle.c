/* The pickle walker (never executes anything; bounded parser state). */
#include "fuzz_common.h"
#include <math.h>
#include "faceaudit/parse_pickle.h"

static void on_vec(void *ud, const char *path, fa_vdtype dtype, size_t dim, const double *v)
{
    size_t *count = ud;
    if (!path || (unsigned)dtype >= FA_VDT__COUNT)
        abort();
    /* Touch every value so ASan sees reads past the vector. */
    volatile double s = 0;
    for (size_t i = 0; i < dim; i++)
        s += v[i];
    (void)s;
    (*count)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    fa_err err;
    fa_err_clear(&err);
    size_t count = 0;
    (void)fa_pickle_walk(copy, size, 64u << 20, on_vec, &count, &err);
    free(copy);
    return 0;
}
