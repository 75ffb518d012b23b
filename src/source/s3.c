/* S3 source: s3://bucket[/prefix] through libcurl (SigV4 signing by CURLOPT_AWS_SIGV4) and
 * libxml2 (s3_xml.c). The calling thread lists the bucket page by page (ListObjectsV2 with
 * continuation tokens, or v1 with markers), records the bucket's posture once, and submits
 * every object to the scanner; workers open objects (fa_source_object.open).
 *
 * Concurrency and memory: a client owns at most `concurrency` curl handles, and every
 * request takes one for its duration, so parallel requests never exceed --s3-concurrency.
 * Small objects (< PREFETCH_MAX) are fetched whole, in listing order, by `concurrency`
 * prefetch threads, ahead of the workers, within a byte budget of concurrency x
 * PREFETCH_MAX; a worker whose object was not started yet fetches it itself (so workers
 * never wait on the budget). Large objects are streamed by ranged GETs: a small first
 * range (enough for the sniffer: an object no rule wants is never fetched further), then
 * CHUNK-sized ranges, each retried on its own. Memory is therefore bounded by
 * concurrency x PREFETCH_MAX + workers x CHUNK.
 *
 * Retries: connection failures, stalls, 5xx, 429, SlowDown and RequestTimeout are retried
 * with exponential backoff and full jitter, within the request's deadline.
 *
 * No request hangs. T = --s3-timeout (s3.timeout). A progress callback (run every 100 ms at
 * least: see perform()) cuts an attempt when:
 *   - no body byte arrived for T seconds (a stall; also the wait for the answer); libcurl's
 *     own low-speed limit is not used: it judges a ~6 s moving average, so a stall cost
 *     T + 6 s per attempt, and a server trickling 1 byte/s passed it forever;
 *   - the request's deadline passed (fa_s3_request_deadline): 2 T + E / 64 KiB/s after
 *     it started, where E is the bytes expected (the object or range size; 1 MiB for a
 *     listing page, 0 for a posture query). It covers every attempt and backoff, so a request costs at
 *     most that, whatever --s3-retries says: a stalled server about 2 T (two cut attempts),
 *     a trickling one 2 T + E / 64 KiB/s (cut once, not retried);
 *   - the scan's own deadline (--max-scan-time) passed or the scan was interrupted: then
 *     no request starts either. The object becomes the scan's max_scan_time limits entry
 *     (or, if it was cut mid-stream, an errors entry), never a silent drop.
 *
 * Region redirects: a bucket in another region answers its first listing with 301
 * PermanentRedirect + x-amz-bucket-region (or 400 AuthorizationHeaderMalformed naming the
 * <Region>). On AWS the source follows it once: the endpoint URL and the SigV4 scope are
 * rebuilt for that region (traced with --debug; the buckets[] record shows it). With
 * --endpoint-url only the x-amz-bucket-region header is trusted (same endpoint, re-signed);
 * otherwise the listing fails with a clear "give --region" message.
 * Secrets: the trace (s3.trace-fd) is passed through fa_s3_redact(); error messages never
 * include request headers. */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include "faceaudit/buf.h"
#include "faceaudit/s3.h"
#include "faceaudit/state.h"
#include "faceaudit/suppress.h"
#include "../scan/internal.h"

#define PREFETCH_MAX (8u << 20)     /* objects below this are fetched whole, ahead of workers */
#define FIRST_RANGE  (64u << 10)    /* first range of a large object: covers the sniffer's head */
#define CHUNK        (8u << 20)     /* later ranges of a large object */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct s3_obj s3_obj;

/* A connection slot: an easy handle and the multi handle that drives it (and keeps its
 * connection for the next request). */
typedef struct s3_conn {
    CURL  *e;
    CURLM *m;
} s3_conn;

typedef struct s3_client {
    fa_s3_config cfg;
    char        *bucket;
    char        *base;          /* URL of the bucket, no trailing slash */
    char        *sigv4;         /* "aws:amz:REGION:s3" */
    long         timeout;       /* seconds: connect timeout and stall window */
    int          retries;
    fa_scanner  *s;             /* for its deadline and cancel flag (it outlives the client) */
    int          redirected;    /* a region redirect was followed (once per scan target) */
    int          trace_fd;      /* -1 = no trace */
    const char  *secrets[3];
    pthread_mutex_t trace_mu;

    pthread_mutex_t mu;         /* guards everything below */
    pthread_cond_t  cv;
    s3_conn        *idle;       /* free connection slots */
    int             nidle, nhandles, maxhandles;
    s3_obj         *qhead, *qtail;   /* objects waiting for a prefetch thread */
    size_t          budget_used, budget_max;
    int             closed;     /* the source has returned: threads exit when idle */
    int             refs;       /* the source + every live object */
    pthread_t      *threads;
    int             nthreads;
} s3_client;

enum { OBJ_QUEUED, OBJ_FETCHING, OBJ_DONE, OBJ_DIRECT };

struct s3_obj {
    s3_client *c;
    char      *key;
    int64_t    size;
    int        small;
    int        state;
    int        queued;          /* in the prefetch queue */
    int        refs;            /* the scanner's job + a prefetch thread while fetching */
    s3_obj    *next;
    size_t     charged;         /* bytes of the budget held */
    unsigned char *data;        /* small: the whole body */
    size_t     len;
    fa_err     err;             /* small: the fetch's failure (status < 0) */
    /* the reader handed to the scanner */
    fa_reader  r;
    fa_mem_reader mr;
    int64_t    pos;             /* large: next byte to fetch */
    int        eof;
    unsigned char *chunk;       /* large: the current range */
    size_t     clen, cpos;
    char       sse[64];         /* x-amz-server-side-encryption of the GET answer */
    char       etag[160];       /* large: the first range's ETag; later ranges must match it */
};

/* ------------------------------------------------------------ HTTP */

typedef struct s3_resp {
    long    status;
    fa_buf  body;
    size_t  body_limit;
    int     overflow;
    char    sse[64], etag[160], content_range[96];
    char    region[40];         /* x-amz-bucket-region */
    char    errbuf[CURL_ERROR_SIZE];
    CURLcode cc;
    /* the progress callback's view of the attempt */
    const struct s3_client *c;
    double     deadline;        /* monotonic: the request's deadline */
    double     last_byte;       /* monotonic: the attempt's start or its last body byte */
    curl_off_t dlnow, dltotal;
    int        stop;            /* STOP_*: why the callback cut the attempt */
} s3_resp;

/* Why a request was cut short (s3_resp.stop). */
enum { STOP_NONE, STOP_STALL, STOP_SLOW, STOP_SCAN_TIME, STOP_CANCELLED };

#define LIST_EXPECT (1 << 20)       /* bytes expected of a listing page, for its deadline */

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    s3_resp *r = ud;
    size_t k = sz * n;
    if (r->body.len + k > r->body_limit) {
        r->overflow = 1;
        return 0;   /* aborts: the server sent more than asked */
    }
    fa_buf_add(&r->body, p, k);
    return k;
}

static void header_value(const char *p, size_t n, const char *name, char *out, size_t outsz)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(p, name, nl) || p[nl] != ':')
        return;
    p += nl + 1;
    n -= nl + 1;
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, p, n);
    out[n] = 0;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    s3_resp *r = ud;
    size_t k = sz * n;
    if (k > 5 && !strncmp(p, "HTTP/", 5)) {
        /* A new response (after a 100 Continue or a retry): forget the previous one. */
        r->sse[0] = r->etag[0] = r->content_range[0] = r->region[0] = 0;
    }
    header_value(p, k, "x-amz-bucket-region", r->region, sizeof r->region);
    header_value(p, k, "x-amz-server-side-encryption", r->sse, sizeof r->sse);
    header_value(p, k, "etag", r->etag, sizeof r->etag);
    header_value(p, k, "content-range", r->content_range, sizeof r->content_range);
    return k;
}

/* Writes a block of --debug trace lines whole (one lock: lines of parallel requests do not
 * interleave). */
static void trace_write(s3_client *c, const fa_buf *b)
{
    pthread_mutex_lock(&c->trace_mu);
    for (size_t off = 0; off < b->len;) {
        ssize_t w = write(c->trace_fd, b->buf + off, b->len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    pthread_mutex_unlock(&c->trace_mu);
}

static int on_trace(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    (void)h;
    s3_client *c = ud;
    const char *prefix = type == CURLINFO_TEXT ? "* " : type == CURLINFO_HEADER_IN ? "< " :
                         type == CURLINFO_HEADER_OUT ? "> " : NULL;
    if (!prefix)
        return 0;   /* bodies are never traced: they may hold biometric content */
    char *clean = fa_s3_redact(data, size, c->secrets);
    fa_buf b = FA_BUF_INIT;
    /* One prefix per line; blank lines dropped. */
    for (char *line = clean, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        size_t n = next ? (size_t)(next - line) : strlen(line);
        if (next)
            next++;
        while (n && line[n - 1] == '\r')
            n--;
        if (!n)
            continue;
        fa_buf_addf(&b, "s3: %s%.*s\n", prefix, (int)n, line);
    }
    trace_write(c, &b);
    fa_buf_release(&b);
    free(clean);
    return 0;
}

/* Takes a connection slot, waiting while all are busy. */
static s3_conn handle_get(s3_client *c)
{
    pthread_mutex_lock(&c->mu);
    while (!c->nidle && c->nhandles >= c->maxhandles)
        pthread_cond_wait(&c->cv, &c->mu);
    s3_conn k = { NULL, NULL };
    if (c->nidle)
        k = c->idle[--c->nidle];
    else
        c->nhandles++;
    pthread_mutex_unlock(&c->mu);
    if (!k.e) {
        k.e = curl_easy_init();
        k.m = curl_multi_init();
        if (!k.e || !k.m)
            abort();   /* out of memory, as fa_xmalloc */
    }
    return k;
}

static void handle_put(s3_client *c, s3_conn k)
{
    pthread_mutex_lock(&c->mu);
    c->idle[c->nidle++] = k;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* curl_easy_perform() polls once a second, so the progress callback would judge stalls and
 * deadlines a second late; this drives the transfer with a 100 ms poll instead. */
static CURLcode perform(s3_conn *k)
{
    if (curl_multi_add_handle(k->m, k->e) != CURLM_OK)
        return CURLE_FAILED_INIT;
    CURLcode cc = CURLE_OK;
    int running = 1;
    while (running) {
        if (curl_multi_perform(k->m, &running) != CURLM_OK) {
            cc = CURLE_OUT_OF_MEMORY;
            break;
        }
        if (running && curl_multi_poll(k->m, NULL, 0, 100, NULL) != CURLM_OK) {
            cc = CURLE_OUT_OF_MEMORY;
            break;
        }
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(k->m, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == k->e)
            cc = msg->data.result;
    curl_multi_remove_handle(k->m, k->e);
    return cc;
}

static int retryable_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR: case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static int retryable_status(const s3_resp *r)
{
    if (r->status >= 500 || r->status == 429)
        return r->status != 501;   /* NotImplemented is an answer, not a hiccup */
    if (r->status == 400 || r->status == 503) {
        char code[64], msg[8];
        fa_s3_parse_error(r->body.buf, r->body.len, code, sizeof code, msg, sizeof msg);
        return !strcmp(code, "SlowDown") || !strcmp(code, "RequestTimeout");
    }
    return 0;
}

/* The scan's own reasons to stop every request: --max-scan-time passed, or interrupted. */
static int scan_stop(const s3_client *c, double now)
{
    if (fa_scan_time_over(c->s, now))
        return STOP_SCAN_TIME;
    return c->s->cancelled ? STOP_CANCELLED : STOP_NONE;
}

/* CURLOPT_XFERINFOFUNCTION: called often while data flows and every 100 ms when nothing
 * does (perform()); a nonzero return aborts the attempt (CURLE_ABORTED_BY_CALLBACK). */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    s3_resp *r = ud;
    double now = fa_scan_now();
    if (dlnow != r->dlnow) {
        r->dlnow = dlnow;
        r->last_byte = now;
    }
    r->dltotal = dltotal;
    int why = scan_stop(r->c, now);
    if (!why && now - r->last_byte >= (double)r->c->timeout)
        why = STOP_STALL;
    if (!why && now >= r->deadline)
        why = STOP_SLOW;
    r->stop = why;
    return why != STOP_NONE;
}

/* Full jitter: a random wait up to min(cap, base * 2^attempt), never past the request's
 * deadline, and cut short when the scan stops. */
static void backoff(const s3_client *c, int attempt, double deadline)
{
    static __thread unsigned seed;
    if (!seed)
        seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed;
    double cap = 100e-3 * (double)(1u << (attempt < 10 ? attempt : 10));
    if (cap > 5.0)
        cap = 5.0;
    double until = fa_scan_now() + cap * ((double)rand_r(&seed) / (double)RAND_MAX);
    if (until > deadline)
        until = deadline;
    for (double now; (now = fa_scan_now()) < until && !scan_stop(c, now);) {
        double wait = until - now < 0.1 ? until - now : 0.1;   /* checks a stop as often as perform() */
        struct timespec ts = { 0, (long)(wait * 1e9) };
        nanosleep(&ts, NULL);
    }
}

/* The failure of a request the scan itself stopped (scan_stop's reasons). */
static void scan_stopped(int why, fa_err *err)
{
    if (why == STOP_SCAN_TIME)
        fa_err_set(err, FA_FAIL, "max_scan_time", "the scan's --max-scan-time deadline passed during the request");
    else
        fa_err_set(err, FA_FAIL, "cancelled", "the scan was interrupted during the request");
}

/* GET base + rel (rel starts with '/' or '?'), optionally a byte range, with retries, within
 * the deadline described at the top (expect: the bytes expected, for it). FA_OK with r filled
 * (any HTTP status) or FA_FAIL with err set (no answer; err->code "max_scan_time" or
 * "cancelled" when the scan stopped it). The caller releases r->body. */
static fa_status s3_get(s3_client *c, const char *rel, const char *range, const char *if_match, size_t body_limit,
                        size_t hint, int64_t expect, s3_resp *r, fa_err *err)
{
    char *url = fa_xasprintf("%s%s", c->base, rel);
    struct curl_slist *hdrs = curl_slist_append(NULL, "x-amz-content-sha256: " EMPTY_SHA256);
    if (if_match && *if_match) {
        char *t = fa_xasprintf("If-Match: %s", if_match);
        hdrs = curl_slist_append(hdrs, t);
        free(t);
    }
    if (c->cfg.session_token) {
        char *t = fa_xasprintf("x-amz-security-token: %s", c->cfg.session_token);
        hdrs = curl_slist_append(hdrs, t);
        free(t);
    }
    const char *ep = c->cfg.endpoint ? c->cfg.endpoint : "S3";
    double limit_s = fa_s3_request_deadline(c->timeout, expect);
    double deadline = fa_scan_now() + limit_s;
    s3_conn k = handle_get(c);
    CURL *h = k.e;
    fa_status st = FA_FAIL;
    memset(r, 0, sizeof *r);
    fa_buf_init(&r->body, hint);   /* the expected size: no regrowth while receiving */
    for (int attempt = 0;; attempt++) {
        fa_buf_reset(&r->body);
        r->status = 0;
        r->overflow = 0;
        r->errbuf[0] = 0;
        r->body_limit = body_limit;
        r->c = c;
        r->deadline = deadline;
        r->last_byte = fa_scan_now();
        r->dlnow = r->dltotal = 0;
        r->stop = scan_stop(c, r->last_byte);
        if (r->stop) {
            scan_stopped(r->stop, err);   /* no new request once the scan stops */
            break;
        }
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, r);
        if (range)
            curl_easy_setopt(h, CURLOPT_RANGE, range);
        if (c->cfg.access_key) {
            curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
            curl_easy_setopt(h, CURLOPT_USERNAME, c->cfg.access_key);
            curl_easy_setopt(h, CURLOPT_PASSWORD, c->cfg.secret_key);
        }
        if (c->trace_fd >= 0) {
            curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
            curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_trace);
            curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
        }
        r->cc = perform(&k);
        int in_time = fa_scan_now() < deadline;
        if (r->cc == CURLE_WRITE_ERROR && r->overflow) {
            fa_err_set(err, FA_FAIL, "s3_protocol", "the server sent more than %zu bytes for one request", body_limit);
            break;
        }
        if (r->cc == CURLE_OK) {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
            if (!retryable_status(r) || attempt >= c->retries || !in_time) {
                st = FA_OK;
                break;
            }
        } else if (r->cc == CURLE_ABORTED_BY_CALLBACK && r->stop != STOP_STALL) {
            if (r->stop == STOP_SLOW) {
                char total[32] = "?";
                if (r->dltotal > 0)
                    snprintf(total, sizeof total, "%lld", (long long)r->dltotal);
                fa_err_set(err, FA_FAIL, "s3_timeout",
                           "%s: timed out: the request's deadline of %.1f s (2 x --s3-timeout + %lld bytes at "
                           "64 KiB/s) passed with %lld of %s bytes received: the server trickles or stalled "
                           "(after %d attempt%s)", ep, limit_s, (long long)(expect > 0 ? expect : 0),
                           (long long)r->dlnow, total, attempt + 1, attempt ? "s" : "");
            } else {
                scan_stopped(r->stop, err);
            }
            break;
        } else if (r->cc == CURLE_ABORTED_BY_CALLBACK || r->cc == CURLE_OPERATION_TIMEDOUT) {
            /* A stall (nothing for T seconds) or a connect timeout: worth one more try if
             * the deadline leaves time for it. */
            if (attempt >= c->retries || !in_time) {
                fa_err_set(err, FA_FAIL, "s3_timeout", "%s: timed out: %s (after %d attempt%s in %.1f s)", ep,
                           r->cc == CURLE_OPERATION_TIMEDOUT ? (r->errbuf[0] ? r->errbuf : "cannot connect")
                                                             : "no data for --s3-timeout seconds: the server stalled",
                           attempt + 1, attempt ? "s" : "", limit_s - (deadline - fa_scan_now()));
                break;
            }
        } else if (!retryable_curl(r->cc) || attempt >= c->retries || !in_time) {
            fa_err_set(err, FA_FAIL, "s3_network", "%s: %s (after %d attempt%s)", ep,
                       r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->cc), attempt + 1, attempt ? "s" : "");
            break;
        }
        backoff(c, attempt, deadline);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    handle_put(c, k);
    curl_slist_free_all(hdrs);
    free(url);
    return st;
}

/* "CODE: message" of an error answer, for messages. */
static void describe(const s3_resp *r, char *out, size_t n)
{
    char code[64], msg[256];
    if (fa_s3_parse_error(r->body.buf, r->body.len, code, sizeof code, msg, sizeof msg))
        snprintf(out, n, "%s%s%s", code, msg[0] ? ": " : "", msg);
    else
        snprintf(out, n, "HTTP %ld", r->status);
}

static void error_code(const s3_resp *r, char *code, size_t n)
{
    char msg[8];
    fa_s3_parse_error(r->body.buf, r->body.len, code, n, msg, sizeof msg);
}

/* ------------------------------------------------------------ objects */

static char *object_rel(const char *key)
{
    fa_buf b = FA_BUF_INIT;
    fa_buf_addch(&b, '/');
    fa_s3_uri_encode(&b, key, 1);
    return fa_buf_detach(&b, NULL);
}

/* A failed GET of an object, as the error entry's code and message. */
static void object_failed(const s3_resp *r, fa_err *err)
{
    char why[400];
    describe(r, why, sizeof why);
    if (r->status == 404)
        fa_err_set(err, FA_FAIL, "vanished", "the object was deleted after it was listed (%s)", why);
    else if (r->status == 403)
        fa_err_set(err, FA_FAIL, "access_denied", "cannot read the object: %s", why);
    else
        fa_err_set(err, FA_FAIL, "s3_error", "cannot read the object: %s", why);
}

/* 1 if a failure is the scan's own stop (--max-scan-time, an interrupt), not the object's. */
static int scan_stop_err(const fa_err *e)
{
    return !strcmp(e->code, "max_scan_time") || !strcmp(e->code, "cancelled");
}

/* Names the object in the message of a GET that got no answer. */
static void object_err(const s3_obj *o, fa_err *err)
{
    char code[sizeof err->code], msg[sizeof err->msg];
    snprintf(code, sizeof code, "%s", err->code);
    snprintf(msg, sizeof msg, "%s", err->msg);
    fa_err_set(err, FA_FAIL, code, "cannot read s3://%s/%s: %s", o->c->bucket, o->key, msg);
}

/* Fetches a small object whole into o->data (o->err on failure). */
static void fetch_whole(s3_obj *o)
{
    char *rel = object_rel(o->key);
    s3_resp r;
    fa_err_clear(&o->err);
    size_t limit = (size_t)(o->size > 0 ? o->size : 0) + PREFETCH_MAX;
    if (s3_get(o->c, rel, NULL, NULL, limit, (size_t)(o->size > 0 ? o->size : 0) + 1, o->size, &r, &o->err) !=
        FA_OK) {
        object_err(o, &o->err);
    } else {
        if (r.status == 200) {
            snprintf(o->sse, sizeof o->sse, "%s", r.sse);
            o->data = (unsigned char *)fa_buf_detach(&r.body, &o->len);
        } else {
            object_failed(&r, &o->err);
        }
    }
    fa_buf_release(&r.body);
    free(rel);
}

static long long mem_read(fa_reader *rd, void *buf, size_t n)
{
    s3_obj *o = rd->impl;
    long long k = o->mr.r.read(&o->mr.r, buf, n);
    return k;
}

/* Next range of a large object into o->chunk; 0 ok, -1 with rd->err set. */
static int fetch_range(s3_obj *o, fa_err *err)
{
    size_t want = o->pos == 0 ? FIRST_RANGE : CHUNK;
    if (o->size >= 0 && o->pos >= o->size) {
        o->eof = 1;
        return 0;
    }
    char range[64];
    snprintf(range, sizeof range, "%lld-%lld", (long long)o->pos, (long long)o->pos + (long long)want - 1);
    char *rel = object_rel(o->key);
    s3_resp r;
    int rc = -1;
    /* A server that ignores Range answers 200 with the whole object: refuse, not hold it. */
    if (s3_get(o->c, rel, range, o->etag, want + 1, want + 1, (int64_t)want, &r, err) != FA_OK) {
        object_err(o, err);
    } else {
        if (r.status == 206 || (r.status == 200 && o->pos == 0 && r.body.len <= want)) {
            if (o->pos == 0) {
                snprintf(o->sse, sizeof o->sse, "%s", r.sse);
                snprintf(o->etag, sizeof o->etag, "%s", r.etag);
            }
            free(o->chunk);
            o->chunk = (unsigned char *)fa_buf_detach(&r.body, &o->clen);
            o->cpos = 0;
            o->pos += (int64_t)o->clen;
            if (!o->clen || r.status == 200 || o->clen < want)
                o->eof = 1;
            rc = 0;
        } else if (r.status == 412) {
            fa_err_set(err, FA_FAIL, "changed", "the object changed while it was read (ETag no longer %s)", o->etag);
        } else if (r.status == 416) {
            o->eof = 1;   /* shorter than listed: it changed; read what there was */
            o->clen = o->cpos = 0;
            rc = 0;
        } else {
            object_failed(&r, err);
        }
    }
    fa_buf_release(&r.body);
    free(rel);
    return rc;
}

/* The reader of an object the scan stopped before it was read: fa_scan_input's own deadline
 * check then records the max_scan_time limit at this object (or nothing, if interrupted). */
static long long stopped_read(fa_reader *rd, void *buf, size_t n)
{
    (void)buf;
    (void)n;
    fa_err_set(&rd->err, FA_FAIL, "cancelled", "the scan stopped before this object was read");
    return -1;
}

static long long range_read(fa_reader *rd, void *buf, size_t n)
{
    s3_obj *o = rd->impl;
    while (o->cpos == o->clen) {
        if (o->eof)
            return 0;
        fa_err_clear(&rd->err);
        if (fetch_range(o, &rd->err) < 0)
            return -1;
    }
    size_t k = o->clen - o->cpos;
    if (k > n)
        k = n;
    memcpy(buf, o->chunk + o->cpos, k);
    o->cpos += k;
    return (long long)k;
}

static void queue_remove(s3_client *c, s3_obj *o)
{
    s3_obj **pp = &c->qhead, *prev = NULL;
    while (*pp && *pp != o) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = o->next;
    if (c->qtail == o)
        c->qtail = prev;
    o->next = NULL;
    o->queued = 0;
}

/* Runs on a worker: the reader over the object's bytes. */
static fa_reader *obj_open(void *arg, fa_err *err)
{
    s3_obj *o = arg;
    s3_client *c = o->c;
    memset(&o->r, 0, sizeof o->r);
    o->r.impl = o;
    if (o->small) {
        pthread_mutex_lock(&c->mu);
        if (o->state == OBJ_QUEUED) {
            queue_remove(c, o);
            o->state = OBJ_DIRECT;   /* not started: fetch it here, outside the budget */
        }
        while (o->state == OBJ_FETCHING)
            pthread_cond_wait(&c->cv, &c->mu);
        int direct = o->state == OBJ_DIRECT;
        pthread_mutex_unlock(&c->mu);
        if (direct)
            fetch_whole(o);
        if (!o->data && scan_stop_err(&o->err)) {
            o->r.read = stopped_read;
            return &o->r;
        }
        if (!o->data) {
            *err = o->err;
            return NULL;
        }
        fa_mem_reader_init(&o->mr, o->data, o->len);
        o->r.read = mem_read;
        return &o->r;
    }
    o->r.read = range_read;
    if (fetch_range(o, err) < 0) {
        if (scan_stop_err(err)) {
            o->r.read = stopped_read;
            return &o->r;
        }
        return NULL;   /* a missing object shows at once, as "vanished" */
    }
    return &o->r;
}

static void client_release(s3_client *c);

/* Always once per submitted object, on the calling thread. */
/* The GET's x-amz-server-side-encryption, for the object record (worker thread, after open). */
static const char *obj_encryption(void *arg)
{
    const struct s3_obj *o = arg;
    return o->sse[0] ? o->sse : NULL;
}

static void obj_release(void *arg)
{
    s3_obj *o = arg;
    s3_client *c = o->c;
    pthread_mutex_lock(&c->mu);
    if (o->queued)
        queue_remove(c, o);
    while (o->state == OBJ_FETCHING)
        pthread_cond_wait(&c->cv, &c->mu);
    c->budget_used -= o->charged;
    o->charged = 0;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    free(o->data);
    free(o->chunk);
    free(o->key);
    free(o);
    client_release(c);
}

static void *prefetch_main(void *arg)
{
    s3_client *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        s3_obj *o = c->qhead;
        /* The budget: wait unless nothing is held (one object always fits). */
        if (o && c->budget_used && c->budget_used + (size_t)o->size > c->budget_max)
            o = NULL;
        if (!o) {
            if (c->closed && !c->qhead)
                break;
            pthread_cond_wait(&c->cv, &c->mu);
            continue;
        }
        queue_remove(c, o);
        o->state = OBJ_FETCHING;
        o->charged = (size_t)o->size;
        c->budget_used += o->charged;
        pthread_mutex_unlock(&c->mu);
        fetch_whole(o);
        pthread_mutex_lock(&c->mu);
        o->state = OBJ_DONE;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ------------------------------------------------------------ the client */

static void client_free(s3_client *c)
{
    pthread_mutex_lock(&c->mu);
    c->closed = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    for (int i = 0; i < c->nthreads; i++)
        pthread_join(c->threads[i], NULL);
    free(c->threads);
    for (int i = 0; i < c->nidle; i++) {
        curl_multi_cleanup(c->idle[i].m);
        curl_easy_cleanup(c->idle[i].e);
    }
    free(c->idle);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->trace_mu);
    fa_s3_config_free(&c->cfg);
    free(c->bucket);
    free(c->base);
    free(c->sigv4);
    free(c);
}

static void client_release(s3_client *c)
{
    pthread_mutex_lock(&c->mu);
    int last = --c->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        client_free(c);
}

static const char *opt(const fa_scanner *s, const char *name)
{
    size_t n = strlen(name);
    for (const char **o = s->opts.options; o && *o; o++)
        if (!strncmp(*o, name, n) && (*o)[n] == '=')
            return *o + n + 1;
    return NULL;
}

static long opt_long(const fa_scanner *s, const char *name, const char *envname, long def, long lo, long hi)
{
    const char *v = opt(s, name);
    if (!v && envname)
        v = getenv(envname);
    if (!v || !*v)
        return def;
    char *end;
    long x = strtol(v, &end, 10);
    return *end || x < lo || x > hi ? def : x;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();
}

/* The bucket URL and the SigV4 scope for a region (at start, and after a redirect). */
static void client_set_region(s3_client *c, const char *region)
{
    if (region != c->cfg.region) {
        free(c->cfg.region);
        c->cfg.region = fa_xstrdup(region);
    }
    fa_buf b = FA_BUF_INIT;
    if (c->cfg.endpoint) {
        /* Path-style addressing: works with MinIO, Ceph, GCS interoperability, s3rver. */
        fa_buf_addf(&b, "%s/", c->cfg.endpoint);
        fa_s3_uri_encode(&b, c->bucket, 0);
    } else if (!strchr(c->bucket, '.')) {
        fa_buf_addf(&b, "https://%s.s3.%s.amazonaws.com", c->bucket, c->cfg.region);
    } else {
        /* Dotted names break virtual-host TLS certificates: path-style on AWS. */
        fa_buf_addf(&b, "https://s3.%s.amazonaws.com/%s", c->cfg.region, c->bucket);
    }
    free(c->base);
    free(c->sigv4);
    c->base = fa_buf_detach(&b, NULL);
    c->sigv4 = fa_xasprintf("aws:amz:%s:s3", c->cfg.region);
}

/* A line of the --debug trace from the source itself ("s3: * ..."). */
static void trace_note(s3_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace_note(s3_client *c, const char *fmt, ...)
{
    if (c->trace_fd < 0)
        return;
    fa_buf b = FA_BUF_INIT;
    fa_buf_adds(&b, "s3: * ");
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    fa_buf_addch(&b, '\n');
    trace_write(c, &b);
    fa_buf_release(&b);
}

static s3_client *client_new(fa_scanner *s, const char *bucket, fa_err *err)
{
    fa_s3_settings set = { opt(s, "s3.profile"), opt(s, "s3.region"), opt(s, "s3.endpoint-url"), NULL };
    s3_client *c = fa_xcalloc(1, sizeof *c);
    if (fa_s3_config_resolve(&set, &c->cfg, err) < 0) {
        free(c);
        return NULL;
    }
    c->bucket = fa_xstrdup(bucket);
    c->s = s;
    client_set_region(c, c->cfg.region);
    c->timeout = opt_long(s, "s3.timeout", NULL, 30, 1, 86400);
    c->retries = (int)opt_long(s, "s3.retries", "FACEAUDIT_S3_RETRIES", 4, 0, 20);
    c->trace_fd = (int)opt_long(s, "s3.trace-fd", NULL, -1, 0, INT_MAX);
    int n = 0;
    if (c->cfg.secret_key)
        c->secrets[n++] = c->cfg.secret_key;
    if (c->cfg.session_token)
        c->secrets[n++] = c->cfg.session_token;
    c->secrets[n] = NULL;
    int conc = (int)opt_long(s, "s3.concurrency", NULL, 8, 1, 256);
    c->maxhandles = conc;
    c->idle = fa_xcalloc((size_t)conc, sizeof(s3_conn));
    c->budget_max = (size_t)conc * PREFETCH_MAX;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->trace_mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->refs = 1;
    c->threads = fa_xcalloc((size_t)conc, sizeof(pthread_t));
    for (int i = 0; i < conc; i++) {
        if (pthread_create(&c->threads[i], NULL, prefetch_main, c) != 0)
            break;   /* fewer prefetchers still work: workers fetch what is not started */
        c->nthreads++;
    }
    return c;
}

/* ------------------------------------------------------------ posture */

/* One posture field: the value, or null plus a reason in unknown{}. `missing` is the
 * error code meaning "not configured", answered with `absent`. */
static void posture_field(s3_client *c, json_t *rec, json_t *unknown, const char *what, const char *field,
                          const char *missing, json_t *absent)
{
    char *rel = fa_xasprintf("?%s=", what);
    s3_resp r;
    fa_err err;
    fa_err_clear(&err);
    json_t *v = NULL;
    char why[1100] = "";
    if (s3_get(c, rel, NULL, NULL, 4u << 20, 0, 0, &r, &err) == FA_OK) {
        char code[64];
        error_code(&r, code, sizeof code);
        if (r.status == 200) {
            const char *w = NULL;
            v = fa_s3_posture_value(what, r.body.buf, r.body.len, &w);
            if (!v)
                snprintf(why, sizeof why, "%s", w);
        } else if (missing && !strcmp(code, missing)) {
            v = json_incref(absent);
        } else {
            describe(&r, why, sizeof why);
        }
    } else {
        snprintf(why, sizeof why, "%s", err.msg);
    }
    fa_buf_release(&r.body);
    free(rel);
    if (v) {
        json_object_set_new(rec, field, v);
    } else {
        json_object_set_new(rec, field, json_null());
        json_object_set_new(unknown, field, json_string(why));
    }
    json_decref(absent);
}

static void record_posture(fa_scanner *s, s3_client *c)
{
    json_t *rec = json_object(), *unknown = json_object();
    json_object_set_new(rec, "bucket", json_string(c->bucket));
    posture_field(c, rec, unknown, "publicAccessBlock", "public_access_block",
                  "NoSuchPublicAccessBlockConfiguration", json_false());
    posture_field(c, rec, unknown, "policyStatus", "policy_public", "NoSuchBucketPolicy", json_false());
    posture_field(c, rec, unknown, "acl", "acl_public", NULL, json_null());
    posture_field(c, rec, unknown, "encryption", "encryption", "ServerSideEncryptionConfigurationNotFoundError",
                  json_false());
    posture_field(c, rec, unknown, "versioning", "versioning", NULL, json_null());
    posture_field(c, rec, unknown, "lifecycle", "lifecycle", "NoSuchLifecycleConfiguration", json_array());
    json_object_set_new(rec, "unknown", unknown);
    json_object_set_new(rec, "endpoint", json_string(c->cfg.endpoint ? c->cfg.endpoint : "aws"));
    json_object_set_new(rec, "region", json_string(c->cfg.region));
    fa_scanner_record(s, "buckets", rec);
    json_decref(rec);
}

/* ------------------------------------------------------------ listing */

/* Bounds of one listing, against a store that pages forever (a hostile or broken server):
 * a continuation token or marker seen before ends the listing (it would loop), as do
 * MAX_EMPTY_RUN truncated pages in a row without a key and more than max_pages pages
 * (s3.max-pages / FACEAUDIT_S3_MAX_PAGES). Seen tokens are kept as 64-bit hashes. */
#define MAX_EMPTY_RUN 1000
#define MAX_PAGES_DEFAULT 1000000L

typedef struct lister {
    fa_scanner *s;
    s3_client  *c;
    const char *target, *prefix;
    int         version;
    long        page_size;
    char       *token;       /* v2 continuation token / v1 marker */
    int         done;
    long        pages, max_pages, empty_run;
    uint64_t   *seen;        /* open addressing; 0 = free slot */
    size_t      nseen, seen_cap;
} lister;

static uint64_t token_hash(const char *t)
{
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h ? h : 1;
}

/* Adds a token to the seen set; 1 if it was new, 0 if seen before. */
static int seen_add(lister *l, const char *t)
{
    if (2 * (l->nseen + 1) > l->seen_cap) {
        size_t cap = l->seen_cap ? 2 * l->seen_cap : 64;
        uint64_t *n = fa_xcalloc(cap, sizeof *n);
        for (size_t i = 0; i < l->seen_cap; i++) {
            if (!l->seen[i])
                continue;
            size_t j = (size_t)(l->seen[i] & (cap - 1));
            while (n[j])
                j = (j + 1) & (cap - 1);
            n[j] = l->seen[i];
        }
        free(l->seen);
        l->seen = n;
        l->seen_cap = cap;
    }
    uint64_t h = token_hash(t);
    size_t j = (size_t)(h & (l->seen_cap - 1));
    while (l->seen[j]) {
        if (l->seen[j] == h)
            return 0;
        j = (j + 1) & (l->seen_cap - 1);
    }
    l->seen[j] = h;
    l->nseen++;
    return 1;
}

/* The region a redirect answer (301 PermanentRedirect, 400 AuthorizationHeaderMalformed)
 * names, when it may be followed: on AWS the x-amz-bucket-region header or the error body;
 * with --endpoint-url the header only (the body's <Endpoint> names AWS hosts). 1 with out
 * set; 0 if the answer is no redirect, names no region, or the region already used. */
static int redirect_region(const s3_client *c, const s3_resp *r, const char *code, char *out, size_t n,
                           const char **how)
{
    if (r->status != 301 && strcmp(code, "PermanentRedirect") &&
        !(r->status == 400 && !strcmp(code, "AuthorizationHeaderMalformed")))
        return 0;
    if (fa_s3_valid_region(r->region) && strlen(r->region) < n) {
        snprintf(out, n, "%s", r->region);
        *how = "x-amz-bucket-region";
    } else if (!c->cfg.endpoint && fa_s3_error_region(r->body.buf, r->body.len, out, n)) {
        *how = "the error body";
    } else {
        return 0;
    }
    return strcmp(out, c->cfg.region) != 0;
}

static fa_status list_page(lister *l, fa_s3_page *page, fa_err *err)
{
    fa_buf q = FA_BUF_INIT;
    /* Parameters in sorted order: the canonical query string is then the query as sent. */
    fa_buf_addch(&q, '?');
    if (l->version == 2) {
        if (l->token) {
            fa_buf_adds(&q, "continuation-token=");
            fa_s3_uri_encode(&q, l->token, 0);
            fa_buf_addch(&q, '&');
        }
        fa_buf_adds(&q, "list-type=2&");
    } else if (l->token) {
        fa_buf_adds(&q, "marker=");
        fa_s3_uri_encode(&q, l->token, 0);
        fa_buf_addch(&q, '&');
    }
    fa_buf_addf(&q, "max-keys=%ld&prefix=", l->page_size);
    fa_s3_uri_encode(&q, l->prefix, 0);
    s3_resp r;
    fa_err gerr;
    fa_err_clear(&gerr);
    fa_status st = s3_get(l->c, q.buf, NULL, NULL, 64u << 20, 0, LIST_EXPECT, &r, &gerr);
    fa_buf_release(&q);
    const char *ep = l->c->cfg.endpoint ? l->c->cfg.endpoint : "AWS S3";
    if (st != FA_OK && scan_stop_err(&gerr)) {
        *err = gerr;   /* the scan stopped: fa_source_s3 records it, this is no target failure */
        fa_buf_release(&r.body);
        return FA_FAIL;
    }
    if (st != FA_OK) {
        fa_err_set(err, FA_FATAL, gerr.code, "cannot list s3://%s: no answer from %s", l->c->bucket, gerr.msg);
        fa_buf_release(&r.body);
        return FA_FATAL;
    }
    if (r.status != 200) {
        char code[64], why[400], region[40];
        const char *how;
        error_code(&r, code, sizeof code);
        describe(&r, why, sizeof why);
        if (!l->pages && !l->c->redirected && redirect_region(l->c, &r, code, region, sizeof region, &how)) {
            /* The first answer names the bucket's region: follow it once, re-signed. */
            trace_note(l->c, "s3://%s is in region %s, not %s (%s of a %ld %s answer): re-signing for %s%s",
                       l->c->bucket, region, l->c->cfg.region, how, r.status, code[0] ? code : "redirect", region,
                       l->c->cfg.endpoint ? " at the same endpoint" : "");
            l->c->redirected = 1;
            client_set_region(l->c, region);
            fa_buf_release(&r.body);
            return list_page(l, page, err);
        }
        if (!strcmp(code, "NoSuchBucket") || (r.status == 404 && !code[0]))
            fa_err_set(err, FA_FATAL, "s3_no_bucket", "cannot list s3://%s: the bucket does not exist at %s (%s)",
                       l->c->bucket, ep, why);
        else if (!strcmp(code, "InvalidAccessKeyId") || !strcmp(code, "SignatureDoesNotMatch") ||
                 !strcmp(code, "InvalidToken") || !strcmp(code, "ExpiredToken") ||
                 !strcmp(code, "AuthorizationHeaderMalformed"))
            fa_err_set(err, FA_FATAL, "s3_auth",
                       "cannot list s3://%s: authentication failed: %s (credentials from %s, profile '%s')",
                       l->c->bucket, why, l->c->cfg.cred_source, l->c->cfg.profile);
        else if (r.status == 403)
            fa_err_set(err, FA_FATAL, "s3_auth", "cannot list s3://%s: access denied: %s (credentials from %s)",
                       l->c->bucket, why, l->c->cfg.cred_source);
        else if (r.status == 301 || !strcmp(code, "PermanentRedirect"))
            fa_err_set(err, FA_FATAL, "s3_region", "cannot list s3://%s: the bucket is in another region (%s); "
                       "give --region%s", l->c->bucket, why,
                       l->c->redirected ? " (the redirect to the region the store named was followed already)" :
                       l->c->cfg.endpoint ? " (the store named no region in x-amz-bucket-region)" : "");
        else
            fa_err_set(err, FA_FATAL, "s3_error", "cannot list s3://%s: %s%s", l->c->bucket, why,
                       l->version == 2 && r.status >= 500 ? " (if this store's ListObjectsV2 is broken, try "
                       "--s3-list-version 1)" : "");
        fa_buf_release(&r.body);
        return FA_FATAL;
    }
    fa_err perr;
    fa_err_clear(&perr);
    st = fa_s3_parse_list(r.body.buf, r.body.len, page, &perr);
    fa_buf_release(&r.body);
    if (st < 0)
        return fa_err_set(err, FA_FATAL, perr.code, "cannot list s3://%s: %s", l->c->bucket, perr.msg);
    int done;
    const char *next = fa_s3_next_token(page, l->version, &done);
    l->pages++;
    l->empty_run = page->n ? 0 : l->empty_run + 1;
    const char *what = l->version == 2 ? "continuation token" : "marker";
    if (next && !seen_add(l, next)) {
        /* A page already read would loop forever. */
        fa_s3_page_free(page);
        return fa_err_set(err, FA_FATAL, "s3_protocol", "cannot list s3://%s: the store repeats a page "
                          "(page %ld gives a %s already seen)", l->c->bucket, l->pages, what);
    }
    if (!done && l->empty_run >= MAX_EMPTY_RUN) {
        fa_s3_page_free(page);
        return fa_err_set(err, FA_FATAL, "s3_protocol", "cannot list s3://%s: %ld listing pages in a row "
                          "without a key, each with a new %s: the store pages endlessly", l->c->bucket,
                          l->empty_run, what);
    }
    if (!done && l->pages >= l->max_pages) {
        fa_s3_page_free(page);
        return fa_err_set(err, FA_FATAL, "s3_list_limit", "cannot list s3://%s: the listing goes on past %ld "
                          "pages (the bound FACEAUDIT_S3_MAX_PAGES; the store may page endlessly)",
                          l->c->bucket, l->max_pages);
    }
    free(l->token);
    l->token = NULL;
    if (done) {
        l->done = 1;
    } else if (!next) {
        fa_s3_page_free(page);
        return fa_err_set(err, FA_FATAL, "s3_protocol", "cannot list s3://%s: a truncated page gives no %s%s",
                          l->c->bucket, l->version == 2 ? "NextContinuationToken" : "key to continue from",
                          l->version == 2 ? " (try --s3-list-version 1)" : "");
    } else {
        l->token = fa_xstrdup(next);
    }
    return FA_OK;
}

/* The next listing page, read on its own thread while the current one is submitted. */
typedef struct ahead {
    lister    *l;
    pthread_t  thread;
    fa_s3_page page;
    fa_err     err;
    fa_status  st;
} ahead;

static void *ahead_main(void *arg)
{
    ahead *a = arg;
    fa_err_clear(&a->err);
    a->st = list_page(a->l, &a->page, &a->err);
    return NULL;
}

static int glob_match(const char *pat, const char *rel, const char *name)
{
    if (!strchr(pat, '/'))
        return fnmatch(pat, name, 0) == 0;
    return fnmatch(pat[0] == '/' ? pat + 1 : pat, rel, 0) == 0;
}

static int any_match(const char **pats, const char *rel, const char *name)
{
    for (; pats && *pats; pats++)
        if (glob_match(*pats, rel, name))
            return 1;
    return 0;
}

/* Excluded by --include/--exclude/ignore files, matched against the key below the prefix. */
static int filtered(fa_scanner *s, const char *rel, const char *name)
{
    if (any_match(s->opts.exclude, rel, name) || fa_suppress_path(s->opts.suppress, rel, 0))
        return 1;
    /* Any excluded folder on the way excludes the key, as in a folder walk. */
    char *tmp = fa_xstrdup(rel);
    for (char *p = strchr(tmp, '/'); p; p = strchr(p + 1, '/')) {
        *p = 0;
        const char *base = strrchr(tmp, '/');
        int ex = any_match(s->opts.exclude, tmp, base ? base + 1 : tmp) || fa_suppress_path(s->opts.suppress, tmp, 1);
        *p = '/';
        if (ex) {
            free(tmp);
            return 1;
        }
    }
    free(tmp);
    return s->opts.include && s->opts.include[0] && !any_match(s->opts.include, rel, name);
}

/* 1 if the scanner will not read this object (--since, or unchanged in --state): it is
 * then not fetched ahead. Calling thread only (the state file is used there). */
static int not_read(fa_scanner *s, const fa_s3_entry *e, const char *bucket)
{
    if (s->opts.since != INT64_MIN && e->mtime != INT64_MIN && e->mtime < s->opts.since)
        return 1;
    if (!s->opts.state)
        return 0;
    char *path = fa_xasprintf("s3://%s/%s", bucket, e->key);
    json_t *r = fa_state_lookup(s->opts.state, path, e->size, e->mtime, e->etag);
    free(path);
    json_decref(r);
    return r != NULL;
}

static int archived_class(const char *sc)
{
    return sc && (!strcmp(sc, "GLACIER") || !strcmp(sc, "DEEP_ARCHIVE"));
}

static fa_status submit_entry(lister *l, const fa_s3_entry *e, s3_obj *o)
{
    fa_scanner *s = l->s;
    fa_source_object so;
    memset(&so, 0, sizeof so);
    fa_location_init(&so.loc);
    so.loc.target = fa_xstrdup(l->target);
    so.loc.path = fa_xasprintf("s3://%s/%s", l->c->bucket, e->key);
    so.loc.uri = fa_xstrdup(so.loc.path);
    const char *slash = strrchr(e->key, '/');
    so.name = slash ? slash + 1 : e->key;
    so.size = e->size;
    so.mtime = e->mtime;
    so.etag = e->etag;
    so.storage_class = e->storage_class;
    char *skipped = NULL;
    if (archived_class(e->storage_class)) {
        skipped = fa_xasprintf("storage class %s: archived, not fetched", e->storage_class);
    } else if (fa_limit_exceeded(&s->opts.limits, FA_LIM_MAX_OBJECT_SIZE, e->size)) {
        fa_scan_limit_at(s, &so.loc, FA_LIM_MAX_OBJECT_SIZE, e->size);
        skipped = fa_xstrdup("larger than --max-object-size");
    }
    so.skipped = skipped;
    if (!skipped && o) {
        so.open = obj_open;
        so.release = obj_release;
        so.encryption_of = obj_encryption;
        so.arg = o;
    } else if (o) {
        obj_release(o);
    }
    fa_status st = fa_scanner_submit_object(s, &so);
    free(skipped);
    return st;
}

/* The scan stopped during a listing: --max-scan-time is recorded as the scanner records it
 * (one limits entry, here at the target, then the scan is cancelled); an interrupt needs
 * nothing (the scanner reports it). Neither is a failure of the target. */
static void listing_stopped(fa_scanner *s, const char *target, fa_err *err)
{
    if (!strcmp(err->code, "max_scan_time")) {
        fa_location loc;
        fa_location_init(&loc);
        loc.target = fa_xstrdup(target);
        loc.path = fa_xstrdup(target);
        loc.uri = fa_xstrdup(target);
        fa_scan_time_up(s, &loc);
        fa_location_free(&loc);
    }
    fa_err_clear(err);
}

fa_status fa_source_s3(fa_scanner *s, const char *target, fa_err *err)
{
    pthread_once(&global_once, global_init);
    const char *p = target + 5;   /* after "s3://" */
    const char *slash = strchr(p, '/');
    char *bucket = slash ? fa_xstrndup(p, (size_t)(slash - p)) : fa_xstrdup(p);
    const char *prefix = slash ? slash + 1 : "";
    if (!*bucket) {
        free(bucket);
        return fa_err_set(err, FA_FATAL, "target", "cannot scan '%s': no bucket name (s3://BUCKET[/PREFIX])", target);
    }
    int version = (int)opt_long(s, "s3.list-version", NULL, 2, 1, 2);
    s3_client *c = client_new(s, bucket, err);
    free(bucket);
    if (!c)
        return FA_FATAL;
    lister l = { .s = s, .c = c, .target = target, .prefix = prefix, .version = version,
                 .page_size = opt_long(s, "s3.page-size", "FACEAUDIT_S3_PAGE_SIZE", 1000, 1, 1000),
                 .max_pages = opt_long(s, "s3.max-pages", "FACEAUDIT_S3_MAX_PAGES", MAX_PAGES_DEFAULT, 1, LONG_MAX) };
    fa_status result = FA_OK;
    int first = 1;
    size_t prefix_len = strlen(prefix);
    fa_s3_page page;
    fa_status pst = list_page(&l, &page, err);
    int live = pst == FA_OK;
    while (!s->cancelled) {
        if (pst == FA_FAIL) {
            listing_stopped(s, target, err);   /* --max-scan-time or an interrupt */
            break;
        }
        if (pst < 0) {
            result = FA_FATAL;   /* also mid-listing: the scan would silently miss objects */
            break;
        }
        /* Read the next page ahead while this one is fetched and scanned. */
        ahead next = { .l = &l };
        int reading = !l.done && pthread_create(&next.thread, NULL, ahead_main, &next) == 0;
        if (first) {
            /* The bucket answered: its posture is worth recording. */
            record_posture(s, c);
            first = 0;
        }
        /* Queue the page's small objects for prefetch first, then submit in order. */
        s3_obj **objs = fa_xcalloc(page.n ? page.n : 1, sizeof *objs);
        pthread_mutex_lock(&c->mu);
        for (size_t i = 0; i < page.n; i++) {
            const fa_s3_entry *e = &page.entries[i];
            size_t kl = strlen(e->key);
            const char *rel = e->key + (kl >= prefix_len ? prefix_len : 0);
            while (*rel == '/')
                rel++;
            const char *base = strrchr(e->key, '/');
            base = base ? base + 1 : e->key;
            if ((kl && e->key[kl - 1] == '/' && e->size <= 0) || filtered(s, rel, base))
                continue;   /* folder markers and filtered keys */
            char *path = fa_xasprintf("s3://%s/%s", c->bucket, e->key);
            int other = fa_scanner_other_shard(s, path);
            free(path);
            if (other)
                continue;
            s3_obj *o = fa_xcalloc(1, sizeof *o);
            o->c = c;
            o->key = fa_xstrdup(e->key);
            o->size = e->size;
            o->small = e->size >= 0 && (uint64_t)e->size < PREFETCH_MAX;
            c->refs++;
            if (o->small && !archived_class(e->storage_class) &&
                !fa_limit_exceeded(&s->opts.limits, FA_LIM_MAX_OBJECT_SIZE, e->size) && !not_read(s, e, c->bucket)) {
                o->state = OBJ_QUEUED;
                o->queued = 1;
                if (c->qtail)
                    c->qtail->next = o;
                else
                    c->qhead = o;
                c->qtail = o;
            } else {
                o->state = OBJ_DIRECT;
            }
            objs[i] = o;
        }
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        for (size_t i = 0; i < page.n; i++) {
            if (!objs[i])
                continue;
            if (s->cancelled || submit_entry(&l, &page.entries[i], objs[i]) == FA_FATAL) {
                for (size_t k = i + 1; k < page.n; k++)
                    if (objs[k])
                        obj_release(objs[k]);
                break;
            }
        }
        free(objs);
        fa_s3_page_free(&page);
        live = 0;
        if (reading)
            pthread_join(next.thread, NULL);
        else if (!l.done && !s->cancelled)
            next.st = list_page(&l, &next.page, &next.err);   /* no thread: read it here */
        else
            break;
        page = next.page;
        pst = next.st;
        live = pst == FA_OK;   /* a failed page owns nothing */
        if (pst < 0)
            *err = next.err;
    }
    if (live)
        fa_s3_page_free(&page);   /* cancelled with a page read ahead */
    free(l.token);
    free(l.seen);
    /* Objects still in the scanner keep the client alive; threads exit once idle. */
    pthread_mutex_lock(&c->mu);
    c->closed = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    client_release(c);
    return result;
}
