/* fa_sink: where a scan's results go (JSON document, JSON lines, text, ...).
 * The scanner calls begin, then object/finding/error/limit in scan order, then end. */
#ifndef FACEAUDIT_SINK_H
#define FACEAUDIT_SINK_H
#include <stdio.h>
#include "faceaudit/err.h"
#include "faceaudit/model.h"

typedef struct fa_stats {
    uint64_t objects, bytes, findings, errors, limits, suppressed;
    uint64_t read_bytes;        /* bytes read from sources (less than bytes when carried over) */
    uint64_t carried;           /* top-level objects whose results came from the state file */
    uint64_t by_severity[5];    /* findings per fa_severity */
    double   seconds;
} fa_stats;

typedef struct fa_scan_meta {
    const char  *tool_version;
    const char  *rules_digest;
    char         scan_id[40];
    int64_t      started_at, finished_at;   /* unix seconds */
    const char *const *targets;
    size_t       ntargets;
    int          complete;                  /* no errors and no limits hit */
    int          fatal;                     /* a target could not be scanned (exit 2) */
    int          shard_index, shard_count;  /* --shard K/N; count <= 1 = not sharded */
} fa_scan_meta;

typedef struct fa_sink fa_sink;
typedef struct fa_sink_ops {
    const char *name;
    fa_status (*begin)(fa_sink *s, const fa_scan_meta *m);
    fa_status (*object)(fa_sink *s, const fa_object_rec *o);
    fa_status (*finding)(fa_sink *s, const fa_finding *f);
    fa_status (*error)(fa_sink *s, const fa_scan_error *e);
    fa_status (*limit)(fa_sink *s, const fa_limit_hit *l);
    fa_status (*end)(fa_sink *s, const fa_scan_meta *m, const fa_stats *st);
    void      (*destroy)(fa_sink *s);
    /* A record for a top-level array of the document other than the four above, e.g.
     * "buckets" (S3 bucket posture). May be NULL: formats without such arrays ignore it. */
    fa_status (*record)(fa_sink *s, const char *array, json_t *value);
} fa_sink_ops;

struct fa_sink {
    const fa_sink_ops *ops;
    FILE              *out;     /* borrowed */
    void              *impl;
    fa_err             err;
};

struct fa_ruleset;
/* What some formats need beyond the results. */
typedef struct fa_sink_opts {
    const struct fa_ruleset *rules;   /* sarif: tool.driver.rules (borrowed; may be NULL) */
    int         color;                /* text: ANSI colours */
    fa_severity fail_on;              /* sarif: invocations[].exitCode */
    int         fail_on_scan_errors;
} fa_sink_opts;

/* The contract's exit status for a finished scan: 2 fatal, 1 findings at or above fail_on,
 * 3 incomplete (only with fail_on_scan_errors), else 0. */
int fa_exit_code(const fa_stats *st, int complete, int fatal, fa_severity fail_on, int fail_on_scan_errors);

/* "json" (the contract's scan document), "jsonl" (one finding per line), "text", "csv",
 * "sarif" (SARIF 2.1.0). opts may be NULL. Returns NULL with err set for an unknown format.
 * The sink does not close `out`. */
fa_sink *fa_sink_new(const char *format, FILE *out, const fa_sink_opts *opts, fa_err *err);
/* The format names, comma-separated, for messages. */
const char *fa_sink_formats(void);
void     fa_sink_free(fa_sink *s);
int      fa_sink_format_known(const char *format);

/* A sink that keeps everything in memory (tests, `rules test`). Arrays are owned by it. */
typedef struct fa_collected {
    fa_finding    *findings; size_t nfindings, afindings;
    fa_scan_error *errors;   size_t nerrors, aerrors;
    fa_limit_hit  *limits;   size_t nlimits, alimits;
    fa_object_rec *objects;  size_t nobjects, aobjects;
} fa_collected;
fa_sink            *fa_sink_collect_new(void);
const fa_collected *fa_sink_collected(const fa_sink *s);

/* JSON helpers shared by sinks and compliance commands (new references). */
json_t *fa_location_to_json(const fa_location *l);
json_t *fa_finding_to_json(const fa_finding *f);
json_t *fa_object_rec_to_json(const fa_object_rec *o);
/* The inverses, for results carried over from a state file: fill *out (owned by the caller,
 * cleared with fa_location_free / fa_finding_clear / fa_object_rec_clear); 0 or -1. */
int fa_location_from_json(json_t *j, fa_location *out);
int fa_finding_from_json(json_t *j, fa_finding *out);
int fa_object_rec_from_json(json_t *j, fa_object_rec *out);
/* The sniffer's static type string equal to t (FA_TYPE_BINARY if none). */
const char *fa_type_intern(const char *t);
#endif
