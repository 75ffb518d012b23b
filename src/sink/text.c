/* Text: "path!member:line: severity category rule_id message", one finding per line, as
 * grep prints matches (findings of one object are adjacent, since objects are scanned one
 * at a time). Control bytes in paths are escaped so a crafted file name cannot forge extra
 * lines or terminal sequences. Colour only when asked (the CLI decides: --color, NO_COLOR). */
#include <stdlib.h>
#include "faceaudit/buf.h"
#include "faceaudit/sink.h"
#include "formats.h"

typedef struct text_sink {
    fa_sink base;
    int     color;
} text_sink;

/* Length of the valid UTF-8 sequence at p that is not a C1 control (U+0080-U+009F, which
 * terminals may act on like ESC), or 0. */
static size_t utf8_ok(const unsigned char *p)
{
    unsigned c = p[0];
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    for (size_t j = 1; j < len; j++)
        if ((p[j] & 0xc0) != 0x80)
            return 0;
    if (len == 2 && c == 0xc2 && p[1] < 0xa0)
        return 0;
    if (len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
        return 0;
    if (len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
        return 0;
    return len;
}

static void put_escaped(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        size_t n;
        if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\x%02X", *p);
        } else if (*p < 0x80) {
            fputc(*p, out);
        } else if ((n = utf8_ok(p)) > 0) {   /* invalid UTF-8 is escaped byte by byte too */
            fwrite(p, 1, n, out);
            p += n - 1;
        } else {
            fprintf(out, "\\x%02X", *p);
        }
    }
}

static const char *sev_color(fa_severity s)
{
    switch (s) {
    case FA_SEV_CRITICAL: return "\033[1;31m";
    case FA_SEV_HIGH: return "\033[31m";
    case FA_SEV_MEDIUM: return "\033[33m";
    case FA_SEV_LOW: return "\033[36m";
    default: return "\033[2m";
    }
}

static fa_status t_finding(fa_sink *s, const fa_finding *f)
{
    int color = ((text_sink *)s)->color;
    fa_buf where = FA_BUF_INIT;
    fa_location_display(&f->loc, &where);
    if (color)
        fputs("\033[35m", s->out);
    put_escaped(s->out, where.buf);
    fa_buf_release(&where);
    if (f->loc.line > 0)
        fprintf(s->out, color ? "\033[0m:\033[32m%ld" : ":%ld", f->loc.line);
    if (color)
        fprintf(s->out, "\033[0m: %s%s\033[0m %s \033[1m%s\033[0m ", sev_color(f->severity),
                fa_severity_name(f->severity), f->category, f->rule_id);
    else
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

static const fa_sink_ops text_ops = { "text", NULL, NULL, t_finding, NULL, NULL, t_end, t_destroy, NULL };

fa_sink *fa_sink_text_new(FILE *out, const fa_sink_opts *o)
{
    text_sink *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->base.ops = &text_ops;
    t->base.out = out;
    t->color = o->color;
    return &t->base;
}
