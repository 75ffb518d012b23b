/* The pipeline: sniff -> path rules -> archive expansion | buffer and text detectors -> sink. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/buf.h"
#include "faceaudit/sha256.h"
#include "faceaudit/sniff.h"
#include "faceaudit/suppress.h"
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
    s->ctx.scanner = s;
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
    s->chunk_cap = CHUNK_MIN;
    s->chunk = fa_xmalloc(s->chunk_cap + 1);
    return s;
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
    free(s->chunk);
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
        s->stats.suppressed++;
        fa_finding_clear(&f);
        return;
    }
    s->stats.findings++;
    if ((unsigned)f.severity < 5)
        s->stats.by_severity[f.severity]++;
    if (s->max_severity == FA_SEV_NONE || f.severity > s->max_severity)
        s->max_severity = f.severity;
    if (ctx->sink && ctx->sink->ops->finding)
        ctx->sink->ops->finding(ctx->sink, &f);
    fa_finding_clear(&f);
}

static void emit_error(fa_scanner *s, const fa_location *loc, const char *code, const char *msg)
{
    fa_scan_error e;
    memset(&e, 0, sizeof e);
    fa_location_copy(&e.loc, loc);
    e.code = (char *)code;
    e.message = (char *)msg;
    s->stats.errors++;
    s->complete = 0;
    if (s->ctx.sink && s->ctx.sink->ops->error)
        s->ctx.sink->ops->error(s->ctx.sink, &e);
    fa_location_free(&e.loc);
}

void fa_scan_error_at(fa_scanner *s, const fa_location *loc, const char *code, const char *fmt, ...)
{
    fa_buf msg = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    emit_error(s, loc, code, msg.buf);
    fa_buf_release(&msg);
}

void fa_ctx_error(fa_ctx *ctx, const fa_location *loc, const char *code, const char *fmt, ...)
{
    fa_buf msg = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    emit_error(ctx->scanner, loc, code, msg.buf);
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
    s->stats.limits++;
    s->complete = 0;
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
        if (!kr->prepared) {
            fa_err err;
            prepare_kind(kr, &err);
        }
        return kr->prep;
    }
    return NULL;
}

static int check_time(fa_scanner *s, const fa_location *loc)
{
    if (s->cancelled)
        return 1;
    int64_t lim = s->opts.limits.value[FA_LIM_MAX_SCAN_TIME];
    if (lim > 0 && fa_scan_now() - s->started > (double)lim) {
        if (!s->time_limit_recorded) {
            s->time_limit_recorded = 1;
            fa_ctx_limit(&s->ctx, FA_LIM_MAX_SCAN_TIME, lim + 1, loc);
        }
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

/* Streams the object as text: whole lines to every text detector, at most max_line bytes
 * per line (a longer line is a limit hit and is skipped, never buffered whole). */
static void stream_text(fa_scanner *s, const fa_object *obj, fa_reader *rd, unsigned *masks)
{
    text_run tr[16];
    size_t ntr = 0;
    for (size_t k = 0; k < s->nkinds && ntr < 16; k++)
        if ((masks[k] & FA_IN_TEXT) && s->kinds[k].kind->text_begin) {
            tr[ntr].kind = s->kinds[k].kind;
            tr[ntr].state = s->kinds[k].kind->text_begin(s->kinds[k].prep, &s->ctx, obj);
            ntr++;
        }
    if (!ntr)
        return;
    const int64_t max_line = s->opts.limits.value[FA_LIM_MAX_LINE];
    size_t len = 0;
    long line = 1;
    int skipping = 0;   /* inside an over-long line: drop bytes up to its newline */
    for (;;) {
        if (len == s->chunk_cap) {
            /* No newline in a full buffer: grow up to max_line, then give up on this line. */
            if ((int64_t)s->chunk_cap <= max_line) {
                size_t ncap = s->chunk_cap * 2;
                if ((int64_t)ncap > max_line + 1)
                    ncap = (size_t)max_line + 1;
                if (ncap > s->chunk_cap) {
                    s->chunk = fa_xrealloc(s->chunk, ncap + 1);
                    s->chunk_cap = ncap;
                    continue;
                }
            }
            fa_location l = *obj->loc;
            l.line = line;
            fa_ctx_limit(&s->ctx, FA_LIM_MAX_LINE, (int64_t)len, &l);
            skipping = 1;
            len = 0;
        }
        long long k = rd->read(rd, s->chunk + len, s->chunk_cap - len);
        if (k < 0) {
            fa_ctx_error(&s->ctx, obj->loc, "read_error", "%s", rd->err.msg);
            break;
        }
        if (k == 0) {
            if (len && !skipping)
                feed_text(tr, ntr, (const char *)s->chunk, len, line);
            break;
        }
        size_t start = len;
        len += (size_t)k;
        char *base = (char *)s->chunk;
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
        feed_text(tr, ntr, base, n, line);
        line += (long)count_newlines(base, n);
        memmove(base, base + n, len - n);
        len -= n;
        if (s->chunk_cap > CHUNK_MIN && len < CHUNK_MIN) {
            /* Shrink back after a long line so one odd file does not pin memory. */
            s->chunk = fa_xrealloc(s->chunk, CHUNK_MIN + 1);
            s->chunk_cap = CHUNK_MIN;
        }
        if (fa_ctx_cancelled(&s->ctx))
            break;
    }
    for (size_t i = 0; i < ntr; i++)
        if (tr[i].state)
            tr[i].kind->text_end(tr[i].state);
}

/* Reads the whole object (bounded by max_member_size) into memory. */
static unsigned char *read_all(fa_scanner *s, const fa_input *in, fa_reader *rd,
                               const unsigned char *head, size_t hn, size_t *out_len, int *hit_limit)
{
    const int64_t lim = s->opts.limits.value[FA_LIM_MAX_MEMBER_SIZE];
    *hit_limit = 0;
    if (in->size >= 0 && fa_ctx_limit(&s->ctx, FA_LIM_MAX_MEMBER_SIZE, in->size, in->loc)) {
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
                fa_ctx_limit(&s->ctx, FA_LIM_MAX_MEMBER_SIZE, (int64_t)cap, in->loc);
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
            fa_ctx_error(&s->ctx, in->loc, "read_error", "%s", rd->err.msg);
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
    fa_scanner     *s;
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
    fa_status st = fa_scan_input(mc->s, &in);
    fa_location_free(&child);
    return st == FA_FATAL ? FA_FATAL : FA_OK;
}

static void emit_object(fa_scanner *s, const fa_input *in, const char *type, int64_t size)
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
    s->stats.objects++;
    if (size > 0)
        s->stats.bytes += (uint64_t)size;
    if (s->ctx.sink && s->ctx.sink->ops->object)
        s->ctx.sink->ops->object(s->ctx.sink, &o);
}

fa_status fa_scan_input(fa_scanner *s, const fa_input *in)
{
    if (check_time(s, in->loc))
        return FA_FATAL;
    counting_reader cr = { .r = { .read = counting_read }, .inner = in->rd };
    unsigned char *head = fa_xmalloc(FA_SNIFF_HEAD);
    long long hn = fa_reader_fill(&cr.r, head, FA_SNIFF_HEAD);
    if (hn < 0) {
        fa_ctx_error(&s->ctx, in->loc, "unreadable", "%s", cr.r.err.msg);
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
            s->kinds[k].kind->scan_path(s->kinds[k].prep, &s->ctx, &obj);

    fa_replay rp;
    fa_replay_init(&rp, head, (size_t)hn, &cr.r);
    fa_status st = FA_OK;
    if (fa_type_is_archive(type)) {
        if (!fa_ctx_limit(&s->ctx, FA_LIM_MAX_DEPTH, in->depth + 1, in->loc)) {
            fa_archive_budget local = { 0, 0, 0 };
            fa_input self = *in;
            if (!self.budget)
                self.budget = &local;
            member_ctx mc = { s, &self, FA_OK };
            if (!self.budget->exhausted &&
                fa_archive_walk(&s->ctx, &rp.r, type, in->loc, self.budget, on_member, &mc) == FA_FATAL)
                st = FA_FATAL;
        }
    } else if (all & FA_IN_BUFFER) {
        size_t len = 0;
        int hit = 0;
        unsigned char *data = read_all(s, in, &cr.r, head, (size_t)hn, &len, &hit);
        if (data) {
            obj.data = data;
            obj.len = len;
            if (obj.size < 0)
                obj.size = (long long)len;
            for (size_t k = 0; k < s->nkinds && k < 64; k++)
                if ((masks[k] & FA_IN_BUFFER) && s->kinds[k].kind->scan_buffer)
                    s->kinds[k].kind->scan_buffer(s->kinds[k].prep, &s->ctx, &obj);
            if (all & FA_IN_TEXT) {
                fa_mem_reader mr;
                fa_mem_reader_init(&mr, data, len);
                obj.data = NULL;
                obj.len = 0;
                stream_text(s, &obj, &mr.r, masks);
            }
            free(data);
        } else if (hit && (all & FA_IN_TEXT)) {
            /* Too big to hold, but text can still be streamed. Replay what was consumed? The
             * reader is past the head only when size was unknown; restart is not possible for
             * streams, so text detection covers what remains only if nothing was read. */
            if (in->size >= 0)
                stream_text(s, &obj, &rp.r, masks);
        }
    } else if (all & FA_IN_TEXT) {
        stream_text(s, &obj, &rp.r, masks);
    }
    free(head);
    int64_t size = in->size >= 0 ? in->size : cr.count;
    emit_object(s, in, type, size);
    if (s->cancelled)
        st = FA_FATAL;
    return st;
}

/* ---------------------------------------------------------------- entry points */

static void random_id(char out[40])
{
    unsigned char r[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(r, 1, sizeof r, f) != sizeof r) {
        uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
        for (int i = 0; i < 16; i++)
            r[i] = (unsigned char)(t >> (8 * (i % 8)) ^ (uint64_t)i * 0x9e);
    }
    if (f)
        fclose(f);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);   /* UUID v4 */
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

fa_status fa_scanner_run(fa_scanner *s, const char *const *targets, size_t n, fa_sink *sink, fa_err *err)
{
    fa_scan_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.tool_version = FA_VERSION;
    meta.rules_digest = s->rs ? fa_ruleset_digest(s->rs) : "";
    random_id(meta.scan_id);
    meta.started_at = (int64_t)time(NULL);
    meta.targets = targets;
    meta.ntargets = n;
    s->started = fa_scan_now();
    s->ctx.sink = sink;
    fa_err_clear(err);
    if (sink->ops->begin && sink->ops->begin(sink, &meta) < 0)
        return fa_err_set(err, FA_FATAL, "output", "%s", sink->err.msg);
    fa_status result = FA_OK;
    for (size_t i = 0; i < n && !s->cancelled; i++) {
        fa_err terr;
        fa_err_clear(&terr);
        fa_status st;
        if (!strcmp(targets[i], "-"))
            st = fa_source_stdin(s, &terr);
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
    s->stats.seconds = fa_scan_now() - s->started;
    meta.finished_at = (int64_t)time(NULL);
    meta.complete = s->complete;
    meta.fatal = result == FA_FATAL;
    if (sink->ops->end && sink->ops->end(sink, &meta, &s->stats) < 0 && result != FA_FATAL)
        result = fa_err_set(err, FA_FATAL, "output", "%s", sink->err.msg);
    s->ctx.sink = NULL;
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
    s->started = fa_scan_now();
    s->ctx.sink = sink;
    fa_status st = fa_scan_input(s, &in);
    s->ctx.sink = NULL;
    fa_location_free(&loc);
    return st;
}
