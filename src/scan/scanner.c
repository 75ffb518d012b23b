/* The pipeline: sniff -> path rules -> archive expansion | buffer and text detectors -> sink,
 * with workers for -j N and in-order emission (see internal.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "faceaudit/buf.h"
#include "faceaudit/sha256.h"
#include "faceaudit/sniff.h"
#include "faceaudit/state.h"
#include "faceaudit/suppress.h"
#include "faceaudit/uuid.h"
#include "internal.h"

#define CHUNK_MIN (1u << 20)   /* text is fed to detectors in chunks of whole lines */

double fa_scan_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fa_scan_opts_init(fa_scan_opts *o)
{
    memset(o, 0, sizeof *o);
    fa_limits_defaults(&o->limits);
    o->since = INT64_MIN;
}

/* ---------------------------------------------------------------- setup */

static fa_status prepare_kind(fa_kind_run *kr, fa_err *err)
{
    kr->prepared = 1;
    if (!kr->kind->prepare)
        return FA_OK;
    fa_err_clear(err);
    kr->prep = kr->kind->prepare(kr->rules, kr->nrules, err);
    if (!kr->prep && err->status < 0)
        return FA_FATAL;
    return FA_OK;
}

fa_scanner *fa_scanner_new(fa_ruleset *rs, const fa_scan_opts *opts, fa_err *err)
{
    fa_scanner *s = fa_xcalloc(1, sizeof *s);
    s->rs = rs;
    if (opts)
        s->opts = *opts;
    else
        fa_scan_opts_init(&s->opts);
    s->complete = 1;
    s->max_severity = FA_SEV_NONE;
    s->main_ctx.scanner = s;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work_cv, NULL);
    pthread_cond_init(&s->done_cv, NULL);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s->nthreads = s->opts.threads > 0 ? s->opts.threads : ncpu > 0 ? (int)ncpu : 1;
    if (s->nthreads > 256)
        s->nthreads = 256;
    s->max_inflight = (size_t)s->nthreads * 4;
    s->nkinds = fa_kind_count();
    s->kinds = fa_xcalloc(s->nkinds ? s->nkinds : 1, sizeof *s->kinds);
    size_t nr = rs ? fa_ruleset_nrules(rs) : 0;
    for (size_t k = 0; k < s->nkinds; k++) {
        fa_kind_run *kr = &s->kinds[k];
        kr->kind = fa_kind_at(k);
        kr->rules = fa_xcalloc(nr ? nr : 1, sizeof(fa_rule *));
        for (size_t i = 0; i < nr; i++) {
            fa_rule *r = fa_ruleset_rule(rs, i);
            if (r->enabled && r->kind == kr->kind)
                kr->rules[kr->nrules++] = r;
        }
        /* Kinds without rules are prepared lazily, when a then: chain needs them. */
        if (kr->nrules && prepare_kind(kr, err) < 0) {
            fa_scanner_free(s);
            return NULL;
        }
    }
    return s;
}

static void ctx_init(fa_ctx *c, fa_scanner *s)
{
    c->scanner = s;
    c->sink = NULL;
    c->chunk_cap = CHUNK_MIN;
    c->chunk = fa_xmalloc(c->chunk_cap + 1);
}

void fa_scanner_free(fa_scanner *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < s->nkinds; k++) {
        fa_kind_run *kr = &s->kinds[k];
        if (kr->prep && kr->kind->release)
            kr->kind->release(kr->prep);
        free(kr->rules);
    }
    free(s->kinds);
    free(s->main_ctx.chunk);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->work_cv);
    pthread_cond_destroy(&s->done_cv);
    free(s);
}

const fa_stats *fa_scanner_stats(const fa_scanner *s) { return &s->stats; }
fa_severity fa_scanner_max_severity(const fa_scanner *s) { return s->max_severity; }
int fa_scanner_complete(const fa_scanner *s) { return s->complete; }
void fa_scanner_cancel(fa_scanner *s) { s->cancelled = 1; }

/* ---------------------------------------------------------------- ctx API for detectors */

void fa_ctx_report(fa_ctx *ctx, const fa_rule *rule, const fa_location *loc, double confidence,
                   const void *matched, size_t len, json_t *evidence, const char *fmt, ...)
{
    fa_scanner *s = ctx->scanner;
    fa_finding f;
    memset(&f, 0, sizeof f);
    f.rule_id = fa_xstrdup(rule->id);
    f.category = fa_xstrdup(rule->category);
    f.severity = rule->severity;
    f.confidence = confidence < 0 ? 0 : confidence > 1 ? 1 : confidence;
    fa_buf msg = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    f.message = fa_buf_detach(&msg, NULL);
    fa_location_copy(&f.loc, loc);
    f.evidence = evidence && json_is_object(evidence) ? evidence : json_object();
    if (evidence && !json_is_object(evidence))
        json_decref(evidence);
    char hex[65];
    fa_sha256_hex(matched ? matched : "", matched ? len : 0, hex);
    json_object_set_new(f.evidence, "sha256", json_string(hex));
    fa_finding_fingerprint(&f);
    if (fa_suppress_finding(s->opts.suppress, &f)) {
        __atomic_fetch_add(&s->stats.suppressed, 1, __ATOMIC_RELAXED);
        fa_finding_clear(&f);
        return;
    }
    if (ctx->sink && ctx->sink->ops->finding)
        ctx->sink->ops->finding(ctx->sink, &f);
    fa_finding_clear(&f);
}

static void emit_error(fa_ctx *ctx, const fa_location *loc, const char *code, const char *msg)
{
    fa_scan_error e;
    memset(&e, 0, sizeof e);
    fa_location_copy(&e.loc, loc);
    e.code = (char *)code;
    e.message = (char *)msg;
    if (ctx->sink && ctx->sink->ops->error)
        ctx->sink->ops->error(ctx->sink, &e);
    fa_location_free(&e.loc);
}

void fa_ctx_error(fa_ctx *ctx, const fa_location *loc, const char *code, const char *fmt, ...)
{
    fa_buf msg = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    emit_error(ctx, loc, code, msg.buf);
    fa_buf_release(&msg);
}

int fa_ctx_limit(fa_ctx *ctx, fa_limit_id id, int64_t observed, const fa_location *loc)
{
    fa_scanner *s = ctx->scanner;
    if (!fa_limit_exceeded(&s->opts.limits, id, observed))
        return 0;
    fa_limit_hit h;
    memset(&h, 0, sizeof h);
    fa_location_copy(&h.loc, loc);
    h.limit = (char *)fa_limit_name(id);
    h.value = s->opts.limits.value[id];
    if (ctx->sink && ctx->sink->ops->limit)
        ctx->sink->ops->limit(ctx->sink, &h);
    fa_location_free(&h.loc);
    return 1;
}

const fa_limits *fa_ctx_limits(const fa_ctx *ctx) { return &ctx->scanner->opts.limits; }

void *fa_ctx_kind_prep(fa_ctx *ctx, const fa_kind *kind)
{
    fa_scanner *s = ctx->scanner;
    for (size_t k = 0; k < s->nkinds; k++) {
        fa_kind_run *kr = &s->kinds[k];
        if (kr->kind != kind)
            continue;
        pthread_mutex_lock(&s->mu);
        if (!kr->prepared) {
            fa_err err;
            prepare_kind(kr, &err);
        }
        pthread_mutex_unlock(&s->mu);
        return kr->prep;
    }
    return NULL;
}

int fa_scan_time_over(const fa_scanner *s, double now)
{
    int64_t lim = s->opts.limits.value[FA_LIM_MAX_SCAN_TIME];
    return lim > 0 && now - s->started > (double)lim;
}

static int check_time(fa_ctx *ctx, const fa_location *loc)
{
    fa_scanner *s = ctx->scanner;
    if (s->cancelled)
        return 1;
    if (fa_scan_time_over(s, fa_scan_now())) {
        int64_t lim = s->opts.limits.value[FA_LIM_MAX_SCAN_TIME];
        if (!__atomic_exchange_n(&s->time_limit_recorded, 1, __ATOMIC_ACQ_REL))
            fa_ctx_limit(ctx, FA_LIM_MAX_SCAN_TIME, lim + 1, loc);
        s->cancelled = 1;
        return 1;
    }
    return 0;
}

int fa_ctx_cancelled(fa_ctx *ctx)
{
    return ctx->scanner->cancelled;
}

const char *fa_ctx_option(const fa_ctx *ctx, const char *name)
{
    const char **o = ctx->scanner->opts.options;
    size_t n = strlen(name);
    for (; o && *o; o++)
        if (!strncmp(*o, name, n) && (*o)[n] == '=')
            return *o + n + 1;
    return NULL;
}

/* ---------------------------------------------------------------- the object pipeline */

/* Counts bytes pulled through it, so objects of unknown size get their real size. */
typedef struct counting_reader {
    fa_reader  r;
    fa_reader *inner;
    int64_t    count;
} counting_reader;

static long long counting_read(fa_reader *r, void *buf, size_t n)
{
    counting_reader *c = (counting_reader *)r;
    long long k = c->inner->read(c->inner, buf, n);
    if (k > 0)
        c->count += k;
    else if (k < 0)
        r->err = c->inner->err;
    return k;
}

static size_t count_newlines(const char *p, size_t n)
{
    size_t c = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

/* A reader below an archive records its own failures (limits, corrupt data, encryption; see
 * archive.h); only other read failures are recorded here, so nothing is reported twice. */
static void read_failed(fa_ctx *ctx, const fa_location *loc, const fa_err *e)
{
    static const char *const recorded[] = { "limit", "corrupt_archive", "encrypted", "input", "cancelled" };
    for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++)
        if (!strcmp(e->code, recorded[i]))
            return;
    fa_ctx_error(ctx, loc, e->code[0] ? e->code : "read_error", "%s", e->msg[0] ? e->msg : "read failed");
}

typedef struct text_run {
    const fa_kind *kind;
    void          *state;
} text_run;

static void feed_text(text_run *tr, size_t ntr, const char *p, size_t n, long line)
{
    for (size_t i = 0; i < ntr; i++)
        if (tr[i].state)
            tr[i].kind->text_chunk(tr[i].state, p, n, line);
}

/* Feeds whole lines [base, base + n) but those longer than a --max-line below the chunk
 * size (each a limit hit, skipped); returns the line number after them. A longer max_line
 * needs no check here: such a line cannot fit in a chunk. */
static long feed_lines_limited(fa_ctx *ctx, const fa_object *obj, text_run *tr, size_t ntr,
                               const char *base, size_t n, long line, int64_t max_line)
{
    const char *run = base, *p = base, *end = base + n;
    long run_line = line;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if ((int64_t)(eol - p) > max_line) {
            if (p > run)
                feed_text(tr, ntr, run, (size_t)(p - run), run_line);
            fa_location l = *obj->loc;
            l.line = line;
            fa_ctx_limit(ctx, FA_LIM_MAX_LINE, (int64_t)(eol - p), &l);
            run = nl ? nl + 1 : end;
            run_line = line + 1;
        }
        line++;
        p = nl ? nl + 1 : end;
    }
    if (end > run)
        feed_text(tr, ntr, run, (size_t)(end - run), run_line);
    return line;
}

/* Streams the object as text: whole lines to every text detector, at most max_line bytes
 * per line (a longer line is a limit hit and is skipped, never buffered whole). */
static void stream_text(fa_ctx *ctx, const fa_object *obj, fa_reader *rd, unsigned *masks)
{
    fa_scanner *s = ctx->scanner;
    text_run tr[16];
    size_t ntr = 0;
    for (size_t k = 0; k < s->nkinds && ntr < 16; k++)
        if ((masks[k] & FA_IN_TEXT) && s->kinds[k].kind->text_begin) {
            tr[ntr].kind = s->kinds[k].kind;
            tr[ntr].state = s->kinds[k].kind->text_begin(s->kinds[k].prep, ctx, obj);
            ntr++;
        }
    if (!ntr)
        return;
    const int64_t max_line = s->opts.limits.value[FA_LIM_MAX_LINE];
    size_t len = 0;
    long line = 1;
    int skipping = 0;   /* inside an over-long line: drop bytes up to its newline */
    for (;;) {
        if (len == ctx->chunk_cap) {
            /* No newline in a full buffer: grow up to max_line, then give up on this line. */
            if ((int64_t)ctx->chunk_cap <= max_line) {
                size_t ncap = ctx->chunk_cap * 2;
                if ((int64_t)ncap > max_line + 1)
                    ncap = (size_t)max_line + 1;
                if (ncap > ctx->chunk_cap) {
                    ctx->chunk = fa_xrealloc(ctx->chunk, ncap + 1);
                    ctx->chunk_cap = ncap;
                    continue;
                }
            }
            fa_location l = *obj->loc;
            l.line = line;
            fa_ctx_limit(ctx, FA_LIM_MAX_LINE, (int64_t)len, &l);
            skipping = 1;
            len = 0;
        }
        long long k = rd->read(rd, ctx->chunk + len, ctx->chunk_cap - len);
        if (k < 0) {
            read_failed(ctx, obj->loc, &rd->err);
            break;
        }
        if (k == 0) {
            if (len && !skipping)
                feed_lines_limited(ctx, obj, tr, ntr, (const char *)ctx->chunk, len, line, max_line);
            break;
        }
        size_t start = len;
        len += (size_t)k;
        char *base = (char *)ctx->chunk;
        if (skipping) {
            char *nl = memchr(base + start, '\n', len - start);
            if (!nl) {
                len = 0;
                continue;
            }
            size_t rest = len - (size_t)(nl + 1 - base);
            memmove(base, nl + 1, rest);
            len = rest;
            line++;
            skipping = 0;
            start = 0;
        }
        /* Feed everything up to the last newline; keep the partial line. */
        char *last = memrchr(base + start, '\n', len - start);
        if (!last)
            continue;
        size_t n = (size_t)(last + 1 - base);
        if (max_line < (int64_t)CHUNK_MIN) {
            line = feed_lines_limited(ctx, obj, tr, ntr, base, n, line, max_line);
        } else {
            feed_text(tr, ntr, base, n, line);
            line += (long)count_newlines(base, n);
        }
        memmove(base, base + n, len - n);
        len -= n;
        if (ctx->chunk_cap > CHUNK_MIN && len < CHUNK_MIN) {
            /* Shrink back after a long line so one odd file does not pin memory. */
            ctx->chunk = fa_xrealloc(ctx->chunk, CHUNK_MIN + 1);
            ctx->chunk_cap = CHUNK_MIN;
        }
        if (fa_ctx_cancelled(ctx))
            break;
    }
    for (size_t i = 0; i < ntr; i++)
        if (tr[i].state)
            tr[i].kind->text_end(tr[i].state);
}

/* Reads the whole object (bounded by max_member_size) into memory. */
static unsigned char *read_all(fa_ctx *ctx, const fa_input *in, fa_reader *rd,
                               const unsigned char *head, size_t hn, size_t *out_len, int *hit_limit)
{
    const int64_t lim = ctx->scanner->opts.limits.value[FA_LIM_MAX_MEMBER_SIZE];
    *hit_limit = 0;
    if (in->size >= 0 && fa_ctx_limit(ctx, FA_LIM_MAX_MEMBER_SIZE, in->size, in->loc)) {
        *hit_limit = 1;
        return NULL;
    }
    size_t cap = in->size >= 0 ? (size_t)in->size + 1 : hn + 65536;
    if (cap < hn + 1)
        cap = hn + 1;
    unsigned char *data = fa_xmalloc(cap);
    memcpy(data, head, hn);
    size_t len = hn;
    for (;;) {
        if (len == cap) {
            if ((int64_t)cap > lim) {
                fa_ctx_limit(ctx, FA_LIM_MAX_MEMBER_SIZE, (int64_t)cap, in->loc);
                *hit_limit = 1;
                free(data);
                return NULL;
            }
            cap *= 2;
            if ((int64_t)cap > lim + 1)
                cap = (size_t)lim + 1;
            data = fa_xrealloc(data, cap);
        }
        long long k = rd->read(rd, data + len, cap - len);
        if (k < 0) {
            read_failed(ctx, in->loc, &rd->err);
            free(data);
            return NULL;
        }
        if (k == 0)
            break;
        len += (size_t)k;
    }
    *out_len = len;
    return data;
}

typedef struct member_ctx {
    fa_ctx         *ctx;
    const fa_input *parent;
    fa_status       st;
} member_ctx;

static fa_status on_member(void *udata, const fa_archive_member *m)
{
    member_ctx *mc = udata;
    fa_location child;
    fa_location_copy(&child, mc->parent->loc);
    fa_location_push_member(&child, m->name);
    fa_input in = *mc->parent;
    in.loc = &child;
    const char *slash = strrchr(m->name, '/');
    in.name = slash ? slash + 1 : m->name;
    in.rd = m->content;
    in.size = m->size;
    in.mtime = m->mtime;
    in.depth = mc->parent->depth + 1;
    in.etag = in.encryption = in.storage_class = NULL;
    fa_status st = fa_scan_input(mc->ctx, &in);
    fa_location_free(&child);
    return st == FA_FATAL ? FA_FATAL : FA_OK;
}

static void record_object(fa_ctx *ctx, const fa_input *in, const char *type, int64_t size)
{
    fa_object_rec o;
    memset(&o, 0, sizeof o);
    o.loc = *in->loc;          /* borrowed for the call */
    o.size = size;
    o.mtime = in->mtime;
    o.type = type;
    o.etag = (char *)in->etag;
    o.encryption = (char *)in->encryption;
    o.storage_class = (char *)in->storage_class;
    if (ctx->sink && ctx->sink->ops->object)
        ctx->sink->ops->object(ctx->sink, &o);
}

fa_status fa_scan_input(fa_ctx *ctx, const fa_input *in)
{
    fa_scanner *s = ctx->scanner;
    if (check_time(ctx, in->loc))
        return FA_FATAL;
    counting_reader cr = { .r = { .read = counting_read }, .inner = in->rd };
    unsigned char *head = fa_xmalloc(FA_SNIFF_HEAD);
    long long hn = fa_reader_fill(&cr.r, head, FA_SNIFF_HEAD);
    if (hn < 0) {
        read_failed(ctx, in->loc, &cr.r.err);
        free(head);
        return FA_OK;
    }
    const char *type = fa_sniff(head, (size_t)hn, in->size);
    fa_object obj = { .loc = in->loc, .name = in->name, .type = type, .size = in->size, .depth = in->depth };

    unsigned masks[64] = { 0 }, all = 0;
    for (size_t k = 0; k < s->nkinds && k < 64; k++) {
        fa_kind_run *kr = &s->kinds[k];
        if (!kr->nrules || !kr->kind->wants)
            continue;
        masks[k] = kr->kind->wants(kr->prep, &obj);
        all |= masks[k];
    }
    for (size_t k = 0; k < s->nkinds && k < 64; k++)
        if ((masks[k] & FA_IN_PATH) && s->kinds[k].kind->scan_path)
            s->kinds[k].kind->scan_path(s->kinds[k].prep, ctx, &obj);

    fa_replay rp;
    fa_replay_init(&rp, head, (size_t)hn, &cr.r);
    fa_status st = FA_OK;
    if (fa_type_is_archive(type)) {
        if (!fa_ctx_limit(ctx, FA_LIM_MAX_DEPTH, in->depth + 1, in->loc)) {
            fa_archive_budget local = { 0, 0, 0 };
            fa_input self = *in;
            if (!self.budget)
                self.budget = &local;
            member_ctx mc = { ctx, &self, FA_OK };
            if (!self.budget->exhausted &&
                fa_archive_walk(ctx, &rp.r, type, in->loc, self.budget, on_member, &mc) == FA_FATAL)
                st = FA_FATAL;
        }
    } else if (all & FA_IN_BUFFER) {
        size_t len = 0;
        int hit = 0;
        unsigned char *data = read_all(ctx, in, &cr.r, head, (size_t)hn, &len, &hit);
        if (data) {
            obj.data = data;
            obj.len = len;
            if (obj.size < 0)
                obj.size = (long long)len;
            for (size_t k = 0; k < s->nkinds && k < 64; k++)
                if ((masks[k] & FA_IN_BUFFER) && s->kinds[k].kind->scan_buffer)
                    s->kinds[k].kind->scan_buffer(s->kinds[k].prep, ctx, &obj);
            if (all & FA_IN_TEXT) {
                fa_mem_reader mr;
                fa_mem_reader_init(&mr, data, len);
                obj.data = NULL;
                obj.len = 0;
                stream_text(ctx, &obj, &mr.r, masks);
            }
            free(data);
        } else if (hit && (all & FA_IN_TEXT)) {
            /* Too big to hold, but text can still be streamed. Replay what was consumed? The
             * reader is past the head only when size was unknown; restart is not possible for
             * streams, so text detection covers what remains only if nothing was read. */
            if (in->size >= 0)
                stream_text(ctx, &obj, &rp.r, masks);
        }
    } else if (all & FA_IN_TEXT) {
        stream_text(ctx, &obj, &rp.r, masks);
    }
    free(head);
    if (in->depth == 0)
        ctx->read_bytes += cr.count;
    int64_t size = in->size >= 0 ? in->size : cr.count;
    record_object(ctx, in, type, size);
    if (s->cancelled)
        st = FA_FATAL;
    return st;
}

/* ---------------------------------------------------------------- jobs and threads */

static fa_job *job_new(fa_scanner *s, fa_location *loc, const char *name, int fd, int keep_fd,
                       int64_t size, int64_t mtime)
{
    fa_job *j = fa_xcalloc(1, sizeof *j);
    j->seq = s->next_seq++;
    j->loc = *loc;
    fa_location_init(loc);          /* ownership moved into the job */
    j->name = fa_xstrdup(name ? name : "");
    j->fd = fd;
    j->keep_fd = keep_fd;
    j->size = size;
    j->mtime = mtime;
    j->events = fa_sink_collect_new();
    return j;
}

static void job_free(fa_job *j)
{
    if (j->fd >= 0 && !j->keep_fd)
        close(j->fd);
    if (j->has_src) {
        if (j->src.release)
            j->src.release(j->src.arg);
        free((char *)j->src.etag);
        free((char *)j->src.encryption);
        free((char *)j->src.storage_class);
        free((char *)j->src.skipped);
    }
    fa_location_free(&j->loc);
    free(j->name);
    fa_sink_free(j->events);
    free(j);
}

static void run_job_content(fa_ctx *ctx, fa_job *j);
static void run_source_job(fa_ctx *ctx, fa_job *j)
{
    fa_source_object *o = &j->src;
    if (o->skipped) {
        fa_object_rec rec;
        memset(&rec, 0, sizeof rec);
        rec.loc = j->loc;
        rec.size = j->size;
        rec.mtime = j->mtime;
        rec.type = NULL;
        rec.etag = (char *)o->etag;
        rec.encryption = (char *)o->encryption;
        rec.storage_class = (char *)o->storage_class;
        rec.skipped = (char *)o->skipped;
        ctx->sink->ops->object(ctx->sink, &rec);
        return;
    }
    fa_err err;
    fa_err_clear(&err);
    fa_reader *rd = o->open ? o->open(o->arg, &err) : NULL;
    if (!rd) {
        fa_ctx_error(ctx, &j->loc, err.code[0] ? err.code : "unreadable", "%s", err.msg[0] ? err.msg : "cannot read");
        return;
    }
    const char *enc = o->encryption ? o->encryption : o->encryption_of ? o->encryption_of(o->arg) : NULL;
    fa_input in = { .loc = &j->loc, .name = j->name, .rd = rd, .size = j->size, .mtime = j->mtime,
                    .depth = 0, .etag = o->etag, .encryption = enc, .storage_class = o->storage_class };
    fa_scan_input(ctx, &in);
}

static void run_job_content(fa_ctx *ctx, fa_job *j)
{
    if (j->has_src) {
        ctx->sink = j->events;
        run_source_job(ctx, j);
        ctx->sink = NULL;
        return;
    }
    if (j->fd < 0)
        return;
    ctx->sink = j->events;
    fa_fd_reader fr;
    fa_fd_reader_init(&fr, j->fd);
    fa_input in = { .loc = &j->loc, .name = j->name, .rd = &fr.r, .size = j->size,
                    .mtime = j->mtime, .depth = 0 };
    fa_scan_input(ctx, &in);
    ctx->sink = NULL;
    if (!j->keep_fd) {
        close(j->fd);
        j->fd = -1;
    }
}

static void run_job(fa_ctx *ctx, fa_job *j)
{
    int64_t before = ctx->read_bytes;
    run_job_content(ctx, j);
    j->read_bytes = ctx->read_bytes - before;
}

/* The state file's view of a job: results of a complete scan of a real top-level object. */
static int job_storable(const fa_scanner *s, const fa_job *j)
{
    const fa_collected *c = fa_sink_collected(j->events);
    return s->opts.state && !j->carried && !s->cancelled && (j->fd >= 0 || j->has_src || j->read_bytes > 0) &&
           !j->keep_fd && !(j->has_src && j->src.skipped) && c->nobjects && !c->nerrors && !c->nlimits;
}

static void store_job(fa_scanner *s, fa_job *j)
{
    const fa_collected *c = fa_sink_collected(j->events);
    json_t *objects = json_array(), *findings = json_array();
    for (size_t i = 0; i < c->nobjects; i++)
        json_array_append_new(objects, fa_object_rec_to_json(&c->objects[i]));
    for (size_t i = 0; i < c->nfindings; i++)
        json_array_append_new(findings, fa_finding_to_json(&c->findings[i]));
    /* Most objects are one record without findings: store just its type, so carrying it over
     * costs no JSON parsing of records. */
    json_t *r;
    if (c->nobjects == 1 && !c->nfindings && !c->objects[0].loc.nmembers) {
        json_decref(objects);
        json_decref(findings);
        r = json_pack("{s:s}", "type", c->objects[0].type ? c->objects[0].type : FA_TYPE_BINARY);
    } else {
        r = json_pack("{s:o,s:o}", "objects", objects, "findings", findings);
    }
    fa_state_store(s->opts.state, j->loc.path ? j->loc.path : "", j->size, j->mtime,
                   j->has_src ? j->src.etag : NULL, r);
    json_decref(r);
}

/* Fills a job from the state file; 1 if its results were carried over. */
static int carry_over(fa_scanner *s, fa_job *j)
{
    if (!s->opts.state || j->keep_fd || (j->fd == -1 && !j->has_src) || (j->has_src && j->src.skipped) || !j->loc.path)
        return 0;
    json_t *r = fa_state_lookup(s->opts.state, j->loc.path, j->size, j->mtime, j->has_src ? j->src.etag : NULL);
    if (!r)
        return 0;
    fa_sink *ev = j->events;
    size_t i;
    json_t *v;
    if (json_is_string(json_object_get(r, "type"))) {
        fa_object_rec o;
        memset(&o, 0, sizeof o);
        o.loc = j->loc;
        o.size = j->size;
        o.mtime = j->mtime;
        o.type = fa_type_intern(json_string_value(json_object_get(r, "type")));
        if (j->has_src) {
            o.etag = (char *)j->src.etag;
            o.encryption = (char *)j->src.encryption;
            o.storage_class = (char *)j->src.storage_class;
        }
        ev->ops->object(ev, &o);
    }
    json_array_foreach(json_object_get(r, "objects"), i, v) {
        fa_object_rec o;
        if (fa_object_rec_from_json(v, &o) == 0)
            ev->ops->object(ev, &o);
        fa_object_rec_clear(&o);
    }
    json_array_foreach(json_object_get(r, "findings"), i, v) {
        fa_finding f;
        if (fa_finding_from_json(v, &f) == 0) {
            if (fa_suppress_finding(s->opts.suppress, &f))
                s->stats.suppressed++;   /* a baseline or ignore file may have changed */
            else
                ev->ops->finding(ev, &f);
        }
        fa_finding_clear(&f);
    }
    json_decref(r);
    j->carried = 1;
    return 1;
}

/* Replays a finished job into the run's sink and the scan's totals (calling thread only). */
static void emit_job(fa_scanner *s, fa_job *j)
{
    const fa_collected *c = fa_sink_collected(j->events);
    fa_sink *out = s->out;
    /* Members are recorded before their archive; findings, errors and limits come with them. */
    for (size_t i = 0; i < c->nobjects; i++) {
        s->stats.objects++;
        if (c->objects[i].size > 0)
            s->stats.bytes += (uint64_t)c->objects[i].size;
        if (out && out->ops->object)
            out->ops->object(out, &c->objects[i]);
    }
    s->stats.read_bytes += (uint64_t)j->read_bytes;
    if (j->carried)
        s->stats.carried++;
    if (job_storable(s, j))
        store_job(s, j);
    for (size_t i = 0; i < c->nfindings; i++) {
        const fa_finding *f = &c->findings[i];
        if (s->opts.state && fa_state_note_finding(s->opts.state, f->fingerprint) && s->opts.new_only) {
            s->stats.suppressed++;
            continue;
        }
        s->stats.findings++;
        if ((unsigned)f->severity < 5)
            s->stats.by_severity[f->severity]++;
        if (s->max_severity == FA_SEV_NONE || f->severity > s->max_severity)
            s->max_severity = f->severity;
        if (out && out->ops->finding)
            out->ops->finding(out, f);
    }
    for (size_t i = 0; i < c->nerrors; i++) {
        s->stats.errors++;
        s->complete = 0;
        if (out && out->ops->error)
            out->ops->error(out, &c->errors[i]);
    }
    for (size_t i = 0; i < c->nlimits; i++) {
        s->stats.limits++;
        s->complete = 0;
        if (out && out->ops->limit)
            out->ops->limit(out, &c->limits[i]);
    }
}

/* Emits every finished job at the head of the submission order. With wait_all, first
 * waits until no job is in flight. */
static void drain(fa_scanner *s, int wait_all)
{
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (wait_all && s->ninflight && !(s->inflight_head && s->inflight_head->done))
            pthread_cond_wait(&s->done_cv, &s->mu);
        fa_job *ready = NULL, **tail = &ready;
        while (s->inflight_head && s->inflight_head->done) {
            fa_job *j = s->inflight_head;
            s->inflight_head = j->next_inflight;
            if (!s->inflight_head)
                s->inflight_tail = NULL;
            s->ninflight--;
            j->next_inflight = NULL;
            *tail = j;
            tail = &j->next_inflight;
        }
        size_t left = s->ninflight;
        pthread_mutex_unlock(&s->mu);
        if (!ready && (!wait_all || !left))
            return;
        while (ready) {
            fa_job *n = ready->next_inflight;
            emit_job(s, ready);
            job_free(ready);
            ready = n;
        }
        if (!wait_all)
            return;
    }
}

static void *worker_main(void *arg)
{
    fa_ctx *ctx = arg;
    fa_scanner *s = ctx->scanner;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->pending_head && !s->stopping)
            pthread_cond_wait(&s->work_cv, &s->mu);
        fa_job *j = s->pending_head;
        if (!j) {
            pthread_mutex_unlock(&s->mu);
            return NULL;
        }
        s->pending_head = j->next_pending;
        if (!s->pending_head)
            s->pending_tail = NULL;
        pthread_mutex_unlock(&s->mu);
        if (!s->cancelled)
            run_job(ctx, j);
        pthread_mutex_lock(&s->mu);
        j->done = 1;
        pthread_cond_broadcast(&s->done_cv);
        pthread_mutex_unlock(&s->mu);
    }
}

static void enqueue(fa_scanner *s, fa_job *j, int needs_work)
{
    pthread_mutex_lock(&s->mu);
    if (s->inflight_tail)
        s->inflight_tail->next_inflight = j;
    else
        s->inflight_head = j;
    s->inflight_tail = j;
    s->ninflight++;
    if (needs_work) {
        if (s->pending_tail)
            s->pending_tail->next_pending = j;
        else
            s->pending_head = j;
        s->pending_tail = j;
        pthread_cond_signal(&s->work_cv);
    } else {
        j->done = 1;
    }
    pthread_mutex_unlock(&s->mu);
}

static fa_status submit_job(fa_scanner *s, fa_job *j)
{
    if (s->opts.since != INT64_MIN && j->mtime != INT64_MIN && j->mtime < s->opts.since &&
        (j->fd >= 0 || j->has_src)) {
        job_free(j);   /* --since: older objects are not part of this scan */
        s->next_seq--;
        return s->cancelled ? FA_FATAL : FA_OK;
    }
    if (carry_over(s, j)) {
        if (j->fd >= 0 && !j->keep_fd) {
            close(j->fd);
            j->fd = -1;
        }
        enqueue(s, j, 0);
        drain(s, 0);
        return s->cancelled ? FA_FATAL : FA_OK;
    }
    if (!s->threads) {
        run_job(&s->main_ctx, j);
        enqueue(s, j, 0);
        drain(s, 0);
        return s->cancelled ? FA_FATAL : FA_OK;
    }
    /* Bound the work in flight: wait for the oldest job before taking more. */
    pthread_mutex_lock(&s->mu);
    while (s->ninflight >= s->max_inflight && !(s->inflight_head && s->inflight_head->done))
        pthread_cond_wait(&s->done_cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    drain(s, 0);
    enqueue(s, j, 1);
    drain(s, 0);
    return s->cancelled ? FA_FATAL : FA_OK;
}

int fa_scanner_submit_if_unchanged(fa_scanner *s, fa_location *loc, const char *name, int64_t size, int64_t mtime)
{
    if (!s->opts.state)
        return 0;
    fa_job *j = job_new(s, loc, name, -1, 0, size, mtime);
    j->fd = -2;   /* "a file not opened": lets carry_over treat it as a real object */
    if (!carry_over(s, j)) {
        *loc = j->loc;          /* hand the location back untouched */
        fa_location_init(&j->loc);
        j->fd = -1;
        s->next_seq--;
        job_free(j);
        return 0;
    }
    j->fd = -1;
    enqueue(s, j, 0);
    drain(s, 0);
    return 1;
}

fa_status fa_scanner_submit(fa_scanner *s, fa_location *loc, const char *name, int fd, int keep_fd,
                            int64_t size, int64_t mtime)
{
    return submit_job(s, job_new(s, loc, name, fd, keep_fd, size, mtime));
}

static char *dup_opt(const char *s)
{
    return s ? fa_xstrdup(s) : NULL;
}

fa_status fa_scanner_submit_object(fa_scanner *s, fa_source_object *o)
{
    fa_job *j = job_new(s, &o->loc, o->name, -1, 0, o->size, o->mtime);
    j->has_src = 1;
    j->src = *o;
    j->src.name = NULL;
    j->src.etag = dup_opt(o->etag);
    j->src.encryption = dup_opt(o->encryption);
    j->src.storage_class = dup_opt(o->storage_class);
    j->src.skipped = dup_opt(o->skipped);
    return submit_job(s, j);
}

void fa_scanner_record(fa_scanner *s, const char *array, json_t *value)
{
    /* Records go straight to the sink: sources and emission both run on this thread. */
    drain(s, 0);
    if (s->out && s->out->ops->record)
        s->out->ops->record(s->out, array, value);
}

void fa_scan_limit_at(fa_scanner *s, const fa_location *loc, fa_limit_id id, int64_t observed)
{
    fa_location none;
    fa_location_init(&none);
    fa_job *j = job_new(s, &none, NULL, -1, 0, -1, INT64_MIN);
    fa_ctx c = { .scanner = s, .sink = j->events };
    fa_ctx_limit(&c, id, observed, loc);
    enqueue(s, j, 0);
    drain(s, 0);
}

void fa_scan_time_up(fa_scanner *s, const fa_location *loc)
{
    /* the same once-only flag as check_time(): one max_scan_time entry per scan */
    if (!__atomic_exchange_n(&s->time_limit_recorded, 1, __ATOMIC_ACQ_REL))
        fa_scan_limit_at(s, loc, FA_LIM_MAX_SCAN_TIME, s->opts.limits.value[FA_LIM_MAX_SCAN_TIME] + 1);
    s->cancelled = 1;
}

void fa_scan_error_at(fa_scanner *s, const fa_location *loc, const char *code, const char *fmt, ...)
{
    fa_buf msg = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    fa_location none;
    fa_location_init(&none);
    fa_job *j = job_new(s, &none, NULL, -1, 0, -1, INT64_MIN);
    fa_ctx c = { .scanner = s, .sink = j->events };
    emit_error(&c, loc, code, msg.buf);
    fa_buf_release(&msg);
    enqueue(s, j, 0);
    drain(s, 0);
}

/* FNV-1a: stable across machines and versions, which is all a shard split needs. */
int fa_scanner_other_shard(const fa_scanner *s, const char *path)
{
    if (s->opts.shard_count <= 1)
        return 0;
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (int)(h % (uint64_t)s->opts.shard_count) != s->opts.shard_index - 1;
}

static void start_workers(fa_scanner *s)
{
    if (s->nthreads <= 1)
        return;
    s->threads = fa_xcalloc((size_t)s->nthreads, sizeof(pthread_t));
    s->worker_ctx = fa_xcalloc((size_t)s->nthreads, sizeof(fa_ctx));
    s->stopping = 0;
    for (int i = 0; i < s->nthreads; i++) {
        ctx_init(&s->worker_ctx[i], s);
        if (pthread_create(&s->threads[i], NULL, worker_main, &s->worker_ctx[i]) != 0) {
            /* Fewer workers than asked still scan everything. */
            free(s->worker_ctx[i].chunk);
            if (i == 0) {
                free(s->threads);
                free(s->worker_ctx);
                s->threads = NULL;
                s->worker_ctx = NULL;
                return;
            }
            s->nthreads = i;
            break;
        }
    }
}

static void stop_workers(fa_scanner *s)
{
    if (!s->threads)
        return;
    drain(s, 1);
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->nthreads; i++) {
        pthread_join(s->threads[i], NULL);
        free(s->worker_ctx[i].chunk);
    }
    free(s->threads);
    free(s->worker_ctx);
    s->threads = NULL;
    s->worker_ctx = NULL;
}

/* ---------------------------------------------------------------- entry points */

fa_status fa_scanner_run(fa_scanner *s, const char *const *targets, size_t n, fa_sink *sink, fa_err *err)
{
    fa_scan_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.tool_version = FA_VERSION;
    meta.rules_digest = s->rs ? fa_ruleset_digest(s->rs) : "";
    fa_uuid4(meta.scan_id);
    meta.started_at = (int64_t)time(NULL);
    meta.targets = targets;
    meta.ntargets = n;
    meta.shard_index = s->opts.shard_index;
    meta.shard_count = s->opts.shard_count;
    s->started = fa_scan_now();
    s->out = sink;
    if (!s->main_ctx.chunk)
        ctx_init(&s->main_ctx, s);
    fa_err_clear(err);
    if (sink->ops->begin && sink->ops->begin(sink, &meta) < 0)
        return fa_err_set(err, FA_FATAL, "output", "%s", sink->err.msg);
    fa_status result = FA_OK;
    if (s->opts.state) {
        json_t *tj = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(tj, json_string(targets[i]));
        char *tt = json_dumps(tj, JSON_COMPACT);
        json_decref(tj);
        fa_status st = fa_state_begin_run(s->opts.state, tt ? tt : "[]", meta.rules_digest, err);
        free(tt);
        if (st < 0)
            return st;
    }
    start_workers(s);
    for (size_t i = 0; i < n && !s->cancelled; i++) {
        fa_err terr;
        fa_err_clear(&terr);
        fa_status st;
        if (!strcmp(targets[i], "-"))
            st = fa_source_stdin(s, &terr);
        else if (!strncmp(targets[i], "s3://", 5))
            st = fa_source_s3(s, targets[i], &terr);
        else
            st = fa_source_fs(s, targets[i], &terr);
        if (st == FA_FATAL && terr.msg[0]) {
            /* Remember the first fatal target problem; scan the other targets anyway. */
            if (result != FA_FATAL)
                *err = terr;
            result = FA_FATAL;
            s->complete = 0;
        }
    }
    stop_workers(s);
    drain(s, 1);
    if (s->cancelled) {
        s->complete = 0;
        if (!s->time_limit_recorded && result != FA_FATAL) {
            /* Interrupted by a signal: the results are partial, which must not pass as clean. */
            result = fa_err_set(err, FA_FATAL, "interrupted", "interrupted: the scan is incomplete");
        }
    }
    s->stats.seconds = fa_scan_now() - s->started;
    if (s->opts.state && !s->cancelled) {
        fa_err serr;
        if (fa_state_end_run(s->opts.state, &s->stats, s->complete, &serr) < 0 && result != FA_FATAL) {
            *err = serr;
            result = FA_FATAL;
        }
    }
    meta.finished_at = (int64_t)time(NULL);
    meta.complete = s->complete;
    meta.fatal = result == FA_FATAL;
    if (sink->ops->end && sink->ops->end(sink, &meta, &s->stats) < 0 && result != FA_FATAL)
        result = fa_err_set(err, FA_FATAL, "output", "%s", sink->err.msg);
    s->out = NULL;
    return result;
}

fa_status fa_scanner_scan_memory(fa_scanner *s, const char *path, const void *data, size_t len,
                                 fa_sink *sink, fa_err *err)
{
    fa_err_clear(err);
    fa_location loc;
    fa_location_init(&loc);
    loc.target = fa_xstrdup(path);
    loc.path = fa_xstrdup(path);
    loc.uri = fa_xasprintf("memory:%s", path);
    fa_mem_reader mr;
    fa_mem_reader_init(&mr, data, len);
    const char *slash = strrchr(path, '/');
    fa_input in = { .loc = &loc, .name = slash ? slash + 1 : path, .rd = &mr.r,
                    .size = (int64_t)len, .mtime = INT64_MIN, .depth = 0 };
    if (!s->main_ctx.chunk)
        ctx_init(&s->main_ctx, s);
    s->started = fa_scan_now();
    fa_location none;
    fa_location_init(&none);
    fa_job *j = job_new(s, &none, NULL, -1, 0, -1, INT64_MIN);
    s->main_ctx.sink = j->events;
    fa_status st = fa_scan_input(&s->main_ctx, &in);
    s->main_ctx.sink = NULL;
    s->out = sink;
    emit_job(s, j);
    s->out = NULL;
    job_free(j);
    fa_location_free(&loc);
    return st;
}
