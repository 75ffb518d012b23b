/* The scan's data model: severities, categories, findings and object records. */
#ifndef FACEAUDIT_MODEL_H
#define FACEAUDIT_MODEL_H
#include <jansson.h>
#include <stdint.h>
#include "faceaudit/location.h"

typedef enum fa_severity {
    FA_SEV_INFO = 0, FA_SEV_LOW, FA_SEV_MEDIUM, FA_SEV_HIGH, FA_SEV_CRITICAL,
    FA_SEV_NONE   /* "--fail-on none": nothing fails */
} fa_severity;

const char *fa_severity_name(fa_severity s);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int fa_severity_parse(const char *name, fa_severity *out);

/* Fixed categories of the contract; packs may add others (any [a-z_]+ string). */
#define FA_CAT_FACE_IMAGE     "face_image"
#define FA_CAT_FACE_TEMPLATE  "face_template"
#define FA_CAT_BIOMETRIC_META "biometric_metadata"
#define FA_CAT_VENDOR         "vendor_endpoint"

typedef struct fa_finding {
    char        *rule_id;
    char        *category;
    fa_severity  severity;
    double       confidence;    /* 0..1 */
    char        *message;       /* never quotes matched content */
    fa_location  loc;
    json_t      *evidence;      /* object; always has "sha256"; owned (one reference) */
    char         fingerprint[65];
} fa_finding;

/* Frees members, not f itself. */
void fa_finding_clear(fa_finding *f);
/* sha256 over rule_id, location (no line) and evidence.sha256: stable across moved lines. */
void fa_finding_fingerprint(fa_finding *f);

/* One scanned object or archive member (the contract's `objects` entry). */
typedef struct fa_object_rec {
    fa_location loc;
    int64_t     size;       /* -1 unknown */
    int64_t     mtime;      /* unix seconds; INT64_MIN unknown */
    const char *type;       /* MIME-like from the sniffer: static string */
    char       *etag;       /* NULL for files */
    char       *encryption; /* NULL unless known (S3 SSE) */
    char       *storage_class;
    char       *skipped;    /* why the content was not read (e.g. "storage class GLACIER"), else NULL */
} fa_object_rec;

void fa_object_rec_clear(fa_object_rec *o);

/* Contract limit names (fa_limits.h checks them). */
typedef struct fa_limit_hit {
    fa_location loc;
    char       *limit;   /* "max_member_size", ... */
    int64_t     value;   /* the configured limit that was hit */
} fa_limit_hit;

typedef struct fa_scan_error {
    fa_location loc;
    char       *code;    /* "corrupt_archive", "unreadable", "encrypted", ... */
    char       *message;
} fa_scan_error;

/* RFC 3339 UTC, e.g. 2026-11-26T23:02:31Z, into out (>= 32 bytes). */
void fa_time_rfc3339(int64_t t, char *out, size_t n);
#endif
