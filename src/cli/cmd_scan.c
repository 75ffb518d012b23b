/* faceaudit scan: settings from the command line over faceaudit.yaml, rule packs, the
 * scanner into a sink, a summary on stderr, and the contract's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <time.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "faceaudit/buf.h"
#include "faceaudit/facedet.h"
#include "faceaudit/scan.h"
#include "faceaudit/scandoc.h"
#include "faceaudit/state.h"
#include "faceaudit/suppress.h"
#include "faceaudit/yaml.h"

static const cli_option scan_options[] = {
    { "format", 'f', "FMT", "output format: text (default), json (the scan document), jsonl, csv, sarif" },
    { "output", 'o', "FILE", "write results to FILE (created with mode 0600) instead of stdout" },
    { "rules", 0, "PATH", "rule pack file or folder (repeatable; default: see faceaudit-rules(5))" },
    { "config", 0, "FILE", "settings file (default: ./faceaudit.yaml if present); options given here win" },
    { "include", 0, "GLOB", "scan only files matching GLOB (repeatable)" },
    { "exclude", 0, "GLOB", "skip files and folders matching GLOB (repeatable)" },
    { "ignore-file", 0, "FILE", "gitignore-style paths and finding fingerprints to skip (default: TARGET/.faceauditignore)" },
    { "baseline", 0, "FILE", "suppress findings already in FILE (earlier json or jsonl output)" },
    { "write-baseline", 0, "FILE", "also write this scan's findings to FILE as a baseline (mode 0600)" },
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
    { "max-decoded", 0, "SIZE", "largest base64 run decoded from text, or compressed XMP inflated from one image (default 32M)" },
    { "max-object-size", 0, "SIZE", "largest bucket object fetched (default none)" },
    { "max-scan-time", 0, "SECS", "stop the scan after SECS seconds (default none)" },
    { "max-metadata", 0, "SIZE", "XMP text or Picasa face tags read from one image (default 8M)" },
    { "state", 0, "FILE", "incremental state (SQLite): unchanged objects are not read again" },
    { "new-only", 0, NULL, "with --state: report only findings the previous run did not report" },
    { "since", 0, "DATE", "scan only objects modified on or after DATE (YYYY-MM-DD or RFC 3339)" },
    { "lock-timeout", 0, "SECS", "with --state: wait this long for another run to finish (default 60)" },
    { "jobs", 'j', "N", "detection threads (default: the number of online CPUs)" },
    { "shard", 0, "K/N", "scan only part K of N (a hash of each object's path), for one scan over N machines" },
    { "color", 0, "WHEN", "colour text output: auto (default; off with NO_COLOR), always, never" },
    { "quiet", 'q', NULL, "no progress, summary or per-error lines on standard error" },
    { "endpoint-url", 0, "URL", "S3-compatible endpoint (path-style), e.g. http://127.0.0.1:9000 (default: AWS)" },
    { "region", 0, "REGION", "S3 region for signing (default: AWS_REGION, the profile's, us-east-1)" },
    { "profile", 0, "NAME", "AWS profile in ~/.aws/credentials and ~/.aws/config (default: AWS_PROFILE)" },
    { "s3-list-version", 0, "1|2", "S3 listing API: 2 = ListObjectsV2 (default), 1 = ListObjects with markers" },
    { "s3-concurrency", 0, "N", "parallel S3 requests; also bounds prefetch memory to N x 8 MiB (default 8)" },
    { "s3-timeout", 0, "SECS", "S3 connect timeout, and a stalled transfer is cut after SECS (default 30)" },
    { "debug", 0, NULL, "trace S3 HTTP requests on standard error (credentials redacted)" },
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

/* ------------------------------------------------------------ settings */

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

/* Every scan setting; `set` marks what the command line gave, so the config file fills in
 * only the rest (lists given on the command line replace the file's lists). */
typedef struct settings {
    const char *format, *output, *config, *ignore_file, *baseline, *write_baseline, *face_model, *color;
    strv        rules, include, exclude, disable, enable;
    strv        s3;                   /* "s3.NAME=VALUE" scan options (owned strings) */
    fa_severity fail_on;
    int         fail_on_scan_errors, follow_symlinks, quiet;
    int         jobs, shard_index, shard_count, new_only;
    const char *state;
    int64_t     since;
    double      lock_timeout;
    fa_limits   limits;
    unsigned    limit_set;            /* bit per fa_limit_id */
    unsigned long long set;           /* bit per scan_options index */
} settings;

static int opt_index(const char *name)
{
    for (int i = 0; scan_options[i].longname; i++)
        if (!strcmp(scan_options[i].longname, name))
            return i;
    return -1;
}

/* Applies one option (from argv or the config file). `where` prefixes messages. */
static int apply(settings *st, const char *name, const char *val, const char *where)
{
    fa_err err;
    int lim = fa_limit_lookup(name);
    if (lim >= 0) {
        if (fa_limits_set(&st->limits, (fa_limit_id)lim, val, &err) < 0) {
            cli_error("scan", "%s%s", where, err.msg);
            return -1;
        }
        st->limit_set |= 1u << lim;
        return 0;
    }
#define IS(n) (!strcmp(name, n))
    if (IS("format")) {
        if (!fa_sink_format_known(val)) {
            cli_error("scan", "%sunknown --format '%s' (%s)", where, val, fa_sink_formats());
            return -1;
        }
        st->format = val;
    }
    else if (IS("output")) st->output = val;
    else if (IS("config")) st->config = val;
    else if (IS("ignore-file")) st->ignore_file = val;
    else if (IS("baseline")) st->baseline = val;
    else if (IS("write-baseline")) st->write_baseline = val;
    else if (IS("face-model")) st->face_model = val;
    else if (IS("color")) {
        if (strcmp(val, "auto") && strcmp(val, "always") && strcmp(val, "never")) {
            cli_error("scan", "%s--color: '%s' is not auto, always or never", where, val);
            return -1;
        }
        st->color = val;
    } else if (IS("rules")) strv_push(&st->rules, val);
    else if (IS("include")) strv_push(&st->include, val);
    else if (IS("exclude")) strv_push(&st->exclude, val);
    else if (IS("disable")) strv_push(&st->disable, val);
    else if (IS("enable")) strv_push(&st->enable, val);
    else if (IS("fail-on")) {
        if (fa_severity_parse(val, &st->fail_on) != 0) {
            cli_error("scan", "%s--fail-on: unknown severity '%s' (info, low, medium, high, critical, none)", where, val);
            return -1;
        }
    } else if (IS("state")) st->state = val;
    else if (IS("new-only")) st->new_only = !val || strcmp(val, "false");
    else if (IS("lock-timeout")) {
        char *end;
        double t = strtod(val, &end);
        if (*end || t < 0) {
            cli_error("scan", "%s--lock-timeout: '%s' is not a number of seconds", where, val);
            return -1;
        }
        st->lock_timeout = t;
    } else if (IS("since")) {
        /* The same parser inventory and retention read scan times with. Fractions of a
         * second are dropped: mtimes are whole seconds, so the cut stays inclusive. */
        int64_t t;
        if (fa_sdoc_time_parse(val, &t) != 0) {
            cli_error("scan", "%s--since: '%s' is not a date (YYYY-MM-DD or RFC 3339, e.g. "
                      "2024-05-01T10:00:00+02:00)", where, val);
            return -1;
        }
        st->since = t;
    } else if (IS("jobs")) {
        char *end;
        long n = strtol(val, &end, 10);
        if (*end || n < 1 || n > 256) {
            cli_error("scan", "%s--jobs: '%s' is not a number from 1 to 256", where, val);
            return -1;
        }
        st->jobs = (int)n;
    } else if (IS("shard")) {
        int k, n, used = 0;
        if (sscanf(val, "%d/%d%n", &k, &n, &used) != 2 || val[used] || n < 1 || k < 1 || k > n) {
            cli_error("scan", "%s--shard: '%s' is not K/N with 1 <= K <= N", where, val);
            return -1;
        }
        st->shard_index = k;
        st->shard_count = n;
    } else if (IS("fail-on-scan-errors")) st->fail_on_scan_errors = !val || strcmp(val, "false");
    else if (IS("follow-symlinks")) st->follow_symlinks = !val || strcmp(val, "false");
    else if (IS("quiet")) st->quiet = !val || strcmp(val, "false");
    else if (IS("endpoint-url") || IS("region") || IS("profile") || IS("s3-list-version") ||
             IS("s3-concurrency") || IS("s3-timeout")) {
        char *end;
        long n = strtol(val, &end, 10);
        if ((IS("s3-list-version") && (*end || (n != 1 && n != 2))) ||
            ((IS("s3-concurrency") || IS("s3-timeout")) && (*end || n < 1 || n > (IS("s3-timeout") ? 86400 : 256)))) {
            cli_error("scan", "%s--%s: '%s' is not %s", where, name, val,
                      IS("s3-list-version") ? "1 or 2" : IS("s3-timeout") ? "a number of seconds" : "a number from 1 to 256");
            return -1;
        }
        strv_push(&st->s3, fa_xasprintf("s3.%s=%s", !strncmp(name, "s3-", 3) ? name + 3 : name, val));
    } else if (IS("debug")) {
        if (!val || strcmp(val, "false"))
            strv_push(&st->s3, fa_xstrdup("s3.trace-fd=2"));
    }
    else {
        cli_error("scan", "%sunknown option '%s'", where, name);
        return -1;
    }
#undef IS
    return 0;
}

/* faceaudit.yaml: a mapping of option names (dashes or underscores) to scalars or lists. */
static int load_config(settings *st, const char *file, fa_ydoc **keep)
{
    fa_err err;
    fa_ydoc *d = fa_ydoc_load(file, NULL, 0, &err);
    if (!d) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *keep = d;   /* option values point into the document */
    fa_ynode root = fa_ydoc_root(d);
    if (!root.node)
        return 0;
    if (!fa_ynode_is_map(&root)) {
        fa_ynode_error(&root, &err, "the settings file must be a mapping of option names to values");
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < fa_ynode_len(&root); i++) {
        fa_ynode k = fa_ynode_key(&root, i), v = fa_ynode_value(&root, i);
        const char *key = fa_ynode_scalar(&k);
        char name[64];
        snprintf(name, sizeof name, "%s", key ? key : "");
        for (char *p = name; *p; p++)
            if (*p == '_')
                *p = '-';
        int idx = opt_index(name);
        if (idx < 0 || !strcmp(name, "config") || !strcmp(name, "output")) {
            fa_ynode_error(&k, &err, "unknown key '%s' (see faceaudit.yaml(5))", key ? key : "?");
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
        int lim = fa_limit_lookup(name);
        if ((st->set >> idx) & 1u || (lim >= 0 && ((st->limit_set >> lim) & 1u)))
            continue;   /* the command line wins */
        char where[512];
        snprintf(where, sizeof where, "%s:%ld:%ld: ", file, fa_ynode_line(&v), fa_ynode_column(&v));
        /* A list applies each item, as the option given several times. */
        int seq = fa_ynode_is_seq(&v);
        size_t n = seq ? fa_ynode_len(&v) : 1;
        for (size_t j = 0; j < n; j++) {
            fa_ynode it = seq ? fa_ynode_item(&v, j) : v;
            const char *sv = fa_ynode_scalar(&it);
            if (!sv) {
                fa_ynode_error(&it, &err, seq ? "'%s' items must be strings" : "'%s' must be a value or a list of values", key);
                fprintf(stderr, "%s\n", err.msg);
                return -1;
            }
            if (apply(st, name, sv, where) < 0)
                return -1;
        }
    }
    return 0;
}

static int parse_argv(settings *st, int argc, char **argv)
{
    struct option lopts[64];
    size_t nl = 0;
    for (const cli_option *o = scan_options; o->longname; o++, nl++) {
        lopts[nl].name = o->longname;
        lopts[nl].has_arg = o->arg ? required_argument : no_argument;
        lopts[nl].flag = NULL;
        lopts[nl].val = 256 + (int)nl;
    }
    memset(&lopts[nl], 0, sizeof lopts[nl]);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:qj:", lopts, NULL)) != -1) {
        int idx = c == 'f' ? opt_index("format") : c == 'o' ? opt_index("output") :
                  c == 'q' ? opt_index("quiet") : c == 'j' ? opt_index("jobs") : c >= 256 ? c - 256 : -1;
        if (idx < 0) {
            cmd_scan_usage(stderr);
            return -1;
        }
        st->set |= 1ull << idx;
        if (apply(st, scan_options[idx].longname, scan_options[idx].arg ? optarg : NULL, "") < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ diagnostics sink */

/* Forwards results to the output sinks and writes diagnostics, progress and the summary
 * table to stderr (results stay on stdout). */
typedef struct diag_sink {
    fa_sink  base;
    fa_sink *inner[2];
    int      ninner;
    int      quiet, progress;
    double   started, last_progress;
    uint64_t objects, bytes, findings;
    json_t  *by_category;   /* category -> [info, low, medium, high, critical] counts */
    int      progress_shown;
} diag_sink;

#define FOR_INNER(d, call) do { for (int i_ = 0; i_ < (d)->ninner; i_++) { fa_sink *in = (d)->inner[i_]; call; } } while (0)

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

static void clear_progress(diag_sink *d)
{
    if (d->progress_shown) {
        fputs("\r\033[K", stderr);
        d->progress_shown = 0;
    }
}

static fa_status d_begin(fa_sink *s, const fa_scan_meta *m)
{
    diag_sink *d = (diag_sink *)s;
    d->started = fa_scan_now();
    FOR_INNER(d, if (in->ops->begin && in->ops->begin(in, m) < 0) { s->err = in->err; return FA_FATAL; });
    return FA_OK;
}

static fa_status d_object(fa_sink *s, const fa_object_rec *o)
{
    diag_sink *d = (diag_sink *)s;
    d->objects++;
    if (o->size > 0)
        d->bytes += (uint64_t)o->size;
    if (d->progress) {
        double now = fa_scan_now();
        if (now - d->last_progress > 0.2) {
            d->last_progress = now;
            fa_buf where = FA_BUF_INIT;
            fa_location_display(&o->loc, &where);
            const char *w = where.len > 40 ? where.buf + where.len - 40 : where.buf;
            while (w > where.buf && (*(const unsigned char *)w & 0xC0) == 0x80)
                w--;   /* not in the middle of a UTF-8 character */
            double secs = now - d->started > 0.001 ? now - d->started : 0.001;
            fprintf(stderr, "\r\033[K%llu objects, %.1f MB, %llu findings, %.0f objects/s, %.1f MB/s: ",
                    (unsigned long long)d->objects, (double)d->bytes / 1e6, (unsigned long long)d->findings,
                    (double)d->objects / secs, (double)d->bytes / 1e6 / secs);
            for (const unsigned char *p = (const unsigned char *)w; *p; p++)
                fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
            d->progress_shown = 1;
            fa_buf_release(&where);
        }
    }
    FOR_INNER(d, if (in->ops->object) in->ops->object(in, o));
    return FA_OK;
}

static fa_status d_finding(fa_sink *s, const fa_finding *f)
{
    diag_sink *d = (diag_sink *)s;
    d->findings++;
    json_t *row = json_object_get(d->by_category, f->category);
    if (!row) {
        row = json_pack("[iiiii]", 0, 0, 0, 0, 0);
        json_object_set_new(d->by_category, f->category, row);
    }
    if ((unsigned)f->severity < 5)
        json_array_set_new(row, f->severity, json_integer(json_integer_value(json_array_get(row, f->severity)) + 1));
    FOR_INNER(d, if (in->ops->finding) in->ops->finding(in, f));
    return FA_OK;
}

static fa_status d_error(fa_sink *s, const fa_scan_error *e)
{
    diag_sink *d = (diag_sink *)s;
    if (!d->quiet) {
        clear_progress(d);
        fputs("faceaudit scan: ", stderr);
        put_where(&e->loc);
        fprintf(stderr, ": error (%s): %s\n", e->code, e->message);
    }
    FOR_INNER(d, if (in->ops->error) in->ops->error(in, e));
    return FA_OK;
}

static fa_status d_limit(fa_sink *s, const fa_limit_hit *l)
{
    diag_sink *d = (diag_sink *)s;
    if (!d->quiet) {
        clear_progress(d);
        fputs("faceaudit scan: ", stderr);
        put_where(&l->loc);
        fprintf(stderr, ": limit %s (%lld) reached; skipped\n", l->limit, (long long)l->value);
    }
    FOR_INNER(d, if (in->ops->limit) in->ops->limit(in, l));
    return FA_OK;
}

static fa_status d_end(fa_sink *s, const fa_scan_meta *m, const fa_stats *st)
{
    diag_sink *d = (diag_sink *)s;
    clear_progress(d);
    fa_status r = FA_OK;
    FOR_INNER(d, if (in->ops->end && in->ops->end(in, m, st) < 0) { s->err = in->err; r = FA_FATAL; });
    return r;
}

static fa_status d_record(fa_sink *s, const char *array, json_t *value)
{
    diag_sink *d = (diag_sink *)s;
    FOR_INNER(d, if (in->ops->record) in->ops->record(in, array, value));
    return FA_OK;
}

static const fa_sink_ops diag_ops = { "diag", d_begin, d_object, d_finding, d_error, d_limit, d_end, NULL, d_record };

static void print_summary(const diag_sink *d, const fa_stats *st)
{
    fprintf(stderr, "faceaudit scan: %llu objects, %.1f MB, %llu findings", (unsigned long long)st->objects,
            (double)st->bytes / 1e6, (unsigned long long)st->findings);
    if (st->suppressed)
        fprintf(stderr, " (%llu suppressed)", (unsigned long long)st->suppressed);
    if (st->carried)
        fprintf(stderr, ", %llu unchanged objects carried over (%.1f MB read)", (unsigned long long)st->carried,
                (double)st->read_bytes / 1e6);
    fprintf(stderr, ", %llu errors, %llu limits, %.2f s\n", (unsigned long long)st->errors,
            (unsigned long long)st->limits, st->seconds);
    if (!json_object_size(d->by_category))
        return;
    fprintf(stderr, "  %-22s %8s %6s %6s %6s %6s\n", "category", "critical", "high", "medium", "low", "info");
    const char *cat;
    json_t *row;
    json_object_foreach(d->by_category, cat, row)
        fprintf(stderr, "  %-22s %8lld %6lld %6lld %6lld %6lld\n", cat,
                (long long)json_integer_value(json_array_get(row, 4)), (long long)json_integer_value(json_array_get(row, 3)),
                (long long)json_integer_value(json_array_get(row, 2)), (long long)json_integer_value(json_array_get(row, 1)),
                (long long)json_integer_value(json_array_get(row, 0)));
}

/* ------------------------------------------------------------ the command */

static fa_scanner *volatile running;
static void on_signal(int sig)
{
    (void)sig;
    if (running)
        fa_scanner_cancel(running);
}

static int load_rules(settings *st, fa_ruleset *rs)
{
    fa_err err;
    if (!st->rules.n) {
        char *def = fa_rules_default_path(cli_argv0);
        if (!def) {
            cli_error("scan", "no rule packs found: use --rules PATH or set FACEAUDIT_RULES");
            return -1;
        }
        fa_status r = fa_ruleset_load(rs, def, &err);
        free(def);
        if (r < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    }
    for (size_t i = 0; i < st->rules.n; i++)
        if (fa_ruleset_load(rs, st->rules.v[i], &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    for (size_t i = 0; i < st->enable.n + st->disable.n; i++) {
        const char *id = i < st->enable.n ? st->enable.v[i] : st->disable.v[i - st->enable.n];
        if (!fa_ruleset_find(rs, id)) {
            cli_error("scan", "no rule with id '%s' is loaded", id);
            return -1;
        }
    }
    for (size_t i = 0; i < fa_ruleset_nrules(rs); i++) {
        fa_rule *r = fa_ruleset_rule(rs, i);
        if (st->enable.n) {
            r->enabled = 0;
            for (size_t k = 0; k < st->enable.n; k++)
                if (!strcmp(st->enable.v[k], r->id))
                    r->enabled = 1;
        }
        for (size_t k = 0; k < st->disable.n; k++)
            if (!strcmp(st->disable.v[k], r->id))
                r->enabled = 0;
    }
    return 0;
}

/* Loads DIR/.faceauditignore if there is one; -1 (said) if it is not valid. */
static int load_ignore_in(fa_suppress *sup, const char *dir)
{
    fa_err err;
    char *f = fa_xasprintf("%s/.faceauditignore", dir);
    fa_status r = fa_suppress_load_ignore(sup, f, &err);
    free(f);
    if (r < FA_WARN) {   /* FA_WARN: no ignore file there */
        cli_error("scan", "%s", err.msg);
        return -1;
    }
    return 0;
}

static int load_suppressions(settings *st, fa_suppress *sup, char *const *targets, int ntargets)
{
    fa_err err;
    if (st->baseline && fa_suppress_load_baseline(sup, st->baseline, &err) < 0) {
        cli_error("scan", "%s", err.msg);
        return -1;
    }
    if (st->ignore_file) {
        if (fa_suppress_load_ignore(sup, st->ignore_file, &err) != FA_OK) {
            cli_error("scan", "%s", err.msg);
            return -1;
        }
        return 0;
    }
    /* Folder targets: each one's own .faceauditignore. Files named on the command line (a
     * pre-commit hook's staged files): the current folder's, as git reads the root .gitignore,
     * unless another folder is a target too: the patterns of one set apply to every target,
     * and the current folder's are relative to it, not to that folder. */
    int files = 0, dot = 0, other_dirs = 0;
    for (int i = 0; i < ntargets; i++) {
        struct stat sb;
        if (stat(targets[i], &sb) != 0)
            continue;   /* s3://, "-", or missing: the scan reports it */
        if (S_ISREG(sb.st_mode))
            files = 1;
        if (!S_ISDIR(sb.st_mode))
            continue;
        int is_dot = !strcmp(targets[i], ".") || !strcmp(targets[i], "./");
        dot |= is_dot;
        other_dirs |= !is_dot;
        if (load_ignore_in(sup, targets[i]) < 0)
            return -1;
    }
    if (files && !dot && !other_dirs && load_ignore_in(sup, ".") < 0)
        return -1;
    return 0;
}

/* --face-model is validated before anything is scanned: a model that is missing, unreadable
 * or that OpenCV's FaceDetectorYN cannot load is a usage error (exit 2), not an error entry
 * on the first image. This loads the OpenCV plugin at start-up, but only with the option. */
static int check_face_model(const char *path)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        cli_error("scan", "--face-model: cannot read %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    if (!S_ISREG(sb.st_mode)) {
        cli_error("scan", "--face-model: %s is not a regular file", path);
        return -1;
    }
    fa_facedet_opts o;
    fa_facedet_opts_init(&o);
    o.yunet_model = path;
    char *msg = NULL;
    fa_facedet *h = fa_facedet_new(&o, &msg);
    if (!h) {
        cli_error("scan", "--face-model: cannot load %s as an OpenCV FaceDetectorYN (YuNet ONNX) model: %s",
                  path, msg ? msg : "unknown error");
        fa_facedet_free_str(msg);
        return -1;
    }
    fa_facedet_close(h);
    return 0;
}

int cmd_scan(int argc, char **argv)
{
    settings st;
    memset(&st, 0, sizeof st);
    st.format = "text";
    st.color = "auto";
    st.fail_on = FA_SEV_LOW;
    st.since = INT64_MIN;
    st.lock_timeout = 60;
    fa_state *state = NULL;
    fa_limits_defaults(&st.limits);
    fa_ydoc *config_doc = NULL;
    fa_ruleset *rs = NULL;
    fa_suppress *sup = NULL;
    fa_scanner *sc = NULL;
    fa_sink *sinks[2] = { NULL, NULL };
    FILE *out = NULL, *bout = NULL;
    char *face_model_opt = NULL;
    int rc = CLI_EXIT_USAGE;
    fa_err err;

    if (parse_argv(&st, argc, argv) < 0)
        goto done;
    const char *config = st.config;
    if (!config && access("faceaudit.yaml", F_OK) == 0)
        config = "faceaudit.yaml";
    if (config && load_config(&st, config, &config_doc) < 0)
        goto done;
    if (optind >= argc) {
        cli_error("scan", "no target given (a folder, a file, or - for standard input)");
        cmd_scan_usage(stderr);
        goto done;
    }
    if (!fa_sink_format_known(st.format)) {
        cli_error("scan", "unknown --format '%s' (%s)", st.format, fa_sink_formats());
        goto done;
    }
    if (st.face_model && check_face_model(st.face_model) < 0)
        goto done;
    rs = fa_ruleset_new();
    if (load_rules(&st, rs) < 0)
        goto done;
    sup = fa_suppress_new();
    if (load_suppressions(&st, sup, argv + optind, argc - optind) < 0)
        goto done;

    fa_scan_opts opts;
    fa_scan_opts_init(&opts);
    opts.limits = st.limits;
    opts.include = st.include.v;
    opts.exclude = st.exclude.v;
    opts.follow_symlinks = st.follow_symlinks;
    opts.suppress = sup;
    opts.threads = st.jobs;
    opts.shard_index = st.shard_index;
    opts.shard_count = st.shard_count;
    if (st.face_model) {
        face_model_opt = fa_xasprintf("face_model=%s", st.face_model);
        strv_push(&st.s3, face_model_opt);
        face_model_opt = NULL;
    }
    if (st.s3.n) {
        opts.options = st.s3.v;
    }
    opts.since = st.since;
    if (st.new_only && !st.state) {
        cli_error("scan", "--new-only needs --state FILE (the previous run is read from it)");
        goto done;
    }
    if (st.state) {
        state = fa_state_open(st.state, st.lock_timeout, &err);
        if (!state) {
            cli_error("scan", "%s", err.msg);
            goto done;
        }
        opts.state = state;
        opts.new_only = st.new_only;
    }
    sc = fa_scanner_new(rs, &opts, &err);
    if (!sc) {
        cli_error("scan", "%s", err.msg);
        goto done;
    }
    out = cli_open_output("scan", st.output);
    if (!out)
        goto done;
    int color = !strcmp(st.color, "always") ||
                (!strcmp(st.color, "auto") && !getenv("NO_COLOR") && out == stdout && isatty(1));
    fa_sink_opts so = { rs, color, st.fail_on, st.fail_on_scan_errors };
    sinks[0] = fa_sink_new(st.format, out, &so, &err);
    if (st.write_baseline) {
        bout = cli_open_output("scan", st.write_baseline);
        if (!bout)
            goto done;
        sinks[1] = fa_sink_new("json", bout, &so, &err);
    }
    diag_sink diag = { .base = { .ops = &diag_ops }, .inner = { sinks[0], sinks[1] }, .ninner = sinks[1] ? 2 : 1,
                       .quiet = st.quiet, .progress = !st.quiet && isatty(2), .by_category = json_object() };
    running = sc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fa_status r = fa_scanner_run(sc, (const char *const *)argv + optind, (size_t)(argc - optind), &diag.base, &err);
    running = NULL;
    int close_failed = cli_close_output("scan", out, st.output) != 0;
    out = NULL;
    if (bout) {
        close_failed |= cli_close_output("scan", bout, st.write_baseline) != 0;
        bout = NULL;
    }
    if (!st.quiet)
        print_summary(&diag, fa_scanner_stats(sc));
    json_decref(diag.by_category);
    if (r == FA_FATAL)
        cli_error("scan", "%s", err.msg);
    rc = fa_exit_code(fa_scanner_stats(sc), fa_scanner_complete(sc), r == FA_FATAL || close_failed,
                      st.fail_on, st.fail_on_scan_errors);
done:
    if (out)
        cli_close_output("scan", out, st.output);
    if (bout)
        cli_close_output("scan", bout, st.write_baseline);
    fa_sink_free(sinks[0]);
    fa_sink_free(sinks[1]);
    fa_scanner_free(sc);
    fa_state_close(state);
    fa_suppress_free(sup);
    fa_ruleset_free(rs);
    fa_ydoc_free(config_doc);
    free(st.rules.v);
    free(st.include.v);
    free(st.exclude.v);
    free(st.disable.v);
    free(st.enable.v);
    free(face_model_opt);
    for (size_t i = 0; i < st.s3.n; i++)
        free((char *)st.s3.v[i]);
    free(st.s3.v);
    return rc;
}
