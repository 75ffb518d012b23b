/* fa_policy: a retention policy (faceaudit-policy(5)): rules that match by category and
 * location (glob or s3:// prefix) and set a maximum age and its legal basis, legal-hold
 * patterns and a default. Loaded from YAML or built from a preset (bipa, cubi, gdpr). */
#ifndef FACEAUDIT_POLICY_H
#define FACEAUDIT_POLICY_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "faceaudit/err.h"

/* A calendar duration: 90d, 12w, 18m, 3y. n < 0 = not set. */
typedef struct fa_duration {
    long n;
    char unit;   /* 'd' 'w' 'm' 'y' */
} fa_duration;

/* "90d" -> {90,'d'}; returns 0, or -1 when s is not N followed by d, w, m or y. */
int     fa_duration_parse(const char *s, fa_duration *out);
/* t + d in calendar terms (months and years keep the day of month, clamped: Jan 31 + 1m =
 * Feb 28/29), UTC. */
int64_t fa_duration_add(int64_t t, fa_duration d);
/* "90d"; buf >= 24 bytes. "" when not set. */
char   *fa_duration_format(fa_duration d, char *buf, size_t size);
/* The same in words for documents: "18 months", "1 year"; "" when not set. Returns buf. */
char   *fa_duration_words(fa_duration d, char *buf, size_t size);

typedef struct fa_policy_rule {
    char  *id;            /* "rule-N" when the file gives none; "default" for the default */
    char **categories;    /* NULL-terminated; NULL = every category */
    char **match;         /* NULL-terminated globs / s3:// prefixes; NULL = every location */
    fa_duration max_age;  /* n < 0: not set (needs a decision) */
    char  *basis;         /* free text; may be NULL */
    long   line;          /* line in the policy file, 0 for presets and --set */
} fa_policy_rule;

typedef struct fa_policy_hold {
    char *match;          /* glob or s3:// prefix */
    char *reason;         /* may be NULL */
} fa_policy_hold;

typedef struct fa_policy {
    char           *name;
    char           *preset;          /* the preset it started from, or NULL */
    char           *source;          /* policy file name, or NULL */
    fa_policy_rule *rules;  size_t nrules;
    fa_policy_rule  deflt;           /* id "default"; applies when no rule matches */
    int             has_default;
    int             max_age_required;/* gdpr: the controller must set the period */
    fa_policy_hold *holds;  size_t nholds;
} fa_policy;

/* A preset ("bipa", "cubi", "gdpr"); NULL with err (FA_FATAL) if unknown. */
fa_policy *fa_policy_preset(const char *name, fa_err *err);
/* Loads a policy file (data != NULL: from memory, `file` names it in messages). A
 * `preset:` key in the file starts from that preset. Errors "file:line:column: message",
 * FA_FATAL. */
fa_policy *fa_policy_load(const char *file, const char *data, size_t len, fa_err *err);
/* Layers `over` on `base`: over's rules come first, its default and holds replace/extend
 * base's. over is consumed (freed). */
void       fa_policy_layer(fa_policy *base, fa_policy *over);
/* --set KEY=VALUE on the default rule: max_age=DURATION or basis=TEXT. */
fa_status  fa_policy_set(fa_policy *p, const char *assignment, fa_err *err);
void       fa_policy_free(fa_policy *p);

/* The rule for an object (first matching rule, else the default, else NULL). `display` is
 * "path!member", `path` the outer path; cats is NULL-terminated. Borrowed. */
const fa_policy_rule *fa_policy_match(const fa_policy *p, const char *display, const char *path,
                                      const char *const *cats);
/* The legal hold covering the object, or NULL. Borrowed. */
const fa_policy_hold *fa_policy_hold_for(const fa_policy *p, const char *display, const char *path);
/* Glob: `**` any run of characters, `*` and `?` stop at '/', [..] classes; a pattern without
 * '/' matches the last component (after '/' or '!'); "s3://..." without wildcards is a
 * prefix. Returns 1 on match. */
int        fa_policy_glob(const char *pattern, const char *s);
/* The policy as JSON (new reference), for reports. */
json_t    *fa_policy_to_json(const fa_policy *p);
#endif
