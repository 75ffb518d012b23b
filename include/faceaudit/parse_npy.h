/* fa_npy: reads a NumPy .npy header (format versions 1-3) without trusting it: every
 * length and the shape's element count are checked against the bytes present. */
#ifndef FACEAUDIT_PARSE_NPY_H
#define FACEAUDIT_PARSE_NPY_H
#include <stddef.h>
#include "faceaudit/err.h"

#define FA_NPY_MAXDIM 16

typedef struct fa_npy {
    int    major, minor;          /* format version */
    char   kind;                  /* numpy kind: 'f' float, 'i' int, 'u' uint, 'b' bool, 'c' complex,
                                     'O' object (pickled data follows), 'U'/'S' strings, 'V' record */
    int    itemsize;              /* bytes per element (0 for 'O') */
    int    big_endian;            /* '>' */
    int    fortran;               /* fortran_order: True */
    int    ndim;
    size_t shape[FA_NPY_MAXDIM];
    size_t nelem;                 /* product of shape (1 for a 0-d array) */
    size_t offset;                /* first data byte */
    size_t data_len;              /* nelem * itemsize (for 'O': bytes after the header) */
} fa_npy;

#define FA_NPY_MAGIC "\x93NUMPY"
/* Parses the header of the len bytes at p. FA_OK, or FA_FAIL with err->code
 * "malformed_npy" (bad magic, header syntax, shape) or "truncated" (data shorter than
 * the shape says). Never allocates. */
fa_status fa_npy_parse(const unsigned char *p, size_t len, fa_npy *out, fa_err *err);
#endif
