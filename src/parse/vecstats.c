/* Statistics and verdicts for face-template detection (see parse_vecstats.h).
 *
 * Scale facts behind the default families (doc/kind-vector.md has the sources):
 *  - dlib / face_recognition: 128 float64, not normalised; public encodings measure an L2
 *    norm of ~1.3 with elements within about [-0.4, 0.4].
 *  - FaceNet (128/512), OpenFace (128), ArcFace/InsightFace normed_embedding (512):
 *    L2-normalised by the model or the library.
 *  - InsightFace raw `embedding`: 512 float32 with norms of roughly 10-35 (the library
 *    reports it as embedding_norm).
 *  - SFace (OpenCV FaceRecognizerSF): 128 float32, raw.
 *  - VGG-Face: 2622 (descriptor) or 4096 (fc7, ReLU so non-negative); DeepID: 160. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/parse_vecstats.h"

static const char *const dtype_names[FA_VDT__COUNT] = { "float16", "float32", "float64", "decimal" };
static const char *const cont_names[FA_VC__COUNT] = {
    "npy", "pickle", "json", "csv", "pgvector", "text", "faiss", "safetensors", "hdf5", "base64"
};

const char *fa_vdtype_name(fa_vdtype t)
{
    return (unsigned)t < FA_VDT__COUNT ? dtype_names[t] : "unknown";
}

int fa_vdtype_parse(const char *name)
{
    for (int i = 0; i < FA_VDT__COUNT; i++)
        if (!strcmp(name, dtype_names[i]))
            return i;
    if (!strcmp(name, "f2") || !strcmp(name, "half"))
        return FA_VDT_F16;
    if (!strcmp(name, "f4") || !strcmp(name, "float"))
        return FA_VDT_F32;
    if (!strcmp(name, "f8") || !strcmp(name, "double"))
        return FA_VDT_F64;
    return -1;
}

size_t fa_vdtype_size(fa_vdtype t)
{
    return t == FA_VDT_F16 ? 2 : t == FA_VDT_F32 ? 4 : t == FA_VDT_F64 ? 8 : 0;
}

const char *fa_vcont_name(fa_vcont c)
{
    return (unsigned)c < FA_VC__COUNT ? cont_names[c] : "unknown";
}

int fa_vcont_parse(const char *name)
{
    for (int i = 0; i < FA_VC__COUNT; i++)
        if (!strcmp(name, cont_names[i]))
            return i;
    return -1;
}

double fa_half_to_double(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v;
    if (e == 0)
        v = ldexp((double)m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp((double)(m | 0x400), e - 25);
    return s ? -v : v;
}

void fa_vec_decode(const unsigned char *p, fa_vdtype t, int big_endian, size_t n, double *out)
{
    size_t w = fa_vdtype_size(t);
    for (size_t i = 0; i < n; i++, p += w) {
        unsigned char b[8];
        if (big_endian)
            for (size_t k = 0; k < w; k++)
                b[k] = p[w - 1 - k];
        else
            memcpy(b, p, w);
        if (t == FA_VDT_F16) {
            out[i] = fa_half_to_double((uint16_t)(b[0] | b[1] << 8));
        } else if (t == FA_VDT_F32) {
            uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            float f;
            memcpy(&f, &u, 4);
            out[i] = f;
        } else {
            uint64_t u = 0;
            for (int k = 7; k >= 0; k--)
                u = u << 8 | b[k];
            double d;
            memcpy(&d, &u, 8);
            out[i] = d;
        }
    }
}

void fa_vec_decode_strided(const unsigned char *p, fa_vdtype t, int big_endian, size_t n,
                           size_t stride, double *out)
{
    size_t w = fa_vdtype_size(t);
    for (size_t i = 0; i < n; i++)
        fa_vec_decode(p + i * stride * w, t, big_endian, 1, &out[i]);
}

void fa_vstats_compute(const double *v, size_t n, fa_vstats *st)
{
    memset(st, 0, sizeof *st);
    st->n = n;
    st->finite = 1;
    st->all_int = 1;
    if (!n)
        return;
    double sum = 0, sq = 0, mn = INFINITY, mx = -INFINITY, ma = 0;
    size_t neg = 0, zero = 0;
    int up = 1, down = 1;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (!isfinite(x)) {
            st->finite = 0;
            return;
        }
        sum += x;
        sq += x * x;
        if (x < mn) mn = x;
        if (x > mx) mx = x;
        if (fabs(x) > ma) ma = fabs(x);
        if (x < 0) neg++;
        else if (x == 0) zero++;
        if (st->all_int && x != floor(x)) st->all_int = 0;
        if (i) {
            if (x < v[i - 1]) up = 0;
            if (x > v[i - 1]) down = 0;
        }
    }
    st->sum = sum;
    st->min = mn;
    st->max = mx;
    st->max_abs = ma;
    st->mean = sum / (double)n;
    st->rms = sqrt(sq / (double)n);
    st->norm = sqrt(sq);
    double var = sq / (double)n - st->mean * st->mean;
    st->std = var > 0 ? sqrt(var) : 0;
    st->neg_frac = (double)neg / (double)n;
    st->zero_frac = (double)zero / (double)n;
    st->monotonic = n > 2 && (up || down) && mn != mx;
    /* lag-1 autocorrelation around the mean */
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        double d = v[i] - st->mean;
        den += d * d;
        if (i)
            num += d * (v[i - 1] - st->mean);
    }
    st->lag1 = den > 0 ? num / den : 1.0;
}

/* ---------------------------------------------------------------- parameters */

static void add_family(fa_vparams *p, const char *name, const size_t *dims, size_t nd, int normalised,
                       double lo, double hi, double max_abs, int nonneg, int needs_ctx, unsigned dtypes)
{
    if (p->nfamilies >= FA_VPARAMS_MAXFAM)
        return;
    fa_vfamily *f = &p->families[p->nfamilies++];
    memset(f, 0, sizeof *f);
    f->name = fa_xstrdup(name);
    for (size_t i = 0; i < nd && i < FA_VFAM_MAXDIMS; i++)
        f->dims[f->ndims++] = dims[i];
    f->normalised = normalised;
    f->norm_lo = lo;
    f->norm_hi = hi;
    f->max_abs = max_abs;
    f->allow_nonneg = nonneg;
    f->needs_context = needs_ctx;
    f->dtypes = dtypes;
}

static char **strv(const char *const *w, size_t n)
{
    char **v = fa_xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = fa_xstrdup(w[i]);
    return v;
}

void fa_vparams_defaults(fa_vparams *p)
{
    static const size_t dims[] = { 128, 160, 512, 2622, 4096 };
    static const char *const up[] = { "face", "embedding", "descriptor", "encoding", "template",
                                      "probe", "gallery", "enroll", "enrollment", "arcface",
                                      "facenet", "insightface", "biometric" };
    static const char *const down[] = { "text", "sentence", "query", "word", "clip", "token",
                                        "doc", "document", "passage", "weight", "bias", "kernel" };
    memset(p, 0, sizeof *p);
    p->ndims = sizeof dims / sizeof dims[0];
    p->dims = fa_xmalloc(sizeof dims);
    memcpy(p->dims, dims, sizeof dims);
    p->dtypes = FA_VDT_BIT(FA_VDT_F16) | FA_VDT_BIT(FA_VDT_F32) | FA_VDT_BIT(FA_VDT_F64) | FA_VDT_BIT(FA_VDT_DEC);
    p->containers = (1u << FA_VC__COUNT) - 1;
    p->min_vectors = 1;
    p->min_confidence = 0.5;
    p->norm_tol = 0.01;
    p->min_pass = 0.9;
    p->nup = sizeof up / sizeof up[0];
    p->context_up = strv(up, p->nup);
    p->ndown = sizeof down / sizeof down[0];
    p->context_down = strv(down, p->ndown);
    static const size_t d128[] = { 128 }, d160[] = { 160 }, d512[] = { 512 }, dvgg[] = { 2622, 4096 },
                        d128_512[] = { 128, 512 };
    unsigned f64 = FA_VDT_BIT(FA_VDT_F64), f32 = FA_VDT_BIT(FA_VDT_F32);
    add_family(p, "facenet-or-arcface (normalised)", d128_512, 2, 1, 0, 0, 0, 0, 0, 0);
    add_family(p, "dlib", d128, 1, 0, 0.8, 2.0, 0.6, 0, 0, f64 | FA_VDT_BIT(FA_VDT_DEC));
    add_family(p, "sface-or-facenet (raw)", d128, 1, 0, 2.0, 60, 0, 0, 0, f32);
    add_family(p, "arcface (raw)", d512, 1, 0, 5, 60, 0, 0, 0, f32);
    add_family(p, "deepid", d160, 1, 0, 0.5, 500, 0, 1, 0, f32);
    add_family(p, "vgg-face", dvgg, 1, 0, 0.5, 5000, 0, 1, 1, f32);
}

void fa_vparams_clear_families(fa_vparams *p)
{
    for (size_t i = 0; i < p->nfamilies; i++)
        free(p->families[i].name);
    p->nfamilies = 0;
}

void fa_vparams_free(fa_vparams *p)
{
    if (!p)
        return;
    free(p->dims);
    for (size_t i = 0; i < p->nup; i++) free(p->context_up[i]);
    for (size_t i = 0; i < p->ndown; i++) free(p->context_down[i]);
    free(p->context_up);
    free(p->context_down);
    fa_vparams_clear_families(p);
    memset(p, 0, sizeof *p);
}

int fa_vparams_dim_ok(const fa_vparams *p, size_t dim)
{
    for (size_t i = 0; i < p->ndims; i++)
        if (p->dims[i] == dim)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- verdicts */

static int family_fits(const fa_vparams *p, const fa_vfamily *f, const fa_vstats *st)
{
    int dim_ok = 0;
    for (size_t i = 0; i < f->ndims; i++)
        if (f->dims[i] == st->n)
            dim_ok = 1;
    if (!dim_ok)
        return 0;
    if (st->neg_frac == 0 && !f->allow_nonneg)
        return 0;
    if (f->max_abs > 0 && st->max_abs > f->max_abs)
        return 0;
    if (f->normalised)
        return fabs(st->norm - 1.0) <= p->norm_tol;
    return st->norm >= f->norm_lo && st->norm <= f->norm_hi;
}

int fa_vjudge(const fa_vparams *p, const fa_vstats *st, const char **why)
{
    const char *w = NULL;
    if (!st->finite)
        w = "non-finite values";
    else if (st->all_int)
        w = "whole numbers (counts, pixels or ids)";
    else if (st->max_abs > 1e4 || st->norm == 0)
        w = "out of range";
    else if (st->min >= 0 && fabs(st->sum - 1.0) < 1e-3)
        w = "probability simplex";
    else if (st->monotonic)
        w = "monotonic series";
    else if (st->lag1 > 0.5)
        w = "smooth series";
    else if (st->rms > 0 && st->max_abs / st->rms > 12)
        w = "spiky (one dominant element)";
    else if (st->min < 0 && (st->neg_frac < 0.15 || st->neg_frac > 0.85))
        w = "unbalanced signs";
    else if (st->min < 0 && st->zero_frac > 0.3)
        w = "sparse";
    if (w) {
        if (why) *why = w;
        return -1;
    }
    for (size_t i = 0; i < p->nfamilies; i++)
        if (family_fits(p, &p->families[i], st))
            return (int)i;
    if (why)
        *why = st->min >= 0 ? "non-negative values" : "scale fits no face model family";
    return -1;
}

static int word_in(char *const *words, size_t n, const char *tok, size_t tl)
{
    for (size_t i = 0; i < n; i++) {
        size_t wl = strlen(words[i]);
        if (tl < wl || tl > wl + 2 || memcmp(tok, words[i], wl))
            continue;
        /* whole word, or a plural: "faces", "encodings", "matches" */
        if (tl == wl || (tok[wl] == 's' && tl == wl + 1) || (tl == wl + 2 && tok[wl] == 'e' && tok[wl + 1] == 's'))
            return 1;
    }
    return 0;
}

void fa_vcontext(const fa_vparams *p, const char *text, size_t n, int *up, int *down)
{
    char tok[48];
    size_t tl = 0;
    int u = 0, d = 0, over = 0;
    for (size_t i = 0; i <= n; i++) {
        int c = i < n ? (unsigned char)text[i] : 0;
        int alpha = isalpha(c);
        /* camelCase boundary: "faceEmbedding" -> "face" "embedding" */
        int boundary = !alpha || (isupper(c) && tl && !isupper((unsigned char)text[i - 1]));
        if (boundary && tl) {
            if (!over) {
                if (word_in(p->context_up, p->nup, tok, tl)) u++;
                if (word_in(p->context_down, p->ndown, tok, tl)) d++;
            }
            tl = 0;
            over = 0;
        }
        if (alpha) {
            if (tl < sizeof tok)
                tok[tl++] = (char)tolower(c);
            else
                over = 1;
        }
    }
    if (up) *up += u;
    if (down) *down += d;
}

void fa_vgroup_init(fa_vgroup *g, size_t dim, fa_vdtype dtype)
{
    memset(g, 0, sizeof *g);
    g->dim = dim;
    g->dtype = dtype;
    g->norm_min = INFINITY;
    fa_sha256_init(&g->hash);
}

void fa_vgroup_add(fa_vgroup *g, const fa_vparams *p, const double *v)
{
    /* Hash as float32 so the same vectors hash alike in every container. */
    unsigned char buf[256];
    size_t k = 0;
    for (size_t i = 0; i < g->dim; i++) {
        float f = (float)v[i];
        uint32_t u;
        memcpy(&u, &f, 4);
        buf[k++] = (unsigned char)u;
        buf[k++] = (unsigned char)(u >> 8);
        buf[k++] = (unsigned char)(u >> 16);
        buf[k++] = (unsigned char)(u >> 24);
        if (k == sizeof buf) {
            fa_sha256_update(&g->hash, buf, k);
            k = 0;
        }
    }
    fa_sha256_update(&g->hash, buf, k);
    g->count++;
    if (g->judged >= FA_VGROUP_JUDGE_MAX)
        return;
    fa_vstats st;
    fa_vstats_compute(v, g->dim, &st);
    g->judged++;
    const char *why = NULL;
    int f = fa_vjudge(p, &st, &why);
    if (f < 0) {
        g->why = why;
        return;
    }
    g->passed++;
    g->votes[f]++;
    if (st.norm < g->norm_min) g->norm_min = st.norm;
    if (st.norm > g->norm_max) g->norm_max = st.norm;
    g->norm_sum += st.norm;
}

void fa_vgroup_decide(fa_vgroup *g, const fa_vparams *p, double base, fa_vverdict *out)
{
    memset(out, 0, sizeof *out);
    out->family = -1;
    fa_sha256_final(&g->hash, out->sha);
    if (!g->judged) {
        out->why = "no vectors";
        return;
    }
    if (g->count < p->min_vectors) {
        out->why = "too few vectors";
        return;
    }
    if ((double)g->passed < p->min_pass * (double)g->judged) {
        out->why = g->why ? g->why : "vectors disagree";
        return;
    }
    if (!(p->dtypes & FA_VDT_BIT(g->dtype))) {
        out->why = "dtype not looked at";
        return;
    }
    size_t best = 0;
    for (size_t i = 1; i < p->nfamilies; i++)
        if (g->votes[i] > g->votes[best])
            best = i;
    const fa_vfamily *f = &p->families[best];
    out->family = (int)best;
    out->normalised = f->normalised;
    out->norm_mean = round(g->norm_sum / (double)g->passed * 100) / 100;
    /* more words against than for ("clip_text_embedding") lowers; more for raises */
    int ctx = (g->ctx_up > g->ctx_down) - (g->ctx_down > g->ctx_up);
    if (f->needs_context && ctx <= 0) {
        out->why = "family needs a context word";
        return;
    }
    /* Templates of one model agree in scale: raw norms within a factor of 4. */
    if (!f->normalised && g->passed >= 3 && g->norm_max > 4 * g->norm_min) {
        out->why = "vectors disagree in scale";
        return;
    }
    double c = base;
    if (ctx > 0) c += 0.15;
    if (ctx < 0) c -= 0.4;
    if (g->count >= 2) c += 0.05;
    if (g->count >= 10) c += 0.05;
    if (g->votes[best] < g->passed) c -= 0.05;
    if (g->passed < g->judged) c -= 0.1;
    if (f->dtypes && (f->dtypes & FA_VDT_BIT(g->dtype))) c += 0.03;
    if (c > 0.99) c = 0.99;
    if (c < 0) c = 0;
    out->confidence = round(c * 100) / 100;
    if (out->confidence < p->min_confidence) {
        out->why = ctx < 0 ? "context says not a face template" : "below min_confidence";
        return;
    }
    out->hit = 1;
}
