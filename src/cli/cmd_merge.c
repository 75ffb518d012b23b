/* faceaudit merge OUT.json SCAN.json...: one document from shard or partial scans. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "faceaudit/merge.h"

void cmd_merge_usage(FILE *out)
{
    fprintf(out, "usage: faceaudit merge OUT.json SCAN.json...\n\n"
                 "Merges scan documents (for example the shards of `scan --shard K/N`) into OUT.json\n"
                 "(mode 0600; - for standard output): objects, findings, errors and limits without\n"
                 "duplicates, stats recounted, complete only if every input was complete.\n"
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
    for (size_t i = 0; i < n; i++) {
        docs[i] = fa_scandoc_read(argv[i + 2], &err);
        if (!docs[i]) {
            fprintf(stderr, "%s\n", err.msg);
            goto out;
        }
    }
    json_t *merged = fa_merge_docs(docs, n, (const char *const *)argv + 2, &err);
    if (!merged) {
        cli_error("merge", "%s", err.msg);
        goto out;
    }
    FILE *f = cli_open_output("merge", argv[1]);
    if (f) {
        json_dumpf(merged, f, JSON_INDENT(1));
        fputc('\n', f);
        if (cli_close_output("merge", f, argv[1]) == 0)
            rc = CLI_EXIT_OK;
    }
    json_decref(merged);
out:
    for (size_t i = 0; i < n; i++)
        json_decref(docs[i]);
    free(docs);
    return rc;
}
