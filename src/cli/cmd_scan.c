/* faceaudit scan: parse options, load rule packs, run the scanner into a sink, map the
 * outcome to the contract's exit status. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "faceaudit/buf.h"
#include "faceaudit/scan.h"

enum {
    OPT_FORMAT = 'f', OPT_OUTPUT = 'o', OPT_QUIET = 'q',
    OPT_RULES = 256, OPT_INCLUDE, OPT_EXCLUDE, OPT_FOLLOW, OPT_FAIL_ON, OPT_FAIL_ON_ERRORS,
    OPT_FACE_MODEL, OPT_DISABLE, OPT_ENABLE, OPT_LIMIT_BASE = 512
};

static const cli_option scan_options[] = {
    { "format", 'f', "FMT", "output format: text (default), json (the scan document), jsonl" },
    { "output", 'o', "FILE", "write results to FILE (created with mode 0600) instead of stdout" },
    { "rules", 0, "PATH", "rule pack file or folder (repeatable; default: see faceaudit-rules(5))" },
    { "include", 0, "GLOB", "scan only files matching GLOB (repeatable)" },
    { "exclude", 0, "GLOB", "skip files and folders matching GLOB (repeatable)" },
    { "follow-symlinks", 0, NULL, "follow symbolic links below folders (loops are detected)" },
    { "fail-on", 0, "SEV", "exit 1 for findings at or above SEV: info|low|medium|high|critical|none (default low)" },
    { "fail-on-scan-errors", 0, NULL, "exit 3 when the scan was incomplete (errors or limits hit)" },
    { "disable", 0, "RULE_ID", "do not run this rule (repeatable)" },
    { "enable", 0, "RULE_ID", "run only the named rules (repeatable)" },
    { "face-model", 0, "FILE", "ONNX face detector (YuNet) used by image rules instead of the cascades" },
    { "max-depth", 0, "N", "archive nesting depth (default 8)" },
    { "max-member-size", 0, "SIZE", "largest object or member held in memory (default 256M)" },
    { "max-archive-bytes", 0, "SIZE", "bytes expanded below one top-level object (default 4G)" },
    { "max-ratio", 0, "N", "compression ratio of one member (default 1000)" },
    { "max-members", 0, "N", "archive members below one top-level object (default 100000)" },
    { "max-line", 0, "SIZE", "longest text line read (default 64M)" },
    { "max-pixels", 0, "N", "largest image decoded, in pixels (default 50MP)" },
    { "max-decoded", 0, "SIZE", "largest base64 run decoded from text (default 32M)" },
    { "max-scan-time", 0, "SECS", "stop the scan after SECS seconds (default none)" },
    { "quiet", 'q', NULL, "no summary on standard error" },
    { NULL, 0, NULL, NULL }
};

void cmd_scan_usage(FILE *out)
{
    fprintf(out, "usage: faceaudit scan [OPTIONS] TARGET...\n\n"
                 "Scans folders, files and standard input (-) for face images, face templates,\n"
                 "biometric metadata and calls to face-recognition services.\n");
    cli_print_options(out, scan_options);
    fprintf(out, "\nExit status: 0 nothing at or above --fail-on, 1 findings at or above it,\n"
                 "2 usage or fatal error, 3 incomplete scan (with --fail-on-scan-errors).\n");
}

static fa_scanner *volatile running;
static void on_signal(int sig)
{
    (void)sig;
    if (running)
        fa_scanner_cancel(running);
}

/* Writes errors and limits to stderr as they happen (results stay on stdout) and forwards
 * everything to the output sink. */
typedef struct diag_sink {
    fa_sink  base;
    fa_sink *inner;
    int      quiet;
} diag_sink;

static fa_status d_begin(fa_sink *s, const fa_scan_meta *m)
{
    fa_sink *in = ((diag_sink *)s)->inner;
    return in->ops->begin ? in->ops->begin(in, m) : FA_OK;
}
static fa_status d_object(fa_sink *s, const fa_object_rec *o)
{
    fa_sink *in = ((diag_sink *)s)->inner;
    return in->ops->object ? in->ops->object(in, o) : FA_OK;
}
static fa_status d_finding(fa_sink *s, const fa_finding *f)
{
    fa_sink *in = ((diag_sink *)s)->inner;
    return in->ops->finding ? in->ops->finding(in, f) : FA_OK;
}
static void put_where(const fa_location *l)
{
    fa_buf b = FA_BUF_INIT;
    fa_location_display(l, &b);
    for (const unsigned char *p = (const unsigned char *)b.buf; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02X", *p);
        else
            fputc(*p, stderr);
    if (l->line > 0)
        fprintf(stderr, ":%ld", l->line);
    fa_buf_release(&b);
}
static fa_status d_error(fa_sink *s, const fa_scan_error *e)
{
    diag_sink *d = (diag_sink *)s;
    if (!d->quiet) {
        fputs("faceaudit scan: ", stderr);
        put_where(&e->loc);
        fprintf(stderr, ": error (%s): %s\n", e->code, e->message);
    }
    return d->inner->ops->error ? d->inner->ops->error(d->inner, e) : FA_OK;
}
static fa_status d_limit(fa_sink *s, const fa_limit_hit *l)
{
    diag_sink *d = (diag_sink *)s;
    if (!d->quiet) {
        fputs("faceaudit scan: ", stderr);
        put_where(&l->loc);
        fprintf(stderr, ": limit %s (%lld) reached; skipped\n", l->limit, (long long)l->value);
    }
    return d->inner->ops->limit ? d->inner->ops->limit(d->inner, l) : FA_OK;
}
static fa_status d_end(fa_sink *s, const fa_scan_meta *m, const fa_stats *st)
{
    fa_sink *in = ((diag_sink *)s)->inner;
    fa_status r = in->ops->end ? in->ops->end(in, m, st) : FA_OK;
    if (r < 0)
        s->err = in->err;
    return r;
}
static const fa_sink_ops diag_ops = { "diag", d_begin, d_object, d_finding, d_error, d_limit, d_end, NULL };

typedef struct strv {
    const char **v;
    size_t       n, alloc;
} strv;

static void strv_push(strv *s, const char *x)
{
    FA_GROW(s->v, s->n + 2, s->alloc);
    s->v[s->n++] = x;
    s->v[s->n] = NULL;
}

int cmd_scan(int argc, char **argv)
{
    struct option lopts[64];
    size_t nl = 0;
    for (const cli_option *o = scan_options; o->longname; o++, nl++) {
        lopts[nl].name = o->longname;
        lopts[nl].has_arg = o->arg ? required_argument : no_argument;
        lopts[nl].flag = NULL;
        int lim = fa_limit_lookup(o->longname);
        lopts[nl].val = o->shortname ? o->shortname : lim >= 0 ? OPT_LIMIT_BASE + lim : 0;
    }
    memset(&lopts[nl], 0, sizeof lopts[nl]);
    /* Values for options without a short name and not a limit, in table order. */
    static const struct { const char *n; int v; } ids[] = {
        { "rules", OPT_RULES }, { "include", OPT_INCLUDE }, { "exclude", OPT_EXCLUDE },
        { "follow-symlinks", OPT_FOLLOW }, { "fail-on", OPT_FAIL_ON },
        { "fail-on-scan-errors", OPT_FAIL_ON_ERRORS }, { "face-model", OPT_FACE_MODEL },
        { "disable", OPT_DISABLE }, { "enable", OPT_ENABLE } };
    for (size_t i = 0; i < nl; i++)
        for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++)
            if (!strcmp(lopts[i].name, ids[k].n))
                lopts[i].val = ids[k].v;

    fa_scan_opts opts;
    fa_scan_opts_init(&opts);
    const char *format = "text", *output = NULL;
    strv rules = { 0 }, inc = { 0 }, exc = { 0 }, options = { 0 }, disable = { 0 }, enable = { 0 };
    fa_severity fail_on = FA_SEV_LOW;
    int fail_on_errors = 0, quiet = 0;
    char *face_model_opt = NULL;
    fa_err err;
    int c, rc = CLI_EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:q", lopts, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 'q': quiet = 1; break;
        case OPT_RULES: strv_push(&rules, optarg); break;
        case OPT_INCLUDE: strv_push(&inc, optarg); break;
        case OPT_EXCLUDE: strv_push(&exc, optarg); break;
        case OPT_FOLLOW: opts.follow_symlinks = 1; break;
        case OPT_FAIL_ON:
            if (fa_severity_parse(optarg, &fail_on) != 0) {
                cli_error("scan", "--fail-on: unknown severity '%s' (info, low, medium, high, critical, none)", optarg);
                goto out;
            }
            break;
        case OPT_FAIL_ON_ERRORS: fail_on_errors = 1; break;
        case OPT_FACE_MODEL:
            free(face_model_opt);
            face_model_opt = fa_xasprintf("face_model=%s", optarg);
            break;
        case OPT_DISABLE: strv_push(&disable, optarg); break;
        case OPT_ENABLE: strv_push(&enable, optarg); break;
        default:
            if (c >= OPT_LIMIT_BASE && c < OPT_LIMIT_BASE + FA_LIM__COUNT) {
                if (fa_limits_set(&opts.limits, (fa_limit_id)(c - OPT_LIMIT_BASE), optarg, &err) < 0) {
                    cli_error("scan", "%s", err.msg);
                    goto out;
                }
                break;
            }
            cmd_scan_usage(stderr);
            goto out;
        }
    }
    if (optind >= argc) {
        cli_error("scan", "no target given (a folder, a file, or - for standard input)");
        cmd_scan_usage(stderr);
        goto out;
    }
    if (!fa_sink_format_known(format)) {
        cli_error("scan", "unknown --format '%s' (text, json, jsonl)", format);
        goto out;
    }
    if (face_model_opt)
        strv_push(&options, face_model_opt);
    opts.include = inc.v;
    opts.exclude = exc.v;
    opts.options = options.v;

    fa_ruleset *rs = fa_ruleset_new();
    if (!rules.n) {
        char *def = fa_rules_default_path(cli_argv0);
        if (!def) {
            cli_error("scan", "no rule packs found: use --rules PATH or set FACEAUDIT_RULES");
            fa_ruleset_free(rs);
            goto out;
        }
        if (fa_ruleset_load(rs, def, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            free(def);
            fa_ruleset_free(rs);
            goto out;
        }
        free(def);
    }
    for (size_t i = 0; i < rules.n; i++)
        if (fa_ruleset_load(rs, rules.v[i], &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            fa_ruleset_free(rs);
            goto out;
        }
    for (size_t i = 0; i < enable.n + disable.n; i++) {
        const char *id = i < enable.n ? enable.v[i] : disable.v[i - enable.n];
        if (!fa_ruleset_find(rs, id)) {
            cli_error("scan", "no rule with id '%s' is loaded", id);
            fa_ruleset_free(rs);
            goto out;
        }
    }
    for (size_t i = 0; i < fa_ruleset_nrules(rs); i++) {
        fa_rule *r = fa_ruleset_rule(rs, i);
        if (enable.n) {
            r->enabled = 0;
            for (size_t k = 0; k < enable.n; k++)
                if (!strcmp(enable.v[k], r->id))
                    r->enabled = 1;
        }
        for (size_t k = 0; k < disable.n; k++)
            if (!strcmp(disable.v[k], r->id))
                r->enabled = 0;
    }

    fa_scanner *sc = fa_scanner_new(rs, &opts, &err);
    if (!sc) {
        cli_error("scan", "%s", err.msg);
        fa_ruleset_free(rs);
        goto out;
    }
    FILE *out = cli_open_output("scan", output);
    if (!out) {
        fa_scanner_free(sc);
        fa_ruleset_free(rs);
        goto out;
    }
    fa_sink *sink = fa_sink_new(format, out, &err);
    diag_sink diag = { .base = { .ops = &diag_ops }, .inner = sink, .quiet = quiet };
    running = sc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fa_status st = fa_scanner_run(sc, (const char *const *)argv + optind, (size_t)(argc - optind), &diag.base, &err);
    running = NULL;
    int close_failed = cli_close_output("scan", out, output) != 0;
    const fa_stats *stats = fa_scanner_stats(sc);
    if (!quiet) {
        fprintf(stderr, "faceaudit scan: %llu objects, %llu bytes, %llu findings",
                (unsigned long long)stats->objects, (unsigned long long)stats->bytes,
                (unsigned long long)stats->findings);
        if (stats->findings)
            fprintf(stderr, " (critical %llu, high %llu, medium %llu, low %llu, info %llu)",
                    (unsigned long long)stats->by_severity[FA_SEV_CRITICAL],
                    (unsigned long long)stats->by_severity[FA_SEV_HIGH],
                    (unsigned long long)stats->by_severity[FA_SEV_MEDIUM],
                    (unsigned long long)stats->by_severity[FA_SEV_LOW],
                    (unsigned long long)stats->by_severity[FA_SEV_INFO]);
        fprintf(stderr, ", %llu errors, %llu limits, %.2fs\n", (unsigned long long)stats->errors,
                (unsigned long long)stats->limits, stats->seconds);
    }
    fa_severity max = fa_scanner_max_severity(sc);
    int complete = fa_scanner_complete(sc);
    if (st == FA_FATAL || close_failed) {
        if (st == FA_FATAL)
            cli_error("scan", "%s", err.msg);
        rc = CLI_EXIT_USAGE;
    } else if (fail_on != FA_SEV_NONE && max != FA_SEV_NONE && max >= fail_on) {
        rc = CLI_EXIT_FINDINGS;
    } else if (fail_on_errors && !complete) {
        rc = CLI_EXIT_INCOMPLETE;
    } else {
        rc = CLI_EXIT_OK;
    }
    fa_sink_free(sink);
    fa_scanner_free(sc);
    fa_ruleset_free(rs);
out:
    free(rules.v);
    free(inc.v);
    free(exc.v);
    free(options.v);
    free(disable.v);
    free(enable.v);
    free(face_model_opt);
    return rc;
}
