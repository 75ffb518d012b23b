/* Merging scan documents: one dedupe key per entry kind, stable sorting, recounted stats. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/buf.h"
#include "faceaudit/merge.h"

json_t *fa_scandoc_read(const char *file, fa_err *err)
{
    json_error_t je;
    json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        fa_err_set(err, FA_FATAL, "scan_document", "%s:%d:%d: %s", file, je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "objects")) ||
        !json_is_array(json_object_get(doc, "findings")) || !json_is_object(json_object_get(doc, "scan"))) {
        json_decref(doc);
        fa_err_set(err, FA_FATAL, "scan_document", "%s:1:1: not a faceaudit scan document (scan --format json)", file);
        return NULL;
    }
    return doc;
}

/* "path\x1fmember\x1fmember" of a location object. */
static void loc_key(json_t *loc, fa_buf *b)
{
    const char *p = json_string_value(json_object_get(loc, "path"));
    fa_buf_adds(b, p ? p : "");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(loc, "members"), i, m) {
        fa_buf_addch(b, 0x1f);
        fa_buf_adds(b, json_string_value(m) ? json_string_value(m) : "");
    }
}

static char *entry_key(const char *kind, json_t *e)
{
    fa_buf b = FA_BUF_INIT;
    loc_key(json_object_get(e, "location"), &b);
    fa_buf_addch(&b, 0x1e);
    if (!strcmp(kind, "findings")) {
        const char *fp = json_string_value(json_object_get(e, "fingerprint"));
        json_t *loc = json_object_get(e, "location");
        fa_buf_addf(&b, "%s\x1e%lld\x1e%lld", fp ? fp : "", (long long)json_integer_value(json_object_get(loc, "line")),
                    (long long)json_integer_value(json_object_get(loc, "offset")));
    } else if (!strcmp(kind, "errors")) {
        const char *c = json_string_value(json_object_get(e, "code"));
        fa_buf_adds(&b, c ? c : "");
    } else if (!strcmp(kind, "limits")) {
        const char *l = json_string_value(json_object_get(e, "limit"));
        fa_buf_adds(&b, l ? l : "");
    }
    return fa_buf_detach(&b, NULL);
}

typedef struct keyed {
    char   *key;
    json_t *v;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

/* Concatenates docs[*][kind], drops entries with a key seen before, sorts by key. */
static json_t *merge_array(json_t *const *docs, size_t n, const char *kind)
{
    keyed *all = NULL;
    size_t nall = 0, alloc = 0;
    for (size_t d = 0; d < n; d++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(docs[d], kind), i, e) {
            FA_GROW(all, nall + 1, alloc);
            all[nall].key = entry_key(kind, e);
            all[nall].v = e;
            nall++;
        }
    }
    /* mergesort-stable enough: qsort then skip equal neighbours keeps one of each */
    qsort(all, nall, sizeof *all, cmp_keyed);
    json_t *out = json_array();
    for (size_t i = 0; i < nall; i++) {
        if (!i || strcmp(all[i].key, all[i - 1].key))
            json_array_append(out, all[i].v);
        free(i ? all[i - 1].key : NULL);
    }
    if (nall)
        free(all[nall - 1].key);
    free(all);
    return out;
}

json_t *fa_merge_docs(json_t *const *docs, size_t n, const char *const *names, fa_err *err)
{
    if (!n) {
        fa_err_set(err, FA_FATAL, "usage", "nothing to merge");
        return NULL;
    }
    json_t *tool0 = json_object_get(docs[0], "tool");
    const char *digest0 = json_string_value(json_object_get(tool0, "rules_digest"));
    const char *started = NULL, *finished = NULL;
    int complete = 1;
    double seconds = 0;
    json_t *targets = json_array();
    for (size_t d = 0; d < n; d++) {
        const char *dg = json_string_value(json_object_get(json_object_get(docs[d], "tool"), "rules_digest"));
        if (digest0 && dg && strcmp(dg, digest0)) {
            json_decref(targets);
            fa_err_set(err, FA_FATAL, "merge", "%s was scanned with other rules than %s (rules_digest differs); "
                       "scan every shard with the same rule packs", names[d], names[0]);
            return NULL;
        }
        json_t *scan = json_object_get(docs[d], "scan");
        const char *a = json_string_value(json_object_get(scan, "started_at"));
        const char *b = json_string_value(json_object_get(scan, "finished_at"));
        /* RFC 3339 UTC strings of one format sort as times. */
        if (a && (!started || strcmp(a, started) < 0))
            started = a;
        if (b && (!finished || strcmp(b, finished) > 0))
            finished = b;
        if (!json_is_true(json_object_get(scan, "complete")))
            complete = 0;
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(scan, "targets"), i, t) {
            size_t k;
            json_t *u;
            int seen = 0;
            json_array_foreach(targets, k, u) seen |= json_equal(t, u);
            if (!seen)
                json_array_append(targets, t);
        }
        seconds += json_number_value(json_object_get(json_object_get(docs[d], "stats"), "seconds"));
    }
    json_t *out = json_object();
    json_t *objects = merge_array(docs, n, "objects");
    json_t *findings = merge_array(docs, n, "findings");
    json_object_set_new(out, "objects", objects);
    json_object_set_new(out, "findings", findings);
    json_object_set_new(out, "errors", merge_array(docs, n, "errors"));
    json_object_set_new(out, "limits", merge_array(docs, n, "limits"));
    /* Extra top-level arrays (e.g. bucket posture) are concatenated without duplicates. */
    for (size_t d = 0; d < n; d++) {
        const char *k;
        json_t *v;
        json_object_foreach(docs[d], k, v) {
            if (!json_is_array(v) || json_object_get(out, k))
                continue;
            json_t *acc = json_array();
            for (size_t e = 0; e < n; e++) {
                size_t i;
                json_t *x;
                json_array_foreach(json_object_get(docs[e], k), i, x) {
                    size_t m;
                    json_t *y;
                    int seen = 0;
                    json_array_foreach(acc, m, y) seen |= json_equal(x, y);
                    if (!seen)
                        json_array_append(acc, x);
                }
            }
            json_object_set_new(out, k, acc);
        }
    }
    json_int_t bytes = 0;
    size_t i;
    json_t *o;
    json_array_foreach(objects, i, o)
        bytes += json_integer_value(json_object_get(o, "size"));
    json_object_set_new(out, "stats", json_pack("{s:I,s:I,s:I,s:f,s:I}", "objects", (json_int_t)json_array_size(objects),
                                                "bytes", bytes, "findings", (json_int_t)json_array_size(findings),
                                                "seconds", seconds, "merged_documents", (json_int_t)n));
    json_object_set(out, "tool", tool0 ? tool0 : json_object());
    unsigned char r[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(r, 1, sizeof r, f) != sizeof r)
        for (int k = 0; k < 16; k++)
            r[k] = (unsigned char)(time(NULL) >> (k % 4 * 8)) ^ (unsigned char)(k * 37);
    if (f)
        fclose(f);
    char id[40];
    snprintf(id, sizeof id, "%02x%02x%02x%02x-%02x%02x-4%01x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
             r[4], r[5], r[6] & 15, r[7], (r[8] & 0x3f) | 0x80, r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
    json_object_set_new(out, "scan", json_pack("{s:s,s:s,s:s,s:o,s:b}", "id", id, "started_at", started ? started : "",
                                               "finished_at", finished ? finished : "", "targets", targets,
                                               "complete", complete));
    return out;
}
