/* The DPIA view: figures from the inventory and retention reports, a risk register and
 * a measures checklist derived from them by fixed rules (each citing the counts that
 * raised it), and prompts for every decision a person must take. The inventory reader is
 * deliberately tolerant of extra or renamed posture fields: it reads the issue-7 shape
 * and treats anything it cannot see as "unknown", never as "fine". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <md4c-html.h>
#include "faceaudit/buf.h"
#include "faceaudit/dpia.h"
#include "faceaudit/policy.h"
#include "faceaudit/yaml.h"

/* ---- small JSON helpers ----------------------------------------------------------- */

static json_int_t jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (json_int_t)json_real_value(v);
    return 0;
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void set_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, v ? json_string(v) : json_null());
}

static void set_int(json_t *o, const char *k, json_int_t v) { json_object_set_new(o, k, json_integer(v)); }

static void set_fmt(json_t *o, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_fmt(json_t *o, const char *k, const char *fmt, ...)
{
    fa_buf b = FA_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fa_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    json_object_set_new(o, k, json_stringn(b.buf, b.len));
    fa_buf_release(&b);
}

static void human_bytes(char *out, size_t n, json_int_t bytes)
{
    static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, n, "%lld B", (long long)bytes);
    else
        snprintf(out, n, "%.1f %s", v, units[u]);
}

static const char *plural(json_int_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/* Earliest / latest RFC 3339 strings (lexical order works for the same offset, "Z"). */
static void minmax_str(const char **lo, const char **hi, const char *v)
{
    if (!v || !*v)
        return;
    if (!*lo || strcmp(v, *lo) < 0)
        *lo = v;
    if (!*hi || strcmp(v, *hi) > 0)
        *hi = v;
}

/* ---- categories ------------------------------------------------------------------- */

static const struct { const char *key, *label; } category_labels[] = {
    { "face_image", "Face images" },
    { "face_template", "Face templates (embeddings)" },
    { "biometric_metadata", "Biometric metadata (face regions, person tags)" },
    { "vendor_endpoint", "Data flows to face-recognition services" },
};

static const char *category_label(const char *key)
{
    for (size_t i = 0; i < sizeof category_labels / sizeof category_labels[0]; i++)
        if (!strcmp(category_labels[i].key, key))
            return category_labels[i].label;
    return key;
}

/* Face data proper: what a breach or a leak would expose. */
static int is_face_data(const char *cat)
{
    return !strcmp(cat, "face_image") || !strcmp(cat, "face_template") || !strcmp(cat, "biometric_metadata");
}

/* ---- posture ---------------------------------------------------------------------- */

typedef enum { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 } tri;

static const char *tri_text(tri t) { return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown"; }

static tri tri_of(json_t *v)
{
    if (json_is_true(v))
        return TRI_YES;
    if (json_is_false(v))
        return TRI_NO;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcasecmp(s, "public"))
            return TRI_YES;
        if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcasecmp(s, "private") ||
            !strcasecmp(s, "blocked"))
            return TRI_NO;
    }
    return TRI_UNKNOWN;
}

/* Public access: an explicit flag wins; otherwise any public policy/ACL makes it public,
 * and a full public-access block with no public grant makes it private. */
static tri posture_public(json_t *p)
{
    static const char *direct[] = { "public", "public_access", "publicly_accessible", "is_public" };
    for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++) {
        json_t *v = json_object_get(p, direct[i]);
        if (json_is_object(v))
            v = json_object_get(v, "public");
        tri t = tri_of(v);
        if (t != TRI_UNKNOWN)
            return t;
    }
    tri pol = tri_of(json_object_get(p, "policy_public"));
    tri acl = tri_of(json_object_get(p, "acl_public"));
    if (pol == TRI_YES || acl == TRI_YES)
        return TRI_YES;
    if (tri_of(json_object_get(p, "public_access_block")) == TRI_YES)
        return TRI_NO;
    if (pol == TRI_NO && acl == TRI_NO)
        return TRI_NO;
    return TRI_UNKNOWN;
}

/* Encryption at rest: "AES256"/"aws:kms" = yes, "none" = no, absent = unknown. */
static tri posture_encrypted(json_t *p, const char **alg)
{
    *alg = NULL;
    json_t *v = json_object_get(p, "encryption");
    if (json_is_object(v)) {
        const char *a = jstr(v, "algorithm");
        if (!a)
            a = jstr(v, "type");
        if (a) {
            *alg = a;
            return strcasecmp(a, "none") ? TRI_YES : TRI_NO;
        }
        v = json_object_get(v, "enabled");
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!*s || !strcasecmp(s, "unknown"))
            return TRI_UNKNOWN;
        *alg = s;
        return strcasecmp(s, "none") && strcasecmp(s, "false") && strcasecmp(s, "no") ? TRI_YES : TRI_NO;
    }
    tri t = tri_of(v);
    if (t != TRI_UNKNOWN)
        return t;
    return tri_of(json_object_get(p, "encrypted"));
}

/* ---- prompts ---------------------------------------------------------------------- */

/* Every decision only people can take: path in the view and what the prompt asks for. */
static const struct { const char *path, *prompt; } prompts[] = {
    { "controller.name", "name of the controller" },
    { "controller.contact", "contact details of the controller (and representative, if any)" },
    { "dpo.name", "name of the data protection officer, or why none is designated" },
    { "dpo.contact", "contact details of the data protection officer" },
    { "processing.name", "name of the system or project that processes the biometric data" },
    { "processing.purposes", "the specified, explicit and legitimate purposes of the processing (Art. 5(1)(b), 35(7)(a))" },
    { "processing.lawful_basis", "the lawful basis under Art. 6(1), and the legitimate interests pursued where Art. 6(1)(f) is relied on" },
    { "processing.art9_condition", "the Art. 9(2) condition for processing biometric data for the purpose of uniquely identifying a person (e.g. explicit consent, Art. 9(2)(a))" },
    { "processing.data_subjects", "categories of data subjects (employees, customers, children, members of the public, ...)" },
    { "processing.nature", "how the biometric data is collected, used, stored and deleted, and who has access" },
    { "processing.context", "the relationship with the individuals, their reasonable expectations, and any prior concerns or security flaws" },
    { "processing.benefits", "what the processing achieves for the controller, the individuals and others" },
    { "processing.screening", "why a DPIA is needed (screening against Art. 35(3) and the supervisory authority’s list)" },
    { "necessity.justification", "why the processing is necessary and proportionate for the purposes; whether a less intrusive means (without biometrics) would achieve them" },
    { "necessity.function_creep", "how function creep is prevented" },
    { "necessity.data_quality", "how data quality and minimisation are ensured" },
    { "necessity.information", "what information is given to individuals (Art. 13/14) and how" },
    { "necessity.rights", "how individuals exercise their rights (access, erasure, objection, ...)" },
    { "necessity.processors", "the measures that ensure processors comply (Art. 28 contracts)" },
    { "necessity.transfers", "how international transfers are safeguarded (Chapter V)" },
    { "consultation.data_subjects", "the views of data subjects or their representatives (Art. 35(9)), or why they were not sought" },
    { "consultation.internal", "who else was consulted (security, IT, processors, experts)" },
    { "consultation.supervisory_authority", "whether prior consultation of the supervisory authority is required (Art. 36: high residual risk)" },
    { "signoff.measures_approved_by", "name, role and date of the person approving the measures" },
    { "signoff.residual_risk_approved_by", "name, role and date of the person accepting the residual risks" },
    { "signoff.dpo_advice", "the DPO’s advice (Art. 35(2)), and whether the processing may proceed" },
    { "signoff.dpo_advice_accepted", "whether the DPO’s advice was accepted, and if overruled, why" },
    { "signoff.consultation_reviewed_by", "who reviewed the consultation responses, and the decision taken" },
    { "signoff.review_date", "when this DPIA will be reviewed (Art. 35(11))" },
    { "bipa.entity", "legal name of the private entity in possession of biometric identifiers or information" },
    { "bipa.purposes", "the specific purposes for which biometric identifiers and information are collected, stored and used" },
    { "bipa.effective_date", "the date this policy takes effect and is published" },
    { "bipa.contact", "the contact for questions about this policy" },
    { "bipa.destruction_method", "how biometric data is permanently destroyed (deletion method, backups, processors)" },
    { "bipa.publication_url", "where the policy is publicly available (BIPA 740 ILCS 14/15(a) requires it to be public)" },
};

static json_t *get_path(json_t *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = root;
    for (char *save = NULL, *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save))
        if (!(v = json_object_get(v, part)))
            return NULL;
    return v;
}

/* Creates objects along path; returns the parent object and the last key in *last. */
static json_t *make_parent(json_t *root, char *path, char **last, fa_err *err, const char *what)
{
    json_t *v = root;
    char *dot;
    while ((dot = strchr(path, '.')) != NULL) {
        *dot = 0;
        if (!*path) {
            fa_err_set(err, FA_FAIL, "usage", "%s: empty key component", what);
            return NULL;
        }
        json_t *next = json_object_get(v, path);
        if (!next || json_is_null(next)) {
            next = json_object();
            json_object_set_new(v, path, next);
        } else if (!json_is_object(next)) {
            fa_err_set(err, FA_FAIL, "usage", "%s: '%s' is not an object", what, path);
            return NULL;
        }
        v = next;
        path = dot + 1;
    }
    if (!*path) {
        fa_err_set(err, FA_FAIL, "usage", "%s: empty key", what);
        return NULL;
    }
    *last = path;
    return v;
}

fa_status fa_dpia_set(json_t *obj, const char *assignment, fa_err *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return fa_err_set(err, FA_FAIL, "usage", "--set %s: expected key=value", assignment);
    char *key = fa_xstrndup(assignment, (size_t)(eq - assignment));
    char *last;
    json_t *parent = make_parent(obj, key, &last, err, assignment);
    if (parent)
        json_object_set_new(parent, last, json_string(eq + 1));
    free(key);
    return parent ? FA_OK : FA_FAIL;
}

static void deep_merge(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v) {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v))
            deep_merge(d, v);
        else
            json_object_set(dst, k, v);
    }
}

static int is_blank_value(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

static void fill_prompts(json_t *view)
{
    json_t *open = json_array(), *by_group = json_object();
    for (size_t i = 0; i < sizeof prompts / sizeof prompts[0]; i++) {
        if (!is_blank_value(get_path(view, prompts[i].path)))
            continue;
        char *path = fa_xstrdup(prompts[i].path), *last;
        json_t *parent = make_parent(view, path, &last, NULL, "");
        if (parent) {
            char *text = fa_xasprintf(FA_DPIA_PROMPT_PREFIX "%s]", prompts[i].prompt);
            json_object_set_new(parent, last, json_string(text));
            json_t *item = json_object();
            set_str(item, "key", prompts[i].path);
            set_str(item, "prompt", text);
            json_array_append_new(open, item);
            /* per group too ("bipa", "processing", ...), for templates that need only theirs */
            char group[64];
            snprintf(group, sizeof group, "%.*s", (int)strcspn(prompts[i].path, "."), prompts[i].path);
            json_t *g = json_object_get(by_group, group);
            if (!g)
                json_object_set_new(by_group, group, g = json_array());
            json_array_append_new(g, json_deep_copy(item));   /* own copy: own index/last */
            free(text);
        }
        free(path);
    }
    set_int(view, "open_item_count", (json_int_t)json_array_size(open));
    json_object_set_new(view, "open_items", open);
    json_object_set_new(view, "open_by_group", by_group);
}

/* Counts with their noun in the right number, so templates never write "1 objects":
 * "phrase" holds whole-document counts ("3 face images"), and each category, store and
 * flow row gets <count>_text strings. */
static void phrase(json_t *o, const char *key, json_int_t n, const char *one, const char *many)
{
    set_fmt(o, key, "%lld %s", (long long)n, plural(n, one, many));
}

static void add_phrases(json_t *view)
{
    json_t *sum = json_object_get(view, "summary"), *ret = json_object_get(view, "retention");
    json_t *p = json_object();
    phrase(p, "face_images", jint(sum, "face_images"), "face image", "face images");
    phrase(p, "face_templates", jint(sum, "face_templates"), "face template", "face templates");
    phrase(p, "biometric_metadata", jint(sum, "biometric_metadata"), "object with biometric metadata",
           "objects with biometric metadata");
    phrase(p, "stores", jint(sum, "stores"), "store", "stores");
    phrase(p, "face_stores", jint(sum, "face_stores"), "store", "stores");
    phrase(p, "objects", jint(sum, "objects"), "object", "objects");
    phrase(p, "findings", jint(sum, "findings"), "finding", "findings");
    phrase(p, "flows", jint(sum, "flows"), "data flow", "data flows");
    phrase(p, "vendor_flows", jint(sum, "vendor_flows"), "data flow", "data flows");
    phrase(p, "vendors", jint(sum, "vendors"), "face-recognition service", "face-recognition services");
    phrase(p, "risks", jint(sum, "risks"), "risk", "risks");
    phrase(p, "open_items", jint(view, "open_item_count"), "item", "items");
    phrase(p, "retention_total", jint(ret, "total"), "artifact", "artifacts");
    phrase(p, "retention_overdue", jint(ret, "overdue"), "artifact", "artifacts");
    phrase(p, "retention_rules", (json_int_t)json_array_size(json_object_get(ret, "rules")), "rule", "rules");
    json_object_set_new(view, "phrase", p);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(view, "categories"), i, c) {
        phrase(c, "objects_text", jint(c, "objects"), "object", "objects");
        phrase(c, "findings_text", jint(c, "findings"), "finding", "findings");
        phrase(c, "stores_text", jint(c, "stores"), "store", "stores");
    }
    json_array_foreach(json_object_get(view, "stores"), i, c) {
        phrase(c, "objects_text", jint(c, "objects"), "object", "objects");
        phrase(c, "findings_text", jint(c, "findings"), "finding", "findings");
    }
    static const char *fl[] = { "flows", "recipients" };
    for (size_t k = 0; k < 2; k++)
        json_array_foreach(json_object_get(view, fl[k]), i, c) {
            json_int_t n = jint(c, "count");
            if (n == 1)
                set_str(c, "count_text", "once");
            else
                set_fmt(c, "count_text", "%lld times", (long long)n);
        }
}

/* Every array of objects gets "index" (1-based) and "last" on its elements, so templates
 * can number rows and put commas between JSON items ({{^last}},{{/last}}). */
static void add_positions(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c)
            add_positions(c);
    } else if (json_is_array(v)) {
        size_t i, n = json_array_size(v);
        json_t *c;
        json_array_foreach(v, i, c) {
            if (json_is_object(c)) {
                if (!json_object_get(c, "index"))
                    set_int(c, "index", (json_int_t)i + 1);
                json_object_set_new(c, "last", json_boolean(i + 1 == n));
            }
            add_positions(c);
        }
    }
}

/* ---- risks and measures ----------------------------------------------------------- */

static const char *overall(const char *likelihood, const char *severity)
{
    /* the ICO's likelihood x severity matrix */
    int l = !strcmp(likelihood, "probable") ? 2 : !strcmp(likelihood, "possible") ? 1 : 0;
    int s = !strcmp(severity, "severe") ? 2 : !strcmp(severity, "significant") ? 1 : 0;
    int score = l + s;
    return score >= 3 ? "high" : score == 2 ? "medium" : "low";
}

static json_t *add_risk(json_t *risks, const char *key, const char *title, const char *likelihood,
                        const char *severity, const char *gdpr, const char *options)
{
    json_t *r = json_object();
    set_fmt(r, "id", "R%zu", json_array_size(risks) + 1);
    set_str(r, "key", key);
    set_str(r, "title", title);
    set_str(r, "likelihood", likelihood);
    set_str(r, "severity", severity);
    set_str(r, "overall", overall(likelihood, severity));
    set_str(r, "reference", gdpr);
    set_str(r, "options", options);
    json_object_set_new(r, "counts", json_object());
    json_array_append_new(risks, r);
    return r;
}

static void add_measure(json_t *measures, const char *control, const char *status, const char *reference,
                        const char *evidence)
{
    json_t *m = json_object();
    set_fmt(m, "id", "M%zu", json_array_size(measures) + 1);
    set_str(m, "control", control);
    set_str(m, "status", status);
    set_str(m, "status_label", !strcmp(status, "evidenced") ? "Evidenced"
                             : !strcmp(status, "contradicted") ? "Contradicted" : "Needs a human");
    json_object_set_new(m, "evidenced", json_boolean(!strcmp(status, "evidenced")));
    json_object_set_new(m, "contradicted", json_boolean(!strcmp(status, "contradicted")));
    json_object_set_new(m, "needs_human", json_boolean(!strcmp(status, "needs_human")));
    set_str(m, "reference", reference);
    set_str(m, "evidence", evidence);
    json_array_append_new(measures, m);
}

/* ---- retention schedule ----------------------------------------------------------- */

/* "7d" -> "7 days", "18m" -> "18 months" (the policy's duration units); anything else as is. */
static void period_text(char *out, size_t n, const char *max_age)
{
    fa_duration d;
    if (!max_age || !*max_age)
        snprintf(out, n, "no maximum age set");
    else if (fa_duration_parse(max_age, &d) != 0 || !*fa_duration_words(d, out, n))
        snprintf(out, n, "%s", max_age);
}

static void join_strings(fa_buf *b, json_t *arr, int labels)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v)) {
            if (b->len)
                fa_buf_adds(b, ", ");
            fa_buf_adds(b, labels ? category_label(json_string_value(v)) : json_string_value(v));
        }
}

/* One row of the written retention schedule from a policy rule ({"id","categories",
 * "match","max_age","basis"}), with what the report found under it. */
static json_t *schedule_entry(json_t *pr, json_t *per_rule, int is_default)
{
    json_t *e = json_object();
    const char *id = jstr(pr, "id");
    const char *max_age = jstr(pr, "max_age");
    char period[64];
    period_text(period, sizeof period, max_age);
    set_str(e, "rule", is_default ? "default" : id ? id : "(unnamed)");
    set_str(e, "max_age", max_age && *max_age ? max_age : "none");
    set_str(e, "period", period);
    json_object_set_new(e, "has_max_age", json_boolean(max_age && *max_age));
    fa_buf b = FA_BUF_INIT;
    join_strings(&b, json_object_get(pr, "categories"), 1);
    set_str(e, "categories", b.len ? b.buf : "all categories of biometric data");
    fa_buf_reset(&b);
    join_strings(&b, json_object_get(pr, "match"), 0);
    set_str(e, "match", b.len ? b.buf : is_default ? "anything no other rule covers" : "any location");
    fa_buf_release(&b);
    const char *basis = jstr(pr, "basis");
    set_str(e, "basis", basis && *basis ? basis : "[TO BE COMPLETED BY THE CONTROLLER: the basis for this period]");
    json_object_set_new(e, "is_default", json_boolean(is_default));
    json_t *cnt = json_object_get(per_rule, is_default ? "default" : id ? id : "");
    json_int_t arts = jint(cnt, "artifacts"), over = jint(cnt, "overdue");
    set_int(e, "artifacts", arts);
    set_int(e, "overdue", over);
    set_fmt(e, "artifacts_text", "%lld %s", (long long)arts, plural(arts, "artifact", "artifacts"));
    return e;
}

/* ---- the view --------------------------------------------------------------------- */

typedef struct totals {
    json_int_t objects, findings, bytes;
    json_int_t img_objects, tpl_objects, tpl_findings, meta_objects, vendor_findings;
    json_int_t exposed_public, exposed_unencrypted, exposed_objects_public, exposed_objects_unenc;
    json_int_t posture_unknown, encrypted_known, public_known;
    json_int_t log_stores, log_objects, log_findings;
    json_int_t archive_stores, archive_objects;
    json_int_t stores_img, stores_tpl, stores_both;
    json_int_t face_stores;
    const char *oldest, *newest;
    fa_buf public_list, unenc_list, log_list, archive_list;
} totals;

static void list_add(fa_buf *b, const char *s)
{
    if (b->len > 600) {   /* keep evidence readable: name a few, count the rest */
        if (b->buf[b->len - 1] != '.')
            fa_buf_adds(b, ", ...");
        return;
    }
    if (b->len)
        fa_buf_adds(b, ", ");
    fa_buf_adds(b, s);
}

static json_t *build_store(json_t *s, totals *t)
{
    json_t *o = json_object();
    const char *kind = jstr(s, "kind");
    const char *loc = jstr(s, "location");
    set_str(o, "id", jstr(s, "id") ? jstr(s, "id") : loc);
    set_str(o, "kind", kind ? kind : "unknown");
    set_str(o, "location", loc ? loc : "(unknown)");
    set_str(o, "oldest", jstr(s, "oldest"));
    set_str(o, "newest", jstr(s, "newest"));
    minmax_str(&t->oldest, &t->newest, jstr(s, "oldest"));
    minmax_str(&t->oldest, &t->newest, jstr(s, "newest"));

    json_int_t objects = 0, findings = 0, bytes = 0, img = 0, tpl = 0, face = 0;
    json_t *cats = json_array(), *cobj = json_object_get(s, "categories");
    fa_buf summary = FA_BUF_INIT;
    const char *ck;
    json_t *cv;
    json_object_foreach(cobj, ck, cv) {
        json_t *c = json_object();
        json_int_t co = jint(cv, "objects"), cf = jint(cv, "findings"), cb = jint(cv, "bytes");
        set_str(c, "key", ck);
        set_str(c, "label", category_label(ck));
        set_int(c, "objects", co);
        set_int(c, "findings", cf);
        set_int(c, "bytes", cb);
        json_array_append_new(cats, c);
        /* one object may hold several categories: the store's object count is the max,
         * unless the inventory gives its own total */
        if (co > objects)
            objects = co;
        findings += cf;
        if (cb > bytes)
            bytes = cb;
        if (!strcmp(ck, "face_image"))
            img += co;
        else if (!strcmp(ck, "face_template")) {
            tpl += co;
            t->tpl_findings += cf;
        } else if (!strcmp(ck, "biometric_metadata"))
            t->meta_objects += co;
        else if (!strcmp(ck, "vendor_endpoint"))
            t->vendor_findings += cf;
        if (is_face_data(ck))
            face += co ? co : cf;
        fa_buf_addf(&summary, "%s%s: %lld %s", summary.len ? "; " : "", ck, (long long)co,
                    plural(co, "object", "objects"));
    }
    /* the inventory's own per-store totals, when it gives them, beat the per-category max */
    if (json_is_integer(json_object_get(s, "objects_with_findings")))
        objects = jint(s, "objects_with_findings");
    else if (json_is_integer(json_object_get(s, "objects")))
        objects = jint(s, "objects");
    if (json_is_integer(json_object_get(s, "findings")))
        findings = jint(s, "findings");
    if (json_is_integer(json_object_get(s, "bytes_with_findings")))
        bytes = jint(s, "bytes_with_findings");
    else if (json_is_integer(json_object_get(s, "bytes")))
        bytes = jint(s, "bytes");
    json_object_set_new(o, "categories", cats);
    set_str(o, "category_summary", summary.len ? summary.buf : "none");
    fa_buf_release(&summary);
    set_int(o, "objects", objects);
    set_int(o, "findings", findings);
    set_int(o, "bytes", bytes);
    char hb[32];
    human_bytes(hb, sizeof hb, bytes);
    set_str(o, "bytes_human", hb);
    set_int(o, "face_images", img);
    set_int(o, "face_templates", tpl);
    t->objects += objects;
    t->findings += findings;
    t->bytes += bytes;
    t->img_objects += img;
    t->tpl_objects += tpl;
    t->stores_img += img > 0;
    t->stores_tpl += tpl > 0;
    t->stores_both += img > 0 && tpl > 0;
    t->face_stores += face > 0;

    /* posture */
    json_t *p = json_object_get(s, "posture");
    const char *alg;
    tri pub = posture_public(p), enc = posture_encrypted(p, &alg);
    json_t *po = json_object();
    set_str(po, "public", tri_text(pub));
    set_str(po, "encrypted", tri_text(enc));
    set_str(po, "encryption", alg ? alg : enc == TRI_NO ? "none" : "unknown");
    json_t *ver = json_object_get(p, "versioning");
    set_str(po, "versioning", json_is_string(ver) ? json_string_value(ver) : "unknown");
    json_t *lc = json_object_get(p, "lifecycle");
    if (json_is_array(lc))
        set_fmt(po, "lifecycle", "%zu %s", json_array_size(lc), plural((json_int_t)json_array_size(lc), "rule", "rules"));
    else
        set_str(po, "lifecycle", json_is_string(lc) ? json_string_value(lc) : "unknown");
    set_fmt(po, "text", "encryption at rest: %s; public access: %s",
            alg ? alg : enc == TRI_NO ? "none" : "unknown", tri_text(pub));
    json_object_set_new(o, "posture", po);
    int exposed = face > 0 && (pub == TRI_YES || enc == TRI_NO);
    json_object_set_new(o, "exposed", json_boolean(exposed));
    if (face > 0) {
        /* two separate controls: a public store may also be unencrypted */
        if (pub == TRI_YES) {
            t->exposed_public++;
            t->exposed_objects_public += face;
            list_add(&t->public_list, loc ? loc : "?");
        }
        if (enc == TRI_NO) {
            t->exposed_unencrypted++;
            t->exposed_objects_unenc += face;
            list_add(&t->unenc_list, loc ? loc : "?");
        }
        if (enc == TRI_UNKNOWN || pub == TRI_UNKNOWN)
            t->posture_unknown++;
        if (enc == TRI_YES)
            t->encrypted_known++;
        if (pub == TRI_NO)
            t->public_known++;
    }
    int is_log = kind && (!strcmp(kind, "log") || !strcmp(kind, "logs") || !strcmp(kind, "logfile"));
    int is_archive = kind && (!strcmp(kind, "archive") || !strcmp(kind, "backup"));
    json_object_set_new(o, "is_log", json_boolean(is_log));
    json_object_set_new(o, "is_archive", json_boolean(is_archive));
    if (is_log && (img || tpl)) {
        t->log_stores++;
        t->log_objects += img + tpl;
        list_add(&t->log_list, loc ? loc : "?");
    }
    if (is_archive && face) {
        t->archive_stores++;
        t->archive_objects += face;
        list_add(&t->archive_list, loc ? loc : "?");
    }
    json_t *ex = json_object_get(s, "examples");
    if (json_is_array(ex))
        json_object_set(o, "examples", ex);
    else
        json_object_set_new(o, "examples", json_array());
    json_t *exposure = json_object_get(s, "exposure");
    if (exposure)
        json_object_set(o, "exposure", exposure);
    return o;
}

static int flow_insecure(json_t *f)
{
    if (json_is_true(json_object_get(f, "insecure")))
        return 1;
    const char *tr = jstr(f, "transport");
    if (!tr)
        tr = jstr(f, "scheme");
    if (tr && !strcasecmp(tr, "http"))
        return 1;
    json_t *to = json_object_get(f, "to");
    const char *url = jstr(to, "url");
    return url && !strncasecmp(url, "http://", 7);
}

/* Reads the subjects estimate wherever the inventory puts it. */
static json_t *subjects_estimate(json_t *summary)
{
    static const char *keys[] = { "subjects_upper_bound", "exposure", "data_subjects_upper_bound", "estimated_subjects" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(summary, keys[i]);
        if (json_is_integer(v))
            return v;
        if (json_is_object(v)) {
            static const char *sub[] = { "estimate", "upper_bound", "subjects_upper_bound", "subjects", "total" };
            for (size_t j = 0; j < sizeof sub / sizeof sub[0]; j++)
                if (json_is_integer(json_object_get(v, sub[j])))
                    return json_object_get(v, sub[j]);
        }
    }
    return NULL;
}

json_t *fa_dpia_view(const fa_dpia_input *in, fa_err *err)
{
    json_t *inv = in->inventory;
    json_t *stores_in = json_object_get(inv, "stores"), *flows_in = json_object_get(inv, "flows");
    if (!json_is_object(inv) || !json_is_array(stores_in)) {
        fa_err_set(err, FA_FAIL, "inventory", "%s: not an inventory (expected an object with a \"stores\" array)",
                   in->inventory_name ? in->inventory_name : "inventory");
        return NULL;
    }
    if (flows_in && !json_is_array(flows_in)) {
        fa_err_set(err, FA_FAIL, "inventory", "%s: \"flows\" must be an array",
                   in->inventory_name ? in->inventory_name : "inventory");
        return NULL;
    }
    json_t *view = json_object();
    char ts[32];
    struct tm tm;
    gmtime_r(&in->now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    set_str(view, "generated_at", ts);
    strftime(ts, sizeof ts, "%Y-%m-%d", &tm);
    set_str(view, "generated_date", ts);
    json_t *tool = json_object();
    set_str(tool, "name", "faceaudit");
    set_str(tool, "version", in->version ? in->version : "");
    json_object_set_new(view, "tool", tool);
    json_t *src = json_object();
    set_str(src, "inventory", in->inventory_name ? in->inventory_name : "(inventory)");
    set_str(src, "retention", in->retention_name ? in->retention_name : "");
    json_object_set_new(view, "sources", src);

    /* stores */
    totals t = { 0 };
    fa_buf_init(&t.public_list, 0);
    fa_buf_init(&t.unenc_list, 0);
    fa_buf_init(&t.log_list, 0);
    fa_buf_init(&t.archive_list, 0);
    json_t *stores = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(stores_in, i, s)
        if (json_is_object(s))
            json_array_append_new(stores, build_store(s, &t));
    json_object_set_new(view, "stores", stores);
    json_object_set_new(view, "has_stores", json_boolean(json_array_size(stores) > 0));

    /* categories across stores */
    json_t *cats = json_array();
    for (size_t c = 0; c < sizeof category_labels / sizeof category_labels[0]; c++) {
        json_int_t co = 0, cf = 0, cb = 0, cs = 0;
        json_t *st;
        json_array_foreach(stores, i, st) {
            size_t k;
            json_t *cv;
            json_array_foreach(json_object_get(st, "categories"), k, cv)
                if (!strcmp(jstr(cv, "key"), category_labels[c].key)) {
                    co += jint(cv, "objects");
                    cf += jint(cv, "findings");
                    cb += jint(cv, "bytes");
                    cs++;
                }
        }
        if (!cf && !co)
            continue;
        json_t *co_ = json_object();
        char hb[32];
        human_bytes(hb, sizeof hb, cb);
        set_str(co_, "key", category_labels[c].key);
        set_str(co_, "label", category_labels[c].label);
        set_int(co_, "objects", co);
        set_int(co_, "findings", cf);
        set_int(co_, "bytes", cb);
        set_str(co_, "bytes_human", hb);
        set_int(co_, "stores", cs);
        json_array_append_new(cats, co_);
    }
    json_object_set_new(view, "categories", cats);

    /* flows and recipients */
    json_t *flows = json_array(), *recipients = json_array(), *hosts = json_object();
    json_int_t insecure = 0, vendor_flow_count = 0, leak_flows = 0;
    fa_buf insecure_list = FA_BUF_INIT, host_list = FA_BUF_INIT;
    json_t *f;
    json_array_foreach(flows_in, i, f) {
        json_t *to = json_object_get(f, "to");
        const char *to_kind = json_is_object(to) ? jstr(to, "kind") : NULL;
        const char *host = json_is_object(to) ? jstr(to, "host") : json_is_string(to) ? json_string_value(to) : NULL;
        const char *to_store = json_is_object(to) ? (jstr(to, "location") ? jstr(to, "location") : jstr(to, "id")) : NULL;
        const char *fkind = jstr(f, "kind");
        const char *cat = jstr(f, "category");
        int bad = flow_insecure(f);
        json_t *o = json_object();
        set_str(o, "from", jstr(f, "from"));
        set_str(o, "to", host ? host : to_store ? to_store : "(unknown)");
        set_str(o, "to_kind", to_kind ? to_kind : "unknown");
        set_str(o, "kind", fkind ? fkind : to_kind ? to_kind : "unknown");
        set_str(o, "category", cat ? cat : "unknown");
        set_str(o, "category_label", cat ? category_label(cat) : "unknown");
        set_int(o, "count", jint(f, "count"));
        set_str(o, "first_seen", jstr(f, "first_seen"));
        set_str(o, "last_seen", jstr(f, "last_seen"));
        json_object_set_new(o, "insecure", json_boolean(bad));
        set_str(o, "transport", bad ? "http (unencrypted)" : "not flagged");
        json_array_append(flows, o);
        if (bad) {
            insecure++;
            list_add(&insecure_list, host ? host : "?");
        }
        if ((to_kind && !strcmp(to_kind, "vendor")) || (fkind && !strcmp(fkind, "vendor"))) {
            vendor_flow_count++;
            json_array_append_new(recipients, json_deep_copy(o));
            if (host && !json_object_get(hosts, host)) {
                json_object_set_new(hosts, host, json_true());
                list_add(&host_list, host);
            }
        } else if (fkind && !strcmp(fkind, "logging_leak")) {
            leak_flows++;
        }
        json_decref(o);
    }
    json_object_set_new(view, "flows", flows);
    json_object_set_new(view, "recipients", recipients);
    json_object_set_new(view, "has_recipients", json_boolean(json_array_size(recipients) > 0));
    json_t *vendors = json_array();
    const char *hk;
    json_t *hv;
    json_object_foreach(hosts, hk, hv)
        json_array_append_new(vendors, json_string(hk));
    json_decref(hosts);
    json_object_set_new(view, "vendors", vendors);

    /* retention */
    json_t *ret = json_object();
    json_int_t overdue = 0, unknown = 0, due = 0;
    json_t *r = in->retention;
    json_object_set_new(view, "has_retention", json_boolean(r != NULL));
    if (r) {
        json_t *sum = json_object_get(r, "summary");
        static const char *st_keys[] = { "ok", "due", "overdue", "hold", "unknown" };
        json_int_t total = 0;
        for (size_t k = 0; k < 5; k++) {
            set_int(ret, st_keys[k], jint(sum, st_keys[k]));
            total += jint(sum, st_keys[k]);
        }
        set_int(ret, "total", total);
        overdue = jint(sum, "overdue");
        unknown = jint(sum, "unknown");
        due = jint(sum, "due");
        set_str(ret, "as_of", jstr(r, "as_of"));
        json_t *items = json_array(), *bases = json_object(), *a;
        json_t *per_rule = json_object();   /* rule id -> {artifacts, overdue} */
        json_int_t shown = 0;
        json_array_foreach(json_object_get(r, "artifacts"), i, a) {
            const char *basis = jstr(a, "basis"), *rule = jstr(a, "rule");
            const char *status = jstr(a, "status");
            if (basis || rule) {
                char key[512];
                snprintf(key, sizeof key, "%s\x1f%s", rule ? rule : "", basis ? basis : "");
                if (!json_object_get(bases, key)) {
                    json_t *b = json_object();
                    set_str(b, "rule", rule ? rule : "default");
                    set_str(b, "basis", basis ? basis : "");
                    set_str(b, "max_age", jstr(a, "max_age"));
                    json_object_set_new(bases, key, b);
                }
            }
            /* the default rule has no id in artifacts; no rule and no max age: "(none)" */
            const char *rk_ = rule ? rule : jstr(a, "max_age") ? "default" : "(none)";
            json_t *pr = json_object_get(per_rule, rk_);
            if (!pr)
                json_object_set_new(per_rule, rk_, pr = json_object());
            set_int(pr, "artifacts", jint(pr, "artifacts") + 1);
            if (status && !strcmp(status, "overdue"))
                set_int(pr, "overdue", jint(pr, "overdue") + 1);
            if (!status || strcmp(status, "overdue"))
                continue;
            if (shown++ >= 50)
                continue;
            json_t *it = json_object();
            set_str(it, "location", jstr(a, "location") ? jstr(a, "location") : "?");
            set_str(it, "category", jstr(a, "category"));
            set_int(it, "age_days", jint(a, "age_days"));
            set_str(it, "timestamp", jstr(a, "timestamp"));
            set_str(it, "deadline", jstr(a, "deadline"));
            set_str(it, "rule", rule);
            set_str(it, "basis", basis);
            json_array_append_new(items, it);
        }
        json_object_set_new(ret, "overdue_items", items);
        set_int(ret, "overdue_not_shown", shown > 50 ? shown - 50 : 0);
        /* the written schedule: every rule of the policy (matched or not) and the default,
         * from the report's "policy" section; older reports without it fall back to the
         * rules that matched an artifact */
        json_t *pol = json_object_get(r, "policy");
        json_t *sched = json_array();
        if (json_is_object(pol)) {
            json_t *pr;
            json_array_foreach(json_object_get(pol, "rules"), i, pr)
                if (json_is_object(pr))
                    json_array_append_new(sched, schedule_entry(pr, per_rule, 0));
            json_t *d = json_object_get(pol, "default");
            if (json_is_object(d))
                json_array_append_new(sched, schedule_entry(d, per_rule, 1));
            set_str(ret, "policy_name", jstr(pol, "name"));
            set_str(ret, "policy_source", jstr(pol, "source"));
            set_str(ret, "policy_preset", jstr(pol, "preset"));
            json_t *holds = json_array(), *h;
            json_array_foreach(json_object_get(pol, "legal_hold"), i, h) {
                json_t *ho = json_object();
                set_str(ho, "match", jstr(h, "match") ? jstr(h, "match") : "");
                set_str(ho, "reason", jstr(h, "reason") ? jstr(h, "reason") : "no reason given");
                json_array_append_new(holds, ho);
            }
            json_object_set_new(ret, "has_legal_holds", json_boolean(json_array_size(holds) > 0));
            json_object_set_new(ret, "legal_holds", holds);
        } else {
            json_t *bv;
            const char *bk;
            json_object_foreach(bases, bk, bv) {
                json_t *e = json_object();
                set_str(e, "id", jstr(bv, "rule"));
                set_str(e, "max_age", jstr(bv, "max_age"));
                set_str(e, "basis", jstr(bv, "basis"));
                json_array_append_new(sched, schedule_entry(e, per_rule, !strcmp(jstr(bv, "rule"), "default")));
                json_decref(e);
            }
            set_str(ret, "policy_name", NULL);
            set_str(ret, "policy_source", NULL);
            set_str(ret, "policy_preset", NULL);
            json_object_set_new(ret, "has_legal_holds", json_false());
            json_object_set_new(ret, "legal_holds", json_array());
        }
        json_object_set_new(ret, "has_policy", json_boolean(json_is_object(pol)));
        json_decref(bases);
        json_decref(per_rule);
        json_object_set_new(ret, "has_schedule", json_boolean(json_array_size(sched) > 0));
        json_object_set_new(ret, "rules", sched);
        json_t *lc = json_object_get(r, "lifecycle");
        if (!lc)
            lc = json_object_get(r, "buckets");
        set_int(ret, "lifecycle_issues", json_is_array(lc) ? (json_int_t)json_array_size(lc) : 0);
    }
    json_object_set_new(view, "retention", ret);

    /* summary */
    json_t *sum = json_object();
    char hb[32];
    human_bytes(hb, sizeof hb, t.bytes);
    set_int(sum, "stores", (json_int_t)json_array_size(stores));
    set_int(sum, "face_stores", t.face_stores);
    set_int(sum, "objects", t.objects);
    set_int(sum, "findings", t.findings);
    set_int(sum, "bytes", t.bytes);
    set_str(sum, "bytes_human", hb);
    set_int(sum, "face_images", t.img_objects);
    set_int(sum, "face_templates", t.tpl_objects);
    set_int(sum, "biometric_metadata", t.meta_objects);
    set_int(sum, "vendor_endpoints", t.vendor_findings);
    set_int(sum, "vendors", (json_int_t)json_array_size(vendors));
    set_int(sum, "flows", (json_int_t)json_array_size(flows));
    set_int(sum, "vendor_flows", vendor_flow_count);
    set_int(sum, "insecure_flows", insecure);
    set_int(sum, "public_stores", t.exposed_public);
    set_int(sum, "unencrypted_stores", t.exposed_unencrypted);
    set_int(sum, "log_stores", t.log_stores);
    set_int(sum, "archive_stores", t.archive_stores);
    set_int(sum, "overdue", overdue);
    set_str(sum, "oldest", t.oldest);
    set_str(sum, "newest", t.newest);
    json_t *subj = subjects_estimate(json_object_get(inv, "summary"));
    if (subj)
        json_object_set(sum, "subjects_upper_bound", subj);
    else
        set_str(sum, "subjects_upper_bound", "not estimated");
    json_object_set_new(view, "summary", sum);

    /* risk register: fixed rules over the figures above */
    json_t *risks = json_array(), *rk;
    if (t.exposed_public) {
        rk = add_risk(risks, "public_store", "Face data in publicly accessible storage", "probable", "severe",
                      "Art. 5(1)(f), Art. 32",
                      "Block public access (bucket policy, ACLs, account-level public access block); review access logs for past downloads and assess whether a breach notification is due (Art. 33/34).");
        set_fmt(rk, "evidence", "%lld %s with face data %s publicly accessible (%lld %s): %s.",
                (long long)t.exposed_public, plural(t.exposed_public, "store", "stores"),
                plural(t.exposed_public, "is", "are"), (long long)t.exposed_objects_public,
                plural(t.exposed_objects_public, "object", "objects"), t.public_list.buf);
        set_int(json_object_get(rk, "counts"), "stores", t.exposed_public);
        set_int(json_object_get(rk, "counts"), "objects", t.exposed_objects_public);
    }
    if (t.exposed_unencrypted) {
        rk = add_risk(risks, "unencrypted_store", "Face data stored without encryption at rest", "possible", "severe",
                      "Art. 32(1)(a)",
                      "Enable encryption at rest (e.g. SSE-KMS with a dedicated key) and restrict key use to the service that needs it.");
        set_fmt(rk, "evidence", "%lld %s holding face data %s no encryption at rest (%lld %s): %s.",
                (long long)t.exposed_unencrypted, plural(t.exposed_unencrypted, "store", "stores"),
                plural(t.exposed_unencrypted, "reports", "report"), (long long)t.exposed_objects_unenc,
                plural(t.exposed_objects_unenc, "object", "objects"), t.unenc_list.buf);
        set_int(json_object_get(rk, "counts"), "stores", t.exposed_unencrypted);
        set_int(json_object_get(rk, "counts"), "objects", t.exposed_objects_unenc);
    }
    if (t.log_stores || leak_flows) {
        rk = add_risk(risks, "logging_leak", "Face images or templates written to logs", "probable", "significant",
                      "Art. 5(1)(c), Art. 5(1)(f), Art. 32",
                      "Stop logging request/response bodies that carry images or embeddings; redact at the logger; purge the affected logs and their copies.");
        set_fmt(rk, "evidence", "%lld log %s hold%s face images or templates (%lld %s)%s%s.",
                (long long)t.log_stores, plural(t.log_stores, "store", "stores"), t.log_stores == 1 ? "s" : "",
                (long long)t.log_objects, plural(t.log_objects, "object", "objects"),
                t.log_list.len ? ": " : "", t.log_list.buf);
        set_int(json_object_get(rk, "counts"), "stores", t.log_stores);
        set_int(json_object_get(rk, "counts"), "objects", t.log_objects);
        set_int(json_object_get(rk, "counts"), "flows", leak_flows);
    }
    if (t.img_objects) {
        int both = t.tpl_objects > 0;
        rk = add_risk(risks, "minimisation", "Raw face images kept where templates would do", both ? "probable" : "possible",
                      "significant", "Art. 5(1)(c), Art. 25",
                      "Delete enrolment images once the template is computed, or justify keeping them; keep only the template (ideally a protected one).");
        if (both)
            set_fmt(rk, "evidence", "%lld face %s kept in %lld %s, while %lld face %s (%lld %s both): the system already derives templates.",
                    (long long)t.img_objects, plural(t.img_objects, "image is", "images are"),
                    (long long)t.stores_img, plural(t.stores_img, "store", "stores"), (long long)t.tpl_objects,
                    plural(t.tpl_objects, "template exists", "templates exist"), (long long)t.stores_both,
                    plural(t.stores_both, "store holds", "stores hold"));
        else
            set_fmt(rk, "evidence", "%lld face %s kept in %lld %s; whether templates alone would serve the purpose is for the controller to assess.",
                    (long long)t.img_objects, plural(t.img_objects, "image is", "images are"),
                    (long long)t.stores_img, plural(t.stores_img, "store", "stores"));
        set_int(json_object_get(rk, "counts"), "face_images", t.img_objects);
        set_int(json_object_get(rk, "counts"), "face_templates", t.tpl_objects);
    }
    if (vendor_flow_count) {
        rk = add_risk(risks, "vendor_flow", "Face data sent to third-party face-recognition services", "possible",
                      "significant", "Art. 28, Art. 44-49",
                      "Processor agreement (Art. 28) with each vendor; check retention and training use by the vendor; transfer safeguards where the vendor is outside the EEA.");
        set_fmt(rk, "evidence", "%lld %s to %zu face-service %s: %s.", (long long)vendor_flow_count,
                plural(vendor_flow_count, "flow", "flows"), json_array_size(vendors),
                plural((json_int_t)json_array_size(vendors), "host", "hosts"), host_list.buf);
        set_int(json_object_get(rk, "counts"), "flows", vendor_flow_count);
        set_int(json_object_get(rk, "counts"), "hosts", (json_int_t)json_array_size(vendors));
    }
    if (insecure) {
        rk = add_risk(risks, "insecure_transmission", "Biometric data sent over unencrypted HTTP", "probable", "severe",
                      "Art. 32(1)(a)", "Use HTTPS (TLS 1.2+) for every call to face services; reject plain-HTTP endpoints in configuration.");
        set_fmt(rk, "evidence", "%lld %s over plain http://: %s.", (long long)insecure,
                plural(insecure, "flow", "flows"), insecure_list.buf);
        set_int(json_object_get(rk, "counts"), "flows", insecure);
    }
    if (overdue || (r && unknown)) {
        rk = add_risk(risks, "retention", "Biometric data kept beyond its retention period", overdue ? "probable" : "possible",
                      "significant", "Art. 5(1)(e); BIPA 740 ILCS 14/15(a)",
                      "Destroy the overdue data (faceaudit retention --manifest lists it), including archive copies; automate deletion with lifecycle rules.");
        set_fmt(rk, "evidence", "%lld %s overdue for destruction and %lld without a usable timestamp (retention report as of %s).",
                (long long)overdue, plural(overdue, "artifact is", "artifacts are"), (long long)unknown,
                jstr(r, "as_of") ? jstr(r, "as_of") : "unknown date");
        set_int(json_object_get(rk, "counts"), "overdue", overdue);
        set_int(json_object_get(rk, "counts"), "unknown", unknown);
    }
    if (t.tpl_objects || t.tpl_findings) {
        rk = add_risk(risks, "template_protection", "Face templates stored without template protection (ISO/IEC 24745)",
                      "possible", "severe", "Art. 25, Art. 32; ISO/IEC 24745",
                      "Store protected templates (irreversible, unlinkable, renewable: e.g. cancelable biometrics or homomorphic encryption) instead of raw embeddings.");
        set_fmt(rk, "evidence", "%lld face %s (%lld %s) readable as plain numeric vectors: a template faceaudit can recognise is not protected.",
                (long long)t.tpl_objects, plural(t.tpl_objects, "template object", "template objects"),
                (long long)t.tpl_findings, plural(t.tpl_findings, "finding", "findings"));
        set_int(json_object_get(rk, "counts"), "objects", t.tpl_objects);
        set_int(json_object_get(rk, "counts"), "findings", t.tpl_findings);
    }
    if (t.archive_stores) {
        rk = add_risk(risks, "backups", "Face data in archives and backups outside the retention process", "possible",
                      "significant", "Art. 5(1)(e), Art. 17",
                      "Include archives and backups in the deletion process, or keep them encrypted with keys that are destroyed on schedule.");
        set_fmt(rk, "evidence", "%lld %s hold%s face data (%lld %s): %s.", (long long)t.archive_stores,
                plural(t.archive_stores, "archive", "archives"), t.archive_stores == 1 ? "s" : "",
                (long long)t.archive_objects, plural(t.archive_objects, "object", "objects"), t.archive_list.buf);
        set_int(json_object_get(rk, "counts"), "stores", t.archive_stores);
        set_int(json_object_get(rk, "counts"), "objects", t.archive_objects);
    }
    json_int_t high = 0;
    json_array_foreach(risks, i, rk)
        high += !strcmp(jstr(rk, "overall"), "high");
    json_object_set_new(view, "risks", risks);
    json_object_set_new(view, "has_risks", json_boolean(json_array_size(risks) > 0));
    set_int(sum, "risks", (json_int_t)json_array_size(risks));
    set_int(sum, "high_risks", high);

    /* measures checklist */
    json_t *ms = json_array();
    fa_buf ev = FA_BUF_INIT;
    if (t.exposed_unencrypted || t.exposed_public) {
        fa_buf_addf(&ev, "%lld %s with face data without encryption at rest", (long long)t.exposed_unencrypted,
                    plural(t.exposed_unencrypted, "store", "stores"));
    }
    if (t.exposed_unencrypted)
        add_measure(ms, "Encryption at rest for every store holding face data", "contradicted", "Art. 32(1)(a)", ev.buf);
    else if (t.face_stores && t.encrypted_known == t.face_stores) {
        fa_buf_reset(&ev);
        fa_buf_addf(&ev, "%s %lld %s encryption at rest", t.face_stores == 1 ? "the" : "all", (long long)t.face_stores,
                    plural(t.face_stores, "store with face data reports", "stores with face data report"));
        add_measure(ms, "Encryption at rest for every store holding face data", "evidenced", "Art. 32(1)(a)", ev.buf);
    } else {
        fa_buf_reset(&ev);
        fa_buf_addf(&ev, "encryption at rest is not known for %lld of %lld %s with face data (local folders and unscanned posture)",
                    (long long)(t.face_stores - t.encrypted_known), (long long)t.face_stores,
                    plural(t.face_stores, "store", "stores"));
        add_measure(ms, "Encryption at rest for every store holding face data", "needs_human", "Art. 32(1)(a)", ev.buf);
    }
    fa_buf_reset(&ev);
    if (t.exposed_public) {
        fa_buf_addf(&ev, "%lld %s with face data %s publicly accessible", (long long)t.exposed_public,
                    plural(t.exposed_public, "store", "stores"), plural(t.exposed_public, "is", "are"));
        add_measure(ms, "No public access to stores holding face data", "contradicted", "Art. 32", ev.buf);
    } else if (t.face_stores && t.public_known == t.face_stores) {
        fa_buf_addf(&ev, "%s %lld %s public access", t.face_stores == 1 ? "the" : "all", (long long)t.face_stores,
                    plural(t.face_stores, "store with face data blocks", "stores with face data block"));
        add_measure(ms, "No public access to stores holding face data", "evidenced", "Art. 32", ev.buf);
    } else {
        fa_buf_addf(&ev, "public access is not known for %lld of %lld %s with face data",
                    (long long)(t.face_stores - t.public_known), (long long)t.face_stores,
                    plural(t.face_stores, "store", "stores"));
        add_measure(ms, "No public access to stores holding face data", "needs_human", "Art. 32", ev.buf);
    }
    fa_buf_reset(&ev);
    if (t.log_stores || leak_flows) {
        fa_buf_addf(&ev, "%lld log %s face images or templates (%lld %s)", (long long)t.log_stores,
                    plural(t.log_stores, "store holds", "stores hold"), (long long)t.log_objects,
                    plural(t.log_objects, "object", "objects"));
        add_measure(ms, "No face images or templates in application logs", "contradicted", "Art. 5(1)(c)", ev.buf);
    } else {
        add_measure(ms, "No face images or templates in application logs", "needs_human", "Art. 5(1)(c)",
                    "no face images or templates were found in the scanned logs; confirm that every log location was in scope");
    }
    fa_buf_reset(&ev);
    if (t.stores_both) {
        fa_buf_addf(&ev, "%lld face %s kept although templates exist (%lld %s both)", (long long)t.img_objects,
                    plural(t.img_objects, "image", "images"), (long long)t.stores_both,
                    plural(t.stores_both, "store holds", "stores hold"));
        add_measure(ms, "Raw images deleted once templates are computed", "contradicted", "Art. 5(1)(c), Art. 25", ev.buf);
    } else {
        fa_buf_addf(&ev, "%lld face %s and %lld template %s found; whether images are still needed is a decision",
                    (long long)t.img_objects, plural(t.img_objects, "image", "images"), (long long)t.tpl_objects,
                    plural(t.tpl_objects, "object", "objects"));
        add_measure(ms, "Raw images deleted once templates are computed", "needs_human", "Art. 5(1)(c), Art. 25", ev.buf);
    }
    fa_buf_reset(&ev);
    if (t.tpl_objects || t.tpl_findings) {
        fa_buf_addf(&ev, "%lld template %s readable as plain vectors", (long long)t.tpl_objects,
                    plural(t.tpl_objects, "object", "objects"));
        add_measure(ms, "Template protection (ISO/IEC 24745: irreversible, unlinkable, renewable)", "contradicted",
                    "Art. 25; ISO/IEC 24745", ev.buf);
    } else {
        add_measure(ms, "Template protection (ISO/IEC 24745: irreversible, unlinkable, renewable)", "needs_human",
                    "Art. 25; ISO/IEC 24745", "no plain templates found in the scanned data; confirm how templates are stored");
    }
    fa_buf_reset(&ev);
    if (insecure) {
        fa_buf_addf(&ev, "%lld %s over plain http://", (long long)insecure, plural(insecure, "flow", "flows"));
        add_measure(ms, "Encryption in transit to face services", "contradicted", "Art. 32(1)(a)", ev.buf);
    } else if (vendor_flow_count) {
        fa_buf_addf(&ev, "none of the %lld vendor %s uses plain http://", (long long)vendor_flow_count,
                    plural(vendor_flow_count, "flow", "flows"));
        add_measure(ms, "Encryption in transit to face services", "evidenced", "Art. 32(1)(a)", ev.buf);
    } else {
        add_measure(ms, "Encryption in transit to face services", "needs_human", "Art. 32(1)(a)",
                    "no flows to face services were found in the scanned data");
    }
    fa_buf_reset(&ev);
    if (vendor_flow_count) {
        fa_buf_addf(&ev, "processor agreements needed for %zu %s: %s", json_array_size(vendors),
                    plural((json_int_t)json_array_size(vendors), "host", "hosts"), host_list.buf);
        add_measure(ms, "Processor agreements (Art. 28) and transfer safeguards for face services", "needs_human",
                    "Art. 28, Art. 44-49", ev.buf);
    } else {
        add_measure(ms, "Processor agreements (Art. 28) and transfer safeguards for face services", "needs_human",
                    "Art. 28, Art. 44-49", "no flows to face services were found; confirm no processor handles the data");
    }
    fa_buf_reset(&ev);
    if (!r) {
        add_measure(ms, "Retention schedule enforced (data destroyed on time)", "needs_human",
                    "Art. 5(1)(e); BIPA 740 ILCS 14/15(a)", "no retention report was given (faceaudit retention)");
    } else if (overdue) {
        fa_buf_addf(&ev, "%lld %s overdue for destruction", (long long)overdue, plural(overdue, "artifact", "artifacts"));
        add_measure(ms, "Retention schedule enforced (data destroyed on time)", "contradicted",
                    "Art. 5(1)(e); BIPA 740 ILCS 14/15(a)", ev.buf);
    } else if (unknown) {
        fa_buf_addf(&ev, "none overdue, but %lld %s without a usable timestamp", (long long)unknown,
                    plural(unknown, "artifact", "artifacts"));
        add_measure(ms, "Retention schedule enforced (data destroyed on time)", "needs_human",
                    "Art. 5(1)(e); BIPA 740 ILCS 14/15(a)", ev.buf);
    } else {
        fa_buf_addf(&ev, "no artifact overdue (%lld due within the warning period)", (long long)due);
        add_measure(ms, "Retention schedule enforced (data destroyed on time)", "evidenced",
                    "Art. 5(1)(e); BIPA 740 ILCS 14/15(a)", ev.buf);
    }
    fa_buf_reset(&ev);
    if (t.archive_stores) {
        fa_buf_addf(&ev, "%lld %s face data", (long long)t.archive_stores,
                    plural(t.archive_stores, "archive holds", "archives hold"));
        add_measure(ms, "Backups and archives follow the retention schedule", "needs_human", "Art. 5(1)(e)", ev.buf);
    } else {
        add_measure(ms, "Backups and archives follow the retention schedule", "needs_human", "Art. 5(1)(e)",
                    "no archives with face data were found in the scanned data; backups outside the scan need checking");
    }
    add_measure(ms, "Published written retention and destruction policy", "needs_human", "BIPA 740 ILCS 14/15(a)",
                "a policy document cannot be evidenced by a scan");
    add_measure(ms, "Explicit, informed written consent before collection", "needs_human",
                "Art. 9(2)(a); BIPA 740 ILCS 14/15(b)", "consent records cannot be evidenced by a scan");
    add_measure(ms, "Access control and audit logging for biometric stores", "needs_human", "Art. 32(1)(b)",
                "access policies are not part of the scan");
    fa_buf_release(&ev);
    json_int_t n_ev = 0, n_con = 0, n_hum = 0;
    json_t *m;
    json_array_foreach(ms, i, m) {
        const char *st = jstr(m, "status");
        n_ev += !strcmp(st, "evidenced");
        n_con += !strcmp(st, "contradicted");
        n_hum += !strcmp(st, "needs_human");
    }
    json_object_set_new(view, "measures", ms);
    set_int(sum, "measures_evidenced", n_ev);
    set_int(sum, "measures_contradicted", n_con);
    set_int(sum, "measures_needs_human", n_hum);

    fa_buf_release(&t.public_list);
    fa_buf_release(&t.unenc_list);
    fa_buf_release(&t.log_list);
    fa_buf_release(&t.archive_list);
    fa_buf_release(&insecure_list);
    fa_buf_release(&host_list);

    /* people's facts, then --set, then prompts for whatever is still open */
    if (in->facts)
        deep_merge(view, in->facts);
    for (size_t k = 0; k < in->nsets; k++)
        if (fa_dpia_set(view, in->sets[k], err) != FA_OK) {
            json_decref(view);
            return NULL;
        }
    fill_prompts(view);
    add_phrases(view);
    add_positions(view);
    return view;
}

/* ---- --data ----------------------------------------------------------------------- */

static json_t *yaml_to_json(const fa_ynode *n)
{
    if (fa_ynode_is_map(n)) {
        json_t *o = json_object();
        for (size_t i = 0; i < fa_ynode_len(n); i++) {
            fa_ynode k = fa_ynode_key(n, i), v = fa_ynode_value(n, i);
            const char *ks = fa_ynode_scalar(&k);
            if (ks)
                json_object_set_new(o, ks, yaml_to_json(&v));
        }
        return o;
    }
    if (fa_ynode_is_seq(n)) {
        json_t *a = json_array();
        for (size_t i = 0; i < fa_ynode_len(n); i++) {
            fa_ynode it = fa_ynode_item(n, i);
            json_array_append_new(a, yaml_to_json(&it));
        }
        return a;
    }
    const char *s = fa_ynode_scalar(n);
    if (!s)
        return json_null();
    if (n->node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (!strcmp(s, "true") || !strcmp(s, "yes"))
            return json_true();
        if (!strcmp(s, "false") || !strcmp(s, "no"))
            return json_false();
        if (!strcmp(s, "null") || !strcmp(s, "~") || !*s)
            return json_null();
        char *end;
        long long ll = strtoll(s, &end, 10);
        if (*s && !*end)
            return json_integer(ll);
    }
    return json_string(s);
}

json_t *fa_dpia_load_facts(const char *path, fa_err *err)
{
    fa_buf b = FA_BUF_INIT;
    if (fa_buf_read_file(&b, path, 0, err) < 0) {
        fa_buf_release(&b);
        return NULL;
    }
    size_t i = 0;
    while (i < b.len && isspace((unsigned char)b.buf[i]))
        i++;
    json_t *out = NULL;
    if (i < b.len && (b.buf[i] == '{' || b.buf[i] == '[')) {
        json_error_t je;
        out = json_loadb(b.buf, b.len, 0, &je);
        if (!out)
            fa_err_set(err, FA_FAIL, "syntax", "%s:%d:%d: %s", path, je.line, je.column, je.text);
    } else {
        fa_ydoc *d = fa_ydoc_load(path, b.buf, b.len, err);
        if (d) {
            fa_ynode root = fa_ydoc_root(d);
            if (!root.node) {
                out = json_object();   /* an empty file: no facts */
            } else {
                out = yaml_to_json(&root);
            }
            fa_ydoc_free(d);
        }
    }
    fa_buf_release(&b);
    if (out && !json_is_object(out)) {
        fa_err_set(err, FA_FAIL, "syntax", "%s:1:1: the facts file must be a mapping of names to values", path);
        json_decref(out);
        out = NULL;
    }
    return out;
}

/* ---- template metadata ------------------------------------------------------------ */

void fa_dpia_template_meta(const char *text, size_t len, const char *filename, fa_dpia_tmeta *m)
{
    memset(m, 0, sizeof *m);
    m->escape = FA_MUSTACHE_ESCAPE_HTML;
    int explicit_escape = 0;
    /* default format: the extension before ".mustache" */
    if (filename) {
        const char *base = strrchr(filename, '/');
        base = base ? base + 1 : filename;
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", base);
        char *mu = strstr(tmp, ".mustache");
        if (mu)
            *mu = 0;
        char *dot = strrchr(tmp, '.');
        if (dot)
            snprintf(m->format, sizeof m->format, "%s", dot + 1);
    }
    if (len < 3 || strncmp(text, "{{!", 3))
        goto done;
    const char *end = NULL;
    for (size_t i = 3; i + 1 < len; i++)
        if (text[i] == '}' && text[i + 1] == '}') {
            end = text + i;
            break;
        }
    if (!end)
        goto done;
    for (const char *p = text + 3; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        while (p < le && isspace((unsigned char)*p))
            p++;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon) {
            size_t kl = (size_t)(colon - p);
            const char *v = colon + 1;
            while (v < le && isspace((unsigned char)*v))
                v++;
            size_t vl = (size_t)(le - v);
            while (vl && isspace((unsigned char)v[vl - 1]))
                vl--;
            if (kl == 11 && !strncmp(p, "description", 11))
                snprintf(m->description, sizeof m->description, "%.*s", (int)vl, v);
            else if (kl == 6 && !strncmp(p, "format", 6))
                snprintf(m->format, sizeof m->format, "%.*s", (int)vl, v);
            else if (kl == 6 && !strncmp(p, "escape", 6)) {
                explicit_escape = 1;
                m->markdown = 0;
                m->escape = FA_MUSTACHE_ESCAPE_HTML;
                if (vl == 8 && !strncmp(v, "markdown", 8)) {
                    m->markdown = 1;
                    m->escape = FA_MUSTACHE_ESCAPE_NONE;
                } else if (vl == 4 && !strncmp(v, "json", 4))
                    m->escape = FA_MUSTACHE_ESCAPE_JSON;
                else if (vl == 9 && !strncmp(v, "json-html", 9))
                    m->escape = FA_MUSTACHE_ESCAPE_JSON_HTML;
                else if (vl == 4 && !strncmp(v, "none", 4))
                    m->escape = FA_MUSTACHE_ESCAPE_NONE;
            }
        }
        p = nl ? nl + 1 : end;
    }
done:
    if (!m->format[0])
        snprintf(m->format, sizeof m->format, "txt");
    /* Markdown output escapes for Markdown: HTML entities would show as "&#39;" in the
     * .md file, and the HTML rendering (md4c, raw HTML off) escapes for HTML itself */
    if (!explicit_escape && !strcmp(m->format, "md")) {
        m->markdown = 1;
        m->escape = FA_MUSTACHE_ESCAPE_NONE;
    }
}

/* ---- Markdown escaping ------------------------------------------------------------ */

static int is_word(unsigned char c) { return isalnum(c) || c >= 0x80; }

char *fa_dpia_md_escape(const char *s, size_t len)
{
    fa_buf b = FA_BUF_INIT;
    fa_buf_init(&b, len + 16);
    size_t i = 0;
    /* block markers only matter at the start of a line: the value may start one */
    if (len && strchr("#+-=", s[0]))
        fa_buf_addch(&b, '\\');
    else {
        size_t d = 0;
        while (d < len && d < 9 && isdigit((unsigned char)s[d]))
            d++;
        if (d && d < len && (s[d] == '.' || s[d] == ')') && (d + 1 == len || s[d + 1] == ' ' || s[d + 1] == '\t')) {
            fa_buf_add(&b, s, d);
            fa_buf_addch(&b, '\\');
            i = d;
        }
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
            continue;   /* CRLF: one space */
        if (c < 0x20 && c != '\t') {
            fa_buf_addch(&b, ' ');
            continue;
        }
        switch (c) {
        case '\\': case '`': case '*': case '<': case '>': case '|': case '~':
            fa_buf_addch(&b, '\\');
            break;
        case ']':
            /* "[text]" alone is literal text (the prompts); a link needs "](", "][" or,
             * for a definition, "]:" */
            if (i + 1 < len && (s[i + 1] == '(' || s[i + 1] == '[' || s[i + 1] == ':'))
                fa_buf_addch(&b, '\\');
            break;
        case '_':
            /* intraword underscores never emphasise (face_image stays readable) */
            if (!(i > 0 && is_word((unsigned char)s[i - 1]) && i + 1 < len && is_word((unsigned char)s[i + 1])))
                fa_buf_addch(&b, '\\');
            break;
        case '&':
            if (i + 1 < len && (s[i + 1] == '#' || isalpha((unsigned char)s[i + 1])))
                fa_buf_addch(&b, '\\');
            break;
        default:
            break;
        }
        fa_buf_addch(&b, (char)c);
    }
    return fa_buf_detach(&b, NULL);
}

void fa_dpia_view_escape_md(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c) {
            if (json_is_string(c)) {
                char *e = fa_dpia_md_escape(json_string_value(c), json_string_length(c));
                json_object_set_new(v, k, json_string(e));
                free(e);
            } else {
                fa_dpia_view_escape_md(c);
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) {
            if (json_is_string(c)) {
                char *e = fa_dpia_md_escape(json_string_value(c), json_string_length(c));
                json_array_set_new(v, i, json_string(e));
                free(e);
            } else {
                fa_dpia_view_escape_md(c);
            }
        }
    }
}

/* ---- Markdown to HTML ------------------------------------------------------------- */

static void md_out(const MD_CHAR *text, MD_SIZE size, void *ud) { fa_buf_add(ud, text, size); }

static const char stylesheet[] =
    "body{font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
    "max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}\n"
    "h1,h2,h3{line-height:1.25;page-break-after:avoid;break-after:avoid}\n"
    "h1{border-bottom:2px solid #333;padding-bottom:.3rem}\n"
    "h2{border-bottom:1px solid #bbb;padding-bottom:.2rem;margin-top:2rem}\n"
    "table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}\n"
    "th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
    "th{background:#eee}\n"
    "tr{page-break-inside:avoid;break-inside:avoid}\n"
    "code{font-family:'DejaVu Sans Mono',Menlo,monospace;font-size:.9em;word-break:break-all}\n"
    "blockquote{border-left:4px solid #c60;margin:1rem 0;padding:.2rem 1rem;background:#fff6ee}\n"
    "@media print{body{max-width:none;margin:0;font-size:10.5pt}"
    "a{color:inherit;text-decoration:none}h2{page-break-before:auto}"
    "th{background:#ddd !important;-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n"
    "@page{size:A4;margin:18mm 16mm}\n";

char *fa_dpia_md_to_html(const char *md, size_t len, const char *title, fa_err *err)
{
    fa_buf body = FA_BUF_INIT;
    /* raw HTML off: every value already went through the template's escaping, and a
     * scanned file name must never become markup */
    unsigned flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS | MD_FLAG_NOHTML;
    if (md_html(md, (MD_SIZE)len, md_out, &body, flags, 0) != 0) {
        fa_buf_release(&body);
        fa_err_set(err, FA_FAIL, "markdown", "cannot render Markdown to HTML");
        return NULL;
    }
    fa_buf page = FA_BUF_INIT;
    fa_buf_adds(&page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"generator\" content=\"faceaudit\">\n<title>");
    for (const char *p = title ? title : "faceaudit"; *p; p++) {
        switch (*p) {
        case '&': fa_buf_adds(&page, "&amp;"); break;
        case '<': fa_buf_adds(&page, "&lt;"); break;
        case '>': fa_buf_adds(&page, "&gt;"); break;
        case '"': fa_buf_adds(&page, "&quot;"); break;
        default: fa_buf_addch(&page, *p);
        }
    }
    fa_buf_adds(&page, "</title>\n<style>\n");
    fa_buf_adds(&page, stylesheet);
    fa_buf_adds(&page, "</style>\n</head>\n<body>\n<main>\n");
    fa_buf_add(&page, body.buf, body.len);
    fa_buf_adds(&page, "</main>\n</body>\n</html>\n");
    fa_buf_release(&body);
    return fa_buf_detach(&page, NULL);
}
