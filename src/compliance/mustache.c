/* Mustache over jansson: parse the template into a tree (standalone lines resolved while
 * parsing, as the spec defines them on the source text), then render the tree against a
 * context stack. Partials are parsed on first use and cached per (name, indentation):
 * a standalone partial's indentation is applied to its source lines before parsing,
 * which is exactly the spec's "indent every line of the partial" rule. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/mustache.h"

#define MAX_DELIM 16
#define MAX_PARTIAL_DEPTH 64   /* recursive partials are legal; runaway recursion is not */

enum ntype { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL };

typedef struct node {
    enum ntype type;
    char *str;            /* text bytes, or the tag name */
    size_t len;
    char *indent;         /* N_PARTIAL: the standalone tag's indentation ("" if none) */
    int line, col;        /* where the tag starts, for messages */
    struct node *kids;    /* N_SECTION / N_INVERTED */
    size_t nkids, akids;
} node;

static void node_free_kids(node *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        node_free_kids(&n->kids[i]);
        free(n->kids[i].str);
        free(n->kids[i].indent);
    }
    free(n->kids);
    n->kids = NULL;
    n->nkids = n->akids = 0;
}

static node *node_add(node *parent, enum ntype type)
{
    FA_GROW(parent->kids, parent->nkids + 1, parent->akids);
    node *n = &parent->kids[parent->nkids++];
    memset(n, 0, sizeof *n);
    n->type = type;
    return n;
}

/* ---- parsing ---------------------------------------------------------------------- */

typedef struct parser {
    const char *src;
    size_t len;
    const char *name;
    fa_err *err;
    char otag[MAX_DELIM], ctag[MAX_DELIM];
    size_t olen, clen;
    /* line/column cursor: queries move forward, so counting stays linear */
    size_t lc_off;
    int lc_line, lc_col;
} parser;

static void linecol(parser *p, size_t off, int *line, int *col)
{
    if (off < p->lc_off) {            /* rare: restart from the top */
        p->lc_off = 0;
        p->lc_line = 1;
        p->lc_col = 1;
    }
    for (; p->lc_off < off && p->lc_off < p->len; p->lc_off++) {
        if (p->src[p->lc_off] == '\n') {
            p->lc_line++;
            p->lc_col = 1;
        } else {
            p->lc_col++;
        }
    }
    *line = p->lc_line;
    *col = p->lc_col;
}

static fa_status perr(parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static fa_status perr(parser *p, size_t off, const char *fmt, ...)
{
    int line, col;
    linecol(p, off, &line, &col);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fa_err_set(p->err, FA_FAIL, "template", "%s:%d:%d: %s", p->name, line, col, msg);
}

static const char *find(const char *hay, size_t haylen, size_t from, const char *needle, size_t nlen)
{
    if (nlen == 0 || from > haylen)
        return NULL;
    for (size_t i = from; i + nlen <= haylen; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen))
            return hay + i;
    return NULL;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static void add_text(node *parent, const char *s, size_t n)
{
    if (n == 0)
        return;
    node *t = node_add(parent, N_TEXT);
    t->str = fa_xstrndup(s, n);
    t->len = n;
}

/* Trims blanks (and newlines inside multi-line tags) around a tag's content. */
static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static fa_status set_delims(parser *p, const char *s, size_t n, size_t tag_off)
{
    trim(&s, &n);
    size_t a = 0;
    while (a < n && !isspace((unsigned char)s[a]))
        a++;
    size_t b = a;
    while (b < n && isspace((unsigned char)s[b]))
        b++;
    size_t c = n - b;
    if (a == 0 || c == 0 || a >= MAX_DELIM || c >= MAX_DELIM ||
        memchr(s, '=', a) || memchr(s + b, '=', c) || find(s + b, c, 0, " ", 1))
        return perr(p, tag_off, "%s", "invalid set-delimiter tag (want {{=OPEN CLOSE=}})");
    memcpy(p->otag, s, a);
    p->otag[a] = 0;
    p->olen = a;
    memcpy(p->ctag, s + b, c);
    p->ctag[c] = 0;
    p->clen = c;
    return FA_OK;
}

/* Parses src into root's children. On failure the partial tree is left for the caller to free. */
static fa_status parse(parser *p, node *root)
{
    node **stack = NULL;
    size_t depth = 0, alloc = 0;
    fa_status st = FA_OK;
    FA_GROW(stack, 1, alloc);
    stack[depth++] = root;
    strcpy(p->otag, "{{");
    strcpy(p->ctag, "}}");
    p->olen = p->clen = 2;
    p->lc_off = 0;
    p->lc_line = p->lc_col = 1;

    size_t pos = 0;
    while (pos < p->len) {
        const char *t = find(p->src, p->len, pos, p->otag, p->olen);
        if (!t) {
            add_text(stack[depth - 1], p->src + pos, p->len - pos);
            break;
        }
        size_t tag_start = (size_t)(t - p->src);
        size_t q = tag_start + p->olen;
        char kind = q < p->len ? p->src[q] : 0;
        const char *close;
        size_t closelen = p->clen;
        char endbuf[MAX_DELIM + 1];
        if (kind == '{' || kind == '=') {
            /* triple mustache ends with "}" + close, set-delimiter with "=" + close */
            endbuf[0] = kind == '{' ? '}' : '=';
            memcpy(endbuf + 1, p->ctag, p->clen);
            closelen = p->clen + 1;
            q++;
            close = find(p->src, p->len, q, endbuf, closelen);
        } else {
            if (kind && strchr("&#^/>!", kind))
                q++;
            else
                kind = 0;
            close = find(p->src, p->len, q, p->ctag, p->clen);
        }
        if (!close) {
            st = perr(p, tag_start, "unclosed tag '%s'", p->otag);
            goto out;
        }
        size_t tag_end = (size_t)(close - p->src) + closelen;
        const char *content = p->src + q;
        size_t clen = (size_t)(close - content);
        trim(&content, &clen);

        /* Standalone: a non-interpolation tag alone on its line (blanks aside) takes the
         * whole line with it, newline included. */
        int standalone = 0;
        size_t ls = tag_start, eol = tag_end;
        if (kind && kind != '{' && kind != '&') {
            while (ls > 0 && p->src[ls - 1] != '\n')
                ls--;
            size_t i = ls;
            while (i < tag_start && is_blank(p->src[i]))
                i++;
            if (i == tag_start && ls >= pos) {
                size_t e = tag_end;
                while (e < p->len && is_blank(p->src[e]))
                    e++;
                if (e == p->len)
                    standalone = 1, eol = e;
                else if (p->src[e] == '\n')
                    standalone = 1, eol = e + 1;
                else if (p->src[e] == '\r' && e + 1 < p->len && p->src[e + 1] == '\n')
                    standalone = 1, eol = e + 2;
            }
        }
        add_text(stack[depth - 1], p->src + pos, (standalone ? ls : tag_start) - pos);
        pos = standalone ? eol : tag_end;

        if (kind == '!')
            continue;
        if (kind == '=') {
            if ((st = set_delims(p, content, clen, tag_start)) != FA_OK)
                goto out;
            continue;
        }
        if (clen == 0) {
            st = perr(p, tag_start, "%s", "empty tag name");
            goto out;
        }
        for (size_t i = 0; i < clen; i++)
            if (isspace((unsigned char)content[i])) {
                char nm[128];
                snprintf(nm, sizeof nm, "%.*s", (int)(clen > 100 ? 100 : clen), content);
                st = perr(p, tag_start, "invalid tag name '%s'", nm);
                goto out;
            }
        int line, col;
        linecol(p, tag_start, &line, &col);
        if (kind == '/') {
            node *open = stack[depth - 1];
            char nm[128];
            snprintf(nm, sizeof nm, "%.*s", (int)(clen > 100 ? 100 : clen), content);
            if (depth == 1) {
                st = perr(p, tag_start, "closing tag '%s' without an open section", nm);
                goto out;
            }
            if (strlen(open->str) != clen || memcmp(open->str, content, clen)) {
                char both[300];
                snprintf(both, sizeof both, "'%s' closes section '%s' (opened at line %d)",
                         nm, open->str, open->line);
                st = perr(p, tag_start, "%s", both);
                goto out;
            }
            depth--;
            continue;
        }
        enum ntype ty = kind == '#' ? N_SECTION : kind == '^' ? N_INVERTED : kind == '>' ? N_PARTIAL
                      : (kind == '{' || kind == '&') ? N_RAW : N_VAR;
        node *n = node_add(stack[depth - 1], ty);
        n->str = fa_xstrndup(content, clen);
        n->len = clen;
        n->line = line;
        n->col = col;
        if (ty == N_PARTIAL)
            n->indent = standalone ? fa_xstrndup(p->src + ls, tag_start - ls) : fa_xstrdup("");
        if (ty == N_SECTION || ty == N_INVERTED) {
            FA_GROW(stack, depth + 1, alloc);
            stack[depth++] = n;
        }
    }
    if (depth > 1) {
        node *open = stack[depth - 1];
        st = fa_err_set(p->err, FA_FAIL, "template", "%s:%d:%d: unclosed section '%s'",
                        p->name, open->line, open->col, open->str);
    }
out:
    free(stack);
    return st;
}

/* ---- rendering -------------------------------------------------------------------- */

typedef struct pcache {
    char *name, *indent;
    node root;
    struct pcache *next;
} pcache;

typedef struct render {
    const fa_mustache_opts *o;
    json_t **stack;
    size_t n, alloc;
    fa_buf *out;
    fa_err *err;
    int depth;
    pcache *partials;
} render;

static void push(render *r, json_t *v)
{
    FA_GROW(r->stack, r->n + 1, r->alloc);
    r->stack[r->n++] = v;
}

static json_t *object_getn(json_t *obj, const char *key, size_t n)
{
    if (!json_is_object(obj))
        return NULL;
    char small[256];
    if (n < sizeof small) {
        memcpy(small, key, n);
        small[n] = 0;
        return json_object_get(obj, small);
    }
    char *k = fa_xstrndup(key, n);
    json_t *v = json_object_get(obj, k);
    free(k);
    return v;
}

/* Resolves a (dotted) name: the first part through the context stack, the rest inside
 * the value found; no fallback once the first part matched (the spec's "no masking"). */
static json_t *lookup(render *r, const char *name, int *found)
{
    *found = 0;
    if (!strcmp(name, ".")) {
        *found = 1;
        return r->stack[r->n - 1];
    }
    const char *dot = strchr(name, '.');
    size_t first = dot ? (size_t)(dot - name) : strlen(name);
    json_t *v = NULL;
    for (size_t i = r->n; i-- > 0;)
        if ((v = object_getn(r->stack[i], name, first)) != NULL)
            break;
    if (!v)
        return NULL;
    while (dot) {
        const char *part = dot + 1;
        dot = strchr(part, '.');
        size_t plen = dot ? (size_t)(dot - part) : strlen(part);
        if (!(v = object_getn(v, part, plen)))
            return NULL;
    }
    *found = 1;
    return v;
}

static int falsey(json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return 1;
    if (json_is_array(v))
        return json_array_size(v) == 0;
    if (json_is_string(v))
        return json_string_length(v) == 0;
    if (json_is_integer(v))
        return json_integer_value(v) == 0;
    if (json_is_real(v))
        return json_real_value(v) == 0.0;
    return 0;
}

/* The shortest decimal that reads back as the same double: 1.21, not 1.2099999999999999. */
static void fmt_real(char *buf, size_t n, double d)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static void emit_escaped(render *r, const char *s, size_t n, int escape)
{
    fa_mustache_escape mode = escape ? r->o->escape : FA_MUSTACHE_ESCAPE_NONE;
    if (mode == FA_MUSTACHE_ESCAPE_NONE) {
        fa_buf_add(r->out, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (mode == FA_MUSTACHE_ESCAPE_HTML || (mode == FA_MUSTACHE_ESCAPE_JSON_HTML && strchr("&\"<>'", c) && c)) {
            switch (c) {
            case '&': fa_buf_adds(r->out, "&amp;"); break;
            case '"': fa_buf_adds(r->out, "&quot;"); break;
            case '<': fa_buf_adds(r->out, "&lt;"); break;
            case '>': fa_buf_adds(r->out, "&gt;"); break;
            case '\'': fa_buf_adds(r->out, "&#39;"); break;
            default: fa_buf_addch(r->out, c);
            }
        } else {
            switch (c) {
            case '"': fa_buf_adds(r->out, "\\\""); break;
            case '\\': fa_buf_adds(r->out, "\\\\"); break;
            case '\n': fa_buf_adds(r->out, "\\n"); break;
            case '\r': fa_buf_adds(r->out, "\\r"); break;
            case '\t': fa_buf_adds(r->out, "\\t"); break;
            default:
                if (c < 0x20)
                    fa_buf_addf(r->out, "\\u%04x", c);
                else
                    fa_buf_addch(r->out, c);
            }
        }
    }
}

static void emit_value(render *r, json_t *v, int escape)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        emit_escaped(r, json_string_value(v), json_string_length(v), escape);
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        fa_buf_adds(r->out, num);
        break;
    case JSON_REAL:
        fmt_real(num, sizeof num, json_real_value(v));
        fa_buf_adds(r->out, num);
        break;
    case JSON_TRUE:
        fa_buf_adds(r->out, "true");
        break;
    case JSON_FALSE:
        fa_buf_adds(r->out, "false");
        break;
    case JSON_NULL:
        break;
    default: {   /* objects and arrays: their compact JSON, escaped like any text */
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        if (s)
            emit_escaped(r, s, strlen(s), escape);
        free(s);
    }
    }
}

static fa_status render_nodes(render *r, const node *parent, const char *tname);

/* The partial's source with indent put before every line (not after a final newline). */
static char *indent_source(const char *src, const char *indent)
{
    fa_buf b = FA_BUF_INIT;
    size_t il = strlen(indent);
    int at_line_start = 1;
    for (const char *s = src; *s; s++) {
        if (at_line_start) {
            fa_buf_add(&b, indent, il);
            at_line_start = 0;
        }
        fa_buf_addch(&b, *s);
        if (*s == '\n')
            at_line_start = 1;
    }
    return fa_buf_detach(&b, NULL);
}

static fa_status render_partial(render *r, const node *n, const char *tname)
{
    pcache *c;
    for (c = r->partials; c; c = c->next)
        if (!strcmp(c->name, n->str) && !strcmp(c->indent, n->indent))
            break;
    if (!c) {
        char *src = r->o->partial ? r->o->partial(r->o->partial_ud, n->str) : NULL;
        if (!src) {
            if (r->o->allow_missing)
                return FA_OK;
            return fa_err_set(r->err, FA_FAIL, "missing", "%s:%d:%d: partial '%s' not found",
                              tname, n->line, n->col, n->str);
        }
        if (*n->indent) {
            char *ind = indent_source(src, n->indent);
            free(src);
            src = ind;
        }
        c = fa_xcalloc(1, sizeof *c);
        c->name = fa_xstrdup(n->str);
        c->indent = fa_xstrdup(n->indent);
        c->next = r->partials;
        r->partials = c;
        parser p = { .src = src, .len = strlen(src), .name = c->name, .err = r->err };
        fa_status st = parse(&p, &c->root);
        free(src);
        if (st != FA_OK)
            return st;
    }
    if (r->depth >= MAX_PARTIAL_DEPTH)
        return fa_err_set(r->err, FA_FAIL, "template", "%s:%d:%d: partials nested deeper than %d",
                          tname, n->line, n->col, MAX_PARTIAL_DEPTH);
    r->depth++;
    fa_status st = render_nodes(r, &c->root, c->name);
    r->depth--;
    return st;
}

static fa_status render_nodes(render *r, const node *parent, const char *tname)
{
    for (size_t i = 0; i < parent->nkids; i++) {
        const node *n = &parent->kids[i];
        int found;
        json_t *v;
        fa_status st;
        switch (n->type) {
        case N_TEXT:
            fa_buf_add(r->out, n->str, n->len);
            break;
        case N_VAR:
        case N_RAW:
            v = lookup(r, n->str, &found);
            if (!found) {
                if (!r->o->allow_missing)
                    return fa_err_set(r->err, FA_FAIL, "missing",
                                      "%s:%d:%d: missing variable '%s'", tname, n->line, n->col, n->str);
                break;
            }
            emit_value(r, v, n->type == N_VAR);
            break;
        case N_SECTION:
            v = lookup(r, n->str, &found);
            if (falsey(v))
                break;
            if (json_is_array(v)) {
                size_t k;
                json_t *item;
                json_array_foreach(v, k, item) {
                    push(r, item);
                    st = render_nodes(r, n, tname);
                    r->n--;
                    if (st != FA_OK)
                        return st;
                }
            } else {
                push(r, v);
                st = render_nodes(r, n, tname);
                r->n--;
                if (st != FA_OK)
                    return st;
            }
            break;
        case N_INVERTED:
            v = lookup(r, n->str, &found);
            if (falsey(v) && (st = render_nodes(r, n, tname)) != FA_OK)
                return st;
            break;
        case N_PARTIAL:
            if ((st = render_partial(r, n, tname)) != FA_OK)
                return st;
            break;
        }
    }
    return FA_OK;
}

fa_status fa_mustache_check(const char *tmpl, size_t len, const char *name, fa_err *err)
{
    node root = { 0 };
    parser p = { .src = tmpl, .len = len, .name = name ? name : "template", .err = err };
    fa_status st = parse(&p, &root);
    node_free_kids(&root);
    return st;
}

fa_status fa_mustache_render(const char *tmpl, size_t len, json_t *data,
                             const fa_mustache_opts *opts, char **out, size_t *outlen,
                             fa_err *err)
{
    static const fa_mustache_opts defaults = { 0 };
    const fa_mustache_opts *o = opts ? opts : &defaults;
    const char *name = o->name ? o->name : "template";
    *out = NULL;
    if (outlen)
        *outlen = 0;

    node root = { 0 };
    parser p = { .src = tmpl, .len = len, .name = name, .err = err };
    fa_status st = parse(&p, &root);
    fa_buf b = FA_BUF_INIT;
    render r = { .o = o, .out = &b, .err = err };
    if (st == FA_OK) {
        push(&r, data ? data : json_null());
        st = render_nodes(&r, &root, name);
    }
    node_free_kids(&root);
    while (r.partials) {
        pcache *c = r.partials;
        r.partials = c->next;
        node_free_kids(&c->root);
        free(c->name);
        free(c->indent);
        free(c);
    }
    free(r.stack);
    if (st != FA_OK) {
        fa_buf_release(&b);
        return st;
    }
    *out = fa_buf_detach(&b, outlen);
    return FA_OK;
}
