/* Retention: per-artifact deadlines and statuses, bucket lifecycle check, manifest. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "faceaudit/csv.h"
#include "faceaudit/retention.h"

typedef struct artifact {
    const fa_sdoc_finding *first;   /* a finding on it, for the location */
    const fa_sdoc_object  *obj;     /* NULL when no document lists the object */
    char  **cats;                   /* NULL-terminated, distinct */
    size_t  ncats;
    char   *display;
} artifact;

static int cat_rank(const char *c)
{
    if (!strcmp(c, "face_template")) return 0;
    if (!strcmp(c, "face_image")) return 1;
    if (!strcmp(c, "biometric_metadata")) return 2;
    return 3;
}

static int cmp_art(const void *a, const void *b)
{
    return strcmp(((const artifact *)a)->display, ((const artifact *)b)->display);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static json_t *tjson(int has, int64_t t)
{
    char b[40];
    return has ? json_string(fa_sdoc_time_format(t, b, sizeof b)) : json_null();
}

/* Whether a lifecycle rule prefix covers a key. */
static int prefix_covers(const char *prefix, const char *key)
{
    return !strncmp(key, prefix, strlen(prefix));
}

static void lifecycle_check(json_t *buckets, json_t *bidx, const fa_scandoc *d, const artifact *a,
                            const fa_policy_rule *r, const fa_retention_opts *o)
{
    const char *path = a->first->loc.path;
    if (strncmp(path, "s3://", 5) || !r || r->max_age.n < 0)
        return;
    const char *slash = strchr(path + 5, '/');
    char *bucket = slash ? fa_xstrndup(path + 5, (size_t)(slash - path - 5)) : fa_xstrdup(path + 5);
    const char *key = slash ? slash + 1 : "";
    const fa_sdoc_bucket *b = fa_scandoc_bucket(d, bucket);
    int64_t policy_days = (fa_duration_add(o->as_of, r->max_age) - o->as_of) / 86400;
    const char *status, *lprefix = NULL;
    long exp = -1;
    if (!b || !b->lifecycle_known) {
        status = "unknown";
    } else {
        /* The soonest expiration among the rules covering the key applies. */
        for (size_t i = 0; i < b->nlifecycle; i++)
            if (b->lifecycle[i].expiration_days >= 0 && prefix_covers(b->lifecycle[i].prefix, key) &&
                (exp < 0 || b->lifecycle[i].expiration_days < exp)) {
                exp = b->lifecycle[i].expiration_days;
                lprefix = b->lifecycle[i].prefix;
            }
        status = exp < 0 ? "missing" : exp > policy_days ? "too_long" : "ok";
    }
    char dur[24];
    fa_duration_format(r->max_age, dur, sizeof dur);
    char *k = fa_xasprintf("%s\n%s\n%s", bucket, lprefix ? lprefix : "", r->id);
    json_t *ix = json_object_get(bidx, k);
    if (ix) {
        json_t *e = json_array_get(buckets, (size_t)json_integer_value(ix));
        json_object_set_new(e, "artifacts", json_integer(json_integer_value(json_object_get(e, "artifacts")) + 1));
    } else {
        char *msg;
        if (!strcmp(status, "missing"))
            msg = fa_xasprintf("bucket %s has no lifecycle expiration for objects that rule %s keeps at most %s",
                               bucket, r->id, dur);
        else if (!strcmp(status, "too_long"))
            msg = fa_xasprintf("bucket %s expires objects under '%s' after %ld days, longer than rule %s allows (%s = %lld days)",
                               bucket, lprefix, exp, r->id, dur, (long long)policy_days);
        else if (!strcmp(status, "unknown"))
            msg = fa_xasprintf("lifecycle of bucket %s unknown (no bucket posture in the scan)", bucket);
        else
            msg = fa_xasprintf("bucket %s expires objects under '%s' after %ld days, within %s", bucket,
                               lprefix, exp, dur);
        json_object_set_new(bidx, k, json_integer((json_int_t)json_array_size(buckets)));
        json_array_append_new(buckets, json_pack("{s:s,s:o,s:o,s:s,s:s,s:I,s:s,s:i,s:s}",
            "bucket", bucket, "prefix", lprefix ? json_string(lprefix) : json_null(),
            "expiration_days", exp >= 0 ? json_integer(exp) : json_null(),
            "policy_rule", r->id, "policy_max_age", dur, "policy_days", (json_int_t)policy_days,
            "status", status, "artifacts", 1, "message", msg));
        free(msg);
    }
    free(k);
    free(bucket);
}

json_t *fa_retention_build(const fa_scandoc *d, const fa_policy *p, const fa_retention_opts *o,
                           fa_err *err)
{
    if (!p) {
        fa_err_set(err, FA_FATAL, "usage", "no retention policy");
        return NULL;
    }
    /* Group findings by object. */
    json_t *idx = json_object();
    artifact *arts = NULL;
    size_t n = 0, alloc = 0;
    for (size_t i = 0; i < d->nfindings; i++) {
        const fa_sdoc_finding *f = &d->findings[i];
        if (!strcmp(f->category, "vendor_endpoint"))
            continue;
        json_t *j = json_object_get(idx, f->key);
        artifact *a;
        if (j) {
            a = &arts[json_integer_value(j)];
        } else {
            FA_GROW(arts, n + 1, alloc);
            a = &arts[n];
            memset(a, 0, sizeof *a);
            a->first = f;
            a->obj = f->object >= 0 ? &d->objects[f->object] : NULL;
            a->display = f->display;
            a->cats = fa_xcalloc(1, sizeof(char *));
            json_object_set_new(idx, f->key, json_integer((json_int_t)n));
            n++;
        }
        int have = 0;
        for (size_t c = 0; c < a->ncats; c++)
            have |= !strcmp(a->cats[c], f->category);
        if (!have) {
            a->cats = fa_xrealloc(a->cats, (a->ncats + 2) * sizeof(char *));
            /* Keep the most sensitive category first: it names the artifact. */
            size_t pos = a->ncats;
            while (pos > 0 && cat_rank(a->cats[pos - 1]) > cat_rank(f->category))
                pos--;
            memmove(&a->cats[pos + 1], &a->cats[pos], (a->ncats - pos) * sizeof(char *));
            a->cats[pos] = f->category;
            a->ncats++;
            a->cats[a->ncats] = NULL;
        }
    }
    json_decref(idx);
    qsort(arts, n, sizeof *arts, cmp_art);

    json_t *list = json_array(), *buckets = json_array(), *bidx = json_object();
    long cnt[5] = { 0 }, needs = 0;
    int64_t bytes_overdue = 0;
    static const char *names[] = { "ok", "due", "overdue", "hold", "unknown" };
    for (size_t i = 0; i < n; i++) {
        artifact *a = &arts[i];
        const fa_location *l = &a->first->loc;
        const fa_policy_hold *h = fa_policy_hold_for(p, a->display, l->path);
        const fa_policy_rule *r = fa_policy_match(p, a->display, l->path, (const char *const *)a->cats);
        int has_ts = a->obj && a->obj->has_mtime;
        int64_t ts = has_ts ? a->obj->mtime : 0, deadline = 0;
        int st;
        const char *reason = NULL;
        int has_deadline = r && r->max_age.n >= 0 && has_ts;
        if (has_deadline)
            deadline = fa_duration_add(ts, r->max_age);
        if (h) {
            st = 3;
            reason = "legal_hold";
        } else if (!r) {
            st = 4;
            reason = "no_rule";
        } else if (r->max_age.n < 0) {
            st = 4;
            reason = "needs_decision";
            needs++;
        } else if (!has_ts) {
            st = 4;
            reason = "no_timestamp";
        } else if (o->as_of >= deadline) {
            st = 2;
        } else if (deadline - o->as_of <= (int64_t)o->warn_days * 86400) {
            st = 1;
        } else {
            st = 0;
        }
        cnt[st]++;
        if (st == 2 && a->obj && a->obj->size > 0)
            bytes_overdue += a->obj->size;
        json_t *members = json_array(), *cats = json_array();
        for (size_t m = 0; m < l->nmembers; m++)
            json_array_append_new(members, json_string(l->members[m]));
        for (size_t c = 0; c < a->ncats; c++)
            json_array_append_new(cats, json_string(a->cats[c]));
        char dur[24];
        json_t *e = json_object();
        json_object_set_new(e, "location", json_string(a->display));
        json_object_set_new(e, "path", json_string(l->path));
        json_object_set_new(e, "members", members);
        /* The object record's uri when the finding lacks one. */
        const char *uri = l->uri ? l->uri : a->obj ? a->obj->loc.uri : NULL;
        json_object_set_new(e, "uri", uri ? json_string(uri) : json_null());
        json_object_set_new(e, "category", json_string(a->cats[0]));
        json_object_set_new(e, "categories", cats);
        json_object_set_new(e, "timestamp", tjson(has_ts, ts));
        json_object_set_new(e, "age_days", has_ts ? json_integer(floor_div(o->as_of - ts, 86400)) : json_null());
        json_object_set_new(e, "max_age", r && r->max_age.n >= 0
                            ? json_string(fa_duration_format(r->max_age, dur, sizeof dur)) : json_null());
        json_object_set_new(e, "deadline", tjson(has_deadline, deadline));
        json_object_set_new(e, "days_left", has_deadline ? json_integer(floor_div(deadline - o->as_of, 86400))
                                                         : json_null());
        json_object_set_new(e, "status", json_string(names[st]));
        json_object_set_new(e, "reason", reason ? json_string(reason) : json_null());
        json_object_set_new(e, "rule", r ? json_string(r->id) : json_null());
        json_object_set_new(e, "basis", r && r->basis ? json_string(r->basis) : json_null());
        json_object_set_new(e, "hold", h ? json_pack("{s:s,s:o}", "match", h->match, "reason",
                                                     h->reason ? json_string(h->reason) : json_null())
                                         : json_null());
        json_object_set_new(e, "size", a->obj && a->obj->size >= 0 ? json_integer(a->obj->size) : json_null());
        json_array_append_new(list, e);
        if (!h)
            lifecycle_check(buckets, bidx, d, a, r, o);
        free(a->cats);
    }
    free(arts);
    json_decref(bidx);
    long noncompliant = 0;
    size_t bi;
    json_t *b;
    json_array_foreach(buckets, bi, b) {
        const char *s = json_string_value(json_object_get(b, "status"));
        noncompliant += !strcmp(s, "missing") || !strcmp(s, "too_long");
    }
    size_t nerr = 0;
    for (size_t i = 0; i < d->nissues; i++)
        nerr++;
    json_t *rep = json_object();
    json_object_set_new(rep, "as_of", tjson(1, o->as_of));
    json_object_set_new(rep, "warn_days", json_integer(o->warn_days));
    json_object_set_new(rep, "policy", fa_policy_to_json(p));
    json_object_set_new(rep, "artifacts", list);
    json_object_set_new(rep, "buckets", buckets);
    json_t *sum = json_object();
    for (int s = 0; s < 5; s++)
        json_object_set_new(sum, names[s], json_integer(cnt[s]));
    json_object_set_new(sum, "needs_decision", json_integer(needs));
    json_object_set_new(sum, "artifacts", json_integer((json_int_t)n));
    json_object_set_new(sum, "bytes_overdue", json_integer(bytes_overdue));
    json_object_set_new(sum, "buckets_noncompliant", json_integer(noncompliant));
    json_object_set_new(sum, "complete", json_boolean(d->complete && !nerr));
    json_object_set_new(rep, "summary", sum);
    return rep;
}

/* ---------------------------------------------------------------- rendering */

int fa_retention_format_parse(const char *n)
{
    if (!strcmp(n, "json")) return FA_RET_JSON;
    if (!strcmp(n, "md") || !strcmp(n, "markdown")) return FA_RET_MD;
    if (!strcmp(n, "csv")) return FA_RET_CSV;
    return -1;
}

static const char *js(const json_t *o, const char *k)
{
    json_t *j = json_object_get(o, k);
    return json_is_string(j) ? json_string_value(j) : "";
}

static void num_or_blank(char *buf, size_t size, const json_t *o, const char *k)
{
    json_t *j = json_object_get(o, k);
    if (json_is_integer(j))
        snprintf(buf, size, "%lld", (long long)json_integer_value(j));
    else
        buf[0] = 0;
}

static void md_cell(fa_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fa_buf_adds(b, "\\|");
        else
            fa_buf_addch(b, *s == '\n' || *s == '\r' ? ' ' : *s);
    }
}

static void csv_field(fa_buf *b, const char *s, int last)
{
    fa_csv_cell(b, s, last, "\n");
}

static void render_md(const json_t *r, fa_buf *b)
{
    const json_t *sum = json_object_get(r, "summary"), *pol = json_object_get(r, "policy");
    fa_buf_adds(b, "# Biometric data retention report\n\n");
    fa_buf_addf(b, "As of %.10s, policy: %s", js(r, "as_of"), *js(pol, "name") ? js(pol, "name") : "(unnamed)");
    if (*js(pol, "source"))
        fa_buf_addf(b, " (`%s`)", js(pol, "source"));
    fa_buf_addf(b, "; due means within %lld days of the deadline.\n\n",
                (long long)json_integer_value(json_object_get(r, "warn_days")));
    if (!json_is_true(json_object_get(sum, "complete")))
        fa_buf_adds(b, "**The scan was incomplete: objects may be missing from this report.**\n\n");
    fa_buf_adds(b, "## Summary\n\n| Status | Objects |\n|---|---:|\n");
    static const char *st[] = { "overdue", "due", "unknown", "hold", "ok" };
    for (int i = 0; i < 5; i++)
        fa_buf_addf(b, "| %s | %lld |\n", st[i], (long long)json_integer_value(json_object_get(sum, st[i])));
    if (json_integer_value(json_object_get(sum, "needs_decision")))
        fa_buf_addf(b, "\n%lld object(s) need a decision: the policy sets no maximum age for them "
                    "(GDPR Art. 5(1)(e): the controller must set the period).\n",
                    (long long)json_integer_value(json_object_get(sum, "needs_decision")));
    size_t i;
    json_t *x;
    for (int s = 0; s < 5; s++) {
        int header = 0;
        json_array_foreach(json_object_get(r, "artifacts"), i, x) {
            if (strcmp(js(x, "status"), st[s]))
                continue;
            if (!header) {
                fa_buf_addf(b, "\n## %s\n\n| Location | Category | Timestamp | Age (days) | Max age | Deadline "
                               "| Rule | Note |\n|---|---|---|---:|---|---|---|---|\n", st[s]);
                header = 1;
            }
            char age[32];
            num_or_blank(age, sizeof age, x, "age_days");
            fa_buf_adds(b, "| ");
            md_cell(b, js(x, "location"));
            fa_buf_addf(b, " | %s | %.10s | %s | %s | %.10s | %s | ", js(x, "category"), js(x, "timestamp"),
                        age, js(x, "max_age"), js(x, "deadline"), js(x, "rule"));
            json_t *h = json_object_get(x, "hold");
            if (json_is_object(h)) {
                fa_buf_adds(b, "legal hold");
                if (*js(h, "reason")) {
                    fa_buf_adds(b, ": ");
                    md_cell(b, js(h, "reason"));
                }
            } else if (*js(x, "reason")) {
                fa_buf_adds(b, js(x, "reason"));
            }
            if (json_array_size(json_object_get(x, "members")))
                fa_buf_adds(b, (!strcmp(st[s], "overdue") ? " (archive must be rewritten)" : ""));
            fa_buf_adds(b, " |\n");
        }
    }
    json_t *buckets = json_object_get(r, "buckets");
    if (json_array_size(buckets)) {
        fa_buf_adds(b, "\n## Bucket lifecycle rules\n\n| Bucket | Prefix | Expiration (days) | Policy | Status |\n"
                       "|---|---|---:|---|---|\n");
        json_array_foreach(buckets, i, x) {
            char e[32];
            num_or_blank(e, sizeof e, x, "expiration_days");
            fa_buf_addf(b, "| %s | %s | %s | %s %s | %s |\n", js(x, "bucket"), js(x, "prefix"), *e ? e : "none",
                        js(x, "policy_rule"), js(x, "policy_max_age"), js(x, "status"));
        }
    }
    fa_buf_adds(b, "\n## Legal basis\n\n");
    json_t *rules = json_object_get(pol, "rules");
    json_array_foreach(rules, i, x)
        if (*js(x, "basis"))
            fa_buf_addf(b, "- **%s** (%s): %s\n", js(x, "id"), *js(x, "max_age") ? js(x, "max_age") : "no max age",
                        js(x, "basis"));
    json_t *dflt = json_object_get(pol, "default");
    if (json_is_object(dflt))
        fa_buf_addf(b, "- **default** (%s): %s\n", *js(dflt, "max_age") ? js(dflt, "max_age") : "max age not set",
                    *js(dflt, "basis") ? js(dflt, "basis") : "no basis given");
    fa_buf_adds(b, "\nfaceaudit never deletes: `--manifest` lists the overdue objects for review and deletion.\n");
}

static void render_csv(const json_t *r, fa_buf *b)
{
    fa_buf_adds(b, "location,category,timestamp,age_days,max_age,deadline,days_left,status,reason,rule,basis\n");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "artifacts"), i, x) {
        char age[32], left[32];
        num_or_blank(age, sizeof age, x, "age_days");
        num_or_blank(left, sizeof left, x, "days_left");
        const char *row[] = { js(x, "location"), js(x, "category"), js(x, "timestamp"), age, js(x, "max_age"),
                              js(x, "deadline"), left, js(x, "status"), js(x, "reason"), js(x, "rule"),
                              js(x, "basis") };
        for (int f = 0; f < 11; f++)
            csv_field(b, row[f], f == 10);
    }
}

fa_status fa_retention_render(const json_t *r, fa_retention_format fmt, fa_buf *out, fa_err *err)
{
    if (fmt == FA_RET_JSON) {
        char *s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!s)
            return fa_err_set(err, FA_FATAL, "json", "cannot serialise the report");
        fa_buf_adds(out, s);
        fa_buf_addch(out, '\n');
        free(s);
    } else if (fmt == FA_RET_MD) {
        render_md(r, out);
    } else {
        render_csv(r, out);
    }
    return FA_OK;
}

/* ---------------------------------------------------------------- manifest */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* file:///abs/p%20q -> "/abs/p q"; NULL when not a file URI. */
static char *file_uri_path(const char *uri)
{
    if (!uri || strncmp(uri, "file://", 7))
        return NULL;
    const char *p = uri + 7;
    if (*p != '/')
        return NULL;
    fa_buf b = FA_BUF_INIT;
    for (; *p; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            fa_buf_addch(&b, hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            fa_buf_addch(&b, *p);
        }
    }
    return fa_buf_detach(&b, NULL);
}

/* xargs splits on blanks and honours quotes and backslashes: escape all but a safe set. */
static void xargs_quote(fa_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("/._-+,:@%=~", c)))
            fa_buf_addch(b, '\\');
        fa_buf_addch(b, c);
    }
}

static void comment_safe(fa_buf *b, const char *s)
{
    for (; *s; s++)
        fa_buf_addch(b, *s == '\n' || *s == '\r' ? '?' : *s);
}

/* A single compressed stream (app.log.gz holding app.log) is one file: deleting it deletes
 * exactly the member, so it is listed like a plain file. */
static int single_stream(const char *path, const json_t *members)
{
    static const char *sfx[] = { ".gz", ".bz2", ".xz", ".zst", ".lz4", NULL };
    if (json_array_size(members) != 1)
        return 0;
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    if (strcasestr(b, ".tar") || !strncasecmp(b + (strlen(b) > 4 ? strlen(b) - 4 : 0), ".tgz", 4))
        return 0;
    size_t n = strlen(b);
    for (int i = 0; sfx[i]; i++) {
        size_t m = strlen(sfx[i]);
        if (n > m && !strcasecmp(b + n - m, sfx[i]))
            return 1;
    }
    return 0;
}

void fa_retention_manifest(const json_t *r, fa_buf *del, fa_buf *rewrite)
{
    size_t i;
    json_t *x;
    json_t *seen = json_object();
    json_array_foreach(json_object_get(r, "artifacts"), i, x) {
        if (strcmp(js(x, "status"), "overdue"))
            continue;
        char *abs = file_uri_path(js(x, "uri"));
        const char *target = abs ? abs : js(x, "path");
        json_t *members = json_object_get(x, "members");
        fa_buf line = FA_BUF_INIT;
        fa_buf *out = rewrite;   /* a note unless it is a plain deletable location */
        if (json_array_size(members) && !single_stream(target, members)) {
            comment_safe(&line, target);
            fa_buf_adds(&line, ": rewrite without member ");
            size_t m;
            json_t *mv;
            json_array_foreach(members, m, mv) {
                if (m)
                    fa_buf_addch(&line, '!');
                comment_safe(&line, json_string_value(mv));
            }
        } else if (strchr(target, '\n') || !*target) {
            fa_buf_adds(&line, "cannot list (newline in the name), delete by hand: ");
            comment_safe(&line, target);
        } else {
            /* Relative paths could start with '-': "./" keeps rm from reading an option. */
            if (target[0] == '-' || target[0] == '#')
                fa_buf_adds(&line, "./");
            xargs_quote(&line, target);
            out = del;
        }
        if (!json_object_get(seen, line.buf)) {
            json_object_set_new(seen, line.buf, json_true());
            fa_buf_add(out, line.buf, line.len);
            fa_buf_addch(out, '\n');
        }
        fa_buf_release(&line);
        free(abs);
    }
    json_decref(seen);
}
