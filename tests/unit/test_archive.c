/* fa_archive through the real scanner: archives written in memory with libarchive's
 * writer, walked by fa_scanner_scan_memory() with no rules and a collecting sink; the
 * objects, errors and limits it records are what the archive layer produced. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "faceaudit/scan.h"
#include "faceaudit/sink.h"
#include "faceaudit/sniff.h"

/* ------------------------------------------------------------------ writing archives */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
} wbuf;

static la_ssize_t w_write(struct archive *a, void *ud, const void *buf, size_t n)
{
    (void)a;
    wbuf *b = ud;
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap) b->cap = b->cap ? b->cap * 2 : 65536;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, buf, n);
    b->len += n;
    return (la_ssize_t)n;
}

typedef struct writer {
    struct archive *a;
    wbuf out;
} writer;

typedef int (*setter)(struct archive *);

static void w_begin(writer *w, setter format, setter filter, const char *options, const char *pass)
{
    memset(w, 0, sizeof *w);
    w->a = archive_write_new();
    cr_assert_eq(format(w->a), ARCHIVE_OK, "%s", archive_error_string(w->a));
    if (filter) cr_assert_eq(filter(w->a), ARCHIVE_OK, "%s", archive_error_string(w->a));
    if (options) cr_assert_eq(archive_write_set_options(w->a, options), ARCHIVE_OK, "%s",
                              archive_error_string(w->a));
    if (pass) cr_assert_eq(archive_write_set_passphrase(w->a, pass), ARCHIVE_OK);
    archive_write_set_bytes_in_last_block(w->a, 1);
    cr_assert_eq(archive_write_open(w->a, &w->out, NULL, w_write, NULL), ARCHIVE_OK, "%s",
                 archive_error_string(w->a));
}

static void w_entry(writer *w, const char *name, unsigned type, const void *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (type == AE_IFLNK) archive_entry_set_symlink(e, "a.txt");
    archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)len : 0);
    cr_assert_eq(archive_write_header(w->a, e), ARCHIVE_OK, "%s: %s", name, archive_error_string(w->a));
    if (type == AE_IFREG && len)
        cr_assert_eq(archive_write_data(w->a, data, len), (la_ssize_t)len, "%s", archive_error_string(w->a));
    archive_entry_free(e);
}

static void w_file(writer *w, const char *name, const char *text) { w_entry(w, name, AE_IFREG, text, strlen(text)); }

/* A member of n zero bytes written in 1 MiB slices (the bomb). */
static void w_zeros(writer *w, const char *name, size_t n)
{
    static unsigned char zero[1 << 20];
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)n);
    cr_assert_eq(archive_write_header(w->a, e), ARCHIVE_OK);
    for (size_t done = 0; done < n; done += sizeof zero)
        cr_assert_gt(archive_write_data(w->a, zero, sizeof zero), 0);
    archive_entry_free(e);
}

static wbuf w_end(writer *w)
{
    cr_assert_eq(archive_write_close(w->a), ARCHIVE_OK, "%s", archive_error_string(w->a));
    archive_write_free(w->a);
    return w->out;
}

/* The standard content: two files, a directory and a symlink. */
static wbuf std_archive(setter format, setter filter)
{
    writer w;
    w_begin(&w, format, filter, NULL, NULL);
    if (format != archive_write_set_format_ar_svr4)
        w_entry(&w, "dir", AE_IFDIR, NULL, 0);
    w_file(&w, "dir/a.txt", "alpha\n");
    /* ar and 7z cannot hold symlinks; streaming zip reads modes from local headers,
     * which have none, so a zip symlink reads as a small file naming its target */
    if (format != archive_write_set_format_ar_svr4 && format != archive_write_set_format_7zip &&
        format != archive_write_set_format_zip)
        w_entry(&w, "dir/link", AE_IFLNK, NULL, 0);
    w_file(&w, "b.txt", "bravo bravo\n");
    return w_end(&w);
}

/* A single compressed stream (raw format) holding `text`. */
static wbuf raw_stream(setter filter, const char *text)
{
    writer w;
    w_begin(&w, archive_write_set_format_raw, filter, NULL, NULL);
    w_file(&w, "ignored", text);
    return w_end(&w);
}

/* ------------------------------------------------------------------ scanning */

typedef struct result {
    fa_scanner *s;
    fa_sink    *sink;
    const fa_collected *c;
    fa_status   st;
    double      seconds;
} result;

static void scan(result *r, const char *path, const wbuf *b, const fa_limits *lim)
{
    fa_scan_opts o;
    fa_scan_opts_init(&o);
    if (lim) o.limits = *lim;
    fa_err err;
    r->s = fa_scanner_new(NULL, &o, &err);
    cr_assert_not_null(r->s, "%s", err.msg);
    r->sink = fa_sink_collect_new();
    struct timespec t0, t1;   /* CPU time: the same on a loaded machine or under valgrind */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    r->st = fa_scanner_scan_memory(r->s, path, b->p, b->len, r->sink, &err);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    r->c = fa_sink_collected(r->sink);
}

static void done(result *r, wbuf *b)
{
    fa_sink_free(r->sink);
    fa_scanner_free(r->s);
    free(b->p);
}

/* "a!b" -> does the members chain equal {"a","b"}? "" = top-level object. */
static int chain_is(const fa_location *l, const char *chain)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", chain);
    size_t i = 0;
    if (!*chain) return l->nmembers == 0;
    for (char *tok = strtok(buf, "!"); tok; tok = strtok(NULL, "!"), i++)
        if (i >= l->nmembers || strcmp(l->members[i], tok) != 0) return 0;
    return i == l->nmembers;
}

static const fa_object_rec *object(const result *r, const char *chain)
{
    for (size_t i = 0; i < r->c->nobjects; i++)
        if (chain_is(&r->c->objects[i].loc, chain)) return &r->c->objects[i];
    return NULL;
}

static size_t count_errors(const result *r, const char *code, const char *chain)
{
    size_t n = 0;
    for (size_t i = 0; i < r->c->nerrors; i++)
        if (!strcmp(r->c->errors[i].code, code) && (!chain || chain_is(&r->c->errors[i].loc, chain)))
            n++;
    return n;
}

static size_t count_limits(const result *r, const char *limit)
{
    size_t n = 0;
    for (size_t i = 0; i < r->c->nlimits; i++)
        if (!strcmp(r->c->limits[i].limit, limit)) n++;
    return n;
}

/* The standard archive's two files are objects with the right chains, sizes and types;
 * the directory and the symlink are not. */
static void expect_std(const char *path, wbuf b, const char *type)
{
    result r;
    scan(&r, path, &b, NULL);
    cr_expect_eq(r.st, FA_OK, "%s", path);
    const fa_object_rec *top = object(&r, "");
    cr_assert_not_null(top, "%s: no top-level object", path);
    cr_expect_str_eq(top->type, type, "%s", path);
    cr_expect_str_eq(top->loc.path, path);
    const fa_object_rec *a = object(&r, "dir/a.txt");
    const fa_object_rec *bb = object(&r, "b.txt");
    if (!a) a = object(&r, "a.txt");   /* ar keeps base names only */
    cr_assert_not_null(a, "%s: dir/a.txt missing", path);
    cr_assert_not_null(bb, "%s: b.txt missing", path);
    cr_expect_eq(a->size, 6, "%s", path);
    cr_expect_eq(bb->size, 12, "%s", path);
    cr_expect_str_eq(a->type, FA_TYPE_TEXT, "%s", path);
    cr_expect_str_eq(a->loc.path, path, "member locations keep the archive's path");
    cr_expect_null(object(&r, "dir"), "%s: a directory is not an object", path);
    cr_expect_null(object(&r, "dir/link"), "%s: a symlink is not an object", path);
    cr_expect_eq(r.c->nobjects, 3, "%s: %zu objects", path, r.c->nobjects);
    cr_expect_eq(r.c->nerrors, 0, "%s: %zu errors (first: %s)", path, r.c->nerrors,
                 r.c->nerrors ? r.c->errors[0].message : "");
    cr_expect_eq(r.c->nlimits, 0, "%s", path);
    done(&r, &b);
}

Test(archive, zip) { expect_std("x.zip", std_archive(archive_write_set_format_zip, NULL), FA_TYPE_ZIP); }
Test(archive, tar) { expect_std("x.tar", std_archive(archive_write_set_format_pax_restricted, NULL), FA_TYPE_TAR); }
Test(archive, tar_gz)
{
    /* the decompressed tar is walked in place: no "x.tar" level between */
    expect_std("x.tar.gz", std_archive(archive_write_set_format_ustar, archive_write_add_filter_gzip), FA_TYPE_GZIP);
}
Test(archive, tar_xz) { expect_std("x.txz", std_archive(archive_write_set_format_gnutar, archive_write_add_filter_xz), FA_TYPE_XZ); }
Test(archive, tar_zst) { expect_std("x.tzst", std_archive(archive_write_set_format_ustar, archive_write_add_filter_zstd), FA_TYPE_ZSTD); }
Test(archive, tar_bz2_lz4)
{
    expect_std("x.tbz2", std_archive(archive_write_set_format_ustar, archive_write_add_filter_bzip2), FA_TYPE_BZIP2);
    expect_std("x.tar.lz4", std_archive(archive_write_set_format_ustar, archive_write_add_filter_lz4), FA_TYPE_LZ4);
}
Test(archive, sevenzip) { expect_std("x.7z", std_archive(archive_write_set_format_7zip, NULL), FA_TYPE_7Z); }
Test(archive, cpio) { expect_std("x.cpio", std_archive(archive_write_set_format_cpio_newc, NULL), FA_TYPE_CPIO); }
Test(archive, ar) { expect_std("x.a", std_archive(archive_write_set_format_ar_svr4, NULL), FA_TYPE_AR); }
Test(archive, iso) { expect_std("x.iso", std_archive(archive_write_set_format_iso9660, NULL), FA_TYPE_ISO); }

/* Raw compressed streams: one member named after the archive without its suffix. */
static void expect_raw(const char *path, setter filter, const char *member, const char *type)
{
    wbuf b = raw_stream(filter, "one line of notes\n");
    result r;
    scan(&r, path, &b, NULL);
    const fa_object_rec *top = object(&r, "");
    cr_assert_not_null(top);
    cr_expect_str_eq(top->type, type, "%s", path);
    const fa_object_rec *m = object(&r, member);
    cr_assert_not_null(m, "%s: member %s missing", path, member);
    cr_expect_str_eq(m->type, FA_TYPE_TEXT);
    cr_expect_eq(r.c->nobjects, 2, "%s", path);
    cr_expect_eq(r.c->nerrors, 0, "%s", path);
    done(&r, &b);
}

Test(archive, raw_streams)
{
    expect_raw("notes.txt.gz", archive_write_add_filter_gzip, "notes.txt", FA_TYPE_GZIP);
    expect_raw("dir/notes.txt.xz", archive_write_add_filter_xz, "notes.txt", FA_TYPE_XZ);
    expect_raw("notes.txt.zst", archive_write_add_filter_zstd, "notes.txt", FA_TYPE_ZSTD);
    expect_raw("notes.bz2", archive_write_add_filter_bzip2, "notes", FA_TYPE_BZIP2);
    expect_raw("NOTES.LZ4", archive_write_add_filter_lz4, "NOTES", FA_TYPE_LZ4);
    expect_raw("backup", archive_write_add_filter_gzip, "data", FA_TYPE_GZIP);   /* no suffix */
}

Test(archive, stream_of_zeros_is_not_an_empty_tar)
{
    /* libarchive alone would take 1 KiB of zeros for an empty tar and list nothing */
    writer w;
    w_begin(&w, archive_write_set_format_raw, archive_write_add_filter_gzip, NULL, NULL);
    static const unsigned char z[4096];
    w_entry(&w, "z", AE_IFREG, z, sizeof z);
    wbuf b = w_end(&w);
    result r;
    scan(&r, "disk.img.gz", &b, NULL);
    const fa_object_rec *m = object(&r, "disk.img");
    cr_assert_not_null(m);
    cr_expect_str_eq(m->type, FA_TYPE_BINARY);
    cr_expect_eq(m->size, 4096);
    done(&r, &b);
}

Test(archive, nested_zip_in_tar_gz)
{
    wbuf inner = std_archive(archive_write_set_format_zip, NULL);
    writer w;
    w_begin(&w, archive_write_set_format_ustar, archive_write_add_filter_gzip, NULL, NULL);
    w_entry(&w, "pkg/inner.zip", AE_IFREG, inner.p, inner.len);
    w_file(&w, "readme.txt", "hi\n");
    wbuf b = w_end(&w);
    free(inner.p);
    result r;
    scan(&r, "outer.tgz", &b, NULL);
    cr_assert_not_null(object(&r, "pkg/inner.zip"));
    cr_expect_not_null(object(&r, "pkg/inner.zip!dir/a.txt"));
    cr_expect_not_null(object(&r, "pkg/inner.zip!b.txt"));
    cr_expect_not_null(object(&r, "readme.txt"), "the walk goes on after a nested archive");
    cr_expect_str_eq(object(&r, "pkg/inner.zip")->type, FA_TYPE_ZIP);
    cr_expect_eq(r.c->nobjects, 5);
    done(&r, &b);
}

Test(archive, encrypted_zip_member_is_an_error)
{
    writer w;
    w_begin(&w, archive_write_set_format_zip, NULL, "zip:encryption=zipcrypt", "s3cret");
    w_file(&w, "secret.txt", "the vault code\n");
    wbuf enc = w_end(&w);
    result r;
    scan(&r, "vault.zip", &enc, NULL);
    cr_expect_eq(count_errors(&r, "encrypted", "secret.txt"), 1, "%zu errors", r.c->nerrors);
    cr_expect_null(object(&r, "secret.txt"), "an encrypted member is not scanned");
    cr_expect_not_null(object(&r, ""));
    cr_expect_neq(r.st, FA_FATAL);
    done(&r, &enc);
}

Test(archive, encrypted_member_then_plain_member)
{
    /* zip with an AES member followed by a plain one: the walk goes on */
    wbuf a1;
    {
        writer w;
        w_begin(&w, archive_write_set_format_zip, NULL, "zip:encryption=aes256", "pw");
        w_file(&w, "locked.txt", "locked\n");
        a1 = w_end(&w);
    }
    wbuf outer;
    {
        writer w;
        w_begin(&w, archive_write_set_format_ustar, NULL, NULL, NULL);
        w_entry(&w, "locked.zip", AE_IFREG, a1.p, a1.len);
        w_file(&w, "open.txt", "open\n");
        outer = w_end(&w);
    }
    free(a1.p);
    result r;
    scan(&r, "mixed.tar", &outer, NULL);
    cr_expect_eq(count_errors(&r, "encrypted", "locked.zip!locked.txt"), 1);
    cr_expect_not_null(object(&r, "open.txt"));
    done(&r, &outer);
}

Test(archive, truncated_zip_is_corrupt)
{
    writer w;
    w_begin(&w, archive_write_set_format_zip, NULL, "zip:compression=store", NULL);
    char big[20000];
    memset(big, 'q', sizeof big);
    big[sizeof big - 1] = '\0';
    w_file(&w, "first.txt", "first\n");
    w_file(&w, "big.txt", big);
    w_file(&w, "last.txt", "last\n");
    wbuf b = w_end(&w);
    b.len = 10000;   /* cut inside big.txt */
    result r;
    scan(&r, "cut.zip", &b, NULL);
    cr_expect_geq(count_errors(&r, "corrupt_archive", NULL), 1, "%zu errors", r.c->nerrors);
    cr_expect_not_null(object(&r, "first.txt"));
    cr_expect_null(object(&r, "last.txt"));
    cr_expect_not_null(object(&r, ""), "the archive itself is still an object");
    cr_expect_neq(r.st, FA_FATAL, "a corrupt archive does not stop the scan");
    done(&r, &b);
}

Test(archive, corrupt_gzip_is_an_error_not_a_member)
{
    wbuf b = { 0 };
    b.len = 600;
    b.p = malloc(b.len);
    memcpy(b.p, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    for (size_t i = 10; i < b.len; i++) b.p[i] = (unsigned char)(i * 131 + 7);
    result r;
    scan(&r, "junk.gz", &b, NULL);
    cr_expect_eq(count_errors(&r, "corrupt_archive", ""), 1, "%zu errors", r.c->nerrors);
    cr_expect_null(object(&r, "junk"), "undecodable data is not passed off as the member");
    done(&r, &b);
}

Test(archive, ratio_bomb_is_cut_off_fast)
{
    writer w;
    w_begin(&w, archive_write_set_format_ustar, archive_write_add_filter_zstd, NULL, NULL);
    w_zeros(&w, "zeros.bin", (size_t)200 << 20);
    w_file(&w, "after.txt", "after\n");
    wbuf b = w_end(&w);
    cr_assert_lt(b.len, 1 << 20);
    result r;
    scan(&r, "bomb.tar.zst", &b, NULL);
    cr_expect_eq(count_limits(&r, "max_ratio"), 1, "%zu limits", r.c->nlimits);
    /* the bomb fills the stream: nothing after it is reached (how fast: make bench) */
    cr_expect_null(object(&r, "after.txt"));
    done(&r, &b);
}

Test(archive, ratio_limit_on_a_raw_stream)
{
    fa_limits lim;
    fa_limits_defaults(&lim);
    lim.value[FA_LIM_MAX_RATIO] = 10;
    writer w;
    w_begin(&w, archive_write_set_format_raw, archive_write_add_filter_gzip, NULL, NULL);
    w_zeros(&w, "x", (size_t)4 << 20);
    wbuf b = w_end(&w);
    result r;
    scan(&r, "zeros.gz", &b, &lim);
    cr_expect_eq(count_limits(&r, "max_ratio"), 1);
    cr_expect_eq(r.c->limits[0].value, 10);
    cr_expect(chain_is(&r.c->limits[0].loc, "zeros"), "limit located at the member");
    done(&r, &b);

    /* the same data under the default ratio is fine */
    w_begin(&w, archive_write_set_format_raw, archive_write_add_filter_gzip, NULL, NULL);
    w_zeros(&w, "x", (size_t)4 << 20);
    b = w_end(&w);
    scan(&r, "zeros.gz", &b, NULL);
    cr_expect_eq(r.c->nlimits, 0);
    done(&r, &b);
}

Test(archive, max_members_budget)
{
    fa_limits lim;
    fa_limits_defaults(&lim);
    lim.value[FA_LIM_MAX_MEMBERS] = 10;
    wbuf inner = std_archive(archive_write_set_format_zip, NULL);   /* 2 more members */
    writer w;
    w_begin(&w, archive_write_set_format_zip, NULL, NULL, NULL);
    char name[32];
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "m%02d.txt", i);
        w_file(&w, name, "x\n");
    }
    w_entry(&w, "nested.zip", AE_IFREG, inner.p, inner.len);   /* member 9; its two: 10, 11 */
    for (int i = 8; i < 20; i++) {
        snprintf(name, sizeof name, "m%02d.txt", i);
        w_file(&w, name, "x\n");
    }
    wbuf b = w_end(&w);
    free(inner.p);
    result r;
    scan(&r, "many.zip", &b, &lim);
    cr_expect_eq(count_limits(&r, "max_members"), 1, "%zu limits", r.c->nlimits);
    /* 10 members plus the archive itself: the budget counts across nesting */
    cr_expect_eq(r.c->nobjects, 11, "%zu objects", r.c->nobjects);
    cr_expect_not_null(object(&r, "nested.zip!dir/a.txt"));
    cr_expect_null(object(&r, "nested.zip!b.txt"));
    cr_expect_null(object(&r, "m08.txt"), "the budget stops the outer walk too");
    done(&r, &b);
}

Test(archive, max_archive_bytes_budget)
{
    fa_limits lim;
    fa_limits_defaults(&lim);
    lim.value[FA_LIM_MAX_ARCHIVE_BYTES] = 1 << 20;
    static char chunk[300 * 1024];
    memset(chunk, 'a', sizeof chunk - 1);
    writer w;
    w_begin(&w, archive_write_set_format_ustar, archive_write_add_filter_gzip, NULL, NULL);
    char name[32];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "part%d.txt", i);
        w_file(&w, name, chunk);
    }
    wbuf b = w_end(&w);
    result r;
    scan(&r, "parts.tgz", &b, &lim);
    cr_expect_eq(count_limits(&r, "max_archive_bytes"), 1, "%zu limits", r.c->nlimits);
    cr_expect_not_null(object(&r, "part0.txt"));
    cr_expect_null(object(&r, "part5.txt"));
    done(&r, &b);
}

static double scan_members(int n)
{
    writer w;
    w_begin(&w, archive_write_set_format_cpio_newc, NULL, NULL, NULL);
    char name[32];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "d%03d/f%06d", i % 997, i);
        w_file(&w, name, "x\n");
    }
    wbuf b = w_end(&w);
    result r;
    scan(&r, "many.cpio", &b, NULL);
    cr_expect_eq(r.c->nobjects, (size_t)n + 1, "%zu objects", r.c->nobjects);
    cr_expect_eq(r.c->nlimits, 0);
    double t = r.seconds;
    done(&r, &b);
    return t;
}

/* 100,000 members: all listed, and the cost grows linearly (a quadratic step, such as a
 * list searched per member, would make ten times the members cost a hundred times more).
 * A ratio of CPU times, not a wall-clock bound: speed itself is make bench's business. */
Test(archive, hundred_thousand_members_scale_linearly)
{
    double small = scan_members(10000), large = scan_members(100000);
    cr_expect_lt(large, 35.0 * (small > 0.01 ? small : 0.01), "10k members %.3fs, 100k %.3fs", small, large);
    cr_log_info("10k members %.3fs, 100k %.3fs", small, large);
}

Test(archive, hostile_bytes_never_crash)
{
    wbuf seeds[4] = {
        std_archive(archive_write_set_format_zip, NULL),
        std_archive(archive_write_set_format_ustar, archive_write_add_filter_gzip),
        std_archive(archive_write_set_format_7zip, NULL),
        std_archive(archive_write_set_format_cpio_newc, archive_write_add_filter_xz),
    };
    const char *names[4] = { "f.zip", "f.tgz", "f.7z", "f.cpio.xz" };
    uint32_t x = 2463534242u;
    for (int s = 0; s < 4; s++) {
        for (int round = 0; round < 150; round++) {
            wbuf b = { malloc(seeds[s].len), seeds[s].len, seeds[s].len };
            memcpy(b.p, seeds[s].p, b.len);
            int flips = 1 + round % 8;
            for (int k = 0; k < flips; k++) {
                x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                b.p[x % b.len] ^= (unsigned char)(1u << (x >> 8) % 8);
            }
            if (round % 5 == 0) b.len = x % b.len;   /* and truncation */
            result r;
            scan(&r, names[s], &b, NULL);
            cr_expect_neq(r.st, FA_FATAL);
            cr_expect_not_null(object(&r, ""), "the archive is always an object");
            done(&r, &b);
        }
        free(seeds[s].p);
    }
}

/* ------------------------------------------------------------------ with a text rule */

static const char pack[] =
    "id: t\nversion: 1.0.0\ndescription: archive tests\nrules:\n"
    "  - id: t.faceprint\n    kind: regex\n    category: face_template\n    severity: medium\n"
    "    description: A test marker. More.\n    pattern: 'faceprint=\\d+'\n"
    "    examples: {match: ['faceprint=1', 'x faceprint=22'], no_match: ['faceprint', 'c']}\n";

static void scan_rules(result *r, fa_ruleset **rs, const char *path, const wbuf *b, const fa_limits *lim)
{
    fa_err err;
    *rs = fa_ruleset_new();
    cr_assert_eq(fa_ruleset_load_mem(*rs, "t.yaml", pack, sizeof pack - 1, &err), FA_OK, "%s", err.msg);
    fa_scan_opts o;
    fa_scan_opts_init(&o);
    if (lim) o.limits = *lim;
    r->s = fa_scanner_new(*rs, &o, &err);
    cr_assert_not_null(r->s, "%s", err.msg);
    r->sink = fa_sink_collect_new();
    r->st = fa_scanner_scan_memory(r->s, path, b->p, b->len, r->sink, &err);
    r->c = fa_sink_collected(r->sink);
}

static size_t count_findings(const result *r, const char *chain)
{
    size_t n = 0;
    for (size_t i = 0; i < r->c->nfindings; i++)
        if (chain_is(&r->c->findings[i].loc, chain)) n++;
    return n;
}

/* A member over max_member_size is dropped whole (the marker at its end is not reported
 * from a prefix) and the walk goes on to the next member, skipping (tar) or draining
 * (tar.gz) the rest. */
static void member_size_case(const char *path, setter filter)
{
    fa_limits lim;
    fa_limits_defaults(&lim);
    lim.value[FA_LIM_MAX_MEMBER_SIZE] = 1 << 20;
    size_t n = 3 << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++) big[i] = (i % 64 == 63) ? '\n' : 'b';
    memcpy(big + n - 13, "faceprint=7\n", 13);
    writer w;
    w_begin(&w, archive_write_set_format_ustar, filter, NULL, NULL);
    w_file(&w, "first.txt", "faceprint=1\n");
    w_file(&w, "big.txt", big);
    w_file(&w, "small.txt", "faceprint=2\n");
    wbuf b = w_end(&w);
    free(big);
    result r;
    fa_ruleset *rs;
    scan_rules(&r, &rs, path, &b, &lim);
    cr_expect_eq(count_limits(&r, "max_member_size"), 1, "%s: %zu limits", path, r.c->nlimits);
    cr_expect(r.c->nlimits >= 1 && chain_is(&r.c->limits[0].loc, "big.txt"), "%s: limit at big.txt", path);
    cr_expect_eq(count_findings(&r, "first.txt"), 1, "%s", path);
    cr_expect_eq(count_findings(&r, "big.txt"), 0, "%s: no finding from a dropped member", path);
    cr_expect_eq(count_findings(&r, "small.txt"), 1, "%s: the walk goes on after the limit", path);
    cr_expect_eq(count_errors(&r, "corrupt_archive", NULL), 0, "%s", path);
    done(&r, &b);
    fa_ruleset_free(rs);
}

Test(archive, max_member_size_drops_the_member)
{
    member_size_case("big.tar", NULL);
    member_size_case("big.tar.gz", archive_write_add_filter_gzip);
}

Test(archive, findings_inside_nested_archives)
{
    writer w;
    w_begin(&w, archive_write_set_format_zip, NULL, NULL, NULL);
    w_file(&w, "deep/notes.txt", "hello\nfaceprint=42\n");
    wbuf inner = w_end(&w);
    w_begin(&w, archive_write_set_format_ustar, archive_write_add_filter_xz, NULL, NULL);
    w_entry(&w, "inner.zip", AE_IFREG, inner.p, inner.len);
    wbuf b = w_end(&w);
    free(inner.p);
    result r;
    fa_ruleset *rs;
    scan_rules(&r, &rs, "outer.tar.xz", &b, NULL);
    cr_expect_eq(count_findings(&r, "inner.zip!deep/notes.txt"), 1, "%zu findings", r.c->nfindings);
    cr_expect(r.c->nfindings == 1 && r.c->findings[0].loc.line == 2);
    done(&r, &b);
    fa_ruleset_free(rs);
}
