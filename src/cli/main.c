/* faceaudit: git-style dispatcher over the command table. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

const char *cli_argv0 = "faceaudit";

static const cli_command commands[] = {
    { "scan",      cmd_scan,      "Scan folders, files, stdin or buckets for biometric data", cmd_scan_usage },
    { "rules",     cmd_rules,     "List, test and lint rule packs",                           cmd_rules_usage },
    { "inventory", cmd_inventory, "Build the data-flow inventory from scan documents",        cmd_inventory_usage },
    { "retention", cmd_retention, "Check ages of biometric data against a retention policy",  cmd_retention_usage },
    { "dpia",      cmd_dpia,      "Draft a DPIA or retention policy from the inventory",      cmd_dpia_usage },
    { "merge",     cmd_merge,     "Merge scan documents (shards) into one",                   cmd_merge_usage },
    { "version",   cmd_version,   "Print the version",                                        cmd_version_usage },
};

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: faceaudit [--version] [--help] <command> [<args>]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'faceaudit help <command>' or 'faceaudit <command> --help' shows a command's options;\n"
                 "'man faceaudit-<command>' has the details.\n");
}

void cli_print_options(FILE *out, const cli_option *o)
{
    fprintf(out, "\nOptions:\n");
    for (; o->longname; o++) {
        char left[64];
        if (o->shortname)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->shortname, o->longname,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->longname, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-30s %s\n", left, o->help);
    }
}

void cli_getopt_table(const cli_option *o, struct option *lo, char *shorts)
{
    size_t k = 0, s = 0;
    shorts[s++] = ':';
    for (; o->longname; o++, k++) {
        lo[k] = (struct option){ o->longname, o->arg ? required_argument : no_argument, NULL,
                                 o->shortname ? o->shortname : 256 + (int)k };
        if (o->shortname) {
            shorts[s++] = o->shortname;
            if (o->arg)
                shorts[s++] = ':';
        }
    }
    memset(&lo[k], 0, sizeof lo[k]);
    shorts[s] = 0;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "faceaudit%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

FILE *cli_open_output(const char *cmd, const char *path)
{
    if (!path || !strcmp(path, "-"))
        return stdout;
    /* O_NOFOLLOW: never write through a symlink planted at the output path. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        cli_error(cmd, "cannot write %s: %s", path, strerror(errno));
        return NULL;
    }
    /* An existing file keeps its mode on open(): force 0600, since it will hold findings. */
    if (fchmod(fd, 0600) != 0) {
        cli_error(cmd, "cannot set mode 0600 on %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        cli_error(cmd, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, 64 * 1024);   /* scan documents run to megabytes: fewer writes */
    return f;
}

int cli_close_output(const char *cmd, FILE *f, const char *path)
{
    if (f == stdout)
        return fflush(f) == 0 ? 0 : -1;
    if (fclose(f) != 0) {
        cli_error(cmd, "error writing %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_argv0 = argv[0];
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "--version"))
        name = "version";
    if (!strcmp(name, "help")) {
        if (argc < 3) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        const cli_command *c = cli_find_command(argv[2]);
        if (!c) {
            cli_error(NULL, "'%s' is not a faceaudit command. See 'faceaudit --help'.", argv[2]);
            return CLI_EXIT_USAGE;
        }
        c->usage(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *c = cli_find_command(name);
    if (!c) {
        cli_error(NULL, "'%s' is not a faceaudit command. See 'faceaudit --help'.", name);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            c->usage(stdout);
            return CLI_EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1);
}
