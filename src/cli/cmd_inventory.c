/* faceaudit inventory: stores and flows of biometric data, from scan documents. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "faceaudit/inventory.h"
#include "faceaudit/scandoc.h"

#define CMD "inventory"

static const cli_option inventory_options[] = {
    { "format",       'f', "FORMAT", "json, md, csv, dot or svg (default md)" },
    { "output",       'o', "FILE",   "write to FILE (mode 0600) instead of standard output" },
    { "group-depth",  0,   "N",      "folders below the target that make one store (default 1)" },
    { "examples",     0,   "N",      "example locations per store (default 3)" },
    { "fides-legacy", 0,   NULL,     "use the pre-3.2.0 fideslang key user.biometric" },
    { NULL, 0, NULL, NULL }
};

void cmd_inventory_usage(FILE *out)
{
    fprintf(out, "usage: faceaudit inventory [OPTIONS] SCAN.json...\n\n"
                 "Builds the data-flow inventory (stores, flows, posture, exposure estimate) from\n"
                 "scan documents written by `faceaudit scan --format json` (\"-\" reads standard\n"
                 "input). Several documents merge; an object seen twice counts once. Never rescans.\n");
    cli_print_options(out, inventory_options);
    fprintf(out, "\nExit status: 0 success, 2 usage error or an invalid scan document.\n"
                 "See faceaudit-inventory(1).\n");
}


static int parse_count(const char *opt, const char *v, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || n > 1000) {
        cli_error(CMD, "--%s: '%s' is not a number from 0 to 1000", opt, v);
        return -1;
    }
    *out = (int)n;
    return 0;
}

int cmd_inventory(int argc, char **argv)
{
    struct option lo[16];
    char shorts[32];
    cli_getopt_table(inventory_options, lo, shorts);
    fa_inventory_opts io;
    fa_inventory_opts_init(&io);
    const char *format = "md", *output = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        switch (c) {
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 256 + 2: if (parse_count("group-depth", optarg, &io.group_depth)) return CLI_EXIT_USAGE; break;
        case 256 + 3: if (parse_count("examples", optarg, &io.examples)) return CLI_EXIT_USAGE; break;
        case 256 + 4: io.fides_legacy = 1; break;
        case ':':
            cli_error(CMD, "option '%s' needs an argument", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        default:
            cli_error(CMD, "unknown option '%s'", argv[optind - 1]);
            cmd_inventory_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    int fmt = fa_inventory_format_parse(format);
    if (fmt < 0) {
        cli_error(CMD, "--format: unknown format '%s' (json, md, csv, dot, svg)", format);
        return CLI_EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error(CMD, "no scan document given (write one with `faceaudit scan --format json -o scan.json DIR`)");
        cmd_inventory_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    fa_err err;
    fa_err_clear(&err);
    fa_scandoc *doc = fa_scandoc_new();
    for (int i = optind; i < argc; i++) {
        if (fa_scandoc_load(doc, argv[i], &err) < 0) {
            cli_error(CMD, "%s", err.msg);
            fa_scandoc_free(doc);
            return CLI_EXIT_USAGE;
        }
    }
    json_t *inv = fa_inventory_build(doc, &io, &err);
    fa_scandoc_free(doc);
    if (!inv) {
        cli_error(CMD, "%s", err.msg);
        return CLI_EXIT_USAGE;
    }
    fa_buf out = FA_BUF_INIT;
    fa_status st = fa_inventory_render(inv, (fa_inventory_format)fmt, &out, &err);
    json_decref(inv);
    if (st < 0) {
        cli_error(CMD, "%s", err.msg);
        fa_buf_release(&out);
        return CLI_EXIT_USAGE;
    }
    FILE *f = cli_open_output(CMD, output);
    if (!f) {
        fa_buf_release(&out);
        return CLI_EXIT_USAGE;
    }
    fwrite(out.buf, 1, out.len, f);
    fa_buf_release(&out);
    return cli_close_output(CMD, f, output) ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}
