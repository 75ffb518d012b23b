/* fa_retention: ages of stored biometric data against a retention policy, computed from
 * merged scan documents. Never rescans, never deletes. The JSON built here is the single
 * source for every output format, the manifest and `dpia`; its shape is documented in
 * faceaudit-retention(1) and kept stable.
 *
 * Artifacts are the objects (files, archive members, S3 objects) with at least one finding
 * whose category is not vendor_endpoint (a call to a face API is a flow, not stored data).
 * Status, decided in this order:
 *   hold     a legal_hold pattern covers it (whatever its age)
 *   unknown  no rule covers it (reason "no_rule"), the rule sets no max_age (reason
 *            "needs_decision": the gdpr preset until --set max_age), or the object has no
 *            timestamp (reason "no_timestamp")
 *   overdue  as_of >= timestamp + max_age (the deadline)
 *   due      the deadline is within warn_days of as_of
 *   ok       otherwise */
#ifndef FACEAUDIT_RETENTION_H
#define FACEAUDIT_RETENTION_H
#include <stdint.h>
#include <jansson.h>
#include "faceaudit/buf.h"
#include "faceaudit/err.h"
#include "faceaudit/policy.h"
#include "faceaudit/scandoc.h"

typedef struct fa_retention_opts {
    int64_t as_of;       /* seconds since the epoch; the report's "now" */
    int     warn_days;   /* default 30 */
} fa_retention_opts;

/* Builds the report; a new reference (caller json_decref()s), or NULL with err.
 * {"as_of","warn_days","policy":{..},
 *  "artifacts":[{"location","path","members","uri","category","categories","timestamp",
 *                "age_days","max_age","deadline","days_left","status","reason","rule","basis",
 *                "hold","size"}],
 *  "buckets":[{"bucket","prefix","expiration_days","policy_rule","policy_max_age",
 *              "policy_days","status":"ok|missing|too_long|unknown","artifacts","message"}],
 *  "summary":{"ok","due","overdue","hold","unknown","needs_decision","artifacts",
 *             "bytes_overdue","buckets_noncompliant","complete"}}
 * Artifacts are sorted by location. */
json_t *fa_retention_build(const fa_scandoc *doc, const fa_policy *policy,
                           const fa_retention_opts *opts, fa_err *err);

typedef enum fa_retention_format { FA_RET_JSON, FA_RET_MD, FA_RET_CSV } fa_retention_format;
int       fa_retention_format_parse(const char *name);   /* -1 if unknown */
fa_status fa_retention_render(const json_t *report, fa_retention_format fmt, fa_buf *out, fa_err *err);

/* The deletion manifest of the overdue artifacts, in two parts.
 * del: nothing but deletable locations, one per line, so that `xargs rm --` (local files) or
 * `xargs -n1 aws s3 rm` (s3:// objects) can read it as it is: the absolute path (from the
 * file:// uri, else location.path) or s3:// URI, with the characters xargs splits on
 * escaped by a backslash, and "./" before a relative path that starts with '-'. A single
 * compressed stream (app.log.gz holding app.log) is one file and is listed here.
 * rewrite: what cannot be deleted as a file, one note per line: "ARCHIVE: rewrite without
 * member M" (archive members cannot be deleted alone; once per archive and member), and
 * "cannot list (newline in the name), delete by hand: PATH". Either may stay empty. */
void fa_retention_manifest(const json_t *report, fa_buf *del, fa_buf *rewrite);
#endif
