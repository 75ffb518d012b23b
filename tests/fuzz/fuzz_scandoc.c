/* Scan documents (the JSON that inventory, retention and dpia read back). */
#include "fuzz_common.h"
#include "faceaudit/scandoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    fa_scandoc *d = fa_scandoc_new();
    fa_err err;
    fa_err_clear(&err);
    /* Twice: the second load exercises merging against the first. */
    if (fa_scandoc_load_data(d, "a.json", (const char *)copy, size, &err) == FA_OK) {
        fa_err_clear(&err);
        (void)fa_scandoc_load_data(d, "b.json", (const char *)copy, size, &err);
        for (size_t i = 0; i < d->nobjects; i++)
            if (fa_scandoc_object(d, d->objects[i].key) == NULL)
                abort();
        for (size_t i = 0; i < d->nbuckets; i++)
            (void)fa_scandoc_bucket(d, d->buckets[i].bucket);
    }
    fa_scandoc_free(d);
    free(copy);
    char *s = fuzz_cstr(data, size < 80 ? size : 80);
    int64_t t;
    if (fa_sdoc_time_parse(s, &t) == 0) {
        char buf[40];
        (void)fa_sdoc_time_format(t, buf, sizeof buf);
    }
    free(s);
    return 0;
}
