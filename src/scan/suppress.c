/* Baselines, fingerprints and gitignore-style path patterns. Patterns are translated to
 * PCRE2 once at load time; fingerprints live in a sorted array searched with bsearch. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/suppress.h"

typedef struct ign_pattern {
    pcre2_code *re;
    int         negate;
    int         dir_only;
} ign_pattern;

struct fa_suppress {
    char       **fps;      /* 64-hex fingerprints, sorted once lookups start */
    size_t       nfps, afps;
    int          sorted;
    ign_pattern *pats;
    size_t       npats, apats;
    pcre2_match_data *md;
};

fa_suppress *fa_suppress_new(void)
{
    return fa_xcalloc(1, sizeof(fa_suppress));
}

void fa_suppress_free(fa_suppress *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfps; i++)
        free(s->fps[i]);
    free(s->fps);
    for (size_t i = 0; i < s->npats; i++)
        pcre2_code_free(s->pats[i].re);
    free(s->pats);
    if (s->md)
        pcre2_match_data_free(s->md);
    free(s);
}

static void add_fp(fa_suppress *s, const char *hex)
{
    FA_GROW(s->fps, s->nfps + 1, s->afps);
    s->fps[s->nfps++] = fa_xstrdup(hex);
    s->sorted = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_fps(fa_suppress *s)
{
    if (!s->sorted) {
        qsort(s->fps, s->nfps, sizeof *s->fps, cmp_str);
        s->sorted = 1;
    }
}

/* Recomputes the fingerprint from the baseline's fields instead of trusting its
 * "fingerprint" value, so a hand-edited or older baseline still matches by content. */
static int add_finding_json(fa_suppress *s, json_t *j)
{
    const char *rule = json_string_value(json_object_get(j, "rule_id"));
    json_t *loc = json_object_get(j, "location");
    const char *path = json_string_value(json_object_get(loc, "path"));
    json_t *ev = json_object_get(j, "evidence");
    if (!rule || !path || !json_is_object(ev) || !json_is_string(json_object_get(ev, "sha256")))
        return -1;
    fa_finding f;
    memset(&f, 0, sizeof f);
    fa_location_init(&f.loc);
    f.rule_id = (char *)rule;
    f.loc.path = (char *)path;
    json_t *members = json_object_get(loc, "members");
    size_t n = json_array_size(members);
    char **mv = n ? fa_xcalloc(n, sizeof(char *)) : NULL;
    for (size_t i = 0; i < n; i++)
        mv[i] = (char *)(json_string_value(json_array_get(members, i)) ? json_string_value(json_array_get(members, i)) : "");
    f.loc.members = mv;
    f.loc.nmembers = n;
    f.evidence = ev;
    fa_finding_fingerprint(&f);
    free(mv);
    add_fp(s, f.fingerprint);
    return 0;
}

fa_status fa_suppress_load_baseline(fa_suppress *s, const char *file, fa_err *err)
{
    json_error_t je;
    /* A scan document is one JSON value; JSON lines are many: try the document first. */
    json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (doc) {
        json_t *findings = json_is_object(doc) ? json_object_get(doc, "findings") : NULL;
        if (json_is_object(doc) && json_object_get(doc, "rule_id")) {
            /* a one-line JSON lines baseline */
            if (add_finding_json(s, doc) < 0) {
                json_decref(doc);
                return fa_err_set(err, FA_FATAL, "baseline", "%s:1:1: not a faceaudit finding (needs rule_id, location.path, evidence.sha256)", file);
            }
        } else if (!json_is_array(findings)) {
            json_decref(doc);
            return fa_err_set(err, FA_FATAL, "baseline", "%s: not a faceaudit scan document or JSON lines (no \"findings\")", file);
        } else {
            size_t i;
            json_t *f;
            json_array_foreach(findings, i, f)
                add_finding_json(s, f);
        }
        json_decref(doc);
        sort_fps(s);
        return FA_OK;
    }
    FILE *in = fopen(file, "r");
    if (!in)
        return fa_err_set(err, FA_FATAL, "baseline", "%s: %s", file, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    fa_status st = FA_OK;
    while ((n = getline(&line, &cap, in)) > 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        json_t *j = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
        if (!j || !json_is_object(j) || add_finding_json(s, j) < 0) {
            st = fa_err_set(err, FA_FATAL, "baseline", "%s:%ld:%d: %s", file, lineno, j ? 1 : je.column,
                            j ? "not a faceaudit finding (needs rule_id, location.path, evidence.sha256)" : je.text);
            json_decref(j);
            break;
        }
        json_decref(j);
    }
    free(line);
    fclose(in);
    sort_fps(s);
    return st;
}

/* gitignore pattern -> anchored PCRE2 regex over the '/'-separated relative path. */
static void glob_to_regex(const char *p, int anchored, fa_buf *re)
{
    fa_buf_adds(re, anchored ? "^" : "^(?:.*/)?");
    while (*p) {
        if (!strncmp(p, "**/", 3)) {
            fa_buf_adds(re, "(?:.*/)?");
            p += 3;
        } else if (!strcmp(p, "**")) {
            fa_buf_adds(re, ".*");
            p += 2;
        } else if (*p == '*') {
            fa_buf_adds(re, "[^/]*");
            p++;
        } else if (*p == '?') {
            fa_buf_adds(re, "[^/]");
            p++;
        } else if (*p == '[') {
            const char *q = p + 1;
            if (*q == '!' || *q == '^')
                q++;
            if (*q == ']')
                q++;
            q = strchr(q, ']');
            if (!q) {
                fa_buf_adds(re, "\\[");
                p++;
                continue;
            }
            fa_buf_addch(re, '[');
            p++;
            if (*p == '!' || *p == '^') {
                fa_buf_addch(re, '^');
                p++;
            }
            for (; p < q; p++) {
                if (*p == '\\' || *p == '[')
                    fa_buf_addch(re, '\\');
                fa_buf_addch(re, *p);
            }
            fa_buf_addch(re, ']');
            p++;
        } else {
            if (*p == '\\' && p[1])
                p++;
            if (strchr("\\.^$|()[]{}+*?", *p))
                fa_buf_addch(re, '\\');
            fa_buf_addch(re, *p);
            p++;
        }
    }
    /* A pattern naming a folder also covers everything below it. */
    fa_buf_adds(re, "(?:/.*)?$");
}

static int is_fingerprint(const char *s, size_t n)
{
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", s[i]))
            return 0;
    return 1;
}

fa_status fa_suppress_load_ignore(fa_suppress *s, const char *file, fa_err *err)
{
    FILE *in = fopen(file, "r");
    if (!in)
        return fa_err_set(err, errno == ENOENT ? FA_WARN : FA_FATAL, "ignore_file", "%s: %s", file, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    fa_status st = FA_OK;
    while ((n = getline(&line, &cap, in)) > 0) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        while (n && line[n - 1] == ' ' && (n < 2 || line[n - 2] != '\\'))
            line[--n] = 0;
        if (!n || line[0] == '#')
            continue;
        if (is_fingerprint(line, (size_t)n)) {
            add_fp(s, line);
            continue;
        }
        ign_pattern ip = { NULL, 0, 0 };
        char *p = line;
        if (*p == '!') {
            ip.negate = 1;
            p++;
        } else if (*p == '\\' && (p[1] == '!' || p[1] == '#')) {
            p++;
        }
        size_t len = strlen(p);
        if (len && p[len - 1] == '/') {
            ip.dir_only = 1;
            p[--len] = 0;
        }
        if (!len)
            continue;
        int anchored = strchr(p, '/') != NULL;
        if (*p == '/')
            p++;
        fa_buf re = FA_BUF_INIT;
        glob_to_regex(p, anchored, &re);
        int ec;
        PCRE2_SIZE eo;
        ip.re = pcre2_compile((PCRE2_SPTR)re.buf, re.len, PCRE2_DOTALL, &ec, &eo, NULL);
        fa_buf_release(&re);
        if (!ip.re) {
            st = fa_err_set(err, FA_FATAL, "ignore_file", "%s:%ld:1: invalid pattern", file, lineno);
            break;
        }
        FA_GROW(s->pats, s->npats + 1, s->apats);
        s->pats[s->npats++] = ip;
    }
    free(line);
    fclose(in);
    if (s->npats && !s->md)
        s->md = pcre2_match_data_create(1, NULL);
    sort_fps(s);   /* sorted before the scan starts: lookups from workers only read */
    return st;
}

int fa_suppress_finding(const fa_suppress *s, const fa_finding *f)
{
    if (!s || !s->nfps)
        return 0;
    const char *key = f->fingerprint;
    return bsearch(&key, s->fps, s->nfps, sizeof *s->fps, cmp_str) != NULL;
}

int fa_suppress_path(const fa_suppress *s, const char *rel, int is_dir)
{
    if (!s || !s->npats)
        return 0;
    int ignored = 0;
    /* Last matching pattern wins, as in gitignore. */
    for (size_t i = 0; i < s->npats; i++) {
        const ign_pattern *ip = &s->pats[i];
        if (ip->dir_only && !is_dir) {
            /* "logs/" still covers files below a folder named logs. */
            if (!strchr(rel, '/'))
                continue;
        }
        int rc = pcre2_match(ip->re, (PCRE2_SPTR)rel, strlen(rel), 0, 0, s->md, NULL);
        if (rc >= 0 && ip->dir_only && !is_dir) {
            /* matched only through the "(/.*)?" tail: a folder above the file */
            char *copy = fa_xstrdup(rel);
            char *slash = strrchr(copy, '/');
            *slash = 0;
            rc = pcre2_match(ip->re, (PCRE2_SPTR)copy, strlen(copy), 0, 0, s->md, NULL);
            free(copy);
        }
        if (rc >= 0)
            ignored = !ip->negate;
    }
    return ignored;
}

size_t fa_suppress_npatterns(const fa_suppress *s)
{
    return s ? s->npats : 0;
}
