/* The JSON float-array scanner, fed line by line as the scanner does. */
#include "fuzz_common.h"
#include "faceaudit/parse_jsonarr.h"

static void on_vec(void *ud, const fa_tvec *tv)
{
    (void)ud;
    if (!tv->path)
        abort();
    fuzz_touch_tvec(tv);
}

static void feed(void *ud, const char *line, size_t n, long lineno)
{
    fa_jsonarr_line(ud, line, n, lineno);
    (void)fa_jsonarr_open(ud);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fa_jsonarr *j = fa_jsonarr_new(on_vec, NULL);
    fuzz_lines(data, size, feed, j);
    fa_jsonarr_free(j);
    /* The number parser on its own, at every offset of a short prefix. */
    uint8_t *copy = fuzz_dup(data, size);
    for (size_t i = 0; i < size && i < 64; i++) {
        double v;
        size_t used = fa_parse_number((const char *)copy + i, (const char *)copy + size, &v);
        if (used > size - i)
            abort();
    }
    free(copy);
    return 0;
}
