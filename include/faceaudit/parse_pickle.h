/* fa_pickle: walks a Python pickle (protocols 0-5) WITHOUT executing it, to find the float
 * vectors it holds: NumPy arrays (ndarray reconstruction, _frombuffer of protocol 5, numpy
 * scalars), lists of floats, and the dicts and objects around them (whose keys become the
 * key path). No callable named in the pickle is ever called or imported: globals are kept
 * as names, and only a few NumPy/codecs ones are recognised to rebuild arrays as data. */
#ifndef FACEAUDIT_PARSE_PICKLE_H
#define FACEAUDIT_PARSE_PICKLE_H
#include <stddef.h>
#include "faceaudit/err.h"
#include "faceaudit/parse_vecstats.h"

/* One vector found at `path` (a pattern like "$.encodings[*]"; borrowed for the call),
 * its element type as stored, `dim` values decoded into v (borrowed for the call). */
typedef void (*fa_pickle_vec_fn)(void *udata, const char *path, fa_vdtype dtype, size_t dim,
                                 const double *v);

/* Walks the pickle in p[0..len). Memory is bounded by max_mem bytes of parser state (0 =
 * 256 MiB). Returns FA_OK; FA_FAIL with err code "truncated" (the data ends before STOP or
 * inside an opcode's argument, e.g. a cut file or a length claiming more than is there),
 * "malformed_pickle" (unknown opcode, stack underflow, bad memo reference) or
 * "pickle_too_complex" (memory bound). On a failure, arrays already complete on the stack
 * are still passed to fn (salvage of a cut file). */
fa_status fa_pickle_walk(const unsigned char *p, size_t len, size_t max_mem,
                         fa_pickle_vec_fn fn, void *udata, fa_err *err);
#endif
