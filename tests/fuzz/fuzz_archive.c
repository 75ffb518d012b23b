/* The archive walk over an in-memory object, with no rules: sniffing, libarchive,
 * nested expansion and every limit, through fa_scanner_scan_memory. */
#include "fuzz_common.h"
#include "faceaudit/scan.h"

static fa_scanner *g_scanner;
static fa_ruleset *g_rules;

static void setup(void)
{
    g_rules = fa_ruleset_new();
    g_scanner = fuzz_scanner("fuzz_archive", g_rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_scanner)
        setup();
    uint8_t *copy = fuzz_dup(data, size);
    fa_sink *sink = fa_sink_collect_new();
    fa_err err;
    fa_err_clear(&err);
    (void)fa_scanner_scan_memory(g_scanner, "fuzz.bin", copy, size, sink, &err);
    fa_sink_free(sink);
    free(copy);
    return 0;
}
