/* faceaudit rules list|test|lint: inspect rule packs, run every rule's examples through
 * the real scanner, and check packs for likely mistakes. Example text is never printed:
 * examples may be (synthetic) biometric content such as base64 images. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/rules.h"
#include "faceaudit/scan.h"
#include "faceaudit/sink.h"
#include "faceaudit/yaml.h"

#define CMD "rules"
/* Example files are small fixtures; a cap keeps a wrong path from reading a disk image. */
#define MAX_EXAMPLE_FILE (64L << 20)

static const cli_option list_opts[] = {
    { "rules",  'r', "PATH", "rule pack file or folder (repeatable; default: the installed packs)" },
    { "format", 'f', "FMT",  "text (default) or json" },
    { "help",   'h', NULL,   "show this help" },
    { NULL, 0, NULL, NULL },
};
static const cli_option test_opts[] = {
    { "rules",  'r', "PATH", "rule pack file or folder (repeatable; default: the installed packs)" },
    { "help",   'h', NULL,   "show this help" },
    { NULL, 0, NULL, NULL },
};
static const cli_option lint_opts[] = {
    { "strict", 's', NULL,   "exit 1 when there are warnings" },
    { "help",   'h', NULL,   "show this help" },
    { NULL, 0, NULL, NULL },
};

void cmd_rules_usage(FILE *out)
{
    fprintf(out,
            "usage: faceaudit rules list [--rules PATH]... [--format text|json]\n"
            "       faceaudit rules test [--rules PATH]... [PACK...]\n"
            "       faceaudit rules lint [--strict] PACK...\n"
            "\n"
            "list  prints every loaded rule: id, kind, category, severity, pack, description.\n"
            "test  runs each rule's examples through the scanner with only that rule enabled;\n"
            "      PACK is a pack file or folder to load, or the id of a loaded pack to test.\n"
            "lint  checks packs: load errors (every pack's) exit 2; failing examples exit 1;\n"
            "      warnings for too few examples, regex rules without keywords and patterns\n"
            "      that may backtrack catastrophically.\n"
            "\nlist options:");
    cli_print_options(out, list_opts);
    fprintf(out, "\ntest options:");
    cli_print_options(out, test_opts);
    fprintf(out, "\nlint options:");
    cli_print_options(out, lint_opts);
    fprintf(out, "\nExit status: 0 ok, 1 failed examples (test, lint) or warnings with --strict (lint),\n"
                 "2 usage error or a rule pack that does not load.\n");
}


typedef struct opts {
    const char **paths;     /* --rules and PACK arguments that exist on disk */
    size_t       npaths;
    const char **packs;     /* PACK arguments naming a loaded pack id */
    size_t       npacks;
    const char  *format;
    int          strict;
} opts;

static void opts_free(opts *o)
{
    free(o->paths);
    free(o->packs);
}

static int path_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Parses the subcommand's options; positional args are PACKs. Returns -1 on usage errors. */
static int parse_opts(const char *sub, const cli_option *table, int argc, char **argv, opts *o)
{
    struct option lo[8];
    char shorts[32];
    cli_getopt_table(table, lo, shorts);
    memset(o, 0, sizeof *o);
    o->paths = fa_xcalloc((size_t)argc + 1, sizeof *o->paths);
    o->packs = fa_xcalloc((size_t)argc + 1, sizeof *o->packs);
    o->format = "text";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        switch (c) {
        case 'r': o->paths[o->npaths++] = optarg; break;
        case 'f': o->format = optarg; break;
        case 's': o->strict = 1; break;
        case ':':
            cli_error(CMD, "%s: option '%s' needs an argument", sub, argv[optind - 1]);
            return -1;
        default:
            cli_error(CMD, "%s: unknown option '%s'", sub, argv[optind - 1]);
            return -1;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (path_exists(argv[i]))
            o->paths[o->npaths++] = argv[i];
        else
            o->packs[o->npacks++] = argv[i];
    }
    return 0;
}

/* Loads every path, or the default packs. Prints the loader's message as is (it is
 * already "file:line:column: message") and returns NULL on failure. */
static fa_ruleset *load_rules(const char *const *paths, size_t n)
{
    fa_ruleset *rs = fa_ruleset_new();
    fa_err err;
    if (n == 0) {
        char *def = fa_rules_default_path(cli_argv0);
        if (!def) {
            cli_error(CMD, "no rule packs found: use --rules PATH or set FACEAUDIT_RULES");
            fa_ruleset_free(rs);
            return NULL;
        }
        fa_status st = fa_ruleset_load(rs, def, &err);
        free(def);
        if (st != FA_OK) {
            fprintf(stderr, "%s\n", err.msg);
            fa_ruleset_free(rs);
            return NULL;
        }
        return rs;
    }
    for (size_t i = 0; i < n; i++)
        if (fa_ruleset_load(rs, paths[i], &err) != FA_OK) {
            fprintf(stderr, "%s\n", err.msg);
            fa_ruleset_free(rs);
            return NULL;
        }
    return rs;
}

/* --- list --- */

static void one_line(const char *s, fa_buf *out)
{
    fa_buf_reset(out);
    for (; s && *s; s++)
        fa_buf_addch(out, *s == '\n' || *s == '\t' ? ' ' : *s);
    while (out->len && out->buf[out->len - 1] == ' ')
        out->buf[--out->len] = '\0';
}

static json_t *strv_json(char **v)
{
    json_t *a = json_array();
    for (; v && *v; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

static int do_list(fa_ruleset *rs, const char *format)
{
    size_t n = fa_ruleset_nrules(rs);
    if (!strcmp(format, "json")) {
        json_t *doc = json_object(), *packs = json_array(), *rules = json_array();
        json_object_set_new(doc, "rules_digest", json_string(fa_ruleset_digest(rs)));
        for (size_t i = 0; i < fa_ruleset_npacks(rs); i++) {
            const fa_pack *p = fa_ruleset_pack(rs, i);
            json_array_append_new(packs, json_pack("{s:s, s:s, s:s?, s:s, s:I}", "id", p->id,
                                                   "version", p->version, "description", p->description,
                                                   "file", p->file, "rules", (json_int_t)p->nrules));
        }
        for (size_t i = 0; i < n; i++) {
            const fa_rule *r = fa_ruleset_rule(rs, i);
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:o, s:o, s:{s:I, s:I}, s:s, s:I, s:I}",
                                  "id", r->id, "kind", r->kind->name, "category", r->category,
                                  "severity", fa_severity_name(r->severity), "confidence", r->confidence,
                                  "description", r->description, "pack", r->pack->id,
                                  "keywords", strv_json(r->keywords), "tags", strv_json(r->tags),
                                  "examples", "match", (json_int_t)r->nex_match,
                                  "no_match", (json_int_t)r->nex_no_match,
                                  "file", r->pack->file, "line", (json_int_t)r->line,
                                  "column", (json_int_t)r->column);
            json_array_append_new(rules, o);
        }
        json_object_set_new(doc, "packs", packs);
        json_object_set_new(doc, "rules", rules);
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        fputc('\n', stdout);
        json_decref(doc);
        return CLI_EXIT_OK;
    }
    int wid = 2, wkind = 4, wcat = 8, wpack = 4;
    for (size_t i = 0; i < n; i++) {
        const fa_rule *r = fa_ruleset_rule(rs, i);
#define WIDEN(w, s) do { int l_ = (int)strlen(s); if (l_ > (w)) (w) = l_; } while (0)
        WIDEN(wid, r->id);
        WIDEN(wkind, r->kind->name);
        WIDEN(wcat, r->category);
        WIDEN(wpack, r->pack->id);
#undef WIDEN
    }
    printf("%-*s  %-*s  %-*s  %-8s  %-*s  %s\n", wid, "ID", wkind, "KIND", wcat, "CATEGORY", "SEVERITY",
           wpack, "PACK", "DESCRIPTION");
    fa_buf d = FA_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const fa_rule *r = fa_ruleset_rule(rs, i);
        one_line(r->description, &d);
        printf("%-*s  %-*s  %-*s  %-8s  %-*s  %s\n", wid, r->id, wkind, r->kind->name, wcat, r->category,
               fa_severity_name(r->severity), wpack, r->pack->id, d.buf);
    }
    fa_buf_release(&d);
    return CLI_EXIT_OK;
}

/* --- test --- */

static int read_example_file(const fa_rule *r, const char *rel, fa_buf *out, char **path, fa_err *err)
{
    *path = rel[0] == '/' ? fa_xstrdup(rel) : fa_xasprintf("%s/%s", r->pack->dir, rel);
    FILE *f = fopen(*path, "rb");
    if (!f)
        return fa_err_set(err, FA_FAIL, "unreadable", "%s: %s", *path, strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        fa_buf_add(out, chunk, n);
        if (out->len > (size_t)MAX_EXAMPLE_FILE) {
            fclose(f);
            return fa_err_set(err, FA_FAIL, "too_large", "%s: larger than %ld bytes", *path, MAX_EXAMPLE_FILE);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return fa_err_set(err, FA_FAIL, "unreadable", "%s: read error", *path);
    return FA_OK;
}

/* Runs one example; returns 1 if a finding of r was reported, 0 if not, -1 on error. */
static int run_example(fa_scanner *sc, const fa_rule *r, const char *ex, fa_err *err)
{
    fa_buf data = FA_BUF_INIT;
    char *file = NULL;
    const char *path = "example.txt";
    fa_example_mode mode = r->kind->example_mode;
    int is_file = mode == FA_EX_FILE || (mode != FA_EX_PATH && !strncmp(ex, "file:", 5));
    if (is_file) {
        const char *rel = strncmp(ex, "file:", 5) ? ex : ex + 5;
        if (read_example_file(r, rel, &data, &file, err) != FA_OK) {
            free(file);
            fa_buf_release(&data);
            return -1;
        }
        path = rel;
    } else if (mode == FA_EX_PATH) {
        path = ex;
    } else {
        fa_buf_adds(&data, ex);
    }
    fa_sink *sink = fa_sink_collect_new();
    fa_status st = fa_scanner_scan_memory(sc, path, data.buf, data.len, sink, err);
    int hit = 0;
    if (st < FA_WARN) {
        hit = -1;
    } else {
        const fa_collected *c = fa_sink_collected(sink);
        for (size_t i = 0; i < c->nfindings; i++)
            if (!strcmp(c->findings[i].rule_id, r->id))
                hit = 1;
    }
    fa_sink_free(sink);
    free(file);
    fa_buf_release(&data);
    return hit;
}

static int selected(const opts *o, const fa_rule *r)
{
    if (!o->npacks)
        return 1;
    for (size_t i = 0; i < o->npacks; i++)
        if (!strcmp(o->packs[i], r->pack->id))
            return 1;
    return 0;
}

/* Runs every selected rule's examples, each rule alone. verbose: a PASS/FAIL line per
 * example (test); otherwise only failures, as file:line:column: error lines (lint).
 * Returns the number of failed examples; *passed counts the others. */
static size_t check_examples(fa_ruleset *rs, const opts *o, int verbose, size_t *passed)
{
    size_t n = fa_ruleset_nrules(rs), pass = 0, failed = 0;
    fa_scan_opts so;
    fa_scan_opts_init(&so);
    for (size_t i = 0; i < n; i++) {
        fa_rule *r = fa_ruleset_rule(rs, i);
        if (!selected(o, r))
            continue;
        /* Only this rule runs, so a finding can only be its own. */
        for (size_t j = 0; j < n; j++)
            fa_ruleset_rule(rs, j)->enabled = (j == i);
        fa_err err;
        fa_scanner *sc = fa_scanner_new(rs, &so, &err);
        if (!sc)
            cli_error(CMD, "%s: %s", r->id, err.msg);
        for (int want = 1; want >= 0; want--) {
            char **ex = want ? r->ex_match : r->ex_no_match;
            size_t nex = want ? r->nex_match : r->nex_no_match;
            for (size_t k = 0; k < nex; k++) {
                int hit = sc ? run_example(sc, r, ex[k], &err) : -1;
                const char *what = want ? "match" : "no_match";
                if (hit == want) {
                    pass++;
                    if (verbose)
                        printf("PASS %s: example %zu (%s)\n", r->id, k + 1, what);
                    continue;
                }
                failed++;
                if (verbose)
                    printf("FAIL %s: example %zu (%s)\n", r->id, k + 1, what);
                else
                    printf("%s:%ld:%ld: error: rule '%s': %s example %zu %s\n", r->pack->file, r->line,
                           r->column, r->id, what, k + 1, want ? "does not match" : "matches");
                if (hit < 0 && sc)
                    cli_error(CMD, "%s: example %zu (%s): %s", r->id, k + 1, what, err.msg);
            }
        }
        fa_scanner_free(sc);
    }
    for (size_t j = 0; j < n; j++)
        fa_ruleset_rule(rs, j)->enabled = 1;
    *passed = pass;
    return failed;
}

static int do_test(fa_ruleset *rs, const opts *o)
{
    for (size_t i = 0; i < o->npacks; i++) {
        int known = 0;
        for (size_t j = 0; j < fa_ruleset_npacks(rs); j++)
            known |= !strcmp(fa_ruleset_pack(rs, j)->id, o->packs[i]);
        if (!known) {
            cli_error(CMD, "test: '%s' is neither a file nor the id of a loaded pack", o->packs[i]);
            return CLI_EXIT_USAGE;
        }
    }
    size_t pass, failed = check_examples(rs, o, 1, &pass);
    printf("%zu passed, %zu failed\n", pass, failed);
    return failed ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

/* --- lint --- */

/* Reads a quantifier at p: returns its length (0 if none); *unbounded for * + {n,};
 * *possessive for a trailing '+' (no backtracking into it). */
static size_t quantifier(const char *p, int *unbounded, int *possessive)
{
    size_t n = 0;
    *unbounded = *possessive = 0;
    if (*p == '*' || *p == '+') {
        *unbounded = 1;
        n = 1;
    } else if (*p == '?') {
        n = 1;
    } else if (*p == '{') {
        const char *q = p + 1;
        if (*q < '0' || *q > '9')
            return 0;
        while (*q >= '0' && *q <= '9') q++;
        if (*q == ',') {
            q++;
            if (*q == '}')
                *unbounded = 1;
            while (*q >= '0' && *q <= '9') q++;
        }
        if (*q != '}')
            return 0;
        n = (size_t)(q - p) + 1;
    }
    if (n && p[n] == '+') { *possessive = 1; n++; }
    else if (n && p[n] == '?') n++;
    return n;
}

/* Whether the class body [start, end) (without the brackets) can match c. Approximate
 * where exactness would need a full parser: unknown escapes count as "can match". */
static int class_can_match(const char *p, const char *end, int c)
{
    int neg = 0, m = 0;
    if (p < end && *p == '^') { neg = 1; p++; }
    int first = 1;
    while (p < end && (first || *p != ']')) {
        first = 0;
        int lo;
        if (*p == '[' && p + 1 < end && p[1] == ':') {   /* [:alpha:] and friends */
            const char *e = strstr(p, ":]");
            m = 1;
            p = e && e < end ? e + 2 : end;
            continue;
        }
        if (*p == '\\' && p + 1 < end) {
            char e = p[1];
            p += 2;
            if (strchr("dDwWsShHvVpPNR", e)) {
                int in = e == 'd' ? (c >= '0' && c <= '9') :
                         e == 'D' ? !(c >= '0' && c <= '9') :
                         e == 'w' ? (c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z')) :
                         e == 'W' ? !(c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z')) :
                         e == 's' ? (c == ' ' || (c >= '\t' && c <= '\r')) :
                         e == 'S' ? !(c == ' ' || (c >= '\t' && c <= '\r')) : 1;
                m |= in;
                continue;
            }
            lo = e == 't' ? '\t' : e == 'n' ? '\n' : e;
        } else {
            lo = (unsigned char)*p++;
        }
        int hi = lo;
        if (p + 1 < end && *p == '-' && p[1] != ']') {
            hi = (unsigned char)p[1];
            if (hi == '\\' && p + 2 < end) { hi = (unsigned char)p[2]; p++; }
            p += 2;
        }
        int lc = c | 32;   /* (?i) may be on: compare letters case-insensitively */
        if ((c >= lo && c <= hi) || (lc >= 'a' && lc <= 'z' &&
            ((lc >= (lo | 32) && lc <= (hi | 32)) || ((lc & ~32) >= lo && (lc & ~32) <= hi))))
            m = 1;
    }
    return neg ? !m : m;
}

/* Whether the atom [a, e) (a literal, an escape, '.', a class) can match character c;
 * c < 0 means "unknown", always yes. Groups are conservatively yes. */
static int atom_can_match(const char *a, const char *e, int c)
{
    if (c < 0)
        return 1;
    if (*a == '.')
        return c != '\n';
    if (*a == '[')
        return class_can_match(a + 1, e - 1, c);
    if (*a == '(')
        return 1;
    if (*a == '\\') {
        char x = a[1];
        switch (x) {
        case 'd': return c >= '0' && c <= '9';
        case 'D': return !(c >= '0' && c <= '9');
        case 'w': return c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
        case 'W': return !(c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'));
        case 's': return c == ' ' || (c >= '\t' && c <= '\r');
        case 'S': return !(c == ' ' || (c >= '\t' && c <= '\r'));
        default:
            if ((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9'))
                return 1;   /* \p{..}, \x.., \h, backreferences: assume yes */
            return x == c;
        }
    }
    return (*a | 32) == (c | 32) || *a == c;
}

/* The literal character an atom stands for, or -1 if it is not a single literal. */
static int atom_literal(const char *a, const char *e)
{
    if (e - a == 1 && !strchr(".[()|^$", *a))
        return (unsigned char)*a;
    if (e - a == 2 && a[0] == '\\' && !((a[1] | 32) >= 'a' && (a[1] | 32) <= 'z') &&
        !(a[1] >= '0' && a[1] <= '9'))
        return (unsigned char)a[1];
    return -1;
}

/* Skips what follows '(' up to the group's content: ?: ?> ?= ?! ?<= ?<! ?<name> ?P<name>
 * ?'name' ?| and inline options like ?i: . */
static const char *group_body(const char *p)
{
    if (*p != '?')
        return p;
    p++;
    if (*p == ':' || *p == '>' || *p == '=' || *p == '!' || *p == '|')
        return p + 1;
    if (*p == '<' && (p[1] == '=' || p[1] == '!'))
        return p + 2;
    if (*p == 'P' && p[1] == '<')
        p++;
    if (*p == '<' || *p == '\'') {
        const char *e = strchr(p + 1, *p == '<' ? '>' : '\'');
        return e ? e + 1 : p + strlen(p);
    }
    while (*p && *p != ':' && *p != ')')   /* options: (?i) or (?i:...) */
        p++;
    return *p == ':' ? p + 1 : p;
}

/* 1 if the pattern repeats without bound a group whose own unbounded part can also match
 * where a repetition starts, like (a+)+ or (?:\w+\s?)*: the classic catastrophic shape.
 * (?:-[a-z]+)+ is not reported: each repetition starts with '-', which [a-z]+ cannot eat. */
static int nested_quantifier(const char *re)
{
    enum { MAXD = 64 };
    int inner[MAXD] = { 0 }, atomic[MAXD] = { 0 }, lead[MAXD], seen[MAXD] = { 0 };
    int d = 0, found = 0;
    lead[0] = -1;
    const char *p = re;
    while (*p && !found) {
        int ub, poss;
        size_t ql;
        const char *a = p;   /* the atom starts here */
        if (*p == '\\') {
            if (p[1] == 'Q') {
                const char *e = strstr(p + 2, "\\E");
                p = e ? e + 2 : p + strlen(p);
                seen[d] = 1;
                continue;
            }
            if (p[1] && strchr("xpPgkNo", p[1]) && p[2] == '{') {
                const char *e = strchr(p + 2, '}');
                p = e ? e + 1 : p + strlen(p);
            } else {
                p += p[1] ? 2 : 1;
            }
        } else if (*p == '[') {
            p++;
            if (*p == '^') p++;
            if (*p == ']') p++;
            while (*p && *p != ']') {
                if (*p == '\\' && p[1]) p += 2;
                else if (*p == '[' && p[1] == ':') {
                    const char *e = strstr(p, ":]");
                    p = e ? e + 2 : p + 1;
                } else p++;
            }
            if (*p) p++;
        } else if (*p == '(') {
            if (p[1] == '*' || (p[1] == '?' && p[2] == '#')) {   /* (*VERB), (?#comment) */
                const char *e = strchr(p, ')');
                p = e ? e + 1 : p + strlen(p);
                continue;
            }
            if (d + 1 < MAXD) {
                d++;
                inner[d] = 0;
                seen[d] = 0;
                lead[d] = -1;
                atomic[d] = p[1] == '?' && p[2] == '>';
            }
            p = group_body(p + 1);
            continue;
        } else if (*p == ')') {
            int had = inner[d], at = atomic[d];
            if (d > 0) d--;
            p++;
            ql = quantifier(p, &ub, &poss);
            if (ql) {
                if (had && ub && !poss && !at)
                    found = 1;
                p += ql;
            }
            if (!at && (had || (ql && ub && !poss)))
                inner[d] = 1;
            seen[d] = 1;   /* a group as first element: no known leading literal */
            continue;
        } else if (*p == '|') {
            lead[d] = -1;   /* alternatives: any of them may start a repetition */
            seen[d] = 1;
            p++;
            continue;
        } else {
            p++;
        }
        const char *e = p;
        ql = quantifier(p, &ub, &poss);
        if (!seen[d]) {
            seen[d] = 1;
            lead[d] = ql ? -1 : atom_literal(a, e);
        }
        if (ql) {
            if (ub && !poss && atom_can_match(a, e, lead[d]))
                inner[d] = 1;
            p += ql;
        }
    }
    return found;
}

static size_t lint_pack_patterns(const fa_pack *p, const fa_ruleset *rs)
{
    fa_err err;
    fa_ydoc *doc = fa_ydoc_load(p->file, NULL, 0, &err);
    if (!doc)
        return 0;   /* it loaded a moment ago; nothing more to say */
    size_t warnings = 0;
    fa_ynode root = fa_ydoc_root(doc);
    fa_ynode rules = fa_ynode_get(&root, "rules");
    for (size_t i = 0; i < fa_ynode_len(&rules); i++) {
        fa_ynode rn = fa_ynode_item(&rules, i);
        fa_ynode idn = fa_ynode_get(&rn, "id"), pat = fa_ynode_get(&rn, "pattern");
        const char *id = fa_ynode_scalar(&idn), *re = fa_ynode_scalar(&pat);
        if (!id || !re || !fa_ruleset_find(rs, id))
            continue;
        if (nested_quantifier(re)) {
            printf("%s:%ld:%ld: warning: rule '%s': pattern has a repeated group that itself contains "
                   "an unbounded quantifier (like (a+)+); it may backtrack catastrophically\n",
                   p->file, fa_ynode_line(&pat), fa_ynode_column(&pat), id);
            warnings++;
        }
    }
    fa_ydoc_free(doc);
    return warnings;
}

static int do_lint(fa_ruleset *rs, const opts *o)
{
    size_t warnings = 0;
    for (size_t i = 0; i < fa_ruleset_nrules(rs); i++) {
        const fa_rule *r = fa_ruleset_rule(rs, i);
        const char *f = r->pack->file;
        if (r->nex_match < 2) {
            printf("%s:%ld:%ld: warning: rule '%s' has %zu match example%s (at least 2 expected)\n",
                   f, r->line, r->column, r->id, r->nex_match, r->nex_match == 1 ? "" : "s");
            warnings++;
        }
        if (r->nex_no_match < 2) {
            printf("%s:%ld:%ld: warning: rule '%s' has %zu no_match example%s (at least 2 expected)\n",
                   f, r->line, r->column, r->id, r->nex_no_match, r->nex_no_match == 1 ? "" : "s");
            warnings++;
        }
        if (!strcmp(r->kind->name, "regex") && r->nkeywords == 0) {
            printf("%s:%ld:%ld: warning: regex rule '%s' has no keywords, so every line of every "
                   "text object is matched against it\n", f, r->line, r->column, r->id);
            warnings++;
        }
    }
    for (size_t i = 0; i < fa_ruleset_npacks(rs); i++)
        warnings += lint_pack_patterns(fa_ruleset_pack(rs, i), rs);
    size_t passed, failed = check_examples(rs, o, 0, &passed);
    fprintf(stderr, "%zu pack%s, %zu rule%s, %zu failed example%s, %zu warning%s\n", fa_ruleset_npacks(rs),
            fa_ruleset_npacks(rs) == 1 ? "" : "s", fa_ruleset_nrules(rs),
            fa_ruleset_nrules(rs) == 1 ? "" : "s", failed, failed == 1 ? "" : "s",
            warnings, warnings == 1 ? "" : "s");
    return failed || (warnings && o->strict) ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

/* Loads every pack file on its own, so that each broken pack is reported, not only the
 * first (the combined load after it catches duplicate ids across packs). Returns the number
 * of files or paths with errors. */
static size_t lint_load_errors(const char *const *paths, size_t npaths)
{
    char *def = NULL;
    const char *one[1];
    if (npaths == 0) {
        if (!(def = fa_rules_default_path(cli_argv0)))
            return 0;   /* load_rules() says so */
        one[0] = def;
        paths = one;
        npaths = 1;
    }
    size_t bad = 0;
    for (size_t i = 0; i < npaths; i++) {
        fa_err err;
        char **files;
        if (fa_ruleset_pack_files(paths[i], &files, &err) != FA_OK) {
            fprintf(stderr, "%s\n", err.msg);
            bad++;
            continue;
        }
        for (size_t k = 0; files[k]; k++) {
            fa_ruleset *rs = fa_ruleset_new();
            if (fa_ruleset_load(rs, files[k], &err) != FA_OK) {
                fprintf(stderr, "%s\n", err.msg);
                bad++;
            }
            fa_ruleset_free(rs);
        }
        fa_strv_free(files);
    }
    free(def);
    return bad;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2) {
        cmd_rules_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sub = argv[1];
    const cli_option *table = !strcmp(sub, "list") ? list_opts : !strcmp(sub, "test") ? test_opts
                            : !strcmp(sub, "lint") ? lint_opts : NULL;
    if (!table) {
        cli_error(CMD, "unknown subcommand '%s' (expected list, test or lint)", sub);
        return CLI_EXIT_USAGE;
    }
    opts o;
    if (parse_opts(sub, table, argc - 1, argv + 1, &o) != 0) {
        opts_free(&o);
        return CLI_EXIT_USAGE;
    }
    int rc = CLI_EXIT_USAGE;
    if (!strcmp(sub, "list") && strcmp(o.format, "text") && strcmp(o.format, "json")) {
        cli_error(CMD, "list: unknown format '%s' (expected text or json)", o.format);
    } else if (!strcmp(sub, "list") && o.npacks) {
        cli_error(CMD, "list: unexpected argument '%s' (use --rules PATH)", o.packs[0]);
    } else if (!strcmp(sub, "lint") && o.npacks) {
        cli_error(CMD, "lint: %s: %s", o.packs[0], strerror(ENOENT));
    } else if (!strcmp(sub, "lint") && lint_load_errors((const char *const *)o.paths, o.npaths)) {
        rc = CLI_EXIT_USAGE;   /* each broken pack was named */
    } else {
        fa_ruleset *rs = load_rules(o.paths, o.npaths);
        if (rs) {
            if (!strcmp(sub, "list"))
                rc = do_list(rs, o.format);
            else if (!strcmp(sub, "test"))
                rc = do_test(rs, &o);
            else
                rc = do_lint(rs, &o);
            fa_ruleset_free(rs);
        }
    }
    opts_free(&o);
    return rc;
}
