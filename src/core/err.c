#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "faceaudit/err.h"

void fa_err_clear(fa_err *e)
{
    if (!e)
        return;
    e->status = FA_OK;
    e->code[0] = 0;
    e->msg[0] = 0;
}

fa_status fa_err_set(fa_err *e, fa_status st, const char *code, const char *fmt, ...)
{
    if (!e)
        return st;
    e->status = st;
    snprintf(e->code, sizeof e->code, "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return st;
}
