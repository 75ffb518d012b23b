/* The scan document (CONTRACT.md). Objects are streamed as they are scanned, so a scan of
 * millions of members keeps flat memory; findings, errors and limits are kept until the end.
 * Members of a JSON object are unordered, so "objects" comes first and "tool"/"scan" last. */
#include <stdlib.h>
#include <string.h>
#include "faceaudit/sink.h"
#include "formats.h"

typedef struct json_sink {
    fa_sink base;
    json_t *findings, *errors, *limits;
    json_t *records;    /* other top-level arrays, e.g. "buckets" */
    size_t  nobjects;
} json_sink;

static int dump(FILE *out, json_t *v, size_t flags)
{
    return json_dumpf(v, out, flags | JSON_COMPACT);
}

json_t *fa_object_rec_to_json(const fa_object_rec *o)
{
    json_t *j = json_object();
    char ts[40];
    json_object_set_new(j, "location", fa_location_to_json(&o->loc));
    json_object_set_new(j, "size", o->size >= 0 ? json_integer(o->size) : json_null());
    if (o->mtime != INT64_MIN) {
        fa_time_rfc3339(o->mtime, ts, sizeof ts);
        json_object_set_new(j, "mtime", json_string(ts));
    } else {
        json_object_set_new(j, "mtime", json_null());
    }
    json_object_set_new(j, "type", json_string(o->type ? o->type : "application/octet-stream"));
    json_object_set_new(j, "etag", o->etag ? json_string(o->etag) : json_null());
    json_object_set_new(j, "encryption", o->encryption ? json_string(o->encryption) : json_null());
    if (o->storage_class)
        json_object_set_new(j, "storage_class", json_string(o->storage_class));
    if (o->skipped)
        json_object_set_new(j, "skipped", json_string(o->skipped));
    return j;
}

static fa_status j_begin(fa_sink *s, const fa_scan_meta *m)
{
    (void)m;
    fputs("{\"objects\": [", s->out);
    return FA_OK;
}

/* Objects are the bulk of a document: written directly instead of through jansson. A string
 * that is not valid UTF-8 gets the same \xNN form as fa_location_to_json() gives it. */
static int valid_utf8(const unsigned char *p)
{
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
        if (n < 0 || (n == 1 && *p < 0xc2))
            return 0;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

static void put_jstr(FILE *out, const char *v)
{
    if (!v) {
        fputs("null", out);
        return;
    }
    int utf8 = valid_utf8((const unsigned char *)v);
    fputc('"', out);
    const unsigned char *run = (const unsigned char *)v;   /* bytes copied as they are */
    for (const unsigned char *p = run; *p; p++) {
        int plain = *p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\' && (*p < 0x80 || utf8);
        if (plain)
            continue;
        fwrite(run, 1, (size_t)(p - run), out);
        run = p + 1;
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fprintf(out, "\\\\x%02X", *p);
    }
    fputs((const char *)run, out);
    fputc('"', out);
}

static void put_location(FILE *out, const fa_location *l)
{
    fputs("{\"target\":", out);
    put_jstr(out, l->target);
    fputs(",\"path\":", out);
    put_jstr(out, l->path);
    fputs(",\"uri\":", out);
    put_jstr(out, l->uri);
    fputs(",\"members\":[", out);
    for (size_t i = 0; i < l->nmembers; i++) {
        if (i)
            fputc(',', out);
        put_jstr(out, l->members[i]);
    }
    fputc(']', out);
    if (l->line > 0)
        fprintf(out, ",\"line\":%ld", l->line);
    else
        fputs(",\"line\":null", out);
    if (l->offset >= 0)
        fprintf(out, ",\"offset\":%lld", (long long)l->offset);
    else
        fputs(",\"offset\":null", out);
    if (l->length >= 0)
        fprintf(out, ",\"length\":%lld}", (long long)l->length);
    else
        fputs(",\"length\":null}", out);
}

static fa_status j_object(fa_sink *s, const fa_object_rec *o)
{
    json_sink *js = (json_sink *)s;
    FILE *out = s->out;
    fputs(js->nobjects++ ? ",\n  {\"location\":" : "\n  {\"location\":", out);
    put_location(out, &o->loc);
    if (o->size >= 0)
        fprintf(out, ",\"size\":%lld", (long long)o->size);
    else
        fputs(",\"size\":null", out);
    if (o->mtime != INT64_MIN) {
        char ts[40];
        fa_time_rfc3339(o->mtime, ts, sizeof ts);
        fprintf(out, ",\"mtime\":\"%s\"", ts);
    } else {
        fputs(",\"mtime\":null", out);
    }
    fputs(",\"type\":", out);
    put_jstr(out, o->type ? o->type : "application/octet-stream");
    fputs(",\"etag\":", out);
    put_jstr(out, o->etag);
    fputs(",\"encryption\":", out);
    put_jstr(out, o->encryption);
    if (o->storage_class) {
        fputs(",\"storage_class\":", out);
        put_jstr(out, o->storage_class);
    }
    if (o->skipped) {
        fputs(",\"skipped\":", out);
        put_jstr(out, o->skipped);
    }
    fputc('}', out);
    return FA_OK;
}

static fa_status j_finding(fa_sink *s, const fa_finding *f)
{
    json_array_append_new(((json_sink *)s)->findings, fa_finding_to_json(f));
    return FA_OK;
}

static fa_status j_error(fa_sink *s, const fa_scan_error *e)
{
    json_t *j = json_object();
    json_object_set_new(j, "location", fa_location_to_json(&e->loc));
    json_object_set_new(j, "code", json_string(e->code));
    json_t *msg = json_string(e->message);
    json_object_set_new(j, "message", msg ? msg : json_string("(message not valid UTF-8)"));
    json_array_append_new(((json_sink *)s)->errors, j);
    return FA_OK;
}

static fa_status j_limit(fa_sink *s, const fa_limit_hit *l)
{
    json_t *j = json_object();
    json_object_set_new(j, "location", fa_location_to_json(&l->loc));
    json_object_set_new(j, "limit", json_string(l->limit));
    json_object_set_new(j, "value", json_integer(l->value));
    json_array_append_new(((json_sink *)s)->limits, j);
    return FA_OK;
}

static fa_status j_record(fa_sink *s, const char *array, json_t *value)
{
    json_sink *js = (json_sink *)s;
    json_t *arr = json_object_get(js->records, array);
    if (!arr) {
        arr = json_array();
        json_object_set_new(js->records, array, arr);
    }
    json_array_append(arr, value);
    return FA_OK;
}

static void write_array(FILE *out, const char *key, json_t *arr)
{
    fprintf(out, ",\n\"%s\": [", key);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        fputs(i ? ",\n  " : "\n  ", out);
        dump(out, v, 0);
    }
    fputs(json_array_size(arr) ? "\n]" : "]", out);
}

static fa_status j_end(fa_sink *s, const fa_scan_meta *m, const fa_stats *st)
{
    json_sink *js = (json_sink *)s;
    fputs(js->nobjects ? "\n]" : "]", s->out);
    write_array(s->out, "findings", js->findings);
    write_array(s->out, "errors", js->errors);
    write_array(s->out, "limits", js->limits);
    const char *key;
    json_t *arr;
    json_object_foreach(js->records, key, arr)
        write_array(s->out, key, arr);
    char a[40], b[40];
    fa_time_rfc3339(m->started_at, a, sizeof a);
    fa_time_rfc3339(m->finished_at, b, sizeof b);
    json_t *targets = json_array();
    for (size_t i = 0; i < m->ntargets; i++)
        json_array_append_new(targets, json_string(m->targets[i]));
    json_t *stats = json_pack("{s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:I,s:I}", "objects", (json_int_t)st->objects,
                              "bytes", (json_int_t)st->bytes, "findings", (json_int_t)st->findings,
                              "seconds", st->seconds, "read_bytes", (json_int_t)st->read_bytes,
                              "carried_over", (json_int_t)st->carried, "suppressed", (json_int_t)st->suppressed,
                              "errors", (json_int_t)st->errors, "limits", (json_int_t)st->limits);
    json_t *tool = json_pack("{s:s,s:s,s:s}", "name", "faceaudit", "version", m->tool_version,
                             "rules_digest", m->rules_digest ? m->rules_digest : "");
    json_t *scan = json_pack("{s:s,s:s,s:s,s:o,s:b}", "id", m->scan_id, "started_at", a,
                             "finished_at", b, "targets", targets, "complete", m->complete);
    /* A shard says which part it is, so that merge can tell when a part is missing. */
    if (m->shard_count > 1)
        json_object_set_new(scan, "shard", json_pack("{s:i,s:i}", "index", m->shard_index, "count", m->shard_count));
    fputs(",\n\"stats\": ", s->out);
    dump(s->out, stats, 0);
    fputs(",\n\"tool\": ", s->out);
    dump(s->out, tool, 0);
    fputs(",\n\"scan\": ", s->out);
    dump(s->out, scan, 0);
    fputs("\n}\n", s->out);
    json_decref(stats);
    json_decref(tool);
    json_decref(scan);
    if (ferror(s->out))
        return fa_err_set(&s->err, FA_FATAL, "output", "write error");
    return FA_OK;
}

static void j_destroy(fa_sink *s)
{
    json_sink *js = (json_sink *)s;
    json_decref(js->findings);
    json_decref(js->errors);
    json_decref(js->limits);
    json_decref(js->records);
    free(js);
}

static const fa_sink_ops json_ops = { "json", j_begin, j_object, j_finding, j_error, j_limit, j_end, j_destroy, j_record };

fa_sink *fa_sink_json_new(FILE *out, const fa_sink_opts *o)
{
    (void)o;
    json_sink *js = calloc(1, sizeof *js);
    if (!js)
        return NULL;
    js->base.ops = &json_ops;
    js->base.out = out;
    js->findings = json_array();
    js->errors = json_array();
    js->limits = json_array();
    js->records = json_object();
    return &js->base;
}
