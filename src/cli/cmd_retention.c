/* faceaudit retention: ages of biometric data against a retention policy, from scan
 * documents. Reports and writes a deletion manifest; never deletes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "faceaudit/model.h"
#include "faceaudit/policy.h"
#include "faceaudit/retention.h"
#include "faceaudit/scandoc.h"

#define CMD "retention"

static const cli_option retention_options[] = {
    { "policy",    'p', "FILE",      "retention policy (faceaudit-policy(5))" },
    { "preset",    0,   "NAME",      "start from a preset: bipa, cubi or gdpr" },
    { "set",       0,   "KEY=VALUE", "set the default rule: max_age=DURATION or basis=TEXT" },
    { "as-of",     0,   "DATE",      "compute ages as of DATE (YYYY-MM-DD or RFC 3339; default now)" },
    { "warn-days", 0,   "N",         "status due when the deadline is within N days (default 30)" },
    { "format",    'f', "FORMAT",    "json, md or csv (default md)" },
    { "output",    'o', "FILE",      "write the report to FILE (mode 0600)" },
    { "manifest",  'm', "FILE",      "write the deletable overdue locations to FILE, archives to rewrite to FILE.rewrite" },
    { "fail-on",   0,   "STATUS",    "exit 1 when anything is overdue (default), due (or overdue), or never" },
    { NULL, 0, NULL, NULL }
};

void cmd_retention_usage(FILE *out)
{
    fprintf(out, "usage: faceaudit retention (--policy FILE | --preset NAME) [OPTIONS] SCAN.json...\n\n"
                 "Checks every object with biometric findings in the scan documents against a\n"
                 "retention policy: timestamp, age, deadline and status (ok, due, overdue, hold,\n"
                 "unknown), and compares S3 bucket lifecycle rules with the policy. Never deletes.\n");
    cli_print_options(out, retention_options);
    fprintf(out, "\nExit status: 0 nothing at or above --fail-on, 1 something overdue (or due with\n"
                 "--fail-on due), 2 usage error or an invalid policy or scan document.\n"
                 "See faceaudit-retention(1) and faceaudit-policy(5).\n");
}


static int write_file(const char *path, const fa_buf *b)
{
    FILE *f = cli_open_output(CMD, path);
    if (!f)
        return -1;
    fwrite(b->buf, 1, b->len, f);
    return cli_close_output(CMD, f, path);
}

/* A policy category that the shipped packs never report and no scan document holds is most
 * likely a typo (face_imgae): its rule can never match, silently. A custom pack may add
 * categories, so it is a warning, not an error. */
static void warn_unknown_categories(const fa_policy *p, const fa_scandoc *d)
{
    static const char *const known[] = { FA_CAT_FACE_IMAGE, FA_CAT_FACE_TEMPLATE, FA_CAT_BIOMETRIC_META,
                                         FA_CAT_VENDOR, NULL };
    for (size_t i = 0; i <= p->nrules; i++) {
        const fa_policy_rule *r = i < p->nrules ? &p->rules[i] : &p->deflt;
        if (i == p->nrules && !p->has_default)
            break;
        for (char **c = r->categories; c && *c; c++) {
            int seen = 0;
            for (size_t k = 0; known[k] && !seen; k++)
                seen = !strcmp(known[k], *c);
            for (size_t k = 0; k < d->nfindings && !seen; k++)
                seen = !strcmp(d->findings[k].category, *c);
            if (seen)
                continue;
            char where[48] = "";
            if (r->line > 0 && p->source)
                snprintf(where, sizeof where, " (line %ld)", r->line);
            cli_error(CMD, "warning: policy rule '%s'%s: category '%s' is not one the shipped rule packs "
                      "report (%s, %s, %s, %s) and no scan document holds it: the rule matches nothing",
                      r->id, where, *c, known[0], known[1], known[2], known[3]);
        }
    }
}

int cmd_retention(int argc, char **argv)
{
    struct option lo[16];
    char shorts[32];
    cli_getopt_table(retention_options, lo, shorts);
    const char *policy_file = NULL, *preset = NULL, *as_of = NULL, *format = "md", *output = NULL,
               *manifest = NULL, *fail_on = "overdue";
    const char **sets = fa_xcalloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    fa_retention_opts ro = { .as_of = (int64_t)time(NULL), .warn_days = 30 };
    int c, rc = CLI_EXIT_USAGE;
    fa_policy *pol = NULL;
    fa_scandoc *doc = NULL;
    json_t *rep = NULL;
    fa_buf out = FA_BUF_INIT;
    fa_err err;
    fa_err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        switch (c) {
        case 'p': policy_file = optarg; break;
        case 256 + 1: preset = optarg; break;
        case 256 + 2: sets[nsets++] = optarg; break;
        case 256 + 3: as_of = optarg; break;
        case 256 + 4: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 0 || n > 36500) {
                cli_error(CMD, "--warn-days: '%s' is not a number of days", optarg);
                goto out;
            }
            ro.warn_days = (int)n;
            break;
        }
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 'm': manifest = optarg; break;
        case 256 + 8: fail_on = optarg; break;
        case ':':
            cli_error(CMD, "option '%s' needs an argument", argv[optind - 1]);
            goto out;
        default:
            cli_error(CMD, "unknown option '%s'", argv[optind - 1]);
            cmd_retention_usage(stderr);
            goto out;
        }
    }
    int fmt = fa_retention_format_parse(format);
    if (fmt < 0) {
        cli_error(CMD, "--format: unknown format '%s' (json, md, csv)", format);
        goto out;
    }
    if (strcmp(fail_on, "overdue") && strcmp(fail_on, "due") && strcmp(fail_on, "never")) {
        cli_error(CMD, "--fail-on: '%s' is not overdue, due or never", fail_on);
        goto out;
    }
    if (as_of && fa_sdoc_time_parse(as_of, &ro.as_of)) {
        cli_error(CMD, "--as-of: '%s' is not a date (YYYY-MM-DD) or RFC 3339 time", as_of);
        goto out;
    }
    if (!policy_file && !preset) {
        cli_error(CMD, "a policy is needed: --policy FILE or --preset bipa|cubi|gdpr");
        goto out;
    }
    if (optind >= argc) {
        cli_error(CMD, "no scan document given (write one with `faceaudit scan --format json -o scan.json DIR`)");
        goto out;
    }
    if (preset && !(pol = fa_policy_preset(preset, &err))) {
        cli_error(CMD, "--preset: %s", err.msg);
        goto out;
    }
    if (policy_file) {
        fa_policy *p = fa_policy_load(policy_file, NULL, 0, &err);
        if (!p) {
            cli_error(CMD, "%s", err.msg);
            goto out;
        }
        if (pol)
            fa_policy_layer(pol, p);
        else
            pol = p;
    }
    for (size_t i = 0; i < nsets; i++)
        if (fa_policy_set(pol, sets[i], &err) < 0) {
            cli_error(CMD, "%s", err.msg);
            goto out;
        }
    doc = fa_scandoc_new();
    for (int i = optind; i < argc; i++)
        if (fa_scandoc_load(doc, argv[i], &err) < 0) {
            cli_error(CMD, "%s", err.msg);
            goto out;
        }
    if (!(rep = fa_retention_build(doc, pol, &ro, &err)) ||
        fa_retention_render(rep, (fa_retention_format)fmt, &out, &err) < 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }
    if (write_file(output, &out))
        goto out;
    if (manifest) {
        /* The manifest holds only deletable locations (xargs reads it as it is); archives
         * to rewrite go beside it, in MANIFEST.rewrite, named on stderr when there are any. */
        fa_buf m = FA_BUF_INIT, rw = FA_BUF_INIT;
        fa_retention_manifest(rep, &m, &rw);
        char *rw_path = fa_xasprintf("%s.rewrite", manifest);
        /* Both are always written: an empty MANIFEST.rewrite is not one left from a run before. */
        int bad = write_file(manifest, &m) || write_file(rw_path, &rw);
        if (!bad && rw.len)
            cli_error(CMD, "overdue data inside archives (or unlistable names) cannot be deleted "
                      "as files: see %s", rw_path);
        free(rw_path);
        fa_buf_release(&m);
        fa_buf_release(&rw);
        if (bad)
            goto out;
    }
    json_t *sum = json_object_get(rep, "summary");
    long overdue = (long)json_integer_value(json_object_get(sum, "overdue"));
    long due = (long)json_integer_value(json_object_get(sum, "due"));
    long needs = (long)json_integer_value(json_object_get(sum, "needs_decision"));
    warn_unknown_categories(pol, doc);
    if (needs)
        cli_error(CMD, "%ld object(s) need a decision: the policy sets no max_age for them "
                  "(--set max_age=DURATION or a policy rule)", needs);
    if (!json_is_true(json_object_get(sum, "complete")))
        cli_error(CMD, "warning: the scan was incomplete; objects may be missing from the report");
    rc = CLI_EXIT_OK;
    if ((!strcmp(fail_on, "overdue") && overdue) || (!strcmp(fail_on, "due") && (overdue || due)))
        rc = CLI_EXIT_FINDINGS;
out:
    fa_buf_release(&out);
    json_decref(rep);
    fa_scandoc_free(doc);
    fa_policy_free(pol);
    free(sets);
    return rc;
}
