/* JSON lines: one finding object per line, written as soon as it is found. */
#include <stdlib.h>
#include "faceaudit/sink.h"
#include "formats.h"

static fa_status l_finding(fa_sink *s, const fa_finding *f)
{
    json_t *j = fa_finding_to_json(f);
    json_dumpf(j, s->out, JSON_COMPACT);
    fputc('\n', s->out);
    json_decref(j);
    return FA_OK;
}

static fa_status l_end(fa_sink *s, const fa_scan_meta *m, const fa_stats *st)
{
    (void)m;
    (void)st;
    if (fflush(s->out) != 0 || ferror(s->out))
        return fa_err_set(&s->err, FA_FATAL, "output", "write error");
    return FA_OK;
}

static void l_destroy(fa_sink *s) { free(s); }

static const fa_sink_ops jsonl_ops = { "jsonl", NULL, NULL, l_finding, NULL, NULL, l_end, l_destroy, NULL };

fa_sink *fa_sink_jsonl_new(FILE *out, const fa_sink_opts *o)
{
    (void)o;
    fa_sink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ops = &jsonl_ops;
    s->out = out;
    return s;
}
