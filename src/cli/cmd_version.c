#include <stdio.h>
#include "cli.h"

void cmd_version_usage(FILE *out)
{
    fprintf(out, "usage: faceaudit version\n\nPrints the faceaudit version.\n");
}

int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        cmd_version_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    printf("faceaudit %s\n", FA_VERSION);
    return CLI_EXIT_OK;
}
