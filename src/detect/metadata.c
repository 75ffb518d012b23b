/* Rule kind `metadata`: face tags stored beside the pixels. XMP packets are taken from
 * JPEG APP1 and WebP "XMP " chunks here, and from PNG text chunks (iTXt, zTXt, tEXt; plain,
 * zlib or raw-profile hex) and TIFF IFD0 tag 700 in metadata_xmp.c, then scanned (bounded, no XML
 * library: we count elements and attributes, we do not build a tree) for
 *   mwg      MWG regions (mwg-rs:RegionList) of Type "Face" — "Pet" and others do not count
 *   mp       Microsoft Photo regions (MP:RegionInfo) with a PersonDisplayName
 *   iptc     IPTC Extension Iptc4xmpExt:PersonInImage entries
 * and Picasa's .picasa.ini `faces=` lines (schema picasa).
 * Findings are biometric_metadata even when no face is visible in the pixels. Evidence is
 * region counts, the schema and has_names: never the names. */
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/detect.h"
#include "faceaudit/metadata.h"
#include "faceaudit/sniff.h"

enum { SCH_MWG = 1, SCH_MP = 2, SCH_IPTC = 4, SCH_PICASA = 8, SCH_ALL = 15 };

typedef struct md_rule {
    unsigned schemas;
    int      min_regions;
} md_rule;

static md_rule *mr_of(fa_rule *r)
{
    if (!r->kdata) {
        md_rule *m = fa_xcalloc(1, sizeof *m);
        m->min_regions = 1;
        r->kdata = m;
    }
    return r->kdata;
}

static const char *const schema_names[] = {"mwg", "mp", "iptc", "picasa"};

static fa_status md_parse_key(fa_rule *rule, const char *key, const fa_ynode *v, fa_err *err)
{
    md_rule *mr = mr_of(rule);
    if (!strcmp(key, "schemas")) {
        char **sv;
        size_t n;
        if (fa_ynode_strv(v, "schemas", &sv, &n, err) != FA_OK)
            return FA_FAIL;
        unsigned m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t k;
            for (k = 0; k < 4; k++)
                if (!strcmp(sv[i], schema_names[k]))
                    break;
            if (k == 4) {
                fa_ynode_error(v, err, "schemas: unknown schema '%s' (mwg, mp, iptc, picasa)", sv[i]);
                fa_strv_free(sv);
                return FA_FAIL;
            }
            m |= 1u << k;
        }
        fa_strv_free(sv);
        if (!m)
            return fa_ynode_error(v, err, "schemas must name at least one schema");
        mr->schemas = m;
    } else if (!strcmp(key, "min_regions")) {
        long long n;
        if (fa_ynode_int(v, "min_regions", &n, err) != FA_OK)
            return FA_FAIL;
        if (n < 1 || n > 1000000)
            return fa_ynode_error(v, err, "min_regions must be between 1 and 1000000");
        mr->min_regions = (int)n;
    } else {
        return FA_WARN;
    }
    return FA_OK;
}

static fa_status md_finish_rule(fa_rule *rule, fa_err *err)
{
    (void)err;
    md_rule *mr = mr_of(rule);
    if (!mr->schemas)
        mr->schemas = SCH_ALL;
    return FA_OK;
}

static void md_free_rule(fa_rule *rule)
{
    free(rule->kdata);
    rule->kdata = NULL;
}

typedef struct md_prep {
    fa_rule **rules;
    size_t    n;
} md_prep;

static void *md_prepare(fa_rule *const *rules, size_t n, fa_err *err)
{
    (void)err;
    md_prep *p = fa_xcalloc(1, sizeof *p);
    if (n) {
        p->rules = fa_xcalloc(n, sizeof *p->rules);
        memcpy(p->rules, rules, n * sizeof *rules);
    }
    p->n = n;
    return p;
}

static void md_release(void *prep)
{
    md_prep *p = prep;
    if (p) {
        free(p->rules);
        free(p);
    }
}

static int is_picasa_name(const char *name)
{
    if (!name)
        return 0;
    const char *b = strrchr(name, '/');
    b = b ? b + 1 : name;
    return !strcasecmp(b, ".picasa.ini") || !strcasecmp(b, "picasa.ini");
}

static unsigned md_wants(void *prep, const fa_object *obj)
{
    const md_prep *p = prep;
    if (!p || !p->n || !obj || !obj->type)
        return FA_IN_NONE;
    if (!strcmp(obj->type, FA_TYPE_JPEG) || !strcmp(obj->type, FA_TYPE_PNG) ||
        !strcmp(obj->type, FA_TYPE_WEBP) || !strcmp(obj->type, FA_TYPE_TIFF))
        return FA_IN_BUFFER;
    if (is_picasa_name(obj->name))
        return FA_IN_BUFFER;   /* read up to max_metadata of it (see md_scan_buffer) */
    return FA_IN_NONE;
}

/* --- XMP packet extraction (appends every packet found to out, at most cap bytes) --- */

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned long le32(const unsigned char *p)
{
    return (unsigned long)p[3] << 24 | (unsigned long)p[2] << 16 | (unsigned long)p[1] << 8 | p[0];
}

static void xmp_jpeg(const unsigned char *d, size_t len, fa_buf *out, size_t cap)
{
    static const char std_ns[] = "http://ns.adobe.com/xap/1.0/";       /* + NUL */
    static const char ext_ns[] = "http://ns.adobe.com/xmp/extension/"; /* + NUL, guid, len, off */
    size_t i = 2;
    while (i + 4 <= len) {
        if (d[i] != 0xFF)
            return;
        unsigned m = d[i + 1];
        if (m == 0xFF) { i++; continue; }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
        if (m == 0xDA || m == 0xD9)
            return;   /* metadata precedes the scan */
        unsigned seg = be16(d + i + 2);
        if (seg < 2 || i + 2 + seg > len)
            return;
        const unsigned char *p = d + i + 4;
        size_t n = seg - 2;
        if (m == 0xE1) {
            if (n > sizeof std_ns && !memcmp(p, std_ns, sizeof std_ns))
                fa_xmp_add_packet(out, cap, p + sizeof std_ns, n - sizeof std_ns);
            else if (n > sizeof ext_ns + 40 && !memcmp(p, ext_ns, sizeof ext_ns))
                fa_xmp_add_packet(out, cap, p + sizeof ext_ns + 40, n - sizeof ext_ns - 40);
        }
        i += 2 + seg;
    }
}

static void xmp_webp(const unsigned char *d, size_t len, fa_buf *out, size_t cap)
{
    size_t i = 12;
    while (i + 8 <= len) {
        unsigned long n = le32(d + i + 4);
        if (n > len - i - 8)
            return;
        if (!memcmp(d + i, "XMP ", 4))
            fa_xmp_add_packet(out, cap, d + i + 8, n);
        i += 8 + n + (n & 1);
    }
}

/* --- bounded scanning of XMP text --- */

static const char *find(const char *s, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    if (!s || s >= end || (size_t)(end - s) < n)
        return NULL;
    return memmem(s, (size_t)(end - s), needle, n);
}

/* The value of `name` at p: attribute name="v" / name='v' or element <name>v</name>. */
static int value_at(const char *start, const char *p, const char *end, const char *name,
                    const char **v, size_t *vn)
{
    size_t nl = strlen(name);
    const char *q = p + nl;
    if (q >= end)
        return 0;
    if (p > start && p[-1] == '<') {   /* element */
        while (q < end && *q != '>') q++;
        if (q >= end || q[-1] == '/')
            return 0;
        q++;
        const char *e = q;
        while (e < end && *e != '<') e++;
        *v = q;
        *vn = (size_t)(e - q);
        return 1;
    }
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) q++;
    if (q >= end || *q != '=')
        return 0;
    q++;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) q++;
    if (q >= end || (*q != '"' && *q != '\''))
        return 0;
    char quote = *q++;
    const char *e = memchr(q, quote, (size_t)(end - q));
    if (!e)
        return 0;
    *v = q;
    *vn = (size_t)(e - q);
    return 1;
}

static int nonblank(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] != ' ' && v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
            return 1;
    return 0;
}

/* Next occurrence of a property name (as attribute or element name) after s. */
static const char *find_prop(const char *s, const char *end, const char *name)
{
    const char *p = s;
    while ((p = find(p, end, name))) {
        char before = p > s ? p[-1] : ' ';
        char after = p + strlen(name) < end ? p[strlen(name)] : ' ';
        /* a whole name: preceded by space/</newline, followed by =, >, space or / */
        if ((before == ' ' || before == '<' || before == '\n' || before == '\t' || before == '\r') &&
            (after == '=' || after == '>' || after == ' ' || after == '/' || after == '\n' ||
             after == '\t' || after == '\r'))
            return p;
        p++;
    }
    return NULL;
}

typedef struct md_found {
    int regions;
    int names;
} md_found;

/* MWG: each region is an rdf:li of mwg-rs:RegionList; count those whose mwg-rs:Type is
 * Face (case-insensitive), and those of them with a non-empty mwg-rs:Name. */
static void scan_mwg(const char *x, const char *end, md_found *f)
{
    const char *list = find(x, end, "mwg-rs:RegionList");
    int guard = 0;
    while (list && guard++ < 64) {
        const char *lend = find(list + 1, end, "mwg-rs:RegionList");   /* closing tag */
        if (!lend)
            lend = end;
        const char *li = find(list, lend, "<rdf:li");
        int items = 0;
        while (li && items++ < 100000) {
            const char *next = find(li + 7, lend, "<rdf:li");
            const char *iend = next ? next : lend;
            const char *t = find_prop(li, iend, "mwg-rs:Type");
            const char *v;
            size_t vn;
            if (t && value_at(li, t, iend, "mwg-rs:Type", &v, &vn) && vn == 4 && !strncasecmp(v, "Face", 4)) {
                f->regions++;
                const char *nm = find_prop(li, iend, "mwg-rs:Name");
                if (nm && value_at(li, nm, iend, "mwg-rs:Name", &v, &vn) && nonblank(v, vn))
                    f->names++;
            }
            li = next;
        }
        list = lend < end ? find(lend + 1, end, "mwg-rs:RegionList") : NULL;
    }
}

/* Microsoft Photo: MP:RegionInfo regions carrying MPReg:PersonDisplayName. */
static void scan_mp(const char *x, const char *end, md_found *f)
{
    if (!find(x, end, "RegionInfo"))
        return;
    const char *p = x;
    int guard = 0;
    while ((p = find_prop(p, end, "MPReg:PersonDisplayName")) && guard++ < 100000) {
        const char *v;
        size_t vn;
        f->regions++;
        if (value_at(x, p, end, "MPReg:PersonDisplayName", &v, &vn) && nonblank(v, vn))
            f->names++;
        p++;
    }
}

/* IPTC Extension: Iptc4xmpExt:PersonInImage is a bag of names. */
static void scan_iptc(const char *x, const char *end, md_found *f)
{
    const char *p = x;
    int guard = 0;
    while ((p = find(p, end, "<Iptc4xmpExt:PersonInImage>")) && guard++ < 1000) {
        const char *e = find(p, end, "</Iptc4xmpExt:PersonInImage>");
        if (!e)
            e = end;
        const char *li = p;
        while ((li = find(li, e, "<rdf:li"))) {
            const char *gt = memchr(li, '>', (size_t)(e - li));
            if (!gt)
                break;
            const char *lt = memchr(gt, '<', (size_t)(e - gt));
            if (!lt)
                lt = e;
            if (nonblank(gt + 1, (size_t)(lt - gt - 1))) {
                f->regions++;
                f->names++;
            }
            li = gt;
        }
        p = e;
    }
}

/* Picasa: `faces=rect64(...),contactid;rect64(...),contactid` under an image section. */
static void scan_picasa(const char *s, size_t n, md_found *f)
{
    const char *end = s + n, *p = s;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *q = p;
        while (q < eol && (*q == ' ' || *q == '\t')) q++;
        if ((size_t)(eol - q) > 6 && !strncasecmp(q, "faces=", 6)) {
            const char *r = q + 6;
            while (r < eol) {
                const char *rr = find(r, eol, "rect64(");
                if (!rr)
                    break;
                f->regions++;
                r = rr + 7;
            }
        }
        p = eol + 1;
    }
    /* Contact ids name people only through Picasa's contacts.xml: no names here. */
}

static json_t *evidence(const char *schema, const md_found *f)
{
    json_t *ev = json_object();
    json_object_set_new(ev, "regions", json_integer(f->regions));
    json_object_set_new(ev, "schema", json_string(schema));
    json_object_set_new(ev, "has_names", json_boolean(f->names > 0));
    return ev;
}

static fa_status md_scan_buffer(void *prep, fa_ctx *ctx, const fa_object *obj)
{
    md_prep *p = prep;
    if (!p || !p->n || !obj || !obj->data)
        return FA_OK;
    const unsigned char *d = obj->data;
    size_t len = obj->len;
    md_found found[4];
    memset(found, 0, sizeof found);
    const unsigned char *hashed = d;
    size_t hashed_len = len;
    fa_buf xmp = FA_BUF_INIT;
    /* One byte past the limit tells a cut-off (recorded) from metadata that just fits. */
    int64_t max_md = fa_ctx_limits(ctx)->value[FA_LIM_MAX_METADATA];
    size_t cap = (size_t)max_md + 1;

    if (obj->type && !strcmp(obj->type, FA_TYPE_JPEG))
        xmp_jpeg(d, len, &xmp, cap);
    else if (obj->type && !strcmp(obj->type, FA_TYPE_WEBP))
        xmp_webp(d, len, &xmp, cap);
    else if (obj->type && (!strcmp(obj->type, FA_TYPE_PNG) || !strcmp(obj->type, FA_TYPE_TIFF))) {
        fa_xmp_stats st;
        memset(&st, 0, sizeof st);
        /* compressed XMP inflates to at most --max-decoded bytes per object */
        st.inflate_max = fa_ctx_limits(ctx)->value[FA_LIM_MAX_DECODED];
        if (!strcmp(obj->type, FA_TYPE_PNG))
            fa_xmp_png(d, len, &xmp, cap, &st);
        else
            fa_xmp_tiff(d, len, &xmp, cap, &st);
        if (st.over)
            fa_ctx_limit(ctx, FA_LIM_MAX_DECODED, st.over, obj->loc);
        if (st.corrupt)
            fa_ctx_error(ctx, obj->loc, "corrupt_metadata", "%s%s", st.why,
                         st.corrupt > 1 ? " (and more)" : "");
    }

    if (xmp.len > (size_t)max_md) {
        fa_ctx_limit(ctx, FA_LIM_MAX_METADATA, (int64_t)xmp.len, obj->loc);
        xmp.len = (size_t)max_md;
    }
    if (xmp.len) {
        const char *x = xmp.buf, *end = xmp.buf + xmp.len;
        scan_mwg(x, end, &found[0]);
        scan_mp(x, end, &found[1]);
        scan_iptc(x, end, &found[2]);
        hashed = (const unsigned char *)xmp.buf;
        hashed_len = xmp.len;
    } else if (is_picasa_name(obj->name)) {
        if (len > (size_t)max_md) {
            fa_ctx_limit(ctx, FA_LIM_MAX_METADATA, (int64_t)len, obj->loc);
            len = (size_t)max_md;
        }
        scan_picasa((const char *)d, len, &found[3]);
    }

    for (size_t i = 0; i < p->n; i++) {
        const fa_rule *r = p->rules[i];
        const md_rule *mr = r->kdata;
        unsigned sch = mr ? mr->schemas : SCH_ALL;
        int minr = mr ? mr->min_regions : 1;
        for (int k = 0; k < 4; k++) {
            if (!(sch & (1u << k)) || found[k].regions < minr)
                continue;
            if (k == 2)   /* PersonInImage names people but marks no region of the image */
                fa_ctx_report(ctx, r, obj->loc, r->confidence, hashed, hashed_len,
                              evidence(schema_names[k], &found[k]),
                              "%d %s named in XMP (IPTC PersonInImage) metadata", found[k].regions,
                              found[k].regions == 1 ? "person" : "people");
            else
                fa_ctx_report(ctx, r, obj->loc, r->confidence, hashed, hashed_len,
                              evidence(schema_names[k], &found[k]),
                              "%d face region%s tagged in %s metadata%s", found[k].regions,
                              found[k].regions == 1 ? "" : "s",
                              k == 0 ? "XMP (MWG)" : k == 1 ? "XMP (Microsoft Photo)" : "Picasa",
                              found[k].names ? ", with person names" : "");
        }
    }
    fa_buf_release(&xmp);
    return FA_OK;
}

const fa_kind fa_kind_metadata = {
    .name = "metadata",
    .summary = "face regions and person tags in XMP (MWG, Microsoft Photo, IPTC) and .picasa.ini",
    .example_mode = FA_EX_FILE,
    .parse_key = md_parse_key,
    .finish_rule = md_finish_rule,
    .free_rule = md_free_rule,
    .prepare = md_prepare,
    .release = md_release,
    .wants = md_wants,
    .scan_buffer = md_scan_buffer,
};
