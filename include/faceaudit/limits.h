/* fa_limits: every resource limit in one place (after ClamAV's cli_checklimits).
 * A limit hit is never silent: fa_ctx_limit() (detect.h) records it in the scan
 * document's `limits` with its location, and the caller skips the work. */
#ifndef FACEAUDIT_LIMITS_H
#define FACEAUDIT_LIMITS_H
#include <stdint.h>
#include "faceaudit/err.h"

typedef enum fa_limit_id {
    FA_LIM_MAX_DEPTH = 0,       /* archive nesting depth (default 8) */
    FA_LIM_MAX_MEMBER_SIZE,     /* bytes of one archive member or object read into memory (256 MiB) */
    FA_LIM_MAX_ARCHIVE_BYTES,   /* total bytes expanded below one top-level object (4 GiB) */
    FA_LIM_MAX_RATIO,           /* expanded:compressed ratio of one member (1000) */
    FA_LIM_MAX_MEMBERS,         /* members below one top-level object (100000) */
    FA_LIM_MAX_LINE,            /* bytes of one text line (64 MiB) */
    FA_LIM_MAX_PIXELS,          /* pixels of one image (50 MP) */
    FA_LIM_MAX_DECODED,         /* bytes decoded from one base64 run in text, or inflated from one image's compressed XMP (32 MiB) */
    FA_LIM_MAX_OBJECT_SIZE,     /* bytes of one object fetched from a bucket (0 = none) */
    FA_LIM_MAX_SCAN_TIME,       /* seconds for the whole scan (0 = none) */
    FA_LIM_MAX_METADATA,        /* bytes of XMP text or Picasa face tags read from one object (8 MiB) */
    FA_LIM__COUNT
} fa_limit_id;

typedef struct fa_limits {
    int64_t value[FA_LIM__COUNT];
} fa_limits;

void        fa_limits_defaults(fa_limits *l);
const char *fa_limit_name(fa_limit_id id);            /* "max_member_size" */
const char *fa_limit_option(fa_limit_id id);          /* "--max-member-size" */
/* Looks a limit up by name ("max_member_size" or "max-member-size"); -1 if unknown. */
int         fa_limit_lookup(const char *name);
/* Parses "256M", "4GiB", "1000", "50MP", "30s" into the limit; FA_FAIL with a message otherwise. */
fa_status   fa_limits_set(fa_limits *l, fa_limit_id id, const char *text, fa_err *err);
/* 1 if `observed` exceeds the limit (a zero limit means none for the optional ones). */
int         fa_limit_exceeded(const fa_limits *l, fa_limit_id id, int64_t observed);
#endif
