/* fa_scandoc: one or more scan documents (CONTRACT.md, `scan --format json`) loaded,
 * validated and merged, for the commands that read scans instead of rescanning
 * (inventory, retention, dpia).
 *
 * Merging: an object (location.path + location.members) seen in several documents counts
 * once. Its record and ALL its findings come from the first document (in load order) that
 * lists it, so a file scanned twice neither doubles its findings nor mixes two rule sets.
 * A finding whose object no document lists is kept from the first document that has a
 * finding on that object. Errors and limits are kept once per (location, code/limit).
 * Bucket posture (optional top-level "buckets") is kept once per bucket name, first wins;
 * a bucket with no posture record is "unknown", never "fine". */
#ifndef FACEAUDIT_SCANDOC_H
#define FACEAUDIT_SCANDOC_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "faceaudit/err.h"
#include "faceaudit/location.h"

/* Tri-state for posture facts: what a scan could not see is unknown, not false. */
typedef enum fa_tri { FA_TRI_UNKNOWN = -1, FA_TRI_NO = 0, FA_TRI_YES = 1 } fa_tri;

typedef struct fa_sdoc_object {
    fa_location loc;
    char    *key;          /* merge key: "uri!m1!m2" ("path!m1!m2" without a uri): one
                              object scanned from two working folders is the same object */
    int64_t  size;         /* -1 = unknown */
    int      has_mtime;
    int64_t  mtime;        /* seconds since the epoch (UTC), valid when has_mtime */
    char    *type;         /* media type or NULL */
    char    *encryption;   /* per-object encryption (S3 SSE) or NULL = unknown/none reported */
    size_t   doc;          /* index of the document it came from */
} fa_sdoc_object;

typedef struct fa_sdoc_finding {
    fa_location loc;
    char    *key;          /* the object's merge key (no line) */
    char    *display;      /* "path!m1!m2" (fa_location_display), for reports */
    char    *rule_id;
    char    *category;
    char    *severity;
    double   confidence;   /* -1 = absent */
    char    *fingerprint;  /* NULL if absent */
    json_t  *evidence;     /* a JSON object (own reference; empty object when absent) */
    long     object;       /* index into objects[], -1 when no document lists the object */
    size_t   doc;
} fa_sdoc_finding;

typedef struct fa_sdoc_issue {     /* an entry of "errors" or "limits" */
    fa_location loc;
    char    *key;
    char    *code;         /* errors: code; limits: limit name */
    char    *message;      /* errors only; may be NULL */
    int      is_limit;
    size_t   doc;
} fa_sdoc_issue;

typedef struct fa_sdoc_lifecycle {
    char    *prefix;           /* "" = whole bucket */
    long     expiration_days;  /* -1 = the rule sets no expiration */
} fa_sdoc_lifecycle;

typedef struct fa_sdoc_bucket {
    char   *bucket;
    fa_tri  public_access_block;   /* YES when all four block settings are on */
    fa_tri  policy_public;
    fa_tri  acl_public;
    char   *encryption;            /* "AES256", "aws:kms", "none"; NULL = unknown */
    char   *versioning;            /* "Enabled", "Suspended", "Disabled"; NULL = unknown */
    int     lifecycle_known;       /* 0: "lifecycle" absent/null -> unknown */
    fa_sdoc_lifecycle *lifecycle;
    size_t  nlifecycle;
} fa_sdoc_bucket;

typedef struct fa_scandoc {
    char           **files;        /* the loaded document names, in load order */
    size_t           nfiles;
    fa_sdoc_object  *objects;  size_t nobjects;  size_t aobjects;
    fa_sdoc_finding *findings; size_t nfindings; size_t afindings;
    fa_sdoc_issue   *issues;   size_t nissues;   size_t aissues;
    fa_sdoc_bucket  *buckets;  size_t nbuckets;  size_t abuckets;
    char           **targets;  size_t ntargets;  size_t atargets;
    int              complete;     /* every document said scan.complete = true */
    int              has_started;
    int64_t          started_at;   /* earliest scan.started_at */
    int              has_finished;
    int64_t          finished_at;  /* latest scan.finished_at */
    json_t          *index;        /* private: key -> object index / owner document */
    json_t          *paths;        /* private: object path -> key, for entries without a uri */
} fa_scandoc;

/* A new, empty set of documents (complete = 1 until a document says otherwise). Free with
 * fa_scandoc_free. */
fa_scandoc *fa_scandoc_new(void);
void        fa_scandoc_free(fa_scandoc *d);

/* Loads one document ("-" = standard input) and merges it into d. Errors:
 * "file:line:column: message" for JSON syntax and for fields of the wrong shape
 * (code "scan_document"), "file: message" when unreadable; status FA_FATAL. On failure d is
 * unchanged. */
fa_status fa_scandoc_load(fa_scandoc *d, const char *file, fa_err *err);
/* The same from memory: `name` is used in messages. */
fa_status fa_scandoc_load_data(fa_scandoc *d, const char *name, const char *data, size_t len,
                               fa_err *err);

/* The bucket posture record for a bucket name, or NULL (= unknown). Borrowed. */
const fa_sdoc_bucket *fa_scandoc_bucket(const fa_scandoc *d, const char *bucket);
/* The object with a merge key, or NULL. Borrowed. */
const fa_sdoc_object *fa_scandoc_object(const fa_scandoc *d, const char *key);

/* Time helpers shared by inventory and retention.
 * Parses RFC 3339 ("2024-05-01T10:00:00Z", "...+02:00", fractions ignored, ' ' for 'T'),
 * a plain date "2024-05-01" (midnight UTC) and the common log format timestamp
 * "10/Oct/2023:13:55:36 +0000". Returns 0 on success. */
int  fa_sdoc_time_parse(const char *s, int64_t *out);
/* Formats as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes); returns buf. */
char *fa_sdoc_time_format(int64_t t, char *buf, size_t size);
#endif
