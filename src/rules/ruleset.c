/* Rule-pack loader: checks the common fields of every rule and hands the other keys to
 * the rule's kind (detect.h), so a new kind needs no change here. Every error names the
 * offending node as file:line:column and is FA_FATAL: a scan must never run with a pack
 * that was only half understood. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/rules.h"
#include "faceaudit/sha256.h"
#include "faceaudit/yaml.h"

#ifndef FA_DATADIR
#define FA_DATADIR "/usr/local/share/faceaudit"
#endif

struct fa_ruleset {
    fa_pack     **packs;
    size_t        npacks, apacks;
    fa_rule     **rules;        /* every rule of every pack, in load order */
    size_t        nrules, arules;
    fa_sha256_ctx digest;       /* running hash over the packs' bytes */
    char          digest_hex[65];
};

fa_ruleset *fa_ruleset_new(void)
{
    fa_ruleset *rs = fa_xcalloc(1, sizeof *rs);
    fa_sha256_init(&rs->digest);
    fa_sha256_ctx c = rs->digest;
    unsigned char d[32];
    fa_sha256_final(&c, d);
    fa_sha256_tohex(d, rs->digest_hex);
    return rs;
}

static void rule_free(fa_rule *r)
{
    if (!r)
        return;
    if (r->kind && r->kind->free_rule)
        r->kind->free_rule(r);
    free(r->id);
    free(r->category);
    free(r->description);
    fa_strv_free(r->keywords);
    fa_strv_free(r->tags);
    fa_strv_free(r->ex_match);
    fa_strv_free(r->ex_no_match);
    free(r);
}

static void pack_free(fa_pack *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nrules; i++)
        rule_free(p->rules[i]);
    free(p->rules);
    free(p->id);
    free(p->version);
    free(p->description);
    free(p->file);
    free(p->dir);
    free(p);
}

void fa_ruleset_free(fa_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->npacks; i++)
        pack_free(rs->packs[i]);
    free(rs->packs);
    free(rs->rules);
    free(rs);
}

size_t   fa_ruleset_npacks(const fa_ruleset *rs)          { return rs->npacks; }
fa_pack *fa_ruleset_pack(const fa_ruleset *rs, size_t i)  { return i < rs->npacks ? rs->packs[i] : NULL; }
size_t   fa_ruleset_nrules(const fa_ruleset *rs)          { return rs->nrules; }
fa_rule *fa_ruleset_rule(const fa_ruleset *rs, size_t i)  { return i < rs->nrules ? rs->rules[i] : NULL; }
const char *fa_ruleset_digest(const fa_ruleset *rs)       { return rs->digest_hex; }

fa_rule *fa_ruleset_find(const fa_ruleset *rs, const char *id)
{
    for (size_t i = 0; i < rs->nrules; i++)
        if (!strcmp(rs->rules[i]->id, id))
            return rs->rules[i];
    return NULL;
}

/* --- field checks --- */

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int valid_category(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return 0;
    return 1;
}

/* Own table rather than fa_severity_parse(): "none" is a --fail-on value, not a severity. */
static int parse_severity(const char *s, fa_severity *out)
{
    static const char *const names[] = { "info", "low", "medium", "high", "critical" };
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i])) {
            *out = (fa_severity)i;
            return 0;
        }
    return -1;
}

/* YAML leaves duplicate keys to the application; a repeated key would silently override. */
static fa_status check_keys(const fa_ynode *map, fa_err *err)
{
    size_t n = fa_ynode_len(map);
    for (size_t i = 0; i < n; i++) {
        fa_ynode k = fa_ynode_key(map, i);
        const char *ks = fa_ynode_scalar(&k);
        if (!ks)
            return fa_ynode_error(&k, err, "keys must be strings");
        for (size_t j = 0; j < i; j++) {
            fa_ynode p = fa_ynode_key(map, j);
            if (!strcmp(fa_ynode_scalar(&p), ks))
                return fa_ynode_error(&k, err, "duplicate key '%s' (first at line %ld)", ks,
                                      fa_ynode_line(&p));
        }
    }
    return FA_OK;
}

static fa_status nonempty_str(const fa_ynode *v, const char *what, char **out, fa_err *err)
{
    const char *s;
    if (fa_ynode_str(v, what, &s, err) != FA_OK)
        return FA_FAIL;
    if (!*s)
        return fa_ynode_error(v, err, "%s must not be empty", what);
    free(*out);
    *out = fa_xstrdup(s);
    return FA_OK;
}

static fa_status str_list(const fa_ynode *v, const char *what, int allow_empty_items,
                          char ***out, size_t *n, fa_err *err)
{
    if (fa_ynode_is_seq(v))
        for (size_t i = 0; i < fa_ynode_len(v); i++) {
            fa_ynode it = fa_ynode_item(v, i);
            const char *s = fa_ynode_scalar(&it);
            if (!s)
                return fa_ynode_error(&it, err, "%s must be a list of strings", what);
            if (!allow_empty_items && !*s)
                return fa_ynode_error(&it, err, "%s must not contain empty strings", what);
        }
    else if (!fa_ynode_is_scalar(v))
        return fa_ynode_error(v, err, "%s must be a list of strings", what);
    fa_strv_free(*out);
    *out = NULL;
    return fa_ynode_strv(v, what, out, n, err);
}

static fa_status parse_examples(fa_rule *r, const fa_ynode *v, fa_err *err)
{
    if (!fa_ynode_is_map(v))
        return fa_ynode_error(v, err, "examples must be a mapping with match and no_match lists");
    if (check_keys(v, err) != FA_OK)
        return FA_FAIL;
    for (size_t i = 0; i < fa_ynode_len(v); i++) {
        fa_ynode k = fa_ynode_key(v, i), val = fa_ynode_value(v, i);
        const char *ks = fa_ynode_scalar(&k);
        fa_status st;
        if (!strcmp(ks, "match"))
            st = str_list(&val, "examples.match", 1, &r->ex_match, &r->nex_match, err);
        else if (!strcmp(ks, "no_match"))
            st = str_list(&val, "examples.no_match", 1, &r->ex_no_match, &r->nex_no_match, err);
        else
            st = fa_ynode_error(&k, err, "unknown key '%s' in examples (expected match or no_match)", ks);
        if (st != FA_OK)
            return FA_FAIL;
    }
    return FA_OK;
}

static const char *const common_keys[] = {
    "id", "kind", "category", "severity", "confidence", "description", "keywords", "tags",
    "examples", NULL,
};

static int is_common_key(const char *k)
{
    for (size_t i = 0; common_keys[i]; i++)
        if (!strcmp(common_keys[i], k))
            return 1;
    return 0;
}

static fa_status common_key(fa_rule *r, const char *k, const fa_ynode *v, fa_err *err)
{
    if (!strcmp(k, "id")) {
        if (nonempty_str(v, "id", &r->id, err) != FA_OK)
            return FA_FAIL;
        if (!valid_id(r->id))
            return fa_ynode_error(v, err, "rule id '%s' must match [a-z0-9._-]+", r->id);
    } else if (!strcmp(k, "kind")) {
        const char *s;
        if (fa_ynode_str(v, "kind", &s, err) != FA_OK)
            return FA_FAIL;
        r->kind = fa_kind_lookup(s);
        if (!r->kind) {
            fa_buf known = FA_BUF_INIT;
            for (size_t i = 0; i < fa_kind_count(); i++)
                fa_buf_addf(&known, "%s%s", i ? ", " : "", fa_kind_at(i)->name);
            fa_ynode_error(v, err, "unknown kind '%s' (known: %s)", s, known.buf);
            fa_buf_release(&known);
            return FA_FAIL;
        }
    } else if (!strcmp(k, "category")) {
        if (nonempty_str(v, "category", &r->category, err) != FA_OK)
            return FA_FAIL;
        if (!valid_category(r->category))
            return fa_ynode_error(v, err, "category '%s' must match [a-z_]+", r->category);
    } else if (!strcmp(k, "severity")) {
        const char *s;
        if (fa_ynode_str(v, "severity", &s, err) != FA_OK)
            return FA_FAIL;
        if (parse_severity(s, &r->severity) != 0)
            return fa_ynode_error(v, err, "unknown severity '%s' (expected info, low, medium, high or critical)", s);
    } else if (!strcmp(k, "confidence")) {
        double d;
        if (fa_ynode_double(v, "confidence", &d, err) != FA_OK || d < 0 || d > 1)
            return fa_ynode_error(v, err, "confidence must be a number from 0 to 1");
        r->confidence = d;
    } else if (!strcmp(k, "description")) {
        return nonempty_str(v, "description", &r->description, err);
    } else if (!strcmp(k, "keywords")) {
        return str_list(v, "keywords", 0, &r->keywords, &r->nkeywords, err);
    } else if (!strcmp(k, "tags")) {
        return str_list(v, "tags", 0, &r->tags, &r->ntags, err);
    } else if (!strcmp(k, "examples")) {
        return parse_examples(r, v, err);
    }
    return FA_OK;
}

/* The kind's finish_rule message has no position: prefix the rule's, unless the kind
 * already gave one (it used fa_ynode_error on a node it kept). */
static fa_status prefix_rule_pos(const fa_pack *p, const fa_rule *r, fa_err *err)
{
    size_t fl = strlen(p->file);
    if (strncmp(err->msg, p->file, fl) != 0 || err->msg[fl] != ':') {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        fa_err_set(err, FA_FAIL, err->code[0] ? err->code : "syntax", "%s:%ld:%ld: rule '%s': %s",
                   p->file, r->line, r->column, r->id, msg);
    }
    return FA_FAIL;
}

static fa_status parse_rule(fa_pack *p, const fa_ynode *n, fa_rule **out, fa_err *err)
{
    if (!fa_ynode_is_map(n))
        return fa_ynode_error(n, err, "each rule must be a mapping");
    if (check_keys(n, err) != FA_OK)
        return FA_FAIL;
    fa_rule *r = fa_xcalloc(1, sizeof *r);
    r->confidence = 0.5;
    r->enabled = 1;
    r->pack = p;
    r->line = fa_ynode_line(n);
    r->column = fa_ynode_column(n);
    r->severity = FA_SEV_NONE;
    *out = r;

    /* Pass 1: the common keys, so the kind is known (and id/category set) before its
     * own keys are handed to it, whatever order the author wrote them in. */
    size_t npairs = fa_ynode_len(n);
    for (size_t i = 0; i < npairs; i++) {
        fa_ynode k = fa_ynode_key(n, i), v = fa_ynode_value(n, i);
        const char *ks = fa_ynode_scalar(&k);
        if (is_common_key(ks) && common_key(r, ks, &v, err) != FA_OK)
            return FA_FAIL;
    }
    static const char *const required[] = { "id", "kind", "category", "severity", "description", "examples" };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        fa_ynode v = fa_ynode_get(n, required[i]);
        if (!v.node) {
            if (r->id)
                return fa_ynode_error(n, err, "rule '%s': missing required key '%s'", r->id, required[i]);
            return fa_ynode_error(n, err, "rule: missing required key '%s'", required[i]);
        }
    }
    /* Pass 2: everything else belongs to the kind. */
    for (size_t i = 0; i < npairs; i++) {
        fa_ynode k = fa_ynode_key(n, i), v = fa_ynode_value(n, i);
        const char *ks = fa_ynode_scalar(&k);
        if (is_common_key(ks))
            continue;
        fa_status st = r->kind->parse_key ? r->kind->parse_key(r, ks, &v, err) : FA_WARN;
        if (st == FA_WARN)
            return fa_ynode_error(&k, err, "unknown key '%s' for a rule of kind '%s'", ks, r->kind->name);
        if (st != FA_OK)
            return FA_FAIL;
    }
    if (r->kind->finish_rule) {
        fa_err_clear(err);
        if (r->kind->finish_rule(r, err) < FA_WARN)
            return prefix_rule_pos(p, r, err);
    }
    return FA_OK;
}

static fa_rule *find_in(fa_rule *const *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i]->id, id))
            return v[i];
    return NULL;
}

static fa_status parse_pack(fa_ruleset *rs, fa_pack *p, fa_ydoc *doc, fa_err *err)
{
    fa_ynode root = fa_ydoc_root(doc);
    if (!root.node)
        return fa_err_set(err, FA_FAIL, "syntax", "%s:1:1: empty rule pack", p->file);
    if (!fa_ynode_is_map(&root))
        return fa_ynode_error(&root, err, "a rule pack must be a mapping with id, version and rules");
    if (check_keys(&root, err) != FA_OK)
        return FA_FAIL;
    fa_ynode rules = { 0 };
    for (size_t i = 0; i < fa_ynode_len(&root); i++) {
        fa_ynode k = fa_ynode_key(&root, i), v = fa_ynode_value(&root, i);
        const char *ks = fa_ynode_scalar(&k);
        fa_status st = FA_OK;
        if (!strcmp(ks, "id")) {
            st = nonempty_str(&v, "id", &p->id, err);
            if (st == FA_OK && !valid_id(p->id))
                st = fa_ynode_error(&v, err, "pack id '%s' must match [a-z0-9._-]+", p->id);
        } else if (!strcmp(ks, "version")) {
            st = nonempty_str(&v, "version", &p->version, err);
        } else if (!strcmp(ks, "description")) {
            st = nonempty_str(&v, "description", &p->description, err);
        } else if (!strcmp(ks, "rules")) {
            rules = v;
        } else {
            st = fa_ynode_error(&k, err, "unknown key '%s' (a pack has id, version, description, rules)", ks);
        }
        if (st != FA_OK)
            return FA_FAIL;
    }
    static const char *const required[] = { "id", "version", "rules" };
    for (size_t i = 0; i < 3; i++)
        if (!fa_ynode_get(&root, required[i]).node)
            return fa_ynode_error(&root, err, "missing required key '%s'", required[i]);
    if (!fa_ynode_is_seq(&rules))
        return fa_ynode_error(&rules, err, "rules must be a list of rules");
    for (size_t i = 0; i < rs->npacks; i++)
        if (!strcmp(rs->packs[i]->id, p->id)) {
            fa_ynode v = fa_ynode_get(&root, "id");
            return fa_ynode_error(&v, err, "duplicate pack id '%s' (also in %s)", p->id, rs->packs[i]->file);
        }

    size_t n = fa_ynode_len(&rules), alloc = 0;
    for (size_t i = 0; i < n; i++) {
        fa_ynode rn = fa_ynode_item(&rules, i);
        fa_rule *r = NULL;
        fa_status st = parse_rule(p, &rn, &r, err);
        if (st == FA_OK) {
            const fa_rule *dup = find_in(p->rules, p->nrules, r->id);
            if (!dup)
                dup = find_in(rs->rules, rs->nrules, r->id);
            if (dup) {
                fa_ynode idn = fa_ynode_get(&rn, "id");
                st = fa_ynode_error(&idn, err, "duplicate rule id '%s' (first at %s:%ld:%ld)", r->id,
                                    dup->pack->file, dup->line, dup->column);
            }
        }
        if (st != FA_OK) {
            rule_free(r);
            return FA_FAIL;
        }
        FA_GROW(p->rules, p->nrules + 1, alloc);
        p->rules[p->nrules++] = r;
    }
    return FA_OK;
}

static char *dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash)
        return fa_xstrdup(".");
    if (slash == file)
        return fa_xstrdup("/");
    return fa_xstrndup(file, (size_t)(slash - file));
}

fa_status fa_ruleset_load_mem(fa_ruleset *rs, const char *name, const char *data, size_t len, fa_err *err)
{
    fa_err_clear(err);
    fa_ydoc *doc = fa_ydoc_load(name, data, len, err);
    if (!doc) {
        err->status = FA_FATAL;
        return FA_FATAL;
    }
    fa_pack *p = fa_xcalloc(1, sizeof *p);
    p->file = fa_xstrdup(name);
    p->dir = dir_of(name);
    fa_status st = parse_pack(rs, p, doc, err);
    fa_ydoc_free(doc);
    if (st != FA_OK) {
        pack_free(p);
        err->status = FA_FATAL;
        if (!strcmp(err->code, "syntax") || !err->code[0])
            snprintf(err->code, sizeof err->code, "rule_syntax");
        return FA_FATAL;
    }
    FA_GROW(rs->packs, rs->npacks + 1, rs->apacks);
    rs->packs[rs->npacks++] = p;
    FA_GROW(rs->rules, rs->nrules + p->nrules, rs->arules);
    for (size_t i = 0; i < p->nrules; i++)
        rs->rules[rs->nrules++] = p->rules[i];
    /* The digest covers the exact bytes, so any edit to any pack changes it. */
    fa_sha256_update(&rs->digest, data, len);
    fa_sha256_ctx c = rs->digest;
    unsigned char d[32];
    fa_sha256_final(&c, d);
    fa_sha256_tohex(d, rs->digest_hex);
    return FA_OK;
}

static fa_status load_file(fa_ruleset *rs, const char *file, fa_err *err)
{
    fa_buf b = FA_BUF_INIT;
    if (fa_buf_read_file(&b, file, 0, err) < 0) {
        fa_buf_release(&b);
        err->status = FA_FATAL;
        return FA_FATAL;
    }
    fa_status st = fa_ruleset_load_mem(rs, file, b.buf, b.len, err);
    fa_buf_release(&b);
    return st;
}

static int is_pack_name(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0;
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

fa_status fa_ruleset_pack_files(const char *path, char ***files, fa_err *err)
{
    fa_err_clear(err);
    *files = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return fa_err_set(err, FA_FATAL, "unreadable", "%s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, alloc = 0;
    if (!S_ISDIR(sb.st_mode)) {
        names = fa_xcalloc(2, sizeof *names);
        names[0] = fa_xstrdup(path);
        *files = names;
        return FA_OK;
    }
    DIR *d = opendir(path);
    if (!d)
        return fa_err_set(err, FA_FATAL, "unreadable", "%s: %s", path, strerror(errno));
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_pack_name(de->d_name))
            continue;
        char *full = fa_xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
        if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            free(full);
            continue;
        }
        FA_GROW(names, n + 1, alloc);
        names[n++] = full;
    }
    closedir(d);
    if (n == 0) {
        free(names);
        return fa_err_set(err, FA_FATAL, "no_rules", "%s: no rule packs (*.yaml, *.yml) in this folder", path);
    }
    /* Sorted, so the digest and the rule order do not depend on readdir order. */
    qsort(names, n, sizeof *names, cmp_str);
    FA_GROW(names, n + 1, alloc);
    names[n] = NULL;
    *files = names;
    return FA_OK;
}

fa_status fa_ruleset_load(fa_ruleset *rs, const char *path, fa_err *err)
{
    char **files;
    fa_status st = fa_ruleset_pack_files(path, &files, err);
    for (size_t i = 0; st == FA_OK && files[i]; i++)
        st = load_file(rs, files[i], err);
    fa_strv_free(files);
    return st;
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* <dir of the binary>/../rules: a checkout's build/faceaudit finds ./rules. */
static char *beside_binary(const char *bin)
{
    char *dir = dir_of(bin);
    char *cand = fa_xasprintf("%s/../rules", dir);
    free(dir);
    if (is_dir(cand))
        return cand;
    free(cand);
    return NULL;
}

char *fa_rules_default_path(const char *argv0)
{
    const char *env = getenv("FACEAUDIT_RULES");
    if (env && *env)
        return fa_xstrdup(env);   /* even if missing: loading it then says why */
    if (is_dir(FA_DATADIR "/rules"))
        return fa_xstrdup(FA_DATADIR "/rules");
    char *r = NULL;
    if (argv0 && strchr(argv0, '/'))
        r = beside_binary(argv0);
    if (!r) {
        /* Found through $PATH or via a symlink: ask the kernel where the binary is. */
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            r = beside_binary(exe);
        }
    }
    return r;
}
