/* Retention policy files (YAML), then matching and JSON export of what loaded. */
#include "fuzz_common.h"
#include "faceaudit/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    fa_err err;
    fa_err_clear(&err);
    fa_policy *p = fa_policy_load("fuzz-policy.yaml", (const char *)copy, size, &err);
    if (p) {
        static const char *const cats[] = { "face_image", "face_template", NULL };
        (void)fa_policy_match(p, "a/b.zip!c/d.jpg", "a/b.zip", cats);
        (void)fa_policy_hold_for(p, "s3://bucket/x/y.npy", "s3://bucket/x/y.npy");
        json_t *j = fa_policy_to_json(p);
        json_decref(j);
        /* Globs from the file against a fixed path. */
        for (size_t i = 0; i < p->nrules; i++)
            for (char **m = p->rules[i].match; m && *m; m++)
                (void)fa_policy_glob(*m, "photos/2024/x!inner/face.jpg");
        fa_policy_free(p);
    }
    free(copy);
    /* The duration parser on a NUL-terminated copy. */
    char *s = fuzz_cstr(data, size < 64 ? size : 64);
    fa_duration d;
    if (fa_duration_parse(s, &d) == 0) {
        char buf[32];
        (void)fa_duration_format(d, buf, sizeof buf);
        (void)fa_duration_add(1700000000, d);
    }
    free(s);
    return 0;
}
