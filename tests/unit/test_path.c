/* The `path` rule kind: the glob matcher, and rules run through the real scanner with
 * the collecting sink (path below the target, archive members, match_on name, evidence). */
#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/detect.h"
#include "faceaudit/pathmatch.h"
#include "faceaudit/rules.h"
#include "faceaudit/scan.h"
#include "faceaudit/sha256.h"
#include "faceaudit/sink.h"

Test(glob, basics)
{
    cr_expect(fa_glob_match("*.jpg", "a.jpg"));
    cr_expect(!fa_glob_match("*.jpg", "d/a.jpg"));          /* * stops at / */
    cr_expect(fa_glob_match("d/?.jpg", "d/a.jpg"));
    cr_expect(!fa_glob_match("d/?.jpg", "d/ab.jpg"));
    cr_expect(!fa_glob_match("d?a.jpg", "d/a.jpg"));        /* ? is not a separator */
    cr_expect(fa_glob_match("img[0-9].png", "img7.png"));
    cr_expect(!fa_glob_match("img[0-9].png", "imgx.png"));
    cr_expect(fa_glob_match("img[!0-9].png", "imgx.png"));
    cr_expect(fa_glob_match("a\\*b", "a*b"));
    cr_expect(!fa_glob_match("a\\*b", "axb"));
    cr_expect(fa_glob_match("", ""));
    cr_expect(!fa_glob_match("", "a"));
}

Test(glob, doublestar)
{
    const char *g = "**/lfw/**";
    cr_expect(fa_glob_match(g, "lfw/a.jpg"));                /* zero leading components */
    cr_expect(fa_glob_match(g, "data/sets/lfw/George/1.jpg"));
    cr_expect(!fa_glob_match(g, "data/lfwx/a.jpg"));
    cr_expect(!fa_glob_match(g, "data/xlfw/a.jpg"));
    cr_expect(!fa_glob_match(g, "lfw"));
    cr_expect(fa_glob_match("**/*.npy", "a/b/c/emb.npy"));
    cr_expect(fa_glob_match("**/*.npy", "emb.npy"));
    cr_expect(fa_glob_match("a/**", "a/b/c"));
    cr_expect(!fa_glob_match("a/**", "ab/c"));
    cr_expect(fa_glob_match("a**z", "a/b/z"));
    cr_expect(fa_glob_match("a/**/z", "a/z"));
    cr_expect(fa_glob_match("a/**/z", "a/b/c/z"));
    /* archive members: '!' separates like '/', and a '/' in the glob matches it */
    cr_expect(fa_glob_match(g, "exports/u.zip!lfw/a.jpg"));
    cr_expect(fa_glob_match("**/*.jpg", "x.tar!in/b.zip!c.jpg"));
    cr_expect(!fa_glob_match("*.jpg", "x.zip!c.jpg"));
}

Test(glob, valid_and_hostile)
{
    cr_expect(fa_glob_valid("**/lfw/[a-z]*"));
    cr_expect(!fa_glob_valid("a[bc"));
    cr_expect(!fa_glob_valid("trailing\\"));
    /* memoised: a pathological glob returns quickly instead of backtracking exponentially */
    char path[201];
    memset(path, 'a', 200);
    path[200] = '\0';
    cr_expect(!fa_glob_match("**a**a**a**a**a**a**a**a**a**a**a**b", path));
    cr_expect(!fa_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*b", path));
}

/* --- through the scanner --- */

static const char pack[] =
    "id: t\nversion: 1\nrules:\n"
    "  - id: path.lfw\n    kind: path\n    category: face_image\n    severity: high\n"
    "    description: The LFW face data set layout. More text.\n"
    "    glob: '**/lfw/**'\n"
    "    examples: {match: [lfw/a.jpg], no_match: [b.jpg]}\n"
    "  - id: path.name\n    kind: path\n    category: face_template\n    severity: medium\n"
    "    confidence: 0.7\n"
    "    description: Embedding dumps\n"
    "    pattern: '(?i)^embeddings?\\.npy$'\n    match_on: name\n"
    "    examples: {match: [embeddings.npy], no_match: [x/embeddings.npy.bak]}\n";

typedef struct { fa_ruleset *rs; fa_scanner *sc; fa_sink *sink; } fx;

static fx setup(const char *only)
{
    fx f;
    fa_err err;
    f.rs = fa_ruleset_new();
    cr_assert_eq(fa_ruleset_load_mem(f.rs, "t.yaml", pack, sizeof pack - 1, &err), FA_OK, "%s", err.msg);
    for (size_t i = 0; i < fa_ruleset_nrules(f.rs); i++) {
        fa_rule *r = fa_ruleset_rule(f.rs, i);
        r->enabled = !only || !strcmp(r->id, only);
    }
    fa_scan_opts o;
    fa_scan_opts_init(&o);
    f.sc = fa_scanner_new(f.rs, &o, &err);
    cr_assert_not_null(f.sc, "%s", err.msg);
    f.sink = fa_sink_collect_new();
    return f;
}

static void teardown(fx *f)
{
    fa_sink_free(f->sink);
    fa_scanner_free(f->sc);
    fa_ruleset_free(f->rs);
}

static const fa_finding *find(const fx *f, const char *rule)
{
    const fa_collected *c = fa_sink_collected(f->sink);
    for (size_t i = 0; i < c->nfindings; i++)
        if (!strcmp(c->findings[i].rule_id, rule))
            return &c->findings[i];
    return NULL;
}

static void scan(fx *f, const char *path)
{
    fa_err err;
    fa_status st = fa_scanner_scan_memory(f->sc, path, "", 0, f->sink, &err);
    cr_assert(st >= FA_WARN, "%s", err.msg);
}

Test(path_kind, glob_finding)
{
    fx f = setup(NULL);
    scan(&f, "corpus/lfw/George_W_Bush/0001.jpg");
    const fa_finding *x = find(&f, "path.lfw");
    cr_assert_not_null(x);
    cr_expect_str_eq(x->category, "face_image");
    cr_expect_eq(x->severity, FA_SEV_HIGH);
    cr_expect_float_eq(x->confidence, 0.5, 1e-9);
    cr_expect_str_eq(x->message, "path matches the LFW face data set layout");
    const char *ev = json_string_value(json_object_get(x->evidence, "sha256"));
    cr_assert_not_null(ev);
    char hex[65];
    const char *p = "corpus/lfw/George_W_Bush/0001.jpg";
    fa_sha256_hex(p, strlen(p), hex);
    cr_expect_str_eq(ev, hex);
    cr_expect_str_eq(json_string_value(json_object_get(x->evidence, "match_on")), "path");
    cr_expect_null(find(&f, "path.name"));
    teardown(&f);
}

Test(path_kind, no_match_and_name)
{
    fx f = setup(NULL);
    scan(&f, "corpus/lfwx/0001.jpg");
    scan(&f, "out/x/EMBEDDINGS.npy");
    cr_expect_null(find(&f, "path.lfw"));
    const fa_finding *x = find(&f, "path.name");
    cr_assert_not_null(x);
    cr_expect_float_eq(x->confidence, 0.7, 1e-9);
    cr_expect_str_eq(x->message, "path matches embedding dumps");
    char hex[65];
    fa_sha256_hex("EMBEDDINGS.npy", 14, hex);
    cr_expect_str_eq(json_string_value(json_object_get(x->evidence, "sha256")), hex);
    cr_expect_eq(fa_sink_collected(f.sink)->nfindings, 1);
    teardown(&f);
}

Test(path_kind, disabled_rule_is_skipped)
{
    fx f = setup("path.name");
    scan(&f, "lfw/a.jpg");
    cr_expect_null(find(&f, "path.lfw"));
    cr_expect_eq(fa_sink_collected(f.sink)->nfindings, 0);
    teardown(&f);
}
