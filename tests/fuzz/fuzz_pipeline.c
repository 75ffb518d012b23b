/* The whole pipeline over one in-memory object with the shipped rule packs (rules/):
 * sniffer, archives, regex, vector and path kinds. FA_FUZZ_RULES (environment, else the
 * compile-time default) names the rules folder. */
#include "fuzz_common.h"
#include <dirent.h>
#include <stdio.h>
#include "faceaudit/scan.h"

#ifndef FA_FUZZ_RULES
#define FA_FUZZ_RULES "rules"
#endif

static fa_scanner *g_scanner;
static fa_ruleset *g_rules;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every pack of the folder that loads on its own: a pack another engineer is still
 * writing (an unknown kind) must not stop the fuzzing of the rest. Each skip is said once. */
static void load_rules(const char *dir)
{
    g_rules = fa_ruleset_new();
    fa_err err;
    DIR *d = opendir(dir);
    if (!d) {
        fa_err_clear(&err);
        if (fa_ruleset_load(g_rules, dir, &err) < 0) {
            fprintf(stderr, "fuzz_pipeline: cannot load rules from %s: %s\n", dir, err.msg);
            abort();
        }
        return;
    }
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && (!strcmp(e->d_name + l - 5, ".yaml") || !strcmp(e->d_name + l - 4, ".yml"))) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        fa_ruleset *probe = fa_ruleset_new();
        fa_err_clear(&err);
        int ok = fa_ruleset_load(probe, path, &err) == FA_OK;
        fa_ruleset_free(probe);
        if (ok) {
            fa_err_clear(&err);
            ok = fa_ruleset_load(g_rules, path, &err) == FA_OK;
        }
        if (!ok)
            fprintf(stderr, "fuzz_pipeline: skipping %s: %s\n", path, err.msg);
        free(names[i]);
    }
    free(names);
}

static void setup(void)
{
    const char *dir = getenv("FA_FUZZ_RULES");
    if (!dir)
        dir = FA_FUZZ_RULES;
    load_rules(dir);
    g_scanner = fuzz_scanner("fuzz_pipeline", g_rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_scanner)
        setup();
    /* The name matters to path rules: the first byte picks one. */
    static const char *const names[] = { "input", "faces/x.npy", "embeddings.json",
                                         "app.log", "photos/me.jpg", "vectors.csv",
                                         "data.pkl", "index.faiss" };
    const char *name = names[size ? data[0] % 8 : 0];
    uint8_t *copy = fuzz_dup(data, size);
    fa_sink *sink = fa_sink_collect_new();
    fa_err err;
    fa_err_clear(&err);
    (void)fa_scanner_scan_memory(g_scanner, name, copy, size, sink, &err);
    fa_sink_free(sink);
    free(copy);
    return 0;
}
