/* Glob matcher for paths; see pathmatch.h. Written here rather than fnmatch(3) because
 * fnmatch has no "**" and knows nothing of archive members. Backtracking is bounded by
 * a memo table of (pattern, subject) positions, so hostile globs stay polynomial. */
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/pathmatch.h"

static int is_sep(char c) { return c == '/' || c == '!'; }

/* Matches one character class at *pp against c; advances *pp past ']'. -1 = malformed. */
static int match_class(const char **pp, char c)
{
    const char *p = *pp + 1;   /* after '[' */
    int neg = 0, hit = 0;
    if (*p == '!' || *p == '^') { neg = 1; p++; }
    int first = 1;
    while (*p && (*p != ']' || first)) {
        char lo = *p;
        if (lo == '\\' && p[1]) lo = *++p;
        p++;
        char hi = lo;
        if (*p == '-' && p[1] && p[1] != ']') {
            hi = p[1];
            if (hi == '\\' && p[2]) { hi = p[2]; p++; }
            p += 2;
        }
        if (c >= lo && c <= hi)
            hit = 1;
        first = 0;
    }
    if (*p != ']')
        return -1;
    *pp = p + 1;
    return (hit != neg) && !is_sep(c);
}

typedef struct {
    const char    *g0, *s0;
    size_t         gl, sl;
    unsigned char *memo;   /* (gl+1)*(sl+1): 0 unknown, 1 no, 2 yes */
} mctx;

static int m(mctx *c, const char *g, const char *s)
{
    size_t gi = (size_t)(g - c->g0), si = (size_t)(s - c->s0);
    unsigned char *slot = c->memo ? &c->memo[gi * (c->sl + 1) + si] : NULL;
    if (slot && *slot)
        return *slot == 2;
    int r = 0;
    if (!*g) {
        r = !*s;
    } else if (g[0] == '*' && g[1] == '*') {
        const char *rest = g + 2;
        while (*rest == '*') rest++;
        int at_start = (g == c->g0) || is_sep(g[-1]);
        if (at_start && *rest == '/') {
            /* "**" + "/": zero components, or any prefix ending at a separator. */
            r = m(c, rest + 1, s);
            for (const char *t = s; !r && *t; t++)
                if (is_sep(*t))
                    r = m(c, rest + 1, t + 1);
        } else {
            for (const char *t = s; ; t++) {
                if ((r = m(c, rest, t)) || !*t)
                    break;
            }
        }
    } else if (g[0] == '*') {
        for (const char *t = s; ; t++) {
            if ((r = m(c, g + 1, t)) || !*t || is_sep(*t))
                break;
        }
    } else if (!*s) {
        r = 0;
    } else if (g[0] == '?') {
        r = !is_sep(*s) && m(c, g + 1, s + 1);
    } else if (g[0] == '[') {
        const char *p = g;
        int k = match_class(&p, *s);
        r = k > 0 && m(c, p, s + 1);
    } else if (g[0] == '/') {
        r = is_sep(*s) && m(c, g + 1, s + 1);
    } else {
        char lit = g[0];
        const char *next = g + 1;
        if (lit == '\\' && g[1]) { lit = g[1]; next = g + 2; }
        r = *s == lit && m(c, next, s + 1);
    }
    if (slot)
        *slot = r ? 2 : 1;
    return r;
}

int fa_glob_match(const char *glob, const char *path)
{
    mctx c = { glob, path, strlen(glob), strlen(path), NULL };
    /* Memoise unless the table would be large; paths and globs are short in practice. */
    size_t cells = (c.gl + 1) * (c.sl + 1);
    if (cells <= (1u << 20))
        c.memo = fa_xcalloc(cells, 1);
    int r = m(&c, glob, path);
    free(c.memo);
    return r;
}

int fa_glob_valid(const char *glob)
{
    for (const char *p = glob; *p; p++) {
        if (*p == '\\') {
            if (!p[1])
                return 0;
            p++;
        } else if (*p == '[') {
            const char *q = p;
            if (match_class(&q, 'a') < 0)
                return 0;
            p = q - 1;
        }
    }
    return 1;
}
