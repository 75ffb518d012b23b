/* Log-line timestamps: the forms accepted, time zones, and what must not be taken for a time. */
#include <criterion/criterion.h>
#include <string.h>
#include "faceaudit/logtime.h"

static int64_t at(const char *s, int *ok)
{
    int64_t t = -1;
    *ok = fa_logtime_find(s, strlen(s), &t);
    return t;
}

Test(logtime, iso_forms_and_zones)
{
    int ok;
    cr_assert_eq(at("2024-03-02T09:14:07Z INFO enroll", &ok), 1709370847); cr_assert(ok);
    cr_assert_eq(at("{\"ts\":\"2024-03-02T09:14:07.123Z\",\"msg\":1}", &ok), 1709370847); cr_assert(ok);
    cr_assert_eq(at("2024-03-02 11:14:07+02:00 x", &ok), 1709370847); cr_assert(ok);
    cr_assert_eq(at("2024-03-02T04:14:07-0500 x", &ok), 1709370847); cr_assert(ok);
    cr_assert_eq(at("2024-03-02T09:14:07 local, no zone = UTC", &ok), 1709370847); cr_assert(ok);
}

Test(logtime, apache_and_squid)
{
    int ok;
    cr_assert_eq(at("10.0.0.1 - - [02/Mar/2024:10:14:07 +0100] \"POST /x HTTP/1.1\" 200", &ok), 1709370847);
    cr_assert(ok);
    cr_assert_eq(at("1709370847.412    120 10.0.0.5 TCP_MISS/200 POST http://api.kairos.com/enroll", &ok), 1709370847);
    cr_assert(ok);
}

Test(logtime, refuses_what_is_not_a_time)
{
    int ok;
    at("user=4411 id=20240302 took 1234ms", &ok);
    cr_assert(!ok);
    at("2024-13-02T09:14:07Z month 13", &ok);
    cr_assert(!ok);
    at("12024-03-02T09:14:07Z inside a longer number", &ok);
    cr_assert(!ok);
    int64_t t;
    /* the length bounds the search: a time after it is not seen */
    cr_assert(!fa_logtime_find("abc 2024-03-02T09:14:07Z", 10, &t));
}
