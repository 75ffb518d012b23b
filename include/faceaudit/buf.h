/* fa_buf: a growable byte buffer, always NUL-terminated (after git's strbuf).
 * The buffer owns buf; fa_buf_release() frees it and resets to empty.
 * fa_buf_detach() hands ownership of the bytes to the caller (free()). */
#ifndef FACEAUDIT_BUF_H
#define FACEAUDIT_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include "faceaudit/err.h"

typedef struct fa_buf {
    char  *buf;   /* never NULL after init: points at a static "" when empty */
    size_t len;
    size_t alloc;
} fa_buf;

#define FA_BUF_INIT { fa_buf_empty, 0, 0 }
extern char fa_buf_empty[];

void  fa_buf_init(fa_buf *b, size_t hint);
void  fa_buf_release(fa_buf *b);
char *fa_buf_detach(fa_buf *b, size_t *len);   /* caller frees; b is reset */
void  fa_buf_grow(fa_buf *b, size_t extra);     /* aborts only on OOM, like git */
void  fa_buf_reset(fa_buf *b);
void  fa_buf_add(fa_buf *b, const void *data, size_t len);
void  fa_buf_adds(fa_buf *b, const char *s);
void  fa_buf_addch(fa_buf *b, int c);
void  fa_buf_addf(fa_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void  fa_buf_vaddf(fa_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends a whole file ("-" = standard input) to b. max > 0 refuses larger files (code
 * "too_large"); other failures have code "unreadable" and a message naming the path. */
fa_status fa_buf_read_file(fa_buf *b, const char *path, size_t max, fa_err *err);

/* xmalloc family: abort on OOM (the only exit the library takes; nothing can be
 * reported without memory). Returned pointers are owned by the caller. */
void *fa_xmalloc(size_t n);
void *fa_xcalloc(size_t n, size_t m);
void *fa_xrealloc(void *p, size_t n);
char *fa_xstrdup(const char *s);
char *fa_xstrndup(const char *s, size_t n);
char *fa_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow *arr (of *alloc elements of size sz) so it holds at least n elements. */
#define FA_GROW(arr, n, alloc) do { \
        if ((size_t)(n) > (alloc)) { \
            size_t na_ = (alloc) ? (alloc) * 2 : 8; \
            if (na_ < (size_t)(n)) na_ = (n); \
            (arr) = fa_xrealloc((arr), na_ * sizeof(*(arr))); \
            (alloc) = na_; \
        } } while (0)
#endif
