/* Readers for ML storage formats that hold embeddings: FAISS index files, safetensors
 * and HDF5. They read headers (and flat float storage when present) and never trust a
 * length: every offset and size is checked against the bytes given. */
#ifndef FACEAUDIT_PARSE_MLFILES_H
#define FACEAUDIT_PARSE_MLFILES_H
#include <stddef.h>
#include "faceaudit/err.h"
#include "faceaudit/parse_vecstats.h"

/* A block of vectors (or just their shape when the format stores them compressed). */
typedef struct fa_mlvec {
    const char          *name;       /* tensor name or FAISS fourcc; borrowed for the call */
    fa_vdtype            dtype;
    int                  big_endian;
    size_t               dim, count;
    const unsigned char *raw;        /* count * dim elements, little-endian; NULL if only the
                                        header is known (PQ/HNSW-compressed codes, ...) */
} fa_mlvec;
typedef void (*fa_mlvec_fn)(void *udata, const fa_mlvec *mv);

/* FAISS: fourcc ("IxF2", "IxFI", "IwFl", "IHNf", "IxMp", ...), then d (int32) and ntotal
 * (int64). Flat storage (IxF2/IxFI, also nested in IDMap/HNSW/PreTransform) gives raw
 * vectors; other indexes only their shape. The count passed is never more than the file
 * holds. FA_FAIL code "malformed_faiss" when the header is implausible or cut; "truncated"
 * when the file is shorter than the header says: flat storage then passes the whole
 * vectors present first (none if there are none); compressed codes (less than a byte per
 * vector left, lists not on disk) pass nothing. */
fa_status fa_faiss_parse(const unsigned char *p, size_t len, fa_mlvec_fn fn, void *udata, fa_err *err);

/* safetensors: u64 header length, JSON header {name: {dtype, shape, data_offsets}}.
 * Every float tensor of rank 1-3 is passed with dim = last axis. FA_FAIL code
 * "malformed_safetensors" (bad header, offsets that disagree with the shape: nothing more
 * is passed) or "truncated" (data offsets beyond the file: a cut tensor passes only its
 * whole rows present, the others are passed as usual). */
fa_status fa_safetensors_parse(const unsigned char *p, size_t len, fa_mlvec_fn fn, void *udata, fa_err *err);

/* HDF5: checks the signature (at 0, 512, 1024, ...) and passes printable NUL-delimited
 * names found in the first max_scan bytes (dataset and group names live in heaps as such
 * strings). FA_FAIL code "malformed_hdf5" without a signature. */
typedef void (*fa_hdf5_name_fn)(void *udata, const char *name, size_t n);
fa_status fa_hdf5_names(const unsigned char *p, size_t len, size_t max_scan, fa_hdf5_name_fn fn,
                        void *udata, fa_err *err);
#endif
