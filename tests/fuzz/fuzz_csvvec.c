/* The CSV/TSV number-row reader, fed line by line. */
#include "fuzz_common.h"
#include "faceaudit/parse_jsonarr.h"

static void on_vec(void *ud, const fa_tvec *tv)
{
    (void)ud;
    fuzz_touch_tvec(tv);
}

static void feed(void *ud, const char *line, size_t n, long lineno)
{
    fa_csvvec_line(ud, line, n, lineno);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fa_csvvec *c = fa_csvvec_new(on_vec, NULL);
    fuzz_lines(data, size, feed, c);
    fa_csvvec_finish(c);
    fa_csvvec_free(c);
    return 0;
}
