/* Detectors: one rule kind per file in src/detect/, registered in src/detect/kinds.c
 * (after YARA's module_list). The scanner calls a kind through this table only. */
#ifndef FACEAUDIT_DETECT_H
#define FACEAUDIT_DETECT_H
#include <jansson.h>
#include <stddef.h>
#include "faceaudit/err.h"
#include "faceaudit/limits.h"
#include "faceaudit/location.h"
#include "faceaudit/rules.h"
#include "faceaudit/yaml.h"

/* An object as detectors see it. All fields are borrowed for the call. */
typedef struct fa_object {
    const fa_location   *loc;
    const char          *name;   /* last path component or member name */
    const char          *type;   /* from fa_sniff() */
    const unsigned char *data;   /* the whole object in memory (scan_buffer only), else NULL */
    size_t               len;
    long long            size;   /* full size, -1 unknown */
    int                  depth;  /* 0 = top-level object, 1 = member of it, ... */
} fa_object;

typedef struct fa_ctx fa_ctx;    /* per scan; owned by the scanner */

/* Input a kind wants for an object (bit mask from wants()). */
enum { FA_IN_NONE = 0, FA_IN_PATH = 1, FA_IN_BUFFER = 2, FA_IN_TEXT = 4 };

/* How `rules test` feeds an example to a rule of the kind. */
typedef enum fa_example_mode {
    FA_EX_TEXT,   /* the example string is the object's content (a text object) */
    FA_EX_PATH,   /* the example string is a path; the object is empty */
    FA_EX_FILE    /* the example names a file relative to the pack's folder (or absolute);
                     its bytes are the object */
} fa_example_mode;

typedef struct fa_kind {
    const char *name;            /* value of `kind:` in packs */
    const char *summary;         /* one line for `rules list` */
    fa_example_mode example_mode;

    /* Rule loading. parse_key gets each key the loader does not know; return FA_OK,
     * FA_WARN for "not my key" (the loader reports it as unknown), or FA_FAIL with err
     * (use fa_ynode_error so the message has file:line:column). finish_rule checks required
     * fields and compiles (err's message is prefixed with the rule's position by the loader). */
    fa_status (*parse_key)(fa_rule *rule, const char *key, const fa_ynode *value, fa_err *err);
    fa_status (*finish_rule)(fa_rule *rule, fa_err *err);
    void      (*free_rule)(fa_rule *rule);

    /* Scanning. prepare() builds the kind's state over its enabled rules (shared by every
     * object; must be safe to use from several threads read-only); NULL rules = none. */
    void     *(*prepare)(fa_rule *const *rules, size_t n, fa_err *err);
    void      (*release)(void *prep);
    unsigned  (*wants)(void *prep, const fa_object *obj);          /* FA_IN_* mask */
    fa_status (*scan_path)(void *prep, fa_ctx *ctx, const fa_object *obj);
    fa_status (*scan_buffer)(void *prep, fa_ctx *ctx, const fa_object *obj);
    /* Text is fed in chunks of whole lines ('\n' ends each, except maybe the last chunk's
     * last line at end of object); first_line is the 1-based number of the chunk's first line. */
    void     *(*text_begin)(void *prep, fa_ctx *ctx, const fa_object *obj);
    fa_status (*text_chunk)(void *tstate, const char *p, size_t n, long first_line);
    fa_status (*text_end)(void *tstate);  /* also frees tstate */

    /* Decoded-content inspection, for `then: <kind>` chains of regex rules: judge bytes
     * decoded from text. Sets *hit and, on a hit, a new evidence object and confidence.
     * The caller reports the finding under its own rule id. May be NULL. */
    fa_status (*inspect)(void *prep, fa_ctx *ctx, const fa_object *obj,
                         int *hit, double *confidence, json_t **evidence, char **message);
} fa_kind;

/* The registry (src/detect/kinds.c). */
const fa_kind *fa_kind_lookup(const char *name);
size_t         fa_kind_count(void);
const fa_kind *fa_kind_at(size_t i);

/* --- what detectors call back into (implemented by the scanner) --- */

/* Reports a finding of `rule` at `loc` (copied). `matched`/`len`: the matched bytes, hashed
 * into evidence.sha256 and never stored. evidence: extra facts (stolen; may be NULL).
 * The message is formatted; it must not quote matched content. */
void fa_ctx_report(fa_ctx *ctx, const fa_rule *rule, const fa_location *loc, double confidence,
                   const void *matched, size_t len, json_t *evidence, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
/* Records a scan error (corrupt input, ...) and goes on. */
void fa_ctx_error(fa_ctx *ctx, const fa_location *loc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The one limits check: if `observed` exceeds limit `id`, records a `limits` entry at loc
 * and returns 1 (the caller must skip the work); else 0. */
int  fa_ctx_limit(fa_ctx *ctx, fa_limit_id id, int64_t observed, const fa_location *loc);
const fa_limits *fa_ctx_limits(const fa_ctx *ctx);
/* The prepared state of another kind (for then: chains), or NULL if it has no rules loaded
 * and cannot prepare. */
void *fa_ctx_kind_prep(fa_ctx *ctx, const fa_kind *kind);
/* 1 once the scan should stop (max_scan_time, interrupt): long loops poll it. */
int  fa_ctx_cancelled(fa_ctx *ctx);
/* Options detectors may read: --face-model and similar; NULL if unset. */
const char *fa_ctx_option(const fa_ctx *ctx, const char *name);
#endif
