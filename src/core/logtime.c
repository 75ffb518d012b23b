/* Log-line timestamps. Only exact, self-describing forms are accepted: a wrong time in an
 * inventory is worse than the file's time. */
#include <string.h>
#include <time.h>
#include "faceaudit/logtime.h"

static int digits(const char *p, int n, int *out)
{
    long long v = 0;   /* ten digits (epoch seconds) do not fit an int */
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    *out = v > 2147483647LL ? 2147483647 : (int)v;
    return 1;
}

/* Days from 1970-01-01 (proleptic Gregorian): avoids timegm's dependence on TZ state. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int valid(int y, int mo, int d, int h, int mi, int s)
{
    return y >= 1990 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

/* "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|+HHMM]" at p; returns 1 and *t. */
static int iso(const char *p, const char *end, int64_t *t)
{
    int y, mo, d, h, mi, s;
    if (end - p < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':')
        return 0;
    if (!digits(p, 4, &y) || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) || !digits(p + 11, 2, &h) ||
        !digits(p + 14, 2, &mi) || !digits(p + 17, 2, &s) || !valid(y, mo, d, h, mi, s))
        return 0;
    const char *q = p + 19;
    if (q < end && (*q == '.' || *q == ','))
        for (q++; q < end && *q >= '0' && *q <= '9'; q++)
            ;
    int off = 0;
    if (q < end && (*q == '+' || *q == '-')) {
        int oh, om;
        int sign = *q == '-' ? -1 : 1;
        if (end - q >= 6 && q[3] == ':' && digits(q + 1, 2, &oh) && digits(q + 4, 2, &om))
            off = sign * (oh * 3600 + om * 60);
        else if (end - q >= 5 && digits(q + 1, 2, &oh) && digits(q + 3, 2, &om))
            off = sign * (oh * 3600 + om * 60);
    }
    *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
    return 1;
}

/* "[DD/Mon/YYYY:HH:MM:SS +ZZZZ]" at p (p points at '['). */
static int apache(const char *p, const char *end, int64_t *t)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int d, y, h, mi, s, oh, om;
    if (end - p < 28 || p[3] != '/' || p[7] != '/' || p[12] != ':' || p[15] != ':' || p[18] != ':' || p[21] != ' ' ||
        (p[22] != '+' && p[22] != '-') || p[27] != ']')
        return 0;
    const char *m = NULL;
    for (int i = 0; i < 12 && !m; i++)
        if (!memcmp(p + 4, months + 3 * i, 3))
            m = months + 3 * i;
    if (!m || !digits(p + 1, 2, &d) || !digits(p + 8, 4, &y) || !digits(p + 13, 2, &h) || !digits(p + 16, 2, &mi) ||
        !digits(p + 19, 2, &s) || !digits(p + 23, 2, &oh) || !digits(p + 25, 2, &om))
        return 0;
    int mo = (int)((m - months) / 3) + 1;
    if (!valid(y, mo, d, h, mi, s))
        return 0;
    int off = (p[22] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
    return 1;
}

int fa_logtime_find(const char *line, size_t len, int64_t *t)
{
    const char *end = line + (len < 200 ? len : 200);
    /* Squid: the line starts with epoch seconds and milliseconds. */
    int v;
    if (end - line >= 14 && digits(line, 10, &v) && line[10] == '.' && line[11] >= '0' && line[11] <= '9' &&
        line[0] >= '1') {
        int64_t e = 0;
        for (int i = 0; i < 10; i++)
            e = e * 10 + (line[i] - '0');
        if (e >= 631152000 && e <= 7258118400LL) {   /* 1990 .. 2200 */
            *t = e;
            return 1;
        }
    }
    for (const char *p = line; p < end; p++) {
        if (*p >= '1' && *p <= '2' && (p == line || p[-1] < '0' || p[-1] > '9') && iso(p, end, t))
            return 1;
        if (*p == '[' && apache(p, end, t))
            return 1;
    }
    return 0;
}
