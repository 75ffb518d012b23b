/* The S3 source's pure parts: ListObjectsV2 paging over recorded answer pages (the shape
 * AWS S3 returns; s3rver 3.7.1 cannot page v2), v1 markers, error bodies, bucket posture
 * answers, region redirects, credentials and config files, and the redaction of --debug
 * traces. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "faceaudit/s3.h"

#define XML(lit) (lit), (sizeof(lit) - 1)

/* Three ListObjectsV2 pages of one listing, max-keys=2, as AWS answers them. */
static const char *const v2_pages[] = {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>faces</Name><Prefix>u/</Prefix>"
    "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
    "<Contents><Key>u/a.jpg</Key><LastModified>2025-01-02T03:04:05.000Z</LastModified>"
    "<ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>"
    "<Contents><Key>u/b &amp; c.jpg</Key><LastModified>2025-01-02T03:04:06.000Z</LastModified>"
    "<ETag>&quot;92eb5ffee6ae2fec3ad71c777531578f-2&quot;</ETag><Size>20000000</Size><StorageClass>GLACIER</StorageClass></Contents>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    "</ListBucketResult>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>faces</Name><Prefix>u/</Prefix>"
    "<ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>"
    "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
    "<Contents><Key>u/c.jpg</Key><LastModified>2025-01-02T03:04:07.000Z</LastModified>"
    "<ETag>&quot;4a8a08f09d37b73795649038408b5f33&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>"
    "<Contents><Key>u/d.jpg</Key><LastModified>2025-01-02T03:04:08.000Z</LastModified>"
    "<ETag>&quot;8277e0910d750195b448797616e091ad&quot;</ETag><Size>4</Size><StorageClass>DEEP_ARCHIVE</StorageClass></Contents>"
    "<NextContinuationToken>2+second/page=</NextContinuationToken>"
    "</ListBucketResult>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>faces</Name><Prefix>u/</Prefix>"
    "<ContinuationToken>2+second/page=</ContinuationToken>"
    "<KeyCount>1</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>false</IsTruncated>"
    "<Contents><Key>u/e.jpg</Key><LastModified>2025-01-02T03:04:09.000Z</LastModified>"
    "<ETag>&quot;e1671797c52e15f763380b45e841ec32&quot;</ETag><Size>5</Size></Contents>"
    "</ListBucketResult>",
};

/* The listing a server gives for a continuation token (NULL = first page). */
static const char *serve_v2(const char *token)
{
    if (!token)
        return v2_pages[0];
    if (!strcmp(token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="))
        return v2_pages[1];
    if (!strcmp(token, "2+second/page="))
        return v2_pages[2];
    return NULL;
}

Test(s3_list, v2_paging_follows_continuation_tokens)
{
    char *token = NULL;
    char keys[512] = "";
    int pages = 0, done = 0;
    while (!done) {
        const char *xml = serve_v2(token);
        cr_assert_not_null(xml, "unknown token %s", token);
        fa_s3_page p;
        fa_err err;
        cr_assert_eq(fa_s3_parse_list(xml, strlen(xml), &p, &err), FA_OK, "%s", err.msg);
        for (size_t i = 0; i < p.n; i++) {
            strcat(keys, p.entries[i].key);
            strcat(keys, ";");
        }
        const char *next = fa_s3_next_token(&p, 2, &done);
        cr_assert(done || next, "truncated page without a token");
        free(token);
        token = next ? strdup(next) : NULL;
        fa_s3_page_free(&p);
        pages++;
        cr_assert_lt(pages, 10, "paging does not end");
    }
    cr_assert_eq(pages, 3);
    cr_assert_str_eq(keys, "u/a.jpg;u/b & c.jpg;u/c.jpg;u/d.jpg;u/e.jpg;");
    cr_assert_null(token);
}

Test(s3_list, entry_facts)
{
    fa_s3_page p;
    fa_err err;
    cr_assert_eq(fa_s3_parse_list(v2_pages[0], strlen(v2_pages[0]), &p, &err), FA_OK);
    cr_assert_eq(p.n, 2);
    cr_assert(p.truncated);
    cr_assert_eq(p.entries[0].size, 1234);
    cr_assert_eq(p.entries[0].mtime, 1735787045);   /* 2025-01-02T03:04:05Z */
    cr_assert_str_eq(p.entries[0].etag, "0cc175b9c0f1b6a831c399e269772661");   /* quotes removed */
    cr_assert_str_eq(p.entries[0].storage_class, "STANDARD");
    cr_assert_str_eq(p.entries[1].etag, "92eb5ffee6ae2fec3ad71c777531578f-2");
    cr_assert_str_eq(p.entries[1].storage_class, "GLACIER");
    cr_assert_eq(p.entries[1].size, 20000000);
    fa_s3_page_free(&p);
    /* No StorageClass element: NULL (the caller treats it as STANDARD). */
    cr_assert_eq(fa_s3_parse_list(v2_pages[2], strlen(v2_pages[2]), &p, &err), FA_OK);
    cr_assert_null(p.entries[0].storage_class);
    cr_assert_not(p.truncated);
    fa_s3_page_free(&p);
}

Test(s3_list, v2_truncated_without_token_is_an_error)
{
    static const char xml[] = "<ListBucketResult><IsTruncated>true</IsTruncated>"
                              "<Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>";
    fa_s3_page p;
    fa_err err;
    int done = 1;
    cr_assert_eq(fa_s3_parse_list(XML(xml), &p, &err), FA_OK);
    cr_assert_null(fa_s3_next_token(&p, 2, &done));
    cr_assert_eq(done, 0);
    /* v1 continues from the last key when there is no NextMarker (no delimiter given). */
    cr_assert_str_eq(fa_s3_next_token(&p, 1, &done), "k");
    fa_s3_page_free(&p);
}

Test(s3_list, v1_markers)
{
    /* s3rver's v1 answer (no namespace prefix issues, Owner elements, no NextMarker). */
    static const char p1[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://doc.s3.amazonaws.com/2006-03-01/\">"
        "<Name>b</Name><Prefix></Prefix><Marker></Marker><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
        "<Contents><Key>a</Key><Size>1</Size><Owner><ID>1</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>"
        "<Contents><Key>b/c</Key><Size>2</Size><Owner><ID>1</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>"
        "</ListBucketResult>";
    static const char p2[] = "<ListBucketResult><IsTruncated>true</IsTruncated><NextMarker>zz</NextMarker>"
        "<Contents><Key>d</Key><Size>1</Size></Contents></ListBucketResult>";
    fa_s3_page p;
    fa_err err;
    int done;
    cr_assert_eq(fa_s3_parse_list(XML(p1), &p, &err), FA_OK);
    cr_assert_str_eq(fa_s3_next_token(&p, 1, &done), "b/c");
    fa_s3_page_free(&p);
    cr_assert_eq(fa_s3_parse_list(XML(p2), &p, &err), FA_OK);
    cr_assert_str_eq(fa_s3_next_token(&p, 1, &done), "zz");   /* NextMarker wins */
    fa_s3_page_free(&p);
}

Test(s3_list, not_a_listing)
{
    static const char xml[] = "<Error><Code>InternalError</Code></Error>";
    fa_s3_page p;
    fa_err err;
    cr_assert_eq(fa_s3_parse_list(XML(xml), &p, &err), FA_FAIL);
    cr_assert_eq(fa_s3_parse_list("garbage", 7, &p, &err), FA_FAIL);
    cr_assert_eq(fa_s3_parse_list("", 0, &p, &err), FA_FAIL);
}

Test(s3_xml, external_entities_are_not_loaded)
{
    char path[] = "/tmp/fa-s3-xxe-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "SECRETFILE", 10), 10);
    close(fd);
    char xml[512];
    snprintf(xml, sizeof xml, "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file://%s\">]>"
             "<ListBucketResult><Contents><Key>&x;</Key></Contents></ListBucketResult>", path);
    fa_s3_page p;
    fa_err err;
    if (fa_s3_parse_list(xml, strlen(xml), &p, &err) == FA_OK) {
        for (size_t i = 0; i < p.n; i++)
            cr_assert_null(strstr(p.entries[i].key, "SECRETFILE"));
        fa_s3_page_free(&p);
    }
    unlink(path);
}

Test(s3_xml, error_bodies)
{
    static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
                              "<Message>The specified bucket does not exist</Message><BucketName>x</BucketName></Error>";
    char code[32], msg[64];
    cr_assert_eq(fa_s3_parse_error(XML(xml), code, sizeof code, msg, sizeof msg), 1);
    cr_assert_str_eq(code, "NoSuchBucket");
    cr_assert_str_eq(msg, "The specified bucket does not exist");
    cr_assert_eq(fa_s3_parse_error("<html>502</html>", 16, code, sizeof code, msg, sizeof msg), 0);
    cr_assert_str_eq(code, "");
    /* Truncated to the buffer, never overflowing it. */
    char tiny[5];
    fa_s3_parse_error(XML(xml), tiny, sizeof tiny, msg, sizeof msg);
    cr_assert_str_eq(tiny, "NoSu");
}

static json_t *posture(const char *what, const char *xml, const char **why)
{
    return fa_s3_posture_value(what, xml, strlen(xml), why);
}

/* Region redirects: the region a 301 PermanentRedirect or a 400 AuthorizationHeaderMalformed
 * names (as AWS answers them), and the shape check that keeps a hostile header out of the
 * URL and the SigV4 scope. */
Test(s3_xml, redirect_regions)
{
    char r[40];
    cr_assert_eq(fa_s3_error_region(XML("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed"
                                        "</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message>"
                                        "<Region>eu-west-1</Region><RequestId>X</RequestId></Error>"), r, sizeof r), 1);
    cr_assert_str_eq(r, "eu-west-1");
    cr_assert_eq(fa_s3_error_region(XML("<Error><Code>PermanentRedirect</Code><Message>m</Message>"
                                        "<Endpoint>faces.s3.ap-southeast-2.amazonaws.com</Endpoint><Bucket>faces</Bucket>"
                                        "</Error>"), r, sizeof r), 1);
    cr_assert_str_eq(r, "ap-southeast-2");
    cr_assert_eq(fa_s3_error_region(XML("<Error><Code>PermanentRedirect</Code>"
                                        "<Endpoint>s3-eu-central-1.amazonaws.com</Endpoint></Error>"), r, sizeof r), 1);
    cr_assert_str_eq(r, "eu-central-1");
    cr_assert_eq(fa_s3_error_region(XML("<Error><Code>PermanentRedirect</Code>"
                                        "<Endpoint>my.dotted.bucket.s3.dualstack.us-west-2.amazonaws.com</Endpoint></Error>"),
                                    r, sizeof r), 1);
    cr_assert_str_eq(r, "us-west-2");
    /* The global endpoint is us-east-1. */
    cr_assert_eq(fa_s3_error_region(XML("<Error><Code>PermanentRedirect</Code>"
                                        "<Endpoint>faces.s3.amazonaws.com</Endpoint></Error>"), r, sizeof r), 1);
    cr_assert_str_eq(r, "us-east-1");
    /* No region, a non-AWS endpoint, a bad region, not an error body. */
    cr_assert_eq(fa_s3_error_region(XML("<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>"), r, sizeof r), 0);
    cr_assert_str_eq(r, "");
    cr_assert_eq(fa_s3_error_region(XML("<Error><Code>PermanentRedirect</Code>"
                                        "<Endpoint>minio.example.com</Endpoint></Error>"), r, sizeof r), 0);
    cr_assert_eq(fa_s3_error_region(XML("<Error><Code>AuthorizationHeaderMalformed</Code>"
                                        "<Region>evil.com/x</Region></Error>"), r, sizeof r), 0);
    cr_assert_eq(fa_s3_error_region(XML("<ListBucketResult><Region>eu-west-1</Region></ListBucketResult>"), r, sizeof r), 0);
    cr_assert_eq(fa_s3_error_region(XML("not xml"), r, sizeof r), 0);

    cr_assert(fa_s3_valid_region("eu-west-1"));
    cr_assert(fa_s3_valid_region("us-gov-west-1"));
    cr_assert_not(fa_s3_valid_region(""));
    cr_assert_not(fa_s3_valid_region(NULL));
    cr_assert_not(fa_s3_valid_region("EU-WEST-1"));
    cr_assert_not(fa_s3_valid_region("eu-west-1.evil"));
    cr_assert_not(fa_s3_valid_region("eu west"));
    cr_assert_not(fa_s3_valid_region("1eu"));
    cr_assert_not(fa_s3_valid_region("a-very-long-region-name-that-goes-on"));
}

/* The request deadline rule: 2 x --s3-timeout + the bytes expected at 64 KiB/s. */
Test(s3_deadline, rule)
{
    cr_assert_float_eq(fa_s3_request_deadline(30, 0), 60.0, 1e-9);
    cr_assert_float_eq(fa_s3_request_deadline(30, -1), 60.0, 1e-9);          /* unknown size */
    cr_assert_float_eq(fa_s3_request_deadline(2, 5000), 4.0 + 5000.0 / 65536.0, 1e-9);
    cr_assert_float_eq(fa_s3_request_deadline(30, 8 << 20), 60.0 + 128.0, 1e-9);  /* one 8 MiB range */
    cr_assert_float_eq(fa_s3_request_deadline(1, 1 << 20), 2.0 + 16.0, 1e-9);     /* a listing page */
}

Test(s3_posture, answers_become_document_values)
{
    const char *why;
    json_t *v = posture("publicAccessBlock",
        "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>TRUE</BlockPublicAcls>"
        "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
        "<RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>", &why);
    cr_assert_not_null(v);
    cr_assert(json_is_true(json_object_get(v, "BlockPublicAcls")));
    cr_assert(json_is_false(json_object_get(v, "RestrictPublicBuckets")));
    json_decref(v);

    v = posture("policyStatus", "<PolicyStatus><IsPublic>TRUE</IsPublic></PolicyStatus>", &why);
    cr_assert(json_is_true(v));
    json_decref(v);

    v = posture("acl", "<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList>"
        "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>o</ID></Grantee>"
        "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>", &why);
    cr_assert(json_is_false(v), "an owner-only ACL is not public");
    json_decref(v);
    v = posture("acl", "<AccessControlPolicy><AccessControlList><Grant><Grantee xsi:type=\"Group\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>"
        "</Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>", &why);
    cr_assert(json_is_true(v), "a grant to AllUsers is public");
    json_decref(v);

    v = posture("encryption", "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
        "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:x</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>"
        "<BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>", &why);
    cr_assert_str_eq(json_string_value(json_object_get(v, "algorithm")), "aws:kms");
    json_decref(v);

    v = posture("versioning", "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>", &why);
    cr_assert_str_eq(json_string_value(v), "Disabled");
    json_decref(v);
    v = posture("versioning", "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>", &why);
    cr_assert_str_eq(json_string_value(v), "Suspended");
    json_decref(v);

    v = posture("lifecycle", "<LifecycleConfiguration>"
        "<Rule><ID>a</ID><Filter><Prefix>uploads/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>"
        "<Rule><ID>b</ID><Filter><And><Prefix>tmp/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>"
        "<Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>"
        "<Rule><ID>c</ID><Prefix>old/</Prefix><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>"
        "<Rule><ID>d</ID><Filter/><Status>Enabled</Status><Transition><Days>10</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>"
        "</LifecycleConfiguration>", &why);
    cr_assert_eq(json_array_size(v), 2, "only enabled expiration rules");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v, 0), "prefix")), "uploads/");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(v, 0), "expiration_days")), 30);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v, 1), "prefix")), "tmp/");
    cr_assert(json_is_null(json_object_get(json_array_get(v, 1), "expiration_days")));
    json_decref(v);
}

Test(s3_posture, unexpected_answers_are_unknown)
{
    const char *why = NULL;
    /* s3rver answers ?versioning with the bucket listing. */
    cr_assert_null(posture("versioning", "<ListBucketResult><Name>b</Name></ListBucketResult>", &why));
    cr_assert_not_null(why);
    cr_assert_null(posture("policyStatus", "<PolicyStatus/>", &why));
    cr_assert_not_null(why);
    cr_assert_null(posture("nonsense", "<X/>", &why));
}

Test(s3_time, formats)
{
    cr_assert_eq(fa_s3_parse_time("1970-01-01T00:00:10.000Z"), 10);
    cr_assert_eq(fa_s3_parse_time("Thu, 01 Jan 1970 00:01:00 GMT"), 60);
    cr_assert_eq(fa_s3_parse_time("yesterday"), INT64_MIN);
    cr_assert_eq(fa_s3_parse_time(NULL), INT64_MIN);
}

Test(s3_uri, encoding)
{
    fa_buf b = FA_BUF_INIT;
    fa_s3_uri_encode(&b, "a b/c+d~e_é", 1);
    cr_assert_str_eq(b.buf, "a%20b/c%2Bd~e_%C3%A9");
    fa_buf_reset(&b);
    fa_s3_uri_encode(&b, "x/y=z", 0);
    cr_assert_str_eq(b.buf, "x%2Fy%3Dz");
    fa_buf_release(&b);
}

/* ---------------------------------------------------------------- credentials */

static char env_home[256];
static const char *env_vals[16][2];
static const char *fake_getenv(const char *name)
{
    if (!strcmp(name, "HOME"))
        return env_home;
    for (int i = 0; i < 16 && env_vals[i][0]; i++)
        if (!strcmp(env_vals[i][0], name))
            return env_vals[i][1];
    return NULL;
}

static void set_env(int i, const char *k, const char *v)
{
    env_vals[i][0] = k;
    env_vals[i][1] = v;
    env_vals[i + 1][0] = NULL;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void setup_home(void)
{
    snprintf(env_home, sizeof env_home, "/tmp/fa-s3-home-%d", (int)getpid());
    char p[512];
    snprintf(p, sizeof p, "mkdir -p %s/.aws", env_home);
    cr_assert_eq(system(p), 0);
    snprintf(p, sizeof p, "%s/.aws/credentials", env_home);
    write_file(p, "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = secretdefault\n\n"
                  "[work]\naws_access_key_id=AKIDWORK\n aws_secret_access_key = ignored-indented\naws_secret_access_key = secretwork\n"
                  "aws_session_token = tokwork\n\n[half]\naws_access_key_id = AKIDHALF\n");
    snprintf(p, sizeof p, "%s/.aws/config", env_home);
    write_file(p, "[default]\nregion = eu-central-1\n\n[profile work]\nregion = ap-south-1\nendpoint_url = http://minio.local:9000/\n"
                  "[profile cfgonly]\naws_access_key_id = AKIDCFG\naws_secret_access_key = secretcfg\n");
    env_vals[0][0] = NULL;
}

static void teardown_home(void)
{
    char p[512];
    snprintf(p, sizeof p, "rm -rf %s", env_home);
    (void)!system(p);
}

TestSuite(s3_config, .init = setup_home, .fini = teardown_home);

Test(s3_config, ini_values)
{
    const char *t = "[a]\nk = 1\n[b]\nk=2\n; c\n# d\nk = 3 \n";
    char *v = fa_s3_ini_get(t, "b", "k");
    cr_assert_str_eq(v, "3");   /* the last one wins, trimmed */
    free(v);
    cr_assert_null(fa_s3_ini_get(t, "c", "k"));
    cr_assert_null(fa_s3_ini_get(t, "a", "x"));
}

Test(s3_config, default_profile_from_files)
{
    fa_s3_settings in = { .getenv = fake_getenv };
    fa_s3_config c;
    fa_err err;
    cr_assert_eq(fa_s3_config_resolve(&in, &c, &err), FA_OK, "%s", err.msg);
    cr_assert_str_eq(c.access_key, "AKIDDEFAULT");
    cr_assert_str_eq(c.secret_key, "secretdefault");
    cr_assert_null(c.session_token);
    cr_assert_str_eq(c.region, "eu-central-1");
    cr_assert_null(c.endpoint);
    cr_assert_str_eq(c.cred_source, "credentials file");
    fa_s3_config_free(&c);
}

Test(s3_config, environment_before_files)
{
    set_env(0, "AWS_ACCESS_KEY_ID", "AKIDENV");
    set_env(1, "AWS_SECRET_ACCESS_KEY", "secretenv");
    set_env(2, "AWS_SESSION_TOKEN", "tokenv");
    set_env(3, "AWS_REGION", "us-west-2");
    set_env(4, "AWS_ENDPOINT_URL", "http://127.0.0.1:9000");
    fa_s3_settings in = { .getenv = fake_getenv };
    fa_s3_config c;
    fa_err err;
    cr_assert_eq(fa_s3_config_resolve(&in, &c, &err), FA_OK, "%s", err.msg);
    cr_assert_str_eq(c.access_key, "AKIDENV");
    cr_assert_str_eq(c.session_token, "tokenv");
    cr_assert_str_eq(c.region, "us-west-2");
    cr_assert_str_eq(c.endpoint, "http://127.0.0.1:9000");
    cr_assert_str_eq(c.cred_source, "environment");
    fa_s3_config_free(&c);
    /* The command line beats the environment for region and endpoint. */
    fa_s3_settings in2 = { .region = "sa-east-1", .endpoint = "https://s3.example", .getenv = fake_getenv };
    cr_assert_eq(fa_s3_config_resolve(&in2, &c, &err), FA_OK);
    cr_assert_str_eq(c.region, "sa-east-1");
    cr_assert_str_eq(c.endpoint, "https://s3.example");
    fa_s3_config_free(&c);
}

Test(s3_config, named_profile)
{
    /* --profile beats keys in the environment. */
    set_env(0, "AWS_ACCESS_KEY_ID", "AKIDENV");
    set_env(1, "AWS_SECRET_ACCESS_KEY", "secretenv");
    fa_s3_settings in = { .profile = "work", .getenv = fake_getenv };
    fa_s3_config c;
    fa_err err;
    cr_assert_eq(fa_s3_config_resolve(&in, &c, &err), FA_OK, "%s", err.msg);
    cr_assert_str_eq(c.access_key, "AKIDWORK");
    cr_assert_str_eq(c.secret_key, "secretwork");
    cr_assert_str_eq(c.session_token, "tokwork");
    cr_assert_str_eq(c.region, "ap-south-1");
    cr_assert_str_eq(c.endpoint, "http://minio.local:9000");   /* trailing slash dropped */
    fa_s3_config_free(&c);
    /* AWS_PROFILE, with keys only in the config file. */
    set_env(0, "AWS_PROFILE", "cfgonly");
    fa_s3_settings in2 = { .getenv = fake_getenv };
    cr_assert_eq(fa_s3_config_resolve(&in2, &c, &err), FA_OK, "%s", err.msg);
    cr_assert_str_eq(c.access_key, "AKIDCFG");
    cr_assert_str_eq(c.cred_source, "config file");
    cr_assert_str_eq(c.region, "us-east-1");
    fa_s3_config_free(&c);
}

Test(s3_config, errors)
{
    fa_s3_config c;
    fa_err err;
    fa_s3_settings missing = { .profile = "nope", .getenv = fake_getenv };
    cr_assert_eq(fa_s3_config_resolve(&missing, &c, &err), FA_FATAL);
    cr_assert(strstr(err.msg, "'nope' not found"), "%s", err.msg);
    fa_s3_settings half = { .profile = "half", .getenv = fake_getenv };
    cr_assert_eq(fa_s3_config_resolve(&half, &c, &err), FA_FATAL);
    cr_assert(strstr(err.msg, "aws_secret_access_key"), "%s", err.msg);
    set_env(0, "AWS_ACCESS_KEY_ID", "AKIDONLY");
    fa_s3_settings env = { .getenv = fake_getenv };
    cr_assert_eq(fa_s3_config_resolve(&env, &c, &err), FA_FATAL);
    cr_assert(strstr(err.msg, "AWS_SECRET_ACCESS_KEY"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "AKIDONLY"));
    set_env(0, "AWS_ENDPOINT_URL", "ftp://x");
    cr_assert_eq(fa_s3_config_resolve(&env, &c, &err), FA_FATAL);
}

Test(s3_config, anonymous_without_credentials)
{
    snprintf(env_home, sizeof env_home, "/nonexistent-fa-home");
    fa_s3_settings in = { .getenv = fake_getenv };
    fa_s3_config c;
    fa_err err;
    cr_assert_eq(fa_s3_config_resolve(&in, &c, &err), FA_OK);
    cr_assert_null(c.access_key);
    cr_assert_str_eq(c.cred_source, "none");
    cr_assert_str_eq(c.region, "us-east-1");
    fa_s3_config_free(&c);
}

/* ---------------------------------------------------------------- redaction */

Test(s3_redact, headers_params_and_secrets)
{
    const char *secrets[] = { "wJalrXUtnFEMI/K7MDENG", "FQoGZXIvYXdzE", NULL };
    const char trace[] =
        "GET /b?list-type=2 HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abcdef\r\n"
        "authorization: lower case too\r\n"
        "X-Amz-Security-Token: FQoGZXIvYXdzE-rest\r\n"
        "X-Amz-Date: 20250101T000000Z\r\n"
        "Location: https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F&X-Amz-Signature=0123&x=1\r\n"
        "* echo of the secret wJalrXUtnFEMI/K7MDENG in text\n";
    char *r = fa_s3_redact(trace, sizeof trace - 1, secrets);
    cr_assert_null(strstr(r, "AWS4-HMAC-SHA256"), "%s", r);
    cr_assert_null(strstr(r, "Signature=abcdef"));
    cr_assert_null(strstr(r, "lower case too"));
    cr_assert_null(strstr(r, "FQoGZXIvYXdzE"));
    cr_assert_null(strstr(r, "wJalrXUtnFEMI"));
    cr_assert_null(strstr(r, "0123"));
    cr_assert_null(strstr(r, "AKID%2F"));
    cr_assert(strstr(r, "Authorization: [REDACTED]\r\n"));
    cr_assert(strstr(r, "X-Amz-Security-Token: [REDACTED]\r\n"));
    cr_assert(strstr(r, "X-Amz-Date: 20250101T000000Z\r\n"), "other headers stay");
    cr_assert(strstr(r, "X-Amz-Signature=[REDACTED]&x=1"));
    cr_assert(strstr(r, "Host: 127.0.0.1\r\n"));
    free(r);
    /* No secrets at all, and an empty secret, are fine. */
    const char *none[] = { "", NULL };
    r = fa_s3_redact("plain", 5, none);
    cr_assert_str_eq(r, "plain");
    free(r);
    r = fa_s3_redact("plain", 5, NULL);
    cr_assert_str_eq(r, "plain");
    free(r);
}
