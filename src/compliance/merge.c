/* Merging scan documents: the scan's own order (top-level objects in walk order, each
 * object's entries as its document lists them), one dedupe key per entry kind, recounted
 * stats, and a shard check so that a missing part never passes as a complete scan. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/buf.h"
#include "faceaudit/merge.h"
#include "faceaudit/uuid.h"

json_t *fa_scandoc_read(const char *file, fa_err *err)
{
    int is_stdin = !strcmp(file, "-");
    FILE *f = is_stdin ? stdin : fopen(file, "rb");
    if (!f) {
        fa_err_set(err, FA_FATAL, "scan_document", "%s: %s", file, strerror(errno));
        return NULL;
    }
    json_error_t je;
    json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    if (!is_stdin)
        fclose(f);
    if (!doc) {
        if (je.line > 0)
            fa_err_set(err, FA_FATAL, "scan_document", "%s:%d:%d: %s", file, je.line, je.column, je.text);
        else
            fa_err_set(err, FA_FATAL, "scan_document", "%s: %s", file, je.text);
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

static void warn(json_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_t *w, const char *fmt, ...)
{
    fa_buf b = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    json_array_append_new(w, json_string(b.buf));
    fa_buf_release(&b);
}

/* ---------------------------------------------------------------- order and dedupe */

/* "path\x1fmember\x1fmember" of a location object. */
static void loc_key(json_t *loc, fa_buf *b)
{
    const char *t = json_string_value(json_object_get(loc, "target"));
    const char *p = json_string_value(json_object_get(loc, "path"));
    fa_buf_adds(b, t ? t : "");
    fa_buf_addch(b, 0x1f);
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
        const char *rule = json_string_value(json_object_get(e, "rule_id"));
        json_t *loc = json_object_get(e, "location");
        fa_buf_addf(&b, "%s\x1e%s\x1e%lld\x1e%lld", fp ? fp : "", rule ? rule : "",
                    (long long)json_integer_value(json_object_get(loc, "line")),
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

typedef struct item {
    size_t      target;   /* index in the joined targets; SIZE_MAX = none (sorts last) */
    const char *path;
    size_t      doc, pos;
    json_t     *v;
} item;

/* The filesystem walk sorts each folder's names with strcmp, so paths compare component by
 * component: '/' ranks below every other byte. S3 lists keys in plain byte order. */
static int walk_cmp(const char *a, const char *b)
{
    if (!strncmp(a, "s3://", 5) && !strncmp(b, "s3://", 5))
        return strcmp(a, b);
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *p == *q) {
        p++;
        q++;
    }
    int x = *p == '/' ? 1 : *p ? *p + 1 : 0;
    int y = *q == '/' ? 1 : *q ? *q + 1 : 0;
    return x - y;
}

static int cmp_item(const void *va, const void *vb)
{
    const item *a = va, *b = vb;
    if (a->target != b->target)
        return a->target < b->target ? -1 : 1;
    int c = walk_cmp(a->path, b->path);
    if (c)
        return c;
    if (a->doc != b->doc)
        return a->doc < b->doc ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static size_t target_index(json_t *targets, json_t *loc)
{
    json_t *t = json_object_get(loc, "target");
    size_t i;
    json_t *u;
    json_array_foreach(targets, i, u)
        if (json_equal(t, u))
            return i;
    return SIZE_MAX;
}

/* docs[*][kind] in the scan's order, without duplicates. */
static json_t *merge_array(json_t *const *docs, size_t n, const char *kind, json_t *targets)
{
    item *all = NULL;
    size_t nall = 0, alloc = 0;
    for (size_t d = 0; d < n; d++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(docs[d], kind), i, e) {
            json_t *loc = json_object_get(e, "location");
            const char *p = json_string_value(json_object_get(loc, "path"));
            FA_GROW(all, nall + 1, alloc);
            all[nall++] = (item){ target_index(targets, loc), p ? p : "", d, i, e };
        }
    }
    if (nall)
        qsort(all, nall, sizeof *all, cmp_item);
    json_t *out = json_array(), *seen = json_object();
    for (size_t i = 0; i < nall; i++) {
        char *key = entry_key(kind, all[i].v);
        if (!json_object_get(seen, key)) {
            json_object_set_new_nocheck(seen, key, json_true());
            json_array_append(out, all[i].v);
        }
        free(key);
    }
    json_decref(seen);
    free(all);
    return out;
}

/* ---------------------------------------------------------------- shards */

static void list_numbers(fa_buf *b, const unsigned char *marks, long count, unsigned char want)
{
    int first = 1;
    for (long k = 1; k <= count; k++)
        if (marks[k] == want || (want == 2 && marks[k] > 2)) {
            fa_buf_addf(b, "%s%ld", first ? "" : ", ", k);
            first = 0;
        }
}

/* Returns 1 when the shards, if any, make up whole scans; warnings otherwise. */
static int check_shards(json_t *const *docs, size_t n, const char *const *names, json_t *w)
{
    long count = 0;
    size_t nsharded = 0, first_sharded = 0, first_plain = SIZE_MAX;
    int ok = 1, mixed_n = 0;
    for (size_t d = 0; d < n; d++) {
        json_t *sh = json_object_get(json_object_get(docs[d], "scan"), "shard");
        if (!sh || json_is_null(sh)) {
            if (first_plain == SIZE_MAX)
                first_plain = d;
            continue;
        }
        json_t *ji = json_object_get(sh, "index"), *jc = json_object_get(sh, "count");
        long k = json_is_integer(ji) ? (long)json_integer_value(ji) : 0;
        long c = json_is_integer(jc) ? (long)json_integer_value(jc) : 0;
        if (c < 1 || c > 1000000 || k < 1 || k > c) {
            warn(w, "%s: scan.shard is not {\"index\": K, \"count\": N} with 1 <= K <= N", names[d]);
            ok = 0;
            continue;
        }
        if (!nsharded++) {
            first_sharded = d;
            count = c;
        } else if (c != count) {
            if (!mixed_n)
                warn(w, "%s is shard %ld/%ld but %s is a shard of %ld: they are not parts of one scan",
                     names[d], k, c, names[first_sharded], count);
            mixed_n = 1;
            ok = 0;
        }
    }
    if (!nsharded)
        return ok;
    if (first_plain != SIZE_MAX)
        warn(w, "mixing sharded (%s) and unsharded (%s) documents; complete is judged on the shards alone",
             names[first_sharded], names[first_plain]);
    if (mixed_n)
        return 0;
    json_t *targets0 = json_object_get(json_object_get(docs[first_sharded], "scan"), "targets");
    unsigned char *marks = fa_xcalloc((size_t)count + 1, 1);
    for (size_t d = 0; d < n; d++) {
        json_t *scan = json_object_get(docs[d], "scan");
        json_t *sh = json_object_get(scan, "shard");
        json_t *ji = json_object_get(sh, "index");
        long k = json_is_integer(ji) ? (long)json_integer_value(ji) : 0;
        if (!sh || k < 1 || k > count || json_integer_value(json_object_get(sh, "count")) != count)
            continue;
        if (marks[k] < 255)
            marks[k]++;
        if (!json_equal(json_object_get(scan, "targets"), targets0)) {
            warn(w, "%s (shard %ld/%ld) scanned other targets than %s: the shards are not parts of one scan",
                 names[d], k, count, names[first_sharded]);
            ok = 0;
        }
    }
    fa_buf b = FA_BUF_INIT;
    int missing = 0, dup = 0;
    for (long k = 1; k <= count; k++) {
        missing |= !marks[k];
        dup |= marks[k] > 1;
    }
    if (missing) {
        list_numbers(&b, marks, count, 0);
        warn(w, "missing shard%s %s of %ld: the merged scan is incomplete", strchr(b.buf, ',') ? "s" : "", b.buf,
             count);
        ok = 0;
    }
    if (dup) {
        fa_buf_reset(&b);
        list_numbers(&b, marks, count, 2);
        warn(w, "shard%s %s of %ld given more than once: the merged scan is not marked complete",
             strchr(b.buf, ',') ? "s" : "", b.buf, count);
        ok = 0;
    }
    fa_buf_release(&b);
    free(marks);
    return ok;
}

/* ---------------------------------------------------------------- merge */

static json_int_t stat_int(json_t *doc, const char *k)
{
    return json_integer_value(json_object_get(json_object_get(doc, "stats"), k));
}

json_t *fa_merge_docs(json_t *const *docs, size_t n, const char *const *names, json_t **warnings, fa_err *err)
{
    if (warnings)
        *warnings = NULL;
    if (!n) {
        fa_err_set(err, FA_FATAL, "usage", "nothing to merge");
        return NULL;
    }
    json_t *tool0 = json_object_get(docs[0], "tool");
    const char *digest0 = json_string_value(json_object_get(tool0, "rules_digest"));
    const char *version0 = json_string_value(json_object_get(tool0, "version"));
    const char *started = NULL, *finished = NULL;
    int complete = 1, version_warned = 0;
    double seconds = 0;
    json_int_t read_bytes = 0, carried = 0, suppressed = 0;
    json_t *targets = json_array(), *w = json_array();
    for (size_t d = 0; d < n; d++) {
        json_t *tool = json_object_get(docs[d], "tool");
        const char *dg = json_string_value(json_object_get(tool, "rules_digest"));
        if (digest0 && dg && strcmp(dg, digest0)) {
            json_decref(targets);
            json_decref(w);
            fa_err_set(err, FA_FATAL, "merge", "%s was scanned with other rules than %s (rules_digest differs); "
                       "scan every shard with the same rule packs", names[d], names[0]);
            return NULL;
        }
        const char *ver = json_string_value(json_object_get(tool, "version"));
        if (version0 && ver && strcmp(ver, version0) && !version_warned++)
            warn(w, "%s was written by faceaudit %s, %s by %s: results may differ between versions", names[d], ver,
                 names[0], version0);
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
        read_bytes += stat_int(docs[d], "read_bytes");
        carried += stat_int(docs[d], "carried_over");
        suppressed += stat_int(docs[d], "suppressed");
    }
    if (!check_shards(docs, n, names, w))
        complete = 0;

    /* Members in the order a scan writes them: objects, findings, errors, limits, other
     * arrays, stats, tool, scan. */
    json_t *out = json_object();
    json_t *objects = merge_array(docs, n, "objects", targets);
    json_t *findings = merge_array(docs, n, "findings", targets);
    json_t *errors = merge_array(docs, n, "errors", targets);
    json_t *limits = merge_array(docs, n, "limits", targets);
    json_object_set_new(out, "objects", objects);
    json_object_set_new(out, "findings", findings);
    json_object_set_new(out, "errors", errors);
    json_object_set_new(out, "limits", limits);
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
    /* The keys of a scan's stats, in its order, then merged_documents. */
    json_object_set_new(out, "stats",
                        json_pack("{s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I}",
                                  "objects", (json_int_t)json_array_size(objects), "bytes", bytes,
                                  "findings", (json_int_t)json_array_size(findings), "seconds", seconds,
                                  "read_bytes", read_bytes, "carried_over", carried, "suppressed", suppressed,
                                  "errors", (json_int_t)json_array_size(errors),
                                  "limits", (json_int_t)json_array_size(limits), "merged_documents", (json_int_t)n));
    json_object_set_new(out, "tool", tool0 ? json_incref(tool0) : json_object());
    char id[40];
    fa_uuid4(id);
    json_object_set_new(out, "scan", json_pack("{s:s,s:s,s:s,s:o,s:b}", "id", id, "started_at", started ? started : "",
                                               "finished_at", finished ? finished : "", "targets", targets,
                                               "complete", complete));
    if (warnings && json_array_size(w))
        *warnings = json_incref(w);
    json_decref(w);
    return out;
}
