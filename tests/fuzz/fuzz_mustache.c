/* The Mustache engine: the input is the template; data and partials are fixed (one
 * partial includes itself, so the recursion bound is exercised). */
#include "fuzz_common.h"
#include "faceaudit/mustache.h"

static json_t *g_data;

static char *partial(void *ud, const char *name)
{
    (void)ud;
    if (!strcmp(name, "self"))
        return strdup("{{#items}}{{>self}}{{/items}}x");
    if (!strcmp(name, "row"))
        return strdup("  {{name}}: {{value}}\n");
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_data)
        g_data = json_pack("{s:s, s:i, s:b, s:n, s:f, s:[{s:s,s:i},{s:s,s:i}], s:{s:{s:s}}, s:[]}",
                           "name", "<a&b>\"'", "count", 3, "flag", 1, "nothing",
                           "ratio", 0.5, "items", "name", "one", "value", 1, "name", "two",
                           "value", 2, "nested", "deep", "x", "y", "empty");
    uint8_t *copy = fuzz_dup(data, size);
    fa_err err;
    fa_err_clear(&err);
    (void)fa_mustache_check((const char *)copy, size, "fuzz", &err);
    for (int mode = 0; mode < 4; mode++) {
        fa_mustache_opts o = { .name = "fuzz", .allow_missing = mode & 1,
                               .escape = (fa_mustache_escape)mode, .partial = partial };
        char *out = NULL;
        size_t outlen = 0;
        fa_err_clear(&err);
        if (fa_mustache_render((const char *)copy, size, g_data, &o, &out, &outlen, &err) == FA_OK) {
            if (!out || strlen(out) > outlen)
                abort();
            free(out);
        } else if (out) {
            abort();
        }
    }
    free(copy);
    return 0;
}
