/* The metadata kind (src/detect/metadata.c, metadata_xmp.c): XMP packets from JPEG APP1
 * (standard and extended), PNG iTXt / zTXt / tEXt (plain, zlib with the --max-decoded budget
 * at 1M here, raw-profile hex), TIFF IFD0 tag 700 and WebP "XMP " chunks, the MWG / Microsoft
 * Photo / IPTC region scanners and .picasa.ini faces= lines, through fa_scanner_scan_memory
 * with only the metadata rules of rules/faces.yaml enabled. The last byte's parity names the object
 * photo.jpg or album/.picasa.ini (the Picasa reader is chosen by name). */
#include "fuzz_common.h"
#include <stdio.h>
#include "faceaudit/detect.h"
#include "faceaudit/scan.h"

#ifndef FA_FUZZ_RULES
#define FA_FUZZ_RULES "rules"
#endif

static fa_scanner *g_scanner;
static fa_ruleset *g_rules;

static void setup(void)
{
    const char *dir = getenv("FA_FUZZ_RULES");
    char path[4096];
    snprintf(path, sizeof path, "%s/faces.yaml", dir ? dir : FA_FUZZ_RULES);
    g_rules = fa_ruleset_new();
    fa_err err;
    fa_err_clear(&err);
    if (fa_ruleset_load(g_rules, path, &err) != FA_OK) {
        fprintf(stderr, "fuzz_metadata: cannot load %s: %s\n", path, err.msg);
        abort();
    }
    size_t on = 0;
    for (size_t i = 0; i < fa_ruleset_nrules(g_rules); i++) {
        fa_rule *r = fa_ruleset_rule(g_rules, i);
        r->enabled = r->kind && !strcmp(r->kind->name, "metadata");
        on += (size_t)r->enabled;
    }
    if (!on) {
        fprintf(stderr, "fuzz_metadata: %s has no metadata rule\n", path);
        abort();
    }
    g_scanner = fuzz_scanner("fuzz_metadata", g_rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_scanner)
        setup();
    const char *name = size && (data[size - 1] & 1) ? "album/.picasa.ini" : "photo.jpg";
    uint8_t *copy = fuzz_dup(data, size);
    fa_sink *sink = fa_sink_collect_new();
    fa_err err;
    fa_err_clear(&err);
    (void)fa_scanner_scan_memory(g_scanner, name, copy, size, sink, &err);
    fa_sink_free(sink);
    free(copy);
    return 0;
}
