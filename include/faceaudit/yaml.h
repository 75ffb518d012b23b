/* fa_ynode: read-only view of a libyaml document node, with its source position,
 * so every loader (rule packs, policies, config) reports file:line:column. */
#ifndef FACEAUDIT_YAML_H
#define FACEAUDIT_YAML_H
#include <stddef.h>
#include <yaml.h>
#include "faceaudit/err.h"

typedef struct fa_ynode {
    yaml_document_t *doc;
    yaml_node_t     *node;    /* NULL for "absent" */
    const char      *file;    /* borrowed */
} fa_ynode;

typedef struct fa_ydoc fa_ydoc;   /* opaque: a loaded document and its file name */

/* Loads a YAML file (or `len` bytes of `data` when data != NULL; file is then just the name
 * used in messages). On syntax errors returns NULL with "file:line:col: message" in err. */
fa_ydoc  *fa_ydoc_load(const char *file, const char *data, size_t len, fa_err *err);
fa_ynode  fa_ydoc_root(fa_ydoc *d);
void      fa_ydoc_free(fa_ydoc *d);

int         fa_ynode_is_scalar(const fa_ynode *n);
int         fa_ynode_is_seq(const fa_ynode *n);
int         fa_ynode_is_map(const fa_ynode *n);
const char *fa_ynode_scalar(const fa_ynode *n);         /* NULL unless scalar; borrowed */
size_t      fa_ynode_len(const fa_ynode *n);            /* items of a sequence or pairs of a mapping */
fa_ynode    fa_ynode_item(const fa_ynode *n, size_t i); /* sequence item */
fa_ynode    fa_ynode_key(const fa_ynode *n, size_t i);  /* mapping key i */
fa_ynode    fa_ynode_value(const fa_ynode *n, size_t i);/* mapping value i */
fa_ynode    fa_ynode_get(const fa_ynode *n, const char *key); /* .node == NULL if absent */
long        fa_ynode_line(const fa_ynode *n);           /* 1-based */
long        fa_ynode_column(const fa_ynode *n);         /* 1-based */

/* Typed readers: FA_OK, or FA_FAIL with "file:line:col: <what> must be ..." in err. */
fa_status fa_ynode_str(const fa_ynode *n, const char *what, const char **out, fa_err *err);
fa_status fa_ynode_int(const fa_ynode *n, const char *what, long long *out, fa_err *err);
fa_status fa_ynode_double(const fa_ynode *n, const char *what, double *out, fa_err *err);
fa_status fa_ynode_bool(const fa_ynode *n, const char *what, int *out, fa_err *err);
/* A scalar or a sequence of scalars -> newly allocated NULL-terminated array (free with fa_strv_free). */
fa_status fa_ynode_strv(const fa_ynode *n, const char *what, char ***out, size_t *count, fa_err *err);
void      fa_strv_free(char **v);
/* Formats "file:line:col: message" into err (code "syntax"); returns FA_FAIL. */
fa_status fa_ynode_error(const fa_ynode *n, fa_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif
