/* Scan documents: load with jansson, validate the fields inventory/retention use, merge.
 * jansson keeps no source positions on values, so a field of the wrong shape is located
 * again in the text by a small JSON walker (jpos_*) to report file:line:column. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/buf.h"
#include "faceaudit/scandoc.h"

/* ---------------------------------------------------------------- time helpers */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: no timegm()/TZ dependence. */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int num(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int mdays(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int parse_clf(const char *s, int64_t *out)
{
    static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int d, y, H, M, S, m = 0, tzh, tzm;
    const char *p = s;
    if (num(&p, 2, &d) || *p++ != '/')
        return -1;
    for (m = 0; m < 12; m++)
        if (!strncmp(p, mon[m], 3))
            break;
    if (m == 12)
        return -1;
    p += 3;
    if (*p++ != '/' || num(&p, 4, &y) || *p++ != ':' || num(&p, 2, &H) || *p++ != ':' ||
        num(&p, 2, &M) || *p++ != ':' || num(&p, 2, &S))
        return -1;
    int64_t off = 0;
    if (*p == ' ') {
        p++;
        int sign = *p == '-' ? -1 : 1;
        if (*p != '+' && *p != '-')
            return -1;
        p++;
        if (num(&p, 2, &tzh) || num(&p, 2, &tzm))
            return -1;
        off = sign * (tzh * 3600 + tzm * 60);
    }
    if (*p || d < 1 || d > mdays(y, m + 1) || H > 23 || M > 59 || S > 60)
        return -1;
    *out = days_from_civil(y, (unsigned)m + 1, (unsigned)d) * 86400 + H * 3600 + M * 60 + S - off;
    return 0;
}

int fa_sdoc_time_parse(const char *s, int64_t *out)
{
    if (!s)
        return -1;
    int y, m, d, H = 0, M = 0, S = 0;
    const char *p = s;
    if (num(&p, 4, &y) || *p++ != '-' || num(&p, 2, &m) || *p++ != '-' || num(&p, 2, &d))
        return parse_clf(s, out);
    if (m < 1 || m > 12 || d < 1 || d > mdays(y, m))
        return -1;
    int64_t off = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (num(&p, 2, &H) || *p++ != ':' || num(&p, 2, &M))
            return -1;
        if (*p == ':') {
            p++;
            if (num(&p, 2, &S))
                return -1;
        }
        if (*p == '.' || *p == ',') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            while (isdigit((unsigned char)*p))
                p++;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, tzh, tzm = 0;
            p++;
            if (num(&p, 2, &tzh))
                return -1;
            if (*p == ':')
                p++;
            if (*p && num(&p, 2, &tzm))
                return -1;
            off = sign * (tzh * 3600 + tzm * 60);
        }
        if (H > 23 || M > 59 || S > 60)
            return -1;
    }
    if (*p)
        return -1;
    *out = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + H * 3600 + M * 60 + S - off;
    return 0;
}

char *fa_sdoc_time_format(int64_t t, char *buf, size_t size)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    /* civil_from_days (Hinnant) */
    int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    return buf;
}

/* ---------------------------------------------------------------- positions */

/* A path into the document: object keys and array indexes, outermost first. */
typedef struct jstep { const char *key; long idx; } jstep;
typedef struct jpath { jstep s[12]; int n; } jpath;

static void jp_push_key(jpath *p, const char *k) { if (p->n < 12) p->s[p->n++] = (jstep){ k, -1 }; }
static void jp_push_idx(jpath *p, long i)        { if (p->n < 12) p->s[p->n++] = (jstep){ NULL, i }; }
static void jp_pop(jpath *p)                     { if (p->n) p->n--; }

static void jp_format(const jpath *p, fa_buf *out)
{
    for (int i = 0; i < p->n; i++) {
        if (p->s[i].key)
            fa_buf_addf(out, "%s%s", i ? "." : "", p->s[i].key);
        else
            fa_buf_addf(out, "[%ld]", p->s[i].idx);
    }
}

typedef struct jcur { const char *p, *end; } jcur;

static void jc_ws(jcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int jc_string(jcur *c, const char **start, size_t *len)
{
    if (c->p >= c->end || *c->p != '"')
        return -1;
    const char *s = ++c->p;
    while (c->p < c->end && *c->p != '"') {
        if (*c->p == '\\')
            c->p++;
        c->p++;
    }
    if (c->p >= c->end)
        return -1;
    if (start)
        *start = s;
    if (len)
        *len = (size_t)(c->p - s);
    c->p++;
    return 0;
}

static int jc_skip(jcur *c)
{
    jc_ws(c);
    if (c->p >= c->end)
        return -1;
    if (*c->p == '"')
        return jc_string(c, NULL, NULL);
    if (*c->p == '{' || *c->p == '[') {
        /* Skip a container by counting brackets outside strings. */
        int depth = 0;
        while (c->p < c->end) {
            char ch = *c->p;
            if (ch == '"') {
                if (jc_string(c, NULL, NULL))
                    return -1;
                continue;
            }
            if (ch == '{' || ch == '[')
                depth++;
            else if (ch == '}' || ch == ']')
                depth--;
            c->p++;
            if (!depth)
                return 0;
        }
        return -1;
    }
    while (c->p < c->end && !strchr(",]} \t\r\n", *c->p))
        c->p++;
    return 0;
}

/* Offset of the value at path in the text, or -1. */
static long jpos_find(const char *text, size_t len, const jpath *path)
{
    jcur c = { text, text + len };
    for (int i = 0; i < path->n; i++) {
        jc_ws(&c);
        if (c.p >= c.end)
            return -1;
        if (path->s[i].key) {
            if (*c.p != '{')
                return -1;
            c.p++;
            for (;;) {
                jc_ws(&c);
                const char *k;
                size_t kl;
                if (jc_string(&c, &k, &kl))
                    return -1;
                jc_ws(&c);
                if (c.p >= c.end || *c.p != ':')
                    return -1;
                c.p++;
                if (kl == strlen(path->s[i].key) && !memcmp(k, path->s[i].key, kl))
                    break;
                if (jc_skip(&c))
                    return -1;
                jc_ws(&c);
                if (c.p >= c.end || *c.p != ',')
                    return -1;
                c.p++;
            }
        } else {
            if (*c.p != '[')
                return -1;
            c.p++;
            for (long k = 0; k < path->s[i].idx; k++) {
                if (jc_skip(&c))
                    return -1;
                jc_ws(&c);
                if (c.p >= c.end || *c.p != ',')
                    return -1;
                c.p++;
            }
        }
    }
    jc_ws(&c);
    return (long)(c.p - text);
}

typedef struct vctx {
    const char *file;
    const char *text;
    size_t      len;
    jpath       path;
    fa_err     *err;
} vctx;

__attribute__((format(printf, 2, 3)))
static fa_status verr(vctx *v, const char *fmt, ...)
{
    fa_buf m = FA_BUF_INIT;
    long off = jpos_find(v->text, v->len, &v->path);
    /* A missing member is reported at its parent, which is where the reader looks. */
    jpath parent = v->path;
    while (off < 0 && parent.n > 0) {
        parent.n--;
        off = jpos_find(v->text, v->len, &parent);
    }
    long line = 1, col = 1;
    for (long i = 0; i < off && (size_t)i < v->len; i++) {
        if (v->text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (off >= 0)
        fa_buf_addf(&m, "%s:%ld:%ld: ", v->file, line, col);
    else
        fa_buf_addf(&m, "%s: ", v->file);
    if (v->path.n) {
        jp_format(&v->path, &m);
        fa_buf_adds(&m, ": ");
    }
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&m, fmt, ap);
    va_end(ap);
    fa_err_set(v->err, FA_FATAL, "scan_document", "%s", m.buf);
    fa_buf_release(&m);
    return FA_FATAL;
}

/* ---------------------------------------------------------------- validation */

static const char *jtype(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Optional string member: absent or null -> *out NULL. */
static fa_status opt_str(vctx *v, const json_t *obj, const char *key, const char **out)
{
    json_t *j = json_object_get(obj, key);
    *out = NULL;
    if (!j || json_is_null(j))
        return FA_OK;
    if (!json_is_string(j)) {
        jp_push_key(&v->path, key);
        return verr(v, "must be a string, not %s", jtype(j));
    }
    *out = json_string_value(j);
    return FA_OK;
}

static fa_status req_str(vctx *v, const json_t *obj, const char *key, const char **out)
{
    if (opt_str(v, obj, key, out))
        return FA_FATAL;
    if (!*out) {
        jp_push_key(&v->path, key);
        return verr(v, "required string is missing");
    }
    return FA_OK;
}

static fa_status parse_location(vctx *v, const json_t *parent, fa_location *loc)
{
    fa_location_init(loc);
    json_t *l = json_object_get(parent, "location");
    jp_push_key(&v->path, "location");
    if (!json_is_object(l))
        return l ? verr(v, "must be an object, not %s", jtype(l)) : verr(v, "required object is missing");
    const char *path, *target, *uri;
    if (req_str(v, l, "path", &path) || opt_str(v, l, "target", &target) || opt_str(v, l, "uri", &uri))
        return FA_FATAL;
    json_t *members = json_object_get(l, "members");
    if (members && !json_is_null(members)) {
        jp_push_key(&v->path, "members");
        if (!json_is_array(members))
            return verr(v, "must be an array of strings, not %s", jtype(members));
        for (size_t i = 0; i < json_array_size(members); i++) {
            json_t *m = json_array_get(members, i);
            if (!json_is_string(m)) {
                jp_push_idx(&v->path, (long)i);
                fa_location_free(loc);
                return verr(v, "must be a string, not %s", jtype(m));
            }
            fa_location_push_member(loc, json_string_value(m));
        }
        jp_pop(&v->path);
    }
    json_t *line = json_object_get(l, "line");
    if (line && !json_is_null(line)) {
        if (!json_is_integer(line) || json_integer_value(line) < 1) {
            jp_push_key(&v->path, "line");
            fa_location_free(loc);
            return verr(v, "must be a positive integer or null");
        }
        loc->line = (long)json_integer_value(line);
    }
    loc->path = fa_xstrdup(path);
    loc->target = target ? fa_xstrdup(target) : NULL;
    loc->uri = uri ? fa_xstrdup(uri) : NULL;
    jp_pop(&v->path);
    return FA_OK;
}

/* The identity of an object across documents: its URI (absolute: "samples" scanned from
 * two folders, or as "/abs/samples", is one object) and member chain; the path only where a
 * document gives no URI (stdin). */
static char *loc_display(const fa_location *l)
{
    fa_buf b = FA_BUF_INIT;
    fa_location_display(l, &b);
    return fa_buf_detach(&b, NULL);
}

static char *loc_key(const fa_location *l)
{
    if (!l->uri || !*l->uri)
        return loc_display(l);
    fa_buf b = FA_BUF_INIT;
    fa_buf_adds(&b, l->uri);
    for (size_t i = 0; i < l->nmembers; i++) {
        fa_buf_addch(&b, '!');
        fa_buf_adds(&b, l->members[i]);
    }
    return fa_buf_detach(&b, NULL);
}

static fa_status opt_time(vctx *v, const json_t *obj, const char *key, int *has, int64_t *out)
{
    const char *s;
    *has = 0;
    if (opt_str(v, obj, key, &s))
        return FA_FATAL;
    if (!s)
        return FA_OK;
    if (fa_sdoc_time_parse(s, out)) {
        jp_push_key(&v->path, key);
        return verr(v, "not an RFC 3339 timestamp: \"%.40s\"", s);
    }
    *has = 1;
    return FA_OK;
}

static fa_tri tri_of(vctx *v, const json_t *obj, const char *key, fa_status *st)
{
    json_t *j = json_object_get(obj, key);
    if (!j || json_is_null(j))
        return FA_TRI_UNKNOWN;
    if (json_is_boolean(j))
        return json_is_true(j) ? FA_TRI_YES : FA_TRI_NO;
    if (json_is_object(j)) {
        /* {"BlockPublicAcls":true,...}: on only when every setting is on. */
        const char *k;
        json_t *val;
        int all = 1, any = 0;
        json_object_foreach(j, k, val) {
            (void)k;
            any = 1;
            if (!json_is_true(val))
                all = 0;
        }
        return any ? (all ? FA_TRI_YES : FA_TRI_NO) : FA_TRI_UNKNOWN;
    }
    jp_push_key(&v->path, key);
    *st = verr(v, "must be a boolean, an object of booleans or null, not %s", jtype(j));
    return FA_TRI_UNKNOWN;
}

static void bucket_free(fa_sdoc_bucket *b)
{
    free(b->bucket);
    free(b->encryption);
    free(b->versioning);
    for (size_t i = 0; i < b->nlifecycle; i++)
        free(b->lifecycle[i].prefix);
    free(b->lifecycle);
}

static fa_status parse_bucket(vctx *v, const json_t *j, fa_sdoc_bucket *b)
{
    memset(b, 0, sizeof *b);
    if (!json_is_object(j))
        return verr(v, "must be an object, not %s", jtype(j));
    const char *name, *enc = NULL, *ver = NULL;
    fa_status st = FA_OK;
    if (req_str(v, j, "bucket", &name))
        return FA_FATAL;
    b->public_access_block = tri_of(v, j, "public_access_block", &st);
    if (!st) b->policy_public = tri_of(v, j, "policy_public", &st);
    if (!st) b->acl_public = tri_of(v, j, "acl_public", &st);
    if (st)
        return st;
    json_t *e = json_object_get(j, "encryption");
    if (json_is_object(e)) {
        /* {"algorithm": "aws:kms"} or the S3 API's SSEAlgorithm. */
        json_t *a = json_object_get(e, "algorithm");
        if (!a)
            a = json_object_get(e, "SSEAlgorithm");
        enc = json_is_string(a) ? json_string_value(a) : NULL;
    } else if (json_is_false(e)) {
        enc = "none";
    } else if (opt_str(v, j, "encryption", &enc)) {
        return FA_FATAL;
    }
    json_t *vv = json_object_get(j, "versioning");
    if (json_is_boolean(vv))
        ver = json_is_true(vv) ? "Enabled" : "Disabled";
    else if (opt_str(v, j, "versioning", &ver))
        return FA_FATAL;
    json_t *lc = json_object_get(j, "lifecycle");
    if (lc && !json_is_null(lc)) {
        jp_push_key(&v->path, "lifecycle");
        if (!json_is_array(lc))
            return verr(v, "must be an array of {prefix, expiration_days} or null, not %s", jtype(lc));
        b->lifecycle = fa_xcalloc(json_array_size(lc) + 1, sizeof *b->lifecycle);
        for (size_t i = 0; i < json_array_size(lc); i++) {
            json_t *r = json_array_get(lc, i);
            jp_push_idx(&v->path, (long)i);
            const char *prefix;
            if (!json_is_object(r)) {
                bucket_free(b);
                return verr(v, "must be an object, not %s", jtype(r));
            }
            if (opt_str(v, r, "prefix", &prefix)) {
                bucket_free(b);
                return FA_FATAL;
            }
            json_t *d = json_object_get(r, "expiration_days");
            long days = -1;
            if (d && !json_is_null(d)) {
                if (!json_is_integer(d) || json_integer_value(d) < 0) {
                    jp_push_key(&v->path, "expiration_days");
                    bucket_free(b);
                    return verr(v, "must be a non-negative integer or null");
                }
                days = (long)json_integer_value(d);
            }
            b->lifecycle[b->nlifecycle].prefix = fa_xstrdup(prefix ? prefix : "");
            b->lifecycle[b->nlifecycle].expiration_days = days;
            b->nlifecycle++;
            jp_pop(&v->path);
        }
        b->lifecycle_known = 1;
        jp_pop(&v->path);
    }
    b->bucket = fa_xstrdup(name);
    b->encryption = enc ? fa_xstrdup(enc) : NULL;
    b->versioning = ver ? fa_xstrdup(ver) : NULL;
    return FA_OK;
}

/* ---------------------------------------------------------------- merge */

fa_scandoc *fa_scandoc_new(void)
{
    fa_scandoc *d = fa_xcalloc(1, sizeof *d);
    d->complete = 1;
    d->index = json_object();
    d->paths = json_object();
    return d;
}

static void object_free(fa_sdoc_object *o)
{
    fa_location_free(&o->loc);
    free(o->key);
    free(o->type);
    free(o->encryption);
}

static void finding_free(fa_sdoc_finding *f)
{
    fa_location_free(&f->loc);
    free(f->key);
    free(f->display);
    free(f->rule_id);
    free(f->category);
    free(f->severity);
    free(f->fingerprint);
    json_decref(f->evidence);
}

static void issue_free(fa_sdoc_issue *i)
{
    fa_location_free(&i->loc);
    free(i->key);
    free(i->code);
    free(i->message);
}

void fa_scandoc_free(fa_scandoc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nfiles; i++)
        free(d->files[i]);
    free(d->files);
    for (size_t i = 0; i < d->nobjects; i++)
        object_free(&d->objects[i]);
    free(d->objects);
    for (size_t i = 0; i < d->nfindings; i++)
        finding_free(&d->findings[i]);
    free(d->findings);
    for (size_t i = 0; i < d->nissues; i++)
        issue_free(&d->issues[i]);
    free(d->issues);
    for (size_t i = 0; i < d->nbuckets; i++)
        bucket_free(&d->buckets[i]);
    free(d->buckets);
    for (size_t i = 0; i < d->ntargets; i++)
        free(d->targets[i]);
    free(d->targets);
    json_decref(d->index);
    json_decref(d->paths);
    free(d);
}

/* The index maps "o:<key>" -> object index and "d:<key>" -> owner document. */
static long idx_get(const fa_scandoc *d, char kind, const char *key)
{
    fa_buf k = FA_BUF_INIT;
    fa_buf_addf(&k, "%c:%s", kind, key);
    json_t *j = json_object_get(d->index, k.buf);
    fa_buf_release(&k);
    return j ? (long)json_integer_value(j) : -1;
}

static void idx_set(fa_scandoc *d, char kind, const char *key, long val)
{
    fa_buf k = FA_BUF_INIT;
    fa_buf_addf(&k, "%c:%s", kind, key);
    json_object_set_new(d->index, k.buf, json_integer(val));
    fa_buf_release(&k);
}

const fa_sdoc_object *fa_scandoc_object(const fa_scandoc *d, const char *key)
{
    long i = idx_get(d, 'o', key);
    return i >= 0 ? &d->objects[i] : NULL;
}

const fa_sdoc_bucket *fa_scandoc_bucket(const fa_scandoc *d, const char *bucket)
{
    for (size_t i = 0; i < d->nbuckets; i++)
        if (!strcmp(d->buckets[i].bucket, bucket))
            return &d->buckets[i];
    return NULL;
}

/* Parsed but not yet merged: a failing document must leave d unchanged. */
typedef struct staged {
    fa_sdoc_object  *o; size_t no;
    fa_sdoc_finding *f; size_t nf;
    fa_sdoc_issue   *i; size_t ni;
    fa_sdoc_bucket  *b; size_t nb;
    char **targets; size_t nt;
    int complete, has_started, has_finished;
    int64_t started, finished;
} staged;

static void staged_free(staged *s)
{
    for (size_t i = 0; i < s->no; i++) object_free(&s->o[i]);
    for (size_t i = 0; i < s->nf; i++) finding_free(&s->f[i]);
    for (size_t i = 0; i < s->ni; i++) issue_free(&s->i[i]);
    for (size_t i = 0; i < s->nb; i++) bucket_free(&s->b[i]);
    for (size_t i = 0; i < s->nt; i++) free(s->targets[i]);
    free(s->o); free(s->f); free(s->i); free(s->b); free(s->targets);
}

static json_t *array_member(vctx *v, const json_t *root, const char *key, fa_status *st)
{
    json_t *a = json_object_get(root, key);
    if (!a || json_is_null(a))
        return NULL;
    if (!json_is_array(a)) {
        jp_push_key(&v->path, key);
        *st = verr(v, "must be an array, not %s", jtype(a));
        jp_pop(&v->path);
    }
    return a;
}

static fa_status parse_doc(vctx *v, json_t *root, staged *s)
{
    fa_status st = FA_OK;
    if (!json_is_object(root))
        return verr(v, "a scan document is a JSON object, not %s", jtype(root));
    json_t *objects = array_member(v, root, "objects", &st);
    json_t *findings = array_member(v, root, "findings", &st);
    json_t *errors = array_member(v, root, "errors", &st);
    json_t *limits = array_member(v, root, "limits", &st);
    json_t *buckets = array_member(v, root, "buckets", &st);
    if (st)
        return st;
    if (!json_object_get(root, "objects") && !json_object_get(root, "findings"))
        return verr(v, "not a faceaudit scan document (no \"objects\" or \"findings\"; "
                       "write it with `faceaudit scan --format json`)");
    s->complete = 1;
    json_t *scan = json_object_get(root, "scan");
    if (scan && !json_is_null(scan)) {
        jp_push_key(&v->path, "scan");
        if (!json_is_object(scan))
            return verr(v, "must be an object, not %s", jtype(scan));
        json_t *c = json_object_get(scan, "complete");
        if (c && !json_is_boolean(c)) {
            jp_push_key(&v->path, "complete");
            return verr(v, "must be a boolean");
        }
        if (json_is_false(c))
            s->complete = 0;
        if (opt_time(v, scan, "started_at", &s->has_started, &s->started) ||
            opt_time(v, scan, "finished_at", &s->has_finished, &s->finished))
            return FA_FATAL;
        json_t *t = json_object_get(scan, "targets");
        if (json_is_array(t)) {
            s->targets = fa_xcalloc(json_array_size(t) + 1, sizeof(char *));
            for (size_t i = 0; i < json_array_size(t); i++)
                if (json_is_string(json_array_get(t, i)))
                    s->targets[s->nt++] = fa_xstrdup(json_string_value(json_array_get(t, i)));
        }
        jp_pop(&v->path);
    }

    size_t n = json_array_size(objects);
    s->o = fa_xcalloc(n + 1, sizeof *s->o);
    jp_push_key(&v->path, "objects");
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(objects, i);
        fa_sdoc_object *o = &s->o[s->no];
        jp_push_idx(&v->path, (long)i);
        if (!json_is_object(j))
            return verr(v, "must be an object, not %s", jtype(j));
        if (parse_location(v, j, &o->loc))
            return FA_FATAL;
        s->no++;   /* owned by s from here, freed on failure */
        const char *type, *enc;
        json_t *size = json_object_get(j, "size");
        o->size = -1;
        if (size && !json_is_null(size)) {
            if (!json_is_integer(size) || json_integer_value(size) < 0) {
                jp_push_key(&v->path, "size");
                return verr(v, "must be a non-negative integer or null");
            }
            o->size = json_integer_value(size);
        }
        if (opt_time(v, j, "mtime", &o->has_mtime, &o->mtime) || opt_str(v, j, "type", &type))
            return FA_FATAL;
        json_t *e = json_object_get(j, "encryption");
        enc = json_is_string(e) ? json_string_value(e) : NULL;
        o->type = type ? fa_xstrdup(type) : NULL;
        o->encryption = enc ? fa_xstrdup(enc) : NULL;
        o->key = loc_key(&o->loc);
        jp_pop(&v->path);
    }
    jp_pop(&v->path);

    n = json_array_size(findings);
    s->f = fa_xcalloc(n + 1, sizeof *s->f);
    jp_push_key(&v->path, "findings");
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(findings, i);
        fa_sdoc_finding *f = &s->f[s->nf];
        jp_push_idx(&v->path, (long)i);
        if (!json_is_object(j))
            return verr(v, "must be an object, not %s", jtype(j));
        const char *rule, *cat, *sev, *fp;
        if (req_str(v, j, "rule_id", &rule) || req_str(v, j, "category", &cat) ||
            opt_str(v, j, "severity", &sev) || opt_str(v, j, "fingerprint", &fp))
            return FA_FATAL;
        json_t *ev = json_object_get(j, "evidence");
        if (ev && !json_is_null(ev) && !json_is_object(ev)) {
            jp_push_key(&v->path, "evidence");
            return verr(v, "must be an object, not %s", jtype(ev));
        }
        json_t *conf = json_object_get(j, "confidence");
        if (conf && !json_is_null(conf) && !json_is_number(conf)) {
            jp_push_key(&v->path, "confidence");
            return verr(v, "must be a number");
        }
        if (parse_location(v, j, &f->loc))
            return FA_FATAL;
        s->nf++;
        f->rule_id = fa_xstrdup(rule);
        f->category = fa_xstrdup(cat);
        f->severity = fa_xstrdup(sev ? sev : "info");
        f->fingerprint = fp ? fa_xstrdup(fp) : NULL;
        f->confidence = conf && json_is_number(conf) ? json_number_value(conf) : -1;
        f->evidence = json_is_object(ev) ? json_incref(ev) : json_object();
        f->key = loc_key(&f->loc);
        f->display = loc_display(&f->loc);
        f->object = -1;
        jp_pop(&v->path);
    }
    jp_pop(&v->path);

    json_t *lists[2] = { errors, limits };
    s->i = fa_xcalloc(json_array_size(errors) + json_array_size(limits) + 1, sizeof *s->i);
    for (int li = 0; li < 2; li++) {
        jp_push_key(&v->path, li ? "limits" : "errors");
        for (size_t i = 0; i < json_array_size(lists[li]); i++) {
            json_t *j = json_array_get(lists[li], i);
            fa_sdoc_issue *is = &s->i[s->ni];
            jp_push_idx(&v->path, (long)i);
            if (!json_is_object(j))
                return verr(v, "must be an object, not %s", jtype(j));
            const char *code, *msg = NULL;
            if (req_str(v, j, li ? "limit" : "code", &code) || (!li && opt_str(v, j, "message", &msg)))
                return FA_FATAL;
            /* An error may concern the run as a whole (no location). */
            if (json_object_get(j, "location") && !json_is_null(json_object_get(j, "location"))) {
                if (parse_location(v, j, &is->loc))
                    return FA_FATAL;
            } else {
                fa_location_init(&is->loc);
                is->loc.path = fa_xstrdup("");
            }
            s->ni++;
            is->code = fa_xstrdup(code);
            is->message = msg ? fa_xstrdup(msg) : NULL;
            is->is_limit = li;
            is->key = loc_key(&is->loc);
            jp_pop(&v->path);
        }
        jp_pop(&v->path);
    }

    n = json_array_size(buckets);
    s->b = fa_xcalloc(n + 1, sizeof *s->b);
    jp_push_key(&v->path, "buckets");
    for (size_t i = 0; i < n; i++) {
        jp_push_idx(&v->path, (long)i);
        if (parse_bucket(v, json_array_get(buckets, i), &s->b[s->nb]))
            return FA_FATAL;
        s->nb++;
        jp_pop(&v->path);
    }
    jp_pop(&v->path);
    return FA_OK;
}

/* Keys of entries written without a uri (hand-made documents): an object takes the key of an
 * earlier object at the same path (any document), and a finding or issue the key of the
 * object at its path, in its own document first, so that they still join. */
static void adopt_key(fa_scandoc *d, json_t *local, char **key, const fa_location *loc)
{
    if (loc->uri && *loc->uri)
        return;
    char *display = loc_display(loc);
    json_t *k = local ? json_object_get(local, display) : NULL;
    const char *use = k ? json_string_value(k) : NULL;
    if (!use) {
        json_t *g = json_object_get(d->paths, display);
        use = g ? json_string_value(g) : NULL;
    }
    if (use && strcmp(use, *key)) {
        free(*key);
        *key = fa_xstrdup(use);
    }
    free(display);
}

static void merge(fa_scandoc *d, staged *s, size_t doc)
{
    json_t *local = json_object();   /* this document's objects: path -> key */
    for (size_t i = 0; i < s->no; i++) {
        adopt_key(d, NULL, &s->o[i].key, &s->o[i].loc);
        char *display = loc_display(&s->o[i].loc);
        json_object_set_new(local, display, json_string(s->o[i].key));
        if (!json_object_get(d->paths, display))
            json_object_set_new(d->paths, display, json_string(s->o[i].key));
        free(display);
    }
    for (size_t i = 0; i < s->nf; i++)
        adopt_key(d, local, &s->f[i].key, &s->f[i].loc);
    for (size_t i = 0; i < s->ni; i++)
        adopt_key(d, local, &s->i[i].key, &s->i[i].loc);
    json_decref(local);
    /* Objects: first document wins. */
    for (size_t i = 0; i < s->no; i++) {
        fa_sdoc_object *o = &s->o[i];
        if (idx_get(d, 'o', o->key) >= 0) {
            object_free(o);
            continue;
        }
        FA_GROW(d->objects, d->nobjects + 1, d->aobjects);
        o->doc = doc;
        idx_set(d, 'o', o->key, (long)d->nobjects);
        idx_set(d, 'd', o->key, (long)doc);
        d->objects[d->nobjects++] = *o;
    }
    /* Findings: kept only from the object's owner document. */
    for (size_t i = 0; i < s->nf; i++) {
        fa_sdoc_finding *f = &s->f[i];
        long owner = idx_get(d, 'd', f->key);
        if (owner < 0) {
            idx_set(d, 'd', f->key, (long)doc);
            owner = (long)doc;
        }
        if ((size_t)owner != doc) {
            finding_free(f);
            continue;
        }
        FA_GROW(d->findings, d->nfindings + 1, d->afindings);
        f->doc = doc;
        f->object = idx_get(d, 'o', f->key);
        d->findings[d->nfindings++] = *f;
    }
    for (size_t i = 0; i < s->ni; i++) {
        fa_sdoc_issue *is = &s->i[i];
        fa_buf k = FA_BUF_INIT;
        fa_buf_addf(&k, "%s\n%s", is->code, is->key);
        if (idx_get(d, is->is_limit ? 'l' : 'e', k.buf) >= 0) {
            fa_buf_release(&k);
            issue_free(is);
            continue;
        }
        idx_set(d, is->is_limit ? 'l' : 'e', k.buf, 1);
        fa_buf_release(&k);
        FA_GROW(d->issues, d->nissues + 1, d->aissues);
        is->doc = doc;
        d->issues[d->nissues++] = *is;
    }
    for (size_t i = 0; i < s->nb; i++) {
        if (fa_scandoc_bucket(d, s->b[i].bucket)) {
            bucket_free(&s->b[i]);
            continue;
        }
        FA_GROW(d->buckets, d->nbuckets + 1, d->abuckets);
        d->buckets[d->nbuckets++] = s->b[i];
    }
    for (size_t i = 0; i < s->nt; i++) {
        int seen = 0;
        for (size_t k = 0; k < d->ntargets; k++)
            seen |= !strcmp(d->targets[k], s->targets[i]);
        if (seen) {
            free(s->targets[i]);
            continue;
        }
        FA_GROW(d->targets, d->ntargets + 1, d->atargets);
        d->targets[d->ntargets++] = s->targets[i];
    }
    if (!s->complete)
        d->complete = 0;
    if (s->has_started && (!d->has_started || s->started < d->started_at)) {
        d->has_started = 1;
        d->started_at = s->started;
    }
    if (s->has_finished && (!d->has_finished || s->finished > d->finished_at)) {
        d->has_finished = 1;
        d->finished_at = s->finished;
    }
    free(s->o); free(s->f); free(s->i); free(s->b); free(s->targets);
    memset(s, 0, sizeof *s);
}

fa_status fa_scandoc_load_data(fa_scandoc *d, const char *name, const char *data, size_t len,
                               fa_err *err)
{
    json_error_t je;
    /* Integers stay integers (no JSON_DECODE_INT_AS_REAL): sizes exceed 2^53 never, but
     * counts must compare exactly. Duplicate keys are an error: which one would count? */
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fa_err_set(err, FA_FATAL, "scan_document", "%s:%d:%d: %s", name, je.line,
                          je.column, je.text);
    vctx v = { .file = name, .text = data, .len = len, .err = err };
    staged s;
    memset(&s, 0, sizeof s);
    fa_status st = parse_doc(&v, root, &s);
    json_decref(root);
    if (st) {
        staged_free(&s);
        return st;
    }
    d->files = fa_xrealloc(d->files, (d->nfiles + 1) * sizeof(char *));
    d->files[d->nfiles] = fa_xstrdup(name);
    merge(d, &s, d->nfiles);
    d->nfiles++;
    return FA_OK;
}

fa_status fa_scandoc_load(fa_scandoc *d, const char *file, fa_err *err)
{
    int is_stdin = !strcmp(file, "-");
    fa_buf b = FA_BUF_INIT;
    if (fa_buf_read_file(&b, file, 0, err) < 0) {
        fa_buf_release(&b);
        err->status = FA_FATAL;
        return FA_FATAL;
    }
    fa_status st = fa_scandoc_load_data(d, is_stdin ? "<stdin>" : file, b.buf, b.len, err);
    fa_buf_release(&b);
    return st;
}
