/* fa_csv: one CSV (RFC 4180) cell, safe to open in a spreadsheet and to cat in a terminal. */
#ifndef FACEAUDIT_CSV_H
#define FACEAUDIT_CSV_H
#include "faceaudit/buf.h"

/* Appends v (NULL = empty) and then ',' or, for the last cell, the line end `eol`.
 * Quotes when needed; a cell a spreadsheet would run as a formula (leading = + - @ tab CR)
 * gets a leading apostrophe; control bytes and bytes that are not UTF-8 become \xNN. */
void fa_csv_cell(fa_buf *out, const char *v, int last, const char *eol);
#endif
