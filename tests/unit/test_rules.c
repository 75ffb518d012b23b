/* Rule-pack loader: valid packs, every error class with its exact file:line:col message,
 * duplicate ids across packs, the digest, folder loading and the YAML helpers. Uses the
 * `path` kind so the messages do not depend on another kind's wording. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "faceaudit/detect.h"
#include "faceaudit/rules.h"
#include "faceaudit/sha256.h"
#include "faceaudit/yaml.h"

#define GOOD_RULE(ID) \
    "  - id: " ID "\n" \
    "    kind: path\n" \
    "    category: face_image\n" \
    "    severity: high\n" \
    "    description: The LFW face data set layout.\n" \
    "    glob: '**/lfw/**'\n" \
    "    examples:\n" \
    "      match: [lfw/a/b.jpg, data/lfw/x.jpg]\n" \
    "      no_match: [lfwx/a.jpg, docs/readme.md]\n"

#define GOOD_RULE_NOGLOB(ID) \
    "  - id: " ID "\n" \
    "    kind: path\n" \
    "    category: face_image\n" \
    "    severity: high\n" \
    "    description: d\n" \
    "    examples:\n" \
    "      match: [lfw/a/b.jpg, data/lfw/x.jpg]\n" \
    "      no_match: [lfwx/a.jpg, docs/readme.md]\n"

#define HEAD "id: paths\nversion: 1.0.0\ndescription: test pack\nrules:\n"

/* "regex, path, ..." as the registry lists them (other kinds get appended over time). */
static const char *known_kinds(void)
{
    static char buf[512];
    buf[0] = '\0';
    for (size_t i = 0; i < fa_kind_count(); i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? ", " : "", fa_kind_at(i)->name);
    return buf;
}

static fa_status load(fa_ruleset *rs, const char *name, const char *text, fa_err *err)
{
    return fa_ruleset_load_mem(rs, name, text, strlen(text), err);
}

/* Loads `text` as p.yaml, expects failure with exactly `msg`. */
static void expect_error(const char *text, const char *msg)
{
    fa_ruleset *rs = fa_ruleset_new();
    fa_err err;
    fa_status st = load(rs, "p.yaml", text, &err);
    cr_expect_eq(st, FA_FATAL, "status %d for expected error %s", st, msg);
    cr_expect_eq(err.status, FA_FATAL);
    cr_expect_str_eq(err.msg, msg);
    cr_expect_eq(fa_ruleset_nrules(rs), 0);
    fa_ruleset_free(rs);
}

Test(rules, valid_pack)
{
    fa_ruleset *rs = fa_ruleset_new();
    fa_err err;
    const char *text = HEAD GOOD_RULE("path.lfw")
        "  - id: path.name\n"
        "    kind: path\n"
        "    category: biometric_metadata\n"
        "    severity: low\n"
        "    confidence: 0.25\n"
        "    description: Face tags.\n"
        "    keywords: [xmp]\n"
        "    tags: face-tags\n"
        "    pattern: '(?i)^faces\\.json$'\n"
        "    match_on: name\n"
        "    examples: {match: [a/faces.json], no_match: [b/faces.txt]}\n";
    cr_assert_eq(load(rs, "dir/p.yaml", text, &err), FA_OK, "%s", err.msg);
    cr_assert_eq(fa_ruleset_npacks(rs), 1);
    fa_pack *p = fa_ruleset_pack(rs, 0);
    cr_expect_str_eq(p->id, "paths");
    cr_expect_str_eq(p->version, "1.0.0");
    cr_expect_str_eq(p->description, "test pack");
    cr_expect_str_eq(p->file, "dir/p.yaml");
    cr_expect_str_eq(p->dir, "dir");
    cr_assert_eq(fa_ruleset_nrules(rs), 2);
    fa_rule *r = fa_ruleset_rule(rs, 0);
    cr_expect_str_eq(r->id, "path.lfw");
    cr_expect_str_eq(r->category, "face_image");
    cr_expect_eq(r->severity, FA_SEV_HIGH);
    cr_expect_float_eq(r->confidence, 0.5, 1e-9);
    cr_expect_eq(r->enabled, 1);
    cr_expect_eq(r->kind, fa_kind_lookup("path"));
    cr_expect_eq(r->pack, p);
    cr_expect_eq(r->line, 5);
    cr_expect_eq(r->column, 5);
    cr_expect_eq(r->nex_match, 2);
    cr_expect_str_eq(r->ex_match[1], "data/lfw/x.jpg");
    cr_expect_null(r->ex_match[2]);
    cr_expect_eq(r->nex_no_match, 2);
    cr_expect_null(r->keywords);
    r = fa_ruleset_find(rs, "path.name");
    cr_assert_not_null(r);
    cr_expect_eq(r->severity, FA_SEV_LOW);
    cr_expect_float_eq(r->confidence, 0.25, 1e-9);
    cr_expect_eq(r->nkeywords, 1);
    cr_expect_str_eq(r->keywords[0], "xmp");
    cr_expect_eq(r->ntags, 1);
    cr_expect_str_eq(r->tags[0], "face-tags");
    cr_expect_null(fa_ruleset_find(rs, "nope"));
    fa_ruleset_free(rs);
}

Test(rules, syntax_error)
{
    expect_error("id: x\nrules: [\n  - a\n", "p.yaml:3:3: did not find expected node content while parsing a flow node");
    expect_error("id: x\n  bad: indent\n", "p.yaml:2:6: mapping values are not allowed in this context");
    expect_error("", "p.yaml:1:1: empty rule pack");
    expect_error("- a\n- b\n", "p.yaml:1:1: a rule pack must be a mapping with id, version and rules");
    expect_error("id: a\n---\nid: b\n", "p.yaml:3:1: only one YAML document is allowed");
}

Test(rules, pack_level_errors)
{
    expect_error("id: paths\nversion: 1\nrules: []\nauthor: me\n",
                 "p.yaml:4:1: unknown key 'author' (a pack has id, version, description, rules)");
    expect_error("id: paths\nrules: []\n", "p.yaml:1:1: missing required key 'version'");
    expect_error("id: paths\nversion: 1\nrules: {a: b}\n", "p.yaml:3:8: rules must be a list of rules");
    expect_error("id: Paths\nversion: 1\nrules: []\n", "p.yaml:1:5: pack id 'Paths' must match [a-z0-9._-]+");
    expect_error("id: paths\nversion: 1\nid: again\nrules: []\n",
                 "p.yaml:3:1: duplicate key 'id' (first at line 1)");
    expect_error(HEAD "  - just a string\n", "p.yaml:5:5: each rule must be a mapping");
}

Test(rules, unknown_key)
{
    expect_error(HEAD GOOD_RULE("path.lfw") "    colour: red\n",
                 "p.yaml:14:5: unknown key 'colour' for a rule of kind 'path'");
    expect_error(HEAD GOOD_RULE("path.lfw") "    examples_extra: 1\n",
                 "p.yaml:14:5: unknown key 'examples_extra' for a rule of kind 'path'");
}

Test(rules, unknown_kind)
{
    char want[700];
    cr_assert_str_eq(fa_kind_at(0)->name, "regex");
    cr_assert_str_eq(fa_kind_at(1)->name, "path");
    cr_expect_eq(fa_kind_lookup("path"), fa_kind_at(1));
    cr_expect_null(fa_kind_lookup("telepathy"));
    snprintf(want, sizeof want, "p.yaml:6:11: unknown kind 'telepathy' (known: %s)", known_kinds());
    expect_error(HEAD "  - id: a\n    kind: telepathy\n", want);
}

Test(rules, unknown_severity)
{
    expect_error(HEAD "  - id: a\n    kind: path\n    severity: urgent\n",
                 "p.yaml:7:15: unknown severity 'urgent' (expected info, low, medium, high or critical)");
    /* "none" is a --fail-on value, not a severity of a rule */
    expect_error(HEAD "  - id: a\n    kind: path\n    severity: none\n",
                 "p.yaml:7:15: unknown severity 'none' (expected info, low, medium, high or critical)");
}

Test(rules, missing_required)
{
    expect_error(HEAD "  - id: a\n    kind: path\n    category: face_image\n    severity: low\n"
                 "    glob: x\n    examples: {match: [x]}\n",
                 "p.yaml:5:5: rule 'a': missing required key 'description'");
    expect_error(HEAD "  - kind: path\n", "p.yaml:5:5: rule: missing required key 'id'");
    /* kind present, its own required field missing: finish_rule's message gets the rule position */
    expect_error(HEAD "  - id: a\n    kind: path\n    category: face_image\n    severity: low\n"
                 "    description: d\n    examples: {match: [x]}\n",
                 "p.yaml:5:5: rule 'a': a path rule needs exactly one of glob or pattern");
}

Test(rules, bad_values)
{
    expect_error(HEAD "  - id: Bad Id\n", "p.yaml:5:9: rule id 'Bad Id' must match [a-z0-9._-]+");
    expect_error(HEAD "  - id: a\n    category: Face-Image\n",
                 "p.yaml:6:15: category 'Face-Image' must match [a-z_]+");
    expect_error(HEAD "  - id: a\n    confidence: 1.5\n", "p.yaml:6:17: confidence must be a number from 0 to 1");
    expect_error(HEAD "  - id: a\n    confidence: high\n", "p.yaml:6:17: confidence must be a number from 0 to 1");
    expect_error(HEAD "  - id: a\n    keywords: {a: b}\n", "p.yaml:6:15: keywords must be a list of strings");
    expect_error(HEAD "  - id: a\n    keywords: [ok, [nested]]\n", "p.yaml:6:20: keywords must be a list of strings");
    expect_error(HEAD "  - id: a\n    examples: [x]\n",
                 "p.yaml:6:15: examples must be a mapping with match and no_match lists");
    expect_error(HEAD "  - id: a\n    examples: {maybe: [x]}\n",
                 "p.yaml:6:16: unknown key 'maybe' in examples (expected match or no_match)");
}

Test(rules, bad_regex_and_kind_values)
{
    expect_error(HEAD GOOD_RULE("a") "    match_on: content\n",
                 "p.yaml:14:15: match_on must be path or name, not 'content'");
    expect_error(HEAD GOOD_RULE_NOGLOB("a") "    pattern: '(unclosed'\n",
                 "p.yaml:13:14: pattern: missing closing parenthesis at offset 9");
    expect_error(HEAD GOOD_RULE_NOGLOB("a") "    glob: 'a[bc'\n",
                 "p.yaml:13:11: glob 'a[bc' is not a valid glob");
    expect_error(HEAD GOOD_RULE("a") "    pattern: 'lfw'\n",
                 "p.yaml:5:5: rule 'a': a path rule needs exactly one of glob or pattern");
}

Test(rules, duplicate_ids)
{
    /* within one pack */
    expect_error(HEAD GOOD_RULE("path.lfw") GOOD_RULE("path.lfw"),
                 "p.yaml:14:9: duplicate rule id 'path.lfw' (first at p.yaml:5:5)");
    /* across packs: the second pack is refused, the first stays loaded */
    fa_ruleset *rs = fa_ruleset_new();
    fa_err err;
    cr_assert_eq(load(rs, "a.yaml", HEAD GOOD_RULE("path.lfw"), &err), FA_OK, "%s", err.msg);
    cr_expect_eq(load(rs, "b.yaml", "id: other\nversion: 2\nrules:\n" GOOD_RULE("path.lfw"), &err), FA_FATAL);
    cr_expect_str_eq(err.msg, "b.yaml:4:9: duplicate rule id 'path.lfw' (first at a.yaml:5:5)");
    cr_expect_eq(fa_ruleset_npacks(rs), 1);
    cr_expect_eq(fa_ruleset_nrules(rs), 1);
    /* the same pack id twice */
    cr_expect_eq(load(rs, "c.yaml", HEAD GOOD_RULE("path.other"), &err), FA_FATAL);
    cr_expect_str_eq(err.msg, "c.yaml:1:5: duplicate pack id 'paths' (also in a.yaml)");
    fa_ruleset_free(rs);
}

Test(rules, digest)
{
    const char *a = HEAD GOOD_RULE("path.lfw");
    fa_ruleset *rs = fa_ruleset_new();
    fa_err err;
    char hex[65];
    fa_sha256_hex("", 0, hex);
    cr_expect_str_eq(fa_ruleset_digest(rs), hex);   /* nothing loaded */
    cr_assert_eq(load(rs, "a.yaml", a, &err), FA_OK, "%s", err.msg);
    fa_sha256_hex(a, strlen(a), hex);
    cr_expect_str_eq(fa_ruleset_digest(rs), hex);   /* exactly the pack's bytes */
    char first[65];
    strcpy(first, fa_ruleset_digest(rs));

    /* one changed byte changes the digest */
    char *b = strdup(a);
    memcpy(strstr(b, "high"), "low ", 4);   /* still loadable: "low" */
    fa_ruleset *rs2 = fa_ruleset_new();
    cr_assert_eq(load(rs2, "a.yaml", b, &err), FA_OK, "%s", err.msg);
    cr_expect_str_neq(fa_ruleset_digest(rs2), first);

    /* a second pack extends the digest in load order */
    const char *c = "id: more\nversion: 1\nrules:\n" GOOD_RULE("path.more");
    cr_assert_eq(load(rs, "c.yaml", c, &err), FA_OK, "%s", err.msg);
    fa_sha256_ctx ctx;
    unsigned char d[32];
    fa_sha256_init(&ctx);
    fa_sha256_update(&ctx, a, strlen(a));
    fa_sha256_update(&ctx, c, strlen(c));
    fa_sha256_final(&ctx, d);
    fa_sha256_tohex(d, hex);
    cr_expect_str_eq(fa_ruleset_digest(rs), hex);
    /* a failed load leaves the digest alone */
    cr_expect_eq(load(rs, "d.yaml", "id: [", &err), FA_FATAL);
    cr_expect_str_eq(fa_ruleset_digest(rs), hex);
    free(b);
    fa_ruleset_free(rs);
    fa_ruleset_free(rs2);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/fa-rules-XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d);
    return strdup(d);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(rules, folder_sorted_and_filtered)
{
    char *d = tmpdir();
    write_file(d, "b.yml", "id: bee\nversion: 1\nrules:\n" GOOD_RULE("b.rule"));
    write_file(d, "a.yaml", "id: ay\nversion: 1\nrules:\n" GOOD_RULE("a.rule"));
    write_file(d, "notes.txt", "not a pack: [");
    write_file(d, ".hidden.yaml", "broken: [");
    fa_ruleset *rs = fa_ruleset_new();
    fa_err err;
    cr_assert_eq(fa_ruleset_load(rs, d, &err), FA_OK, "%s", err.msg);
    cr_assert_eq(fa_ruleset_npacks(rs), 2);
    cr_expect_str_eq(fa_ruleset_pack(rs, 0)->id, "ay");
    cr_expect_str_eq(fa_ruleset_pack(rs, 1)->id, "bee");
    cr_expect_str_eq(fa_ruleset_rule(rs, 0)->id, "a.rule");
    char want[512];
    snprintf(want, sizeof want, "%s/a.yaml", d);
    cr_expect_str_eq(fa_ruleset_pack(rs, 0)->file, want);
    cr_expect_str_eq(fa_ruleset_pack(rs, 0)->dir, d);
    fa_ruleset_free(rs);

    /* an error in a file names that file */
    write_file(d, "c.yaml", "id: cee\nversion: 1\nrules:\n  - id: x\n    kind: nope\n");
    rs = fa_ruleset_new();
    cr_expect_eq(fa_ruleset_load(rs, d, &err), FA_FATAL);
    snprintf(want, sizeof want, "%s/c.yaml:5:11: unknown kind 'nope' (known: %s)", d, known_kinds());
    cr_expect_str_eq(err.msg, want);
    fa_ruleset_free(rs);

    /* a missing path and an empty folder */
    rs = fa_ruleset_new();
    cr_expect_eq(fa_ruleset_load(rs, "/nonexistent/rules.yaml", &err), FA_FATAL);
    cr_expect_str_eq(err.msg, "/nonexistent/rules.yaml: No such file or directory");
    char *e = tmpdir();
    cr_expect_eq(fa_ruleset_load(rs, e, &err), FA_FATAL);
    snprintf(want, sizeof want, "%s: no rule packs (*.yaml, *.yml) in this folder", e);
    cr_expect_str_eq(err.msg, want);
    fa_ruleset_free(rs);
    rmdir(e);
    free(e);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_expect_eq(system(cmd), 0);
    free(d);
}

Test(rules, default_path)
{
    setenv("FACEAUDIT_RULES", "/some/where", 1);
    char *p = fa_rules_default_path("/x/bin/faceaudit");
    cr_expect_str_eq(p, "/some/where");
    free(p);
    unsetenv("FACEAUDIT_RULES");
    /* <dir of argv0>/../rules, as in a checkout's build/faceaudit */
    char *d = tmpdir();
    char sub[512];
    snprintf(sub, sizeof sub, "%s/build", d);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/rules", d);
    mkdir(sub, 0700);
    char bin[512];
    snprintf(bin, sizeof bin, "%s/build/faceaudit", d);
    p = fa_rules_default_path(bin);
    struct stat sb;
    if (stat(FA_DATADIR "/rules", &sb) != 0) {   /* an installed copy would win */
        char want[600];
        snprintf(want, sizeof want, "%s/build/../rules", d);
        cr_expect_str_eq(p, want);
    }
    free(p);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/build", d);
    rmdir(sub);
    rmdir(d);
    free(d);
}

Test(yaml, nodes_and_typed_readers)
{
    const char *text = "name: faces\ncount: 12\nratio: 0.75\non: yes\nlist: [a, b]\nsingle: c\nmap: {k: v}\n";
    fa_err err;
    fa_ydoc *d = fa_ydoc_load("t.yaml", text, strlen(text), &err);
    cr_assert_not_null(d, "%s", err.msg);
    fa_ynode root = fa_ydoc_root(d);
    cr_expect(fa_ynode_is_map(&root));
    cr_expect_eq(fa_ynode_len(&root), 7);
    fa_ynode k = fa_ynode_key(&root, 1);
    cr_expect_str_eq(fa_ynode_scalar(&k), "count");
    cr_expect_eq(fa_ynode_line(&k), 2);
    cr_expect_eq(fa_ynode_column(&k), 1);

    const char *s;
    long long i;
    double x;
    int b;
    fa_ynode n = fa_ynode_get(&root, "name");
    cr_expect_eq(fa_ynode_str(&n, "name", &s, &err), FA_OK);
    cr_expect_str_eq(s, "faces");
    n = fa_ynode_get(&root, "count");
    cr_expect_eq(fa_ynode_int(&n, "count", &i, &err), FA_OK);
    cr_expect_eq(i, 12);
    n = fa_ynode_get(&root, "ratio");
    cr_expect_eq(fa_ynode_double(&n, "ratio", &x, &err), FA_OK);
    cr_expect_float_eq(x, 0.75, 1e-12);
    cr_expect_eq(fa_ynode_int(&n, "ratio", &i, &err), FA_FAIL);
    cr_expect_str_eq(err.msg, "t.yaml:3:8: ratio must be an integer");
    n = fa_ynode_get(&root, "on");
    cr_expect_eq(fa_ynode_bool(&n, "on", &b, &err), FA_OK);
    cr_expect_eq(b, 1);
    n = fa_ynode_get(&root, "name");
    cr_expect_eq(fa_ynode_bool(&n, "flag", &b, &err), FA_FAIL);
    cr_expect_str_eq(err.msg, "t.yaml:1:7: flag must be true or false");

    char **v;
    size_t cnt;
    n = fa_ynode_get(&root, "list");
    cr_expect(fa_ynode_is_seq(&n));
    cr_expect_eq(fa_ynode_strv(&n, "list", &v, &cnt, &err), FA_OK);
    cr_expect_eq(cnt, 2);
    cr_expect_str_eq(v[1], "b");
    cr_expect_null(v[2]);
    fa_strv_free(v);
    fa_ynode it = fa_ynode_item(&n, 1);
    cr_expect_eq(fa_ynode_column(&it), 11);
    cr_expect_null(fa_ynode_item(&n, 2).node);
    n = fa_ynode_get(&root, "single");
    cr_expect_eq(fa_ynode_strv(&n, "single", &v, &cnt, &err), FA_OK);
    cr_expect_eq(cnt, 1);
    cr_expect_str_eq(v[0], "c");
    fa_strv_free(v);
    n = fa_ynode_get(&root, "map");
    cr_expect_eq(fa_ynode_strv(&n, "map", &v, &cnt, &err), FA_FAIL);
    cr_expect_str_eq(err.msg, "t.yaml:7:6: map must be a string or a list of strings");
    cr_expect_eq(fa_ynode_str(&n, "map", &s, &err), FA_FAIL);
    cr_expect_str_eq(err.msg, "t.yaml:7:6: map must be a string");

    n = fa_ynode_get(&root, "absent");
    cr_expect_null(n.node);
    cr_expect_eq(fa_ynode_line(&n), 0);
    cr_expect_eq(fa_ynode_str(&n, "absent", &s, &err), FA_FAIL);
    cr_expect_str_eq(err.msg, "t.yaml: absent must be a string");
    fa_ydoc_free(d);
}

Test(yaml, errors_and_files)
{
    fa_err err;
    /* invalid UTF-8: libyaml gives a byte offset, reported as line:column */
    const char bad[] = "a: 1\nb: \xff\xfe\n";
    cr_expect_null(fa_ydoc_load("u.yaml", bad, sizeof bad - 1, &err));
    cr_expect_str_eq(err.msg, "u.yaml:2:4: invalid leading UTF-8 octet");
    cr_expect_null(fa_ydoc_load("/nonexistent.yaml", NULL, 0, &err));
    cr_expect_str_eq(err.msg, "/nonexistent.yaml: No such file or directory");
    char *dir = tmpdir();
    write_file(dir, "f.yaml", "k: [1, 2]\n");
    char path[512];
    snprintf(path, sizeof path, "%s/f.yaml", dir);
    fa_ydoc *d = fa_ydoc_load(path, NULL, 0, &err);
    cr_assert_not_null(d, "%s", err.msg);
    fa_ynode root = fa_ydoc_root(d);
    fa_ynode k = fa_ynode_get(&root, "k");
    cr_expect_eq(fa_ynode_len(&k), 2);
    fa_ydoc_free(d);
    unlink(path);
    rmdir(dir);
    free(dir);
}

Test(sha256, vectors)
{
    char hex[65];
    fa_sha256_hex("abc", 3, hex);
    cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    fa_sha256_hex(s, strlen(s), hex);
    cr_expect_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* incremental in odd pieces equals one shot, across block boundaries */
    char big[1000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    char one[65], inc[65];
    fa_sha256_hex(big, sizeof big, one);
    fa_sha256_ctx c;
    unsigned char dg[32];
    fa_sha256_init(&c);
    for (size_t i = 0; i < sizeof big; i += 13)
        fa_sha256_update(&c, big + i, sizeof big - i < 13 ? sizeof big - i : 13);
    fa_sha256_final(&c, dg);
    fa_sha256_tohex(dg, inc);
    cr_expect_str_eq(one, inc);
}
