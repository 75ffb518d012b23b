/* fa_mustache: a Mustache template engine over jansson values.
 * Implements the Mustache specification's interpolation, sections, inverted sections,
 * comments, partials (with standalone indentation) and set-delimiter tags; no lambdas.
 * Falsey for sections: absent, null, false, "", 0, 0.0 and []. Objects and other
 * values are pushed on the context stack; arrays render once per element.
 * Library code: never prints; errors come back as "template:line:col: message". */
#ifndef FACEAUDIT_MUSTACHE_H
#define FACEAUDIT_MUSTACHE_H
#include <stddef.h>
#include <jansson.h>
#include "faceaudit/err.h"

/* Resolves a partial name to its template text. Returns a malloc'd NUL-terminated string
 * the engine frees, or NULL when there is no such partial. */
typedef char *(*fa_mustache_partial_fn)(void *ud, const char *name);

typedef enum fa_mustache_escape {
    FA_MUSTACHE_ESCAPE_HTML = 0,    /* & " < > ' as entities (the spec; the default) */
    FA_MUSTACHE_ESCAPE_JSON,        /* the inside of a JSON string: " \\ and controls */
    FA_MUSTACHE_ESCAPE_JSON_HTML,   /* HTML entities, then JSON: for JSON whose strings
                                       are displayed as HTML (the CNIL PIA export) */
    FA_MUSTACHE_ESCAPE_NONE
} fa_mustache_escape;

typedef struct fa_mustache_opts {
    const char *name;               /* template name for error messages; NULL = "template" */
    int allow_missing;              /* 0: an unresolved {{name}} or partial is an error;
                                       1: it renders as "" (the spec's behaviour) */
    fa_mustache_escape escape;      /* how {{x}} escapes; {{{x}}} and {{&x}} never do */
    fa_mustache_partial_fn partial; /* NULL: no partials available */
    void *partial_ud;
} fa_mustache_opts;

/* Renders tmpl (len bytes, need not be NUL-terminated) with data as the root context.
 * On FA_OK *out is a malloc'd NUL-terminated string (caller frees) and *outlen its length
 * (outlen may be NULL). On failure *out is NULL and err holds "name:line:col: message"
 * (code "template" for syntax errors, "missing" for an unresolved variable or partial).
 * data is borrowed; opts may be NULL (strict, HTML-escaping, no partials). */
fa_status fa_mustache_render(const char *tmpl, size_t len, json_t *data,
                             const fa_mustache_opts *opts, char **out, size_t *outlen,
                             fa_err *err);

/* Checks the syntax of a template without rendering it (unclosed tags or sections,
 * mismatched closes, bad delimiters). Partials are not followed. */
fa_status fa_mustache_check(const char *tmpl, size_t len, const char *name, fa_err *err);
#endif
