#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/policy.h"
#include "faceaudit/scandoc.h"

static fa_policy *load(const char *text, fa_err *err)
{
    return fa_policy_load("policy.yaml", text, strlen(text), err);
}

static int64_t at(const char *s)
{
    int64_t t;
    cr_assert_eq(fa_sdoc_time_parse(s, &t), 0, "%s", s);
    return t;
}

static const char *fmt(int64_t t)
{
    static char b[32];
    return fa_sdoc_time_format(t, b, sizeof b);
}

Test(policy, durations_in_words)
{
    fa_duration d;
    char b[32];
    cr_assert_eq(fa_duration_parse("18m", &d), 0);
    cr_assert_str_eq(fa_duration_words(d, b, sizeof b), "18 months");
    cr_assert_eq(fa_duration_parse("1y", &d), 0);
    cr_assert_str_eq(fa_duration_words(d, b, sizeof b), "1 year");
    cr_assert_eq(fa_duration_parse("7d", &d), 0);
    cr_assert_str_eq(fa_duration_words(d, b, sizeof b), "7 days");
    d.n = -1;
    cr_assert_str_eq(fa_duration_words(d, b, sizeof b), "");
}

Test(policy, durations)
{
    fa_duration d;
    cr_assert_eq(fa_duration_parse("90d", &d), 0);
    cr_assert_str_eq(fmt(fa_duration_add(at("2024-01-01"), d)), "2024-03-31T00:00:00Z");
    cr_assert_eq(fa_duration_parse("18m", &d), 0);
    cr_assert_str_eq(fmt(fa_duration_add(at("2024-01-31T08:00:00Z"), d)), "2025-07-31T08:00:00Z");
    cr_assert_eq(fa_duration_parse("1m", &d), 0);
    cr_assert_str_eq(fmt(fa_duration_add(at("2024-01-31"), d)), "2024-02-29T00:00:00Z");   /* clamped */
    cr_assert_eq(fa_duration_parse("3y", &d), 0);
    cr_assert_str_eq(fmt(fa_duration_add(at("2024-02-29"), d)), "2027-02-28T00:00:00Z");
    cr_assert_eq(fa_duration_parse("2w", &d), 0);
    cr_assert_eq(d.n, 2);
    cr_assert_eq(fa_duration_parse("3 years", &d), -1);
    cr_assert_eq(fa_duration_parse("y", &d), -1);
    cr_assert_eq(fa_duration_parse("-1d", &d), -1);
    cr_assert_eq(fa_duration_parse("10h", &d), -1);
}

Test(policy, glob)
{
    cr_assert(fa_policy_glob("corpus/uploads/**", "corpus/uploads/2024/a.jpg"));
    cr_assert(fa_policy_glob("corpus/**/a.jpg", "corpus/a.jpg"));
    cr_assert(!fa_policy_glob("corpus/*.jpg", "corpus/x/a.jpg"));
    cr_assert(fa_policy_glob("*.jpg", "corpus/x/a.jpg"));                 /* no '/': last component */
    cr_assert(fa_policy_glob("*.jpg", "corpus/b.zip!faces/c.jpg"));
    cr_assert(fa_policy_glob("corpus/backups/**", "corpus/backups/old.zip!faces/c.jpg"));
    cr_assert(fa_policy_glob("s3://acme/kiosk/", "s3://acme/kiosk/2024/x.jpg"));
    cr_assert(!fa_policy_glob("s3://acme/kiosk/", "s3://acme/other/x.jpg"));
    cr_assert(fa_policy_glob("s3://acme/*/x.jpg", "s3://acme/kiosk/x.jpg"));
    cr_assert(fa_policy_glob("img_[0-9].png", "d/img_7.png"));
    cr_assert(!fa_policy_glob("img_[!0-9].png", "d/img_7.png"));
    cr_assert(fa_policy_glob("a?c", "abc"));
    cr_assert(!fa_policy_glob("a?c", "a/c"));
}

Test(policy, load_and_match)
{
    fa_err err;
    fa_policy *p = load("name: Acme\nversion: 1\n"
                        "default:\n  max_age: 3y\n  basis: BIPA 740 ILCS 14/15(a)\n"
                        "rules:\n"
                        "  - id: uploads\n    category: face_image\n    match: ['corpus/uploads/**']\n    max_age: 90d\n"
                        "  - category: [face_template, biometric_metadata]\n    max_age: 18m\n    basis: templates\n"
                        "legal_hold:\n  - 'corpus/legal/**'\n  - match: s3://acme/hold/\n    reason: Doe v. Acme\n", &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(p->nrules, 2);
    cr_assert_str_eq(p->rules[1].id, "rule-2");
    const char *img[] = { "face_image", NULL }, *tpl[] = { "face_template", NULL };
    const fa_policy_rule *r = fa_policy_match(p, "corpus/uploads/a.jpg", "corpus/uploads/a.jpg", img);
    cr_assert_str_eq(r->id, "uploads");
    r = fa_policy_match(p, "corpus/uploads/a.npy", "corpus/uploads/a.npy", tpl);
    cr_assert_str_eq(r->id, "rule-2");
    r = fa_policy_match(p, "corpus/other/a.jpg", "corpus/other/a.jpg", img);
    cr_assert_str_eq(r->id, "default");
    cr_assert_eq(r->max_age.n, 3);
    const fa_policy_hold *h = fa_policy_hold_for(p, "s3://acme/hold/x.jpg", "s3://acme/hold/x.jpg");
    cr_assert_not_null(h);
    cr_assert_str_eq(h->reason, "Doe v. Acme");
    cr_assert_not_null(fa_policy_hold_for(p, "corpus/legal/a.zip!x.jpg", "corpus/legal/a.zip"));
    cr_assert_null(fa_policy_hold_for(p, "corpus/uploads/a.jpg", "corpus/uploads/a.jpg"));
    fa_policy_free(p);
}

Test(policy, errors_have_positions)
{
    fa_err err;
    cr_assert_null(load("rules:\n  - id: a\n    max_age: 3 years\n", &err));
    cr_assert_str_eq(err.msg, "policy.yaml:3:14: max_age '3 years' is not a duration like 90d, 12w, 18m or 3y");
    cr_assert_eq(err.status, FA_FATAL);
    cr_assert_null(load("rules:\n  - id: a\n    macth: x\n", &err));
    cr_assert(!strncmp(err.msg, "policy.yaml:3:5: unknown key 'macth'", 36), "%s", err.msg);
    cr_assert_null(load("default: {max_age: 1y}\nrtention: 1\n", &err));
    cr_assert(!strncmp(err.msg, "policy.yaml:2:1: unknown key 'rtention'", 39), "%s", err.msg);
    cr_assert_null(load("rules:\n  - id: a\n  - id: a\n", &err));
    cr_assert(strstr(err.msg, "policy.yaml:3:5: duplicate rule id 'a'"), "%s", err.msg);
    cr_assert_null(load("rules: [\n", &err));
    cr_assert(!strncmp(err.msg, "policy.yaml:", 12), "%s", err.msg);
    cr_assert_null(load("preset: hipaa\n", &err));
    cr_assert(strstr(err.msg, "policy.yaml:1:9: unknown preset 'hipaa'"), "%s", err.msg);
}

Test(policy, presets)
{
    fa_err err;
    fa_policy *p = fa_policy_preset("bipa", &err);
    cr_assert_not_null(p);
    cr_assert_eq(p->deflt.max_age.n, 3);
    cr_assert_eq(p->deflt.max_age.unit, 'y');
    cr_assert(strstr(p->deflt.basis, "740 ILCS 14/15(a)"));
    cr_assert(strstr(p->deflt.basis, "whichever occurs first"));
    fa_policy_free(p);
    p = fa_policy_preset("cubi", &err);
    cr_assert_eq(p->deflt.max_age.n, 1);
    cr_assert(strstr(p->deflt.basis, "503.001(c)(3)"));
    fa_policy_free(p);
    p = fa_policy_preset("gdpr", &err);
    cr_assert(p->max_age_required);
    cr_assert_lt(p->deflt.max_age.n, 0);
    cr_assert(strstr(p->deflt.basis, "Art. 5(1)(e)"));
    cr_assert_eq(fa_policy_set(p, "max_age=2y", &err), FA_OK);
    cr_assert_eq(p->deflt.max_age.n, 2);
    cr_assert_eq(fa_policy_set(p, "max_age=forever", &err), FA_FATAL);
    cr_assert_eq(fa_policy_set(p, "colour=red", &err), FA_FATAL);
    fa_policy_free(p);
    cr_assert_null(fa_policy_preset("hipaa", &err));
    /* A file layered on a preset: its rules first, the preset's basis kept. */
    p = load("preset: gdpr\ndefault:\n  max_age: 6m\nrules:\n  - match: '**/kiosk/**'\n    max_age: 30d\n", &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_str_eq(p->preset, "gdpr");
    cr_assert_eq(p->deflt.max_age.n, 6);
    cr_assert(strstr(p->deflt.basis, "Art. 5(1)(e)"));
    cr_assert_eq(p->nrules, 1);
    fa_policy_free(p);
}
