#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"

char fa_buf_empty[1];

static void oom(size_t n)
{
    /* The one exit in the library: nothing can be reported without memory. */
    (void)n;
    abort();
}

void *fa_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *fa_xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p)
        oom(n * m);
    return p;
}

void *fa_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *fa_xstrdup(const char *s)
{
    return fa_xstrndup(s, strlen(s));
}

char *fa_xstrndup(const char *s, size_t n)
{
    char *p = fa_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *fa_xasprintf(const char *fmt, ...)
{
    fa_buf b = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    return fa_buf_detach(&b, NULL);
}

void fa_buf_init(fa_buf *b, size_t hint)
{
    b->buf = fa_buf_empty;
    b->len = b->alloc = 0;
    if (hint)
        fa_buf_grow(b, hint);
}

void fa_buf_release(fa_buf *b)
{
    if (b->alloc)
        free(b->buf);
    fa_buf_init(b, 0);
}

char *fa_buf_detach(fa_buf *b, size_t *len)
{
    char *r = b->alloc ? b->buf : fa_xstrdup("");
    if (len)
        *len = b->len;
    fa_buf_init(b, 0);
    return r;
}

void fa_buf_grow(fa_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < b->len)
        oom(SIZE_MAX);
    if (need <= b->alloc)
        return;
    size_t na = b->alloc ? b->alloc : 64;
    while (na < need)
        na = na * 3 / 2 + 16;
    if (!b->alloc) {
        b->buf = fa_xmalloc(na);
        b->buf[0] = 0;
    } else {
        b->buf = fa_xrealloc(b->buf, na);
    }
    b->alloc = na;
}

void fa_buf_reset(fa_buf *b)
{
    b->len = 0;
    if (b->alloc)
        b->buf[0] = 0;
}

void fa_buf_add(fa_buf *b, const void *data, size_t len)
{
    if (!len)
        return;
    fa_buf_grow(b, len);
    memcpy(b->buf + b->len, data, len);
    b->len += len;
    b->buf[b->len] = 0;
}

void fa_buf_adds(fa_buf *b, const char *s)
{
    fa_buf_add(b, s, strlen(s));
}

void fa_buf_addch(fa_buf *b, int c)
{
    fa_buf_grow(b, 1);
    b->buf[b->len++] = (char)c;
    b->buf[b->len] = 0;
}

void fa_buf_vaddf(fa_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0)
        return;
    fa_buf_grow(b, (size_t)n);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void fa_buf_addf(fa_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

fa_status fa_buf_read_file(fa_buf *b, const char *path, size_t max, fa_err *err)
{
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return fa_err_set(err, FA_FAIL, "unreadable", "%s: %s", path, strerror(errno));
    size_t start = b->len;
    char chunk[65536];
    size_t n;
    fa_status st = FA_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        fa_buf_add(b, chunk, n);
        if (max && b->len - start > max) {
            st = fa_err_set(err, FA_FAIL, "too_large", "%s: larger than %zu bytes", path, max);
            break;
        }
    }
    if (st == FA_OK && ferror(f))
        st = fa_err_set(err, FA_FAIL, "unreadable", "%s: read error", path);
    if (!is_stdin)
        fclose(f);
    return st;
}
