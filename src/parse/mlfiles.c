/* FAISS, safetensors and HDF5 readers (see parse_mlfiles.h). */
#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>
#include "faceaudit/parse_mlfiles.h"

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int is_fourcc(const unsigned char *p)
{
    if (p[0] != 'I')
        return 0;
    for (int i = 1; i < 4; i++)
        if (!isalnum(p[i]))
            return 0;
    return 1;
}

/* Index header after the fourcc: d, ntotal, 2 dummies, is_trained, metric_type[, arg]. */
static int faiss_header(const unsigned char *p, size_t len, size_t off, uint32_t *d, uint64_t *ntotal,
                        size_t *end)
{
    if (off + 4 + 4 + 8 + 16 + 1 + 4 > len)
        return -1;
    const unsigned char *h = p + off + 4;
    int32_t dd = (int32_t)le(h, 4);
    int64_t nt = (int64_t)le(h + 4, 8);
    if (dd <= 0 || dd > 1 << 20 || nt < 0 || nt > ((int64_t)1 << 40))
        return -1;
    uint32_t metric = (uint32_t)le(h + 4 + 8 + 16 + 1, 4);
    size_t e = off + 4 + 4 + 8 + 16 + 1 + 4 + (metric > 1 ? 4 : 0);
    if (metric > 100 || e > len)
        return -1;
    *d = (uint32_t)dd;
    *ntotal = (uint64_t)nt;
    *end = e;
    return 0;
}

/* Flat storage: header then a vector (u64 count, of floats, or of bytes in newer files).
 * 0: all nt vectors present; 1: the file ends inside them (*present whole vectors are
 * there); -1: the sizes disagree (not flat storage of this shape). */
static int faiss_flat(const unsigned char *p, size_t len, size_t off, uint32_t d, uint64_t nt,
                      const unsigned char **raw, uint64_t *present)
{
    if (off + 8 > len)
        return -1;
    uint64_t sz = le(p + off, 8);
    uint64_t floats = (uint64_t)d * nt;
    if (sz != floats && sz != floats * 4)
        return -1;
    *raw = p + off + 8;
    uint64_t fit = (len - off - 8) / 4 / d;     /* whole vectors the file holds */
    if (nt > fit) {
        *present = fit;
        return 1;
    }
    *present = nt;
    return 0;
}

fa_status fa_faiss_parse(const unsigned char *p, size_t len, fa_mlvec_fn fn, void *udata, fa_err *err)
{
    if (len < 4 || !is_fourcc(p))
        return fa_err_set(err, FA_FAIL, "malformed_faiss", "not a FAISS index (bad fourcc)");
    uint32_t d;
    uint64_t nt;
    size_t end;
    if (faiss_header(p, len, 0, &d, &nt, &end) < 0)
        return fa_err_set(err, FA_FAIL, "malformed_faiss", "FAISS index header is truncated or implausible");
    char name[5];
    memcpy(name, p, 4);
    name[4] = 0;
    fa_mlvec mv = { name, FA_VDT_F32, 0, d, nt, NULL };
    const unsigned char *raw = NULL;
    uint64_t present = 0, claimed = nt;
    int fl = -1;
    if (!memcmp(p, "IxF2", 4) || !memcmp(p, "IxFI", 4))
        fl = faiss_flat(p, len, end, d, nt, &raw, &present);
    if (fl < 0) {
        /* Wrappers (IDMap, HNSW, PreTransform, Refine) hold a flat storage further on: look
         * for one with the same d and a consistent size, bounded to the data present. */
        for (size_t off = end; off + 4 <= len && fl < 0; off++) {
            if (p[off] != 'I' || (memcmp(p + off, "IxF2", 4) && memcmp(p + off, "IxFI", 4)))
                continue;
            uint32_t d2;
            uint64_t n2;
            size_t e2;
            if (faiss_header(p, len, off, &d2, &n2, &e2) == 0 && d2 == d &&
                (fl = faiss_flat(p, len, e2, d2, n2, &raw, &present)) >= 0)
                claimed = n2;
        }
    }
    if (fl >= 0) {
        /* Never more vectors than the file holds: a truncated file gives what is there. */
        mv.raw = raw;
        mv.count = (size_t)present;
        if (present)
            fn(udata, &mv);
        if (fl == 1)
            return fa_err_set(err, FA_FAIL, "truncated",
                              "FAISS index truncated: header claims %llu vectors of dimension %u, the file holds %llu",
                              (unsigned long long)claimed, d, (unsigned long long)present);
        return FA_OK;
    }
    /* Compressed codes (PQ, SQ, IVF lists, ...): only the shape is known. Each vector takes
     * at least one byte of codes, so the header's count is bounded by the bytes after it;
     * lists stored on disk ("ilod") live in another file and cannot be checked. */
    int ondisk = memmem(p + end, len - end, "ilod", 4) != NULL;
    if (!ondisk && nt > len - end)
        return fa_err_set(err, FA_FAIL, "truncated",
                          "FAISS index truncated: header claims %llu vectors, only %zu bytes follow it",
                          (unsigned long long)nt, len - end);
    fn(udata, &mv);
    return FA_OK;
}

fa_status fa_safetensors_parse(const unsigned char *p, size_t len, fa_mlvec_fn fn, void *udata, fa_err *err)
{
    if (len < 10)
        return fa_err_set(err, FA_FAIL, "malformed_safetensors", "safetensors file is truncated");
    uint64_t hl = le(p, 8);
    if (hl < 2 || hl > len - 8 || hl > (100u << 20))
        return fa_err_set(err, FA_FAIL, "malformed_safetensors", "safetensors header length %llu is out of range",
                          (unsigned long long)hl);
    json_error_t je;
    json_t *h = json_loadb((const char *)p + 8, (size_t)hl, JSON_REJECT_DUPLICATES, &je);
    if (!h || !json_is_object(h)) {
        json_decref(h);
        return fa_err_set(err, FA_FAIL, "malformed_safetensors", "safetensors header is not a JSON object");
    }
    const unsigned char *data = p + 8 + hl;
    size_t dlen = len - 8 - (size_t)hl;
    const char *key;
    json_t *t;
    uint64_t cut_need = 0, cut_have = 0;     /* the first tensor that runs past the end */
    const char *cut = NULL;
    json_object_foreach(h, key, t) {
        if (!strcmp(key, "__metadata__") || !json_is_object(t))
            continue;
        const char *dt = json_string_value(json_object_get(t, "dtype"));
        json_t *shape = json_object_get(t, "shape"), *offs = json_object_get(t, "data_offsets");
        if (!dt || !json_is_array(shape) || !json_is_array(offs) || json_array_size(offs) != 2)
            continue;
        fa_vdtype vt;
        if (!strcmp(dt, "F32")) vt = FA_VDT_F32;
        else if (!strcmp(dt, "F64")) vt = FA_VDT_F64;
        else if (!strcmp(dt, "F16")) vt = FA_VDT_F16;
        else continue;
        size_t rank = json_array_size(shape);
        if (rank < 1 || rank > 3)
            continue;
        uint64_t nelem = 1;
        int bad = 0;
        for (size_t i = 0; i < rank; i++) {
            json_int_t s = json_integer_value(json_array_get(shape, i));
            if (!json_is_integer(json_array_get(shape, i)) || s < 0 || s > ((json_int_t)1 << 40)) bad = 1;
            else if (s && nelem > (UINT64_MAX >> 24) / (uint64_t)s) bad = 1;
            else nelem *= (uint64_t)s;
        }
        json_int_t b = json_integer_value(json_array_get(offs, 0)), e = json_integer_value(json_array_get(offs, 1));
        size_t w = fa_vdtype_size(vt);
        uint64_t need = nelem * w;
        if (bad || !json_is_integer(json_array_get(offs, 0)) || !json_is_integer(json_array_get(offs, 1)) ||
            b < 0 || e < b || (uint64_t)(e - b) != need) {
            json_decref(h);
            return fa_err_set(err, FA_FAIL, "malformed_safetensors",
                              "safetensors tensor offsets disagree with its shape");
        }
        size_t dim = (size_t)json_integer_value(json_array_get(shape, rank - 1));
        if (!dim)
            continue;
        uint64_t count = nelem / dim;
        if ((uint64_t)e > dlen) {
            /* The file ends inside this tensor: only its whole rows that are present count. */
            uint64_t have = (uint64_t)b < dlen ? (dlen - (uint64_t)b) / w / dim : 0;
            if (!cut) {
                cut = key;
                cut_need = (uint64_t)e;
                cut_have = dlen;
            }
            count = have;
        }
        if (count) {
            fa_mlvec mv = { key, vt, 0, dim, (size_t)count, data + b };
            fn(udata, &mv);
        }
    }
    fa_status st = FA_OK;
    if (cut) {
        char nm[64];
        size_t k;
        for (k = 0; cut[k] && k + 1 < sizeof nm; k++)   /* a name is metadata; keep it printable */
            nm[k] = (cut[k] >= 0x20 && cut[k] < 0x7f) ? cut[k] : '?';
        nm[k] = 0;
        st = fa_err_set(err, FA_FAIL, "truncated",
                        "safetensors data truncated: tensor '%s' ends at byte %llu of the data, %llu present",
                        nm, (unsigned long long)cut_need, (unsigned long long)cut_have);
    }
    json_decref(h);
    return st;
}

static const unsigned char hdf5_sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };

fa_status fa_hdf5_names(const unsigned char *p, size_t len, size_t max_scan, fa_hdf5_name_fn fn,
                        void *udata, fa_err *err)
{
    int found = 0;
    for (size_t off = 0; off + 8 <= len && off <= (1u << 20); off = off ? off * 2 : 512)
        if (!memcmp(p + off, hdf5_sig, 8)) {
            found = 1;
            break;
        }
    if (!found)
        return fa_err_set(err, FA_FAIL, "malformed_hdf5", "no HDF5 signature");
    size_t n = len < max_scan ? len : max_scan;
    size_t i = 0;
    while (i < n) {
        /* a name: NUL, 3..64 identifier characters, NUL */
        if (p[i] != 0) { i++; continue; }
        size_t s = i + 1, e = s;
        while (e < n && e - s <= 64 && (isalnum(p[e]) || p[e] == '_' || p[e] == '-' || p[e] == '.'))
            e++;
        if (e < n && p[e] == 0 && e - s >= 3 && e - s <= 64 && isalpha(p[s]))
            fn(udata, (const char *)p + s, e - s);
        i = e > s ? e : s;
    }
    return FA_OK;
}
