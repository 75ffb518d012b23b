/* The one place that knows every limit: names, options, defaults and units. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/limits.h"

typedef enum { U_COUNT, U_BYTES, U_PIXELS, U_SECONDS } unit_t;

static const struct {
    const char *name, *option;
    int64_t     def;
    unit_t      unit;
} table[FA_LIM__COUNT] = {
    [FA_LIM_MAX_DEPTH]         = { "max_depth",         "--max-depth",         8, U_COUNT },
    [FA_LIM_MAX_MEMBER_SIZE]   = { "max_member_size",   "--max-member-size",   256LL << 20, U_BYTES },
    [FA_LIM_MAX_ARCHIVE_BYTES] = { "max_archive_bytes", "--max-archive-bytes", 4LL << 30, U_BYTES },
    [FA_LIM_MAX_RATIO]         = { "max_ratio",         "--max-ratio",         1000, U_COUNT },
    [FA_LIM_MAX_MEMBERS]       = { "max_members",       "--max-members",       100000, U_COUNT },
    [FA_LIM_MAX_LINE]          = { "max_line",          "--max-line",          64LL << 20, U_BYTES },
    [FA_LIM_MAX_PIXELS]        = { "max_pixels",        "--max-pixels",        50000000, U_PIXELS },
    [FA_LIM_MAX_DECODED]       = { "max_decoded",       "--max-decoded",       32LL << 20, U_BYTES },
    [FA_LIM_MAX_OBJECT_SIZE]   = { "max_object_size",   "--max-object-size",   0, U_BYTES },
    [FA_LIM_MAX_SCAN_TIME]     = { "max_scan_time",     "--max-scan-time",     0, U_SECONDS },
    [FA_LIM_MAX_METADATA]      = { "max_metadata",      "--max-metadata",      8LL << 20, U_BYTES },
};

void fa_limits_defaults(fa_limits *l)
{
    for (int i = 0; i < FA_LIM__COUNT; i++)
        l->value[i] = table[i].def;
}

const char *fa_limit_name(fa_limit_id id)
{
    return (unsigned)id < FA_LIM__COUNT ? table[id].name : "unknown";
}

const char *fa_limit_option(fa_limit_id id)
{
    return (unsigned)id < FA_LIM__COUNT ? table[id].option : "";
}

int fa_limit_lookup(const char *name)
{
    if (!strncmp(name, "--", 2))
        name += 2;
    for (int i = 0; i < FA_LIM__COUNT; i++) {
        const char *a = table[i].name, *b = name;
        while (*a && *b && (*a == *b || (*a == '_' && *b == '-')))
            a++, b++;
        if (!*a && !*b)
            return i;
    }
    return -1;
}

fa_status fa_limits_set(fa_limits *l, fa_limit_id id, const char *text, fa_err *err)
{
    if ((unsigned)id >= FA_LIM__COUNT)
        return fa_err_set(err, FA_FAIL, "usage", "unknown limit");
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || v < 0)
        goto bad;
    while (isspace((unsigned char)*end))
        end++;
    double mul = 1;
    char suf[8] = "";
    size_t k = 0;
    while (*end && k < sizeof suf - 1)
        suf[k++] = (char)tolower((unsigned char)*end++);
    if (*end)
        goto bad;
    if (table[id].unit == U_BYTES) {
        static const struct { const char *s; double m; } u[] = {
            { "", 1 }, { "b", 1 }, { "k", 1024.0 }, { "kb", 1e3 }, { "kib", 1024.0 },
            { "m", 1048576.0 }, { "mb", 1e6 }, { "mib", 1048576.0 },
            { "g", 1073741824.0 }, { "gb", 1e9 }, { "gib", 1073741824.0 },
            { "t", 1099511627776.0 }, { "tb", 1e12 }, { "tib", 1099511627776.0 } };
        size_t i;
        for (i = 0; i < sizeof u / sizeof u[0]; i++)
            if (!strcmp(suf, u[i].s)) {
                mul = u[i].m;
                break;
            }
        if (i == sizeof u / sizeof u[0])
            goto bad;
    } else if (table[id].unit == U_PIXELS) {
        if (!strcmp(suf, "mp"))
            mul = 1e6;
        else if (*suf)
            goto bad;
    } else if (table[id].unit == U_SECONDS) {
        if (!strcmp(suf, "m"))
            mul = 60;
        else if (!strcmp(suf, "h"))
            mul = 3600;
        else if (*suf && strcmp(suf, "s"))
            goto bad;
    } else if (*suf) {
        goto bad;
    }
    v *= mul;
    if (v > 9.2e18)
        goto bad;
    l->value[id] = (int64_t)v;
    return FA_OK;
bad:
    return fa_err_set(err, FA_FAIL, "usage", "%s: invalid value '%s'", table[id].option, text);
}

int fa_limit_exceeded(const fa_limits *l, fa_limit_id id, int64_t observed)
{
    int64_t lim = l->value[id];
    if (lim <= 0 && (id == FA_LIM_MAX_OBJECT_SIZE || id == FA_LIM_MAX_SCAN_TIME))
        return 0;  /* optional limits: 0 means none */
    return observed > lim;
}
