/* S3 XML answers (libxml2): listing pages, error bodies, bucket posture. Elements are
 * matched by local name, so the S3 namespace (or none, as some stores answer) both work.
 * The parser never loads DTDs, expands no entities and reaches no network; a document with a
 * DTD (entity declarations: XML bombs) is refused. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "faceaudit/s3.h"

static xmlDocPtr parse(const char *xml, size_t len)
{
    if (!xml || !len || len > INT_MAX)
        return NULL;
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "s3.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
    /* S3 answers never carry a DTD. One that does may declare entities, and reading text
     * (xmlNodeGetContent) would expand their references: 20000 references to a 64 KiB
     * entity are 1.3 GB. Such a document is refused, not read. */
    if (doc && (doc->intSubset || doc->extSubset)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

static int is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* Text of an element (new string) or NULL. */
static char *text(const xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        return fa_xstrdup("");
    char *r = fa_xstrdup((const char *)t);
    xmlFree(t);
    return r;
}

static char *child_text(const xmlNode *n, const char *name)
{
    return text(child(n, name));
}

static int child_bool(const xmlNode *n, const char *name, int *out)
{
    char *t = child_text(n, name);
    if (!t)
        return 0;
    *out = !strcasecmp(t, "true");
    free(t);
    return 1;
}

int64_t fa_s3_parse_time(const char *s)
{
    if (!s)
        return INT64_MIN;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) {
        memset(&tm, 0, sizeof tm);
        end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
        if (!end)
            return INT64_MIN;
    }
    return (int64_t)timegm(&tm);
}

void fa_s3_page_free(fa_s3_page *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->entries[i].key);
        free(p->entries[i].etag);
        free(p->entries[i].storage_class);
    }
    free(p->entries);
    free(p->next_token);
    free(p->next_marker);
    memset(p, 0, sizeof *p);
}

static char *unquote(char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        memmove(s, s + 1, n - 2);
        s[n - 2] = 0;
    }
    return s;
}

fa_status fa_s3_parse_list(const char *xml, size_t len, fa_s3_page *page, fa_err *err)
{
    memset(page, 0, sizeof *page);
    xmlDocPtr doc = parse(xml, len);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!is(root, "ListBucketResult")) {
        if (doc)
            xmlFreeDoc(doc);
        return fa_err_set(err, FA_FAIL, "s3_protocol", "the listing answer is not a ListBucketResult document "
                          "(malformed XML, or a DTD)");
    }
    for (xmlNode *c = root->children; c; c = c->next) {
        if (is(c, "Contents")) {
            char *key = child_text(c, "Key");
            if (!key)
                continue;
            FA_GROW(page->entries, page->n + 1, page->alloc);
            fa_s3_entry *e = &page->entries[page->n++];
            e->key = key;
            char *t = child_text(c, "Size");
            e->size = t ? strtoll(t, NULL, 10) : -1;
            free(t);
            t = child_text(c, "LastModified");
            e->mtime = fa_s3_parse_time(t);
            free(t);
            e->etag = unquote(child_text(c, "ETag"));
            e->storage_class = child_text(c, "StorageClass");
        } else if (is(c, "IsTruncated")) {
            char *t = text(c);
            page->truncated = t && !strcasecmp(t, "true");
            free(t);
        } else if (is(c, "NextContinuationToken")) {
            free(page->next_token);
            page->next_token = text(c);
        } else if (is(c, "NextMarker")) {
            free(page->next_marker);
            page->next_marker = text(c);
        }
    }
    xmlFreeDoc(doc);
    return FA_OK;
}

const char *fa_s3_next_token(const fa_s3_page *page, int version, int *done)
{
    *done = !page->truncated;
    if (*done)
        return NULL;
    if (version == 2)
        return page->next_token && *page->next_token ? page->next_token : NULL;
    if (page->next_marker && *page->next_marker)
        return page->next_marker;
    return page->n ? page->entries[page->n - 1].key : NULL;
}

int fa_s3_parse_error(const char *xml, size_t len, char *code, size_t codesz, char *msg, size_t msgsz)
{
    if (codesz)
        code[0] = 0;
    if (msgsz)
        msg[0] = 0;
    xmlDocPtr doc = parse(xml, len);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    int found = 0;
    if (is(root, "Error")) {
        char *c = child_text(root, "Code"), *m = child_text(root, "Message");
        if (c) {
            snprintf(code, codesz, "%s", c);
            found = 1;
        }
        if (m)
            snprintf(msg, msgsz, "%s", m);
        free(c);
        free(m);
    }
    if (doc)
        xmlFreeDoc(doc);
    return found;
}

/* {"BlockPublicAcls":true,...}: the inventory reads "on" only when all four are. */
static json_t *pab_value(xmlNode *root)
{
    static const char *const keys[] = { "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                        "RestrictPublicBuckets" };
    json_t *o = json_object();
    for (size_t i = 0; i < 4; i++) {
        int b = 0;
        child_bool(root, keys[i], &b);   /* an absent setting is off */
        json_object_set_new(o, keys[i], json_boolean(b));
    }
    return o;
}

static json_t *acl_value(xmlNode *root)
{
    xmlNode *list = child(root, "AccessControlList");
    int pub = 0;
    for (xmlNode *g = list ? list->children : NULL; g; g = g->next) {
        if (!is(g, "Grant"))
            continue;
        char *uri = child_text(child(g, "Grantee"), "URI");
        if (uri && (strstr(uri, "/groups/global/AllUsers") || strstr(uri, "/groups/global/AuthenticatedUsers")))
            pub = 1;
        free(uri);
    }
    return json_boolean(pub);
}

static json_t *encryption_value(xmlNode *root)
{
    for (xmlNode *r = root->children; r; r = r->next) {
        if (!is(r, "Rule"))
            continue;
        char *alg = child_text(child(r, "ApplyServerSideEncryptionByDefault"), "SSEAlgorithm");
        if (alg) {
            json_t *o = json_object();
            json_object_set_new(o, "algorithm", json_string(alg));
            free(alg);
            return o;
        }
    }
    return json_false();
}

/* Prefix of a lifecycle rule: Filter/Prefix, Filter/And/Prefix or the old Rule/Prefix. */
static char *rule_prefix(xmlNode *r)
{
    xmlNode *f = child(r, "Filter");
    char *p = child_text(f, "Prefix");
    if (!p)
        p = child_text(child(f, "And"), "Prefix");
    if (!p)
        p = child_text(r, "Prefix");
    return p ? p : fa_xstrdup("");
}

static json_t *lifecycle_value(xmlNode *root)
{
    json_t *a = json_array();
    for (xmlNode *r = root->children; r; r = r->next) {
        if (!is(r, "Rule"))
            continue;
        char *status = child_text(r, "Status");
        int enabled = status && !strcmp(status, "Enabled");
        free(status);
        xmlNode *exp = child(r, "Expiration");
        if (!enabled || !exp)
            continue;
        char *days = child_text(exp, "Days");
        char *prefix = rule_prefix(r);
        json_t *o = json_object();
        json_object_set_new(o, "prefix", json_string(prefix));
        /* An expiration by date (or only of delete markers) has no day count. */
        json_object_set_new(o, "expiration_days", days && *days ? json_integer(strtoll(days, NULL, 10)) : json_null());
        json_array_append_new(a, o);
        free(days);
        free(prefix);
    }
    return a;
}

json_t *fa_s3_posture_value(const char *what, const char *xml, size_t len, const char **why)
{
    static const struct { const char *what, *root; } roots[] = {
        { "publicAccessBlock", "PublicAccessBlockConfiguration" }, { "policyStatus", "PolicyStatus" },
        { "acl", "AccessControlPolicy" }, { "encryption", "ServerSideEncryptionConfiguration" },
        { "versioning", "VersioningConfiguration" }, { "lifecycle", "LifecycleConfiguration" },
    };
    const char *want = NULL;
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (!strcmp(roots[i].what, what))
            want = roots[i].root;
    *why = NULL;
    xmlDocPtr doc = want ? parse(xml, len) : NULL;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!is(root, want)) {
        /* Stores that ignore the subresource answer something else (s3rver lists the bucket). */
        *why = "the store answered with an unexpected document";
        if (doc)
            xmlFreeDoc(doc);
        return NULL;
    }
    json_t *v = NULL;
    if (!strcmp(what, "publicAccessBlock")) {
        v = pab_value(root);
    } else if (!strcmp(what, "policyStatus")) {
        int b = 0;
        v = child_bool(root, "IsPublic", &b) ? json_boolean(b) : NULL;
        if (!v)
            *why = "PolicyStatus without IsPublic";
    } else if (!strcmp(what, "acl")) {
        v = acl_value(root);
    } else if (!strcmp(what, "encryption")) {
        v = encryption_value(root);
    } else if (!strcmp(what, "versioning")) {
        char *st = child_text(root, "Status");
        /* A bucket that never had versioning answers an empty configuration. */
        v = json_string(st && *st ? st : "Disabled");
        free(st);
    } else {
        v = lifecycle_value(root);
    }
    xmlFreeDoc(doc);
    return v;
}

void fa_s3_uri_encode(fa_buf *b, const char *s, int keep_slash)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || (keep_slash && *p == '/'))
            fa_buf_addch(b, *p);
        else
            fa_buf_addf(b, "%%%02X", *p);
    }
}

int fa_s3_valid_region(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return 0;
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
            return 0;
    return n <= 32;
}

/* The region in an AWS endpoint host: BUCKET.s3.REGION.amazonaws.com,
 * s3.dualstack.REGION.amazonaws.com, s3-REGION.amazonaws.com; the global
 * BUCKET.s3.amazonaws.com (and s3-external-1) are us-east-1. */
static int endpoint_region(const char *host, char *out, size_t outsz)
{
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    char *end = strstr(h, ".amazonaws.com");
    if (!end)
        return 0;
    *end = 0;
    char *labels[16];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(h, ".", &save); t && n < 16; t = strtok_r(NULL, ".", &save))
        labels[n++] = t;
    for (int i = n - 1; i >= 0; i--) {
        const char *r = NULL;
        if (!strcmp(labels[i], "s3"))
            r = i + 1 < n ? labels[i + 1] : "us-east-1";
        else if (!strncmp(labels[i], "s3-", 3))
            r = labels[i] + 3;
        if (!r)
            continue;
        if (!strcmp(r, "dualstack"))
            r = i + 2 < n ? labels[i + 2] : "us-east-1";
        if (!strcmp(r, "external-1"))
            r = "us-east-1";
        if (!fa_s3_valid_region(r) || strlen(r) >= outsz)
            return 0;
        snprintf(out, outsz, "%s", r);
        return 1;
    }
    return 0;
}

int fa_s3_error_region(const char *xml, size_t len, char *out, size_t outsz)
{
    if (outsz)
        out[0] = 0;
    xmlDocPtr doc = parse(xml, len);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    int found = 0;
    if (is(root, "Error")) {
        char *r = child_text(root, "Region"), *e = child_text(root, "Endpoint");
        if (r && fa_s3_valid_region(r) && strlen(r) < outsz) {
            snprintf(out, outsz, "%s", r);
            found = 1;
        } else if (e && *e) {
            found = endpoint_region(e, out, outsz);
        }
        free(r);
        free(e);
    }
    if (doc)
        xmlFreeDoc(doc);
    return found;
}
