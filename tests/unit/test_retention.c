#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/retention.h"
#include "inventory_fixture.h"

static fa_scandoc *doc(void)
{
    fa_scandoc *d = fa_scandoc_new();
    fa_err err;
    cr_assert_eq(fa_scandoc_load_data(d, "scan.json", FIXTURE_DOC, strlen(FIXTURE_DOC), &err), FA_OK, "%s", err.msg);
    return d;
}

static fa_policy *policy(const char *text)
{
    fa_err err;
    fa_policy *p = fa_policy_load("p.yaml", text, strlen(text), &err);
    cr_assert_not_null(p, "%s", err.msg);
    return p;
}

static json_t *report(const char *pol, const char *as_of, int warn)
{
    fa_scandoc *d = doc();
    fa_policy *p = policy(pol);
    fa_retention_opts o = { .warn_days = warn };
    cr_assert_eq(fa_sdoc_time_parse(as_of, &o.as_of), 0);
    fa_err err;
    json_t *r = fa_retention_build(d, p, &o, &err);
    cr_assert_not_null(r);
    fa_policy_free(p);
    fa_scandoc_free(d);
    return r;
}

static json_t *art(json_t *r, const char *loc)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r, "artifacts"), i, a)
        if (!strcmp(json_string_value(json_object_get(a, "location")), loc))
            return a;
    cr_assert_fail("no artifact %s", loc);
    return NULL;
}

static const char *st(json_t *a) { return json_string_value(json_object_get(a, "status")); }
static long long sum(json_t *r, const char *k) { return json_integer_value(json_object_get(json_object_get(r, "summary"), k)); }

#define POLICY \
    "default:\n  max_age: 3y\n  basis: BIPA\n" \
    "rules:\n  - id: uploads\n    category: face_image\n    match: 'corpus/uploads/**'\n    max_age: 1y\n    basis: kiosk\n" \
    "legal_hold:\n  - match: 's3://acme-faces/kiosk/'\n    reason: litigation\n"

Test(retention, statuses)
{
    json_t *r = report(POLICY, "2025-07-01", 30);
    cr_assert_eq(json_array_size(json_object_get(r, "artifacts")), 5);   /* vendor-only objects excluded */
    json_t *a = art(r, "corpus/uploads/2024/a.jpg");
    cr_assert_str_eq(st(a), "overdue");
    cr_assert_str_eq(json_string_value(json_object_get(a, "deadline")), "2025-01-10T00:00:00Z");
    cr_assert_eq(json_integer_value(json_object_get(a, "age_days")), 538);
    cr_assert_str_eq(json_string_value(json_object_get(a, "rule")), "uploads");
    cr_assert_str_eq(json_string_value(json_object_get(a, "basis")), "kiosk");
    cr_assert_str_eq(st(art(r, "corpus/uploads/b c.jpg")), "ok");
    a = art(r, "corpus/backups/old.zip!faces/c.jpg");
    cr_assert_str_eq(st(a), "overdue");
    cr_assert_str_eq(json_string_value(json_object_get(a, "rule")), "default");
    a = art(r, "corpus/logs/app.log");
    cr_assert_str_eq(json_string_value(json_object_get(a, "category")), "face_template");
    cr_assert_str_eq(st(a), "ok");
    a = art(r, "s3://acme-faces/kiosk/2024/x.jpg");
    cr_assert_str_eq(st(a), "hold");
    cr_assert_eq(sum(r, "overdue"), 2);
    cr_assert_eq(sum(r, "ok"), 2);
    cr_assert_eq(sum(r, "hold"), 1);
    cr_assert_eq(sum(r, "bytes_overdue"), 4000);
    json_decref(r);
    /* --warn-days: b c.jpg is due within 30 days of 2026-06-01. */
    r = report(POLICY, "2026-05-10", 30);
    cr_assert_str_eq(st(art(r, "corpus/uploads/b c.jpg")), "due");
    json_decref(r);
    r = report(POLICY, "2026-05-10", 10);
    cr_assert_str_eq(st(art(r, "corpus/uploads/b c.jpg")), "ok");
    json_decref(r);
    r = report(POLICY, "2026-06-01", 0);
    cr_assert_str_eq(st(art(r, "corpus/uploads/b c.jpg")), "overdue");   /* on the deadline */
    json_decref(r);
}

Test(retention, gdpr_needs_decision)
{
    json_t *r = report("preset: gdpr\n", "2031-01-01", 30);
    cr_assert_eq(sum(r, "unknown"), 5);
    cr_assert_eq(sum(r, "needs_decision"), 5);
    cr_assert_eq(sum(r, "overdue"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(art(r, "corpus/uploads/2024/a.jpg"), "reason")), "needs_decision");
    json_decref(r);
    r = report("preset: gdpr\ndefault: {max_age: 2y}\n", "2026-02-01", 30);
    cr_assert_eq(sum(r, "needs_decision"), 0);
    cr_assert_str_eq(st(art(r, "corpus/uploads/2024/a.jpg")), "overdue");
    cr_assert_str_eq(st(art(r, "corpus/uploads/b c.jpg")), "ok");
    json_decref(r);
}

Test(retention, no_rule_and_categories)
{
    json_t *r = report("rules:\n  - category: face_template\n    max_age: 1d\n", "2031-01-01", 30);
    cr_assert_str_eq(st(art(r, "corpus/logs/app.log")), "overdue");
    json_t *a = art(r, "corpus/uploads/2024/a.jpg");
    cr_assert_str_eq(st(a), "unknown");
    cr_assert_str_eq(json_string_value(json_object_get(a, "reason")), "no_rule");
    json_decref(r);
}

Test(retention, bucket_lifecycle)
{
    /* The bucket expires kiosk/ after 400 days: longer than 1y, within 3y. */
    json_t *r = report("default: {max_age: 1y}\n", "2025-07-01", 30);
    json_t *b = json_array_get(json_object_get(r, "buckets"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(b, "status")), "too_long");
    cr_assert_eq(json_integer_value(json_object_get(b, "expiration_days")), 400);
    cr_assert_eq(json_integer_value(json_object_get(b, "policy_days")), 365);
    cr_assert_eq(sum(r, "buckets_noncompliant"), 1);
    json_decref(r);
    r = report("default: {max_age: 3y}\n", "2025-07-01", 30);
    b = json_array_get(json_object_get(r, "buckets"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(b, "status")), "ok");
    json_decref(r);
}

Test(retention, manifest)
{
    json_t *r = report(POLICY, "2025-07-01", 30);
    fa_buf b = FA_BUF_INIT, rw = FA_BUF_INIT;
    fa_retention_manifest(r, &b, &rw);
    /* The manifest is exactly the overdue plain files, nothing else (xargs reads every word);
     * archive members are notes in the other part. */
    cr_assert_str_eq(b.buf, "/abs/corpus/uploads/2024/a.jpg\n");
    cr_assert_str_eq(rw.buf, "/abs/corpus/backups/old.zip: rewrite without member faces/c.jpg\n");
    fa_buf_reset(&b);
    fa_buf_reset(&rw);
    json_decref(r);
    /* A name with a blank is backslash-escaped for xargs. */
    r = report("default: {max_age: 1d}\n", "2031-01-01", 30);
    fa_retention_manifest(r, &b, &rw);
    cr_assert(strstr(b.buf, "\n/abs/corpus/uploads/b\\ c.jpg\n"), "%s", b.buf);
    cr_assert(strstr(b.buf, "\ns3://acme-faces/kiosk/2024/x.jpg\n"), "%s", b.buf);
    cr_assert_null(strchr(b.buf, '#'), "%s", b.buf);
    fa_buf_release(&b);
    fa_buf_release(&rw);
    json_decref(r);
}

Test(retention, renderers)
{
    json_t *r = report(POLICY, "2025-07-01", 30);
    fa_buf b = FA_BUF_INIT;
    fa_err err;
    cr_assert_eq(fa_retention_render(r, FA_RET_MD, &b, &err), FA_OK);
    cr_assert(strstr(b.buf, "| overdue | 2 |"), "%s", b.buf);
    cr_assert(strstr(b.buf, "corpus/backups/old.zip!faces/c.jpg"));
    cr_assert(strstr(b.buf, "litigation"));
    fa_buf_reset(&b);
    cr_assert_eq(fa_retention_render(r, FA_RET_CSV, &b, &err), FA_OK);
    cr_assert(strstr(b.buf, "corpus/uploads/2024/a.jpg,face_image,2024-01-10T00:00:00Z,538,1y,2025-01-10T00:00:00Z,-172,overdue,,uploads,kiosk\n"), "%s", b.buf);
    fa_buf_release(&b);
    json_decref(r);
}

Test(retention, manifest_compressed_stream)
{
    const char *text =
        "{\"objects\":[{\"location\":{\"target\":\"d\",\"path\":\"d/logs/api.log.gz\",\"uri\":\"file:///x/d/logs/api.log.gz\",\"members\":[\"api.log\"]},\"mtime\":\"2020-01-01T00:00:00Z\"},"
        "{\"location\":{\"target\":\"d\",\"path\":\"d/b.tar.gz\",\"uri\":\"file:///x/d/b.tar.gz\",\"members\":[\"b.tar\",\"in/p.jpg\"]},\"mtime\":\"2020-01-01T00:00:00Z\"},"
        "{\"location\":{\"target\":\"-rf.jpg\",\"path\":\"-rf.jpg\"},\"mtime\":\"2020-01-01T00:00:00Z\"}],"
        "\"findings\":[{\"rule_id\":\"r\",\"category\":\"face_template\",\"location\":{\"path\":\"d/logs/api.log.gz\",\"members\":[\"api.log\"]}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"path\":\"d/b.tar.gz\",\"members\":[\"b.tar\",\"in/p.jpg\"]}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"path\":\"-rf.jpg\"}}]}";
    fa_scandoc *d = fa_scandoc_new();
    fa_err err;
    cr_assert_eq(fa_scandoc_load_data(d, "s.json", text, strlen(text), &err), FA_OK, "%s", err.msg);
    fa_policy *p = fa_policy_preset("bipa", &err);
    fa_retention_opts o = { .warn_days = 30 };
    fa_sdoc_time_parse("2031-01-01", &o.as_of);
    json_t *r = fa_retention_build(d, p, &o, &err);
    fa_buf b = FA_BUF_INIT, rw = FA_BUF_INIT;
    fa_retention_manifest(r, &b, &rw);
    cr_assert(strstr(b.buf, "/x/d/logs/api.log.gz\n"), "%s", b.buf);
    cr_assert_str_eq(rw.buf, "/x/d/b.tar.gz: rewrite without member b.tar!in/p.jpg\n");
    cr_assert(strstr(b.buf, "\n./-rf.jpg\n") || !strncmp(b.buf, "./-rf.jpg\n", 10), "%s", b.buf);   /* never an option to rm */
    fa_buf_release(&b);
    fa_buf_release(&rw);
    json_decref(r);
    fa_policy_free(p);
    fa_scandoc_free(d);
}
