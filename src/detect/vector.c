/* Rule kind `vector`: face templates (embeddings) in NumPy files, pickles, FAISS indexes,
 * safetensors, HDF5, JSON/JSON-lines, CSV/TSV, pgvector text, and (through `then: vector`
 * of regex rules) base64 blobs of raw floats. Parsers read and never execute; the
 * decision is parse_vecstats.h's. Findings carry shapes, counts and a hash, never values.
 * Field reference: doc/kind-vector.md. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/parse_jsonarr.h"
#include "faceaudit/parse_mlfiles.h"
#include "faceaudit/parse_npy.h"
#include "faceaudit/parse_pickle.h"
#include "faceaudit/parse_vecstats.h"
#include "faceaudit/sniff.h"

#define MAX_GROUPS 256

/* ---------------------------------------------------------------- rule parameters */

static fa_vparams *vp_of(fa_rule *r)
{
    if (!r->kdata) {
        fa_vparams *p = fa_xcalloc(1, sizeof *p);
        fa_vparams_defaults(p);
        r->kdata = p;
    }
    return r->kdata;
}

static fa_status read_dims(const fa_ynode *v, const char *what, size_t *out, size_t max, size_t *n, fa_err *err)
{
    if (!fa_ynode_is_seq(v) || !fa_ynode_len(v))
        return fa_ynode_error(v, err, "%s must be a non-empty list of integers", what);
    if (fa_ynode_len(v) > max)
        return fa_ynode_error(v, err, "%s has more than %zu entries", what, max);
    *n = 0;
    for (size_t i = 0; i < fa_ynode_len(v); i++) {
        fa_ynode it = fa_ynode_item(v, i);
        long long d;
        if (fa_ynode_int(&it, what, &d, err) != FA_OK)
            return FA_FAIL;
        if (d < 2 || d > FA_TEXTVEC_MAX)
            return fa_ynode_error(&it, err, "%s: %lld is not between 2 and %d", what, d, FA_TEXTVEC_MAX);
        out[(*n)++] = (size_t)d;
    }
    return FA_OK;
}

static fa_status read_dtypes(const fa_ynode *v, const char *what, unsigned *mask, fa_err *err)
{
    char **sv;
    size_t n;
    if (fa_ynode_strv(v, what, &sv, &n, err) != FA_OK)
        return FA_FAIL;
    *mask = 0;
    for (size_t i = 0; i < n; i++) {
        int t = fa_vdtype_parse(sv[i]);
        if (t < 0) {
            fa_strv_free(sv);
            return fa_ynode_error(v, err, "%s: unknown dtype (float16, float32, float64, decimal)", what);
        }
        *mask |= FA_VDT_BIT(t);
    }
    fa_strv_free(sv);
    return FA_OK;
}

static fa_status read_words(const fa_ynode *v, const char *what, char ***out, size_t *n, fa_err *err)
{
    char **sv;
    size_t k;
    if (fa_ynode_strv(v, what, &sv, &k, err) != FA_OK)
        return FA_FAIL;
    for (size_t i = 0; i < k; i++)
        for (char *c = sv[i]; *c; c++) {
            if (!isalpha((unsigned char)*c)) {
                fa_strv_free(sv);
                return fa_ynode_error(v, err, "%s: words are letters only", what);
            }
            *c = (char)tolower((unsigned char)*c);
        }
    for (size_t i = 0; i < *n; i++)
        free((*out)[i]);
    free(*out);
    *out = sv;
    *n = k;
    return FA_OK;
}

static fa_status read_range(const fa_ynode *v, const char *what, double *lo, double *hi, fa_err *err)
{
    if (!fa_ynode_is_seq(v) || fa_ynode_len(v) != 2)
        return fa_ynode_error(v, err, "%s must be [low, high]", what);
    fa_ynode a = fa_ynode_item(v, 0), b = fa_ynode_item(v, 1);
    if (fa_ynode_double(&a, what, lo, err) != FA_OK || fa_ynode_double(&b, what, hi, err) != FA_OK)
        return FA_FAIL;
    if (!(*lo >= 0) || !(*hi > *lo))
        return fa_ynode_error(v, err, "%s must be [low, high] with 0 <= low < high", what);
    return FA_OK;
}

static fa_status read_family(fa_vparams *p, const fa_ynode *m, fa_err *err)
{
    if (!fa_ynode_is_map(m))
        return fa_ynode_error(m, err, "families: each family is a mapping");
    if (p->nfamilies >= FA_VPARAMS_MAXFAM)
        return fa_ynode_error(m, err, "families: at most %d", FA_VPARAMS_MAXFAM);
    fa_vfamily f;
    memset(&f, 0, sizeof f);
    int have_norm = 0;
    const char *name = NULL;
    for (size_t i = 0; i < fa_ynode_len(m); i++) {
        fa_ynode k = fa_ynode_key(m, i), v = fa_ynode_value(m, i);
        const char *key = fa_ynode_scalar(&k);
        fa_status st = FA_OK;
        if (!key)
            return fa_ynode_error(&k, err, "families: keys are strings");
        if (!strcmp(key, "name"))
            st = fa_ynode_str(&v, "name", &name, err);
        else if (!strcmp(key, "dimensions"))
            st = read_dims(&v, "dimensions", f.dims, FA_VFAM_MAXDIMS, &f.ndims, err);
        else if (!strcmp(key, "normalised") || !strcmp(key, "normalized")) {
            st = fa_ynode_bool(&v, key, &f.normalised, err);
            have_norm |= f.normalised;
        } else if (!strcmp(key, "norm")) {
            st = read_range(&v, "norm", &f.norm_lo, &f.norm_hi, err);
            have_norm = 1;
        } else if (!strcmp(key, "max_abs"))
            st = fa_ynode_double(&v, "max_abs", &f.max_abs, err);
        else if (!strcmp(key, "non_negative"))
            st = fa_ynode_bool(&v, "non_negative", &f.allow_nonneg, err);
        else if (!strcmp(key, "needs_context"))
            st = fa_ynode_bool(&v, "needs_context", &f.needs_context, err);
        else if (!strcmp(key, "dtypes"))
            st = read_dtypes(&v, "dtypes", &f.dtypes, err);
        else
            return fa_ynode_error(&k, err, "families: unknown key '%s' (name, dimensions, normalised, norm, "
                                  "max_abs, non_negative, needs_context, dtypes)", key);
        if (st != FA_OK)
            return FA_FAIL;
    }
    if (!name || !*name)
        return fa_ynode_error(m, err, "families: a family needs a name");
    if (!f.ndims)
        return fa_ynode_error(m, err, "families: family '%s' needs dimensions", name);
    if (!have_norm)
        return fa_ynode_error(m, err, "families: family '%s' needs normalised: true or norm: [low, high]", name);
    f.name = fa_xstrdup(name);
    p->families[p->nfamilies++] = f;
    return FA_OK;
}

static fa_status vector_parse_key(fa_rule *rule, const char *key, const fa_ynode *v, fa_err *err)
{
    fa_vparams *p = vp_of(rule);
    long long ll;
    if (!strcmp(key, "dimensions")) {
        size_t dims[64], n;
        if (read_dims(v, "dimensions", dims, 64, &n, err) != FA_OK)
            return FA_FAIL;
        free(p->dims);
        p->dims = fa_xmalloc(n * sizeof *dims);
        memcpy(p->dims, dims, n * sizeof *dims);
        p->ndims = n;
    } else if (!strcmp(key, "dtypes")) {
        return read_dtypes(v, "dtypes", &p->dtypes, err);
    } else if (!strcmp(key, "containers")) {
        char **sv;
        size_t n;
        if (fa_ynode_strv(v, "containers", &sv, &n, err) != FA_OK)
            return FA_FAIL;
        p->containers = 0;
        for (size_t i = 0; i < n; i++) {
            int c = fa_vcont_parse(sv[i]);
            if (c < 0) {
                fa_ynode_error(v, err, "containers: unknown container '%s' (npy, pickle, json, csv, pgvector, "
                               "text, faiss, safetensors, hdf5, base64)", sv[i]);
                fa_strv_free(sv);
                return FA_FAIL;
            }
            p->containers |= FA_VC_BIT(c);
        }
        fa_strv_free(sv);
    } else if (!strcmp(key, "min_vectors")) {
        if (fa_ynode_int(v, "min_vectors", &ll, err) != FA_OK)
            return FA_FAIL;
        if (ll < 1)
            return fa_ynode_error(v, err, "min_vectors must be at least 1");
        p->min_vectors = (size_t)ll;
    } else if (!strcmp(key, "min_confidence")) {
        if (fa_ynode_double(v, "min_confidence", &p->min_confidence, err) != FA_OK)
            return FA_FAIL;
        if (p->min_confidence < 0 || p->min_confidence > 1)
            return fa_ynode_error(v, err, "min_confidence must be between 0 and 1");
    } else if (!strcmp(key, "norm_tolerance")) {
        if (fa_ynode_double(v, "norm_tolerance", &p->norm_tol, err) != FA_OK)
            return FA_FAIL;
        if (p->norm_tol <= 0 || p->norm_tol > 0.5)
            return fa_ynode_error(v, err, "norm_tolerance must be in (0, 0.5]");
    } else if (!strcmp(key, "context_up")) {
        return read_words(v, "context_up", &p->context_up, &p->nup, err);
    } else if (!strcmp(key, "context_down")) {
        return read_words(v, "context_down", &p->context_down, &p->ndown, err);
    } else if (!strcmp(key, "families")) {
        if (!fa_ynode_is_seq(v) || !fa_ynode_len(v))
            return fa_ynode_error(v, err, "families must be a non-empty list");
        fa_vparams_clear_families(p);
        for (size_t i = 0; i < fa_ynode_len(v); i++) {
            fa_ynode m = fa_ynode_item(v, i);
            if (read_family(p, &m, err) != FA_OK)
                return FA_FAIL;
        }
    } else {
        return FA_WARN;
    }
    return FA_OK;
}

static fa_status vector_finish_rule(fa_rule *rule, fa_err *err)
{
    fa_vparams *p = vp_of(rule);
    if (!p->containers)
        return fa_err_set(err, FA_FAIL, "syntax", "a vector rule needs at least one container");
    if (!p->nfamilies)
        return fa_err_set(err, FA_FAIL, "syntax", "a vector rule needs at least one family");
    for (size_t i = 0; i < p->nfamilies; i++)
        for (size_t k = 0; k < p->families[i].ndims; k++)
            if (!fa_vparams_dim_ok(p, p->families[i].dims[k]))
                return fa_err_set(err, FA_FAIL, "syntax", "family '%s' has dimension %zu, which is not in dimensions",
                                  p->families[i].name, p->families[i].dims[k]);
    if (rule->category && strcmp(rule->category, FA_CAT_FACE_TEMPLATE))
        return fa_err_set(err, FA_FAIL, "syntax", "a vector rule reports category face_template");
    return FA_OK;
}

static void vector_free_rule(fa_rule *rule)
{
    if (!rule->kdata)
        return;
    fa_vparams_free(rule->kdata);
    free(rule->kdata);
    rule->kdata = NULL;
}

/* ---------------------------------------------------------------- prepared state */

typedef struct vprep {
    fa_rule  **rules;
    size_t     n;
    unsigned   containers;     /* union */
    fa_vparams defaults;       /* for inspect() without rules */
} vprep;

static void *vector_prepare(fa_rule *const *rules, size_t n, fa_err *err)
{
    (void)err;
    vprep *p = fa_xcalloc(1, sizeof *p);
    fa_vparams_defaults(&p->defaults);
    if (n) {
        p->rules = fa_xcalloc(n, sizeof *p->rules);
        memcpy(p->rules, rules, n * sizeof *rules);
    }
    p->n = n;
    for (size_t i = 0; i < n; i++)
        p->containers |= vp_of(p->rules[i])->containers;
    return p;
}

static void vector_release(void *prep)
{
    vprep *p = prep;
    if (!p)
        return;
    fa_vparams_free(&p->defaults);
    free(p->rules);
    free(p);
}

static unsigned vector_wants(void *prep, const fa_object *obj)
{
    const vprep *p = prep;
    if (!p || !p->n || !obj->type)
        return FA_IN_NONE;
    const char *t = obj->type;
    unsigned c = p->containers;
    if ((!strcmp(t, FA_TYPE_NPY) && (c & (FA_VC_BIT(FA_VC_NPY) | FA_VC_BIT(FA_VC_PICKLE)))) ||
        (!strcmp(t, FA_TYPE_PICKLE) && (c & FA_VC_BIT(FA_VC_PICKLE))) ||
        (!strcmp(t, FA_TYPE_FAISS) && (c & FA_VC_BIT(FA_VC_FAISS))) ||
        (!strcmp(t, FA_TYPE_SAFETENSORS) && (c & FA_VC_BIT(FA_VC_SAFETENSORS))) ||
        (!strcmp(t, FA_TYPE_HDF5) && (c & FA_VC_BIT(FA_VC_HDF5))))
        return FA_IN_BUFFER;
    if (fa_type_is_text(t) && (c & (FA_VC_BIT(FA_VC_JSON) | FA_VC_BIT(FA_VC_CSV) |
                                    FA_VC_BIT(FA_VC_PGVECTOR) | FA_VC_BIT(FA_VC_TEXT))))
        return FA_IN_TEXT;
    return FA_IN_NONE;
}

/* ---------------------------------------------------------------- collecting groups */

typedef struct group {
    char      *path;
    size_t     dim;
    fa_vdtype  dtype;
    fa_vcont   cont;
    long       first_line, last_line;
    int        up, down;            /* context words */
    int        header_only;         /* shape known, vectors not readable (FAISS PQ/HNSW codes) */
    size_t     header_count;
    fa_vgroup *g;                   /* one per rule */
} group;

typedef struct collector {
    vprep      *p;
    fa_rule   **rules;              /* the rules to apply (all, or one for inspect) */
    fa_vparams **params;
    size_t      nrules;
    group      *groups;
    size_t      ngroups, agroups;
    size_t      last;               /* cache: index of the last group hit */
    const char *name;               /* object name: context */
    const char *ctx_text;           /* extra context for a new group (line, header) */
    size_t      ctx_len;
    size_t      dropped;            /* vectors in groups beyond MAX_GROUPS */
} collector;

static void coll_init(collector *c, vprep *p, fa_rule **rules, fa_vparams **params, size_t n, const char *name)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->rules = rules;
    c->params = params;
    c->nrules = n;
    c->name = name;
}

static int dim_wanted(const collector *c, size_t dim, fa_vcont cont)
{
    for (size_t i = 0; i < c->nrules; i++)
        if ((c->params[i]->containers & FA_VC_BIT(cont)) && fa_vparams_dim_ok(c->params[i], dim))
            return 1;
    return 0;
}

static group *coll_group(collector *c, const char *path, size_t dim, fa_vdtype dt, fa_vcont cont, long line)
{
    if (c->ngroups) {
        group *g = &c->groups[c->last];
        if (g->dim == dim && g->cont == cont && g->dtype == dt && !strcmp(g->path, path))
            return g;
        for (size_t i = 0; i < c->ngroups; i++) {
            g = &c->groups[i];
            if (g->dim == dim && g->cont == cont && g->dtype == dt && !strcmp(g->path, path)) {
                c->last = i;
                return g;
            }
        }
    }
    if (c->ngroups == MAX_GROUPS)
        return NULL;
    FA_GROW(c->groups, c->ngroups + 1, c->agroups);
    group *g = &c->groups[c->ngroups];
    memset(g, 0, sizeof *g);
    g->path = fa_xstrdup(path);
    g->dim = dim;
    g->dtype = dt;
    g->cont = cont;
    g->first_line = g->last_line = line;
    g->g = fa_xcalloc(c->nrules, sizeof *g->g);
    for (size_t i = 0; i < c->nrules; i++)
        fa_vgroup_init(&g->g[i], dim, dt);
    /* Context: the object's name, the key path and the text around the first vector. */
    const fa_vparams *cp = c->nrules ? c->params[0] : &c->p->defaults;
    if (c->name)
        fa_vcontext(cp, c->name, strlen(c->name), &g->up, &g->down);
    fa_vcontext(cp, path, strlen(path), &g->up, &g->down);
    if (c->ctx_text)
        fa_vcontext(cp, c->ctx_text, c->ctx_len, &g->up, &g->down);
    c->last = c->ngroups++;
    return g;
}

static void coll_add(collector *c, const char *path, fa_vdtype dt, fa_vcont cont, long line,
                     size_t dim, const double *v)
{
    if (!dim_wanted(c, dim, cont))
        return;
    group *g = coll_group(c, path, dim, dt, cont, line);
    if (!g) {
        c->dropped++;
        return;
    }
    g->last_line = line;
    for (size_t i = 0; i < c->nrules; i++)
        if ((c->params[i]->containers & FA_VC_BIT(cont)) && fa_vparams_dim_ok(c->params[i], dim))
            fa_vgroup_add(&g->g[i], c->params[i], v);
}

static void coll_free(collector *c)
{
    for (size_t i = 0; i < c->ngroups; i++) {
        free(c->groups[i].path);
        free(c->groups[i].g);
    }
    free(c->groups);
    c->groups = NULL;
    c->ngroups = 0;
}

/* Evidence and message for a decided group. */
static json_t *evidence(const group *g, const fa_vparams *vp, const fa_vverdict *vd, size_t count)
{
    json_t *ev = json_object();
    json_object_set_new(ev, "dimension", json_integer((json_int_t)g->dim));
    json_object_set_new(ev, "vectors", json_integer((json_int_t)count));
    json_object_set_new(ev, "dtype", json_string(fa_vdtype_name(g->dtype)));
    json_object_set_new(ev, "container", json_string(fa_vcont_name(g->cont)));
    if (!g->header_only) {
        json_object_set_new(ev, "normalised", json_boolean(vd->normalised));
        json_object_set_new(ev, "mean_norm", json_real(vd->norm_mean));
    }
    json_object_set_new(ev, "family", json_string(vd->family >= 0 ? vp->families[vd->family].name : "unknown"));
    if (g->path[0] && strcmp(g->path, "$"))
        json_object_set_new(ev, "key_path", json_string(g->path));
    if (g->first_line > 0 && g->last_line > g->first_line)
        json_object_set_new(ev, "last_line", json_integer(g->last_line));
    return ev;
}

/* Decides group g under rule i. Returns 1 on a hit with conf, ev, msg and sha filled
 * (sha: the group's SHA-256 over its vectors as float32, hashed again as evidence.sha256). */
static int decide(collector *c, group *g, size_t i, double *conf, json_t **ev, fa_buf *msg,
                  unsigned char sha[32])
{
    const fa_vparams *vp = c->params[i];
    const fa_rule *r = c->rules[i];
    if (!(vp->containers & FA_VC_BIT(g->cont)) || !fa_vparams_dim_ok(vp, g->dim))
        return 0;
    fa_vverdict vd;
    size_t count;
    if (g->header_only) {
        /* Only the shape is known: the dimension and the context decide, at lower confidence. */
        memset(&vd, 0, sizeof vd);
        vd.family = -1;
        int ctx = (g->up > g->down) - (g->down > g->up);
        double cf = r->confidence - 0.2 + (ctx > 0 ? 0.15 : ctx < 0 ? -0.4 : 0);
        if (cf > 0.99) cf = 0.99;
        if (cf < vp->min_confidence || g->header_count < vp->min_vectors)
            return 0;
        vd.confidence = round(cf * 100) / 100;
        count = g->header_count;
        fa_sha256_final(&g->g[i].hash, vd.sha);
    } else {
        fa_vgroup *vg = &g->g[i];
        vg->ctx_up = g->up;
        vg->ctx_down = g->down;
        count = vg->count;
        fa_vgroup_decide(vg, vp, r->confidence, &vd);
        if (!vd.hit)
            return 0;
    }
    *conf = vd.confidence;
    *ev = evidence(g, vp, &vd, count);
    memcpy(sha, vd.sha, 32);
    fa_buf_addf(msg, "%zu face template%s of dimension %zu (%s%s) in %s", count, count == 1 ? "" : "s",
                g->dim, vd.family >= 0 ? vp->families[vd.family].name : "shape only",
                g->header_only ? "" : vd.normalised ? ", unit norm" : ", raw", fa_vcont_name(g->cont));
    return 1;
}

static void coll_report(collector *c, fa_ctx *ctx, const fa_location *loc)
{
    for (size_t k = 0; k < c->ngroups; k++) {
        group *g = &c->groups[k];
        for (size_t i = 0; i < c->nrules; i++) {
            double conf;
            json_t *ev = NULL;
            unsigned char sha[32];
            fa_buf msg = FA_BUF_INIT;
            if (decide(c, g, i, &conf, &ev, &msg, sha)) {
                fa_location l = *loc;
                if (g->first_line > 0)
                    l.line = g->first_line;
                fa_ctx_report(ctx, c->rules[i], &l, conf, sha, sizeof sha, ev, "%s", msg.buf);
            }
            fa_buf_release(&msg);
        }
    }
}

/* ---------------------------------------------------------------- binary containers */

typedef struct bufscan {
    collector  c;
    fa_vparams *params[16];
    double     *scratch;
    size_t      ascratch;
    fa_vcont    cont;
    fa_buf      where;      /* path and member names: context words */
} bufscan;

/* The object's path and archive member names, as context ("clip_text/feats.npz!data.npy"). */
static void where_text(const fa_object *obj, fa_buf *out)
{
    if (obj->loc) {
        if (obj->loc->path)
            fa_buf_adds(out, obj->loc->path);
        for (size_t i = 0; i < obj->loc->nmembers; i++) {
            fa_buf_addch(out, '!');
            fa_buf_adds(out, obj->loc->members[i]);
        }
    }
    if (obj->name) {
        fa_buf_addch(out, ' ');
        fa_buf_adds(out, obj->name);
    }
}

static void bs_init(bufscan *b, vprep *p, const fa_object *obj)
{
    memset(b, 0, sizeof *b);
    size_t n = p->n < 16 ? p->n : 16;
    for (size_t i = 0; i < n; i++)
        b->params[i] = vp_of(p->rules[i]);
    fa_buf_init(&b->where, 128);
    where_text(obj, &b->where);
    coll_init(&b->c, p, p->rules, b->params, n, b->where.buf);
}

static void bs_free(bufscan *b)
{
    coll_free(&b->c);
    free(b->scratch);
    fa_buf_release(&b->where);
}

/* count vectors of dim elements at raw, rows contiguous (stride 1) or Fortran (stride count) */
static void add_raw(bufscan *b, const char *path, fa_vcont cont, const unsigned char *raw, fa_vdtype dt, int be,
                    size_t dim, size_t count, int fortran)
{
    if (!dim || !dim_wanted(&b->c, dim, cont))
        return;
    FA_GROW(b->scratch, dim, b->ascratch);
    size_t w = fa_vdtype_size(dt);
    for (size_t r = 0; r < count; r++) {
        if (fortran)
            fa_vec_decode_strided(raw + r * w, dt, be, dim, count, b->scratch);
        else
            fa_vec_decode(raw + r * dim * w, dt, be, dim, b->scratch);
        coll_add(&b->c, path, dt, cont, 0, dim, b->scratch);
    }
}

static void on_pickle_vec(void *u, const char *path, fa_vdtype dt, size_t dim, const double *v)
{
    bufscan *b = u;
    coll_add(&b->c, path, dt, b->cont, 0, dim, v);
}

static void on_mlvec(void *u, const fa_mlvec *mv)
{
    bufscan *b = u;
    if (!dim_wanted(&b->c, mv->dim, b->cont))
        return;
    if (mv->raw) {
        add_raw(b, mv->name, b->cont, mv->raw, mv->dtype, mv->big_endian, mv->dim, mv->count, 0);
        return;
    }
    group *g = coll_group(&b->c, mv->name, mv->dim, mv->dtype, b->cont, 0);
    if (g) {
        g->header_only = 1;
        g->header_count += mv->count;
    }
}

static void on_hdf5_name(void *u, const char *name, size_t n)
{
    bufscan *b = u;
    const fa_vparams *vp = b->c.nrules ? b->c.params[0] : &b->c.p->defaults;
    int up = 0, down = 0;
    fa_vcontext(vp, name, n, &up, &down);
    if (up && !down && b->c.ngroups < 1) {
        /* one shape-less group named after the first face-like dataset */
        char nm[80];
        snprintf(nm, sizeof nm, "%.*s", (int)n, name);
        group *g = coll_group(&b->c, nm, 0, FA_VDT_F32, FA_VC_HDF5, 0);
        if (g) {
            g->header_only = 1;
            g->header_count = 1;
        }
    }
}

static void report_hdf5(bufscan *b, fa_ctx *ctx, const fa_object *obj)
{
    for (size_t k = 0; k < b->c.ngroups; k++) {
        group *g = &b->c.groups[k];
        for (size_t i = 0; i < b->c.nrules; i++) {
            const fa_vparams *vp = b->c.params[i];
            const fa_rule *r = b->c.rules[i];
            if (!(vp->containers & FA_VC_BIT(FA_VC_HDF5)))
                continue;
            double cf = round((r->confidence - 0.2 + 0.15) * 100) / 100;
            if (cf < vp->min_confidence)
                continue;
            json_t *ev = json_pack("{s:s,s:s}", "container", "hdf5", "dataset", g->path);
            fa_ctx_report(ctx, r, obj->loc, cf, g->path, strlen(g->path), ev,
                          "HDF5 file with a face-template dataset name (shape not read)");
        }
    }
}

static fa_status vector_scan_buffer(void *prep, fa_ctx *ctx, const fa_object *obj)
{
    vprep *p = prep;
    if (!p || !p->n || !obj->data || !obj->type)
        return FA_OK;
    bufscan b;
    bs_init(&b, p, obj);
    fa_err err;
    fa_err_clear(&err);
    fa_status st = FA_OK;
    const char *t = obj->type;
    if (!strcmp(t, FA_TYPE_NPY)) {
        fa_npy h;
        st = fa_npy_parse(obj->data, obj->len, &h, &err);
        if (st == FA_OK && h.kind == 'f' && (h.itemsize == 2 || h.itemsize == 4 || h.itemsize == 8) && h.ndim >= 1 &&
            (!h.fortran || h.ndim <= 2)) {
            fa_vdtype dt = h.itemsize == 2 ? FA_VDT_F16 : h.itemsize == 4 ? FA_VDT_F32 : FA_VDT_F64;
            size_t dim = h.shape[h.ndim - 1];
            if (dim && h.nelem)
                add_raw(&b, "", FA_VC_NPY, obj->data + h.offset, dt, h.big_endian, dim, h.nelem / dim,
                        h.fortran && h.ndim == 2);
        } else if (st != FA_OK && !strcmp(err.code, "truncated") && h.kind == 'f' && h.data_len && h.ndim >= 1 &&
                   !h.fortran && (h.itemsize == 2 || h.itemsize == 4 || h.itemsize == 8) && h.offset <= obj->len) {
            /* Cut file: the whole rows present are judged (never more than the file holds);
             * the truncation is an error entry below. */
            fa_vdtype dt = h.itemsize == 2 ? FA_VDT_F16 : h.itemsize == 4 ? FA_VDT_F32 : FA_VDT_F64;
            size_t dim = h.shape[h.ndim - 1];
            if (dim && dim <= FA_TEXTVEC_MAX)
                add_raw(&b, "", FA_VC_NPY, obj->data + h.offset, dt, h.big_endian, dim,
                        (obj->len - h.offset) / ((size_t)h.itemsize * dim), 0);
        } else if (st == FA_OK && h.kind == 'O') {
            /* object arrays hold a pickle after the header: lists of per-face arrays */
            b.cont = FA_VC_PICKLE;
            st = fa_pickle_walk(obj->data + h.offset, h.data_len, 0, on_pickle_vec, &b, &err);
        }
    } else if (!strcmp(t, FA_TYPE_PICKLE)) {
        b.cont = FA_VC_PICKLE;
        st = fa_pickle_walk(obj->data, obj->len, 0, on_pickle_vec, &b, &err);
    } else if (!strcmp(t, FA_TYPE_FAISS)) {
        b.cont = FA_VC_FAISS;
        st = fa_faiss_parse(obj->data, obj->len, on_mlvec, &b, &err);
    } else if (!strcmp(t, FA_TYPE_SAFETENSORS)) {
        b.cont = FA_VC_SAFETENSORS;
        st = fa_safetensors_parse(obj->data, obj->len, on_mlvec, &b, &err);
    } else if (!strcmp(t, FA_TYPE_HDF5)) {
        b.cont = FA_VC_HDF5;
        st = fa_hdf5_names(obj->data, obj->len, 4u << 20, on_hdf5_name, &b, &err);
        if (st == FA_OK)
            report_hdf5(&b, ctx, obj);
        if (st == FA_OK) {
            bs_free(&b);
            return FA_OK;
        }
    }
    if (st != FA_OK)
        fa_ctx_error(ctx, obj->loc, err.code[0] ? err.code : "corrupt_file", "%s", err.msg);
    /* Vectors found before a parse error are still reported. */
    coll_report(&b.c, ctx, obj->loc);
    bs_free(&b);
    return st == FA_OK ? FA_OK : FA_WARN;
}

/* ---------------------------------------------------------------- text */

typedef struct tstate {
    vprep       *p;
    fa_ctx      *ctx;
    fa_location  loc;
    char        *name;
    fa_vparams  *params[16];
    collector    c;
    fa_jsonarr  *json;
    fa_csvvec   *csv;
    long         first_line;     /* first line with something other than blanks */
} tstate;

static void on_tvec(void *u, const fa_tvec *tv)
{
    tstate *t = u;
    t->c.ctx_text = tv->ctx;
    t->c.ctx_len = tv->ctxlen > 4096 ? 4096 : tv->ctxlen;
    coll_add(&t->c, tv->path, FA_VDT_DEC, tv->container, tv->line, tv->dim, tv->v);
    t->c.ctx_text = NULL;
}

static void *vector_text_begin(void *prep, fa_ctx *ctx, const fa_object *obj)
{
    vprep *p = prep;
    if (!p || !p->n)
        return NULL;
    tstate *t = fa_xcalloc(1, sizeof *t);
    t->p = p;
    t->ctx = ctx;
    fa_location_init(&t->loc);
    if (obj->loc)
        fa_location_copy(&t->loc, obj->loc);
    fa_buf w = FA_BUF_INIT;
    where_text(obj, &w);
    t->name = fa_buf_detach(&w, NULL);
    size_t n = p->n < 16 ? p->n : 16;
    for (size_t i = 0; i < n; i++)
        t->params[i] = vp_of(p->rules[i]);
    coll_init(&t->c, p, p->rules, t->params, n, t->name);
    t->json = fa_jsonarr_new(on_tvec, t);
    t->csv = fa_csvvec_new(on_tvec, t);
    return t;
}

static fa_status vector_text_chunk(void *tstate_, const char *p, size_t n, long first_line)
{
    tstate *t = tstate_;
    if (!t)
        return FA_OK;
    const char *end = p + n;
    long line = first_line;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t len = (size_t)(le - p);
        if (!t->first_line)
            for (size_t i = 0; i < len; i++)
                if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') {
                    t->first_line = line;
                    break;
                }
        if (fa_jsonarr_open(t->json) || memchr(p, '[', len) || memchr(p, '{', len))
            fa_jsonarr_line(t->json, p, len, line);
        else
            fa_csvvec_line(t->csv, p, len, line);
        line++;
        p = nl ? nl + 1 : end;
        if (((line - first_line) & 0xffff) == 0 && fa_ctx_cancelled(t->ctx))
            return FA_FATAL;
    }
    return FA_OK;
}

static fa_status vector_text_end(void *tstate_)
{
    tstate *t = tstate_;
    if (!t)
        return FA_OK;
    fa_csvvec_finish(t->csv);
    fa_status st = FA_OK;
    long open_line;
    if (fa_jsonarr_truncated(t->json, &open_line) && open_line == t->first_line) {
        /* The text is one JSON value (it starts on the first line) and it is cut inside an
         * array of numbers or after vectors: a truncated document. A JSON-lines log whose
         * last line is cut (a live log being written) is not an error: its value starts on
         * a later line, and the complete lines before it are judged as usual. */
        fa_ctx_error(t->ctx, &t->loc, "truncated", "text ends inside the JSON value that starts on line %ld",
                     open_line);
        st = FA_WARN;
    }
    coll_report(&t->c, t->ctx, &t->loc);
    coll_free(&t->c);
    fa_jsonarr_free(t->json);
    fa_csvvec_free(t->csv);
    fa_location_free(&t->loc);
    free(t->name);
    free(t);
    return st;
}

/* ---------------------------------------------------------------- decoded bytes (base64) */

static fa_status vector_inspect(void *prep, fa_ctx *ctx, const fa_object *obj, int *hit, double *confidence,
                                json_t **ev, char **message)
{
    (void)ctx;
    vprep *p = prep;
    *hit = 0;
    if (!p || !obj->data || obj->len < 16)
        return FA_OK;
    /* The rule (and so the parameters) used: the first one looking at base64, else defaults. */
    fa_rule *rule = NULL;
    fa_vparams *vp = &p->defaults;
    for (size_t i = 0; i < p->n; i++)
        if (vp_of(p->rules[i])->containers & FA_VC_BIT(FA_VC_BASE64)) {
            rule = p->rules[i];
            vp = rule->kdata;
            break;
        }
    double base = rule ? rule->confidence : 0.75;
    /* float16 is not tried: any even-length blob decodes to plausible-looking halves */
    static const fa_vdtype order[] = { FA_VDT_F32, FA_VDT_F64 };
    for (size_t o = 0; o < sizeof order / sizeof order[0] && !*hit; o++) {
        fa_vdtype dt = order[o];
        size_t w = fa_vdtype_size(dt);
        if (obj->len % w || !(vp->dtypes & FA_VDT_BIT(dt)))
            continue;
        size_t nelem = obj->len / w;
        /* the largest dimension first: 512 floats are one ArcFace template, not 4 x 128 */
        size_t dims[64], nd = vp->ndims < 64 ? vp->ndims : 64;
        memcpy(dims, vp->dims, nd * sizeof *dims);
        for (size_t a = 1; a < nd; a++)
            for (size_t b = a; b > 0 && dims[b] > dims[b - 1]; b--) {
                size_t t = dims[b]; dims[b] = dims[b - 1]; dims[b - 1] = t;
            }
        for (size_t d = 0; d < nd && !*hit; d++) {
            size_t dim = dims[d];
            if (nelem % dim || nelem / dim > 65536)
                continue;
            fa_vparams *pp[1] = { vp };
            fa_rule *rr[1] = { rule };
            collector c;
            coll_init(&c, p, rr, pp, 1, obj->name);
            size_t count = nelem / dim;
            double *v = fa_xmalloc(dim * sizeof *v);
            for (size_t r = 0; r < count; r++) {
                fa_vec_decode(obj->data + r * dim * w, dt, 0, dim, v);
                coll_add(&c, "", dt, FA_VC_BASE64, 0, dim, v);
            }
            free(v);
            if (c.ngroups) {
                group *g = &c.groups[0];
                fa_vgroup *vg = &g->g[0];
                vg->ctx_up = g->up;
                vg->ctx_down = g->down;
                fa_vverdict vd;
                fa_vgroup_decide(vg, vp, base, &vd);
                if (vd.hit) {
                    *hit = 1;
                    *confidence = vd.confidence;
                    g->cont = FA_VC_BASE64;
                    *ev = evidence(g, vp, &vd, vg->count);
                    *message = fa_xasprintf("%zu face template%s of dimension %zu (%s, %s) as raw %s",
                                            vg->count, vg->count == 1 ? "" : "s", dim,
                                            vp->families[vd.family].name, vd.normalised ? "unit norm" : "raw",
                                            fa_vdtype_name(dt));
                }
            }
            coll_free(&c);
        }
    }
    return FA_OK;
}

const fa_kind fa_kind_vector = {
    .name = "vector",
    .summary = "face templates (embeddings) in npy, pickle, FAISS, safetensors, HDF5, JSON, CSV, pgvector, base64",
    .example_mode = FA_EX_TEXT,
    .parse_key = vector_parse_key,
    .finish_rule = vector_finish_rule,
    .free_rule = vector_free_rule,
    .prepare = vector_prepare,
    .release = vector_release,
    .wants = vector_wants,
    .scan_buffer = vector_scan_buffer,
    .text_begin = vector_text_begin,
    .text_chunk = vector_text_chunk,
    .text_end = vector_text_end,
    .inspect = vector_inspect,
};
