/* fa_s3: the pure parts of the S3 source (src/source/s3*.c), kept apart from the network
 * so they can be tested on recorded answers: listing pages, error bodies and bucket posture
 * answers (libxml2), credentials and config files, the redaction of --debug traces.
 * The source itself is fa_source_s3() (src/scan/internal.h); it is reached through
 * fa_scanner_run() with an s3://bucket[/prefix] target and reads these scan options
 * (fa_scan_opts.options, "name=value"):
 *   s3.endpoint-url, s3.region, s3.profile, s3.list-version (1|2), s3.concurrency (N),
 *   s3.timeout (seconds: the connect timeout and the stall window; each request's deadline
 *   is fa_s3_request_deadline(), see the top of src/source/s3.c), s3.retries (N),
 *   s3.page-size (N, max-keys), s3.max-pages (N, a bound on one listing), s3.trace-fd (fd
 *   for the redacted HTTP trace; the library writes there only when the caller asks). */
#ifndef FACEAUDIT_S3_H
#define FACEAUDIT_S3_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "faceaudit/buf.h"
#include "faceaudit/err.h"

/* ------------------------------------------------------------ listing */

typedef struct fa_s3_entry {
    char   *key;            /* owned */
    int64_t size;           /* -1 if absent */
    int64_t mtime;          /* unix seconds; INT64_MIN if absent */
    char   *etag;           /* owned, quotes removed; may be NULL */
    char   *storage_class;  /* owned; may be NULL (= STANDARD) */
} fa_s3_entry;

typedef struct fa_s3_page {
    fa_s3_entry *entries;   /* owned */
    size_t       n, alloc;
    int          truncated; /* IsTruncated */
    char        *next_token;   /* v2 NextContinuationToken, owned, may be NULL */
    char        *next_marker;  /* v1 NextMarker, owned, may be NULL (then: the last key) */
} fa_s3_page;

/* Parses a ListBucketResult (v1 or v2). FA_FAIL with err set if it is not one. */
fa_status fa_s3_parse_list(const char *xml, size_t len, fa_s3_page *page, fa_err *err);
void      fa_s3_page_free(fa_s3_page *page);
/* What the next listing request continues from: the continuation token (version 2) or the
 * marker (version 1: NextMarker, else the page's last key). NULL with *done = 1 when the
 * page was the last; NULL with *done = 0 when a truncated page gives nothing to continue
 * from (a protocol error). Borrowed from page. */
const char *fa_s3_next_token(const fa_s3_page *page, int version, int *done);

/* Reads <Error><Code>/<Message> from an error body. Returns 1 if found (code and msg set,
 * truncated to their sizes), 0 otherwise (both set to ""). */
int fa_s3_parse_error(const char *xml, size_t len, char *code, size_t codesz, char *msg, size_t msgsz);

/* 1 if s has the shape of an AWS region name: a lowercase letter, then letters, digits and
 * '-', at most 32 characters (so it is safe in a host name and a SigV4 scope). */
int fa_s3_valid_region(const char *s);
/* The region an error answer names for the bucket: <Region> (AuthorizationHeaderMalformed),
 * else the region of <Endpoint> (PermanentRedirect: BUCKET.s3.REGION.amazonaws.com,
 * s3-REGION.amazonaws.com; the global BUCKET.s3.amazonaws.com is us-east-1). Returns 1 with
 * out set, or 0 with out "". Only meaningful for AWS itself: other stores' endpoints differ. */
int fa_s3_error_region(const char *xml, size_t len, char *out, size_t outsz);

/* The deadline of one S3 request, in seconds from its start, covering all its attempts and
 * backoffs: 2 x timeout (--s3-timeout: one stalled attempt, and a retry) + the bytes expected
 * at 64 KiB/s (the slowest transfer the scan accepts; expect <= 0 counts as 0). */
double fa_s3_request_deadline(long timeout, int64_t expect);

/* One bucket posture answer (what: "publicAccessBlock", "policyStatus", "acl",
 * "encryption", "versioning", "lifecycle") turned into the value of the scan document's
 * buckets[] field (public_access_block, policy_public, acl_public, encryption, versioning,
 * lifecycle). Returns a new reference, or NULL with *why set (static string) if the answer
 * is not the expected document. */
json_t *fa_s3_posture_value(const char *what, const char *xml, size_t len, const char **why);

/* RFC 3339 (2026-11-26T23:25:25.000Z) or RFC 1123 (Thu, 26 Nov 2026 23:25:25 GMT) to unix
 * seconds; INT64_MIN if neither. */
int64_t fa_s3_parse_time(const char *s);

/* S3 URI encoding: everything but A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash). */
void fa_s3_uri_encode(fa_buf *b, const char *s, int keep_slash);

/* ------------------------------------------------------------ credentials and settings */

/* Where settings come from: the command line (may be NULL) and the environment. */
typedef struct fa_s3_settings {
    const char *profile, *region, *endpoint;     /* --profile, --region, --endpoint-url */
    const char *(*getenv)(const char *name);     /* NULL = getenv(3) */
} fa_s3_settings;

typedef struct fa_s3_config {
    char *access_key, *secret_key, *session_token;  /* owned; NULL = anonymous requests */
    char *region;            /* owned; never NULL after resolve ("us-east-1" by default) */
    char *endpoint;          /* owned; NULL = AWS (https://s3.REGION.amazonaws.com) */
    char *profile;           /* owned; the profile used */
    const char *cred_source; /* static: "environment", "credentials file", "config file", "none" */
} fa_s3_config;

/* Resolves credentials, region and endpoint:
 *   credentials: with --profile, that profile only; else AWS_ACCESS_KEY_ID +
 *     AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); else the profile AWS_PROFILE (or
 *     "default") in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), then in
 *     AWS_CONFIG_FILE (~/.aws/config, sections "[profile NAME]" or "[default]");
 *     none found = anonymous (public buckets).
 *   region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1.
 *   endpoint: --endpoint-url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
 *     endpoint_url, else AWS.
 * FA_FATAL with err set if a named profile does not exist or a key pair is half given. */
fa_status fa_s3_config_resolve(const fa_s3_settings *in, fa_s3_config *out, fa_err *err);
void      fa_s3_config_free(fa_s3_config *c);

/* The value of key in [section] of INI text (AWS files: "key = value", '#' and ';'
 * comments); a new string or NULL. */
char *fa_s3_ini_get(const char *text, const char *section, const char *key);

/* ------------------------------------------------------------ redaction */

/* A copy of text (len bytes) fit for a trace: the values of Authorization,
 * X-Amz-Security-Token and Proxy-Authorization headers, X-Amz-Signature /
 * X-Amz-Credential / X-Amz-Security-Token query parameters, and every occurrence of the
 * strings in secrets (NULL-terminated; empty entries ignored) become "[REDACTED]".
 * Caller frees. */
char *fa_s3_redact(const char *text, size_t len, const char *const *secrets);
#endif
