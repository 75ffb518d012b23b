/* faceaudit merge OUT.json SCAN.json...: one document from shard or partial scans. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "faceaudit/merge.h"

void cmd_merge_usage(FILE *out)
{
    fprintf(out, "usage: faceaudit merge OUT.json SCAN.json...\n\n"
                 "Merges scan documents (for example the shards of `scan --shard K/N`) into OUT.json\n"
                 "(mode 0600; - for standard output) in the scan's own order: objects, findings,\n"
                 "errors and limits without duplicates, stats recounted. complete is true only if\n"
                 "every input was complete and, for shards, every shard 1..N of the same N is given\n"
                 "exactly once; a missing or repeated shard is named in a warning on standard error.\n"
                 "\nExit status: 0 merged, 2 usage error or an unreadable or incompatible document.\n");
}

int cmd_merge(int argc, char **argv)
{
    if (argc < 3) {
        cmd_merge_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    size_t n = (size_t)argc - 2;
    json_t **docs = calloc(n, sizeof *docs);
    int rc = CLI_EXIT_USAGE;
    fa_err err;
    if (!docs)
        return CLI_EXIT_USAGE;
    for (size_t i = 0; i < n; i++) {
        docs[i] = fa_scandoc_read(argv[i + 2], &err);
        if (!docs[i]) {
            cli_error("merge", "%s", err.msg);
            goto out;
        }
    }
    json_t *warnings = NULL;
    json_t *merged = fa_merge_docs(docs, n, (const char *const *)argv + 2, &warnings, &err);
    if (!merged) {
        cli_error("merge", "%s", err.msg);
        goto out;
    }
    size_t i;
    json_t *w;
    json_array_foreach(warnings, i, w)
        cli_error("merge", "warning: %s", json_string_value(w));
    json_decref(warnings);
    FILE *f = cli_open_output("merge", argv[1]);
    if (f) {
        json_dumpf(merged, f, JSON_INDENT(1));
        fputc('\n', f);
        if (cli_close_output("merge", f, argv[1]) == 0)
            rc = CLI_EXIT_OK;
    }
    json_decref(merged);
out:
    for (size_t k = 0; k < n; k++)
        json_decref(docs[k]);
    free(docs);
    return rc;
}
