/* fa_logtime: the timestamp a log line carries, for first/last-seen times of data flows. */
#ifndef FACEAUDIT_LOGTIME_H
#define FACEAUDIT_LOGTIME_H
#include <stddef.h>
#include <stdint.h>

/* Finds a timestamp near the start of a line (its first 200 bytes): RFC 3339 / ISO 8601
 * ("2025-01-31T09:14:07Z", "2025-01-31 09:14:07.123+02:00", no zone = UTC), Apache/nginx
 * ("[31/Jan/2025:09:14:07 +0100]"), syslog with a year-less date is not used (ambiguous), and
 * a leading Unix epoch with fraction as Squid writes it ("1738314847.123"). Sets *t (unix
 * seconds, UTC) and returns 1, or returns 0. Reads at most len bytes. */
int fa_logtime_find(const char *line, size_t len, int64_t *t);
#endif
