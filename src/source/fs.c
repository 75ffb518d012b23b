/* Filesystem source: walks a folder (sorted, so output order is stable), or opens one file.
 * Symlinks below a folder are not followed unless asked, and then with loop detection;
 * FIFOs, sockets and devices are never opened. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "faceaudit/buf.h"
#include "faceaudit/suppress.h"
#include "../scan/internal.h"

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct walk {
    fa_scanner *s;
    const char *target;
    dir_id     *stack;   /* folders being walked, for symlink loop detection */
    size_t      depth, alloc;
    char       *abs_root;
} walk;

/* file:// URI of an absolute path, percent-encoding all but unreserved characters and '/'. */
static char *file_uri(const char *abs)
{
    fa_buf b = FA_BUF_INIT;
    fa_buf_adds(&b, "file://");
    for (const unsigned char *p = (const unsigned char *)abs; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            fa_buf_addch(&b, *p);
        else
            fa_buf_addf(&b, "%%%02X", *p);
    }
    return fa_buf_detach(&b, NULL);
}

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return fa_xstrdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return fa_xstrdup(path);
    const char *p = path;
    while (!strncmp(p, "./", 2))
        p += 2;
    if (!strcmp(p, "."))
        return fa_xstrdup(cwd);
    return fa_xasprintf("%s/%s", cwd, p);
}

static void make_location(walk *w, fa_location *loc, const char *path, const char *rel)
{
    fa_location_init(loc);
    loc->target = fa_xstrdup(w->target);
    loc->path = fa_xstrdup(path);
    char *abs = rel && *rel ? fa_xasprintf("%s/%s", w->abs_root, rel) : fa_xstrdup(w->abs_root);
    loc->uri = file_uri(abs);
    free(abs);
}

/* Patterns without '/' match any path component's name; others match the relative path
 * (where * also crosses '/', so "**" works as in gitignore). */
static int glob_match(const char *pat, const char *rel, const char *name)
{
    if (!strchr(pat, '/'))
        return fnmatch(pat, name, FNM_PERIOD) == 0 || fnmatch(pat, name, 0) == 0;
    const char *p = pat;
    if (p[0] == '/')
        p++;
    return fnmatch(p, rel, 0) == 0;
}

static int any_match(const char **pats, const char *rel, const char *name)
{
    for (; pats && *pats; pats++)
        if (glob_match(*pats, rel, name))
            return 1;
    return 0;
}

static int excluded(walk *w, const char *rel, const char *name)
{
    return any_match(w->s->opts.exclude, rel, name);
}

static int included(walk *w, const char *rel, const char *name)
{
    if (!w->s->opts.include || !w->s->opts.include[0])
        return 1;
    return any_match(w->s->opts.include, rel, name);
}

/* Hands the open file to the scanner, which owns fd from here on. */
static fa_status scan_file(walk *w, const char *path, const char *rel, const char *name, int fd,
                           const struct stat *st)
{
    fa_location loc;
    make_location(w, &loc, path, rel);
    return fa_scanner_submit(w->s, &loc, name, fd, 0, st->st_size, st->st_mtime);
}

/* Opens a regular file without blocking on a FIFO swapped in after lstat(). `name` is
 * relative to the folder descriptor dfd (AT_FDCWD for a path). */
static int open_regular(int dfd, const char *name, int follow, struct stat *st, int *err_out)
{
    int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        *err_out = errno;
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        *err_out = 0;
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static fa_status walk_dir(walk *w, int dfd, const char *path, const char *rel, const struct stat *dst);

/* Folders deeper than this are walked by path, so that a deep tree cannot run the process
 * out of descriptors (each folder above the current one stays open). */
#define WALK_FD_DEPTH 64

/* One entry of the folder open as dfd (or -1: reached by path). Entries are reached through
 * the folder's descriptor: no path walk per file, and a parent folder renamed or swapped for
 * a symlink during the scan cannot redirect the walk. */
static fa_status walk_entry(walk *w, int dfd, const char *path, const char *rel, const char *name)
{
    fa_scanner *s = w->s;
    struct stat st;
    int at = dfd >= 0 ? dfd : AT_FDCWD;
    const char *at_name = dfd >= 0 ? name : path;
    if (fstatat(at, at_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        fa_location loc;
        make_location(w, &loc, path, rel);
        /* A file that vanished between readdir and lstat is an error entry, not a crash. */
        fa_scan_error_at(s, &loc, errno == ENOENT ? "vanished" : "unreadable", "cannot stat: %s", strerror(errno));
        fa_location_free(&loc);
        return FA_OK;
    }
    if (S_ISLNK(st.st_mode)) {
        if (!s->opts.follow_symlinks)
            return FA_OK;
        if (fstatat(at, at_name, &st, 0) != 0) {
            if (errno == ELOOP) {   /* a chain of links that ends where it started */
                fa_location loc;
                make_location(w, &loc, path, rel);
                fa_scan_error_at(s, &loc, "symlink_loop", "symbolic link loop: %s", strerror(errno));
                fa_location_free(&loc);
            }
            return FA_OK;   /* dangling link: nothing to scan */
        }
    }
    if (excluded(w, rel, name) || fa_suppress_path(s->opts.suppress, rel, S_ISDIR(st.st_mode)))
        return FA_OK;
    if (S_ISDIR(st.st_mode)) {
        if (w->depth >= WALK_FD_DEPTH)
            return walk_dir(w, -1, path, rel, &st);
        int cfd = openat(at, at_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (s->opts.follow_symlinks ? 0 : O_NOFOLLOW));
        if (cfd < 0) {
            fa_location loc;
            make_location(w, &loc, path, rel);
            fa_scan_error_at(s, &loc, "unreadable", "cannot read folder: %s", strerror(errno));
            fa_location_free(&loc);
            return FA_OK;
        }
        fa_status r = walk_dir(w, cfd, path, rel, &st);
        close(cfd);
        return r;
    }
    if (!S_ISREG(st.st_mode) || !included(w, rel, name))
        return FA_OK;   /* FIFOs, sockets, devices: never opened */
    if (fa_scanner_other_shard(s, path))
        return FA_OK;
    if (s->opts.since != INT64_MIN && st.st_mtime < s->opts.since)
        return FA_OK;   /* --since: not part of this scan; not even opened */
    if (s->opts.state) {
        fa_location loc;
        make_location(w, &loc, path, rel);
        int carried = fa_scanner_submit_if_unchanged(s, &loc, name, st.st_size, st.st_mtime);
        fa_location_free(&loc);
        if (carried)
            return s->cancelled ? FA_FATAL : FA_OK;
    }
    int e = 0;
    int fd = open_regular(at, at_name, s->opts.follow_symlinks, &st, &e);
    if (fd < 0) {
        if (e) {
            fa_location loc;
            make_location(w, &loc, path, rel);
            fa_scan_error_at(s, &loc, e == ENOENT ? "vanished" : "unreadable", "cannot open: %s", strerror(e));
            fa_location_free(&loc);
        }
        return FA_OK;
    }
    return scan_file(w, path, rel, name, fd, &st);
}

/* Walks the folder open as dfd (the caller closes it), or by path when dfd is -1. It stays
 * open while its entries are walked: descriptors in use grow with depth, up to WALK_FD_DEPTH. */
static fa_status walk_dir(walk *w, int dfd, const char *path, const char *rel, const struct stat *dst)
{
    fa_scanner *s = w->s;
    for (size_t i = 0; i < w->depth; i++)
        if (w->stack[i].dev == dst->st_dev && w->stack[i].ino == dst->st_ino) {
            fa_location loc;
            make_location(w, &loc, path, rel);
            fa_scan_error_at(s, &loc, "symlink_loop", "symbolic link loop: folder already being walked");
            fa_location_free(&loc);
            return FA_OK;
        }
    /* closedir() closes the descriptor it reads: a duplicate, or the folder opened by path */
    int lfd = dfd >= 0 ? dup(dfd)
                       : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (s->opts.follow_symlinks ? 0 : O_NOFOLLOW));
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (!d) {
        fa_location loc;
        make_location(w, &loc, path, rel);
        fa_scan_error_at(s, &loc, "unreadable", "cannot read folder: %s", strerror(errno));
        fa_location_free(&loc);
        if (lfd >= 0)
            close(lfd);
        return FA_OK;
    }
    char **names = NULL;
    size_t n = 0, alloc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        FA_GROW(names, n + 1, alloc);
        names[n++] = fa_xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    FA_GROW(w->stack, w->depth + 1, w->alloc);
    w->stack[w->depth].dev = dst->st_dev;
    w->stack[w->depth].ino = dst->st_ino;
    w->depth++;
    fa_status r = FA_OK;
    size_t pl = strlen(path);
    const char *sep = pl && path[pl - 1] == '/' ? "" : "/";
    for (size_t i = 0; i < n; i++) {
        if (r != FA_FATAL) {
            char *child = fa_xasprintf("%s%s%s", path, sep, names[i]);
            char *crel = *rel ? fa_xasprintf("%s/%s", rel, names[i]) : fa_xstrdup(names[i]);
            r = walk_entry(w, dfd, child, crel, names[i]);
            free(child);
            free(crel);
        }
        free(names[i]);
    }
    free(names);
    w->depth--;
    return r;
}

/* A file named on the command line (a pre-commit hook passes staged files) is matched against
 * --exclude and the ignore patterns by its path relative to the current folder, as git
 * matches a root .gitignore; a path outside it by its name alone. A pattern that matches
 * one of its parent folders ignores it too. */
static int file_target_skipped(walk *w, const char *target, const char *name)
{
    fa_scanner *s = w->s;
    if (!fa_suppress_npatterns(s->opts.suppress) && !(s->opts.exclude && s->opts.exclude[0]))
        return 0;
    const char *rel = target;
    char cwd[PATH_MAX];
    if (target[0] == '/') {
        size_t n = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
        rel = n && !strncmp(target, cwd, n) && target[n] == '/' ? target + n + 1 : name;
    }
    while (rel[0] == '.' && rel[1] == '/')
        for (rel += 2; *rel == '/'; rel++) {}
    if (!strncmp(rel, "../", 3) || strstr(rel, "/../") || strstr(rel, "//"))
        rel = name;
    if (any_match(s->opts.exclude, rel, name))
        return 1;
    /* A parent folder that --exclude or an ignore pattern names skips the file, as the walk
     * would never have entered that folder. */
    for (const char *p = strchr(rel, '/'); p; p = strchr(p + 1, '/')) {
        char *parent = fa_xstrndup(rel, (size_t)(p - rel));
        const char *pname = strrchr(parent, '/');
        pname = pname ? pname + 1 : parent;
        int hit = any_match(s->opts.exclude, parent, pname) || fa_suppress_path(s->opts.suppress, parent, 1);
        free(parent);
        if (hit)
            return 1;
    }
    return fa_suppress_path(s->opts.suppress, rel, 0);
}

fa_status fa_source_fs(fa_scanner *s, const char *target, fa_err *err)
{
    walk w = { .s = s, .target = target };
    struct stat st;
    /* A target named on the command line is followed even if it is a symlink (like find -H). */
    if (stat(target, &st) != 0)
        return fa_err_set(err, FA_FATAL, "target", "cannot scan '%s': %s", target, strerror(errno));
    w.abs_root = absolute(target);
    fa_status r = FA_OK;
    if (S_ISDIR(st.st_mode)) {
        int dfd = access(target, R_OK | X_OK) == 0 ? open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dfd < 0) {
            r = fa_err_set(err, FA_FATAL, "target", "cannot read folder '%s': %s", target, strerror(errno));
        } else {
            r = walk_dir(&w, dfd, target, "", &st);
            close(dfd);
            if (r == FA_FATAL)
                r = FA_OK;   /* cancelled: not a target error */
        }
    } else if (S_ISREG(st.st_mode)) {
        int e = 0;
        int fd = open_regular(AT_FDCWD, target, 1, &st, &e);
        if (fd < 0) {
            r = fa_err_set(err, FA_FATAL, "target", "cannot open '%s': %s", target, strerror(e ? e : EINVAL));
        } else {
            const char *slash = strrchr(target, '/');
            if (fa_scanner_other_shard(s, target) || file_target_skipped(&w, target, slash ? slash + 1 : target))
                close(fd);
            else
                scan_file(&w, target, "", slash ? slash + 1 : target, fd, &st);
        }
    } else {
        r = fa_err_set(err, FA_FATAL, "target", "cannot scan '%s': not a regular file or folder", target);
    }
    free(w.abs_root);
    free(w.stack);
    return r;
}

fa_status fa_source_stdin(fa_scanner *s, fa_err *err)
{
    (void)err;
    fa_location loc;
    fa_location_init(&loc);
    loc.target = fa_xstrdup("-");
    loc.path = fa_xstrdup("-");
    loc.uri = fa_xstrdup("stdin:");
    /* A regular file on stdin (faceaudit scan - < file) has a size and a time. */
    struct stat st;
    int64_t size = -1, mtime = INT64_MIN;
    if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
        size = st.st_size;
        mtime = st.st_mtime;
    }
    return fa_scanner_submit(s, &loc, "-", 0, 1, size, mtime);
}
