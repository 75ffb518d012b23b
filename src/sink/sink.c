/* Sink factory and the JSON shapes shared by every output and the compliance commands. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/sink.h"
#include "formats.h"


static const struct {
    const char *name;
    fa_sink *(*make)(FILE *, const fa_sink_opts *);
} formats[] = {
    { "text", fa_sink_text_new },
    { "json", fa_sink_json_new },
    { "jsonl", fa_sink_jsonl_new },
    { "csv", fa_sink_csv_new },
    { "sarif", fa_sink_sarif_new },
};

const char *fa_sink_formats(void)
{
    return "text, json, jsonl, csv, sarif";
}

int fa_sink_format_known(const char *format)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(format, formats[i].name))
            return 1;
    return 0;
}

fa_sink *fa_sink_new(const char *format, FILE *out, const fa_sink_opts *opts, fa_err *err)
{
    static const fa_sink_opts none = { NULL, 0, FA_SEV_LOW, 0 };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(format, formats[i].name))
            return formats[i].make(out, opts ? opts : &none);
    fa_err_set(err, FA_FATAL, "usage", "unknown output format '%s' (%s)", format, fa_sink_formats());
    return NULL;
}

void fa_sink_free(fa_sink *s)
{
    if (s && s->ops->destroy)
        s->ops->destroy(s);
}

int fa_exit_code(const fa_stats *st, int complete, int fatal, fa_severity fail_on, int fail_on_scan_errors)
{
    if (fatal)
        return 2;
    if (fail_on != FA_SEV_NONE)
        for (int sev = (int)fail_on; sev <= FA_SEV_CRITICAL; sev++)
            if (st->by_severity[sev])
                return 1;
    if (fail_on_scan_errors && !complete)
        return 3;
    return 0;
}

json_t *fa_location_to_json(const fa_location *l)
{
    json_t *members = json_array();
    for (size_t i = 0; i < l->nmembers; i++)
        json_array_append_new(members, json_string(l->members[i]));
    /* json_stringn keeps invalid UTF-8 out of the document: jansson refuses it, so such a
     * path falls back to an escaped form. */
    json_t *o = json_object();
    const char *keys[] = { "target", "path", "uri" };
    const char *vals[] = { l->target, l->path, l->uri };
    for (int i = 0; i < 3; i++) {
        json_t *v = vals[i] ? json_string(vals[i]) : json_null();
        if (!v) {   /* not valid UTF-8: escape bytes >= 0x80 as \xNN */
            fa_buf b = FA_BUF_INIT;
            for (const unsigned char *p = (const unsigned char *)vals[i]; *p; p++)
                if (*p < 0x80)
                    fa_buf_addch(&b, *p);
                else
                    fa_buf_addf(&b, "\\x%02X", *p);
            v = json_string(b.buf);
            fa_buf_release(&b);
        }
        json_object_set_new(o, keys[i], v);
    }
    json_object_set_new(o, "members", members);
    json_object_set_new(o, "line", l->line > 0 ? json_integer(l->line) : json_null());
    json_object_set_new(o, "offset", l->offset >= 0 ? json_integer(l->offset) : json_null());
    json_object_set_new(o, "length", l->length >= 0 ? json_integer(l->length) : json_null());
    return o;
}

json_t *fa_finding_to_json(const fa_finding *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "rule_id", json_string(f->rule_id));
    json_object_set_new(o, "category", json_string(f->category));
    json_object_set_new(o, "severity", json_string(fa_severity_name(f->severity)));
    json_object_set_new(o, "confidence", json_real(round(f->confidence * 1000) / 1000));
    json_t *msg = json_string(f->message);
    json_object_set_new(o, "message", msg ? msg : json_string("(message not valid UTF-8)"));
    json_object_set_new(o, "location", fa_location_to_json(&f->loc));
    json_object_set(o, "evidence", f->evidence ? f->evidence : json_object());
    json_object_set_new(o, "fingerprint", json_string(f->fingerprint));
    return o;
}
