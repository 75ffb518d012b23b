/* fa_merge: several scan documents (shards, or scans of different targets) into one. */
#ifndef FACEAUDIT_MERGE_H
#define FACEAUDIT_MERGE_H
#include <jansson.h>
#include "faceaudit/err.h"

/* Loads a scan document; errors are "file:line:column: message". Returns a new reference. */
json_t *fa_scandoc_read(const char *file, fa_err *err);

/* Merges documents (borrowed) into a new one (new reference): objects deduplicated by
 * location, findings by fingerprint and line, errors and limits by location and code;
 * objects and findings sorted by location; stats recounted (seconds summed); scan times
 * span all inputs; `complete` only if every input was. Documents scanned with different
 * rules (rules_digest) cannot be merged: NULL with err set. */
json_t *fa_merge_docs(json_t *const *docs, size_t n, const char *const *names, fa_err *err);
#endif
