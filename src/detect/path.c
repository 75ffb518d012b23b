/* Rule kind `path`: a glob (with **) or a PCRE2 pattern over the object's path below
 * the scan target (archive members joined with '!'), or over its last component only.
 * It never reads content, so it also covers objects too large or too odd to decode. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/pathmatch.h"

typedef struct path_rule {
    char       *glob;
    char       *pattern;
    pcre2_code *re;
    int         on_name;    /* match_on: name */
} path_rule;

static path_rule *pr_of(fa_rule *r)
{
    if (!r->kdata)
        r->kdata = fa_xcalloc(1, sizeof(path_rule));
    return r->kdata;
}

static fa_status path_parse_key(fa_rule *rule, const char *key, const fa_ynode *v, fa_err *err)
{
    path_rule *pr = pr_of(rule);
    const char *s;
    if (!strcmp(key, "glob")) {
        if (fa_ynode_str(v, "glob", &s, err) != FA_OK)
            return FA_FAIL;
        if (!*s || !fa_glob_valid(s))
            return fa_ynode_error(v, err, "glob '%s' is not a valid glob", s);
        free(pr->glob);
        pr->glob = fa_xstrdup(s);
    } else if (!strcmp(key, "pattern")) {
        if (fa_ynode_str(v, "pattern", &s, err) != FA_OK)
            return FA_FAIL;
        int ec;
        PCRE2_SIZE off;
        /* Compiled here, not in finish_rule, so a bad regex is reported at its own node. */
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
        if (!re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(ec, msg, sizeof msg);
            return fa_ynode_error(v, err, "pattern: %s at offset %zu", (const char *)msg, (size_t)off);
        }
        pcre2_code_free(pr->re);
        free(pr->pattern);
        pr->re = re;
        pr->pattern = fa_xstrdup(s);
    } else if (!strcmp(key, "match_on")) {
        if (fa_ynode_str(v, "match_on", &s, err) != FA_OK)
            return FA_FAIL;
        if (!strcmp(s, "path"))
            pr->on_name = 0;
        else if (!strcmp(s, "name"))
            pr->on_name = 1;
        else
            return fa_ynode_error(v, err, "match_on must be path or name, not '%s'", s);
    } else {
        return FA_WARN;
    }
    return FA_OK;
}

static fa_status path_finish_rule(fa_rule *rule, fa_err *err)
{
    path_rule *pr = pr_of(rule);
    if (!pr->glob == !pr->re)
        return fa_err_set(err, FA_FAIL, "syntax", "a path rule needs exactly one of glob or pattern");
    return FA_OK;
}

static void path_free_rule(fa_rule *rule)
{
    path_rule *pr = rule->kdata;
    if (!pr)
        return;
    pcre2_code_free(pr->re);
    free(pr->glob);
    free(pr->pattern);
    free(pr);
    rule->kdata = NULL;
}

typedef struct path_prep {
    fa_rule **rules;
    size_t    n;
} path_prep;

static void *path_prepare(fa_rule *const *rules, size_t n, fa_err *err)
{
    (void)err;
    path_prep *p = fa_xcalloc(1, sizeof *p);
    if (n) {
        p->rules = fa_xcalloc(n, sizeof *p->rules);
        memcpy(p->rules, rules, n * sizeof *rules);
    }
    p->n = n;
    return p;
}

static void path_release(void *prep)
{
    path_prep *p = prep;
    if (!p)
        return;
    free(p->rules);
    free(p);
}

static unsigned path_wants(void *prep, const fa_object *obj)
{
    (void)obj;
    const path_prep *p = prep;
    return p && p->n ? FA_IN_PATH : FA_IN_NONE;
}

/* The path below the target: location.path without the target prefix (the whole path
 * when the target is the object itself), then "!member" for each archive level. */
static void subject_path(const fa_location *loc, fa_buf *out)
{
    const char *path = loc->path ? loc->path : "";
    const char *t = loc->target;
    size_t tl = t ? strlen(t) : 0;
    const char *rel = path;
    if (tl && !strncmp(path, t, tl)) {
        if (path[tl] == '/')
            rel = path + tl + 1;
        else if (tl && t[tl - 1] == '/' && path[tl])
            rel = path + tl;
    }
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    fa_buf_adds(out, rel);
    for (size_t i = 0; i < loc->nmembers; i++) {
        if (out->len)
            fa_buf_addch(out, '!');
        fa_buf_adds(out, loc->members[i]);
    }
}

static void subject_name(const fa_location *loc, const char *name, fa_buf *out)
{
    const char *s = NULL;
    if (loc->nmembers)
        s = loc->members[loc->nmembers - 1];
    else if (name && *name)
        s = name;
    else
        s = loc->path ? loc->path : "";
    /* A member name may itself carry folders ("dir/x.jpg"): keep the last component. */
    const char *slash = strrchr(s, '/');
    if (slash && slash[1])
        s = slash + 1;
    fa_buf_adds(out, s);
}

/* "path matches <the rule's description, first sentence>": the message names what
 * the layout is, never the path's own characters (they are in location already). */
static void describe(const fa_rule *r, fa_buf *out)
{
    const char *d = r->description ? r->description : r->id;
    size_t n = strcspn(d, "\n");
    const char *dot = strstr(d, ". ");
    if (dot && (size_t)(dot - d) < n)
        n = (size_t)(dot - d);
    while (n && (d[n - 1] == '.' || d[n - 1] == ' '))
        n--;
    fa_buf_add(out, d, n);
    /* Lowercase a leading capital of an ordinary word ("The LFW" -> "the LFW", "LFW" stays). */
    if (out->len > 1 && isupper((unsigned char)out->buf[0]) && islower((unsigned char)out->buf[1]))
        out->buf[0] = (char)tolower((unsigned char)out->buf[0]);
}

static fa_status path_scan_path(void *prep, fa_ctx *ctx, const fa_object *obj)
{
    path_prep *p = prep;
    if (!p || !p->n || !obj->loc)
        return FA_OK;
    fa_buf full = FA_BUF_INIT, name = FA_BUF_INIT;
    subject_path(obj->loc, &full);
    subject_name(obj->loc, obj->name, &name);
    pcre2_match_data *md = NULL;
    for (size_t i = 0; i < p->n; i++) {
        const fa_rule *r = p->rules[i];
        const path_rule *pr = r->kdata;
        if (!pr)
            continue;
        const fa_buf *subj = pr->on_name ? &name : &full;
        int hit;
        if (pr->glob) {
            hit = fa_glob_match(pr->glob, subj->buf);
        } else {
            if (!md)
                md = pcre2_match_data_create(1, NULL);
            hit = pcre2_match(pr->re, (PCRE2_SPTR)subj->buf, subj->len, 0, 0, md, NULL) >= 0;
        }
        if (!hit)
            continue;
        fa_buf what = FA_BUF_INIT;
        describe(r, &what);
        json_t *ev = json_pack("{s:s}", "match_on", pr->on_name ? "name" : "path");
        fa_ctx_report(ctx, r, obj->loc, r->confidence, subj->buf, subj->len, ev,
                      "path matches %s", what.buf);
        fa_buf_release(&what);
    }
    if (md)
        pcre2_match_data_free(md);
    fa_buf_release(&full);
    fa_buf_release(&name);
    return FA_OK;
}

const fa_kind fa_kind_path = {
    .name = "path",
    .summary = "glob or PCRE2 pattern over the path or file name (no content read)",
    .example_mode = FA_EX_PATH,
    .parse_key = path_parse_key,
    .finish_rule = path_finish_rule,
    .free_rule = path_free_rule,
    .prepare = path_prepare,
    .release = path_release,
    .wants = path_wants,
    .scan_path = path_scan_path,
};
