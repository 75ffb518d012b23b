/* The S3 XML answers (src/source/s3_xml.c, libxml2) through faceaudit/s3.h: listing pages
 * with the next token of either API version, error bodies, every bucket posture answer and
 * the Last-Modified time parser; then the --debug trace redaction over the same bytes as a
 * response header block (headers come from the server, so they are untrusted too). */
#include "fuzz_common.h"
#include <jansson.h>
#include "faceaudit/s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    const char *xml = (const char *)copy;
    fa_s3_page page;
    fa_err err;
    fa_err_clear(&err);
    if (fa_s3_parse_list(xml, size, &page, &err) == FA_OK) {
        for (int v = 1; v <= 2; v++) {
            int done = -1;
            const char *t = fa_s3_next_token(&page, v, &done);
            if (done && t)
                abort();   /* a last page gives nothing to continue from */
            if (t && !*t)
                abort();   /* an empty token would restart the listing */
        }
        for (size_t i = 0; i < page.n; i++)
            if (!page.entries[i].key)
                abort();
        fa_s3_page_free(&page);
    }
    char code[64], msg[256];
    if (fa_s3_parse_error(xml, size, code, sizeof code, msg, sizeof msg) && strlen(code) >= sizeof code)
        abort();
    static const char *const what[] = { "publicAccessBlock", "policyStatus", "acl",
                                        "encryption", "versioning", "lifecycle" };
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++) {
        const char *why = NULL;
        json_t *v = fa_s3_posture_value(what[i], xml, size, &why);
        if (!v && !why)
            abort();   /* an unknown answer always says why */
        json_decref(v);
    }
    char *s = fuzz_cstr(data, size < 256 ? size : 256);
    (void)fa_s3_parse_time(s);
    free(s);
    static const char *const secrets[] = { "SECRETKEYEXAMPLE", "", NULL };
    char *red = fa_s3_redact(xml, size, secrets);
    if (!red || strstr(red, "SECRETKEYEXAMPLE"))
        abort();   /* the secret never survives redaction */
    free(red);
    free(copy);
    return 0;
}
