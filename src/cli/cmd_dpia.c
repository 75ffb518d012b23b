/* faceaudit dpia: render a DPIA / PIA export / BIPA policy template from the inventory
 * (and the retention report), plus the controller's facts. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "faceaudit/buf.h"
#include "faceaudit/dpia.h"
#include "faceaudit/inventory.h"
#include "faceaudit/mustache.h"
#include "faceaudit/scandoc.h"

#define DEFAULT_TEMPLATE "gdpr-dpia"

static const cli_option options[] = {
    { "inventory",     'i', "FILE",      "inventory JSON (faceaudit inventory --format json)" },
    { "retention",     'r', "FILE",      "retention report JSON (faceaudit retention --format json)" },
    { "template",      't', "NAME|FILE", "template name (see --list) or file; default " DEFAULT_TEMPLATE },
    { "data",          'd', "FILE",      "facts only people know (controller, DPO, purposes...), JSON or YAML" },
    { "set",           's', "KEY=VALUE", "set one template variable, e.g. controller.name=Acme (repeatable)" },
    { "format",        'f', "md|html",   "output Markdown (default) or HTML for Markdown templates" },
    { "allow-missing", 'm', NULL,        "render missing variables as empty instead of failing" },
    { "output",        'o', "FILE",      "write to FILE (mode 0600) instead of standard output" },
    { "list",          'l', NULL,        "list the available templates and exit" },
    { "help",          'h', NULL,        "show this help" },
    { NULL, 0, NULL, NULL }
};

void cmd_dpia_usage(FILE *out)
{
    fprintf(out,
            "usage: faceaudit dpia --inventory INV.json [--retention RET.json] [--template NAME|FILE]\n"
            "                      [--data FILE] [--set KEY=VALUE]... [--format md|html] [-o FILE]\n"
            "       faceaudit dpia [OPTIONS] SCAN.json...   (inventory computed from scan documents)\n"
            "       faceaudit dpia --list\n\n"
            "Drafts a DPIA, a CNIL PIA export or a BIPA retention policy from what the scans found.\n"
            "Decisions only people can take appear as [TO BE COMPLETED BY THE CONTROLLER: ...].\n");
    cli_print_options(out, options);
    fprintf(out, "\nTemplates are found in $FACEAUDIT_TEMPLATES, then %s/templates, then templates/\n"
                 "beside the build. See faceaudit-dpia(1) for the template variables.\n", FA_DATADIR);
}

/* ---- template search -------------------------------------------------------------- */

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folders searched for template names, in order (caller frees each and the array). */
static char **template_dirs(size_t *n)
{
    char **dirs = fa_xcalloc(4, sizeof *dirs);
    *n = 0;
    const char *env = getenv("FACEAUDIT_TEMPLATES");
    if (env && *env)
        dirs[(*n)++] = fa_xstrdup(env);
    if (is_dir(FA_DATADIR "/templates"))
        dirs[(*n)++] = fa_xstrdup(FA_DATADIR "/templates");
    char exe[PATH_MAX];
    const char *bin = NULL;
    if (cli_argv0 && strchr(cli_argv0, '/'))
        bin = cli_argv0;
    else {
        ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (k > 0) {
            exe[k] = 0;
            bin = exe;
        }
    }
    if (bin) {
        const char *slash = strrchr(bin, '/');
        char *cand = fa_xasprintf("%.*s/../templates", (int)(slash - bin), bin);
        if (is_dir(cand))
            dirs[(*n)++] = cand;
        else
            free(cand);
    }
    return dirs;
}

static void free_dirs(char **dirs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
}

/* NAME, NAME.mustache or NAME.<ext>.mustache inside dir; returns a malloc'd path or NULL. */
static char *find_in_dir(const char *dir, const char *name)
{
    char *p = fa_xasprintf("%s/%s", dir, name);
    if (is_file(p))
        return p;
    free(p);
    p = fa_xasprintf("%s/%s.mustache", dir, name);
    if (is_file(p))
        return p;
    free(p);
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *found = NULL;
    size_t nl = strlen(name);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *f = e->d_name;
        size_t fl = strlen(f);
        /* NAME.<ext>.mustache with a single extension, so "gdpr" does not match "gdpr-dpia" */
        if (fl > nl + 10 && !strncmp(f, name, nl) && f[nl] == '.' && !strcmp(f + fl - 9, ".mustache") &&
            memchr(f + nl + 1, '.', fl - 9 - nl - 1) == NULL) {
            char *c = fa_xasprintf("%s/%s", dir, f);
            if (!found || strcmp(c, found) < 0) {
                free(found);
                found = c;
            } else {
                free(c);
            }
        }
    }
    closedir(d);
    return found;
}

static char *read_file(const char *path, size_t *len, const char *cmd)
{
    fa_buf b = FA_BUF_INIT;
    fa_err err;
    if (fa_buf_read_file(&b, path, 0, &err) < 0) {
        cli_error(cmd, "cannot read %s", err.msg);
        fa_buf_release(&b);
        return NULL;
    }
    return fa_buf_detach(&b, len);
}

typedef struct partial_ctx {
    char *dir;   /* the folder of the template being rendered */
} partial_ctx;

static char *load_partial(void *ud, const char *name)
{
    partial_ctx *pc = ud;
    if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
        return NULL;   /* partials come from the template's folder only */
    char *p = find_in_dir(pc->dir, name);
    if (!p)
        return NULL;
    fa_buf b = FA_BUF_INIT;
    fa_err err;
    fa_status st = fa_buf_read_file(&b, p, 0, &err);
    free(p);
    if (st < 0) {
        fa_buf_release(&b);
        return NULL;
    }
    return fa_buf_detach(&b, NULL);
}

static int list_templates(void)
{
    size_t nd;
    char **dirs = template_dirs(&nd);
    json_t *seen = json_object();
    int count = 0;
    for (size_t i = 0; i < nd; i++) {
        struct dirent **ents;
        int n = scandir(dirs[i], &ents, NULL, alphasort);
        for (int k = 0; k < n; k++) {
            const char *f = ents[k]->d_name;
            size_t fl = strlen(f);
            if (fl > 9 && !strcmp(f + fl - 9, ".mustache") && f[0] != '_' && f[0] != '.') {
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)(fl - 9), f);
                char *dot = strchr(name, '.');
                if (dot)
                    *dot = 0;   /* gdpr-dpia.md.mustache is listed as gdpr-dpia */
                if (!json_object_get(seen, name)) {
                    json_object_set_new(seen, name, json_true());
                    char *path = fa_xasprintf("%s/%s", dirs[i], f);
                    size_t len = 0;
                    char *text = read_file(path, &len, "dpia");
                    fa_dpia_tmeta m;
                    fa_dpia_template_meta(text ? text : "", text ? len : 0, path, &m);
                    printf("%-26s %-5s %s\n", name, m.format, m.description[0] ? m.description : "(no description)");
                    count++;
                    free(text);
                    free(path);
                }
            }
            free(ents[k]);
        }
        if (n >= 0)
            free(ents);
    }
    json_decref(seen);
    free_dirs(dirs, nd);
    if (!count) {
        cli_error("dpia", "no templates found (set FACEAUDIT_TEMPLATES or install faceaudit)");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

static json_t *load_json(const char *path, const char *what)
{
    json_error_t je;
    json_t *j = !strcmp(path, "-") ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
    if (!j)
        cli_error("dpia", "%s:%d:%d: %s: %s", path, je.line, je.column, what, je.text);
    return j;
}

/* The first "# " heading, for the HTML <title>, without Markdown backslash escapes. */
static char *md_title(const char *md)
{
    for (const char *p = md; p && *p;) {
        if (p[0] == '#' && p[1] == ' ') {
            const char *e = strchr(p, '\n');
            char *t = fa_xstrndup(p + 2, e ? (size_t)(e - p - 2) : strlen(p + 2));
            char *w = t;
            for (const char *r = t; *r; r++) {
                if (r[0] == '\\' && r[1] && ispunct((unsigned char)r[1]))
                    r++;
                *w++ = *r;
            }
            *w = 0;
            return t;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return fa_xstrdup("faceaudit");
}

int cmd_dpia(int argc, char **argv)
{
    const char *inv_path = NULL, *ret_path = NULL, *tmpl_arg = DEFAULT_TEMPLATE, *data_path = NULL;
    const char *format = "md", *out_path = NULL;
    int allow_missing = 0, do_list = 0;
    const char **sets = NULL;
    size_t nsets = 0, asets = 0;
    struct option lo[sizeof options / sizeof options[0]];
    /* no leading '+': options may follow the scan documents, as in scan and inventory */
    char so[64] = "";
    size_t k = 0;
    for (const cli_option *o = options; o->longname; o++, k++) {
        lo[k] = (struct option){ o->longname, o->arg ? required_argument : no_argument, NULL, o->shortname };
        size_t l = strlen(so);
        so[l] = o->shortname;
        so[l + 1] = o->arg ? ':' : 0;
        so[l + 2] = 0;
    }
    lo[k] = (struct option){ 0, 0, 0, 0 };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
        switch (c) {
        case 'i': inv_path = optarg; break;
        case 'r': ret_path = optarg; break;
        case 't': tmpl_arg = optarg; break;
        case 'd': data_path = optarg; break;
        case 's':
            FA_GROW(sets, nsets + 1, asets);
            sets[nsets++] = optarg;
            break;
        case 'f': format = optarg; break;
        case 'm': allow_missing = 1; break;
        case 'o': out_path = optarg; break;
        case 'l': do_list = 1; break;
        case 'h': cmd_dpia_usage(stdout); free(sets); return CLI_EXIT_OK;
        default:
            if (optopt)
                cli_error("dpia", "option -%c: %s", optopt, strchr(so, optopt) ? "needs an argument" : "unknown option");
            else
                cli_error("dpia", "unknown or incomplete option %s", argv[optind - 1]);
            cmd_dpia_usage(stderr);
            free(sets);
            return CLI_EXIT_USAGE;
        }
    }
    if (do_list) {
        free(sets);
        return list_templates();
    }
    int html = 0;
    if (!strcmp(format, "html"))
        html = 1;
    else if (strcmp(format, "md") && strcmp(format, "markdown")) {
        cli_error("dpia", "--format must be md or html, not '%s'", format);
        free(sets);
        return CLI_EXIT_USAGE;
    }
    if (!inv_path && optind >= argc) {
        cli_error("dpia", "give --inventory INV.json or scan documents (see --help)");
        free(sets);
        return CLI_EXIT_USAGE;
    }
    if (inv_path && optind < argc) {
        cli_error("dpia", "give either --inventory or scan documents, not both");
        free(sets);
        return CLI_EXIT_USAGE;
    }

    int rc = CLI_EXIT_USAGE;
    json_t *inv = NULL, *ret = NULL, *facts = NULL, *view = NULL;
    char *tmpl_path = NULL, *tmpl = NULL, *rendered = NULL, *html_page = NULL, *inv_name = NULL;
    partial_ctx pc = { NULL };
    fa_err err;
    fa_err_clear(&err);

    /* the template first: a typo in its name should not wait for a large inventory */
    if (strchr(tmpl_arg, '/') || is_file(tmpl_arg)) {
        tmpl_path = fa_xstrdup(tmpl_arg);
    } else {
        size_t nd;
        char **dirs = template_dirs(&nd);
        for (size_t i = 0; i < nd && !tmpl_path; i++)
            tmpl_path = find_in_dir(dirs[i], tmpl_arg);
        free_dirs(dirs, nd);
        if (!tmpl_path) {
            cli_error("dpia", "no template named '%s' (see faceaudit dpia --list)", tmpl_arg);
            goto out;
        }
    }
    size_t tlen = 0;
    if (!(tmpl = read_file(tmpl_path, &tlen, "dpia")))
        goto out;
    fa_dpia_tmeta meta;
    fa_dpia_template_meta(tmpl, tlen, tmpl_path, &meta);
    int is_json = !strcmp(meta.format, "json");
    if (html && strcmp(meta.format, "md")) {
        cli_error("dpia", "--format html needs a Markdown template; %s is %s", tmpl_path, meta.format);
        goto out;
    }
    const char *slash = strrchr(tmpl_path, '/');
    pc.dir = slash ? fa_xstrndup(tmpl_path, (size_t)(slash - tmpl_path)) : fa_xstrdup(".");

    if (inv_path) {
        if (!(inv = load_json(inv_path, "inventory")))
            goto out;
        inv_name = fa_xstrdup(inv_path);
    } else {
        fa_scandoc *sd = fa_scandoc_new();
        fa_buf names = FA_BUF_INIT;
        for (int i = optind; i < argc; i++) {
            if (fa_scandoc_load(sd, argv[i], &err) < 0) {
                cli_error("dpia", "%s", err.msg);
                fa_scandoc_free(sd);
                fa_buf_release(&names);
                goto out;
            }
            fa_buf_addf(&names, "%s%s", names.len ? ", " : "", argv[i]);
        }
        fa_inventory_opts io;
        fa_inventory_opts_init(&io);
        inv = fa_inventory_build(sd, &io, &err);
        fa_scandoc_free(sd);
        if (!inv) {
            cli_error("dpia", "%s", err.msg);
            fa_buf_release(&names);
            goto out;
        }
        inv_name = fa_xasprintf("inventory of %s", names.buf);
        fa_buf_release(&names);
    }
    if (ret_path && !(ret = load_json(ret_path, "retention report")))
        goto out;
    if (ret && !json_is_object(json_object_get(ret, "summary"))) {
        cli_error("dpia", "%s: not a retention report (no \"summary\" object)", ret_path);
        goto out;
    }
    if (data_path && !(facts = fa_dpia_load_facts(data_path, &err))) {
        cli_error("dpia", "%s", err.msg);
        goto out;
    }

    fa_dpia_input in = {
        .inventory = inv, .retention = ret, .facts = facts, .sets = sets, .nsets = nsets,
        .inventory_name = inv_name, .retention_name = ret_path, .now = time(NULL), .version = FA_VERSION,
    };
    const char *sde = getenv("SOURCE_DATE_EPOCH");   /* reproducible documents */
    if (sde && *sde) {
        char *end;
        long long t = strtoll(sde, &end, 10);
        if (!*end && t >= 0)
            in.now = (time_t)t;
    }
    if (!(view = fa_dpia_view(&in, &err))) {
        cli_error("dpia", "%s", err.msg);
        goto out;
    }

    if (meta.markdown)
        fa_dpia_view_escape_md(view);   /* Markdown escaping, not HTML entities, in .md */
    const char *base = slash ? slash + 1 : tmpl_path;
    fa_mustache_opts mo = { .name = base, .allow_missing = allow_missing, .escape = meta.escape,
                            .partial = load_partial, .partial_ud = &pc };
    size_t rlen = 0;
    if (fa_mustache_render(tmpl, tlen, view, &mo, &rendered, &rlen, &err) < 0) {
        cli_error("dpia", "%s", err.msg);
        if (!strcmp(err.code, "missing"))
            cli_error("dpia", "supply it with --set or --data, or use --allow-missing");
        goto out;
    }
    const char *left = strstr(rendered, "{{");
    if (left) {
        long line = 1;
        for (const char *p = rendered; p < left; p++)
            line += *p == '\n';
        cli_error("dpia", "output line %ld contains '{{' (an unresolved tag, or data containing it); refusing to write it", line);
        goto out;
    }
    if (is_json) {
        json_error_t je;
        json_t *chk = json_loadb(rendered, rlen, 0, &je);
        if (!chk) {
            cli_error("dpia", "%s produced invalid JSON at line %d, column %d: %s", base, je.line, je.column, je.text);
            goto out;
        }
        json_decref(chk);
    }
    const char *outtext = rendered;
    size_t outlen = rlen;
    if (html) {
        char *title = md_title(rendered);
        html_page = fa_dpia_md_to_html(rendered, rlen, title, &err);
        free(title);
        if (!html_page) {
            cli_error("dpia", "%s", err.msg);
            goto out;
        }
        outtext = html_page;
        outlen = strlen(html_page);
    }
    FILE *f = cli_open_output("dpia", out_path);
    if (!f)
        goto out;
    fwrite(outtext, 1, outlen, f);
    if (cli_close_output("dpia", f, out_path) != 0)
        goto out;
    rc = CLI_EXIT_OK;
out:
    json_decref(inv);
    json_decref(ret);
    json_decref(facts);
    json_decref(view);
    free(tmpl_path);
    free(tmpl);
    free(rendered);
    free(html_page);
    free(inv_name);
    free(pc.dir);
    free(sets);
    return rc;
}
