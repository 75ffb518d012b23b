#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/model.h"
#include "faceaudit/sha256.h"

static const char *const sev_names[] = { "info", "low", "medium", "high", "critical", "none" };

const char *fa_severity_name(fa_severity s)
{
    return (unsigned)s <= FA_SEV_NONE ? sev_names[s] : "unknown";
}

int fa_severity_parse(const char *name, fa_severity *out)
{
    for (int i = 0; i <= FA_SEV_NONE; i++)
        if (!strcmp(name, sev_names[i])) {
            *out = (fa_severity)i;
            return 0;
        }
    return -1;
}

void fa_finding_clear(fa_finding *f)
{
    free(f->rule_id);
    free(f->category);
    free(f->message);
    fa_location_free(&f->loc);
    if (f->evidence)
        json_decref(f->evidence);
    memset(f, 0, sizeof *f);
}

/* Fields are joined with NUL separators so "a"+"bc" and "ab"+"c" differ. The line is left
 * out on purpose: a finding that moves within a file keeps its fingerprint. */
void fa_finding_fingerprint(fa_finding *f)
{
    fa_sha256_ctx c;
    fa_sha256_init(&c);
    const char *parts[] = { f->rule_id, f->loc.path ? f->loc.path : "" };
    for (size_t i = 0; i < 2; i++)
        fa_sha256_update(&c, parts[i], strlen(parts[i]) + 1);
    for (size_t i = 0; i < f->loc.nmembers; i++)
        fa_sha256_update(&c, f->loc.members[i], strlen(f->loc.members[i]) + 1);
    const char *sha = f->evidence ? json_string_value(json_object_get(f->evidence, "sha256")) : NULL;
    if (sha)
        fa_sha256_update(&c, sha, strlen(sha));
    unsigned char d[32];
    fa_sha256_final(&c, d);
    fa_sha256_tohex(d, f->fingerprint);
}

void fa_object_rec_clear(fa_object_rec *o)
{
    fa_location_free(&o->loc);
    free(o->etag);
    free(o->encryption);
    free(o->storage_class);
    free(o->skipped);
    memset(o, 0, sizeof *o);
}

void fa_time_rfc3339(int64_t t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, n, "1970-01-01T00:00:00Z");
}
