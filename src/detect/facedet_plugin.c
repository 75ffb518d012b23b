/* fa_facedet through the OpenCV plugin. The C++ shim (src/shim/facedet.cpp) is built as
 * faceaudit-opencv.so and opened on first use, so the scanner does not load OpenCV and its
 * hundred-odd dependent libraries unless an image is actually judged: a scan of logs starts
 * in milliseconds. Search order: $FACEAUDIT_PLUGIN_DIR, the folder of the running binary and
 * its parent (build/ for tests), <bindir>/../lib/faceaudit (a relocated install), then the
 * installed FA_LIBDIR. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "faceaudit/facedet.h"

#ifndef FA_LIBDIR
#define FA_LIBDIR "/usr/local/lib/faceaudit"
#endif
#define PLUGIN "faceaudit-opencv.so"

static struct {
    fa_facedet *(*create)(const fa_facedet_opts *, char **);
    void        (*close)(fa_facedet *);
    int         (*detect)(fa_facedet *, const unsigned char *, size_t, fa_faceresult *, char **);
    char         why[PATH_MAX + 600];   /* why the plugin is not available */
} api;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *try_open(const char *dir)
{
    char path[PATH_MAX];
    if (!dir || !*dir || snprintf(path, sizeof path, "%s/" PLUGIN, dir) >= (int)sizeof path)
        return NULL;
    if (access(path, R_OK) != 0)
        return NULL;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        snprintf(api.why, sizeof api.why, "cannot load %s: %s", path, dlerror());
    return h;
}

static void load(void)
{
    snprintf(api.why, sizeof api.why, "the face detector plugin %s was not found (faceaudit was built "
             "without OpenCV, or set FACEAUDIT_PLUGIN_DIR)", PLUGIN);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *exe_dir = NULL, *parent = NULL, *reloc = NULL;
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            exe_dir = strdup(exe);
            slash = strrchr(exe, '/');
            if (slash) {
                *slash = 0;
                parent = strdup(exe);
                size_t pl = strlen(parent);
                reloc = malloc(pl + sizeof "/lib/faceaudit");
                if (reloc)
                    memcpy(reloc, parent, pl), memcpy(reloc + pl, "/lib/faceaudit", sizeof "/lib/faceaudit");
            }
        }
    }
    const char *dirs[] = { getenv("FACEAUDIT_PLUGIN_DIR"), exe_dir, parent, reloc, FA_LIBDIR };
    void *h = NULL;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !h; i++)
        h = try_open(dirs[i]);
    free(exe_dir);
    free(parent);
    free(reloc);
    if (!h)
        return;
    *(void **)&api.create = dlsym(h, "fa_facedet_new");
    *(void **)&api.close = dlsym(h, "fa_facedet_close");
    *(void **)&api.detect = dlsym(h, "fa_facedet_detect");
    if (!api.create || !api.close || !api.detect) {
        snprintf(api.why, sizeof api.why, "%s does not export the face detector API", PLUGIN);
        api.create = NULL;
    }
}

/* Defaults live here, not in the plugin, so rules can be parsed without loading OpenCV. */
void fa_facedet_opts_init(fa_facedet_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->min_face_px = 32;
    o->scale_factor = 1.1;
    o->min_neighbors = 3;
    o->verify = FA_FV_EYES | FA_FV_AGREE;
    o->max_pixels = 50000000LL;
    o->work_side = 800;
}

fa_facedet *fa_facedet_new(const fa_facedet_opts *opts, char **errmsg)
{
    pthread_once(&once, load);
    if (!api.create) {
        if (errmsg)
            *errmsg = strdup(api.why);
        return NULL;
    }
    return api.create(opts, errmsg);
}

void fa_facedet_close(fa_facedet *h)
{
    if (h && api.close)
        api.close(h);
}

int fa_facedet_detect(fa_facedet *h, const unsigned char *data, size_t len, fa_faceresult *out, char **errmsg)
{
    if (!h || !api.detect) {
        if (errmsg)
            *errmsg = strdup("no face detector");
        return 3;
    }
    return api.detect(h, data, len, out, errmsg);
}

void fa_facedet_free_str(char *s)
{
    free(s);   /* the plugin allocates with malloc from the same C library */
}

int fa_facedet_available(void)
{
    pthread_once(&once, load);
    return api.create != NULL;
}
