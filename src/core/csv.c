/* CSV cells for every CSV faceaudit writes (scan findings, inventory, retention): file names
 * come from the scanned data, so a name must neither run as a formula in the auditor's
 * spreadsheet nor reach their terminal as an escape sequence. */
#include <string.h>
#include "faceaudit/csv.h"

static void escape(fa_buf *b, const char *v)
{
    const unsigned char *p = (const unsigned char *)v;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 1 : (*p & 0xf0) == 0xe0 ? 2
              : (*p & 0xf8) == 0xf0 && *p <= 0xf4 ? 3 : -1;
        int ok = n >= 0;
        for (int i = 1; ok && i <= n; i++)
            ok = (p[i] & 0xc0) == 0x80;
        if (!ok || (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f ||
            (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)) {
            fa_buf_addf(b, "\\x%02X", *p);
            p++;
            continue;
        }
        fa_buf_add(b, p, (size_t)n + 1);
        p += n + 1;
    }
}

/* A plain number ("-57", "+1.5") is data, not a formula, whatever its sign. */
static int is_number(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    int digits = 0, dot = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '.' && !dot)
            dot = 1;
        else
            return 0;
    }
    return digits > 0;
}

void fa_csv_cell(fa_buf *out, const char *raw, int last, const char *eol)
{
    fa_buf v = FA_BUF_INIT;
    escape(&v, raw ? raw : "");
    int formula = v.len && strchr("=+-@\t\r", v.buf[0]) != NULL && !is_number(v.buf);
    if (formula || strpbrk(v.buf, ",\"\r\n")) {
        fa_buf_addch(out, '"');
        if (formula)
            fa_buf_addch(out, '\'');
        for (const char *p = v.buf; *p; p++) {
            if (*p == '"')
                fa_buf_addch(out, '"');
            fa_buf_addch(out, *p);
        }
        fa_buf_addch(out, '"');
    } else {
        fa_buf_add(out, v.buf, v.len);
    }
    fa_buf_adds(out, last ? eol : ",");
    fa_buf_release(&v);
}
