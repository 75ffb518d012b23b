/* The `regex` rule kind through the real loader and scanner with the collecting sink:
 * keyword prefilter (SIMD and portable paths, checked against a naive reference), line
 * numbers and offsets across chunks, case folding, evidence without content, match
 * limits, loader errors, and `decode: base64` + `then:` chains (with a fake kind).
 *
 * This file supplies its own kind registry (fa_kind_lookup/count/at), so the library's
 * kinds.c is not linked in: the registry is regex plus a fake inspecting kind. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/base64.h"
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/rules.h"
#include "faceaudit/scan.h"
#include "faceaudit/sha256.h"
#include "faceaudit/sink.h"

/* ---------------------------------------------------------------- a fake `then:` kind */

/* Says "hit" for decoded bytes that start with FAKEIMG; counts its prepares. */
static int fake_prepared;
static void *fake_prepare(fa_rule *const *rules, size_t n, fa_err *err)
{
    (void)rules; (void)n; (void)err;
    fake_prepared++;
    return &fake_prepared;
}
static void fake_release(void *p) { (void)p; }
static fa_status fake_inspect(void *prep, fa_ctx *ctx, const fa_object *obj, int *hit,
                              double *confidence, json_t **evidence, char **message)
{
    (void)ctx;
    cr_assert_eq(prep, &fake_prepared);
    cr_assert_not_null(obj->loc);
    cr_assert_gt(obj->loc->line, 0);
    *hit = obj->len >= 7 && !memcmp(obj->data, "FAKEIMG", 7);
    if (*hit) {
        *confidence = 0.8;
        *evidence = json_pack("{s:I}", "fake_size", (json_int_t)obj->len);
        *message = strdup("fake image");
    }
    return FA_OK;
}
static const fa_kind fake_kind = {
    .name = "fakeimg",
    .summary = "test double",
    .example_mode = FA_EX_FILE,
    .prepare = fake_prepare,
    .release = fake_release,
    .inspect = fake_inspect,
};

extern const fa_kind fa_kind_regex;
static const fa_kind *const test_kinds[] = { &fa_kind_regex, &fake_kind };
size_t fa_kind_count(void) { return 2; }
const fa_kind *fa_kind_at(size_t i) { return i < 2 ? test_kinds[i] : NULL; }
const fa_kind *fa_kind_lookup(const char *name)
{
    for (size_t i = 0; i < 2; i++)
        if (!strcmp(test_kinds[i]->name, name))
            return test_kinds[i];
    return NULL;
}

/* ---------------------------------------------------------------- fixture helpers */

typedef struct fx {
    fa_ruleset *rs;
    fa_scanner *sc;
    fa_sink    *sink;
    const fa_collected *c;
} fx;

#define EX "    examples: {match: [a, b], no_match: [c, d]}\n"
#define RULE(id, cat) "  - id: " id "\n    kind: regex\n    category: " cat "\n" \
                      "    severity: medium\n    description: Test rule " id ". More.\n" EX

static fx load(const char *pack, const fa_scan_opts *opts)
{
    fx f = { 0 };
    fa_err err;
    f.rs = fa_ruleset_new();
    fa_status st = fa_ruleset_load_mem(f.rs, "t.yaml", pack, strlen(pack), &err);
    cr_assert_eq(st, FA_OK, "load: %s", err.msg);
    f.sc = fa_scanner_new(f.rs, opts, &err);
    cr_assert_not_null(f.sc, "scanner: %s", err.msg);
    f.sink = fa_sink_collect_new();
    f.c = fa_sink_collected(f.sink);
    return f;
}

static void scan(fx *f, const char *path, const void *data, size_t len)
{
    fa_err err;
    cr_assert_eq(fa_scanner_scan_memory(f->sc, path, data, len, f->sink, &err), FA_OK, "%s", err.msg);
}

static void done(fx *f)
{
    fa_sink_free(f->sink);
    fa_scanner_free(f->sc);
    fa_ruleset_free(f->rs);
}

static const char *ev_str(const fa_finding *fd, const char *key)
{
    return json_string_value(json_object_get(fd->evidence, key));
}

static void expect_load_error(const char *pack, const char *needle)
{
    fa_err err;
    fa_ruleset *rs = fa_ruleset_new();
    fa_status st = fa_ruleset_load_mem(rs, "bad.yaml", pack, strlen(pack), &err);
    cr_expect_lt(st, FA_WARN, "pack should not load (wanted: %s)", needle);
    cr_expect(strstr(err.msg, needle) != NULL, "message '%s' lacks '%s'", err.msg, needle);
    cr_expect(!strncmp(err.msg, "bad.yaml:", 9), "message '%s' lacks a position", err.msg);
    fa_ruleset_free(rs);
}

static const char vendor_pack[] =
    "id: t\nversion: 1\nrules:\n"
    RULE("vendor.rek", "vendor_endpoint")
    "    keywords: [rekognition]\n"
    "    pattern: '\\b(?<scheme>https?)://(?<host>rekognition(?:-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com)\\b'\n"
    "    case_insensitive: true\n    group: host\n    evidence_groups: [scheme, host]\n"
    "    metadata: {vendor: \"AWS Rekognition\"}\n"
    RULE("tmpl.embedding", "face_template")
    "    keywords: [face_embedding]\n"
    "    pattern: '\"face_embedding\"\\s*:\\s*\\[(?<vec>[-0-9.eE, ]+)\\]'\n"
    "    group: vec\n";

/* ---------------------------------------------------------------- tests */

Test(regex, vendor_finding_lines_offsets_evidence)
{
    fx f = load(vendor_pack, NULL);
    const char text[] =
        "{\"msg\":\"start\"}\n"
        "{\"url\":\"https://rekognition.us-east-1.amazonaws.com/\",\"op\":\"x\"}\n"
        "nothing here\n"
        "GET https://s3.amazonaws.com/bucket/rekognition/a.jpg\n"       /* keyword, no match */
        "POST HTTPS://REKOGNITION.EU-WEST-1.AMAZONAWS.COM/ and http://rekognition-fips.us-gov-west-1.amazonaws.com\n";
    scan(&f, "app.log", text, sizeof text - 1);
    cr_assert_eq(f.c->nfindings, 3);
    const fa_finding *a = &f.c->findings[0], *b = &f.c->findings[1], *c = &f.c->findings[2];
    cr_expect_str_eq(a->rule_id, "vendor.rek");
    cr_expect_eq(a->loc.line, 2);
    const char *m = strstr(text, "https://rekognition.us-east-1");
    cr_expect_eq(a->loc.offset, m - text);
    cr_expect_eq(a->loc.length, (int64_t)strlen("https://rekognition.us-east-1.amazonaws.com"));
    cr_expect_str_eq(ev_str(a, "host"), "rekognition.us-east-1.amazonaws.com");
    cr_expect_str_eq(ev_str(a, "scheme"), "https");
    cr_expect_str_eq(ev_str(a, "vendor"), "AWS Rekognition");
    char hex[65];
    fa_sha256_hex("rekognition.us-east-1.amazonaws.com", 35, hex);   /* group: host */
    cr_expect_str_eq(ev_str(a, "sha256"), hex);
    cr_expect_str_eq(a->message, "call to AWS Rekognition (https, rekognition.us-east-1.amazonaws.com)");
    /* case-insensitive pattern, two matches on one line, in order */
    cr_expect_eq(b->loc.line, 5);
    cr_expect_eq(c->loc.line, 5);
    cr_expect_str_eq(ev_str(b, "host"), "REKOGNITION.EU-WEST-1.AMAZONAWS.COM");
    cr_expect_str_eq(ev_str(c, "scheme"), "http");
    cr_expect_eq(c->loc.offset, strstr(text, "http://rekognition-fips") - text);
    cr_expect_str_eq(c->loc.path, "app.log");
    done(&f);
}

Test(regex, evidence_never_quotes_biometric_content)
{
    fx f = load(vendor_pack, NULL);
    const char text[] = "{\"id\":7,\"face_embedding\": [0.123456, -0.654321, 1.5e-3]}\n";
    scan(&f, "emb.jsonl", text, sizeof text - 1);
    cr_assert_eq(f.c->nfindings, 1);
    const fa_finding *fd = &f.c->findings[0];
    cr_expect_str_eq(fd->rule_id, "tmpl.embedding");
    json_t *j = fa_finding_to_json(fd);
    char *s = json_dumps(j, 0);
    cr_expect(strstr(s, "0.123456") == NULL, "finding quotes the vector: %s", s);
    cr_expect(strstr(s, "654321") == NULL);
    cr_expect(strstr(fd->message, "0.12") == NULL);
    cr_expect_str_eq(fd->message, "test rule tmpl.embedding");
    char hex[65];
    const char *vec = "0.123456, -0.654321, 1.5e-3";
    fa_sha256_hex(vec, strlen(vec), hex);
    cr_expect_str_eq(ev_str(fd, "sha256"), hex);
    free(s);
    json_decref(j);
    done(&f);
}

Test(regex, keyword_gates_and_keywordless_rules)
{
    const char pack[] =
        "id: t\nversion: 1\nrules:\n"
        RULE("gated", "biometric_metadata")
        "    keywords: [ZZKW]\n    pattern: 'tag=(\\d+)'\n"
        RULE("always", "biometric_metadata")
        "    pattern: 'person=(\\w+)'\n";
    fx f = load(pack, NULL);
    const char text[] =
        "tag=1 person=al\n"          /* no keyword: only `always` */
        "zzKw tag=2\n"               /* keyword in another case: gated runs */
        "person=bo zzkw\n"
        "tag=3\n"
        "last person=cy zzkw tag=4"; /* no final newline */
    scan(&f, "x.txt", text, sizeof text - 1);
    const char *want[][2] = { {"always", "1"}, {"gated", "2"}, {"always", "3"}, {"gated", "5"}, {"always", "5"} };   /* one line: pack order */
    cr_assert_eq(f.c->nfindings, 5);
    for (size_t i = 0; i < 5; i++) {
        cr_expect_str_eq(f.c->findings[i].rule_id, want[i][0], "finding %zu", i);
        cr_expect_eq(f.c->findings[i].loc.line, atol(want[i][1]), "finding %zu", i);
    }
    done(&f);
}

Test(regex, crlf_lines_and_dollar)
{
    const char pack[] =
        "id: t\nversion: 1\nrules:\n"
        RULE("end", "biometric_metadata")
        "    keywords: [faceid]\n    pattern: 'faceid=\\d+$'\n";
    fx f = load(pack, NULL);
    const char text[] = "a\r\nx faceid=12\r\nfaceid=9 y\r\n";
    scan(&f, "x.txt", text, sizeof text - 1);
    cr_assert_eq(f.c->nfindings, 1);
    cr_expect_eq(f.c->findings[0].loc.line, 2);
    cr_expect_eq(f.c->findings[0].loc.length, 9);
    done(&f);
}

/* The prefilter against a naive reference: many keywords (several per Teddy bucket, shared
 * prefixes, short ones), hits at every alignment, at the very end of the data, and in data
 * big enough to span several scanner chunks. */
static const char *const kws[] = {
    "rekognition", "faceapi", "face", "kairos", "luxand", "facebody", "clarifai", "betaface",
    "skybiometry", "xq", "sightengine", "iai", "visionfacex", "://api.kairos.com/", "/face/v",
    "://iai.", "~",
};
#define NKW (sizeof kws / sizeof kws[0])

static void build_many_pack(fa_buf *b)
{
    fa_buf_adds(b, "id: t\nversion: 1\nrules:\n");
    for (size_t i = 0; i < NKW; i++)
        fa_buf_addf(b, RULE("k%zu", "biometric_metadata")
                    "    keywords: ['%s']\n    pattern: '(?i)\\Q%s\\E'\n", i, i, kws[i], kws[i]);
}

static size_t count_ci(const char *line, size_t len, const char *kw)
{
    size_t n = 0, k = strlen(kw);
    for (size_t i = 0; i + k <= len; i++)
        if (!strncasecmp(line + i, kw, k)) {
            n++;          /* non-overlapping, as successive regex matches are */
            i += k - 1;
        }
    return n;
}

static void check_against_reference(int simd)
{
    if (!simd)
        setenv("FACEAUDIT_NO_SIMD", "1", 1);
    else
        unsetenv("FACEAUDIT_NO_SIMD");
    fa_buf pack = FA_BUF_INIT;
    build_many_pack(&pack);
    fx f = load(pack.buf, NULL);
    srand(42);
    fa_buf text = FA_BUF_INIT;
    const char filler[] = "abcdefghijklmnopqrstuvwxyzFACE{}\":,. 0123456789rekognitioRKLUXAN/:/:/";
    while (text.len < (3u << 20)) {   /* > 2 chunks of 1 MiB */
        size_t len = (size_t)(rand() % 300);
        for (size_t i = 0; i < len; i++) {
            if (rand() % 97 == 0) {
                const char *k = kws[rand() % NKW];
                for (const char *c = k; *c; c++)
                    fa_buf_addch(&text, rand() % 2 ? *c : (*c >= 'a' && *c <= 'z' ? *c - 32 : *c));
            } else {
                fa_buf_addch(&text, filler[rand() % (sizeof filler - 1)]);
            }
        }
        fa_buf_addch(&text, '\n');
    }
    fa_buf_adds(&text, "tail line ends with a keyword: XQ");   /* last byte, no newline */
    scan(&f, "big.txt", text.buf, text.len);

    /* reference: per line, per keyword, every case-insensitive occurrence */
    size_t ref = 0, fi = 0, lineno = 1, mism = 0;
    const char *p = text.buf, *end = text.buf + text.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        for (size_t k = 0; k < NKW; k++) {
            size_t n = count_ci(p, len, kws[k]);
            char id[16];
            snprintf(id, sizeof id, "k%zu", k);
            for (size_t j = 0; j < n; j++, ref++, fi++) {
                if (fi >= f.c->nfindings) { mism++; continue; }
                const fa_finding *fd = &f.c->findings[fi];
                if (strcmp(fd->rule_id, id) || fd->loc.line != (long)lineno ||
                    fd->loc.length != (int64_t)strlen(kws[k]) ||
                    fd->loc.offset < p - text.buf || fd->loc.offset >= p - text.buf + (long)len ||
                    strncasecmp(text.buf + fd->loc.offset, kws[k], strlen(kws[k])))
                    mism++;
            }
        }
        lineno++;
        p += len + 1;
    }
    cr_expect_gt(ref, 1000u);
    cr_expect_eq(f.c->nfindings, ref, "simd=%d: %zu findings, reference %zu", simd, f.c->nfindings, ref);
    cr_expect_eq(mism, 0u, "simd=%d: %zu findings differ from the reference", simd, mism);
    const fa_finding *last = &f.c->findings[f.c->nfindings - 1];
    cr_expect_str_eq(last->rule_id, "k9");
    cr_expect_eq(last->loc.offset, (int64_t)text.len - 2);
    fa_buf_release(&text);
    fa_buf_release(&pack);
    done(&f);
    unsetenv("FACEAUDIT_NO_SIMD");
}

Test(regex, prefilter_matches_reference_simd) { check_against_reference(1); }
Test(regex, prefilter_matches_reference_portable) { check_against_reference(0); }

Test(regex, catastrophic_pattern_hits_limit_once_and_scan_goes_on)
{
    const char pack[] =
        "id: t\nversion: 1\nrules:\n"
        RULE("evil", "biometric_metadata")
        "    keywords: [aaaa]\n    pattern: '(a+)+$'\n"
        RULE("fine", "biometric_metadata")
        "    keywords: [person]\n    pattern: 'person=\\w+'\n";
    fx f = load(pack, NULL);
    fa_buf text = FA_BUF_INIT;
    for (int l = 0; l < 3; l++) {
        for (int i = 0; i < 40; i++)
            fa_buf_addch(&text, 'a');
        fa_buf_adds(&text, "b person=x\n");
    }
    fa_buf_adds(&text, "aaaa\n");   /* a line the evil rule matches quickly */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    scan(&f, "evil.txt", text.buf, text.len);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect_lt(secs, 5.0, "took %.2f s", secs);
    cr_assert_eq(f.c->nerrors, 1, "one regex_limit error per object and rule");
    cr_expect_str_eq(f.c->errors[0].code, "regex_limit");
    cr_expect_eq(f.c->errors[0].loc.line, 1);
    cr_expect(strstr(f.c->errors[0].message, "evil") != NULL);
    cr_expect(strstr(f.c->errors[0].message, "aaaa") == NULL, "no content in errors");
    size_t fine = 0, evil = 0;
    for (size_t i = 0; i < f.c->nfindings; i++) {
        if (!strcmp(f.c->findings[i].rule_id, "fine")) fine++;
        if (!strcmp(f.c->findings[i].rule_id, "evil")) {
            evil++;
            cr_expect_eq(f.c->findings[i].loc.line, 4);
        }
    }
    cr_expect_eq(fine, 3u);
    cr_expect_eq(evil, 1u);
    fa_buf_release(&text);
    done(&f);
}

Test(regex, offsets_across_chunks)
{
    const char pack[] =
        "id: t\nversion: 1\nrules:\n"
        RULE("m", "biometric_metadata")
        "    keywords: [marker]\n    pattern: 'marker(\\d+)'\n";
    fx f = load(pack, NULL);
    fa_buf text = FA_BUF_INIT;
    size_t want_off[4];
    long want_line[4];
    long line = 1;
    for (int k = 0; k < 4; k++) {
        while (text.len < (size_t)k * 900000 + 500000) {
            fa_buf_adds(&text, "{\"level\":\"info\",\"msg\":\"filler line with nothing in it\"}\n");
            line++;
        }
        fa_buf_adds(&text, "x ");
        want_off[k] = text.len;
        want_line[k] = line;
        fa_buf_addf(&text, "marker%d\n", k);
        line++;
    }
    scan(&f, "chunks.log", text.buf, text.len);
    cr_assert_eq(f.c->nfindings, 4);
    for (int k = 0; k < 4; k++) {
        cr_expect_eq(f.c->findings[k].loc.line, want_line[k], "finding %d", k);
        cr_expect_eq(f.c->findings[k].loc.offset, (int64_t)want_off[k], "finding %d", k);
    }
    fa_buf_release(&text);
    done(&f);
}

static const char chain_pack[] =
    "id: t\nversion: 1\nrules:\n"
    RULE("blob", "face_image")
    "    keywords: ['data:image/']\n"
    "    pattern: 'data:image/[a-z]+;base64,(?<b64>[A-Za-z0-9+/=\\\\]+)'\n"
    "    group: b64\n    decode: base64\n    then: fakeimg\n";

Test(regex, decode_then_chain)
{
    fx f = load(chain_pack, NULL);
    /* "FAKEIMG-payload-0123456789" and a non-matching payload, JSON-escaped with \/ and \n */
    const char *plain = "FAKEIMG\xff\xff\xff-payload?>0123456789";
    char b64[128];
    {
        static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const unsigned char *s = (const unsigned char *)plain;
        size_t n = strlen(plain), o = 0;
        for (size_t i = 0; i < n; i += 3) {
            unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                         (i + 2 < n ? s[i + 2] : 0);
            b64[o++] = al[v >> 18 & 63];
            b64[o++] = al[v >> 12 & 63];
            b64[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
            b64[o++] = i + 2 < n ? al[v & 63] : '=';
        }
        b64[o] = 0;
    }
    cr_assert(strchr(b64, '/') != NULL, "test data should exercise \\/ escapes: %s", b64);
    fa_buf esc = FA_BUF_INIT;
    for (const char *c = b64; *c; c++) {
        if (*c == '/')
            fa_buf_adds(&esc, "\\/");
        else
            fa_buf_addch(&esc, *c);
        if (c - b64 == 8)
            fa_buf_adds(&esc, "\\n");
    }
    fa_buf text = FA_BUF_INIT;
    fa_buf_addf(&text, "{\"a\":1}\n{\"img\":\"data:image/jpeg;base64,%s\"}\n", esc.buf);
    fa_buf_adds(&text, "{\"img\":\"data:image/png;base64,T1RIRVJTVFVGRg==\"}\n");   /* OTHERSTUFF */
    scan(&f, "blobs.jsonl", text.buf, text.len);
    cr_assert_eq(f.c->nfindings, 1);
    const fa_finding *fd = &f.c->findings[0];
    cr_expect_str_eq(fd->rule_id, "blob");
    cr_expect_eq(fd->loc.line, 2);
    cr_expect_float_eq(fd->confidence, 0.8, 1e-9);
    char hex[65];
    fa_sha256_hex(plain, strlen(plain), hex);
    cr_expect_str_eq(ev_str(fd, "sha256"), hex, "evidence.sha256 is over the decoded bytes");
    cr_expect_eq(json_integer_value(json_object_get(fd->evidence, "decoded_bytes")), (json_int_t)strlen(plain));
    cr_expect_eq(json_integer_value(json_object_get(fd->evidence, "fake_size")), (json_int_t)strlen(plain));
    cr_expect(strstr(fd->message, "fake image") != NULL, "%s", fd->message);
    char *dump = json_dumps(fd->evidence, 0);
    cr_expect(strstr(dump, b64) == NULL && strstr(dump, "FAKEIMG") == NULL);
    free(dump);
    cr_expect_eq(fake_prepared, 1, "the then: kind is prepared once, lazily");
    fa_buf_release(&text);
    fa_buf_release(&esc);
    done(&f);
}

Test(regex, decode_respects_max_decoded)
{
    fa_scan_opts o;
    fa_scan_opts_init(&o);
    fa_err err;
    cr_assert_eq(fa_limits_set(&o.limits, FA_LIM_MAX_DECODED, "16", &err), FA_OK, "%s", err.msg);
    fx f = load(chain_pack, &o);
    /* base64 of "FAKEIMG" + 40 bytes: decodes to 47 > 16 */
    const char text[] = "data:image/jpeg;base64,RkFLRUlNR0FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n";
    scan(&f, "big.txt", text, sizeof text - 1);
    cr_expect_eq(f.c->nfindings, 0);
    cr_assert_eq(f.c->nlimits, 1);
    cr_expect_str_eq(f.c->limits[0].limit, "max_decoded");
    cr_expect_eq(f.c->limits[0].loc.line, 1);
    done(&f);
}

Test(regex, loader_errors)
{
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'a(b'\n", "bad.yaml:10:");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'a(b'\n", "missing closing parenthesis");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: '(?<h>x)'\n    group: host\n", "group 'host' is not a named group");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "face_template")
                      "    pattern: '(?<v>x)'\n    evidence_groups: [v]\n",
                      "evidence_groups is not allowed on a face_template rule");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "face_image")
                      "    pattern: '(?<v>x)'\n    evidence_groups: v\n", "not allowed on a face_image");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: '(?<v>x)'\n    evidence_groups: [w]\n", "'w' is not a named group");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'x'\n    decode: base64\n", "decode needs then");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'x'\n    decode: hex\n", "decode must be base64");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'x'\n    then: nosuchkind\n", "unknown kind 'nosuchkind'");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'x'\n    then: regex\n", "cannot inspect");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    case_insensitive: true\n", "needs a pattern");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'x'\n    globby: 1\n", "unknown key 'globby'");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: '(*UTF)x'\n", "bad.yaml:10:");
    expect_load_error("id: t\nversion: 1\nrules:\n" RULE("r", "vendor_endpoint")
                      "    pattern: 'x'\n    metadata: {sha256: x}\n", "cannot be an evidence key");
}

Test(regex, invalid_utf8_and_nul_free_binary_lines)
{
    /* Bytes that are not UTF-8 inside a text object must not break matching or output. */
    const char pack[] =
        "id: t\nversion: 1\nrules:\n"
        RULE("v", "vendor_endpoint")
        "    keywords: [kairos]\n    pattern: '(?<host>api\\.kairos\\.com)(?<path>/\\S*)'\n"
        "    evidence_groups: [host, path]\n";
    fx f = load(pack, NULL);
    const char text[] = "ok line\nGET https://api.kairos.com/enroll\xff\xfe?x=1 \xc3\xa9\n";
    scan(&f, "weird.log", text, sizeof text - 1);
    if (f.c->nobjects && strcmp(f.c->objects[0].type, "text/plain") != 0) {
        /* the sniffer calls it binary: then the regex kind must not have run */
        cr_expect_eq(f.c->nfindings, 0);
    } else {
        cr_assert_eq(f.c->nfindings, 1);
        cr_expect_str_eq(ev_str(&f.c->findings[0], "path"), "/enroll???x=1");
    }
    done(&f);
}
