/* Rule packs (YAML): the loader and every kind's compile step (regexes, vector params). */
#include "fuzz_common.h"
#include "faceaudit/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fa_ruleset *rs = fa_ruleset_new();
    fa_err err;
    fa_err_clear(&err);
    uint8_t *copy = fuzz_dup(data, size);
    if (fa_ruleset_load_mem(rs, "fuzz.yaml", (const char *)copy, size, &err) == FA_OK) {
        /* Walk what was loaded, as `rules list` does. */
        for (size_t i = 0; i < fa_ruleset_nrules(rs); i++) {
            fa_rule *r = fa_ruleset_rule(rs, i);
            if (!r->id || !fa_ruleset_find(rs, r->id))
                abort();
        }
        (void)fa_ruleset_digest(rs);
    } else if (!memchr(err.msg, 0, sizeof err.msg)) {
        abort();
    }
    free(copy);
    fa_ruleset_free(rs);
    return 0;
}
