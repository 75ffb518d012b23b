/* fa_ydoc / fa_ynode over libyaml's document API (yaml_parser_load): the whole document
 * is composed once, then loaders walk it with positions for every node, so each message
 * can say file:line:column. Aliases are resolved by libyaml into shared nodes; loaders only
 * descend a fixed schema depth, so alias cycles cannot make them loop. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "faceaudit/buf.h"
#include "faceaudit/yaml.h"

/* Rule packs and policies are small; refusing huge files keeps a stray path from
 * making the loader read gigabytes. */
#define FA_YAML_MAX_BYTES (16u << 20)

struct fa_ydoc {
    yaml_document_t doc;
    char           *file;
};

static fa_status read_file(const char *file, char **out, size_t *len, fa_err *err)
{
    fa_buf b = FA_BUF_INIT;
    if (fa_buf_read_file(&b, file, FA_YAML_MAX_BYTES, err) < 0) {
        fa_buf_release(&b);
        return FA_FAIL;
    }
    *out = fa_buf_detach(&b, len);
    return FA_OK;
}

/* libyaml reports reader errors (bad UTF-8, control characters) by byte offset only. */
static void offset_to_mark(const char *data, size_t len, size_t off, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (data[i] == '\n') { (*line)++; *col = 1; }
        else (*col)++;
    }
}

static void parser_error(yaml_parser_t *p, const char *file, const char *data, size_t len, fa_err *err)
{
    long line = (long)p->problem_mark.line + 1, col = (long)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR)
        offset_to_mark(data, len, p->problem_offset, &line, &col);
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->context)
        fa_err_set(err, FA_FAIL, "syntax", "%s:%ld:%ld: %s %s", file, line, col, problem, p->context);
    else
        fa_err_set(err, FA_FAIL, "syntax", "%s:%ld:%ld: %s", file, line, col, problem);
}

fa_ydoc *fa_ydoc_load(const char *file, const char *data, size_t len, fa_err *err)
{
    char *owned = NULL;
    if (!data) {
        if (read_file(file, &owned, &len, err) != FA_OK)
            return NULL;
        data = owned;
    } else if (len > FA_YAML_MAX_BYTES) {
        fa_err_set(err, FA_FAIL, "too_large", "%s: larger than %u bytes", file, FA_YAML_MAX_BYTES);
        return NULL;
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        free(owned);
        fa_err_set(err, FA_FAIL, "nomem", "%s: cannot initialise the YAML parser", file);
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    fa_ydoc *d = fa_xcalloc(1, sizeof *d);
    if (!yaml_parser_load(&p, &d->doc)) {
        parser_error(&p, file, data, len, err);
        yaml_parser_delete(&p);
        free(owned);
        free(d);
        return NULL;
    }
    /* A second document would be silently ignored: say so instead. */
    if (yaml_document_get_root_node(&d->doc)) {
        yaml_document_t extra;
        if (!yaml_parser_load(&p, &extra)) {
            parser_error(&p, file, data, len, err);
            yaml_parser_delete(&p);
            yaml_document_delete(&d->doc);
            free(owned);
            free(d);
            return NULL;
        }
        yaml_node_t *r = yaml_document_get_root_node(&extra);
        if (r) {
            fa_err_set(err, FA_FAIL, "syntax", "%s:%ld:%ld: only one YAML document is allowed",
                       file, (long)r->start_mark.line + 1, (long)r->start_mark.column + 1);
            yaml_document_delete(&extra);
            yaml_parser_delete(&p);
            yaml_document_delete(&d->doc);
            free(owned);
            free(d);
            return NULL;
        }
        yaml_document_delete(&extra);
    }
    yaml_parser_delete(&p);
    free(owned);
    d->file = fa_xstrdup(file);
    return d;
}

fa_ynode fa_ydoc_root(fa_ydoc *d)
{
    fa_ynode n = { &d->doc, yaml_document_get_root_node(&d->doc), d->file };
    return n;
}

void fa_ydoc_free(fa_ydoc *d)
{
    if (!d)
        return;
    yaml_document_delete(&d->doc);
    free(d->file);
    free(d);
}

int fa_ynode_is_scalar(const fa_ynode *n) { return n->node && n->node->type == YAML_SCALAR_NODE; }
int fa_ynode_is_seq(const fa_ynode *n)    { return n->node && n->node->type == YAML_SEQUENCE_NODE; }
int fa_ynode_is_map(const fa_ynode *n)    { return n->node && n->node->type == YAML_MAPPING_NODE; }

const char *fa_ynode_scalar(const fa_ynode *n)
{
    return fa_ynode_is_scalar(n) ? (const char *)n->node->data.scalar.value : NULL;
}

size_t fa_ynode_len(const fa_ynode *n)
{
    if (fa_ynode_is_seq(n))
        return (size_t)(n->node->data.sequence.items.top - n->node->data.sequence.items.start);
    if (fa_ynode_is_map(n))
        return (size_t)(n->node->data.mapping.pairs.top - n->node->data.mapping.pairs.start);
    return 0;
}

static fa_ynode wrap(const fa_ynode *parent, int id)
{
    fa_ynode r = { parent->doc, yaml_document_get_node(parent->doc, id), parent->file };
    return r;
}

static fa_ynode absent(const fa_ynode *parent)
{
    fa_ynode r = { parent->doc, NULL, parent->file };
    return r;
}

fa_ynode fa_ynode_item(const fa_ynode *n, size_t i)
{
    if (!fa_ynode_is_seq(n) || i >= fa_ynode_len(n))
        return absent(n);
    return wrap(n, n->node->data.sequence.items.start[i]);
}

fa_ynode fa_ynode_key(const fa_ynode *n, size_t i)
{
    if (!fa_ynode_is_map(n) || i >= fa_ynode_len(n))
        return absent(n);
    return wrap(n, n->node->data.mapping.pairs.start[i].key);
}

fa_ynode fa_ynode_value(const fa_ynode *n, size_t i)
{
    if (!fa_ynode_is_map(n) || i >= fa_ynode_len(n))
        return absent(n);
    return wrap(n, n->node->data.mapping.pairs.start[i].value);
}

fa_ynode fa_ynode_get(const fa_ynode *n, const char *key)
{
    size_t len = fa_ynode_len(n);
    if (fa_ynode_is_map(n))
        for (size_t i = 0; i < len; i++) {
            fa_ynode k = fa_ynode_key(n, i);
            const char *s = fa_ynode_scalar(&k);
            if (s && !strcmp(s, key))
                return fa_ynode_value(n, i);
        }
    return absent(n);
}

long fa_ynode_line(const fa_ynode *n)   { return n->node ? (long)n->node->start_mark.line + 1 : 0; }
long fa_ynode_column(const fa_ynode *n) { return n->node ? (long)n->node->start_mark.column + 1 : 0; }

fa_status fa_ynode_error(const fa_ynode *n, fa_err *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* An absent node has no position of its own: name just the file. */
    if (n->node)
        return fa_err_set(err, FA_FAIL, "syntax", "%s:%ld:%ld: %s", n->file ? n->file : "-",
                          fa_ynode_line(n), fa_ynode_column(n), msg);
    return fa_err_set(err, FA_FAIL, "syntax", "%s: %s", n->file ? n->file : "-", msg);
}

fa_status fa_ynode_str(const fa_ynode *n, const char *what, const char **out, fa_err *err)
{
    const char *s = fa_ynode_scalar(n);
    if (!s)
        return fa_ynode_error(n, err, "%s must be a string", what);
    *out = s;
    return FA_OK;
}

fa_status fa_ynode_int(const fa_ynode *n, const char *what, long long *out, fa_err *err)
{
    const char *s = fa_ynode_scalar(n);
    char *end;
    if (!s || !*s)
        return fa_ynode_error(n, err, "%s must be an integer", what);
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (*end || errno)
        return fa_ynode_error(n, err, "%s must be an integer", what);
    *out = v;
    return FA_OK;
}

fa_status fa_ynode_double(const fa_ynode *n, const char *what, double *out, fa_err *err)
{
    const char *s = fa_ynode_scalar(n);
    char *end;
    if (!s || !*s)
        return fa_ynode_error(n, err, "%s must be a number", what);
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return fa_ynode_error(n, err, "%s must be a number", what);
    *out = v;
    return FA_OK;
}

fa_status fa_ynode_bool(const fa_ynode *n, const char *what, int *out, fa_err *err)
{
    static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
    const char *s = fa_ynode_scalar(n);
    if (s)
        for (size_t i = 0; i < 3; i++) {
            if (!strcasecmp(s, yes[i])) { *out = 1; return FA_OK; }
            if (!strcasecmp(s, no[i]))  { *out = 0; return FA_OK; }
        }
    return fa_ynode_error(n, err, "%s must be true or false", what);
}

fa_status fa_ynode_strv(const fa_ynode *n, const char *what, char ***out, size_t *count, fa_err *err)
{
    char **v;
    size_t cnt;
    if (fa_ynode_is_scalar(n)) {
        cnt = 1;
        v = fa_xcalloc(2, sizeof *v);
        v[0] = fa_xstrdup(fa_ynode_scalar(n));
    } else if (fa_ynode_is_seq(n)) {
        cnt = fa_ynode_len(n);
        v = fa_xcalloc(cnt + 1, sizeof *v);
        for (size_t i = 0; i < cnt; i++) {
            fa_ynode it = fa_ynode_item(n, i);
            const char *s = fa_ynode_scalar(&it);
            if (!s) {
                fa_strv_free(v);
                return fa_ynode_error(&it, err, "%s must be a list of strings", what);
            }
            v[i] = fa_xstrdup(s);
        }
    } else {
        return fa_ynode_error(n, err, "%s must be a string or a list of strings", what);
    }
    *out = v;
    if (count)
        *count = cnt;
    return FA_OK;
}

void fa_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}
