/* FAISS index, safetensors and HDF5 headers: every input goes through all three. */
#include "fuzz_common.h"
#include "faceaudit/parse_mlfiles.h"

static const uint8_t *g_base;
static size_t g_size;

static void on_vec(void *ud, const fa_mlvec *mv)
{
    (void)ud;
    if (!mv->name || (unsigned)mv->dtype >= FA_VDT__COUNT)
        abort();
    if (mv->raw) {
        size_t es = fa_vdtype_size(mv->dtype);
        /* raw must lie inside the input: check the claim, then read the last byte. */
        if (mv->raw < g_base || mv->raw > g_base + g_size)
            abort();
        if (es && mv->dim && mv->count) {
            size_t avail = (size_t)(g_base + g_size - mv->raw);
            if (mv->count > avail / es / mv->dim)
                abort();
            volatile uint8_t last = mv->raw[mv->count * mv->dim * es - 1];
            (void)last;
        }
    }
}

static void on_name(void *ud, const char *name, size_t n)
{
    (void)ud;
    volatile char c = n ? name[n - 1] : 0;
    (void)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    g_base = copy;
    g_size = size;
    fa_err err;
    fa_err_clear(&err);
    (void)fa_faiss_parse(copy, size, on_vec, NULL, &err);
    fa_err_clear(&err);
    (void)fa_safetensors_parse(copy, size, on_vec, NULL, &err);
    fa_err_clear(&err);
    (void)fa_hdf5_names(copy, size, size, on_name, NULL, &err);
    free(copy);
    return 0;
}
