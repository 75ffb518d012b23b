#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/inventory.h"
#include "faceaudit/scandoc.h"
#include "inventory_fixture.h"

static fa_scandoc *load(const char *text)
{
    fa_scandoc *d = fa_scandoc_new();
    fa_err err;
    fa_err_clear(&err);
    cr_assert_eq(fa_scandoc_load_data(d, "scan.json", text, strlen(text), &err), FA_OK, "%s", err.msg);
    return d;
}

static json_t *build(fa_scandoc *d, int depth)
{
    fa_inventory_opts o;
    fa_inventory_opts_init(&o);
    o.group_depth = depth;
    fa_err err;
    json_t *inv = fa_inventory_build(d, &o, &err);
    cr_assert_not_null(inv);
    return inv;
}

static json_t *store(json_t *inv, const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(inv, "stores"), i, s)
        if (!strcmp(json_string_value(json_object_get(s, "id")), id))
            return s;
    return NULL;
}

static long long geti(json_t *o, const char *path)
{
    /* "a.b.c" */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *j = o;
    for (char *t = strtok(buf, "."); t && j; t = strtok(NULL, "."))
        j = json_object_get(j, t);
    cr_assert(json_is_integer(j), "%s is not an integer", path);
    return (long long)json_integer_value(j);
}

static const char *gets(json_t *o, const char *key)
{
    json_t *j = json_object_get(o, key);
    return json_is_string(j) ? json_string_value(j) : NULL;
}

static json_t *flow_of(json_t *inv, const char *kind)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(inv, "flows"), i, f)
        if (!strcmp(gets(f, "kind"), kind))
            return f;
    return NULL;
}

Test(inventory, stores_by_kind)
{
    fa_scandoc *d = load(FIXTURE_DOC);
    json_t *inv = build(d, 1);
    cr_assert_eq(json_array_size(json_object_get(inv, "stores")), 4);
    json_t *up = store(inv, "folder:corpus/uploads");
    cr_assert_not_null(up);
    cr_assert_eq(geti(up, "categories.face_image.objects"), 2);
    cr_assert_eq(geti(up, "categories.face_image.findings"), 2);
    cr_assert_eq(geti(up, "categories.face_image.bytes"), 3000);
    cr_assert_eq(geti(up, "objects_scanned"), 3);   /* clean.txt counts as scanned */
    cr_assert_str_eq(gets(up, "oldest"), "2024-01-10T00:00:00Z");
    cr_assert_str_eq(gets(up, "newest"), "2025-06-01T00:00:00Z");
    cr_assert_eq(geti(up, "exposure.faces"), 3);     /* 2 + 1 (no faces field) */
    json_t *ar = store(inv, "archive:corpus/backups/old.zip");
    cr_assert_not_null(ar);
    cr_assert_str_eq(gets(ar, "oldest"), "2022-05-05T00:00:00Z");
    json_t *lg = store(inv, "log:corpus/logs/app.log");
    cr_assert_not_null(lg);
    cr_assert_eq(geti(lg, "categories.vendor_endpoint.objects"), 1);
    cr_assert_eq(geti(lg, "categories.vendor_endpoint.findings"), 2);
    cr_assert_eq(geti(lg, "exposure.templates"), 5);
    cr_assert(json_is_true(json_object_get(lg, "holds_biometric")));
    json_t *s3 = store(inv, "bucket_prefix:s3://acme-faces/kiosk/2024/");
    cr_assert_not_null(s3);
    cr_assert(json_is_true(json_object_get(json_object_get(s3, "posture"), "public")));
    cr_assert_str_eq(gets(json_object_get(s3, "posture"), "encryption"), "none");
    json_decref(inv);
    fa_scandoc_free(d);
}

Test(inventory, group_depth)
{
    fa_scandoc *d = load(FIXTURE_DOC);
    json_t *inv = build(d, 0);
    cr_assert_not_null(store(inv, "folder:corpus"));
    cr_assert_not_null(store(inv, "bucket_prefix:s3://acme-faces/kiosk/"));
    json_decref(inv);
    inv = build(d, 2);
    cr_assert_not_null(store(inv, "folder:corpus/uploads/2024"));
    cr_assert_not_null(store(inv, "folder:corpus/uploads"));   /* "b c.jpg" sits one level up */
    json_decref(inv);
    fa_scandoc_free(d);
}

Test(inventory, flows)
{
    fa_scandoc *d = load(FIXTURE_DOC);
    json_t *inv = build(d, 1);
    json_t *v = flow_of(inv, "vendor");
    cr_assert_not_null(v);
    cr_assert_str_eq(gets(v, "from"), "log:corpus/logs/app.log");
    cr_assert_str_eq(gets(json_object_get(v, "to"), "host"), "api-us.faceplusplus.com");
    cr_assert_eq(geti(v, "count"), 2);
    cr_assert_str_eq(gets(v, "first_seen"), "2025-01-02T10:00:00Z");
    cr_assert_str_eq(gets(v, "last_seen"), "2025-01-03T11:00:00Z");   /* CLF timestamp */
    cr_assert(json_is_true(json_object_get(v, "insecure")));
    json_t *leak = flow_of(inv, "logging_leak");
    cr_assert_not_null(leak);
    cr_assert_str_eq(gets(leak, "from"), "application");
    cr_assert_str_eq(gets(leak, "category"), "face_template");
    json_t *bk = flow_of(inv, "backup");
    cr_assert_not_null(bk);
    cr_assert_str_eq(gets(bk, "from"), "folder:corpus/backups");
    cr_assert_str_eq(gets(json_object_get(bk, "to"), "id"), "archive:corpus/backups/old.zip");
    cr_assert_eq(geti(inv, "summary.exposure.faces"), 7);
    cr_assert_eq(geti(inv, "summary.exposure.templates"), 5);
    cr_assert_eq(geti(inv, "summary.exposure.estimate"), 12);
    cr_assert_eq(geti(inv, "summary.insecure_flows"), 1);
    json_decref(inv);
    fa_scandoc_free(d);
}

Test(inventory, warnings_and_fides)
{
    fa_scandoc *d = load(FIXTURE_DOC);
    json_t *inv = build(d, 1);
    char *s = json_dumps(json_object_get(inv, "warnings"), 0);
    cr_assert(strstr(s, "public bucket holds face images"), "%s", s);
    cr_assert(strstr(s, "unencrypted_bucket"));
    cr_assert(strstr(s, "logging_leak"));
    cr_assert(strstr(s, "insecure_transmission"));
    free(s);
    json_t *up = store(inv, "folder:corpus/uploads");
    json_t *fides = json_object_get(json_object_get(json_object_get(up, "categories"), "face_image"), "fides");
    cr_assert_str_eq(json_string_value(json_array_get(fides, 0)), "user.biometrics");
    cr_assert_str_eq(json_string_value(json_array_get(fides, 1)), "user.content.self_image");
    json_decref(inv);
    fa_inventory_opts o;
    fa_inventory_opts_init(&o);
    o.fides_legacy = 1;
    fa_err err;
    inv = fa_inventory_build(d, &o, &err);
    json_t *t = json_object_get(json_object_get(json_object_get(inv, "taxonomy"), "categories"), "face_template");
    cr_assert_str_eq(json_string_value(json_array_get(t, 0)), "user.biometric");
    json_decref(inv);
    fa_scandoc_free(d);
}

Test(inventory, merge_counts_once)
{
    fa_scandoc *d = load(FIXTURE_DOC);
    fa_err err;
    cr_assert_eq(fa_scandoc_load_data(d, "again.json", FIXTURE_DOC, strlen(FIXTURE_DOC), &err), FA_OK);
    const char *more =
        "{\"objects\":[{\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/2024/a.jpg\"},\"size\":1000,\"mtime\":\"2024-01-10T00:00:00Z\"},"
        "{\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/new.png\"},\"size\":7,\"mtime\":\"2025-07-01T00:00:00Z\"}],"
        "\"findings\":[{\"rule_id\":\"face.image.cascade\",\"category\":\"face_image\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/2024/a.jpg\"},\"evidence\":{\"faces\":2}},"
        "{\"rule_id\":\"face.image.cascade\",\"category\":\"face_image\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/new.png\"},\"evidence\":{\"faces\":1}}]}";
    cr_assert_eq(fa_scandoc_load_data(d, "more.json", more, strlen(more), &err), FA_OK, "%s", err.msg);
    cr_assert_eq(d->nfiles, 3);
    cr_assert_eq(d->nobjects, 8);
    cr_assert_eq(d->nfindings, 8);
    json_t *inv = build(d, 1);
    json_t *up = store(inv, "folder:corpus/uploads");
    cr_assert_eq(geti(up, "categories.face_image.objects"), 3);
    cr_assert_eq(geti(up, "categories.face_image.findings"), 3);
    cr_assert_str_eq(gets(up, "newest"), "2025-07-01T00:00:00Z");
    json_decref(inv);
    fa_scandoc_free(d);
}

Test(scandoc, syntax_error_position)
{
    fa_scandoc *d = fa_scandoc_new();
    fa_err err;
    const char *bad = "{\"objects\": [\n  {\"size\": 1,}\n]}";
    cr_assert_eq(fa_scandoc_load_data(d, "bad.json", bad, strlen(bad), &err), FA_FATAL);
    cr_assert(!strncmp(err.msg, "bad.json:2:", 11), "%s", err.msg);
    fa_scandoc_free(d);
}

Test(scandoc, shape_error_position)
{
    fa_scandoc *d = fa_scandoc_new();
    fa_err err;
    const char *bad = "{\"objects\": [],\n \"findings\": [\n  {\"rule_id\": \"r\", \"category\": \"face_image\",\n"
                      "   \"location\": {\"path\": 42}}\n]}";
    cr_assert_eq(fa_scandoc_load_data(d, "shape.json", bad, strlen(bad), &err), FA_FATAL);
    cr_assert_str_eq(err.msg, "shape.json:4:25: findings[0].location.path: must be a string, not a number");
    cr_assert_eq(d->nfindings, 0);
    const char *missing = "{\"objects\": [{\"location\": {\"target\": \"x\"},\n \"size\": 1}]}";
    cr_assert_eq(fa_scandoc_load_data(d, "m.json", missing, strlen(missing), &err), FA_FATAL);
    cr_assert(strstr(err.msg, "m.json:1:27: objects[0].location.path: required string is missing"), "%s", err.msg);
    const char *mt = "{\"objects\": [{\"location\": {\"path\": \"x\"}, \"mtime\": \"yesterday\"}]}";
    cr_assert_eq(fa_scandoc_load_data(d, "t.json", mt, strlen(mt), &err), FA_FATAL);
    cr_assert(strstr(err.msg, "t.json:1:51: objects[0].mtime: not an RFC 3339"), "%s", err.msg);
    fa_scandoc_free(d);
}

Test(scandoc, time_parse)
{
    int64_t t;
    char b[32];
    cr_assert_eq(fa_sdoc_time_parse("2024-02-29T12:00:00+02:00", &t), 0);
    cr_assert_str_eq(fa_sdoc_time_format(t, b, sizeof b), "2024-02-29T10:00:00Z");
    cr_assert_eq(fa_sdoc_time_parse("2031-01-01", &t), 0);
    cr_assert_eq(t, 1924992000);
    cr_assert_eq(fa_sdoc_time_parse("2023-02-29", &t), -1);
    cr_assert_eq(fa_sdoc_time_parse("1969-12-31T23:59:59.5Z", &t), 0);
    cr_assert_eq(t, -1);
    cr_assert_str_eq(fa_sdoc_time_format(-1, b, sizeof b), "1969-12-31T23:59:59Z");
}

Test(inventory, renderers)
{
    fa_scandoc *d = load(FIXTURE_DOC);
    json_t *inv = build(d, 1);
    fa_err err;
    fa_buf b = FA_BUF_INIT;
    cr_assert_eq(fa_inventory_render(inv, FA_INV_MD, &b, &err), FA_OK);
    cr_assert(strstr(b.buf, "## Stores"));
    cr_assert(strstr(b.buf, "| corpus/uploads | folder | face_image 2/2 |"), "%s", b.buf);
    cr_assert(strstr(b.buf, "public bucket holds face images"));
    cr_assert(strstr(b.buf, "upper bound"));
    fa_buf_reset(&b);
    cr_assert_eq(fa_inventory_render(inv, FA_INV_CSV, &b, &err), FA_OK);
    cr_assert(strstr(b.buf, "store,folder:corpus/uploads,folder,corpus/uploads,face_image,2,2,3000,"), "%s", b.buf);
    cr_assert(strstr(b.buf, "flow,"));
    fa_buf_reset(&b);
    cr_assert_eq(fa_inventory_render(inv, FA_INV_DOT, &b, &err), FA_OK);
    cr_assert(!strncmp(b.buf, "digraph", 7));
    cr_assert(strstr(b.buf, "\"log:corpus/logs/app.log\" -> \"vendor:api-us.faceplusplus.com (Face++)\""), "%s", b.buf);
    fa_buf_reset(&b);
    cr_assert_eq(fa_inventory_render(inv, FA_INV_SVG, &b, &err), FA_OK, "%s", err.msg);
    cr_assert(strstr(b.buf, "<svg"));
    cr_assert(strstr(b.buf, "faceplusplus.com"));
    fa_buf_release(&b);
    json_decref(inv);
    fa_scandoc_free(d);
}

Test(inventory, store_kinds_edge_cases)
{
    const char *doc =
        "{\"objects\":[],\"findings\":["
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"s3://b\",\"path\":\"s3://b/root.jpg\"}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"s3://b\",\"path\":\"s3://b/k/deep/x.jpg\"}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"s3://c/kiosk/\",\"path\":\"s3://c/kiosk/y.jpg\"}},"
        "{\"rule_id\":\"r\",\"category\":\"face_template\",\"location\":{\"target\":\"d\",\"path\":\"d/var/app.log.3\"}},"
        "{\"rule_id\":\"r\",\"category\":\"face_template\",\"location\":{\"target\":\"d\",\"path\":\"d/var/old/api.log.gz\",\"members\":[\"api.log\"]}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"d\",\"path\":\"d/srv/logs/out.txt\"}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"d\",\"path\":\"d/a.tar.gz\",\"members\":[\"a.tar\",\"in.zip\",\"p.jpg\"]}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"one.jpg\",\"path\":\"one.jpg\"}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"-\",\"path\":\"-\"}},"
        "{\"rule_id\":\"r\",\"category\":\"face_image\",\"location\":{\"target\":\"d\",\"path\":\"d/top.jpg\"}}]}";
    fa_scandoc *d = load(doc);
    json_t *inv = build(d, 1);
    const char *want[] = { "bucket:s3://b/", "bucket_prefix:s3://b/k/", "bucket_prefix:s3://c/kiosk/",
                           "log:d/var/app.log.3", "log:d/var/old/api.log.gz", "log:d/srv/logs/out.txt",
                           "archive:d/a.tar.gz", "file:one.jpg", "stream:-", "folder:d" };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert_not_null(store(inv, want[i]), "no store %s", want[i]);
    cr_assert_eq(json_array_size(json_object_get(inv, "stores")), 10);
    /* Templates in the compressed log are a logging leak too; no timestamps -> nulls. */
    size_t i;
    json_t *f;
    int leaks = 0;
    json_array_foreach(json_object_get(inv, "flows"), i, f)
        if (!strcmp(gets(f, "kind"), "logging_leak")) {
            leaks++;
            cr_assert(json_is_null(json_object_get(f, "first_seen")));
        }
    cr_assert_eq(leaks, 3);   /* app.log.3, api.log.gz (compressed) and logs/out.txt */
    /* Posture of a bucket the scan has no record of is unknown, with a warning. */
    json_t *b = store(inv, "bucket:s3://b/");
    cr_assert_str_eq(gets(json_object_get(b, "posture"), "source"), "unknown");
    cr_assert(json_is_null(json_object_get(json_object_get(b, "posture"), "public")));
    json_decref(inv);
    fa_scandoc_free(d);
}
