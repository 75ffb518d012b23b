/* fa_jsonarr / fa_csvvec: streaming extractors of number vectors from text, fed one line
 * at a time (the scanner hands whole lines). Neither keeps a line after the call.
 *
 * fa_jsonarr finds arrays of numbers at any depth of JSON documents and JSON-lines logs
 * (also JSON embedded in a log line, stringified arrays "[0.1, ...]" inside JSON strings,
 * pgvector text and Python reprs), with the key path of each array as a pattern
 * ("$.faces[*].embedding"). It is lenient: text that is not JSON just yields nothing.
 * Per array at most FA_TEXTVEC_MAX numbers are kept (a longer array is not a template).
 *
 * fa_csvvec finds rows of numbers in CSV/TSV/space-separated text (with the header
 * row before them as context) and columns of one number per line (np.savetxt of a
 * single vector). */
#ifndef FACEAUDIT_PARSE_JSONARR_H
#define FACEAUDIT_PARSE_JSONARR_H
#include <stddef.h>
#include "faceaudit/parse_vecstats.h"

#define FA_TEXTVEC_MAX 65536

typedef struct fa_tvec {
    const char *path;       /* key path pattern, "" if none; borrowed for the call */
    fa_vcont    container;  /* FA_VC_JSON, FA_VC_PGVECTOR, FA_VC_TEXT or FA_VC_CSV */
    long        line;       /* 1-based line where the vector starts */
    size_t      dim;
    const double *v;        /* dim values; borrowed for the call */
    const char *ctx;        /* text around it for context words (the line, a CSV header) */
    size_t      ctxlen;
} fa_tvec;
typedef void (*fa_tvec_fn)(void *udata, const fa_tvec *tv);

/* Parses a decimal number at p (JSON syntax, also "+1", ".5", "1."); returns the bytes
 * consumed (0 if none) and the value in *out. Fast and within an ulp or two of strtod. */
size_t fa_parse_number(const char *p, const char *end, double *out);

typedef struct fa_jsonarr fa_jsonarr;
fa_jsonarr *fa_jsonarr_new(fa_tvec_fn fn, void *udata);   /* free with fa_jsonarr_free */
void        fa_jsonarr_free(fa_jsonarr *j);
/* One line, without its '\n'. */
void        fa_jsonarr_line(fa_jsonarr *j, const char *line, size_t n, long lineno);
/* 1 while inside an unclosed JSON array or object (the next line belongs to it). */
int         fa_jsonarr_open(const fa_jsonarr *j);
/* After the last line: 1 when the text ended inside a JSON value that holds numbers (an
 * array of numbers is open, or vectors were already found in the value), also when the
 * last line stops mid-number inside it; *line is the line where that top-level value
 * began. The caller decides what a cut means (a document vs the last line of a log). */
int         fa_jsonarr_truncated(const fa_jsonarr *j, long *line);

typedef struct fa_csvvec fa_csvvec;
fa_csvvec  *fa_csvvec_new(fa_tvec_fn fn, void *udata);     /* free with fa_csvvec_free */
void        fa_csvvec_free(fa_csvvec *c);
void        fa_csvvec_line(fa_csvvec *c, const char *line, size_t n, long lineno);
/* Ends the text: a pending column of numbers is emitted. */
void        fa_csvvec_finish(fa_csvvec *c);
#endif
