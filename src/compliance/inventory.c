/* Inventory: stores, flows, posture, exposure, Fides mapping (see inventory.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <graphviz/gvc.h>
#include "faceaudit/csv.h"
#include "faceaudit/inventory.h"

void fa_inventory_opts_init(fa_inventory_opts *o)
{
    o->group_depth = 1;
    o->examples = 3;
    o->fides_legacy = 0;
}

/* fideslang 3.2.0 renamed user.biometric -> user.biometrics (the old key is deprecated). */
json_t *fa_inventory_fides(const char *cat, int legacy)
{
    const char *bio = legacy ? "user.biometric" : "user.biometrics";
    json_t *a = json_array();
    if (!strcmp(cat, "face_image")) {
        json_array_append_new(a, json_string(bio));
        json_array_append_new(a, json_string("user.content.self_image"));
    } else if (!strcmp(cat, "face_template") || !strcmp(cat, "biometric_metadata") ||
               !strcmp(cat, "vendor_endpoint")) {
        json_array_append_new(a, json_string(bio));
    }
    return a;
}

/* ---------------------------------------------------------------- classification */

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int ends_with_ci(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcasecmp(s + n - m, suf);
}

static int log_name(const char *name)
{
    if (ends_with_ci(name, ".log") || ends_with_ci(name, "_log"))
        return 1;
    const char *p = strcasestr(name, ".log.");
    if (p) {   /* rotated: app.log.1, app.log.2024-05-01 */
        p += 5;
        if (!*p)
            return 0;
        for (; *p; p++)
            if (!isdigit((unsigned char)*p) && *p != '-' && *p != '_')
                return 0;
        return 1;
    }
    return 0;
}

static int in_log_dir(const char *path)
{
    /* Any folder component named log or logs (the file name itself excluded). */
    const char *p = path, *s;
    while ((s = strchr(p, '/')) != NULL) {
        size_t n = (size_t)(s - p);
        if ((n == 3 && !strncasecmp(p, "log", 3)) || (n == 4 && !strncasecmp(p, "logs", 4)))
            return 1;
        p = s + 1;
    }
    return 0;
}

static int textual(const char *type)
{
    return !type || !strncmp(type, "text/", 5) || strstr(type, "json") || strstr(type, "x-log");
}

/* A plain file path (no members) that is a log. */
static int path_is_log(const char *path, const char *type)
{
    if (type && !strcmp(type, "text/x-log"))
        return 1;
    return log_name(base_name(path)) || (in_log_dir(path) && textual(type));
}

static int compressed_log(const fa_location *l)
{
    static const char *sfx[] = { ".gz", ".bz2", ".xz", ".zst", ".lz4", NULL };
    if (l->nmembers != 1)
        return 0;
    const char *b = base_name(l->path);
    for (int i = 0; sfx[i]; i++) {
        if (ends_with_ci(b, sfx[i]) && !strcasestr(b, ".tar")) {
            char *stem = fa_xstrndup(b, strlen(b) - strlen(sfx[i]));
            int r = log_name(stem) || in_log_dir(l->path);
            free(stem);
            return r;
        }
    }
    return 0;
}

/* Whether the data of this object is written in a log (logging leak). */
static int object_in_log(const fa_location *l, const char *type)
{
    if (!l->nmembers)
        return path_is_log(l->path, type);
    if (compressed_log(l))
        return 1;
    return path_is_log(l->members[l->nmembers - 1], type);
}

typedef struct klass { char *kind; char *location; char *bucket; } klass;

static void klass_free(klass *k)
{
    free(k->kind);
    free(k->location);
    free(k->bucket);
}

/* The first `depth` folders of rel (a path below the target, file name excluded). */
static void add_group(fa_buf *b, const char *rel, int depth)
{
    const char *p = rel;
    for (int i = 0; i < depth; i++) {
        const char *s = strchr(p, '/');
        if (!s)
            break;
        if (b->len && b->buf[b->len - 1] != '/')
            fa_buf_addch(b, '/');
        fa_buf_add(b, p, (size_t)(s - p));
        p = s + 1;
    }
}

static void classify_plain(const char *path, const char *target, const char *type, int depth,
                           int check_log, klass *k)
{
    fa_buf b = FA_BUF_INIT;
    memset(k, 0, sizeof *k);
    if (check_log && path_is_log(path, type)) {
        k->kind = fa_xstrdup("log");
        k->location = fa_xstrdup(path);
        if (!strncmp(path, "s3://", 5)) {
            const char *s = strchr(path + 5, '/');
            k->bucket = s ? fa_xstrndup(path + 5, (size_t)(s - path - 5)) : fa_xstrdup(path + 5);
        }
        return;
    }
    if (!strncmp(path, "s3://", 5)) {
        const char *bs = path + 5, *slash = strchr(bs, '/');
        size_t bl = slash ? (size_t)(slash - bs) : strlen(bs);
        const char *key = slash ? slash + 1 : "";
        k->bucket = fa_xstrndup(bs, bl);
        /* The target's prefix, when the target is inside this bucket. */
        size_t plen = 0;
        if (target && !strncmp(target, path, 5 + bl) && (target[5 + bl] == '/' || !target[5 + bl])) {
            const char *tp = target[5 + bl] ? target + 6 + bl : "";
            plen = strlen(tp);
            while (plen && tp[plen - 1] == '/')
                plen--;
            if (plen && (strncmp(key, tp, plen) || (key[plen] != '/' && key[plen])))
                plen = 0;
            else if (plen && !key[plen])
                plen = 0;   /* target named the object itself */
        }
        fa_buf_addf(&b, "s3://%.*s/", (int)bl, bs);
        fa_buf_add(&b, key, plen);
        const char *rel = key + plen + (plen ? 1 : 0);
        add_group(&b, rel, depth);
        if (b.buf[b.len - 1] != '/')
            fa_buf_addch(&b, '/');
        k->kind = fa_xstrdup(b.len == 6 + bl ? "bucket" : "bucket_prefix");
        k->location = fa_buf_detach(&b, NULL);
        return;
    }
    if (target && !strcmp(target, "-")) {
        k->kind = fa_xstrdup("stream");
        k->location = fa_xstrdup("-");
        return;
    }
    if (target && !strcmp(path, target)) {
        k->kind = fa_xstrdup("file");
        k->location = fa_xstrdup(path);
        return;
    }
    size_t tl = target ? strlen(target) : 0;
    while (tl > 1 && target[tl - 1] == '/')
        tl--;
    if (target && tl && !strncmp(path, target, tl) && path[tl] == '/') {
        fa_buf_add(&b, target, tl);
        add_group(&b, path + tl + 1, depth);
    } else {
        /* No usable target: the file's own folder. */
        const char *s = strrchr(path, '/');
        if (s)
            fa_buf_add(&b, path, s == path ? 1 : (size_t)(s - path));
        else
            fa_buf_addch(&b, '.');
    }
    k->kind = fa_xstrdup("folder");
    k->location = fa_buf_detach(&b, NULL);
}

static void classify(const fa_location *l, const char *type, int depth, klass *k)
{
    if (l->nmembers) {
        memset(k, 0, sizeof *k);
        k->kind = fa_xstrdup(compressed_log(l) ? "log" : "archive");
        k->location = fa_xstrdup(l->path);
        if (!strncmp(l->path, "s3://", 5)) {
            const char *s = strchr(l->path + 5, '/');
            k->bucket = s ? fa_xstrndup(l->path + 5, (size_t)(s - l->path - 5)) : NULL;
        }
        return;
    }
    classify_plain(l->path, l->target, type, depth, 1, k);
}

static char *klass_id(const klass *k)
{
    return fa_xasprintf("%s:%s", k->kind, k->location);
}

/* ---------------------------------------------------------------- accumulation */

typedef struct store {
    klass   k;
    char   *id;
    json_t *cats;            /* cat -> {"objects","findings","bytes"} */
    long    objects_scanned, objects_with_findings;
    int64_t bytes_scanned, bytes_with_findings;
    int     has_ts;
    int64_t oldest, newest;
    long    faces, templates;
    int     biometric;
    long    enc_objects, unenc_objects;
    char  **examples;
    size_t  nexamples;
} store;

typedef struct flow {
    char   *kind, *from, *category;
    json_t *to;
    long    count;
    int     has_ts;
    int64_t first, last;
    int     insecure;
    json_t *rules;           /* set: rule id -> true */
} flow;

typedef struct invacc {
    const fa_inventory_opts *o;
    store  *stores; size_t nstores, astores;
    flow   *flows;  size_t nflows, aflows;
    json_t *sidx;            /* store id -> index */
    json_t *fidx;            /* flow key -> index */
    json_t *seen;            /* set of "store\ncat\nobject" and "store\nobject" */
} invacc;

static store *get_store(invacc *v, klass *k)
{
    char *id = klass_id(k);
    json_t *j = json_object_get(v->sidx, id);
    if (j) {
        free(id);
        klass_free(k);
        return &v->stores[json_integer_value(j)];
    }
    FA_GROW(v->stores, v->nstores + 1, v->astores);
    store *s = &v->stores[v->nstores];
    memset(s, 0, sizeof *s);
    s->k = *k;
    s->id = id;
    s->cats = json_object();
    json_object_set_new(v->sidx, id, json_integer((json_int_t)v->nstores));
    v->nstores++;
    return s;
}

static int seen_once(invacc *v, const char *a, const char *b, const char *c)
{
    char *k = fa_xasprintf("%s\n%s\n%s", a, b, c ? c : "");
    int first = json_object_get(v->seen, k) == NULL;
    if (first)
        json_object_set_new(v->seen, k, json_true());
    free(k);
    return first;
}

static void stamp(int *has, int64_t *lo, int64_t *hi, int64_t t)
{
    if (!*has || t < *lo)
        *lo = t;
    if (!*has || t > *hi)
        *hi = t;
    *has = 1;
}

static void add_example(store *s, const char *ex, int max)
{
    /* Keep the `max` smallest (sorted) so the choice does not depend on document order. */
    if (max <= 0)
        return;
    for (size_t i = 0; i < s->nexamples; i++)
        if (!strcmp(s->examples[i], ex))
            return;
    if (!s->examples)
        s->examples = fa_xcalloc((size_t)max + 1, sizeof(char *));
    size_t pos = s->nexamples;
    while (pos > 0 && strcmp(s->examples[pos - 1], ex) > 0)
        pos--;
    if (pos >= (size_t)max)
        return;
    if (s->nexamples == (size_t)max)
        free(s->examples[--s->nexamples]);
    memmove(&s->examples[pos + 1], &s->examples[pos], (s->nexamples - pos) * sizeof(char *));
    s->examples[pos] = fa_xstrdup(ex);
    s->nexamples++;
}

static long ev_int(const json_t *ev, const char *key, long dflt)
{
    json_t *j = json_object_get(ev, key);
    if (json_is_integer(j) && json_integer_value(j) >= 0)
        return (long)json_integer_value(j);
    if (json_is_real(j) && json_real_value(j) >= 0)
        return (long)json_real_value(j);
    return dflt;
}

static const char *ev_str(const json_t *ev, const char *key)
{
    json_t *j = json_object_get(ev, key);
    return json_is_string(j) ? json_string_value(j) : NULL;
}

static flow *get_flow(invacc *v, const char *kind, const char *from, json_t *to, const char *cat)
{
    char *tj = json_dumps(to, JSON_COMPACT | JSON_SORT_KEYS);
    char *key = fa_xasprintf("%s\n%s\n%s\n%s", kind, from, tj, cat);
    free(tj);
    json_t *j = json_object_get(v->fidx, key);
    if (j) {
        free(key);
        json_decref(to);
        return &v->flows[json_integer_value(j)];
    }
    FA_GROW(v->flows, v->nflows + 1, v->aflows);
    flow *f = &v->flows[v->nflows];
    memset(f, 0, sizeof *f);
    f->kind = fa_xstrdup(kind);
    f->from = fa_xstrdup(from);
    f->category = fa_xstrdup(cat);
    f->to = to;
    f->rules = json_object();
    json_object_set_new(v->fidx, key, json_integer((json_int_t)v->nflows));
    free(key);
    v->nflows++;
    return f;
}

static void flow_hit(flow *f, const char *rule, int has_ts, int64_t ts, long n)
{
    f->count += n;
    if (has_ts)
        stamp(&f->has_ts, &f->first, &f->last, ts);
    if (rule)
        json_object_set_new(f->rules, rule, json_true());
}

static void add_finding(invacc *v, const fa_scandoc *d, const fa_sdoc_finding *f)
{
    const fa_sdoc_object *o = f->object >= 0 ? &d->objects[f->object] : NULL;
    klass k;
    classify(&f->loc, o ? o->type : NULL, v->o->group_depth, &k);
    store *s = get_store(v, &k);
    json_t *c = json_object_get(s->cats, f->category);
    if (!c) {
        c = json_pack("{s:i,s:i,s:I}", "objects", 0, "findings", 0, "bytes", (json_int_t)0);
        json_object_set_new(s->cats, f->category, c);
    }
    json_object_set_new(c, "findings", json_integer(json_integer_value(json_object_get(c, "findings")) + 1));
    int64_t size = o && o->size > 0 ? o->size : 0;
    if (seen_once(v, s->id, f->category, f->key)) {
        json_object_set_new(c, "objects", json_integer(json_integer_value(json_object_get(c, "objects")) + 1));
        json_object_set_new(c, "bytes", json_integer(json_integer_value(json_object_get(c, "bytes")) + size));
    }
    if (seen_once(v, s->id, f->key, NULL)) {
        s->objects_with_findings++;
        s->bytes_with_findings += size;
        if (o && o->has_mtime)
            stamp(&s->has_ts, &s->oldest, &s->newest, o->mtime);
        if (o && o->encryption && strcmp(o->encryption, "none"))
            s->enc_objects++;
        else
            s->unenc_objects++;
        fa_buf ex = FA_BUF_INIT;
        fa_location_display(&f->loc, &ex);
        add_example(s, ex.buf, v->o->examples);
        fa_buf_release(&ex);
    }
    int vendor = !strcmp(f->category, "vendor_endpoint");
    if (!vendor)
        s->biometric = 1;
    if (!strcmp(f->category, "face_image"))
        s->faces += ev_int(f->evidence, "faces", 1);
    if (!strcmp(f->category, "face_template"))
        s->templates += ev_int(f->evidence, "count", ev_int(f->evidence, "vectors", 1));

    /* The flow's time: the log line's own timestamp, else the file time. */
    int64_t ts = 0;
    int has_ts = 0;
    const char *ets = ev_str(f->evidence, "timestamp");
    if (ets && !fa_sdoc_time_parse(ets, &ts))
        has_ts = 1;
    else if (o && o->has_mtime) {
        ts = o->mtime;
        has_ts = 1;
    }
    if (vendor) {
        const char *host = ev_str(f->evidence, "host");
        const char *scheme = ev_str(f->evidence, "scheme");
        const char *vend = ev_str(f->evidence, "vendor");
        json_t *to = json_object();
        json_object_set_new(to, "kind", json_string("vendor"));
        json_object_set_new(to, "host", host ? json_string(host) : json_null());
        json_object_set_new(to, "vendor", vend ? json_string(vend) : json_null());
        json_object_set_new(to, "scheme", scheme ? json_string(scheme) : json_null());
        if (!host && !vend)
            json_object_set_new(to, "rule", json_string(f->rule_id));
        flow *fl = get_flow(v, "vendor", s->id, to, f->category);
        if (scheme && !strcasecmp(scheme, "http"))
            fl->insecure = 1;
        flow_hit(fl, f->rule_id, has_ts, ts, 1);
    } else if (object_in_log(&f->loc, o ? o->type : NULL) &&
               (!strcmp(f->category, "face_image") || !strcmp(f->category, "face_template"))) {
        json_t *to = json_pack("{s:s,s:s,s:s}", "kind", "store", "id", s->id,
                               "location", s->k.location);
        flow_hit(get_flow(v, "logging_leak", "application", to, f->category), f->rule_id,
                 has_ts, ts, 1);
    }
    if (f->loc.nmembers && !vendor && !strcmp(s->k.kind, "archive")) {
        /* Data in an archive was copied there from the store the archive sits in. */
        klass ck;
        classify_plain(f->loc.path, f->loc.target, NULL, v->o->group_depth, 0, &ck);
        char *from = klass_id(&ck);
        json_t *to = json_pack("{s:s,s:s,s:s}", "kind", "store", "id", s->id,
                               "location", s->k.location);
        flow_hit(get_flow(v, "backup", from, to, f->category), f->rule_id,
                 o && o->has_mtime, o ? o->mtime : 0, 1);
        free(from);
        klass_free(&ck);
    }
}

/* ---------------------------------------------------------------- JSON */

static json_t *time_or_null(int has, int64_t t)
{
    char b[40];
    return has ? json_string(fa_sdoc_time_format(t, b, sizeof b)) : json_null();
}

static json_t *tri_json(fa_tri t)
{
    return t == FA_TRI_UNKNOWN ? json_null() : json_boolean(t == FA_TRI_YES);
}

static fa_tri effective_public(const fa_sdoc_bucket *b)
{
    if (b->public_access_block == FA_TRI_YES)
        return FA_TRI_NO;
    if (b->policy_public == FA_TRI_YES || b->acl_public == FA_TRI_YES)
        return FA_TRI_YES;
    if (b->policy_public == FA_TRI_NO && b->acl_public == FA_TRI_NO)
        return FA_TRI_NO;
    return FA_TRI_UNKNOWN;
}

/* The key prefix a store covers inside its bucket ("" for a whole bucket). */
static const char *store_prefix(const store *s)
{
    const char *p = s->k.location + 5;
    const char *sl = strchr(p, '/');
    return sl ? sl + 1 : "";
}

static json_t *posture_json(const fa_scandoc *d, const store *s, int *public_out,
                            int *unenc_out, int *nolife_out)
{
    json_t *p = json_object();
    *public_out = *unenc_out = *nolife_out = 0;
    json_object_set_new(p, "object_encryption",
                        json_pack("{s:i,s:i}", "encrypted", (int)s->enc_objects,
                                  "not_reported", (int)s->unenc_objects));
    if (!s->k.bucket) {
        json_object_set_new(p, "source", json_string("filesystem"));
        json_object_set_new(p, "public", json_null());
        json_object_set_new(p, "encryption", json_null());
        return p;
    }
    const fa_sdoc_bucket *b = fa_scandoc_bucket(d, s->k.bucket);
    json_object_set_new(p, "bucket", json_string(s->k.bucket));
    if (!b) {
        json_object_set_new(p, "source", json_string("unknown"));
        json_object_set_new(p, "public", json_null());
        json_object_set_new(p, "encryption", json_null());
        json_object_set_new(p, "versioning", json_null());
        json_object_set_new(p, "lifecycle", json_null());
        return p;
    }
    fa_tri pub = effective_public(b);
    json_object_set_new(p, "source", json_string("s3_bucket"));
    json_object_set_new(p, "public", tri_json(pub));
    json_object_set_new(p, "public_access_block", tri_json(b->public_access_block));
    json_object_set_new(p, "policy_public", tri_json(b->policy_public));
    json_object_set_new(p, "acl_public", tri_json(b->acl_public));
    json_object_set_new(p, "encryption", b->encryption ? json_string(b->encryption) : json_null());
    json_object_set_new(p, "versioning", b->versioning ? json_string(b->versioning) : json_null());
    *public_out = pub == FA_TRI_YES;
    *unenc_out = b->encryption && (!strcasecmp(b->encryption, "none") || !*b->encryption);
    if (!b->lifecycle_known) {
        json_object_set_new(p, "lifecycle", json_null());
    } else {
        /* Rules that cover objects of this store: their prefix and the store's overlap. */
        json_t *lc = json_array();
        const char *sp = store_prefix(s);
        int expiring = 0;
        for (size_t i = 0; i < b->nlifecycle; i++) {
            const char *rp = b->lifecycle[i].prefix;
            size_t rl = strlen(rp), sl = strlen(sp);
            if (strncmp(rp, sp, rl < sl ? rl : sl))
                continue;
            json_array_append_new(lc, json_pack("{s:s,s:o}", "prefix", rp, "expiration_days",
                b->lifecycle[i].expiration_days >= 0 ? json_integer(b->lifecycle[i].expiration_days)
                                                     : json_null()));
            if (b->lifecycle[i].expiration_days >= 0 && rl <= sl)
                expiring = 1;
        }
        json_object_set_new(p, "lifecycle", lc);
        *nolife_out = !expiring;
    }
    return p;
}

static void warn(json_t *w, const char *sev, const char *code, const char *what, const char *id,
                 char *msg)
{
    json_array_append_new(w, json_pack("{s:s,s:s,s:s,s:s}", "severity", sev, "code", code,
                                       what, id, "message", msg));
    free(msg);
}

static int cmp_store(const void *a, const void *b)
{
    return strcmp(((const store *)a)->id, ((const store *)b)->id);
}

static int cmp_flow(const void *a, const void *b)
{
    const flow *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    if (!c) c = strcmp(x->from, y->from);
    if (!c) {
        char *tx = json_dumps(x->to, JSON_SORT_KEYS | JSON_COMPACT);
        char *ty = json_dumps(y->to, JSON_SORT_KEYS | JSON_COMPACT);
        c = strcmp(tx, ty);
        free(tx);
        free(ty);
    }
    if (!c) c = strcmp(x->category, y->category);
    return c;
}

static char *cat_list(const store *s, int biometric_only)
{
    fa_buf b = FA_BUF_INIT;
    const char *k;
    json_t *val;
    json_object_foreach(s->cats, k, val) {
        (void)val;
        if (biometric_only && !strcmp(k, "vendor_endpoint"))
            continue;
        fa_buf_addf(&b, "%s%s", b.len ? ", " : "", k);
    }
    return fa_buf_detach(&b, NULL);
}

static const char *pretty_cat(const char *c)
{
    if (!strcmp(c, "face_image")) return "face images";
    if (!strcmp(c, "face_template")) return "face templates";
    if (!strcmp(c, "biometric_metadata")) return "biometric metadata";
    return c;
}

json_t *fa_inventory_build(const fa_scandoc *d, const fa_inventory_opts *opts, fa_err *err)
{
    fa_inventory_opts dflt;
    if (!opts) {
        fa_inventory_opts_init(&dflt);
        opts = &dflt;
    }
    if (opts->group_depth < 0 || opts->examples < 0) {
        fa_err_set(err, FA_FATAL, "usage", "group depth and examples must not be negative");
        return NULL;
    }
    invacc v = { .o = opts, .sidx = json_object(), .fidx = json_object(), .seen = json_object() };
    for (size_t i = 0; i < d->nfindings; i++)
        add_finding(&v, d, &d->findings[i]);
    /* Scanned objects (with or without findings) of each store. */
    for (size_t i = 0; i < d->nobjects; i++) {
        const fa_sdoc_object *o = &d->objects[i];
        klass k;
        classify(&o->loc, o->type, opts->group_depth, &k);
        char *id = klass_id(&k);
        json_t *j = json_object_get(v.sidx, id);
        if (j) {
            store *s = &v.stores[json_integer_value(j)];
            s->objects_scanned++;
            s->bytes_scanned += o->size > 0 ? o->size : 0;
        }
        free(id);
        klass_free(&k);
    }
    qsort(v.stores, v.nstores, sizeof *v.stores, cmp_store);
    qsort(v.flows, v.nflows, sizeof *v.flows, cmp_flow);

    json_t *root = json_object();
    json_t *gen = json_object();
    json_t *docs = json_array(), *targets = json_array();
    for (size_t i = 0; i < d->nfiles; i++)
        json_array_append_new(docs, json_string(d->files[i]));
    for (size_t i = 0; i < d->ntargets; i++)
        json_array_append_new(targets, json_string(d->targets[i]));
    size_t nerr = 0, nlim = 0;
    for (size_t i = 0; i < d->nissues; i++)
        d->issues[i].is_limit ? nlim++ : nerr++;
    json_object_set_new(gen, "documents", docs);
    json_object_set_new(gen, "targets", targets);
    json_object_set_new(gen, "complete", json_boolean(d->complete && !nerr && !nlim));
    json_object_set_new(gen, "errors", json_integer((json_int_t)nerr));
    json_object_set_new(gen, "limits", json_integer((json_int_t)nlim));
    json_object_set_new(gen, "scan_started_at", time_or_null(d->has_started, d->started_at));
    json_object_set_new(gen, "scan_finished_at", time_or_null(d->has_finished, d->finished_at));
    json_object_set_new(root, "generated_from", gen);

    json_t *stores = json_array(), *warnings = json_array(), *totals = json_object();
    long faces = 0, templates = 0, with_findings = 0, biostores = 0;
    int64_t bytes_with = 0;
    for (size_t i = 0; i < v.nstores; i++) {
        store *s = &v.stores[i];
        json_t *js = json_object();
        json_object_set_new(js, "id", json_string(s->id));
        json_object_set_new(js, "kind", json_string(s->k.kind));
        json_object_set_new(js, "location", json_string(s->k.location));
        if (s->k.bucket)
            json_object_set_new(js, "bucket", json_string(s->k.bucket));
        json_object_set_new(js, "holds_biometric", json_boolean(s->biometric));
        const char *cat;
        json_t *c;
        json_object_foreach(s->cats, cat, c) {
            json_object_set_new(c, "fides", fa_inventory_fides(cat, opts->fides_legacy));
            json_t *t = json_object_get(totals, cat);
            if (!t) {
                t = json_pack("{s:i,s:i,s:I}", "objects", 0, "findings", 0, "bytes", (json_int_t)0);
                json_object_set_new(totals, cat, t);
            }
            const char *fld[] = { "objects", "findings", "bytes" };
            for (int f = 0; f < 3; f++)
                json_object_set_new(t, fld[f], json_integer(json_integer_value(json_object_get(t, fld[f])) +
                                                            json_integer_value(json_object_get(c, fld[f]))));
        }
        json_object_set(js, "categories", s->cats);
        json_object_set_new(js, "objects_scanned", json_integer(s->objects_scanned));
        json_object_set_new(js, "bytes_scanned", json_integer(s->bytes_scanned));
        json_object_set_new(js, "objects_with_findings", json_integer(s->objects_with_findings));
        json_object_set_new(js, "bytes_with_findings", json_integer(s->bytes_with_findings));
        json_object_set_new(js, "oldest", time_or_null(s->has_ts, s->oldest));
        json_object_set_new(js, "newest", time_or_null(s->has_ts, s->newest));
        int pub, unenc, nolife;
        json_object_set_new(js, "posture", posture_json(d, s, &pub, &unenc, &nolife));
        json_object_set_new(js, "exposure", json_pack("{s:i,s:i,s:i}", "faces", (int)s->faces,
                            "templates", (int)s->templates, "estimate", (int)(s->faces + s->templates)));
        json_t *ex = json_array();
        for (size_t e = 0; e < s->nexamples; e++)
            json_array_append_new(ex, json_string(s->examples[e]));
        json_object_set_new(js, "examples", ex);
        json_array_append_new(stores, js);
        faces += s->faces;
        templates += s->templates;
        with_findings += s->objects_with_findings;
        bytes_with += s->bytes_with_findings;
        biostores += s->biometric;
        if (s->biometric) {
            char *cl = cat_list(s, 1);
            int has_faces = json_object_get(s->cats, "face_image") != NULL;
            if (pub)
                warn(warnings, "critical", "public_bucket", "store", s->id,
                     fa_xasprintf("public bucket holds %s: %s", has_faces ? "face images" : cl, s->k.location));
            if (unenc)
                warn(warnings, "high", "unencrypted_bucket", "store", s->id,
                     fa_xasprintf("unencrypted bucket holds %s: %s", cl, s->k.location));
            if (nolife)
                warn(warnings, "medium", "no_lifecycle_expiration", "store", s->id,
                     fa_xasprintf("no lifecycle expiration covers %s (holds %s)", s->k.location, cl));
            if (s->k.bucket && !fa_scandoc_bucket(d, s->k.bucket))
                warn(warnings, "low", "posture_unknown", "store", s->id,
                     fa_xasprintf("bucket posture unknown for %s: public access and encryption not checked",
                                  s->k.location));
            if (!strcmp(s->k.kind, "archive"))
                warn(warnings, "medium", "backup_copy", "store", s->id,
                     fa_xasprintf("archive (backup) holds %s: deletion must cover %s", cl, s->k.location));
            free(cl);
        }
        free(s->id);
        klass_free(&s->k);
        json_decref(s->cats);
        for (size_t e = 0; e < s->nexamples; e++)
            free(s->examples[e]);
        free(s->examples);
    }
    json_object_set_new(root, "stores", stores);

    json_t *flows = json_array(), *vendors = json_object();
    long insecure = 0;
    for (size_t i = 0; i < v.nflows; i++) {
        flow *f = &v.flows[i];
        char *id = fa_xasprintf("flow-%zu", i + 1);
        json_t *rules = json_array();
        const char *r;
        json_t *val;
        json_object_foreach(f->rules, r, val) {
            (void)val;
            json_array_append_new(rules, json_string(r));
        }
        json_array_append_new(flows, json_pack("{s:s,s:s,s:s,s:O,s:s,s:i,s:o,s:o,s:b,s:o}",
            "id", id, "kind", f->kind, "from", f->from, "to", f->to, "category", f->category,
            "count", (int)f->count, "first_seen", time_or_null(f->has_ts, f->first),
            "last_seen", time_or_null(f->has_ts, f->last), "insecure", f->insecure, "rules", rules));
        if (!strcmp(f->kind, "vendor")) {
            const char *h = ev_str(f->to, "host");
            if (!h) h = ev_str(f->to, "vendor");
            if (h)
                json_object_set_new(vendors, h, json_true());
        }
        if (f->insecure) {
            insecure++;
            const char *h = ev_str(f->to, "host");
            warn(warnings, "high", "insecure_transmission", "flow", id,
                 fa_xasprintf("biometric data sent over plain http to %s (from %s)", h ? h : "a vendor", f->from));
        }
        if (!strcmp(f->kind, "logging_leak"))
            warn(warnings, "high", "logging_leak", "flow", id,
                 fa_xasprintf("%s written into a log: %s", pretty_cat(f->category),
                              ev_str(f->to, "location")));
        free(id);
        free(f->kind);
        free(f->from);
        free(f->category);
        json_decref(f->to);
        json_decref(f->rules);
    }
    json_object_set_new(root, "flows", flows);
    if (!json_is_true(json_object_get(gen, "complete")))
        warn(warnings, "medium", "scan_incomplete", "store", "",
             fa_xasprintf("the scan was incomplete (%zu errors, %zu limits): data may be missing from this inventory",
                          nerr, nlim));
    json_object_set_new(root, "warnings", warnings);

    json_t *tax = json_object();
    const char *fixed[] = { "face_image", "face_template", "biometric_metadata", "vendor_endpoint" };
    for (int i = 0; i < 4; i++)
        json_object_set_new(tax, fixed[i], fa_inventory_fides(fixed[i], opts->fides_legacy));
    json_object_set_new(root, "taxonomy", json_pack("{s:s,s:s,s:o}", "name", "fideslang",
        "note", opts->fides_legacy
            ? "pre-3.2.0 keys: user.biometric (deprecated in fideslang 3.2.0, replaced by user.biometrics)"
            : "fideslang >= 3.2.0 keys: user.biometrics (formerly user.biometric, deprecated in 3.2.0)",
        "categories", tax));

    json_t *vlist = json_array();
    const char *h;
    json_t *val;
    json_object_foreach(vendors, h, val) {
        (void)val;
        json_array_append_new(vlist, json_string(h));
    }
    json_decref(vendors);
    long scanned = (long)d->nobjects;
    int64_t bscanned = 0;
    for (size_t i = 0; i < d->nobjects; i++)
        bscanned += d->objects[i].size > 0 ? d->objects[i].size : 0;
    json_object_set_new(root, "summary", json_pack(
        "{s:i,s:i,s:i,s:I,s:I,s:i,s:i,s:i,s:o,s:i,s:o,s:{s:i,s:i,s:i,s:s}}",
        "stores", (int)v.nstores, "stores_holding_biometric", (int)biostores,
        "objects_scanned", (int)scanned, "bytes_scanned", (json_int_t)bscanned,
        "bytes_with_findings", (json_int_t)bytes_with, "objects_with_findings", (int)with_findings,
        "findings", (int)d->nfindings, "flows", (int)v.nflows, "vendors", vlist,
        "insecure_flows", (int)insecure, "categories", totals,
        "exposure", "faces", (int)faces, "templates", (int)templates, "estimate", (int)(faces + templates),
        "label", "upper-bound estimate of data subjects: faces detected in images plus template "
                 "vectors found; the same person may appear many times"));
    free(v.stores);
    free(v.flows);
    json_decref(v.sidx);
    json_decref(v.fidx);
    json_decref(v.seen);
    (void)err;
    return root;
}

/* ---------------------------------------------------------------- rendering */

int fa_inventory_format_parse(const char *n)
{
    static const char *names[] = { "json", "md", "csv", "dot", "svg" };
    for (int i = 0; i < 5; i++)
        if (!strcmp(n, names[i]))
            return i;
    if (!strcmp(n, "markdown"))
        return FA_INV_MD;
    return -1;
}

static const char *js(const json_t *o, const char *k)
{
    json_t *j = json_object_get(o, k);
    return json_is_string(j) ? json_string_value(j) : "";
}

static long long ji(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* Markdown table cell: '|' and newlines would break the row. */
static void md_cell(fa_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fa_buf_adds(b, "\\|");
        else if (*s == '\n' || *s == '\r')
            fa_buf_addch(b, ' ');
        else
            fa_buf_addch(b, *s);
    }
}

static void human_bytes(fa_buf *b, long long n)
{
    const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double x = (double)n;
    int i = 0;
    while (x >= 1024 && i < 4) {
        x /= 1024;
        i++;
    }
    if (i)
        fa_buf_addf(b, "%.1f %s", x, u[i]);
    else
        fa_buf_addf(b, "%lld B", n);
}

static const char *date_of(const json_t *o, const char *k, char *buf)
{
    const char *s = js(o, k);
    if (!*s)
        return "–";
    snprintf(buf, 11, "%s", s);
    return buf;
}

static void flow_to_label(const json_t *to, fa_buf *b)
{
    if (!strcmp(js(to, "kind"), "vendor")) {
        const char *h = js(to, "host"), *vn = js(to, "vendor");
        fa_buf_adds(b, *h ? h : *vn ? vn : js(to, "rule"));
        if (*h && *vn)
            fa_buf_addf(b, " (%s)", vn);
    } else {
        fa_buf_adds(b, js(to, "location"));
    }
}

static void render_md(const json_t *inv, fa_buf *b)
{
    const json_t *sum = json_object_get(inv, "summary"), *gen = json_object_get(inv, "generated_from");
    const json_t *exp = json_object_get(sum, "exposure");
    char d1[16], d2[16];
    size_t i;
    json_t *x;
    fa_buf_adds(b, "# Biometric data inventory\n\n");
    fa_buf_addf(b, "Built from %zu scan document(s)", json_array_size(json_object_get(gen, "documents")));
    json_array_foreach(json_object_get(gen, "targets"), i, x)
        fa_buf_addf(b, "%s`%s`", i ? ", " : " of ", json_string_value(x));
    fa_buf_addf(b, ". Scan complete: %s.\n\n", json_is_true(json_object_get(gen, "complete")) ? "yes" : "**no**");
    fa_buf_adds(b, "## Summary\n\n");
    fa_buf_addf(b, "- Stores holding biometric data: **%lld** (%lld stores with findings)\n",
                ji(sum, "stores_holding_biometric"), ji(sum, "stores"));
    fa_buf_addf(b, "- Objects with findings: %lld of %lld scanned (", ji(sum, "objects_with_findings"),
                ji(sum, "objects_scanned"));
    human_bytes(b, ji(sum, "bytes_with_findings"));
    fa_buf_addf(b, ")\n- Findings: %lld", ji(sum, "findings"));
    const char *k;
    json_t *c;
    json_object_foreach(json_object_get(sum, "categories"), k, c)
        fa_buf_addf(b, "; %s %lld in %lld objects", k, ji(c, "findings"), ji(c, "objects"));
    fa_buf_addf(b, "\n- Flows: %lld (%lld insecure)", ji(sum, "flows"), ji(sum, "insecure_flows"));
    if (json_array_size(json_object_get(sum, "vendors"))) {
        fa_buf_adds(b, "; vendors: ");
        json_array_foreach(json_object_get(sum, "vendors"), i, x)
            fa_buf_addf(b, "%s%s", i ? ", " : "", json_string_value(x));
    }
    fa_buf_addf(b, "\n- Exposure estimate: up to **%lld** data subjects (%lld faces in images + %lld "
                "template vectors). This is an upper bound: the same person may appear many times.\n\n",
                ji(exp, "estimate"), ji(exp, "faces"), ji(exp, "templates"));

    json_t *warnings = json_object_get(inv, "warnings");
    if (json_array_size(warnings)) {
        fa_buf_adds(b, "## Warnings\n\n");
        json_array_foreach(warnings, i, x) {
            fa_buf_addf(b, "- **%s** ", js(x, "severity"));
            md_cell(b, js(x, "message"));
            fa_buf_addch(b, '\n');
        }
        fa_buf_addch(b, '\n');
    }
    fa_buf_adds(b, "## Stores\n\n| Store | Kind | Categories (objects/findings) | Bytes | Oldest | Newest "
                   "| Exposure (≤) | Public | Encryption |\n|---|---|---|---:|---|---|---:|---|---|\n");
    json_array_foreach(json_object_get(inv, "stores"), i, x) {
        fa_buf_adds(b, "| ");
        md_cell(b, js(x, "location"));
        fa_buf_addf(b, " | %s | ", js(x, "kind"));
        int first = 1;
        json_object_foreach(json_object_get(x, "categories"), k, c) {
            fa_buf_addf(b, "%s%s %lld/%lld", first ? "" : ", ", k, ji(c, "objects"), ji(c, "findings"));
            first = 0;
        }
        fa_buf_adds(b, " | ");
        human_bytes(b, ji(x, "bytes_with_findings"));
        json_t *p = json_object_get(x, "posture"), *pub = json_object_get(p, "public");
        fa_buf_addf(b, " | %s | %s | %lld | %s | %s |\n", date_of(x, "oldest", d1), date_of(x, "newest", d2),
                    ji(json_object_get(x, "exposure"), "estimate"),
                    json_is_true(pub) ? "**yes**" : json_is_false(pub) ? "no" : "unknown",
                    *js(p, "encryption") ? js(p, "encryption") : "unknown");
    }
    fa_buf_adds(b, "\n## Flows\n\n");
    if (!json_array_size(json_object_get(inv, "flows")))
        fa_buf_adds(b, "No flows found.\n");
    else
        fa_buf_adds(b, "| From | To | Kind | Category | Count | First seen | Last seen | Insecure |\n"
                       "|---|---|---|---|---:|---|---|---|\n");
    json_array_foreach(json_object_get(inv, "flows"), i, x) {
        fa_buf tl = FA_BUF_INIT;
        flow_to_label(json_object_get(x, "to"), &tl);
        /* Store ids are "kind:location": a reader wants the location. */
        const char *from = js(x, "from"), *colon = strchr(from, ':');
        fa_buf_adds(b, "| ");
        md_cell(b, colon ? colon + 1 : from);
        fa_buf_adds(b, " | ");
        md_cell(b, tl.buf);
        fa_buf_release(&tl);
        fa_buf_addf(b, " | %s | %s | %lld | %s | %s | %s |\n", js(x, "kind"), js(x, "category"),
                    ji(x, "count"), date_of(x, "first_seen", d1), date_of(x, "last_seen", d2),
                    json_is_true(json_object_get(x, "insecure")) ? "**yes (http)**" : "no");
    }
    fa_buf_adds(b, "\n## Data categories (Fides taxonomy)\n\n| faceaudit category | Fides data categories |\n|---|---|\n");
    json_t *tax = json_object_get(inv, "taxonomy");
    json_object_foreach(json_object_get(tax, "categories"), k, c) {
        fa_buf_addf(b, "| %s | ", k);
        json_array_foreach(c, i, x)
            fa_buf_addf(b, "%s`%s`", i ? ", " : "", json_string_value(x));
        fa_buf_adds(b, " |\n");
    }
    fa_buf_addf(b, "\n%s\n", js(tax, "note"));
}

static void csv_field(fa_buf *b, const char *s, int last)
{
    fa_csv_cell(b, s, last, "\n");
}

static void render_csv(const json_t *inv, fa_buf *b)
{
    /* One table: a row per store and category, then a row per flow (record column). */
    fa_buf_adds(b, "record,id,kind,location,category,objects,findings,bytes,oldest,newest,"
                   "exposure,public,encryption,to,insecure\n");
    size_t i;
    json_t *x;
    char n1[32], n2[32], n3[32], n4[32];
    json_array_foreach(json_object_get(inv, "stores"), i, x) {
        const char *k;
        json_t *c;
        json_t *p = json_object_get(x, "posture"), *pub = json_object_get(p, "public");
        json_object_foreach(json_object_get(x, "categories"), k, c) {
            snprintf(n1, sizeof n1, "%lld", ji(c, "objects"));
            snprintf(n2, sizeof n2, "%lld", ji(c, "findings"));
            snprintf(n3, sizeof n3, "%lld", ji(c, "bytes"));
            snprintf(n4, sizeof n4, "%lld", ji(json_object_get(x, "exposure"), "estimate"));
            const char *row[] = { "store", js(x, "id"), js(x, "kind"), js(x, "location"), k, n1, n2, n3,
                                  js(x, "oldest"), js(x, "newest"), n4,
                                  json_is_true(pub) ? "yes" : json_is_false(pub) ? "no" : "unknown",
                                  *js(p, "encryption") ? js(p, "encryption") : "unknown", "", "" };
            for (int f = 0; f < 15; f++)
                csv_field(b, row[f], f == 14);
        }
    }
    json_array_foreach(json_object_get(inv, "flows"), i, x) {
        fa_buf tl = FA_BUF_INIT;
        flow_to_label(json_object_get(x, "to"), &tl);
        snprintf(n2, sizeof n2, "%lld", ji(x, "count"));
        const char *row[] = { "flow", js(x, "id"), js(x, "kind"), js(x, "from"), js(x, "category"), "", n2, "",
                              js(x, "first_seen"), js(x, "last_seen"), "", "", "", tl.buf,
                              json_is_true(json_object_get(x, "insecure")) ? "yes" : "no" };
        for (int f = 0; f < 15; f++)
            csv_field(b, row[f], f == 14);
        fa_buf_release(&tl);
    }
}

static void dot_str(fa_buf *b, const char *s)
{
    fa_buf_addch(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fa_buf_addch(b, '\\');
        if (*s == '\n')
            fa_buf_adds(b, "\\n");
        else
            fa_buf_addch(b, *s);
    }
    fa_buf_addch(b, '"');
}

static const char *dot_shape(const char *kind)
{
    if (!strcmp(kind, "bucket") || !strcmp(kind, "bucket_prefix")) return "cylinder";
    if (!strcmp(kind, "archive")) return "box3d";
    if (!strcmp(kind, "log")) return "note";
    if (!strcmp(kind, "folder")) return "folder";
    return "box";
}

static void render_dot(const json_t *inv, fa_buf *b)
{
    size_t i;
    json_t *x;
    json_t *drawn = json_object();
    fa_buf_adds(b, "digraph faceaudit_inventory {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                   "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    json_array_foreach(json_object_get(inv, "stores"), i, x) {
        fa_buf l = FA_BUF_INIT;
        fa_buf_addf(&l, "%s\n%s · %lld objects", js(x, "location"), js(x, "kind"), ji(x, "objects_with_findings"));
        json_t *pub = json_object_get(json_object_get(x, "posture"), "public");
        fa_buf_adds(b, "  ");
        dot_str(b, js(x, "id"));
        fa_buf_addf(b, " [shape=%s, label=", dot_shape(js(x, "kind")));
        dot_str(b, l.buf);
        fa_buf_adds(b, json_is_true(pub) ? ", color=red, penwidth=2" : "");
        fa_buf_adds(b, json_is_true(json_object_get(x, "holds_biometric")) ? ", style=filled, fillcolor=\"#fff3cd\"];\n" : "];\n");
        json_object_set_new(drawn, js(x, "id"), json_true());
        fa_buf_release(&l);
    }
    json_array_foreach(json_object_get(inv, "flows"), i, x) {
        json_t *to = json_object_get(x, "to");
        const char *from = js(x, "from");
        fa_buf tid = FA_BUF_INIT, tl = FA_BUF_INIT;
        if (!json_object_get(drawn, from)) {
            fa_buf_adds(b, "  ");
            dot_str(b, from);
            fa_buf_adds(b, !strcmp(from, "application") ? " [shape=component, label=\"application\"];\n" : " [shape=folder, label=");
            if (strcmp(from, "application")) {
                const char *colon = strchr(from, ':');
                dot_str(b, colon ? colon + 1 : from);
                fa_buf_adds(b, "];\n");
            }
            json_object_set_new(drawn, from, json_true());
        }
        if (!strcmp(js(to, "kind"), "vendor")) {
            flow_to_label(to, &tl);
            fa_buf_addf(&tid, "vendor:%s", tl.buf);
            if (!json_object_get(drawn, tid.buf)) {
                fa_buf_adds(b, "  ");
                dot_str(b, tid.buf);
                fa_buf_adds(b, " [shape=box, style=\"rounded,filled\", fillcolor=\"#e2e3f5\", label=");
                dot_str(b, tl.buf);
                fa_buf_adds(b, "];\n");
                json_object_set_new(drawn, tid.buf, json_true());
            }
        } else {
            fa_buf_adds(&tid, js(to, "id"));
        }
        fa_buf lab = FA_BUF_INIT;
        fa_buf_addf(&lab, "%s ×%lld", js(x, "category"), ji(x, "count"));
        int insecure = json_is_true(json_object_get(x, "insecure"));
        if (insecure)
            fa_buf_adds(&lab, "\nINSECURE (http)");
        if (!strcmp(js(x, "kind"), "logging_leak"))
            fa_buf_adds(&lab, "\nlogging leak");
        if (!strcmp(js(x, "kind"), "backup"))
            fa_buf_adds(&lab, "\nbackup");
        fa_buf_adds(b, "  ");
        dot_str(b, from);
        fa_buf_adds(b, " -> ");
        dot_str(b, tid.buf);
        fa_buf_adds(b, " [label=");
        dot_str(b, lab.buf);
        if (insecure || !strcmp(js(x, "kind"), "logging_leak"))
            fa_buf_adds(b, ", color=red, fontcolor=red");
        if (!strcmp(js(x, "kind"), "backup"))
            fa_buf_adds(b, ", style=dashed");
        fa_buf_adds(b, "];\n");
        fa_buf_release(&lab);
        fa_buf_release(&tid);
        fa_buf_release(&tl);
    }
    fa_buf_adds(b, "}\n");
    json_decref(drawn);
}

static fa_status render_svg(const json_t *inv, fa_buf *b, fa_err *err)
{
    fa_buf dot = FA_BUF_INIT;
    render_dot(inv, &dot);
    GVC_t *gvc = gvContext();
    if (!gvc) {
        fa_buf_release(&dot);
        return fa_err_set(err, FA_FATAL, "graphviz", "cannot create a Graphviz context");
    }
    Agraph_t *g = agmemread(dot.buf);
    fa_buf_release(&dot);
    if (!g) {
        gvFreeContext(gvc);
        return fa_err_set(err, FA_FATAL, "graphviz", "Graphviz could not read the generated graph");
    }
    fa_status st = FA_OK;
    char *data = NULL;
    unsigned int len = 0;
    if (gvLayout(gvc, g, "dot") != 0) {
        st = fa_err_set(err, FA_FATAL, "graphviz", "Graphviz layout \"dot\" failed (is the graphviz "
                        "package with its plugins installed?)");
    } else {
        if (gvRenderData(gvc, g, "svg", &data, &len) != 0 || !data)
            st = fa_err_set(err, FA_FATAL, "graphviz", "Graphviz could not render SVG (plugins missing?)");
        else
            fa_buf_add(b, data, len);
        if (data)
            gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
    }
    agclose(g);
    gvFreeContext(gvc);
    return st;
}

fa_status fa_inventory_render(const json_t *inv, fa_inventory_format fmt, fa_buf *out, fa_err *err)
{
    switch (fmt) {
    case FA_INV_JSON: {
        char *s = json_dumps(inv, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!s)
            return fa_err_set(err, FA_FATAL, "json", "cannot serialise the inventory");
        fa_buf_adds(out, s);
        fa_buf_addch(out, '\n');
        free(s);
        return FA_OK;
    }
    case FA_INV_MD: render_md(inv, out); return FA_OK;
    case FA_INV_CSV: render_csv(inv, out); return FA_OK;
    case FA_INV_DOT: render_dot(inv, out); return FA_OK;
    case FA_INV_SVG: return render_svg(inv, out, err);
    }
    return fa_err_set(err, FA_FATAL, "usage", "unknown format");
}
