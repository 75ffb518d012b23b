/* The command-line front end: a table of subcommands (after git.c), one file each.
 * Only code under src/cli/ prints or exits; the library reports through fa_err. */
#ifndef FACEAUDIT_CLI_H
#define FACEAUDIT_CLI_H
#include <stdio.h>

/* Exit status of every command (CONTRACT.md). */
enum {
    CLI_EXIT_OK = 0,          /* nothing at or above --fail-on */
    CLI_EXIT_FINDINGS = 1,    /* findings at or above --fail-on */
    CLI_EXIT_USAGE = 2,       /* usage or fatal error */
    CLI_EXIT_INCOMPLETE = 3   /* scan incomplete, with --fail-on-scan-errors */
};

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
    const char *summary;
    void (*usage)(FILE *out);            /* the --help text */
} cli_command;

const cli_command *cli_find_command(const char *name);
extern const char *cli_argv0;            /* as invoked, for locating rules/ beside the build */

/* An option of a subcommand: the single source for its parser, --help and the test that
 * checks the man page mentions it. */
typedef struct cli_option {
    const char *longname;   /* "max-depth" */
    char        shortname;  /* 'o' or 0 */
    const char *arg;        /* "N", "FILE" or NULL for a flag */
    const char *help;
} cli_option;
void cli_print_options(FILE *out, const cli_option *opts);
/* getopt_long tables from an option table: lo needs one more entry than opts, shorts
 * 3 bytes per option + 2. Options without a short name return 256 + their index. */
struct option;
void cli_getopt_table(const cli_option *opts, struct option *lo, char *shorts);

/* Errors to stderr as "faceaudit CMD: message". */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens an output file with mode 0600, refusing to follow a symlink at the path; "-" or
 * NULL = stdout. Returns NULL with a message printed on failure. */
FILE *cli_open_output(const char *cmd, const char *path);
int   cli_close_output(const char *cmd, FILE *f, const char *path);

int cmd_scan(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_dpia(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_merge(int argc, char **argv);
void cmd_merge_usage(FILE *out);
void cmd_scan_usage(FILE *out);
void cmd_rules_usage(FILE *out);
void cmd_inventory_usage(FILE *out);
void cmd_retention_usage(FILE *out);
void cmd_dpia_usage(FILE *out);
void cmd_version_usage(FILE *out);
#endif
