/* Text: "path!member:line: severity category rule_id message", one finding per line, as
 * grep prints matches. Control bytes in paths are escaped so a crafted file name cannot
 * forge extra lines or terminal sequences. */
#include <stdlib.h>
#include "faceaudit/buf.h"
#include "faceaudit/sink.h"

static void put_escaped(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02X", *p);
        else
            fputc(*p, out);
    }
}

static fa_status t_finding(fa_sink *s, const fa_finding *f)
{
    fa_buf where = FA_BUF_INIT;
    fa_location_display(&f->loc, &where);
    put_escaped(s->out, where.buf);
    fa_buf_release(&where);
    if (f->loc.line > 0)
        fprintf(s->out, ":%ld", f->loc.line);
    fprintf(s->out, ": %s %s %s ", fa_severity_name(f->severity), f->category, f->rule_id);
    put_escaped(s->out, f->message);
    fputc('\n', s->out);
    return FA_OK;
}

static fa_status t_end(fa_sink *s, const fa_scan_meta *m, const fa_stats *st)
{
    (void)m;
    (void)st;
    if (fflush(s->out) != 0 || ferror(s->out))
        return fa_err_set(&s->err, FA_FATAL, "output", "write error");
    return FA_OK;
}

static void t_destroy(fa_sink *s) { free(s); }

static const fa_sink_ops text_ops = { "text", NULL, NULL, t_finding, NULL, NULL, t_end, t_destroy };

fa_sink *fa_sink_text_new(FILE *out);
fa_sink *fa_sink_text_new(FILE *out)
{
    fa_sink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ops = &text_ops;
    s->out = out;
    return s;
}
