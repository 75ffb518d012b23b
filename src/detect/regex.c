/* Rule kind `regex`: a PCRE2 pattern matched per line of text, behind one shared
 * keyword prefilter (the hot path of log scanning).
 *
 * How a chunk of lines is scanned:
 *  1. One pass over the chunk finds every occurrence of every keyword of every enabled
 *     rule at once (case-insensitive). On x86-64 with AVX2 this is Teddy (after Hyperscan
 *     and Rust's aho-corasick): a 3-byte fingerprint checked 32 positions at a time with
 *     nibble shuffles; elsewhere a 2-byte bitmap filter. Candidates are verified with a
 *     case-folding compare.
 *  2. A verified keyword selects its line (memrchr/memchr around it) and the rules that
 *     own the keyword; newlines are counted (SIMD popcount) only up to such lines, so a
 *     chunk without hits costs one filter pass and nothing else.
 *  3. Only the selected rules run their JIT-compiled regex on that line.
 * Rules without keywords run on every line (slow by design: give rules keywords).
 * Compiled patterns and the prefilter are read-only after prepare(); match data lives in
 * the per-object text state, so threads share nothing mutable. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/base64.h"
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/logtime.h"
#include "faceaudit/sniff.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RX_X86 1
#else
#define RX_X86 0
#endif

/* Backtracking bounds: a catastrophic pattern on one line ends in milliseconds, is recorded
 * as a regex_limit error, and the scan goes on. Legit log patterns need far fewer steps. */
#define RX_MATCH_LIMIT   1000000u
#define RX_DEPTH_LIMIT   10000u
#define RX_HEAP_LIMIT_KB 20000u
#define RX_JIT_STACK_MAX (1024u * 1024u)
/* Group values copied into evidence and messages are cut to this many bytes. */
#define RX_GROUP_MAX 200

/* PCRE2_NEVER_UTF: logs may hold invalid UTF-8 and pcre2_jit_match does not check it, so a
 * pattern may not switch UTF on with (*UTF). \C could split characters; never needed. */
#define RX_COMPILE_OPTS (PCRE2_NEVER_UTF | PCRE2_NEVER_BACKSLASH_C)

enum { RX_DECODE_NONE = 0, RX_DECODE_BASE64 };

typedef struct rx_rule {
    char          *pattern;
    pcre2_code    *re;
    int            jit;          /* JIT compile succeeded: pcre2_jit_match is safe */
    int            caseless;
    uint32_t       ncap;         /* capture groups */
    char          *group;        /* hashed group, or NULL for the whole match */
    int            group_no;
    char         **evgroups;     /* NULL-terminated */
    size_t         nev;
    int           *ev_no;
    char         **meta_keys, **meta_vals;
    size_t         nmeta;
    int            decode;
    const fa_kind *then_kind;
    /* Nodes kept for finish_rule's messages (valid while the pack is being loaded only). */
    fa_ynode       pattern_node, group_node, ev_node, decode_node;
} rx_rule;

static rx_rule *rx_of(fa_rule *r)
{
    if (!r->kdata)
        r->kdata = fa_xcalloc(1, sizeof(rx_rule));
    return r->kdata;
}

/* ---------------------------------------------------------------- rule loading */

static pcre2_code *rx_compile(const char *pat, uint32_t opts, int *ec, PCRE2_SIZE *off)
{
    return pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, RX_COMPILE_OPTS | opts, ec, off,
                         NULL);
}

static int valid_fact_key(const char *k)
{
    if (!*k || strlen(k) > 64 || !strcmp(k, "sha256"))
        return 0;
    for (const char *c = k; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
            return 0;
    return 1;
}

static fa_status rx_parse_key(fa_rule *rule, const char *key, const fa_ynode *v, fa_err *err)
{
    rx_rule *rr = rx_of(rule);
    const char *s;
    if (!strcmp(key, "pattern")) {
        if (fa_ynode_str(v, "pattern", &s, err) != FA_OK)
            return FA_FAIL;
        if (!*s)
            return fa_ynode_error(v, err, "pattern must not be empty");
        int ec;
        PCRE2_SIZE off;
        /* Compiled here (caseless comes later in finish_rule) so a bad regex is reported
         * at its own node. */
        pcre2_code *re = rx_compile(s, 0, &ec, &off);
        if (!re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(ec, msg, sizeof msg);
            return fa_ynode_error(v, err, "pattern: %s at offset %zu", (const char *)msg, (size_t)off);
        }
        pcre2_code_free(rr->re);
        free(rr->pattern);
        rr->re = re;
        rr->pattern = fa_xstrdup(s);
        rr->pattern_node = *v;
    } else if (!strcmp(key, "case_insensitive")) {
        return fa_ynode_bool(v, "case_insensitive", &rr->caseless, err);
    } else if (!strcmp(key, "group")) {
        if (fa_ynode_str(v, "group", &s, err) != FA_OK)
            return FA_FAIL;
        if (!*s)
            return fa_ynode_error(v, err, "group must name a named group of the pattern");
        free(rr->group);
        rr->group = fa_xstrdup(s);
        rr->group_node = *v;
    } else if (!strcmp(key, "evidence_groups")) {
        char **gv = NULL;
        size_t ng = 0;
        if (fa_ynode_strv(v, "evidence_groups", &gv, &ng, err) != FA_OK)
            return FA_FAIL;
        for (size_t i = 0; i < ng; i++)
            if (!valid_fact_key(gv[i])) {
                fa_ynode_error(v, err, "evidence_groups: '%s' cannot be an evidence key "
                               "(lowercase letters, digits and _; not sha256)", gv[i]);
                fa_strv_free(gv);
                return FA_FAIL;
            }
        fa_strv_free(rr->evgroups);
        rr->evgroups = gv;
        rr->nev = ng;
        rr->ev_node = *v;
    } else if (!strcmp(key, "metadata")) {
        if (!fa_ynode_is_map(v))
            return fa_ynode_error(v, err, "metadata must be a mapping of names to strings");
        size_t np = fa_ynode_len(v);
        char **keys = fa_xcalloc(np + 1, sizeof *keys), **vals = fa_xcalloc(np + 1, sizeof *vals);
        for (size_t i = 0; i < np; i++) {
            fa_ynode k = fa_ynode_key(v, i), val = fa_ynode_value(v, i);
            const char *ks = fa_ynode_scalar(&k), *vs;
            fa_status st = FA_OK;
            if (!ks || !valid_fact_key(ks))
                st = fa_ynode_error(&k, err, "metadata: '%s' cannot be an evidence key "
                                    "(lowercase letters, digits and _; not sha256)", ks ? ks : "?");
            else if (fa_ynode_str(&val, "metadata value", &vs, err) != FA_OK)
                st = FA_FAIL;
            if (st != FA_OK) {
                fa_strv_free(keys);
                fa_strv_free(vals);
                return FA_FAIL;
            }
            keys[i] = fa_xstrdup(ks);
            vals[i] = fa_xstrdup(vs);
        }
        fa_strv_free(rr->meta_keys);
        fa_strv_free(rr->meta_vals);
        rr->meta_keys = keys;
        rr->meta_vals = vals;
        rr->nmeta = np;
    } else if (!strcmp(key, "decode")) {
        if (fa_ynode_str(v, "decode", &s, err) != FA_OK)
            return FA_FAIL;
        if (strcmp(s, "base64") != 0)
            return fa_ynode_error(v, err, "decode must be base64, not '%s'", s);
        rr->decode = RX_DECODE_BASE64;
        rr->decode_node = *v;
    } else if (!strcmp(key, "then")) {
        if (fa_ynode_str(v, "then", &s, err) != FA_OK)
            return FA_FAIL;
        const fa_kind *k = fa_kind_lookup(s);
        if (!k)
            return fa_ynode_error(v, err, "then: unknown kind '%s'", s);
        if (!k->inspect)
            return fa_ynode_error(v, err, "then: kind '%s' cannot inspect decoded content", s);
        rr->then_kind = k;
    } else {
        return FA_WARN;
    }
    return FA_OK;
}

static int is_biometric_category(const char *c)
{
    return c && (!strcmp(c, FA_CAT_FACE_IMAGE) || !strcmp(c, FA_CAT_FACE_TEMPLATE));
}

static fa_status rx_finish_rule(fa_rule *rule, fa_err *err)
{
    rx_rule *rr = rx_of(rule);
    fa_status st = FA_OK;
    if (!rr->re) {
        st = fa_err_set(err, FA_FAIL, "syntax", "a regex rule needs a pattern");
        goto out;
    }
    if (rr->caseless) {
        int ec;
        PCRE2_SIZE off;
        pcre2_code *re = rx_compile(rr->pattern, PCRE2_CASELESS, &ec, &off);
        if (!re) {  /* cannot happen for a pattern that compiled without it; be safe */
            st = fa_ynode_error(&rr->pattern_node, err, "pattern does not compile caselessly");
            goto out;
        }
        pcre2_code_free(rr->re);
        rr->re = re;
    }
    pcre2_pattern_info(rr->re, PCRE2_INFO_CAPTURECOUNT, &rr->ncap);
    if (rr->group) {
        rr->group_no = pcre2_substring_number_from_name(rr->re, (PCRE2_SPTR)rr->group);
        if (rr->group_no < 0) {
            st = fa_ynode_error(&rr->group_node, err, "group '%s' is not a named group of the pattern",
                                rr->group);
            goto out;
        }
    }
    if (rr->nev) {
        if (is_biometric_category(rule->category)) {
            st = fa_ynode_error(&rr->ev_node, err, "evidence_groups is not allowed on a %s rule: "
                                "evidence must not carry biometric content", rule->category);
            goto out;
        }
        free(rr->ev_no);
        rr->ev_no = fa_xcalloc(rr->nev, sizeof *rr->ev_no);
        for (size_t i = 0; i < rr->nev; i++) {
            rr->ev_no[i] = pcre2_substring_number_from_name(rr->re, (PCRE2_SPTR)rr->evgroups[i]);
            if (rr->ev_no[i] < 0) {
                st = fa_ynode_error(&rr->ev_node, err, "evidence_groups: '%s' is not a named group "
                                    "of the pattern", rr->evgroups[i]);
                goto out;
            }
            for (size_t j = 0; j < rr->nmeta; j++)
                if (!strcmp(rr->meta_keys[j], rr->evgroups[i])) {
                    st = fa_ynode_error(&rr->ev_node, err, "evidence_groups: '%s' is also a metadata key",
                                        rr->evgroups[i]);
                    goto out;
                }
        }
    }
    if (rr->decode && !rr->then_kind) {
        st = fa_ynode_error(&rr->decode_node, err, "decode needs then: <kind> to inspect the decoded bytes");
        goto out;
    }
    /* Without JIT (unsupported CPU) pcre2_match interprets; still correct. */
    rr->jit = pcre2_jit_compile(rr->re, PCRE2_JIT_COMPLETE) == 0;
out:
    /* The YAML document goes away after loading. */
    memset(&rr->pattern_node, 0, sizeof rr->pattern_node);
    memset(&rr->group_node, 0, sizeof rr->group_node);
    memset(&rr->ev_node, 0, sizeof rr->ev_node);
    memset(&rr->decode_node, 0, sizeof rr->decode_node);
    return st;
}

static void rx_free_rule(fa_rule *rule)
{
    rx_rule *rr = rule->kdata;
    if (!rr)
        return;
    pcre2_code_free(rr->re);
    free(rr->pattern);
    free(rr->group);
    fa_strv_free(rr->evgroups);
    free(rr->ev_no);
    fa_strv_free(rr->meta_keys);
    fa_strv_free(rr->meta_vals);
    free(rr);
    rule->kdata = NULL;
}

/* ---------------------------------------------------------------- the prefilter */

#define RX_FP 3            /* fingerprint bytes; a shorter keyword's missing bytes match anything */
#define RX_BUCKETS 8

typedef struct rx_kw {
    unsigned char *lit;    /* lowercased */
    size_t         len;
    size_t         fpoff;  /* where in lit the prefilter's fingerprint starts */
    uint32_t      *rules;  /* indexes into prep->rules */
    size_t         nrules;
} rx_kw;

typedef struct rx_prep {
    fa_rule  **rules;
    size_t     n;
    uint32_t  *always;       /* rules without keywords: run on every line */
    size_t     nalways;
    rx_kw     *kws;
    size_t     nkw;
    /* Teddy: per fingerprint byte, bucket masks by low and high nibble. */
    unsigned char lo[RX_FP][16], hi[RX_FP][16];
    uint32_t   bstart[RX_BUCKETS + 1];   /* keywords of bucket b: bkw[bstart[b] .. bstart[b+1]) */
    uint32_t  *bkw;
    /* Portable filter: bit (c0 << 8 | c1) set for the first two (folded) bytes of a keyword. */
    uint64_t   pairs[65536 / 64];
    unsigned char first[256];
    int        avx2;
    uint32_t   max_ovec;
} rx_prep;

/* ASCII case folding only: keywords are byte strings and logs may not be UTF-8. */
static inline unsigned fold(unsigned c)
{
    return c | (unsigned)((c - 'A') < 26u) << 5;
}

/* Rough frequency (per mille) of a folded byte in web and application logs. The fingerprint
 * is the keyword's rarest window under these, so "://api.kairos.com/" is found by "i.k"
 * rather than by "://", which is on every URL line. */
static double byte_freq(unsigned c)
{
    static const unsigned char letters[26] = {
        /* a */ 40, 7, 20, 18, 50, 8, 10, 15, 35, 1, 4, 20, 12, 35, 35, 12, 1, 30, 35, 40,
        /* u */ 15, 6, 7, 3, 7, 1 };
    if (c >= 'a' && c <= 'z')
        return letters[c - 'a'];
    if (c >= '0' && c <= '9')
        return 12;
    switch (c) {
    case '"': return 60;
    case '/': return 50;
    case ':': case '.': return 40;
    case ' ': return 30;
    case ',': return 25;
    case '-': return 12;
    case '_': return 8;
    case '=': return 6;
    default: return 2;
    }
}

/* Trigrams far more common in logs than their bytes suggest (URL and JSON scaffolding). */
static int common_trigram(const unsigned char *w)
{
    static const char *const tri[] = {
        "://", "htt", "ttp", "tps", "ps:", "s:/", "www", "api", "pi.", "pi/", "/ap", "com", ".co",
        "om/", "/v1", "/v2", "/v3", "v1/", "v2/", "v3/", "m/v", "\":\"", "\",\"", "aws", "ion",
        "ing", "the", "ent", "tio", "goo", "oog", "ogl", "gle", "ama", "maz", "azo", "zon", "net",
        "org", "/ht", NULL };
    for (size_t i = 0; tri[i]; i++)
        if (!memcmp(w, tri[i], 3))
            return 1;
    return 0;
}

/* A small calibration sample of typical log lines (JSON, access log, syslog, Java, logfmt).
 * Fingerprints and buckets are chosen to pass as few of its positions as possible: a byte
 * frequency table alone cannot know that "vic" (serVICe) is on every JSON log line. */
static const char rx_sample[] =
    "{\"timestamp\":\"2025-01-14T09:21:33.512Z\",\"level\":\"info\",\"service\":\"user-service\","
    "\"message\":\"request completed\",\"method\":\"GET\",\"path\":\"/api/v1/users/1234/profile\","
    "\"status\":200,\"duration_ms\":12,\"request_id\":\"7f3a9c2e-1b4d-4e8f-9a6b-3c2d1e0f9a8b\","
    "\"user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\",\"client_ip\":\"203.0.113.7\"}\n"
    "192.168.1.10 - - [14/Jan/2025:09:21:33 +0000] \"POST /v2/orders?page=2&sort=desc HTTP/1.1\" 201 512 "
    "\"https://www.example.com/checkout\" \"okhttp/4.12.0\"\n"
    "Jan 14 09:21:33 web-01 sshd[2211]: Accepted publickey for deploy from 10.0.0.5 port 50522 ssh2\n"
    "2025-01-14 09:21:33,512 ERROR [http-nio-8080-exec-7] com.example.orders.OrderController - Failed to "
    "process order: java.lang.IllegalStateException: inventory unavailable\n"
    "\tat com.example.orders.service.InventoryClient.reserve(InventoryClient.java:88)\n"
    "{\"time\":\"2025-01-14T09:21:34Z\",\"msg\":\"upstream response\",\"url\":\"https://storage.googleapis.com/"
    "bucket/object.json\",\"host\":\"s3.us-east-1.amazonaws.com\",\"response_size\":2048,\"cache\":\"miss\","
    "\"error\":null,\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
    "\"environment\":\"production\",\"version\":\"3.14.2\",\"region\":\"eu-west-1\"}\n"
    "level=warn ts=2025-01-14T09:21:35.001Z caller=client.go:112 component=scheduler msg=\"retrying "
    "connection\" attempt=3 err=\"context deadline exceeded\" endpoint=http://10.0.0.12:9090/metrics\n"
    "INFO  [main] o.s.b.w.embedded.tomcat.TomcatWebServer : Tomcat started on port(s): 8080 (http) with "
    "context path '' | DEBUG database connection pool size=10 active=2 idle=8 query=\"SELECT id, name "
    "FROM accounts WHERE email = ?\"\n"
    "{\"event\":\"http_call\",\"targets\":[\"https://api.example.com/v1/items\",\"http://inventory.internal:8080/"
    "items/77\",\"http://localhost:3000/health\",\"https://login.microsoftonline.com/common/oauth2/v2.0/token\","
    "\"https://hooks.slack.com/services/T000/B000\",\"https://sqs.us-west-2.amazonaws.com/123456789012/jobs\"]}\n";

/* Positions of the sample passing fingerprint masks (nibble sets per byte), plus the
 * frequency-table estimate so that windows absent from the sample still rank. Planning calls
 * this thousands of times per pack, so it works on per-byte position bitsets of the sample
 * (built once) instead of walking the sample: a rule pack loads in a few milliseconds. */
#define RX_SAMPLE_LEN (sizeof rx_sample - 1)
#define RX_SAMPLE_WORDS ((RX_SAMPLE_LEN + 63) / 64)
static uint64_t rx_sample_at[256][RX_SAMPLE_WORDS];   /* bit i: rx_sample[i] == c */
static pthread_once_t rx_sample_once = PTHREAD_ONCE_INIT;

static void rx_sample_index(void)
{
    for (size_t i = 0; i < RX_SAMPLE_LEN; i++)
        rx_sample_at[(unsigned char)rx_sample[i]][i / 64] |= 1ull << (i % 64);
}

static double sample_passes(const uint16_t *lo, const uint16_t *hi, size_t fp)
{
    pthread_once(&rx_sample_once, rx_sample_index);
    uint64_t acc[RX_SAMPLE_WORDS], at[RX_SAMPLE_WORDS];
    memset(acc, 0xff, sizeof acc);
    for (size_t j = 0; j < fp; j++) {
        memset(at, 0, sizeof at);
        for (unsigned h = 0; h < 16; h++) {
            if (!(hi[j] >> h & 1))
                continue;
            for (unsigned l = 0; l < 16; l++)
                if (lo[j] >> l & 1)
                    for (size_t w = 0; w < RX_SAMPLE_WORDS; w++)
                        at[w] |= rx_sample_at[h << 4 | l][w];
        }
        /* Position i passes byte j when bit i + j of `at` is set: shift down by j. */
        for (size_t w = 0; w < RX_SAMPLE_WORDS; w++) {
            uint64_t v = j ? at[w] >> j : at[w];
            if (j && w + 1 < RX_SAMPLE_WORDS)
                v |= at[w + 1] << (64 - j);
            acc[w] &= v;
        }
    }
    size_t count = 0;   /* bits at i + fp > n are clear: no byte of the sample lies there */
    for (size_t w = 0; w < RX_SAMPLE_WORDS; w++)
        count += (size_t)__builtin_popcountll(acc[w]);
    return (double)count;
}

static size_t rarest_window(const unsigned char *lit, size_t len)
{
    const size_t fp = RX_FP;
    size_t best = 0;
    double best_score = 1e300;
    for (size_t o = 0; o + fp <= len; o++) {
        double sc = 1;
        uint16_t lo[RX_FP], hi[RX_FP];
        for (size_t j = 0; j < fp; j++) {
            unsigned c = lit[o + j], up = c >= 'a' && c <= 'z' ? c - 32 : c;
            sc *= byte_freq(c) / 1000.0;
            lo[j] = (uint16_t)(1u << (c & 15) | 1u << (up & 15));
            hi[j] = (uint16_t)(1u << (c >> 4) | 1u << (up >> 4));
        }
        if (common_trigram(lit + o))
            sc *= 50;
        sc = sc * (double)(sizeof rx_sample - 1) + sample_passes(lo, hi, fp);
        if (sc < best_score) {
            best_score = sc;
            best = o;
        }
    }
    return best;
}

static int kw_cmp(const void *a, const void *b)
{
    /* By fingerprint: equal or similar fingerprints share a bucket. */
    const rx_kw *x = a, *y = b;
    size_t xn = x->len - x->fpoff, yn = y->len - y->fpoff;
    size_t n = xn < yn ? xn : yn;
    int c = memcmp(x->lit + x->fpoff, y->lit + y->fpoff, n < RX_FP ? n : RX_FP);
    if (c)
        return c;
    c = memcmp(x->lit, y->lit, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void kw_add_rule(rx_kw *k, uint32_t ri)
{
    for (size_t i = 0; i < k->nrules; i++)
        if (k->rules[i] == ri)
            return;
    k->rules = fa_xrealloc(k->rules, (k->nrules + 1) * sizeof *k->rules);
    k->rules[k->nrules++] = ri;
}

/* Nibble sets of one bucket: bit x of lo[j] = some keyword's fingerprint byte j (either
 * case) has low nibble x; likewise hi. */
typedef struct rx_bmask {
    uint16_t lo[RX_FP], hi[RX_FP];
} rx_bmask;

static void bmask_add(rx_bmask *m, const rx_kw *k)
{
    for (size_t j = 0; j < RX_FP; j++) {
        if (k->fpoff + j >= k->len) {   /* past a short keyword: any byte */
            m->lo[j] = m->hi[j] = 0xffff;
            continue;
        }
        unsigned c = k->lit[k->fpoff + j];
        unsigned up = c >= 'a' && c <= 'z' ? c - 32 : c;
        m->lo[j] |= (uint16_t)(1u << (c & 15) | 1u << (up & 15));
        m->hi[j] |= (uint16_t)(1u << (c >> 4) | 1u << (up >> 4));
    }
}

/* Estimated share of log positions the bucket's masks let through (Teddy's false
 * positives): per fingerprint byte, the frequency of all bytes passing both nibble sets. */
static double bmask_rate(const rx_bmask *m)
{
    const size_t fp = RX_FP;
    double r = 1;
    for (size_t j = 0; j < fp; j++) {
        double s = 0;
        for (unsigned h = 0; h < 16; h++) {
            if (!(m->hi[j] >> h & 1))
                continue;
            for (unsigned l = 0; l < 16; l++)
                if (m->lo[j] >> l & 1)
                    s += byte_freq(fold(h << 4 | l)) / 1000.0;
        }
        r *= s;
    }
    return r * (double)(sizeof rx_sample - 1) + sample_passes(m->lo, m->hi, fp);
}

/* Greedy bucket choice: each keyword goes where it adds the least estimated false-positive
 * rate (keywords with equal fingerprints share a bucket for free; dissimilar ones spread). */
static void assign_buckets(rx_prep *pp)
{
    rx_bmask m[RX_BUCKETS];
    double b_rate[RX_BUCKETS] = { 0 };   /* an empty bucket passes nothing */
    memset(m, 0, sizeof m);
    uint8_t *bucket_of = fa_xcalloc(pp->nkw, 1);
    /* With few keywords, also pick each keyword's window jointly with its bucket: a window
     * that is rare alone can be costly next to another keyword's nibbles. */
    int joint = pp->nkw <= 32;
    for (size_t i = 0; i < pp->nkw; i++) {
        rx_kw *k = &pp->kws[i];
        size_t best = 0, best_off = k->fpoff;
        double best_inc = 1e300;
        size_t o0 = joint ? 0 : k->fpoff;
        size_t o1 = joint && k->len > RX_FP ? k->len - RX_FP : k->fpoff;
        for (size_t off = o0; off <= o1; off++) {
            k->fpoff = off;
            for (size_t b = 0; b < RX_BUCKETS; b++) {
                rx_bmask t = m[b];
                bmask_add(&t, k);
                double inc = bmask_rate(&t) - b_rate[b];
                if (inc < best_inc) {
                    best_inc = inc;
                    best = b;
                    best_off = off;
                }
            }
        }
        k->fpoff = best_off;
        bmask_add(&m[best], k);
        b_rate[best] = bmask_rate(&m[best]);
        bucket_of[i] = (uint8_t)best;
    }
    size_t o = 0;
    for (size_t b = 0; b < RX_BUCKETS; b++) {
        pp->bstart[b] = (uint32_t)o;
        for (size_t i = 0; i < pp->nkw; i++) {
            if (bucket_of[i] != b)
                continue;
            pp->bkw[o++] = (uint32_t)i;
            const rx_kw *k = &pp->kws[i];
            rx_bmask one;
            memset(&one, 0, sizeof one);
            bmask_add(&one, k);
            for (size_t j = 0; j < RX_FP; j++)
                for (unsigned x = 0; x < 16; x++) {
                    if (one.lo[j] >> x & 1)
                        pp->lo[j][x] |= (unsigned char)(1u << b);
                    if (one.hi[j] >> x & 1)
                        pp->hi[j][x] |= (unsigned char)(1u << b);
                }
            /* Portable filter: first byte, then the pair unless the keyword is one byte. */
            const unsigned char *f = k->lit + k->fpoff;
            if (k->len - k->fpoff < 2) {
                pp->first[f[0]] |= 2;
            } else {
                pp->first[f[0]] |= 1;
                pp->pairs[(f[0] << 8 | f[1]) >> 6] |= 1ull << ((f[0] << 8 | f[1]) & 63);
            }
        }
    }
    pp->bstart[RX_BUCKETS] = (uint32_t)o;
    free(bucket_of);
}

static void rx_release(void *prep);

static void *rx_prepare(fa_rule *const *rules, size_t n, fa_err *err)
{
    (void)err;
    rx_prep *pp = fa_xcalloc(1, sizeof *pp);
    pp->rules = fa_xcalloc(n ? n : 1, sizeof *pp->rules);
    pp->always = fa_xcalloc(n ? n : 1, sizeof *pp->always);
    size_t akw = 0;
    for (size_t i = 0; i < n; i++) {
        fa_rule *r = rules[i];
        rx_rule *rr = r ? r->kdata : NULL;
        if (!r || !r->enabled || !rr || !rr->re)
            continue;
        uint32_t ri = (uint32_t)pp->n;
        pp->rules[pp->n++] = r;
        if (rr->ncap + 1 > pp->max_ovec)
            pp->max_ovec = rr->ncap + 1;
        int always = r->nkeywords == 0;
        for (size_t k = 0; k < r->nkeywords && r->keywords[k]; k++) {
            const char *kw = r->keywords[k];
            size_t len = strlen(kw);
            if (!len) {         /* an empty keyword is in every line */
                always = 1;
                continue;
            }
            unsigned char *low = fa_xmalloc(len + 1);
            for (size_t j = 0; j < len; j++)
                low[j] = (unsigned char)fold((unsigned char)kw[j]);
            low[len] = 0;
            rx_kw *found = NULL;
            for (size_t j = 0; j < pp->nkw; j++)
                if (pp->kws[j].len == len && !memcmp(pp->kws[j].lit, low, len))
                    found = &pp->kws[j];
            if (found) {
                free(low);
            } else {
                FA_GROW(pp->kws, pp->nkw + 1, akw);
                found = &pp->kws[pp->nkw++];
                memset(found, 0, sizeof *found);
                found->lit = low;
                found->len = len;
            }
            kw_add_rule(found, ri);
        }
        if (always)
            pp->always[pp->nalways++] = ri;
    }
    if (pp->nkw) {
        for (size_t i = 0; i < pp->nkw; i++)
            pp->kws[i].fpoff = rarest_window(pp->kws[i].lit, pp->kws[i].len);
        qsort(pp->kws, pp->nkw, sizeof *pp->kws, kw_cmp);
        pp->bkw = fa_xcalloc(pp->nkw, sizeof *pp->bkw);
        assign_buckets(pp);
    }
#if RX_X86
    __builtin_cpu_init();
    pp->avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
#endif
    if (getenv("FACEAUDIT_NO_SIMD"))   /* tests cover the portable path with this */
        pp->avx2 = 0;
    return pp;
}

static void rx_release(void *prep)
{
    rx_prep *pp = prep;
    if (!pp)
        return;
    for (size_t i = 0; i < pp->nkw; i++) {
        free(pp->kws[i].lit);
        free(pp->kws[i].rules);
    }
    free(pp->kws);
    free(pp->bkw);
    free(pp->rules);
    free(pp->always);
    free(pp);
}

static unsigned rx_wants(void *prep, const fa_object *obj)
{
    const rx_prep *pp = prep;
    if (!pp || !pp->n || !obj->type)
        return FA_IN_NONE;
    return fa_type_is_text(obj->type) ? FA_IN_TEXT : FA_IN_NONE;
}

/* ---------------------------------------------------------------- text scanning */

typedef struct rx_text {
    const rx_prep       *pp;
    fa_ctx              *ctx;
    const fa_object     *obj;
    pcre2_match_data    *md;        /* created at the first candidate line */
    pcre2_match_context *mctx;
    pcre2_jit_stack     *js;
    int64_t              base;      /* object offset of the chunk; -1 once unknown */
    long                 next_line; /* first_line expected of the next chunk; 0 unknown */
    uint32_t            *pending;   /* rules selected for the current line */
    size_t               npending;
    uint32_t            *stamp;     /* stamp[r] == serial: r already pending */
    uint32_t             serial;
    unsigned char       *limited;   /* regex_limit already recorded for the rule */
    /* per chunk */
    const char          *p;
    size_t               n;
    size_t               cnt_pos;   /* newlines counted up to here ... */
    long                 cnt_line;  /* ... which is on this line */
    int                  have_line;
    size_t               ls, le;    /* the current candidate line [ls, le) */
    size_t               done;      /* lines before this offset are finished */
} rx_text;

#if RX_X86
__attribute__((target("avx2,popcnt")))
static size_t count_nl_avx2(const char *p, size_t n)
{
    size_t c = 0, i = 0;
    const __m256i nl = _mm256_set1_epi8('\n');
    for (; i + 64 <= n; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(p + i + 32));
        uint64_t m = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl)) |
                     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, nl)) << 32;
        c += (size_t)_mm_popcnt_u64(m);
    }
    for (; i < n; i++)
        c += p[i] == '\n';
    return c;
}
#endif

static size_t count_nl(const rx_text *t, const char *p, size_t n)
{
#if RX_X86
    if (t->pp->avx2)
        return count_nl_avx2(p, n);
#endif
    size_t c = 0;
    const char *e = p + n;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

/* Line number of the line starting at offset ls (>= cnt_pos) of the chunk. */
static long line_at(rx_text *t, size_t ls)
{
    t->cnt_line += (long)count_nl(t, t->p + t->cnt_pos, ls - t->cnt_pos);
    t->cnt_pos = ls;
    return t->cnt_line;
}

static void ensure_match_data(rx_text *t)
{
    if (t->md)
        return;
    t->md = pcre2_match_data_create(t->pp->max_ovec ? t->pp->max_ovec : 1, NULL);
    t->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(t->mctx, RX_MATCH_LIMIT);
    pcre2_set_depth_limit(t->mctx, RX_DEPTH_LIMIT);
    pcre2_set_heap_limit(t->mctx, RX_HEAP_LIMIT_KB);
    t->js = pcre2_jit_stack_create(32 * 1024, RX_JIT_STACK_MAX, NULL);
    if (t->js)
        pcre2_jit_stack_assign(t->mctx, NULL, t->js);
}

/* Copies a group's bytes for evidence and messages: printable ASCII only (anything else
 * becomes '?'), at most RX_GROUP_MAX bytes, so output stays valid UTF-8 and one line. */
static void safe_copy(fa_buf *out, const char *s, size_t n)
{
    if (n > RX_GROUP_MAX)
        n = RX_GROUP_MAX;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        fa_buf_addch(out, c >= 0x20 && c < 0x7f ? c : '?');
    }
}

static const char *meta_get(const rx_rule *rr, const char *key)
{
    for (size_t i = 0; i < rr->nmeta; i++)
        if (!strcmp(rr->meta_keys[i], key))
            return rr->meta_vals[i];
    return NULL;
}

/* What matched, in words: "call to AWS Rekognition" for vendor rules, else the first
 * sentence of the rule's description. Never the matched bytes. */
static void describe(const fa_rule *r, const rx_rule *rr, fa_buf *out)
{
    const char *name = meta_get(rr, "vendor");
    if (!name)
        name = meta_get(rr, "service");
    if (r->category && !strcmp(r->category, FA_CAT_VENDOR)) {
        fa_buf_addf(out, "call to %s", name ? name : "a face-recognition service");
        return;
    }
    if (name) {
        fa_buf_addf(out, "%s match", name);
        return;
    }
    const char *d = r->description ? r->description : r->id;
    size_t n = strcspn(d, "\n");
    const char *dot = strstr(d, ". ");
    if (dot && (size_t)(dot - d) < n)
        n = (size_t)(dot - d);
    while (n && (d[n - 1] == '.' || d[n - 1] == ' '))
        n--;
    fa_buf_add(out, d, n);
    if (out->len > 1 && isupper((unsigned char)out->buf[0]) && islower((unsigned char)out->buf[1]))
        out->buf[0] = (char)tolower((unsigned char)out->buf[0]);
}

static json_t *static_evidence(const rx_rule *rr, json_t *ev)
{
    if (!ev)
        ev = json_object();
    for (size_t i = 0; i < rr->nmeta; i++)
        json_object_set_new(ev, rr->meta_keys[i], json_string(rr->meta_vals[i]));
    return ev;
}

/* then: <kind> on the match (decoded first with decode: base64). */
static json_t *with_line_time(json_t *ev, const char *line, size_t len);
static void inspect_match(rx_text *t, const fa_rule *r, const rx_rule *rr, fa_location *loc,
                          const char *s, size_t len, const char *line, size_t line_len)
{
    const unsigned char *bytes = (const unsigned char *)s;
    unsigned char *dec = NULL;
    size_t dlen = len;
    if (rr->decode == RX_DECODE_BASE64) {
        const fa_limits *lim = fa_ctx_limits(t->ctx);
        int64_t max = lim ? lim->value[FA_LIM_MAX_DECODED] : 0;
        size_t est = fa_base64_decoded_max(len);
        size_t cap = max > 0 && (uint64_t)max < est ? (size_t)max : est;
        fa_status st = fa_base64_decode_alloc(s, len, cap, &dec, &dlen);
        if (st == FA_WARN) {   /* only when the output outgrew cap == max */
            fa_ctx_limit(t->ctx, FA_LIM_MAX_DECODED, (int64_t)est, loc);
            return;
        }
        if (st != FA_OK || !dlen)
            return;            /* not base64 after all: nothing to judge */
        bytes = dec;
    }
    void *kprep = fa_ctx_kind_prep(t->ctx, rr->then_kind);
    if (!kprep) {
        free(dec);
        return;
    }
    fa_object sub = {
        .loc = loc,
        .name = t->obj->name,
        .type = fa_sniff(bytes, dlen < FA_SNIFF_HEAD ? dlen : FA_SNIFF_HEAD, (long long)dlen),
        .data = bytes,
        .len = dlen,
        .size = (long long)dlen,
        .depth = t->obj->depth + 1,
    };
    int hit = 0;
    double conf = r->confidence;
    json_t *ev = NULL;
    char *msg = NULL;
    fa_status st = rr->then_kind->inspect(kprep, t->ctx, &sub, &hit, &conf, &ev, &msg);
    if (st >= FA_WARN && hit) {
        ev = with_line_time(static_evidence(rr, ev), line, line_len);
        if (rr->decode == RX_DECODE_BASE64) {
            json_object_set_new(ev, "encoding", json_string("base64"));
            json_object_set_new(ev, "decoded_bytes", json_integer((json_int_t)dlen));
        }
        /* evidence.sha256 is over the decoded bytes: the same image hashes the same however
         * it was wrapped or escaped in the text. */
        fa_ctx_report(t->ctx, r, loc, conf, bytes, dlen, ev, "%s%s", msg ? msg : "decoded content matched",
                      rr->decode ? " (base64 in text)" : "");
        ev = NULL;
    }
    json_decref(ev);
    free(msg);
    free(dec);
}

/* The line's own time (a log line's timestamp), for the inventory's first/last-seen times. */
static json_t *with_line_time(json_t *ev, const char *line, size_t len)
{
    int64_t ts;
    if (!fa_logtime_find(line, len, &ts))
        return ev;
    char buf[40];
    fa_time_rfc3339(ts, buf, sizeof buf);
    if (!ev)
        ev = json_object();
    json_object_set_new(ev, "timestamp", json_string(buf));
    return ev;
}

static void report_match(rx_text *t, const fa_rule *r, const rx_rule *rr, const char *line,
                         size_t line_len, long line_no, int64_t line_off, const PCRE2_SIZE *ov)
{
    fa_location loc = *t->obj->loc;   /* shallow: fa_ctx_report copies it */
    loc.line = line_no;
    loc.offset = line_off >= 0 ? line_off + (int64_t)ov[0] : -1;
    loc.length = (int64_t)(ov[1] - ov[0]);
    const char *hs = line + ov[0];
    size_t hl = ov[1] - ov[0];
    if (rr->group && ov[2 * rr->group_no] != PCRE2_UNSET) {
        hs = line + ov[2 * rr->group_no];
        hl = ov[2 * rr->group_no + 1] - ov[2 * rr->group_no];
    }
    if (rr->then_kind) {
        inspect_match(t, r, rr, &loc, hs, hl, line, line_len);
        return;
    }
    fa_buf msg = FA_BUF_INIT, val = FA_BUF_INIT;
    describe(r, rr, &msg);
    json_t *ev = with_line_time(static_evidence(rr, NULL), line, line_len);
    int first = 1;
    for (size_t i = 0; i < rr->nev; i++) {
        int g = rr->ev_no[i];
        if (ov[2 * g] == PCRE2_UNSET)
            continue;
        fa_buf_reset(&val);
        safe_copy(&val, line + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        json_object_set_new(ev, rr->evgroups[i], json_string(val.buf));
        fa_buf_addf(&msg, "%s%s", first ? " (" : ", ", val.buf);
        first = 0;
    }
    if (!first)
        fa_buf_addch(&msg, ')');
    fa_ctx_report(t->ctx, r, &loc, r->confidence, hs, hl, ev, "%s", msg.buf);
    fa_buf_release(&msg);
    fa_buf_release(&val);
}

/* Runs rule ri on one line (without its terminator), reporting every match. */
static void run_rule(rx_text *t, uint32_t ri, const char *line, size_t len, long line_no,
                     int64_t line_off)
{
    const fa_rule *r = t->pp->rules[ri];
    const rx_rule *rr = r->kdata;
    ensure_match_data(t);
    PCRE2_SIZE start = 0;
    while (start <= len) {
        int rc = rr->jit
            ? pcre2_jit_match(rr->re, (PCRE2_SPTR)line, len, start, 0, t->md, t->mctx)
            : pcre2_match(rr->re, (PCRE2_SPTR)line, len, start, 0, t->md, t->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            return;
        if (rc < 0) {
            if (!t->limited[ri]) {
                t->limited[ri] = 1;
                fa_location loc = *t->obj->loc;
                loc.line = line_no;
                PCRE2_UCHAR emsg[160];
                pcre2_get_error_message(rc, emsg, sizeof emsg);
                int limit = rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
                            rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
                fa_ctx_error(t->ctx, &loc, limit ? "regex_limit" : "regex_error",
                             "rule %s: %s; the rest of the line was not checked by this rule",
                             r->id, (const char *)emsg);
            }
            return;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->md);
        if (ov[1] < ov[0])   /* \K games; cannot form a location */
            return;
        report_match(t, r, rr, line, len, line_no, line_off, ov);
        if (ov[1] > ov[0])
            start = ov[1];
        else if (ov[1] >= len)
            return;
        else
            start = ov[1] + 1;   /* an empty match: move on rather than loop */
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void run_line(rx_text *t, size_t ls, size_t le, long line_no, const uint32_t *rules, size_t n)
{
    size_t len = le - ls;
    if (len && t->p[ls + len - 1] == '\r')   /* CRLF logs: '$' should see the line end */
        len--;
    int64_t off = t->base >= 0 ? t->base + (int64_t)ls : -1;
    for (size_t i = 0; i < n; i++)
        run_rule(t, rules[i], t->p + ls, len, line_no, off);
}

/* Runs the keyword-less rules on every line in [from, to) (to is a line start). */
static void run_always(rx_text *t, size_t from, size_t to)
{
    const rx_prep *pp = t->pp;
    if (!pp->nalways)
        return;
    size_t s = from;
    long line_no = line_at(t, from);
    while (s < to) {
        const char *nl = memchr(t->p + s, '\n', to - s);
        size_t e = nl ? (size_t)(nl - t->p) : to;
        run_line(t, s, e, line_no, pp->always, pp->nalways);
        t->cnt_pos = s;        /* keeps line_at() exact without recounting */
        t->cnt_line = line_no;
        s = e + 1;
        line_no++;
    }
}

static void next_serial(rx_text *t)
{
    if (++t->serial == 0) {   /* wrapped: old stamps could look current */
        memset(t->stamp, 0, t->pp->n * sizeof *t->stamp);
        t->serial = 1;
    }
}

static void flush_line(rx_text *t)
{
    if (!t->have_line)
        return;
    long line_no = line_at(t, t->ls);
    qsort(t->pending, t->npending, sizeof *t->pending, cmp_u32);
    run_line(t, t->ls, t->le, line_no, t->pending, t->npending);
    t->have_line = 0;
    t->npending = 0;
    next_serial(t);
    t->done = t->le < t->n ? t->le + 1 : t->n;
}

static void add_pending(rx_text *t, uint32_t ri)
{
    if (t->stamp[ri] == t->serial)
        return;
    t->stamp[ri] = t->serial;
    t->pending[t->npending++] = ri;
}

/* A verified keyword at pos. */
static void on_keyword(rx_text *t, size_t pos, const rx_kw *k)
{
    if (pos < t->done)      /* a keyword holding '\n' across a line end: never in one line */
        return;
    if (!(t->have_line && pos < t->le)) {
        flush_line(t);
        const char *s = t->p + t->done;
        const char *nl = pos > t->done ? memrchr(s, '\n', pos - t->done) : NULL;
        size_t ls = nl ? (size_t)(nl - t->p) + 1 : t->done;
        run_always(t, t->done, ls);
        nl = memchr(t->p + pos, '\n', t->n - pos);
        t->ls = ls;
        t->le = nl ? (size_t)(nl - t->p) : t->n;
        t->have_line = 1;
        for (size_t i = 0; i < t->pp->nalways; i++)
            add_pending(t, t->pp->always[i]);
    }
    for (size_t i = 0; i < k->nrules; i++)
        add_pending(t, k->rules[i]);
}

static int ci_eq(const unsigned char *a, const unsigned char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fold(a[i]) != lit[i])
            return 0;
    return 1;
}

/* Verifies the keywords of the candidate buckets whose fingerprint may start at fpos. */
static void verify(rx_text *t, size_t fpos, unsigned buckets)
{
    const rx_prep *pp = t->pp;
    while (buckets) {
        unsigned b = (unsigned)__builtin_ctz(buckets);
        buckets &= buckets - 1;
        for (uint32_t i = pp->bstart[b]; i < pp->bstart[b + 1]; i++) {
            const rx_kw *k = &pp->kws[pp->bkw[i]];
            if (fpos < k->fpoff)
                continue;
            size_t pos = fpos - k->fpoff;
            if (k->len <= t->n - pos && ci_eq((const unsigned char *)t->p + pos, k->lit, k->len))
                on_keyword(t, pos, k);
        }
    }
}

#if RX_X86
__attribute__((target("avx2")))
static inline __m256i teddy_step(const unsigned char *p, __m256i lo, __m256i hi, __m256i nib)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)p);
    __m256i l = _mm256_shuffle_epi8(lo, _mm256_and_si256(v, nib));
    __m256i h = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
    return _mm256_and_si256(l, h);
}

/* The 32 fingerprint positions starting at blk (blk + 34 readable): verifies candidates
 * below limit; pos0 is blk's offset in the chunk. */
__attribute__((target("avx2")))
static inline void teddy_block(rx_text *t, const unsigned char *blk, size_t pos0, size_t limit,
                               const __m256i *lo, const __m256i *hi)
{
    const __m256i nib = _mm256_set1_epi8(0x0f);
    __m256i r = _mm256_and_si256(_mm256_and_si256(teddy_step(blk, lo[0], hi[0], nib),
                                                  teddy_step(blk + 1, lo[1], hi[1], nib)),
                                 teddy_step(blk + 2, lo[2], hi[2], nib));
    if (__builtin_expect(_mm256_testz_si256(r, r), 1))
        return;
    uint32_t m = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(r, _mm256_setzero_si256()));
    unsigned char bk[32];
    _mm256_storeu_si256((__m256i *)bk, r);
    while (m) {
        unsigned j = (unsigned)__builtin_ctz(m);
        m &= m - 1;
        if (pos0 + j < limit)
            verify(t, pos0 + j, bk[j]);
    }
}

__attribute__((target("avx2")))
static void teddy_avx2(rx_text *t)
{
    const rx_prep *pp = t->pp;
    const unsigned char *p = (const unsigned char *)t->p;
    size_t n = t->n, i = 0;
    __m256i lo[RX_FP], hi[RX_FP];
    for (size_t j = 0; j < RX_FP; j++) {
        lo[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)pp->lo[j]));
        hi[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)pp->hi[j]));
    }
    for (; i + 32 + RX_FP - 1 <= n; i += 32)
        teddy_block(t, p + i, i, n, lo, hi);
    if (i < n) {
        /* Tail: copy into a padded block; bytes past the end never verify (limit). */
        unsigned char tail[32 + RX_FP];
        memset(tail, 0, sizeof tail);
        memcpy(tail, p + i, n - i);
        teddy_block(t, tail, i, n, lo, hi);
    }
}
#endif

static void filter_portable(rx_text *t)
{
    const rx_prep *pp = t->pp;
    const unsigned char *p = (const unsigned char *)t->p;
    size_t n = t->n;
    unsigned all = (1u << RX_BUCKETS) - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned c0 = fold(p[i]);
        unsigned fl = pp->first[c0];
        if (!fl)
            continue;
        if (!(fl & 2)) {
            if (i + 1 >= n)
                break;
            unsigned pr = c0 << 8 | fold(p[i + 1]);
            if (!(pp->pairs[pr >> 6] >> (pr & 63) & 1))
                continue;
        }
        verify(t, i, all);
    }
}

static void *rx_text_begin(void *prep, fa_ctx *ctx, const fa_object *obj)
{
    const rx_prep *pp = prep;
    if (!pp || !pp->n)
        return NULL;
    rx_text *t = fa_xcalloc(1, sizeof *t);
    t->pp = pp;
    t->ctx = ctx;
    t->obj = obj;
    t->pending = fa_xcalloc(pp->n, sizeof *t->pending);
    t->stamp = fa_xcalloc(pp->n, sizeof *t->stamp);
    t->limited = fa_xcalloc(pp->n, 1);
    t->serial = 1;
    t->next_line = 1;
    return t;
}

static fa_status rx_text_chunk(void *tstate, const char *p, size_t n, long first_line)
{
    rx_text *t = tstate;
    if (!t || !n)
        return FA_OK;
    if (fa_ctx_cancelled(t->ctx))
        return FA_OK;
    /* Chunks are consecutive, so offsets are the sum of earlier chunks; a gap in line
     * numbers (the scanner skipped an over-long line) makes offsets unknown from then on. */
    if (t->next_line && first_line != t->next_line)
        t->base = -1;
    t->p = p;
    t->n = n;
    t->cnt_pos = 0;
    t->cnt_line = first_line;
    t->have_line = 0;
    t->done = 0;
    t->npending = 0;
    next_serial(t);
    if (t->pp->nkw) {
#if RX_X86
        if (t->pp->avx2)
            teddy_avx2(t);
        else
#endif
            filter_portable(t);
    }
    flush_line(t);
    run_always(t, t->done, n);
    /* Knowing the next first_line needs a full newline count; do it only when offsets are
     * still tracked and the chunk ended on a line end (the scanner's usual case). */
    if (t->base >= 0) {
        t->base += (int64_t)n;
        t->next_line = line_at(t, n) + (p[n - 1] == '\n' ? 0 : 1);
    } else {
        t->next_line = 0;
    }
    return FA_OK;
}

static fa_status rx_text_end(void *tstate)
{
    rx_text *t = tstate;
    if (!t)
        return FA_OK;
    if (t->md)
        pcre2_match_data_free(t->md);
    if (t->mctx)
        pcre2_match_context_free(t->mctx);
    if (t->js)
        pcre2_jit_stack_free(t->js);
    free(t->pending);
    free(t->stamp);
    free(t->limited);
    free(t);
    return FA_OK;
}

const fa_kind fa_kind_regex = {
    .name = "regex",
    .summary = "PCRE2 pattern matched per line of text, behind a shared keyword prefilter",
    .example_mode = FA_EX_TEXT,
    .parse_key = rx_parse_key,
    .finish_rule = rx_finish_rule,
    .free_rule = rx_free_rule,
    .prepare = rx_prepare,
    .release = rx_release,
    .wants = rx_wants,
    .text_begin = rx_text_begin,
    .text_chunk = rx_text_chunk,
    .text_end = rx_text_end,
};
