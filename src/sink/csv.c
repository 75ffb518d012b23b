/* CSV (RFC 4180) for spreadsheets: one finding per row. Cells that a spreadsheet would run
 * as a formula (leading = + - @ tab CR) get a leading apostrophe: a file name must not be
 * able to execute in the auditor's spreadsheet. */
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/sink.h"
#include "formats.h"

/* Control bytes (ESC would reach the terminal of whoever cats the file) and bytes that are
 * not UTF-8 become \xNN, as in the text output. */
static char *escape(const char *v)
{
    fa_buf b = FA_BUF_INIT;
    const unsigned char *p = (const unsigned char *)v;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 && *p <= 0xf4 ? 3 : -1;
        int ok = n >= 0;
        for (int i = 1; ok && i <= n; i++)
            ok = (p[i] & 0xc0) == 0x80;
        if (!ok || (*p < 0x20 && *p != '\t') || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)) {
            fa_buf_addf(&b, "\\x%02X", *p);
            p++;
            continue;
        }
        fa_buf_add(&b, p, (size_t)n + 1);
        p += n + 1;
    }
    return fa_buf_detach(&b, NULL);
}

static void cell(FILE *out, const char *raw, int last)
{
    char *v = escape(raw ? raw : "");
    int quote = strpbrk(v, ",\"\r\n") != NULL || (v[0] && strchr("=+-@\t\r", v[0]) != NULL);
    if (quote) {
        fputc('"', out);
        if (v[0] && strchr("=+-@\t\r", v[0]))
            fputc('\'', out);
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else {
        fputs(v, out);
    }
    fputs(last ? "\r\n" : ",", out);
    free(v);
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
