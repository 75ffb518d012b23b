/* fa_err: the error kept for the caller, as libarchive keeps it on the handle.
 * Library functions return an fa_status and fill an fa_err; they never print. */
#ifndef FACEAUDIT_ERR_H
#define FACEAUDIT_ERR_H

/* Graded return codes (after libarchive): callers test < 0 for failure. */
typedef enum fa_status {
    FA_OK    = 0,
    FA_WARN  = -1,   /* completed, but something was skipped (see message) */
    FA_FAIL  = -2,   /* this operation failed; the caller may go on with the next object */
    FA_FATAL = -3    /* the handle is unusable (bad rule pack, out of resources) */
} fa_status;

typedef struct fa_err {
    fa_status status;
    char code[32];      /* machine-readable: "corrupt_archive", "rule_syntax", ... */
    char msg[1024];     /* human-readable; never contains scanned content */
} fa_err;

void fa_err_clear(fa_err *e);
/* Sets status, code and a formatted message; returns status for `return fa_err_set(...)`. */
fa_status fa_err_set(fa_err *e, fa_status st, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#endif
