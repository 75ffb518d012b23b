/* The Mustache engine against the Mustache specification (JSON suites copied into
 * tests/data/mustache-spec/, MIT licence beside them), plus faceaudit's strict mode,
 * error positions and escaping modes. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "faceaudit/dpia.h"
#include "faceaudit/mustache.h"

static char *spec_path(const char *suite)
{
    static char path[4096];
    const char *top = getenv("TOP");
    const char *dirs[] = { "tests/data/mustache-spec", "../shared/testdata/mustache-spec",
                           "../../tests/data/mustache-spec" };
    if (top) {
        snprintf(path, sizeof path, "%s/tests/data/mustache-spec/%s.json", top, suite);
        if (access(path, R_OK) == 0)
            return path;
    }
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s.json", dirs[i], suite);
        if (access(path, R_OK) == 0)
            return path;
    }
    return NULL;
}

static char *spec_partial(void *ud, const char *name)
{
    json_t *v = json_object_get((json_t *)ud, name);
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* Runs every case of one suite; each mismatch is its own failed expectation. */
static void run_suite(const char *suite, size_t min_cases)
{
    char *path = spec_path(suite);
    cr_assert(path != NULL, "spec suite %s.json not found (run from the checkout top)", suite);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    cr_assert(doc != NULL, "%s:%d: %s", path, jerr.line, jerr.text);
    json_t *tests = json_object_get(doc, "tests");
    cr_assert(json_array_size(tests) >= min_cases, "%s has only %zu cases", suite, json_array_size(tests));
    size_t i, passed = 0, total = 0;
    json_t *t;
    json_array_foreach(tests, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *tmpl = json_string_value(json_object_get(t, "template"));
        const char *want = json_string_value(json_object_get(t, "expected"));
        json_t *partials = json_object_get(t, "partials");
        fa_mustache_opts o = { .name = name, .allow_missing = 1,
                               .partial = partials ? spec_partial : NULL, .partial_ud = partials };
        char *got = NULL;
        size_t gotlen = 0;
        fa_err err;
        fa_err_clear(&err);
        fa_status st = fa_mustache_render(tmpl, strlen(tmpl), json_object_get(t, "data"), &o,
                                          &got, &gotlen, &err);
        total++;
        if (st == FA_OK && gotlen == strlen(want) && !memcmp(got, want, gotlen))
            passed++;
        else
            cr_expect_fail("%s / %s: %s\n  template: %s\n  expected: [%s]\n  got:      [%s]", suite, name,
                           st == FA_OK ? "wrong output" : err.msg, tmpl, want, got ? got : "(error)");
        free(got);
    }
    cr_log_info("mustache spec %s: %zu/%zu passed", suite, passed, total);
    cr_expect_eq(passed, total, "%s: %zu/%zu passed", suite, passed, total);
    json_decref(doc);
}

Test(mustache_spec, interpolation) { run_suite("interpolation", 30); }
Test(mustache_spec, sections) { run_suite("sections", 20); }
Test(mustache_spec, inverted) { run_suite("inverted", 15); }
Test(mustache_spec, comments) { run_suite("comments", 10); }
Test(mustache_spec, partials) { run_suite("partials", 10); }
Test(mustache_spec, delimiters) { run_suite("delimiters", 10); }

/* Renders with strict defaults; returns the output (caller frees) or NULL with err set. */
static char *render(const char *tmpl, const char *json, const fa_mustache_opts *o, fa_err *err)
{
    json_error_t jerr;
    json_t *data = json_loads(json, 0, &jerr);
    cr_assert(data != NULL, "bad test JSON: %s", jerr.text);
    char *out = NULL;
    fa_err_clear(err);
    fa_status st = fa_mustache_render(tmpl, strlen(tmpl), data, o, &out, NULL, err);
    json_decref(data);
    cr_assert((st == FA_OK) == (out != NULL));
    return out;
}

Test(mustache, strict_missing_variable_names_it_with_position)
{
    fa_err err;
    fa_mustache_opts o = { .name = "dpia.md" };
    char *out = render("# Title\n\nController: {{controller.name}}\n", "{\"controller\":{}}", &o, &err);
    cr_assert_null(out);
    cr_assert_str_eq(err.code, "missing");
    cr_assert_str_eq(err.msg, "dpia.md:3:13: missing variable 'controller.name'");
    /* allow_missing renders "" instead */
    o.allow_missing = 1;
    out = render("[{{controller.name}}]", "{\"controller\":{}}", &o, &err);
    cr_assert_str_eq(out, "[]");
    free(out);
}

Test(mustache, null_is_present_and_sections_on_missing_names_are_not_errors)
{
    fa_err err;
    char *out = render("{{a}}|{{#nope}}x{{/nope}}{{^nope}}none{{/nope}}", "{\"a\":null}", NULL, &err);
    cr_assert_not_null(out, "%s", err.msg);
    cr_assert_str_eq(out, "|none");
    free(out);
}

Test(mustache, falsey_zero_and_empty_string)
{
    fa_err err;
    char *out = render("{{#n}}n{{/n}}{{^n}}zero{{/n}} {{#s}}s{{/s}}{{^s}}empty{{/s}} {{#m}}{{.}}{{/m}}",
                       "{\"n\":0,\"s\":\"\",\"m\":7}", NULL, &err);
    cr_assert_str_eq(out, "zero empty 7");
    free(out);
}

Test(mustache, syntax_errors_give_template_line_col)
{
    fa_err err;
    fa_mustache_opts o = { .name = "t.mustache" };
    cr_assert_null(render("ok\n  {{#list}}\nitem\n", "{}", &o, &err));
    cr_assert_str_eq(err.code, "template");
    cr_assert_str_eq(err.msg, "t.mustache:2:3: unclosed section 'list'");
    cr_assert_null(render("a {{b", "{}", &o, &err));
    cr_assert_str_eq(err.msg, "t.mustache:1:3: unclosed tag '{{'");
    cr_assert_null(render("{{#a}}\n{{/b}}", "{}", &o, &err));
    cr_assert(strstr(err.msg, "t.mustache:2:1: 'b' closes section 'a'") == err.msg, "%s", err.msg);
    cr_assert_null(render("x{{/a}}", "{}", &o, &err));
    cr_assert_str_eq(err.msg, "t.mustache:1:2: closing tag 'a' without an open section");
    cr_assert_null(render("{{=<% %>=}}\n<%x", "{}", &o, &err));
    cr_assert_str_eq(err.msg, "t.mustache:2:1: unclosed tag '<%'");
    cr_assert_eq(fa_mustache_check("{{#a}}{{/a}}", 12, "x", &err), FA_OK);
    cr_assert_eq(fa_mustache_check("{{#a}}", 6, "x", &err), FA_FAIL);
}

Test(mustache, escaping_modes)
{
    fa_err err;
    const char *data = "{\"v\":\"O'Brien & \\\"Co\\\" <a>\\\\\\n\"}";
    char *out = render("{{v}}", data, NULL, &err);
    cr_assert_str_eq(out, "O&#39;Brien &amp; &quot;Co&quot; &lt;a&gt;\\\n");
    free(out);
    fa_mustache_opts o = { .escape = FA_MUSTACHE_ESCAPE_JSON };
    out = render("\"{{v}}\"|{{{v}}}", data, &o, &err);
    cr_assert_str_eq(out, "\"O'Brien & \\\"Co\\\" <a>\\\\\\n\"|O'Brien & \"Co\" <a>\\\n");
    free(out);
    o.escape = FA_MUSTACHE_ESCAPE_NONE;
    out = render("{{v}}{{&v}}", "{\"v\":\"<&>\"}", &o, &err);
    cr_assert_str_eq(out, "<&><&>");
    free(out);
}

Test(mustache, numbers_and_nested_values)
{
    fa_err err;
    char *out = render("{{i}} {{r}} {{big}} {{t}} {{o}}", "{\"i\":-42,\"r\":0.1,\"big\":1e21,\"t\":true,\"o\":{\"k\":[1]}}",
                       &(fa_mustache_opts){ .escape = FA_MUSTACHE_ESCAPE_NONE }, &err);
    cr_assert_str_eq(out, "-42 0.1 1e+21 true {\"k\":[1]}");
    free(out);
}

static char *one_partial(void *ud, const char *name)
{
    (void)ud;
    if (!strcmp(name, "row"))
        return strdup("| {{name}} | {{n}} |\n");
    if (!strcmp(name, "loop"))
        return strdup("{{>loop}}");
    if (!strcmp(name, "bad"))
        return strdup("ok\n{{#x}}");
    return NULL;
}

Test(mustache, partials_through_callback_and_their_errors)
{
    fa_err err;
    fa_mustache_opts o = { .name = "main", .partial = one_partial };
    char *out = render("rows:\n{{#rows}}\n  {{>row}}\n{{/rows}}\nend\n",
                       "{\"rows\":[{\"name\":\"a\",\"n\":1},{\"name\":\"b\",\"n\":2}]}", &o, &err);
    cr_assert_not_null(out, "%s", err.msg);
    cr_assert_str_eq(out, "rows:\n  | a | 1 |\n  | b | 2 |\nend\n");
    free(out);
    cr_assert_null(render("x\n{{>nope}}", "{}", &o, &err));
    cr_assert_str_eq(err.msg, "main:2:1: partial 'nope' not found");
    cr_assert_null(render("{{>bad}}", "{}", &o, &err));
    cr_assert_str_eq(err.msg, "bad:2:1: unclosed section 'x'");
    cr_assert_null(render("{{>loop}}", "{}", &o, &err));
    cr_assert(strstr(err.msg, "nested deeper") != NULL, "%s", err.msg);
}

/* Markdown escaping (escape: markdown, the default for Markdown templates): data can
 * neither format nor link nor break a table, and plain prose stays as typed. */
static void md_is(const char *in, const char *want)
{
    char *got = fa_dpia_md_escape(in, strlen(in));
    cr_assert_str_eq(got, want, "escape(%s)", in);
    free(got);
}

Test(mustache_markdown, prose_stays_readable)
{
    md_is("the individual's last interaction", "the individual's last interaction");
    md_is("6 months' notice & \"more\"", "6 months' notice & \"more\"");
    md_is("face_image: 3 objects", "face_image: 3 objects");
    md_is("[TO BE COMPLETED BY THE CONTROLLER: name]", "[TO BE COMPLETED BY THE CONTROLLER: name]");
    md_is("version 0.1.0", "version 0.1.0");
    md_is("2024.", "2024\\.");
}

Test(mustache_markdown, markup_links_and_tables_are_escaped)
{
    md_is("<script>x</script>", "\\<script\\>x\\</script\\>");
    md_is("[a](javascript:x) [b][c] [d]: u", "[a\\](javascript:x) [b\\][c] [d\\]: u");
    md_is("a | b", "a \\| b");
    md_is("**/logs/**", "\\*\\*/logs/\\*\\*");
    md_is("_em_ __init__ a_b", "\\_em\\_ \\_\\_init\\_\\_ a_b");
    md_is("`code` ~~x~~ a\\b", "\\`code\\` \\~\\~x\\~\\~ a\\\\b");
    md_is("&amp; &#39; & x", "\\&amp; \\&#39; & x");
    md_is("# h", "\\# h");
    md_is("- item", "\\- item");
    md_is("1. item", "1\\. item");
    md_is("line1\nline2\r\n# not a heading", "line1 line2 # not a heading");
}

Test(mustache_markdown, view_strings_escaped_keys_and_numbers_kept)
{
    json_t *v = json_pack("{s:s, s:i, s:[s, {s:s}], s:b}", "a|b", "x|y", "n", 1, "arr", "<p>", "k", "*",
                          "t", 1);
    fa_dpia_view_escape_md(v);
    char *d = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert_str_eq(d, "{\"arr\":[\"\\\\<p\\\\>\",{\"k\":\"\\\\*\"}],\"a|b\":\"x\\\\|y\",\"n\":1,\"t\":true}");
    free(d);
    json_decref(v);
}
