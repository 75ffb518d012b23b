/* Private to src/scan and src/source: the scanner's state, jobs and the object pipeline.
 *
 * Threads: the source walker runs on the calling thread and submits one job per top-level
 * object; with -j N > 1, N workers run the pipeline on jobs; each job's results go into its
 * own collector; the calling thread emits finished jobs to the sink strictly in submission
 * order, so the output is the same whatever N is. At most max_inflight jobs exist at once,
 * which bounds open files and buffered results. */
#ifndef FACEAUDIT_SCAN_INTERNAL_H
#define FACEAUDIT_SCAN_INTERNAL_H
#include <pthread.h>
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

/* Per thread: detectors report into ctx->sink (the current job's collector). */
struct fa_ctx {
    struct fa_scanner *scanner;
    fa_sink           *sink;
    unsigned char     *chunk;     /* text streaming buffer */
    size_t             chunk_cap;
    int64_t            read_bytes;/* bytes read from top-level objects by this thread */
};

struct fa_scanner {
    fa_ruleset   *rs;
    fa_scan_opts  opts;
    fa_kind_run  *kinds;      /* one per registered kind */
    size_t        nkinds;
    fa_ctx        main_ctx;   /* the calling thread's */
    fa_sink      *out;        /* the run's sink */
    fa_stats      stats;
    fa_severity   max_severity;
    int           complete;
    volatile sig_atomic_t cancelled;
    int           time_limit_recorded;
    double        started;    /* monotonic seconds */

    int           nthreads;
    pthread_t    *threads;
    fa_ctx       *worker_ctx;
    pthread_mutex_t mu;       /* guards the queues below and lazy kind preparation */
    pthread_cond_t  work_cv, done_cv;
    struct fa_job *pending_head, *pending_tail;
    struct fa_job *inflight_head, *inflight_tail;
    size_t        ninflight, max_inflight;
    uint64_t      next_seq;
    int           stopping;
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
 * then records its object. Returns FA_FATAL only when the scan was cancelled. */
fa_status fa_scan_input(fa_ctx *ctx, const fa_input *in);

/* A top-level object whose bytes come from a reader the source opens on a worker thread
 * (an S3 GET), with the facts the object record carries. */
typedef struct fa_source_object {
    fa_location loc;            /* moved into the scanner by fa_scanner_submit_object */
    const char *name;           /* copied */
    int64_t     size, mtime;
    const char *etag, *encryption, *storage_class;   /* copied; may be NULL */
    const char *skipped;        /* copied; set = record the object without reading it */
    /* Called on a worker thread: returns a reader valid until release(), or NULL with err
     * set (err->code becomes the error entry's code, e.g. "vanished"). */
    fa_reader *(*open)(void *arg, fa_err *err);
    /* Always called once, when the scanner is done with the object (frees arg). */
    void       (*release)(void *arg);
    /* Optional, on the worker after open() succeeded: the server-side encryption the GET
     * answered, or NULL. Borrowed until release(). */
    const char *(*encryption_of)(void *arg);
    void       *arg;
} fa_source_object;

/* One top-level object (or a walker error) on its way to the sink. */
typedef struct fa_job {
    uint64_t       seq;
    fa_location    loc;          /* owned */
    char          *name;         /* owned */
    int            fd;           /* owned unless keep_fd; -1 for error-only jobs */
    int            keep_fd;      /* stdin */
    int64_t        size, mtime;
    fa_source_object src;        /* open/release/facts for non-fd sources (S3) */
    int            has_src;
    fa_sink       *events;       /* collector of this job's results */
    int            done;
    int            carried;      /* results came from the state file */
    int64_t        read_bytes;
    struct fa_job *next_pending; /* work queue */
    struct fa_job *next_inflight;/* submission order */
} fa_job;

fa_status fa_scanner_submit_object(struct fa_scanner *s, fa_source_object *o);
/* Adds a record to a top-level array of the document (e.g. "buckets"); calling thread only. */
void fa_scanner_record(struct fa_scanner *s, const char *array, json_t *value);

/* Sources hand top-level objects to the scanner. fa_scanner_submit takes ownership of
 * *loc's strings (the struct is reset) and of fd. Returns FA_FATAL once cancelled. */
fa_status fa_scanner_submit(struct fa_scanner *s, fa_location *loc, const char *name, int fd,
                            int keep_fd, int64_t size, int64_t mtime);
/* With a state file: if the object is unchanged since it was last scanned, emits its stored
 * results, takes *loc and returns 1 (the source need not open it); else returns 0. */
int fa_scanner_submit_if_unchanged(struct fa_scanner *s, fa_location *loc, const char *name,
                                   int64_t size, int64_t mtime);
/* Records a limit hit found by a source (e.g. --max-object-size), in order with the objects. */
void fa_scan_limit_at(struct fa_scanner *s, const fa_location *loc, fa_limit_id id, int64_t observed);
/* 1 when --max-scan-time is set and has run out at `now` (fa_scan_now()); records nothing. */
int fa_scan_time_over(const struct fa_scanner *s, double now);
/* --max-scan-time ran out in a source (e.g. during a bucket listing): records the limit at
 * loc unless a worker already did, and cancels the scan. Source thread only. */
void fa_scan_time_up(struct fa_scanner *s, const fa_location *loc);
/* Records a scan error found by a source, in order with the objects. */
void fa_scan_error_at(struct fa_scanner *s, const fa_location *loc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 1 if this object belongs to another shard (--shard K/N). */
int fa_scanner_other_shard(const struct fa_scanner *s, const char *path);

/* Sources (src/source/). Each walks one target and submits its objects. FA_FATAL with err
 * set when the target itself cannot be scanned (missing, unreadable). */
fa_status fa_source_fs(struct fa_scanner *s, const char *target, fa_err *err);
fa_status fa_source_stdin(struct fa_scanner *s, fa_err *err);
/* s3://bucket[/prefix] (src/source/s3.c; options in include/faceaudit/s3.h). */
fa_status fa_source_s3(struct fa_scanner *s, const char *target, fa_err *err);
#endif
