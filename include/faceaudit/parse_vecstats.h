/* fa_vec: the statistics that decide whether numbers are a face template (embedding).
 * Everything here works on doubles decoded from any container (npy, pickle, JSON, CSV,
 * base64, FAISS, safetensors). Nothing here keeps or prints a value: callers get
 * verdicts, counts, norms rounded for evidence and a SHA-256 over the vectors. */
#ifndef FACEAUDIT_PARSE_VECSTATS_H
#define FACEAUDIT_PARSE_VECSTATS_H
#include <stddef.h>
#include <stdint.h>
#include "faceaudit/sha256.h"

/* Element types vectors come in. FA_VDT_DEC is decimal text (JSON, CSV, pgvector). */
typedef enum fa_vdtype {
    FA_VDT_F16 = 0, FA_VDT_F32, FA_VDT_F64, FA_VDT_DEC, FA_VDT__COUNT
} fa_vdtype;
#define FA_VDT_BIT(t) (1u << (t))

const char *fa_vdtype_name(fa_vdtype t);          /* "float16", "float32", "float64", "decimal" */
int         fa_vdtype_parse(const char *name);    /* -1 if unknown; accepts f2/f4/f8 too */
size_t      fa_vdtype_size(fa_vdtype t);          /* bytes per element; 0 for decimal */
double      fa_half_to_double(uint16_t h);
/* Decodes n elements at p (raw IEEE floats, little- or big-endian) into out. */
void        fa_vec_decode(const unsigned char *p, fa_vdtype t, int big_endian, size_t n, double *out);
/* As fa_vec_decode, element i at p + i * stride * size (Fortran-order rows). */
void        fa_vec_decode_strided(const unsigned char *p, fa_vdtype t, int big_endian, size_t n,
                                  size_t stride, double *out);

/* Containers a rule may look at (bit mask in fa_vparams.containers). */
typedef enum fa_vcont {
    FA_VC_NPY = 0, FA_VC_PICKLE, FA_VC_JSON, FA_VC_CSV, FA_VC_PGVECTOR, FA_VC_TEXT,
    FA_VC_FAISS, FA_VC_SAFETENSORS, FA_VC_HDF5, FA_VC_BASE64, FA_VC__COUNT
} fa_vcont;
#define FA_VC_BIT(c) (1u << (c))
const char *fa_vcont_name(fa_vcont c);            /* "npy", "pickle", "json", ... */
int         fa_vcont_parse(const char *name);     /* -1 if unknown */

/* Per-vector statistics. */
typedef struct fa_vstats {
    size_t n;
    int    finite;        /* no NaN or infinity */
    int    all_int;       /* every element is a whole number */
    int    monotonic;     /* non-decreasing or non-increasing throughout */
    double min, max, sum, mean, std, rms, norm, max_abs;
    double neg_frac, zero_frac;
    double lag1;          /* lag-1 autocorrelation: ~0 for embeddings, near 1 for series */
} fa_vstats;
void fa_vstats_compute(const double *v, size_t n, fa_vstats *st);

/* A model family: the dimensions and the scale its templates have. */
#define FA_VFAM_MAXDIMS 8
typedef struct fa_vfamily {
    char    *name;                 /* owned */
    size_t   dims[FA_VFAM_MAXDIMS];
    size_t   ndims;
    int      normalised;           /* unit L2 norm (within fa_vparams.norm_tol) */
    double   norm_lo, norm_hi;     /* raw families: accepted L2 norm range */
    double   max_abs;              /* 0 = unbounded: largest |element| allowed */
    int      allow_nonneg;         /* ReLU outputs (VGG-Face fc7) may have no negative element */
    int      needs_context;        /* only with a context word (too generic otherwise) */
    unsigned dtypes;               /* FA_VDT_BIT mask of the dtypes it is usually stored in; 0 = any */
} fa_vfamily;

#define FA_VPARAMS_MAXFAM 32
typedef struct fa_vparams {
    size_t    *dims;  size_t ndims;      /* owned: accepted dimensions */
    unsigned   dtypes;                   /* FA_VDT_BIT mask of accepted element types */
    unsigned   containers;               /* FA_VC_BIT mask of containers looked at */
    size_t     min_vectors;
    double     min_confidence;
    double     norm_tol;                 /* |norm - 1| allowed for normalised families */
    double     min_pass;                 /* fraction of judged vectors that must pass */
    char     **context_up;   size_t nup;   /* owned, lowercase */
    char     **context_down; size_t ndown; /* owned, lowercase */
    fa_vfamily families[FA_VPARAMS_MAXFAM];
    size_t     nfamilies;
} fa_vparams;

/* Built-in defaults: the dimensions, families and context words documented in
 * doc/kind-vector.md. fa_vparams_free() releases what either function allocated. */
void fa_vparams_defaults(fa_vparams *p);
void fa_vparams_free(fa_vparams *p);
void fa_vparams_clear_families(fa_vparams *p);
int  fa_vparams_dim_ok(const fa_vparams *p, size_t dim);

/* Judges one vector: the index of the first family it fits, or -1 with *why set to a
 * static reason ("non-finite", "integers", "simplex", "smooth", ...). */
int fa_vjudge(const fa_vparams *p, const fa_vstats *st, const char **why);

/* Context words in free text (names, key paths, header cells, a log line): counts of
 * context_up and context_down words. Words are matched on identifier tokens
 * (snake_case, camelCase, dotted) as a whole token or with a plural suffix, so "face"
 * matches "faces" and "face_id" but not "interface". */
void fa_vcontext(const fa_vparams *p, const char *text, size_t n, int *up, int *down);

/* A group of vectors of one dimension found together (one array, one key path). */
#define FA_VGROUP_JUDGE_MAX 4096       /* vectors judged per group; the rest are only counted */
typedef struct fa_vgroup {
    size_t    dim;
    fa_vdtype dtype;
    size_t    count;                   /* vectors in the group */
    size_t    judged, passed;
    size_t    votes[FA_VPARAMS_MAXFAM];
    const char *why;                   /* last rejection reason (static) */
    double    norm_min, norm_max, norm_sum;
    int       ctx_up, ctx_down;        /* context words seen (sums) */
    fa_sha256_ctx hash;                /* over every vector, as little-endian float32 */
} fa_vgroup;

void fa_vgroup_init(fa_vgroup *g, size_t dim, fa_vdtype dtype);
/* Adds one vector (judged while judged < FA_VGROUP_JUDGE_MAX, always hashed). */
void fa_vgroup_add(fa_vgroup *g, const fa_vparams *p, const double *v);

typedef struct fa_vverdict {
    int         hit;
    double      confidence;
    int         family;          /* index into p->families, -1 if none */
    int         normalised;
    double      norm_mean;       /* rounded to 2 decimals for evidence */
    const char *why;             /* reason when !hit (static) */
    unsigned char sha[32];       /* SHA-256 over the group's vectors */
} fa_vverdict;

/* Decides a group: base is the rule's confidence. */
void fa_vgroup_decide(fa_vgroup *g, const fa_vparams *p, double base, fa_vverdict *out);
#endif
