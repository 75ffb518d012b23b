/* Rule kind `image`: faces in encoded images (JPEG, PNG, WebP, BMP, TIFF, PNM) held in
 * memory, through the OpenCV shim (facedet.h). The header is probed first (imagesize.h),
 * so an image claiming more than max_pixels becomes a `limits` entry before any decoder
 * allocates its pixels; a truncated or corrupt image becomes an `errors` entry.
 * `inspect` serves regex rules with `then: image` (base64 images in text).
 * Evidence: counts and sizes only; no pixels, crops or face boxes. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/facedet.h"
#include "faceaudit/imagesize.h"
#include "faceaudit/sniff.h"

typedef struct img_rule {
    char     **cascades;      /* NULL-terminated, or NULL for the default */
    size_t     ncascades;
    char      *eye_cascade;
    int        min_face_px;
    double     scale_factor;
    int        min_neighbors; /* 0 = default; YAML 0 is stored as -1 (the shim's "really 0") */
    int        verify_set;
    unsigned   verify;
    int        min_votes;
    int        work_side;
    long long  max_pixels;    /* 0 = only the scan's --max-pixels */
    double     min_confidence;
} img_rule;

static img_rule *ir_of(fa_rule *r)
{
    if (!r->kdata)
        r->kdata = fa_xcalloc(1, sizeof(img_rule));
    return r->kdata;
}

static fa_status get_int(const fa_ynode *v, const char *what, long long lo, long long hi,
                         long long *out, fa_err *err)
{
    if (fa_ynode_int(v, what, out, err) != FA_OK)
        return FA_FAIL;
    if (*out < lo || *out > hi)
        return fa_ynode_error(v, err, "%s must be between %lld and %lld", what, lo, hi);
    return FA_OK;
}

static fa_status img_parse_key(fa_rule *rule, const char *key, const fa_ynode *v, fa_err *err)
{
    img_rule *ir = ir_of(rule);
    long long n;
    double d;
    if (!strcmp(key, "cascades")) {
        char **sv;
        size_t cnt;
        if (fa_ynode_strv(v, "cascades", &sv, &cnt, err) != FA_OK)
            return FA_FAIL;
        if (cnt == 0 || cnt > FA_FACEDET_MAX_CASCADES) {
            fa_strv_free(sv);
            return fa_ynode_error(v, err, "cascades must list 1 to %d cascade names",
                                  FA_FACEDET_MAX_CASCADES);
        }
        for (size_t i = 0; i < cnt; i++)
            if (!sv[i][0] || (sv[i][0] != '/' && strchr(sv[i], '/'))) {
                fa_strv_free(sv);
                return fa_ynode_error(v, err, "cascades: a name (haarcascade_frontalface_alt2) "
                                              "or an absolute path");
            }
        fa_strv_free(ir->cascades);
        ir->cascades = sv;
        ir->ncascades = cnt;
    } else if (!strcmp(key, "eye_cascade")) {
        const char *s;
        if (fa_ynode_str(v, "eye_cascade", &s, err) != FA_OK)
            return FA_FAIL;
        free(ir->eye_cascade);
        ir->eye_cascade = fa_xstrdup(s);
    } else if (!strcmp(key, "min_face_px")) {
        if (get_int(v, "min_face_px", 8, 100000, &n, err) != FA_OK)
            return FA_FAIL;
        ir->min_face_px = (int)n;
    } else if (!strcmp(key, "scale_factor")) {
        if (fa_ynode_double(v, "scale_factor", &d, err) != FA_OK)
            return FA_FAIL;
        if (!(d > 1.0 && d <= 2.0))
            return fa_ynode_error(v, err, "scale_factor must be above 1.0 and at most 2.0");
        ir->scale_factor = d;
    } else if (!strcmp(key, "min_neighbors")) {
        if (get_int(v, "min_neighbors", 0, 100, &n, err) != FA_OK)
            return FA_FAIL;
        ir->min_neighbors = n ? (int)n : -1;
    } else if (!strcmp(key, "min_votes")) {
        if (get_int(v, "min_votes", 0, 3, &n, err) != FA_OK)
            return FA_FAIL;
        ir->min_votes = (int)n;
    } else if (!strcmp(key, "work_side")) {
        if (get_int(v, "work_side", 64, 16384, &n, err) != FA_OK)
            return FA_FAIL;
        ir->work_side = (int)n;
    } else if (!strcmp(key, "max_pixels")) {
        if (get_int(v, "max_pixels", 1, (long long)1 << 40, &n, err) != FA_OK)
            return FA_FAIL;
        ir->max_pixels = n;
    } else if (!strcmp(key, "min_confidence")) {
        if (fa_ynode_double(v, "min_confidence", &d, err) != FA_OK)
            return FA_FAIL;
        if (d < 0 || d > 1)
            return fa_ynode_error(v, err, "min_confidence must be between 0 and 1");
        ir->min_confidence = d;
    } else if (!strcmp(key, "verify")) {
        char **sv;
        size_t cnt;
        if (fa_ynode_strv(v, "verify", &sv, &cnt, err) != FA_OK)
            return FA_FAIL;
        unsigned m = 0;
        for (size_t i = 0; i < cnt; i++) {
            if (!strcmp(sv[i], "eyes")) m |= FA_FV_EYES;
            else if (!strcmp(sv[i], "skin")) m |= FA_FV_SKIN;
            else if (!strcmp(sv[i], "agree")) m |= FA_FV_AGREE;
            else if (!strcmp(sv[i], "none")) m |= 0;
            else {
                fa_ynode_error(v, err, "verify: unknown step '%s' (eyes, skin, agree, none)", sv[i]);
                fa_strv_free(sv);
                return FA_FAIL;
            }
        }
        fa_strv_free(sv);
        ir->verify = m;
        ir->verify_set = 1;
    } else {
        return FA_WARN;
    }
    return FA_OK;
}

static void img_opts(const img_rule *ir, fa_facedet_opts *o)
{
    fa_facedet_opts_init(o);
    if (!ir)
        return;
    for (size_t i = 0; i < ir->ncascades && i < FA_FACEDET_MAX_CASCADES; i++)
        o->cascades[i] = ir->cascades[i];
    o->ncascades = ir->ncascades < FA_FACEDET_MAX_CASCADES ? ir->ncascades : FA_FACEDET_MAX_CASCADES;
    if (ir->eye_cascade) o->eye_cascade = ir->eye_cascade;
    if (ir->min_face_px) o->min_face_px = ir->min_face_px;
    if (ir->scale_factor > 1.0) o->scale_factor = ir->scale_factor;
    if (ir->min_neighbors) o->min_neighbors = ir->min_neighbors;
    if (ir->verify_set) o->verify = ir->verify;
    o->min_votes = ir->min_votes;
    if (ir->work_side) o->work_side = ir->work_side;
    o->min_confidence = ir->min_confidence;
    /* The kind checks max_pixels from the header before calling the shim; the shim's own
     * check is only a backstop at the largest value we would ever accept. */
    o->max_pixels = (long long)1 << 40;
}

static fa_status img_finish_rule(fa_rule *rule, fa_err *err)
{
    img_rule *ir = ir_of(rule);
    if (ir->verify_set && (ir->verify & FA_FV_AGREE) && ir->ncascades == 1)
        return fa_err_set(err, FA_FAIL, "syntax",
                          "verify: agree needs at least two cascades (the first scans, the others confirm)");
    return FA_OK;
}

static void img_free_rule(fa_rule *rule)
{
    img_rule *ir = rule->kdata;
    if (!ir)
        return;
    fa_strv_free(ir->cascades);
    free(ir->eye_cascade);
    free(ir);
    rule->kdata = NULL;
}

/* --- scanning --- */

typedef struct img_prep {
    fa_rule    **rules;
    size_t       n;
    fa_facedet **h;           /* per rule, built on first use; NULL where it failed (err[i] says why) */
    char       **err;
    int         *tried;
    pthread_mutex_t mu;       /* guards the lazily built handles below */
    int          dflt_tried;
    fa_facedet  *dflt;        /* default detector for `then: image` without image rules */
    char        *dflt_err;
    int          model_tried;
    fa_facedet  *model;       /* YuNet, when --face-model is given */
    char        *model_err;
    int          reported;    /* a detector error has been recorded once */
} img_prep;

static void *img_prepare(fa_rule *const *rules, size_t n, fa_err *err)
{
    (void)err;
    img_prep *p = fa_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->n = n;
    if (n) {
        p->rules = fa_xcalloc(n, sizeof *p->rules);
        p->h = fa_xcalloc(n, sizeof *p->h);
        p->err = fa_xcalloc(n, sizeof *p->err);
        p->tried = fa_xcalloc(n, sizeof *p->tried);
        memcpy(p->rules, rules, n * sizeof *rules);
    }
    /* Detectors are built on the first image (rule_handle): a scan without images never
     * loads OpenCV or its cascades. */
    return p;
}

/* Rule i's detector, built on first use. A detector that cannot load (no OpenCV plugin, no
 * opencv-data) does not stop the scan: every image it should have judged gets an error
 * entry instead, so the scan is incomplete, never silently clean. */
static fa_facedet *rule_handle(img_prep *p, size_t i, const char **why)
{
    pthread_mutex_lock(&p->mu);
    if (!p->tried[i]) {
        p->tried[i] = 1;
        fa_facedet_opts o;
        img_opts(p->rules[i]->kdata, &o);
        char *msg = NULL;
        p->h[i] = fa_facedet_new(&o, &msg);
        if (!p->h[i])
            p->err[i] = fa_xstrdup(msg ? msg : "cannot create the face detector");
        fa_facedet_free_str(msg);
    }
    fa_facedet *h = p->h[i];
    *why = p->err[i];
    pthread_mutex_unlock(&p->mu);
    return h;
}

static void img_release(void *prep)
{
    img_prep *p = prep;
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        fa_facedet_close(p->h[i]);
        free(p->err[i]);
    }
    fa_facedet_close(p->dflt);
    fa_facedet_close(p->model);
    free(p->dflt_err);
    free(p->model_err);
    free(p->h);
    free(p->err);
    free(p->tried);
    free(p->rules);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static int decodable(const char *type)
{
    return type && (!strcmp(type, FA_TYPE_JPEG) || !strcmp(type, FA_TYPE_PNG) ||
                    !strcmp(type, FA_TYPE_WEBP) || !strcmp(type, FA_TYPE_BMP) ||
                    !strcmp(type, FA_TYPE_TIFF) || !strcmp(type, FA_TYPE_PNM));
}

static unsigned img_wants(void *prep, const fa_object *obj)
{
    const img_prep *p = prep;
    if (!p || !p->n || !obj)
        return FA_IN_NONE;
    return decodable(obj->type) ? FA_IN_BUFFER : FA_IN_NONE;
}

/* The YuNet handle when --face-model is set (built on first use: prepare() has no ctx). */
static fa_facedet *model_handle(img_prep *p, fa_ctx *ctx, const fa_location *loc)
{
    const char *model = ctx ? fa_ctx_option(ctx, "face_model") : NULL;
    if (!model || !*model)
        return NULL;
    pthread_mutex_lock(&p->mu);
    int first = 0;
    if (!p->model_tried) {
        p->model_tried = 1;
        fa_facedet_opts o;
        fa_facedet_opts_init(&o);
        o.yunet_model = model;
        o.max_pixels = (long long)1 << 40;
        if (p->n && p->rules[0]->kdata) {
            const img_rule *ir = p->rules[0]->kdata;
            if (ir->min_face_px) o.min_face_px = ir->min_face_px;
            if (ir->work_side) o.work_side = ir->work_side;
            o.min_confidence = ir->min_confidence;
        }
        char *msg = NULL;
        p->model = fa_facedet_new(&o, &msg);
        if (!p->model) {
            p->model_err = fa_xstrdup(msg ? msg : "cannot load the face model");
            first = 1;
        }
        fa_facedet_free_str(msg);
    }
    fa_facedet *h = p->model;
    pthread_mutex_unlock(&p->mu);
    /* said once; the cascades carry on. `faceaudit scan` loads the model before scanning and
     * stops with exit 2 when it cannot, so this is for other callers (or a file replaced since). */
    if (first)
        fa_ctx_error(ctx, loc, "face_model", "--face-model: %s; using the cascades", p->model_err);
    return h;
}

static fa_facedet *default_handle(img_prep *p, const char **why)
{
    pthread_mutex_lock(&p->mu);
    if (!p->dflt_tried) {
        p->dflt_tried = 1;
        fa_facedet_opts o;
        img_opts(NULL, &o);
        o.max_pixels = (long long)1 << 40;
        char *msg = NULL;
        p->dflt = fa_facedet_new(&o, &msg);
        if (!p->dflt)
            p->dflt_err = fa_xstrdup(msg ? msg : "cannot create the face detector");
        fa_facedet_free_str(msg);
    }
    fa_facedet *h = p->dflt;
    *why = p->dflt_err;
    pthread_mutex_unlock(&p->mu);
    return h;
}

static void detector_unavailable(img_prep *p, fa_ctx *ctx, const fa_location *loc, const char *why)
{
    /* Every image this would have judged is unjudged: record it per object (the scan is
     * incomplete), but with the long explanation only once. */
    if (!__atomic_exchange_n(&p->reported, 1, __ATOMIC_ACQ_REL))
        fa_ctx_error(ctx, loc, "face_detector", "face detection unavailable: %s", why);
    else
        fa_ctx_error(ctx, loc, "face_detector", "face detection unavailable");
}

/* Probe + limits. Returns 1 when the image may be decoded; 0 when it was refused (an error
 * or limits entry has been recorded) or is not an image we decode. */
static int admit(img_prep *p, fa_ctx *ctx, const fa_object *obj, const fa_location *loc,
                 fa_imagesize *info, int quiet_unknown)
{
    (void)p;
    int r = fa_imagesize_probe(obj->data, obj->len, info);
    if (r == FA_IMGSZ_UNKNOWN) {
        if (!quiet_unknown)
            fa_ctx_error(ctx, loc, "corrupt_image", "not a decodable image");
        return 0;
    }
    if (r != FA_IMGSZ_OK) {
        fa_ctx_error(ctx, loc, "corrupt_image", "%s: %s", info->format ? info->format : "image",
                     fa_imagesize_strerror(r));
        return 0;
    }
    if (!strcmp(info->format, "GIF"))
        return 0;   /* OpenCV 4.6 has no GIF decoder; not claimed in wants() */
    double px = (double)info->width * (double)info->height;
    int64_t pixels = px > 9e18 ? INT64_MAX : (int64_t)px;
    if (fa_ctx_limit(ctx, FA_LIM_MAX_PIXELS, pixels, loc))
        return 0;
    return 1;
}

/* Runs one detector; on a decode failure records the error (once per object: *erred). */
static int run_detector(fa_facedet *h, fa_ctx *ctx, const fa_object *obj, const fa_location *loc,
                        const fa_imagesize *info, fa_faceresult *res, int *erred)
{
    char *msg = NULL;
    int rc = fa_facedet_detect(h, obj->data, obj->len, res, &msg);
    if (rc != 0 && !*erred) {
        *erred = 1;
        if (rc == 1)
            fa_ctx_error(ctx, loc, "corrupt_image", "%s", msg ? msg : "cannot decode image");
        else if (rc == 2)
            fa_ctx_error(ctx, loc, "image_too_large", "%s", msg ? msg : "image too large");
        else
            fa_ctx_error(ctx, loc, "face_detector", "%s %lldx%lld: %s", info->format,
                         (long long)info->width, (long long)info->height,
                         msg ? msg : "face detection failed");
    }
    fa_facedet_free_str(msg);
    return rc;
}

static json_t *evidence(const fa_faceresult *res, const fa_imagesize *info)
{
    json_t *ev = json_object();
    json_object_set_new(ev, "faces", json_integer(res->faces));
    json_object_set_new(ev, "largest_face_px", json_integer(res->largest_face_px));
    json_object_set_new(ev, "width", json_integer(res->width));
    json_object_set_new(ev, "height", json_integer(res->height));
    json_object_set_new(ev, "image_type", json_string(info->mime));
    json_object_set_new(ev, "detector", json_string(res->detector));
    return ev;
}

static void message(fa_buf *b, const fa_faceresult *res, const fa_imagesize *info)
{
    fa_buf_addf(b, "%d face%s (largest %d px) in a %dx%d %s", res->faces,
                res->faces == 1 ? "" : "s", res->largest_face_px, res->width, res->height,
                info->format);
}

static fa_status img_scan_buffer(void *prep, fa_ctx *ctx, const fa_object *obj)
{
    img_prep *p = prep;
    if (!p || !p->n || !obj || !obj->data)
        return FA_OK;
    const fa_location *loc = obj->loc;
    fa_imagesize info;
    if (!admit(p, ctx, obj, loc, &info, 0))
        return FA_OK;
    fa_facedet *model = model_handle(p, ctx, loc);
    int erred = 0;
    for (size_t i = 0; i < p->n && !erred; i++) {
        const fa_rule *r = p->rules[i];
        const img_rule *ir = r->kdata;
        if (ir && ir->max_pixels && (double)info.width * (double)info.height > (double)ir->max_pixels) {
            fa_ctx_error(ctx, loc, "image_too_large", "%lldx%lld %s is over rule %s's max_pixels %lld",
                         (long long)info.width, (long long)info.height, info.format, r->id,
                         ir->max_pixels);
            continue;
        }
        const char *rwhy = NULL;
        fa_facedet *h = model ? model : rule_handle(p, i, &rwhy);
        if (!h) {
            detector_unavailable(p, ctx, loc, rwhy);
            erred = 1;
            break;
        }
        fa_faceresult res;
        if (run_detector(h, ctx, obj, loc, &info, &res, &erred) != 0)
            break;
        double minc = ir ? ir->min_confidence : 0;
        if (res.faces <= 0 || res.confidence < minc)
            continue;
        fa_buf msg = FA_BUF_INIT;
        message(&msg, &res, &info);
        fa_ctx_report(ctx, r, loc, res.confidence, obj->data, obj->len, evidence(&res, &info),
                      "%s", msg.buf);
        fa_buf_release(&msg);
    }
    return FA_OK;
}

/* then: image — bytes decoded from text. Not an image at all (random base64) is no hit
 * and no error; a broken image is an error at the text's location. */
static fa_status img_inspect(void *prep, fa_ctx *ctx, const fa_object *obj, int *hit,
                             double *confidence, json_t **ev, char **msg)
{
    img_prep *p = prep;
    *hit = 0;
    if (!p || !obj || !obj->data || !obj->len)
        return FA_OK;
    fa_imagesize info;
    if (!admit(p, ctx, obj, obj->loc, &info, 1))
        return FA_OK;
    fa_facedet *h = model_handle(p, ctx, obj->loc);
    double minc = 0;
    const char *why = NULL;
    if (!h && p->n) {
        h = rule_handle(p, 0, &why);
        if (p->rules[0]->kdata)
            minc = ((const img_rule *)p->rules[0]->kdata)->min_confidence;
    }
    if (!h && !p->n)
        h = default_handle(p, &why);
    if (!h) {
        detector_unavailable(p, ctx, obj->loc, why ? why : "no detector");
        return FA_OK;
    }
    fa_faceresult res;
    int erred = 0;
    if (run_detector(h, ctx, obj, obj->loc, &info, &res, &erred) != 0)
        return FA_OK;
    if (res.faces <= 0 || res.confidence < minc)
        return FA_OK;
    *hit = 1;
    *confidence = res.confidence;
    *ev = evidence(&res, &info);
    fa_buf b = FA_BUF_INIT;
    message(&b, &res, &info);
    *msg = fa_buf_detach(&b, NULL);
    return FA_OK;
}

const fa_kind fa_kind_image = {
    .name = "image",
    .summary = "faces in JPEG, PNG, WebP, BMP, TIFF and PNM images (OpenCV cascades, or YuNet with --face-model)",
    .example_mode = FA_EX_FILE,
    .parse_key = img_parse_key,
    .finish_rule = img_finish_rule,
    .free_rule = img_free_rule,
    .prepare = img_prepare,
    .release = img_release,
    .wants = img_wants,
    .scan_buffer = img_scan_buffer,
    .inspect = img_inspect,
};
