/* CSV (RFC 4180) for spreadsheets: one finding per row. Cells that a spreadsheet would run
 * as a formula (leading = + - @ tab CR) get a leading apostrophe: a file name must not be
 * able to execute in the auditor's spreadsheet. */
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/csv.h"
#include "faceaudit/sink.h"
#include "formats.h"

static void cell(FILE *out, const char *v, int last)
{
    fa_buf b = FA_BUF_INIT;
    fa_csv_cell(&b, v, last, "\r\n");
    fwrite(b.buf, 1, b.len, out);
    fa_buf_release(&b);
}

static fa_status c_begin(fa_sink *s, const fa_scan_meta *m)
{
    (void)m;
    fputs("rule_id,category,severity,confidence,path,members,line,message,sha256,fingerprint\r\n", s->out);
    return FA_OK;
}

static fa_status c_finding(fa_sink *s, const fa_finding *f)
{
    char conf[32], line[32];
    snprintf(conf, sizeof conf, "%.3f", f->confidence);
    snprintf(line, sizeof line, "%ld", f->loc.line);
    fa_buf members = FA_BUF_INIT;
    for (size_t i = 0; i < f->loc.nmembers; i++) {
        if (i)
            fa_buf_addch(&members, '!');
        fa_buf_adds(&members, f->loc.members[i]);
    }
    const char *sha = f->evidence ? json_string_value(json_object_get(f->evidence, "sha256")) : NULL;
    cell(s->out, f->rule_id, 0);
    cell(s->out, f->category, 0);
    cell(s->out, fa_severity_name(f->severity), 0);
    cell(s->out, conf, 0);
    cell(s->out, f->loc.path, 0);
    cell(s->out, members.buf, 0);
    cell(s->out, f->loc.line > 0 ? line : "", 0);
    cell(s->out, f->message, 0);
    cell(s->out, sha, 0);
    cell(s->out, f->fingerprint, 1);
    fa_buf_release(&members);
    return FA_OK;
}

static fa_status c_end(fa_sink *s, const fa_scan_meta *m, const fa_stats *st)
{
    (void)m;
    (void)st;
    if (fflush(s->out) != 0 || ferror(s->out))
        return fa_err_set(&s->err, FA_FATAL, "output", "write error");
    return FA_OK;
}

static void c_destroy(fa_sink *s) { free(s); }

static const fa_sink_ops csv_ops = { "csv", c_begin, NULL, c_finding, NULL, NULL, c_end, c_destroy, NULL };

fa_sink *fa_sink_csv_new(FILE *out, const fa_sink_opts *o)
{
    (void)o;
    fa_sink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ops = &csv_ops;
    s->out = out;
    return s;
}
