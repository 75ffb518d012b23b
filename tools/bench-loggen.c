/* bench-loggen: writes JSON-lines application logs to stdout for tools/bench-logs.sh.
 *   bench-loggen BYTES [EVERY]
 * About one line in EVERY (default 10000) is a call to a face-recognition API (URLs the
 * rules/vendors.yaml pack matches); about as many again are decoys that carry a keyword
 * but no API call (documentation links, S3 keys), so the prefilter's verify path runs too.
 * Deterministic (fixed seed) and fast: noise lines come from a pre-built pool. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
#define PICK(a) (a[next() % (sizeof a / sizeof a[0])])

static const char *const levels[] = { "info", "info", "info", "debug", "warn", "error" };
static const char *const services[] = { "api-gateway", "checkout", "auth", "search", "media-upload",
                                        "billing", "notifications", "profile" };
static const char *const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };
static const char *const paths[] = { "/v1/users/%u/orders", "/v2/cart/%u", "/api/items?page=%u",
                                     "/health", "/v1/sessions/%u/refresh", "/static/js/app.%u.js",
                                     "/v1/images/%u/thumbnail", "/graphql" };
static const char *const msgs[] = { "request completed", "cache miss", "upstream timeout, retrying",
                                    "user logged in", "payment authorised", "rate limit close",
                                    "uploaded object", "token refreshed", "slow query detected" };
static const char *const upstreams[] = {
    "https://s3.us-east-1.amazonaws.com/media-bucket/u/%u.jpg",
    "https://dynamodb.eu-west-1.amazonaws.com/",
    "http://inventory.internal:8080/items/%u",
    "https://api.stripe.com/v1/charges",
    "https://storage.googleapis.com/assets/%u.png",
    "https://sqs.us-west-2.amazonaws.com/123456789012/jobs",
};
static const char *const agents[] = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "okhttp/4.12.0", "python-requests/2.31.0", "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21",
    "curl/8.4.0",
};
/* Lines the vendors pack should find. */
static const char *const hits[] = {
    "\"url\":\"https://rekognition.us-east-1.amazonaws.com/\",\"target\":\"RekognitionService.DetectFaces\"",
    "\"url\":\"https://westeurope.api.cognitive.microsoft.com/face/v1.0/detect?returnFaceId=true\"",
    "\"url\":\"https://api-us.faceplusplus.com/facepp/v3/detect\"",
    "\"url\":\"https://api.kairos.com/enroll\"",
    "\"url\":\"https://api.luxand.cloud/photo/search\"",
    "\"url\":\"https://aip.baidubce.com/rest/2.0/face/v3/detect?access_token=x\"",
    "\"url\":\"https://iai.tencentcloudapi.com/\"",
    "\"url\":\"https://api.clarifai.com/v2/models/face-detection/outputs\"",
};
/* Keywords without an API call. */
static const char *const decoys[] = {
    "\"url\":\"https://docs.aws.amazon.com/rekognition/latest/dg/faces.html\"",
    "\"url\":\"https://s3.amazonaws.com/bucket/rekognition/faces.jpg\"",
    "\"msg\":\"see clarifai pricing page\"",
    "\"ref\":\"https://www.luxand.com/blog\"",
};

static size_t noise_line(char *out, size_t cap, unsigned i)
{
    char path[96], up[128];
    snprintf(path, sizeof path, PICK(paths), (unsigned)(next() % 100000));
    snprintf(up, sizeof up, PICK(upstreams), (unsigned)(next() % 100000));
    int n = snprintf(out, cap,
        "{\"ts\":\"2025-11-%02uT%02u:%02u:%02u.%03uZ\",\"level\":\"%s\",\"service\":\"%s\","
        "\"trace_id\":\"%016llx%016llx\",\"method\":\"%s\",\"path\":\"%s\",\"status\":%u,"
        "\"latency_ms\":%u.%u,\"ua\":\"%s\",\"upstream\":\"%s\",\"msg\":\"%s\",\"seq\":%u}\n",
        1 + i % 28, i % 24, i % 60, (i / 60) % 60, i % 1000, PICK(levels), PICK(services),
        (unsigned long long)next(), (unsigned long long)next(), PICK(methods), path,
        (unsigned)(next() % 5 == 0 ? 404 : 200), (unsigned)(next() % 900), (unsigned)(next() % 10),
        PICK(agents), up, PICK(msgs), i);
    return (size_t)n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-loggen BYTES [EVERY]\n");
        return 2;
    }
    unsigned long long total = strtoull(argv[1], NULL, 10);
    unsigned long every = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
    enum { POOL = 1 << 15 };
    static char pool[POOL][512];
    static size_t plen[POOL];
    for (unsigned i = 0; i < POOL; i++)
        plen[i] = noise_line(pool[i], sizeof pool[i], i);
    static char buf[1 << 20];
    size_t bl = 0;
    unsigned long long written = 0, line = 0;
    while (written < total) {
        char tmp[1024];
        const char *s;
        size_t n;
        line++;
        uint64_t r = next();
        if (r % every == 0 || r % every == 1) {
            int hit = r % every == 0;
            n = (size_t)snprintf(tmp, sizeof tmp,
                "{\"ts\":\"2025-11-26T10:00:00.000Z\",\"level\":\"debug\",\"service\":\"media-upload\","
                "\"msg\":\"%s\",%s,\"seq\":%llu}\n", hit ? "calling face service" : "reference",
                hit ? PICK(hits) : PICK(decoys), line);
            s = tmp;
        } else {
            unsigned k = (unsigned)(r >> 20) % POOL;
            s = pool[k];
            n = plen[k];
        }
        if (bl + n > sizeof buf) {
            fwrite(buf, 1, bl, stdout);
            bl = 0;
        }
        memcpy(buf + bl, s, n);
        bl += n;
        written += n;
    }
    fwrite(buf, 1, bl, stdout);
    return ferror(stdout) ? 1 : 0;
}
