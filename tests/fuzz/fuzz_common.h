/* Shared bits of the libFuzzer targets (tests/fuzz/fuzz_*.c, built by tools/fuzz.sh).
 * Each target feeds one parser that reads untrusted bytes; a crash, a sanitizer report,
 * a leak or a hang (-timeout) is a bug. Targets never print what they parse. */
#ifndef FACEAUDIT_FUZZ_COMMON_H
#define FACEAUDIT_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "faceaudit/parse_jsonarr.h"
#include "faceaudit/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated private copy (parsers that take C strings; also catches reads past
 * the end of `size` bytes because ASan guards the heap block). Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* An exact-size heap copy: the fuzzer's own buffer may have slack after it. */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        abort();
    if (size)
        memcpy(p, data, size);
    return p;
}

/* Calls fn(line, n, lineno) for each '\n'-separated line (without the '\n'), each line in
 * its own exact-size heap block so an overread of one byte is caught. */
static inline void fuzz_lines(const uint8_t *data, size_t size,
                              void (*fn)(void *ud, const char *line, size_t n, long lineno), void *ud)
{
    size_t start = 0;
    long lineno = 1;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            if (i == size && start == size && size)
                break;
            uint8_t *l = fuzz_dup(data + start, i - start);
            fn(ud, (const char *)l, i - start, lineno++);
            free(l);
            start = i + 1;
        }
    }
}
/* Scan options for the targets that run the scanner: one worker, and smaller budgets than the
 * defaults so each run stays fast (the limits code is the same). */
static inline void fuzz_scan_opts(fa_scan_opts *o)
{
    fa_err err;
    fa_scan_opts_init(o);
    o->threads = 1;
    fa_limits_set(&o->limits, FA_LIM_MAX_MEMBER_SIZE, "4M", &err);
    fa_limits_set(&o->limits, FA_LIM_MAX_ARCHIVE_BYTES, "32M", &err);
    fa_limits_set(&o->limits, FA_LIM_MAX_MEMBERS, "2000", &err);
    fa_limits_set(&o->limits, FA_LIM_MAX_LINE, "1M", &err);
    fa_limits_set(&o->limits, FA_LIM_MAX_DECODED, "1M", &err);
}

/* A scanner over rules with fuzz_scan_opts(); aborts, naming the target, if it cannot be made. */
static inline fa_scanner *fuzz_scanner(const char *target, fa_ruleset *rules)
{
    fa_scan_opts o;
    fa_err err;
    fa_err_clear(&err);
    fuzz_scan_opts(&o);
    fa_scanner *s = fa_scanner_new(rules, &o, &err);
    if (!s) {
        fprintf(stderr, "%s: %s\n", target, err.msg);
        abort();
    }
    return s;
}

/* Reads every value of a text vector a parser reported (ASan catches a bad pointer or length). */
static inline void fuzz_touch_tvec(const fa_tvec *tv)
{
    if (tv->dim > FA_TEXTVEC_MAX)
        abort();
    volatile double s = 0;
    for (size_t i = 0; i < tv->dim; i++)
        s += tv->v[i];
    volatile char c = tv->ctxlen ? tv->ctx[tv->ctxlen - 1] : 0;
    (void)s;
    (void)c;
}
#endif
