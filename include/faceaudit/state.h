/* fa_state: the incremental-scan state file (SQLite). Per top-level object: its identity
 * (location, size, mtime or ETag), the rules digest that scanned it and its results. An
 * unchanged object scanned by the same rules is not read again; its results are carried
 * over. Every run is recorded; one run at a time holds the file (an exclusive lock). */
#ifndef FACEAUDIT_STATE_H
#define FACEAUDIT_STATE_H
#include <jansson.h>
#include <stdint.h>
#include "faceaudit/err.h"
#include "faceaudit/sink.h"

typedef struct fa_state fa_state;

/* Opens or creates the file and takes its lock, waiting up to lock_timeout seconds for a
 * run that holds it; then FA_FATAL with a message naming the file. Caller closes. */
fa_state *fa_state_open(const char *file, double lock_timeout, fa_err *err);
/* Commits what is pending and releases the lock. */
void      fa_state_close(fa_state *st);

/* Starts a run; remembers the previous run's findings for fa_state_was_reported(). */
fa_status fa_state_begin_run(fa_state *st, const char *targets_json, const char *rules_digest, fa_err *err);
fa_status fa_state_end_run(fa_state *st, const fa_stats *stats, int complete, fa_err *err);

/* The stored results ({"objects","findings"} JSON, new reference) of an object whose identity
 * and rules digest match, or NULL when it must be scanned. */
json_t   *fa_state_lookup(fa_state *st, const char *key, int64_t size, int64_t mtime, const char *etag);
/* Stores a scanned object's results (complete objects only: errors and limits are rescanned). */
void      fa_state_store(fa_state *st, const char *key, int64_t size, int64_t mtime, const char *etag,
                         json_t *results);
/* Records that this run reported a finding; 1 if the previous run reported it too. */
int       fa_state_note_finding(fa_state *st, const char *fingerprint);
#endif
