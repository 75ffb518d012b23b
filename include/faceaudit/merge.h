/* fa_merge: several scan documents (shards, or scans of different targets) into one. */
#ifndef FACEAUDIT_MERGE_H
#define FACEAUDIT_MERGE_H
#include <jansson.h>
#include "faceaudit/err.h"

/* Loads a scan document ("-" = standard input). Errors: "file: <strerror>" when it cannot
 * be opened, "file:line:column: message" for bad JSON or a document of the wrong shape.
 * Returns a new reference. */
json_t *fa_scandoc_read(const char *file, fa_err *err);

/* Merges documents (borrowed; names[i] names docs[i] in warnings) into a new one (new
 * reference), in the scan's own order, so that the merged shards of a scan equal the full
 * scan apart from ids, times, seconds and shard fields:
 *  - entries of objects, findings, errors and limits are ordered by top-level object: the
 *    target's position in the joined targets, then the path in walk order (each folder's
 *    names sorted, '/' before any other byte; plain byte order for s3://); entries of one
 *    top-level object keep their order in the document they come from;
 *  - duplicates (same location, and fingerprint/line/offset, code or limit) are dropped,
 *    the first in that order kept;
 *  - stats: objects, bytes, findings, errors, limits recounted from the merged arrays;
 *    read_bytes, carried_over, suppressed and seconds summed; merged_documents added;
 *  - scan: times span all inputs, targets joined, no shard field; `complete` only if every
 *    input was complete and, when any input is a shard (scan.shard {index, count}), all
 *    shards are of the same count N, scanned the same targets, and 1..N each appear once.
 * Problems that make the result incomplete or doubtful (missing or duplicate shards, mixed
 * shard counts, sharded mixed with unsharded documents, other tool versions) are appended
 * as strings to *warnings (a new JSON array owned by the caller; pass NULL to ignore).
 * Documents scanned with different rules (rules_digest) cannot be merged: NULL with err set. */
json_t *fa_merge_docs(json_t *const *docs, size_t n, const char *const *names, json_t **warnings,
                      fa_err *err);
#endif
