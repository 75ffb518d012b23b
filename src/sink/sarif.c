/* SARIF 2.1.0 for code-scanning dashboards. One run; tool.driver.rules from the loaded packs;
 * results carry locations relative to SRCROOT (the working folder), archive members as
 * "outer.zip!member" plus a logical location, a region only where a line is known,
 * partialFingerprints, and never a snippet of the matched content. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "faceaudit/buf.h"
#include "faceaudit/rules.h"
#include "faceaudit/sink.h"
#include "formats.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
/* FA_INFO_URI: the installed README (Makefile), a real document wherever faceaudit is installed. */

typedef struct sarif_sink {
    fa_sink      base;
    fa_sink_opts opts;
    json_t      *rules;        /* driver.rules */
    json_t      *rule_index;   /* id -> index */
    json_t      *results;
    json_t      *notes;        /* toolExecutionNotifications */
    char        *root_uri;     /* file:///cwd/ (percent-encoded) */
} sarif_sink;

static void pct_encode(fa_buf *b, const char *s, const char *keep)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p) || (keep && strchr(keep, *p)))
            fa_buf_addch(b, *p);
        else
            fa_buf_addf(b, "%%%02X", *p);
    }
}

static const char *level_of(fa_severity s)
{
    return s >= FA_SEV_HIGH ? "error" : s == FA_SEV_MEDIUM ? "warning" : "note";
}

/* "vendor.aws.rekognition" -> "VendorAwsRekognition": SARIF wants an identifier-like name. */
static char *rule_name(const char *id)
{
    fa_buf b = FA_BUF_INIT;
    int up = 1;
    for (const char *p = id; *p; p++) {
        if (!isalnum((unsigned char)*p)) {
            up = 1;
            continue;
        }
        fa_buf_addch(&b, up ? toupper((unsigned char)*p) : *p);
        up = 0;
    }
    return fa_buf_detach(&b, NULL);
}

/* First sentence of a description, for shortDescription. */
static char *first_sentence(const char *d)
{
    const char *end = strstr(d, ". ");
    size_t n = end ? (size_t)(end - d + 1) : strlen(d);
    return fa_xstrndup(d, n);
}

static void add_rules(sarif_sink *ss)
{
    const fa_ruleset *rs = ss->opts.rules;
    if (!rs)
        return;
    for (size_t i = 0; i < fa_ruleset_nrules(rs); i++) {
        const fa_rule *r = fa_ruleset_rule(rs, i);
        if (!r->enabled)
            continue;
        const char *desc = r->description && *r->description ? r->description : r->id;
        char *name = rule_name(r->id), *shortd = first_sentence(desc);
        json_t *tags = json_array();
        json_array_append_new(tags, json_string("biometric"));
        json_array_append_new(tags, json_string(r->category));
        for (size_t k = 0; k < r->ntags; k++)
            json_array_append_new(tags, json_string(r->tags[k]));
        char *help = fa_xasprintf("%s Category: %s. Default severity: %s. Pack: %s. "
                                  "Review the object; if the data is expected, record a retention basis or "
                                  "suppress the finding by its fingerprint in .faceauditignore.",
                                  desc, r->category, fa_severity_name(r->severity),
                                  r->pack && r->pack->id ? r->pack->id : "?");
        json_t *rule = json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s},s:s,s:{s:s},s:{s:s,s:o,s:s}}",
                                 "id", r->id, "name", name,
                                 "shortDescription", "text", shortd,
                                 "fullDescription", "text", desc,
                                 "help", "text", help,
                                 "helpUri", FA_INFO_URI,
                                 "defaultConfiguration", "level", level_of(r->severity),
                                 "properties", "category", r->category, "tags", tags,
                                 "precision", r->confidence >= 0.9 ? "high" : r->confidence >= 0.6 ? "medium" : "low");
        if (rule) {
            json_object_set_new(ss->rule_index, r->id, json_integer((json_int_t)json_array_size(ss->rules)));
            json_array_append_new(ss->rules, rule);
        }
        free(name);
        free(shortd);
        free(help);
    }
}

static json_t *sarif_location(sarif_sink *ss, const fa_location *l, int with_region)
{
    json_t *art = json_object();
    fa_buf uri = FA_BUF_INIT;
    size_t rl = strlen(ss->root_uri);
    if (l->uri && !strncmp(l->uri, ss->root_uri, rl)) {
        fa_buf_adds(&uri, l->uri + rl);
        json_object_set_new(art, "uriBaseId", json_string("SRCROOT"));
    } else if (l->uri && strncmp(l->uri, "stdin:", 6) && strncmp(l->uri, "memory:", 7)) {
        fa_buf_adds(&uri, l->uri);
    } else {
        pct_encode(&uri, l->path ? l->path : "stdin", NULL);
    }
    for (size_t i = 0; i < l->nmembers; i++) {
        fa_buf_addch(&uri, '!');
        pct_encode(&uri, l->members[i], NULL);
    }
    json_object_set_new(art, "uri", json_string(uri.buf));
    fa_buf_release(&uri);
    json_t *phys = json_pack("{s:o}", "artifactLocation", art);
    if (with_region && l->line > 0)
        json_object_set_new(phys, "region", json_pack("{s:I}", "startLine", (json_int_t)l->line));
    json_t *loc = json_pack("{s:o}", "physicalLocation", phys);
    if (l->nmembers) {
        fa_buf fq = FA_BUF_INIT;
        fa_location_display(l, &fq);
        json_t *ll = json_pack("[{s:s,s:s,s:s}]", "name", l->members[l->nmembers - 1],
                               "fullyQualifiedName", fq.buf, "kind", "member");
        if (ll)
            json_object_set_new(loc, "logicalLocations", ll);
        fa_buf_release(&fq);
    }
    return loc;
}

static fa_status s_finding(fa_sink *s, const fa_finding *f)
{
    sarif_sink *ss = (sarif_sink *)s;
    json_t *res = json_object();
    json_object_set_new(res, "ruleId", json_string(f->rule_id));
    json_t *idx = json_object_get(ss->rule_index, f->rule_id);
    if (idx)
        json_object_set(res, "ruleIndex", idx);
    json_object_set_new(res, "level", json_string(level_of(f->severity)));
    json_t *msg = json_string(f->message);
    json_object_set_new(res, "message", json_pack("{s:o}", "text", msg ? msg : json_string("finding")));
    json_object_set_new(res, "locations", json_pack("[o]", sarif_location(ss, &f->loc, 1)));
    json_object_set_new(res, "partialFingerprints", json_pack("{s:s}", "faceaudit/v1", f->fingerprint));
    json_t *props = json_pack("{s:s,s:s,s:f}", "category", f->category, "severity", fa_severity_name(f->severity),
                              "confidence", f->confidence);
    json_t *sha = f->evidence ? json_object_get(f->evidence, "sha256") : NULL;
    if (sha)
        json_object_set(props, "evidenceSha256", sha);
    json_object_set_new(res, "properties", props);
    json_array_append_new(ss->results, res);
    return FA_OK;
}

static void add_note(sarif_sink *ss, const char *level, const char *id, const char *text, const fa_location *l)
{
    json_t *t = json_string(text);
    json_t *n = json_pack("{s:s,s:{s:o},s:{s:s},s:[o]}", "level", level, "message", "text",
                          t ? t : json_string("(message not valid UTF-8)"), "descriptor", "id", id,
                          "locations", sarif_location(ss, l, 0));
    if (n)
        json_array_append_new(ss->notes, n);
}

static fa_status s_error(fa_sink *s, const fa_scan_error *e)
{
    add_note((sarif_sink *)s, "error", e->code, e->message, &e->loc);
    return FA_OK;
}

static fa_status s_limit(fa_sink *s, const fa_limit_hit *l)
{
    char text[256];
    snprintf(text, sizeof text, "limit %s (%lld) reached; the object was skipped", l->limit, (long long)l->value);
    add_note((sarif_sink *)s, "warning", l->limit, text, &l->loc);
    return FA_OK;
}

static fa_status s_end(fa_sink *s, const fa_scan_meta *m, const fa_stats *st)
{
    sarif_sink *ss = (sarif_sink *)s;
    char a[40], b[40];
    fa_time_rfc3339(m->started_at, a, sizeof a);
    fa_time_rfc3339(m->finished_at, b, sizeof b);
    int code = fa_exit_code(st, m->complete, m->fatal, ss->opts.fail_on, ss->opts.fail_on_scan_errors);
    json_t *inv = json_pack("{s:b,s:s,s:s,s:i,s:O}", "executionSuccessful", !m->fatal, "startTimeUtc", a,
                            "endTimeUtc", b, "exitCode", code, "toolExecutionNotifications", ss->notes);
    json_t *driver = json_pack("{s:s,s:s,s:s,s:s,s:O}", "name", "faceaudit", "version", m->tool_version,
                               "semanticVersion", m->tool_version, "informationUri", FA_INFO_URI,
                               "rules", ss->rules);
    json_t *run = json_pack("{s:{s:o},s:{s:{s:s}},s:O,s:[o],s:{s:s,s:I,s:I}}",
                            "tool", "driver", driver,
                            "originalUriBaseIds", "SRCROOT", "uri", ss->root_uri,
                            "results", ss->results,
                            "invocations", inv,
                            "properties", "rulesDigest", m->rules_digest ? m->rules_digest : "",
                            "objects", (json_int_t)st->objects, "suppressed", (json_int_t)st->suppressed);
    json_t *doc = json_pack("{s:s,s:s,s:[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs", run);
    int rc = doc ? json_dumpf(doc, s->out, JSON_INDENT(2)) : -1;
    fputc('\n', s->out);
    json_decref(doc);
    if (rc != 0 || fflush(s->out) != 0 || ferror(s->out))
        return fa_err_set(&s->err, FA_FATAL, "output", "write error");
    return FA_OK;
}

static void s_destroy(fa_sink *s)
{
    sarif_sink *ss = (sarif_sink *)s;
    json_decref(ss->rules);
    json_decref(ss->rule_index);
    json_decref(ss->results);
    json_decref(ss->notes);
    free(ss->root_uri);
    free(ss);
}

static const fa_sink_ops sarif_ops = { "sarif", NULL, NULL, s_finding, s_error, s_limit, s_end, s_destroy, NULL };

fa_sink *fa_sink_sarif_new(FILE *out, const fa_sink_opts *o)
{
    sarif_sink *ss = fa_xcalloc(1, sizeof *ss);
    ss->base.ops = &sarif_ops;
    ss->base.out = out;
    ss->opts = *o;
    ss->rules = json_array();
    ss->rule_index = json_object();
    ss->results = json_array();
    ss->notes = json_array();
    char cwd[PATH_MAX];
    fa_buf root = FA_BUF_INIT;
    fa_buf_adds(&root, "file://");
    pct_encode(&root, getcwd(cwd, sizeof cwd) ? cwd : "/", NULL);
    if (root.buf[root.len - 1] != '/')
        fa_buf_addch(&root, '/');
    ss->root_uri = fa_buf_detach(&root, NULL);
    add_rules(ss);
    return &ss->base;
}
