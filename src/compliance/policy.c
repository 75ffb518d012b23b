/* Retention policies: YAML loader (through fa_ydoc, for file:line:column), presets,
 * matching. See faceaudit-policy(5). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/buf.h"
#include "faceaudit/policy.h"
#include "faceaudit/yaml.h"

/* ---------------------------------------------------------------- durations */

int fa_duration_parse(const char *s, fa_duration *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    char *end;
    long n = strtol(s, &end, 10);
    if (n < 0 || n > 100000 || !end[0] || end[1] || !strchr("dwmy", end[0]))
        return -1;
    out->n = n;
    out->unit = end[0];
    return 0;
}

static int mdays(int y, int m0)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m0 == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m0];
}

int64_t fa_duration_add(int64_t t, fa_duration d)
{
    if (d.n < 0)
        return t;
    if (d.unit == 'd' || d.unit == 'w')
        return t + (int64_t)d.n * (d.unit == 'w' ? 7 : 1) * 86400;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    long months = d.n * (d.unit == 'y' ? 12 : 1);
    long total = (long)tm.tm_mon + months;
    tm.tm_year += (int)(total / 12);
    tm.tm_mon = (int)(total % 12);
    int md = mdays(tm.tm_year + 1900, tm.tm_mon);
    if (tm.tm_mday > md)
        tm.tm_mday = md;
    return (int64_t)timegm(&tm);
}

char *fa_duration_format(fa_duration d, char *buf, size_t size)
{
    if (d.n < 0)
        snprintf(buf, size, "%s", "");
    else
        snprintf(buf, size, "%ld%c", d.n, d.unit);
    return buf;
}

char *fa_duration_words(fa_duration d, char *buf, size_t size)
{
    static const struct { char unit; const char *one, *many; } names[] = {
        { 'd', "day", "days" }, { 'w', "week", "weeks" }, { 'm', "month", "months" }, { 'y', "year", "years" } };
    snprintf(buf, size, "%s", "");
    for (size_t i = 0; d.n >= 0 && i < sizeof names / sizeof names[0]; i++)
        if (names[i].unit == d.unit)
            snprintf(buf, size, "%ld %s", d.n, d.n == 1 ? names[i].one : names[i].many);
    return buf;
}

/* ---------------------------------------------------------------- glob */

/* Stars backtrack: a hostile pattern (many stars against a long path) would take
 * exponential time. After GLOB_MEMO_AFTER steps, failed (pattern, string) positions are
 * remembered, which bounds the work by |pattern| x |string| states. */
#define GLOB_MEMO_AFTER 4096
#define GLOB_MEMO_MAX_BITS ((size_t)1 << 27)
typedef struct glob_memo {
    const char    *p0, *s0;
    size_t         pl, sl;
    unsigned long  steps;
    unsigned char *failed;   /* bit (p - p0) * (sl + 1) + (s - s0); NULL until needed */
} glob_memo;

static int glob_body(glob_memo *m, const char *p, const char *s);

static int glob_at(glob_memo *m, const char *p, const char *s)
{
    if (++m->steps == GLOB_MEMO_AFTER) {
        m->pl = strlen(m->p0);
        m->sl = strlen(m->s0);
        if ((m->pl + 1) <= GLOB_MEMO_MAX_BITS / (m->sl + 1))
            m->failed = fa_xcalloc((m->pl + 1) * (m->sl + 1) / 8 + 1, 1);
    }
    size_t bit = 0;
    if (m->failed) {
        bit = (size_t)(p - m->p0) * (m->sl + 1) + (size_t)(s - m->s0);
        if (m->failed[bit / 8] & (1u << (bit % 8)))
            return 0;
    }
    int r = glob_body(m, p, s);
    if (!r && m->failed)
        m->failed[bit / 8] |= (unsigned char)(1u << (bit % 8));
    return r;
}

static int glob_start(const char *p, const char *s)
{
    glob_memo m = { p, s, 0, 0, 0, NULL };
    int r = glob_at(&m, p, s);
    free(m.failed);
    return r;
}

static int glob_body(glob_memo *m, const char *p, const char *s)
{
    for (;;) {
        if (!*p)
            return !*s;
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            /* A double star then a slash also matches zero folders: a/(2 stars)/b matches a/b. */
            if (*p == '/' && glob_at(m, p + 1, s))
                return 1;
            for (const char *q = s;; q++) {
                if (glob_at(m, p, q))
                    return 1;
                if (!*q)
                    return 0;
            }
        }
        if (*p == '*') {
            p++;
            for (const char *q = s;; q++) {
                if (glob_at(m, p, q))
                    return 1;
                if (!*q || *q == '/')
                    return 0;
            }
        }
        if (!*s)
            return 0;
        if (*p == '?') {
            if (*s == '/')
                return 0;
        } else if (*p == '[') {
            const char *q = p + 1;
            int neg = *q == '!' || *q == '^';
            if (neg)
                q++;
            int hit = 0;
            const char *start = q;
            while (*q && (*q != ']' || q == start)) {
                if (q[1] == '-' && q[2] && q[2] != ']') {
                    if ((unsigned char)*s >= (unsigned char)q[0] && (unsigned char)*s <= (unsigned char)q[2])
                        hit = 1;
                    q += 3;
                } else {
                    hit |= *q == *s;
                    q++;
                }
            }
            if (!*q) {          /* no closing ']': a literal '[' */
                if (*s != '[')
                    return 0;
            } else {
                if (hit == neg || *s == '/')
                    return 0;
                p = q;
            }
        } else if (*p == '\\' && p[1]) {
            p++;
            if (*p != *s)
                return 0;
        } else if (*p != *s) {
            return 0;
        }
        p++;
        s++;
    }
}

int fa_policy_glob(const char *pattern, const char *s)
{
    if (!strncmp(pattern, "s3://", 5) && !strpbrk(pattern, "*?["))
        return !strncmp(s, pattern, strlen(pattern));
    if (!strchr(pattern, '/')) {
        const char *b = s;
        for (const char *q = s; *q; q++)
            if (*q == '/' || *q == '!')
                b = q + 1;
        if (glob_start(pattern, b))
            return 1;
    }
    /* A folder pattern "uploads/" or "uploads" also covers what is inside. */
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '/' && !strncmp(s, pattern, n))
        return 1;
    return glob_start(pattern, s);
}

/* ---------------------------------------------------------------- building */

static void rule_free(fa_policy_rule *r)
{
    free(r->id);
    fa_strv_free(r->categories);
    fa_strv_free(r->match);
    free(r->basis);
    memset(r, 0, sizeof *r);
    r->max_age.n = -1;
}

void fa_policy_free(fa_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nrules; i++)
        rule_free(&p->rules[i]);
    free(p->rules);
    rule_free(&p->deflt);
    for (size_t i = 0; i < p->nholds; i++) {
        free(p->holds[i].match);
        free(p->holds[i].reason);
    }
    free(p->holds);
    free(p->name);
    free(p->preset);
    free(p->source);
    free(p);
}

static fa_policy *policy_new(void)
{
    fa_policy *p = fa_xcalloc(1, sizeof *p);
    p->deflt.max_age.n = -1;
    return p;
}

static const char *const BIOMETRIC[] = { "face_image", "face_template", "biometric_metadata", NULL };

static char **strv_of(const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    char **o = fa_xcalloc(n + 1, sizeof *o);
    for (size_t i = 0; i < n; i++)
        o[i] = fa_xstrdup(v[i]);
    return o;
}

fa_policy *fa_policy_preset(const char *name, fa_err *err)
{
    fa_policy *p = policy_new();
    p->has_default = 1;
    p->deflt.id = fa_xstrdup("default");
    p->deflt.categories = strv_of(BIOMETRIC);
    p->preset = fa_xstrdup(name);
    if (!strcmp(name, "bipa")) {
        p->name = fa_xstrdup("Illinois BIPA retention schedule (preset)");
        p->deflt.max_age = (fa_duration){ 3, 'y' };
        p->deflt.basis = fa_xstrdup(
            "BIPA 740 ILCS 14/15(a): permanently destroy biometric identifiers and biometric "
            "information when the initial purpose for collecting or obtaining them has been "
            "satisfied or within 3 years of the individual's last interaction with the private "
            "entity, whichever occurs first. The object's time stands in for the last interaction; "
            "when the purpose ends earlier, a shorter rule must say so.");
    } else if (!strcmp(name, "cubi")) {
        p->name = fa_xstrdup("Texas CUBI retention schedule (preset)");
        p->deflt.max_age = (fa_duration){ 1, 'y' };
        p->deflt.basis = fa_xstrdup(
            "Texas CUBI, Tex. Bus. & Com. Code § 503.001(c)(3): destroy the biometric identifier "
            "within a reasonable time, but not later than the first anniversary of the date the "
            "purpose for collecting it expires. The object's time stands in for the purpose's "
            "expiry, which cannot precede collection, so the deadline is never later than the law's.");
    } else if (!strcmp(name, "gdpr")) {
        p->name = fa_xstrdup("GDPR storage limitation (preset: period to be set by the controller)");
        p->max_age_required = 1;
        p->deflt.basis = fa_xstrdup(
            "GDPR Art. 5(1)(e) storage limitation: personal data kept in a form which permits "
            "identification for no longer than is necessary for the purposes; biometric data used "
            "to identify a person is special-category data (Art. 9). The GDPR fixes no period: the "
            "controller must set one (Art. 30(1)(f), Art. 13(2)(a)) with --set max_age=... or a "
            "policy file; until then every object needs a decision.");
    } else {
        fa_policy_free(p);
        fa_err_set(err, FA_FATAL, "usage", "unknown preset '%s' (bipa, cubi or gdpr)", name);
        return NULL;
    }
    return p;
}

static fa_status load_rule(const fa_ynode *n, fa_policy_rule *r, int is_default, fa_err *err)
{
    static const char *const keys[] = { "id", "category", "categories", "match", "max_age", "basis", NULL };
    memset(r, 0, sizeof *r);
    r->max_age.n = -1;
    r->line = fa_ynode_line(n);
    if (!fa_ynode_is_map(n))
        return fa_ynode_error(n, err, "%s must be a mapping", is_default ? "default" : "a rule");
    for (size_t i = 0; i < fa_ynode_len(n); i++) {
        fa_ynode k = fa_ynode_key(n, i);
        const char *ks = fa_ynode_scalar(&k);
        int known = 0;
        for (size_t j = 0; keys[j]; j++)
            known |= ks && !strcmp(ks, keys[j]);
        if (!known || (is_default && ks && (!strcmp(ks, "match") || !strcmp(ks, "id"))))
            return fa_ynode_error(&k, err, "unknown key '%s' in %s (known: %s)", ks ? ks : "?",
                                  is_default ? "default" : "a rule",
                                  is_default ? "category, max_age, basis"
                                             : "id, category, match, max_age, basis");
    }
    fa_ynode v = fa_ynode_get(n, "id");
    const char *s;
    if (v.node) {
        if (fa_ynode_str(&v, "id", &s, err))
            return FA_FATAL;
        r->id = fa_xstrdup(s);
    }
    v = fa_ynode_get(n, "category");
    if (!v.node)
        v = fa_ynode_get(n, "categories");
    if (v.node) {
        if (fa_ynode_strv(&v, "category", &r->categories, NULL, err))
            return FA_FATAL;
        for (char **c = r->categories; *c; c++) {
            int ok = **c != 0;
            for (const char *q = *c; *q; q++)
                ok &= (*q >= 'a' && *q <= 'z') || *q == '_';
            if (!ok)
                return fa_ynode_error(&v, err, "category '%s' is not a category name ([a-z_]+)", *c);
        }
    }
    v = fa_ynode_get(n, "match");
    if (v.node) {
        size_t cnt;
        if (fa_ynode_strv(&v, "match", &r->match, &cnt, err))
            return FA_FATAL;
        if (!cnt)
            return fa_ynode_error(&v, err, "match must name at least one glob or s3:// prefix");
    }
    v = fa_ynode_get(n, "max_age");
    if (v.node) {
        if (fa_ynode_str(&v, "max_age", &s, err))
            return FA_FATAL;
        if (fa_duration_parse(s, &r->max_age))
            return fa_ynode_error(&v, err, "max_age '%s' is not a duration like 90d, 12w, 18m or 3y", s);
    }
    v = fa_ynode_get(n, "basis");
    if (v.node) {
        if (fa_ynode_str(&v, "basis", &s, err))
            return FA_FATAL;
        r->basis = fa_xstrdup(s);
    }
    return FA_OK;
}

static fa_status load_doc(fa_policy *p, const fa_ynode *root, fa_err *err)
{
    static const char *const keys[] = { "name", "version", "preset", "default", "rules", "legal_hold", NULL };
    if (!fa_ynode_is_map(root))
        return fa_ynode_error(root, err, "a policy is a mapping with rules, default and legal_hold");
    for (size_t i = 0; i < fa_ynode_len(root); i++) {
        fa_ynode k = fa_ynode_key(root, i);
        const char *ks = fa_ynode_scalar(&k);
        int known = 0;
        for (size_t j = 0; keys[j]; j++)
            known |= ks && !strcmp(ks, keys[j]);
        if (!known)
            return fa_ynode_error(&k, err, "unknown key '%s' (known: name, version, preset, default, "
                                  "rules, legal_hold)", ks ? ks : "?");
    }
    const char *s;
    fa_ynode v = fa_ynode_get(root, "version");
    if (v.node) {
        long long ver;
        if (fa_ynode_int(&v, "version", &ver, err))
            return FA_FATAL;
        if (ver != 1)
            return fa_ynode_error(&v, err, "unsupported policy version %lld (this faceaudit reads 1)", ver);
    }
    v = fa_ynode_get(root, "name");
    if (v.node) {
        if (fa_ynode_str(&v, "name", &s, err))
            return FA_FATAL;
        p->name = fa_xstrdup(s);
    }
    v = fa_ynode_get(root, "preset");
    if (v.node) {
        if (fa_ynode_str(&v, "preset", &s, err))
            return FA_FATAL;
        if (strcmp(s, "bipa") && strcmp(s, "cubi") && strcmp(s, "gdpr"))
            return fa_ynode_error(&v, err, "unknown preset '%s' (bipa, cubi or gdpr)", s);
        p->preset = fa_xstrdup(s);
    }
    v = fa_ynode_get(root, "default");
    if (v.node) {
        if (load_rule(&v, &p->deflt, 1, err))
            return FA_FATAL;
        p->has_default = 1;
        p->deflt.id = fa_xstrdup("default");
    }
    v = fa_ynode_get(root, "rules");
    if (v.node) {
        if (!fa_ynode_is_seq(&v))
            return fa_ynode_error(&v, err, "rules must be a list of rules");
        size_t n = fa_ynode_len(&v);
        p->rules = fa_xcalloc(n + 1, sizeof *p->rules);
        for (size_t i = 0; i < n; i++) {
            fa_ynode r = fa_ynode_item(&v, i);
            fa_status st = load_rule(&r, &p->rules[i], 0, err);
            p->nrules++;
            if (st)
                return FA_FATAL;
            if (!p->rules[i].id)
                p->rules[i].id = fa_xasprintf("rule-%zu", i + 1);
            for (size_t j = 0; j < i; j++)
                if (!strcmp(p->rules[j].id, p->rules[i].id))
                    return fa_ynode_error(&r, err, "duplicate rule id '%s'", p->rules[i].id);
        }
    }
    v = fa_ynode_get(root, "legal_hold");
    if (v.node) {
        if (!fa_ynode_is_seq(&v))
            return fa_ynode_error(&v, err, "legal_hold must be a list of globs or {match, reason}");
        size_t n = fa_ynode_len(&v);
        p->holds = fa_xcalloc(n + 1, sizeof *p->holds);
        for (size_t i = 0; i < n; i++) {
            fa_ynode h = fa_ynode_item(&v, i);
            const char *m = NULL, *reason = NULL;
            if (fa_ynode_is_scalar(&h)) {
                m = fa_ynode_scalar(&h);
            } else if (fa_ynode_is_map(&h)) {
                for (size_t j = 0; j < fa_ynode_len(&h); j++) {
                    fa_ynode k = fa_ynode_key(&h, j);
                    const char *ks = fa_ynode_scalar(&k);
                    if (!ks || (strcmp(ks, "match") && strcmp(ks, "reason")))
                        return fa_ynode_error(&k, err, "unknown key '%s' in a legal hold (known: match, reason)",
                                              ks ? ks : "?");
                }
                fa_ynode mm = fa_ynode_get(&h, "match"), rr = fa_ynode_get(&h, "reason");
                if (!mm.node)
                    return fa_ynode_error(&h, err, "a legal hold needs match");
                if (fa_ynode_str(&mm, "match", &m, err) || (rr.node && fa_ynode_str(&rr, "reason", &reason, err)))
                    return FA_FATAL;
            } else {
                return fa_ynode_error(&h, err, "a legal hold is a glob or {match, reason}");
            }
            if (!*m)
                return fa_ynode_error(&h, err, "a legal hold's match must not be empty");
            p->holds[p->nholds].match = fa_xstrdup(m);
            p->holds[p->nholds].reason = reason ? fa_xstrdup(reason) : NULL;
            p->nholds++;
        }
    }
    return FA_OK;
}

fa_policy *fa_policy_load(const char *file, const char *data, size_t len, fa_err *err)
{
    fa_ydoc *doc = fa_ydoc_load(file, data, len, err);
    if (!doc) {
        err->status = FA_FATAL;
        return NULL;
    }
    fa_ynode root = fa_ydoc_root(doc);
    fa_policy *p = policy_new();
    p->source = fa_xstrdup(file);
    if (!root.node) {
        fa_err_set(err, FA_FATAL, "syntax", "%s: the policy is empty", file);
        fa_ydoc_free(doc);
        fa_policy_free(p);
        return NULL;
    }
    if (load_doc(p, &root, err)) {
        err->status = FA_FATAL;
        fa_ydoc_free(doc);
        fa_policy_free(p);
        return NULL;
    }
    fa_ydoc_free(doc);
    if (p->preset) {
        fa_policy *base = fa_policy_preset(p->preset, err);
        if (!base) {
            fa_policy_free(p);
            return NULL;
        }
        char *src = fa_xstrdup(file);
        fa_policy_layer(base, p);
        free(base->source);
        base->source = src;
        return base;
    }
    return p;
}

void fa_policy_layer(fa_policy *base, fa_policy *over)
{
    fa_policy_rule *rules = fa_xcalloc(base->nrules + over->nrules + 1, sizeof *rules);
    if (over->nrules)
        memcpy(rules, over->rules, over->nrules * sizeof *rules);
    if (base->nrules)
        memcpy(rules + over->nrules, base->rules, base->nrules * sizeof *rules);
    free(base->rules);
    base->rules = rules;
    base->nrules += over->nrules;
    over->nrules = 0;
    if (over->has_default) {
        /* Fields the file leaves out keep the preset's (a GDPR period with the preset's basis). */
        if (over->deflt.max_age.n >= 0)
            base->deflt.max_age = over->deflt.max_age;
        if (over->deflt.basis) {
            free(base->deflt.basis);
            base->deflt.basis = over->deflt.basis;
            over->deflt.basis = NULL;
        }
        if (over->deflt.categories) {
            fa_strv_free(base->deflt.categories);
            base->deflt.categories = over->deflt.categories;
            over->deflt.categories = NULL;
        }
        base->deflt.line = over->deflt.line;
        if (!base->deflt.id)
            base->deflt.id = fa_xstrdup("default");
        base->has_default = 1;
    }
    base->holds = fa_xrealloc(base->holds, (base->nholds + over->nholds + 1) * sizeof *base->holds);
    if (over->nholds)
        memcpy(base->holds + base->nholds, over->holds, over->nholds * sizeof *over->holds);
    base->nholds += over->nholds;
    over->nholds = 0;
    if (over->name) {
        free(base->name);
        base->name = over->name;
        over->name = NULL;
    }
    if (over->source && !base->source) {
        base->source = over->source;
        over->source = NULL;
    }
    fa_policy_free(over);
}

fa_status fa_policy_set(fa_policy *p, const char *a, fa_err *err)
{
    const char *eq = strchr(a, '=');
    if (!eq)
        return fa_err_set(err, FA_FATAL, "usage", "--set wants KEY=VALUE (max_age=2y or basis=TEXT), not '%s'", a);
    size_t kl = (size_t)(eq - a);
    if (kl == 7 && !strncmp(a, "max_age", 7)) {
        fa_duration d;
        if (fa_duration_parse(eq + 1, &d))
            return fa_err_set(err, FA_FATAL, "usage", "--set max_age: '%s' is not a duration like 90d, 18m or 3y", eq + 1);
        p->deflt.max_age = d;
    } else if (kl == 5 && !strncmp(a, "basis", 5)) {
        free(p->deflt.basis);
        p->deflt.basis = fa_xstrdup(eq + 1);
    } else {
        return fa_err_set(err, FA_FATAL, "usage", "--set: unknown key '%.*s' (max_age or basis)", (int)kl, a);
    }
    if (!p->deflt.id)
        p->deflt.id = fa_xstrdup("default");
    p->has_default = 1;
    return FA_OK;
}

/* ---------------------------------------------------------------- matching */

static int matches_any(char *const *globs, const char *display, const char *path)
{
    if (!globs)
        return 1;
    for (; *globs; globs++)
        if (fa_policy_glob(*globs, display) || (path && fa_policy_glob(*globs, path)))
            return 1;
    return 0;
}

static int cats_match(char *const *want, const char *const *have)
{
    if (!want)
        return 1;
    for (; *want; want++)
        for (const char *const *h = have; h && *h; h++)
            if (!strcmp(*want, *h))
                return 1;
    return 0;
}

const fa_policy_rule *fa_policy_match(const fa_policy *p, const char *display, const char *path,
                                      const char *const *cats)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (cats_match(p->rules[i].categories, cats) && matches_any(p->rules[i].match, display, path))
            return &p->rules[i];
    if (p->has_default && cats_match(p->deflt.categories, cats))
        return &p->deflt;
    return NULL;
}

const fa_policy_hold *fa_policy_hold_for(const fa_policy *p, const char *display, const char *path)
{
    for (size_t i = 0; i < p->nholds; i++)
        if (fa_policy_glob(p->holds[i].match, display) || (path && fa_policy_glob(p->holds[i].match, path)))
            return &p->holds[i];
    return NULL;
}

static json_t *strv_json(char *const *v)
{
    if (!v)
        return json_null();
    json_t *a = json_array();
    for (; *v; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

static json_t *rule_json(const fa_policy_rule *r)
{
    char d[24];
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(r->id ? r->id : "default"));
    json_object_set_new(j, "categories", strv_json(r->categories));
    json_object_set_new(j, "match", strv_json(r->match));
    json_object_set_new(j, "max_age", r->max_age.n >= 0 ? json_string(fa_duration_format(r->max_age, d, sizeof d))
                                                         : json_null());
    json_object_set_new(j, "basis", r->basis ? json_string(r->basis) : json_null());
    return j;
}

json_t *fa_policy_to_json(const fa_policy *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "name", p->name ? json_string(p->name) : json_null());
    json_object_set_new(j, "preset", p->preset ? json_string(p->preset) : json_null());
    json_object_set_new(j, "source", p->source ? json_string(p->source) : json_null());
    json_t *rules = json_array();
    for (size_t i = 0; i < p->nrules; i++)
        json_array_append_new(rules, rule_json(&p->rules[i]));
    json_object_set_new(j, "rules", rules);
    json_object_set_new(j, "default", p->has_default ? rule_json(&p->deflt) : json_null());
    json_object_set_new(j, "max_age_required", json_boolean(p->max_age_required));
    json_t *holds = json_array();
    for (size_t i = 0; i < p->nholds; i++)
        json_array_append_new(holds, json_pack("{s:s,s:o}", "match", p->holds[i].match, "reason",
                              p->holds[i].reason ? json_string(p->holds[i].reason) : json_null()));
    json_object_set_new(j, "legal_hold", holds);
    return j;
}
