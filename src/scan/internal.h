/* Private to src/scan and src/source: the scanner's state and the object pipeline. */
#ifndef FACEAUDIT_SCAN_INTERNAL_H
#define FACEAUDIT_SCAN_INTERNAL_H
#include <signal.h>
#include "faceaudit/archive.h"
#include "faceaudit/detect.h"
#include "faceaudit/scan.h"
#include "faceaudit/stream.h"

typedef struct fa_kind_run {
    const fa_kind *kind;
    fa_rule      **rules;    /* enabled rules of this kind */
    size_t         nrules;
    void          *prep;     /* kind->prepare() result */
    int            prepared; /* prepare was attempted (lazily for then: targets) */
} fa_kind_run;

struct fa_ctx {
    struct fa_scanner *scanner;
    fa_sink           *sink;
};

struct fa_scanner {
    fa_ruleset   *rs;
    fa_scan_opts  opts;
    fa_kind_run  *kinds;      /* one per registered kind */
    size_t        nkinds;
    fa_ctx        ctx;
    fa_stats      stats;
    fa_severity   max_severity;
    int           complete;
    volatile sig_atomic_t cancelled;
    int           time_limit_recorded;
    double        started;    /* monotonic seconds */
    unsigned char *chunk;     /* text streaming buffer */
    size_t        chunk_cap;
};

/* One object entering the pipeline (a file, stdin, a member, an S3 object). */
typedef struct fa_input {
    fa_location       *loc;      /* borrowed */
    const char        *name;
    fa_reader         *rd;
    int64_t            size;     /* -1 unknown */
    int64_t            mtime;    /* INT64_MIN unknown */
    int                depth;
    fa_archive_budget *budget;
    const char        *etag, *encryption, *storage_class;  /* S3 facts, may be NULL */
} fa_input;

/* Runs the whole pipeline on one object: sniff, path rules, archive expansion or detectors,
 * then emits its object record. Returns FA_FATAL only when the scan was cancelled. */
fa_status fa_scan_input(struct fa_scanner *s, const fa_input *in);
/* Records a scan error through the sink (like fa_ctx_error). */
void fa_scan_error_at(struct fa_scanner *s, const fa_location *loc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sources (src/source/). Each walks one target and feeds fa_scan_input. FA_FATAL with err
 * set when the target itself cannot be scanned (missing, unreadable). */
fa_status fa_source_fs(struct fa_scanner *s, const char *target, fa_err *err);
fa_status fa_source_stdin(struct fa_scanner *s, fa_err *err);
#endif
