/* Core modules: fa_buf, limits, locations, findings' fingerprints, JSON shapes, scanner. */
#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/limits.h"
#include "faceaudit/location.h"
#include "faceaudit/model.h"
#include "faceaudit/scan.h"
#include "faceaudit/sink.h"

Test(buf, grows_and_stays_terminated)
{
    fa_buf b = FA_BUF_INIT;
    cr_assert_str_eq(b.buf, "");
    for (int i = 0; i < 1000; i++)
        fa_buf_addf(&b, "%d,", i);
    cr_assert_eq(b.len, strlen(b.buf));
    cr_assert(!strncmp(b.buf, "0,1,2,", 6));
    size_t len;
    char *d = fa_buf_detach(&b, &len);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(b.buf, "");
    cr_assert_eq(len, strlen(d));
    free(d);
}

Test(limits, defaults_match_the_contract)
{
    fa_limits l;
    fa_limits_defaults(&l);
    cr_assert_eq(l.value[FA_LIM_MAX_DEPTH], 8);
    cr_assert_eq(l.value[FA_LIM_MAX_MEMBER_SIZE], 268435456);
    cr_assert_eq(l.value[FA_LIM_MAX_ARCHIVE_BYTES], 4LL << 30);
    cr_assert_eq(l.value[FA_LIM_MAX_RATIO], 1000);
    cr_assert_eq(l.value[FA_LIM_MAX_MEMBERS], 100000);
    cr_assert_eq(l.value[FA_LIM_MAX_LINE], 64LL << 20);
    cr_assert_eq(l.value[FA_LIM_MAX_PIXELS], 50000000);
    cr_assert_str_eq(fa_limit_name(FA_LIM_MAX_MEMBER_SIZE), "max_member_size");
}

Test(limits, parses_units_and_rejects_garbage)
{
    fa_limits l;
    fa_err e;
    fa_limits_defaults(&l);
    cr_assert_eq(fa_limits_set(&l, FA_LIM_MAX_MEMBER_SIZE, "16M", &e), FA_OK);
    cr_assert_eq(l.value[FA_LIM_MAX_MEMBER_SIZE], 16 << 20);
    cr_assert_eq(fa_limits_set(&l, FA_LIM_MAX_MEMBER_SIZE, "2GB", &e), FA_OK);
    cr_assert_eq(l.value[FA_LIM_MAX_MEMBER_SIZE], 2000000000LL);
    cr_assert_eq(fa_limits_set(&l, FA_LIM_MAX_PIXELS, "12MP", &e), FA_OK);
    cr_assert_eq(l.value[FA_LIM_MAX_PIXELS], 12000000);
    cr_assert_eq(fa_limits_set(&l, FA_LIM_MAX_SCAN_TIME, "2m", &e), FA_OK);
    cr_assert_eq(l.value[FA_LIM_MAX_SCAN_TIME], 120);
    cr_assert_eq(fa_limits_set(&l, FA_LIM_MAX_DEPTH, "3x", &e), FA_FAIL);
    cr_assert(strstr(e.msg, "--max-depth"));
    cr_assert_eq(fa_limits_set(&l, FA_LIM_MAX_DEPTH, "-1", &e), FA_FAIL);
    cr_assert_eq(fa_limit_lookup("max-line"), FA_LIM_MAX_LINE);
    cr_assert_eq(fa_limit_lookup("--max_line"), FA_LIM_MAX_LINE);
    cr_assert_eq(fa_limit_lookup("max-lines"), -1);
    /* zero means "none" only for the optional limits */
    l.value[FA_LIM_MAX_SCAN_TIME] = 0;
    cr_assert_eq(fa_limit_exceeded(&l, FA_LIM_MAX_SCAN_TIME, 1000000), 0);
    l.value[FA_LIM_MAX_DEPTH] = 0;
    cr_assert_eq(fa_limit_exceeded(&l, FA_LIM_MAX_DEPTH, 1), 1);
}

Test(location, display_and_copy)
{
    fa_location l, c;
    fa_location_init(&l);
    l.path = fa_xstrdup("corpus/exports/uploads.zip");
    fa_location_push_member(&l, "inner/b.tar");
    fa_location_push_member(&l, "c.jpg");
    fa_location_copy(&c, &l);
    fa_location_free(&l);
    fa_buf b = FA_BUF_INIT;
    fa_location_display(&c, &b);
    cr_assert_str_eq(b.buf, "corpus/exports/uploads.zip!inner/b.tar!c.jpg");
    json_t *j = fa_location_to_json(&c);
    cr_assert(json_is_null(json_object_get(j, "line")));
    cr_assert(json_is_null(json_object_get(j, "offset")));
    cr_assert_eq(json_array_size(json_object_get(j, "members")), 2);
    json_decref(j);
    fa_buf_release(&b);
    fa_location_free(&c);
}

static void make_finding(fa_finding *f, long line, const char *sha)
{
    memset(f, 0, sizeof *f);
    f->rule_id = fa_xstrdup("r.one");
    f->category = fa_xstrdup("face_image");
    f->message = fa_xstrdup("m");
    fa_location_init(&f->loc);
    f->loc.path = fa_xstrdup("a/b.log");
    f->loc.line = line;
    f->evidence = json_pack("{s:s}", "sha256", sha);
}

Test(finding, fingerprint_ignores_line_but_not_evidence)
{
    fa_finding a, b, c;
    make_finding(&a, 3, "aa");
    make_finding(&b, 30, "aa");
    make_finding(&c, 3, "ab");
    fa_finding_fingerprint(&a);
    fa_finding_fingerprint(&b);
    fa_finding_fingerprint(&c);
    cr_assert_str_eq(a.fingerprint, b.fingerprint);
    cr_assert_str_neq(a.fingerprint, c.fingerprint);
    cr_assert_eq(strlen(a.fingerprint), 64);
    fa_finding_clear(&a);
    fa_finding_clear(&b);
    fa_finding_clear(&c);
}

Test(severity, names_round_trip_and_order)
{
    fa_severity s;
    cr_assert_eq(fa_severity_parse("critical", &s), 0);
    cr_assert_eq(s, FA_SEV_CRITICAL);
    cr_assert_eq(fa_severity_parse("severe", &s), -1);
    cr_assert(FA_SEV_INFO < FA_SEV_LOW && FA_SEV_LOW < FA_SEV_MEDIUM && FA_SEV_HIGH < FA_SEV_CRITICAL);
    cr_assert_str_eq(fa_severity_name(FA_SEV_MEDIUM), "medium");
}

Test(scanner, memory_object_is_recorded_with_its_type)
{
    fa_err e;
    fa_scanner *s = fa_scanner_new(NULL, NULL, &e);
    cr_assert_not_null(s);
    fa_sink *c = fa_sink_collect_new();
    static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    cr_assert_eq(fa_scanner_scan_memory(s, "x/y.bin", png, sizeof png - 1, c, &e), FA_OK);
    const fa_collected *col = fa_sink_collected(c);
    cr_assert_eq(col->nobjects, 1);
    cr_assert_str_eq(col->objects[0].type, "image/png");
    cr_assert_eq(col->objects[0].size, (int64_t)(sizeof png - 1));
    cr_assert_str_eq(col->objects[0].loc.path, "x/y.bin");
    cr_assert_eq(fa_scanner_stats(s)->objects, 1);
    fa_sink_free(c);
    fa_scanner_free(s);
}

#include "faceaudit/csv.h"

static char *cell_of(const char *v, int last)
{
    fa_buf b = FA_BUF_INIT;
    fa_csv_cell(&b, v, last, "\r\n");
    return fa_buf_detach(&b, NULL);
}

Test(csv, quoting_formulas_and_control_bytes)
{
    char *c;
    cr_assert_str_eq((c = cell_of("plain", 0)), "plain,"); free(c);
    cr_assert_str_eq((c = cell_of(NULL, 1)), "\r\n"); free(c);
    cr_assert_str_eq((c = cell_of("a,b \"q\"", 1)), "\"a,b \"\"q\"\"\"\r\n"); free(c);
    /* a spreadsheet must not run a file name as a formula */
    cr_assert_str_eq((c = cell_of("=HYPERLINK(\"x\")", 0)), "\"'=HYPERLINK(\"\"x\"\")\","); free(c);
    cr_assert_str_eq((c = cell_of("-2+3", 0)), "\"'-2+3\","); free(c);
    cr_assert_str_eq((c = cell_of("-57", 0)), "-57,"); free(c);      /* a number is data */
    cr_assert_str_eq((c = cell_of("+1.5", 0)), "+1.5,"); free(c);
    /* ESC and bytes that are not UTF-8 never reach a terminal raw; UTF-8 stays */
    cr_assert_str_eq((c = cell_of("a\033[31m\377b", 0)), "a\\x1B[31m\\xFFb,"); free(c);
    cr_assert_str_eq((c = cell_of("caf\xc3\xa9", 0)), "caf\xc3\xa9,"); free(c);
}
