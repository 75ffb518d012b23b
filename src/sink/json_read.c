/* Results back from their JSON form (the inverse of sink.c/json.c), for the state file. */
#define _XOPEN_SOURCE 700
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/buf.h"
#include "faceaudit/sink.h"
#include "faceaudit/sniff.h"

static char *dup_str(json_t *v)
{
    return json_is_string(v) ? fa_xstrdup(json_string_value(v)) : NULL;
}

int fa_location_from_json(json_t *j, fa_location *out)
{
    fa_location_init(out);
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "path")))
        return -1;
    out->target = dup_str(json_object_get(j, "target"));
    out->path = dup_str(json_object_get(j, "path"));
    out->uri = dup_str(json_object_get(j, "uri"));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(j, "members"), i, m)
        fa_location_push_member(out, json_string_value(m) ? json_string_value(m) : "");
    json_t *v = json_object_get(j, "line");
    out->line = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    v = json_object_get(j, "offset");
    out->offset = json_is_integer(v) ? json_integer_value(v) : -1;
    v = json_object_get(j, "length");
    out->length = json_is_integer(v) ? json_integer_value(v) : -1;
    return 0;
}

int fa_finding_from_json(json_t *j, fa_finding *out)
{
    memset(out, 0, sizeof *out);
    fa_severity sev;
    const char *fp = json_string_value(json_object_get(j, "fingerprint"));
    if (!json_is_string(json_object_get(j, "rule_id")) || !json_is_string(json_object_get(j, "category")) ||
        !json_is_string(json_object_get(j, "severity")) || !fp || strlen(fp) != 64 ||
        fa_severity_parse(json_string_value(json_object_get(j, "severity")), &sev) != 0)
        return -1;
    if (fa_location_from_json(json_object_get(j, "location"), &out->loc) != 0)
        return -1;
    out->rule_id = dup_str(json_object_get(j, "rule_id"));
    out->category = dup_str(json_object_get(j, "category"));
    out->severity = sev;
    out->confidence = json_number_value(json_object_get(j, "confidence"));
    out->message = dup_str(json_object_get(j, "message"));
    if (!out->message)
        out->message = fa_xstrdup("");
    json_t *ev = json_object_get(j, "evidence");
    out->evidence = json_is_object(ev) ? json_deep_copy(ev) : json_object();
    memcpy(out->fingerprint, fp, 65);
    return 0;
}

/* Sniffer types are static strings: map a stored one back to its constant. */
const char *fa_type_intern(const char *t)
{
    static const char *const known[] = {
        FA_TYPE_JPEG, FA_TYPE_PNG, FA_TYPE_WEBP, FA_TYPE_GIF, FA_TYPE_BMP, FA_TYPE_TIFF, FA_TYPE_PNM,
        FA_TYPE_NPY, FA_TYPE_PICKLE, FA_TYPE_FAISS, FA_TYPE_HDF5, FA_TYPE_SAFETENSORS, FA_TYPE_ZIP,
        FA_TYPE_TAR, FA_TYPE_GZIP, FA_TYPE_BZIP2, FA_TYPE_XZ, FA_TYPE_ZSTD, FA_TYPE_LZ4, FA_TYPE_7Z,
        FA_TYPE_RAR, FA_TYPE_CPIO, FA_TYPE_ISO, FA_TYPE_AR, FA_TYPE_TEXT, FA_TYPE_BINARY, FA_TYPE_EMPTY };
    for (size_t i = 0; t && i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(t, known[i]))
            return known[i];
    return FA_TYPE_BINARY;
}

int fa_object_rec_from_json(json_t *j, fa_object_rec *out)
{
    memset(out, 0, sizeof *out);
    if (fa_location_from_json(json_object_get(j, "location"), &out->loc) != 0)
        return -1;
    json_t *v = json_object_get(j, "size");
    out->size = json_is_integer(v) ? json_integer_value(v) : -1;
    out->mtime = INT64_MIN;
    const char *mt = json_string_value(json_object_get(j, "mtime"));
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (mt && strptime(mt, "%Y-%m-%dT%H:%M:%SZ", &tm))
        out->mtime = (int64_t)timegm(&tm);
    out->type = fa_type_intern(json_string_value(json_object_get(j, "type")));
    out->etag = dup_str(json_object_get(j, "etag"));
    out->encryption = dup_str(json_object_get(j, "encryption"));
    out->storage_class = dup_str(json_object_get(j, "storage_class"));
    out->skipped = dup_str(json_object_get(j, "skipped"));
    return 0;
}
