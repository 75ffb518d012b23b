/* fa_scanner: the pipeline. Sources (filesystem, stdin, S3) feed objects; archives
 * expand them; the sniffer types each; detectors produce findings; a sink writes them. */
#ifndef FACEAUDIT_SCAN_H
#define FACEAUDIT_SCAN_H
#include "faceaudit/limits.h"
#include "faceaudit/rules.h"
#include "faceaudit/sink.h"

typedef struct fa_scan_opts {
    fa_limits    limits;
    const char **include;      /* globs on the path below the target; NULL-terminated or NULL */
    const char **exclude;
    int          follow_symlinks;
    const char **options;      /* "name=value" pairs detectors read via fa_ctx_option() */
    const struct fa_suppress *suppress;  /* baselines and ignore files; borrowed, may be NULL */
    int          threads;      /* detection workers; 0 = online CPUs, 1 = none */
    int          shard_index;  /* --shard K/N: scan only objects whose location hashes to K-1 */
    int          shard_count;  /* 0 or 1 = no sharding */
    struct fa_state *state;    /* incremental state (borrowed, may be NULL) */
    int          new_only;     /* with state: report only findings the previous run did not */
    int64_t      since;        /* skip objects modified before this (unix seconds); INT64_MIN = all */
} fa_scan_opts;

void fa_scan_opts_init(fa_scan_opts *o);

typedef struct fa_scanner fa_scanner;

/* The ruleset is borrowed and must outlive the scanner. Only enabled rules run. */
fa_scanner *fa_scanner_new(fa_ruleset *rs, const fa_scan_opts *opts, fa_err *err);
void        fa_scanner_free(fa_scanner *s);
/* Scans every target ("-" = stdin; a file; a folder; s3://...). Fatal problems with a
 * target (it does not exist, cannot be read) are returned as FA_FATAL with err set after
 * the other targets were scanned; per-object problems become `errors` entries. */
fa_status   fa_scanner_run(fa_scanner *s, const char *const *targets, size_t n, fa_sink *sink, fa_err *err);
/* Scans one in-memory object named `path` (rules test, fuzzing); sink gets no begin/end. */
fa_status   fa_scanner_scan_memory(fa_scanner *s, const char *path, const void *data, size_t len,
                                   fa_sink *sink, fa_err *err);
const fa_stats *fa_scanner_stats(const fa_scanner *s);
/* Highest severity found so far, or FA_SEV_NONE if none. */
fa_severity fa_scanner_max_severity(const fa_scanner *s);
/* 1 if no errors and no limits were recorded. */
int         fa_scanner_complete(const fa_scanner *s);
/* Monotonic seconds (for rates and progress). */
double      fa_scan_now(void);
/* Asks a running scan to stop at the next object (signal-safe). */
void        fa_scanner_cancel(fa_scanner *s);
#endif
