/* fa_archive: walks containers and compressed streams with libarchive, streaming.
 *
 * Input is pulled from an fa_reader through libarchive's read callback (one 16 KiB block
 * per walk); members are handed out as fa_readers over archive_read_data(). Nothing is
 * written to disk and no member is buffered here. Two exceptions to pure streaming: 7z
 * must seek to its trailing directory, so it alone is held in memory (bounded by
 * max_member_size); and a single compressed stream (gz, bz2, xz, zst, lz4) is opened with
 * the raw format, its decompressed head sniffed, and an archive found inside (x.tar.gz) is
 * walked in place, without a member level for the decompressed stream.
 *
 * Formats: every libarchive container format except mtree (an mtree "archive" lists
 * local paths whose contents libarchive would read from our disk). No passphrase is ever
 * given: encrypted members and archives are "encrypted" errors.
 *
 * Limits (via fa_ctx_limit, recorded once each):
 *  - max_members: regular members counted in budget->members across nesting; on a hit the
 *    budget is exhausted and the walk stops.
 *  - max_archive_bytes: member bytes expanded (read, drained, or for a compressed stream
 *    walked in place, decompressed) in budget->bytes; same.
 *  - max_member_size: when a member's reader would go past it, the limit is recorded and
 *    the reader fails (returns -1, err.code "limit"): the caller discards the member
 *    rather than scanning a silently truncated prefix. Draining is not bounded by it
 *    (nothing is held), so the walk goes on with the next member.
 *  - max_ratio: bytes produced / raw archive bytes consumed while reading this member
 *    (archive_filter_bytes(a, -1) deltas, never less than one input block because of
 *    read-ahead), checked once 1 MiB was produced; a hit cuts the member off like
 *    max_member_size.
 * Errors of a member reader (err.code "limit", "corrupt_archive", "encrypted", "input",
 * "cancelled") are recorded by the walk itself (or were, for "limit"): the callback must
 * not report them again; it should just abandon the member and return FA_OK.
 *
 * After the callback, whatever it left unread is skipped. For formats where skipping is
 * cheap and bounded (uncompressed tar/cpio/ar/iso, zip members with known sizes) libarchive
 * skips; otherwise (7z, rar, a filter around the archive: skipping means decompressing)
 * the rest is drained through the same limits, so a bomb that the callback did not read
 * is still cut off. A ratio hit in a non-skippable archive ends that archive, since
 * reaching the next member would mean expanding the bomb. */
#include "faceaudit/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "faceaudit/sniff.h"

#define IN_BLOCK   (16 * 1024)
#define DRAIN_BUF  (16 * 1024)   /* on the stack of finish_member */
#define RATIO_MIN  (1 << 20)     /* bytes produced before the ratio is judged */

/* Member reader states. */
enum { M_OPEN, M_EOF, M_LIMIT_SIZE, M_LIMIT_RATIO, M_LIMIT_BUDGET, M_CORRUPT, M_ENCRYPTED,
       M_CANCELLED };

typedef struct walk {
    fa_ctx              *ctx;
    fa_reader           *in;
    const fa_location   *loc;
    fa_archive_budget   *budget;
    struct archive      *a;
    unsigned char       *block;       /* input block for libarchive */
    int                  in_failed;   /* the input reader failed (already explained in in->err) */
    int                  raw;         /* raw format enabled: a single compressed stream */

    /* current member */
    fa_reader            mr;
    const char          *name;        /* sanitized, in namebuf */
    fa_buf               namebuf;
    int                  state;
    int                  draining;    /* the callback is done: no max_member_size */
    int64_t              produced;
    int64_t              raw0;        /* archive_filter_bytes(a, -1) when the previous member
                                         was done (0 for the first) */
    int                  fatal;       /* the data error was ARCHIVE_FATAL */
    int                  stream;      /* reading a compressed stream that is itself an archive:
                                         no max_member_size (nothing is held) */
    int                  at_archive;  /* errors and limits belong to the archive, not a member */
    int                  nobudget;    /* our input's bytes were counted already (an archive
                                         inside a compressed stream) */
    char                 errmsg[512]; /* libarchive's message for M_CORRUPT / M_ENCRYPTED */
} walk;

/* --- location helpers: member locations are only built when something is recorded */

static void member_loc(const walk *w, fa_location *ml)
{
    fa_location_copy(ml, w->loc);
    if (!w->at_archive) fa_location_push_member(ml, w->name);
}

/* Checks first, so the member's location is only built for a hit. */
static int member_limit(walk *w, fa_limit_id id, int64_t observed)
{
    if (!fa_limit_exceeded(fa_ctx_limits(w->ctx), id, observed)) return 0;
    fa_location ml;
    member_loc(w, &ml);
    int hit = fa_ctx_limit(w->ctx, id, observed, &ml);
    fa_location_free(&ml);
    return hit;
}

static int looks_encrypted(const char *msg)
{
    return msg && (strcasestr(msg, "encrypt") || strcasestr(msg, "passphrase") ||
                   strcasestr(msg, "password"));
}

/* --- libarchive input callback: pulls from the fa_reader */

static la_ssize_t in_read(struct archive *a, void *ud, const void **buf)
{
    walk *w = ud;
    long long n = w->in->read(w->in, w->block, IN_BLOCK);
    if (n < 0) {
        w->in_failed = 1;
        archive_set_error(a, EIO, "read error: %s",
                          w->in->err.msg[0] ? w->in->err.msg : "input failed");
        return -1;
    }
    *buf = w->block;
    return (la_ssize_t)n;
}

/* --- the member reader */

/* max_member_size, for a member the callback reads (not while draining, not for a
 * stream that is walked in place). -1 (state and err set) on a hit. */
static int check_size(walk *w)
{
    if (!w->stream && !w->draining && member_limit(w, FA_LIM_MAX_MEMBER_SIZE, w->produced)) {
        w->state = M_LIMIT_SIZE;
        fa_err_set(&w->mr.err, FA_FAIL, "limit", "member exceeds max_member_size");
        return -1;
    }
    return 0;
}

/* Counts n expanded bytes: the member's size and the budget's max_archive_bytes. */
static int account(walk *w, int64_t n)
{
    if (check_size(w) < 0) return -1;
    if (w->nobudget) return 0;
    w->budget->bytes += n;
    if (fa_ctx_limit(w->ctx, FA_LIM_MAX_ARCHIVE_BYTES, w->budget->bytes, w->loc)) {
        w->budget->exhausted = 1;
        w->state = M_LIMIT_BUDGET;
        fa_err_set(&w->mr.err, FA_FAIL, "limit", "archive exceeds max_archive_bytes");
        return -1;
    }
    return 0;
}

static long long member_read(fa_reader *r, void *buf, size_t n)
{
    walk *w = r->impl;
    if (w->state == M_EOF) return 0;
    if (w->state != M_OPEN) return -1;
    if (fa_ctx_cancelled(w->ctx)) {
        w->state = M_CANCELLED;
        fa_err_set(&r->err, FA_FATAL, "cancelled", "scan cancelled");
        return -1;
    }
    if (n == 0) return 0;

    la_ssize_t got = archive_read_data(w->a, buf, n);
    if (got == 0) { w->state = M_EOF; return 0; }
    if (got < 0) {
        const char *msg = archive_error_string(w->a);
        snprintf(w->errmsg, sizeof w->errmsg, "%s", msg ? msg : "unreadable member data");
        w->fatal = got == ARCHIVE_FATAL;
        if (w->in_failed) {
            /* the outer reader failed; whoever owns it reports */
            w->state = M_CORRUPT;
            fa_err_set(&r->err, FA_FAIL, "input", "%s", w->errmsg);
        } else if (looks_encrypted(msg)) {
            w->state = M_ENCRYPTED;
            fa_err_set(&r->err, FA_FAIL, "encrypted", "%s", w->errmsg);
        } else {
            w->state = M_CORRUPT;
            fa_err_set(&r->err, FA_FAIL, "corrupt_archive", "%s", w->errmsg);
        }
        return -1;
    }

    w->produced += got;
    if (account(w, got) < 0) return -1;
    if (w->produced >= RATIO_MIN) {
        /* libarchive reads ahead by blocks, so this member's first compressed bytes may
         * have come in before its header: never judge on less than one block. */
        int64_t consumed = archive_filter_bytes(w->a, -1) - w->raw0;
        if (consumed < IN_BLOCK) consumed = IN_BLOCK;
        if (member_limit(w, FA_LIM_MAX_RATIO, w->produced / consumed)) {
            w->state = M_LIMIT_RATIO;
            fa_err_set(&r->err, FA_FAIL, "limit", "member exceeds max_ratio");
            return -1;
        }
    }
    return got;
}

/* --- names */

/* Copies a member name into namebuf as valid UTF-8 without control characters (names
 * end up in JSON and terminal output); drops leading "./". */
static const char *clean_name(fa_buf *b, const char *s)
{
    fa_buf_reset(b);
    if (!s) s = "";
    while (s[0] == '.' && s[1] == '/') {
        s += 2;
        while (*s == '/') s++;
    }
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            fa_buf_addch(b, (c < 0x20 || c == 0x7f) ? '?' : c);
            p++;
            continue;
        }
        size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        size_t j = 1;
        while (len && j < len && (p[j] & 0xc0) == 0x80) j++;
        int ok = len && j == len;
        if (ok && len == 3) {
            unsigned cp = (c & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f);
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        } else if (ok && len == 4) {
            unsigned cp = (c & 0x07) << 18 | (p[1] & 0x3f) << 12 | (p[2] & 0x3f) << 6 | (p[3] & 0x3f);
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (ok) { fa_buf_add(b, p, len); p += len; }
        else { fa_buf_adds(b, "\xef\xbf\xbd"); p++; }   /* U+FFFD */
    }
    if (b->len == 0) fa_buf_adds(b, "data");
    return b->buf;
}

/* The one member of a raw compressed stream is named after the archive without its
 * compression suffix ("notes.txt.gz" -> "notes.txt", "x.tgz" -> "x.tar"), else "data". */
static const char *raw_name(walk *w)
{
    const fa_location *l = w->loc;
    const char *base = l->nmembers ? l->members[l->nmembers - 1] : l->path;
    if (!base) return clean_name(&w->namebuf, "data");
    const char *slash = strrchr(base, '/');
    if (slash) base = slash + 1;
    static const struct { const char *suf, *repl; } sufs[] = {
        { ".gz", "" }, { ".gzip", "" }, { ".z", "" }, { ".bz2", "" }, { ".bz", "" },
        { ".bzip2", "" }, { ".xz", "" }, { ".zst", "" }, { ".zstd", "" }, { ".lz4", "" },
        { ".tgz", ".tar" }, { ".taz", ".tar" }, { ".tbz", ".tar" }, { ".tbz2", ".tar" },
        { ".txz", ".tar" }, { ".tzst", ".tar" },
    };
    size_t bl = strlen(base);
    for (size_t i = 0; i < sizeof sufs / sizeof sufs[0]; i++) {
        size_t sl = strlen(sufs[i].suf);
        if (bl > sl && strcasecmp(base + bl - sl, sufs[i].suf) == 0) {
            fa_buf tmp = FA_BUF_INIT;
            fa_buf_add(&tmp, base, bl - sl);
            fa_buf_adds(&tmp, sufs[i].repl);
            clean_name(&w->namebuf, tmp.buf);
            fa_buf_release(&tmp);
            return w->namebuf.buf;
        }
    }
    return clean_name(&w->namebuf, "data");
}

/* --- walk */

static int is_stream_type(const char *type)
{
    return type && (!strcmp(type, FA_TYPE_GZIP) || !strcmp(type, FA_TYPE_BZIP2) ||
                    !strcmp(type, FA_TYPE_XZ) || !strcmp(type, FA_TYPE_ZSTD) ||
                    !strcmp(type, FA_TYPE_LZ4));
}

/* Skipping a member costs only reading (not expanding) its stored bytes. */
static int cheap_skip(struct archive *a)
{
    if (archive_filter_count(a) > 1) return 0;   /* a compression filter wraps the archive */
    switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_TAR: case ARCHIVE_FORMAT_CPIO: case ARCHIVE_FORMAT_AR:
    case ARCHIVE_FORMAT_ISO9660: case ARCHIVE_FORMAT_ZIP:
        return 1;
    default:
        return 0;
    }
}

static void record_archive_error(walk *w, int at_member, const char *code, const char *msg)
{
    if (at_member) {
        fa_location ml;
        member_loc(w, &ml);
        fa_ctx_error(w->ctx, &ml, code, "%s", msg);
        fa_location_free(&ml);
    } else {
        fa_ctx_error(w->ctx, w->loc, code, "%s", msg);
    }
}

/* Reports a failure of the input reader, unless it is an archive member reader of an
 * outer walk (those codes are reported by that walk). */
static void record_input_error(walk *w)
{
    const char *code = w->in->err.code;
    if (!strcmp(code, "limit") || !strcmp(code, "corrupt_archive") || !strcmp(code, "encrypted") ||
        !strcmp(code, "cancelled") || !strcmp(code, "input"))
        return;
    fa_ctx_error(w->ctx, w->loc, code[0] ? code : "read_error", "%s",
                 w->in->err.msg[0] ? w->in->err.msg : "read error");
}

/* Reads all of w->in into *out (caller frees) for formats that need to seek. Over
 * max_member_size: records the limit and returns -1; a read error is recorded too. */
static int slurp(walk *w, unsigned char **out, size_t *outlen)
{
    const fa_limits *lim = fa_ctx_limits(w->ctx);
    fa_buf b = FA_BUF_INIT;
    fa_buf_init(&b, IN_BLOCK);
    for (;;) {
        fa_buf_grow(&b, IN_BLOCK);
        long long n = w->in->read(w->in, b.buf + b.len, IN_BLOCK);
        if (n < 0) {
            record_input_error(w);
            fa_buf_release(&b);
            return -1;
        }
        if (n == 0) break;
        b.len += (size_t)n;
        if (fa_limit_exceeded(lim, FA_LIM_MAX_MEMBER_SIZE, (int64_t)b.len)) {
            fa_ctx_limit(w->ctx, FA_LIM_MAX_MEMBER_SIZE, (int64_t)b.len, w->loc);
            fa_buf_release(&b);
            return -1;
        }
        if (fa_ctx_cancelled(w->ctx)) { fa_buf_release(&b); return -1; }
    }
    *out = (unsigned char *)fa_buf_detach(&b, outlen);
    return 0;
}

/* Drains what the callback left of the current member, under the limits.
 * Returns 0 to go on with the next member, 1 to end this archive. */
static int finish_member(walk *w)
{
    if (w->state == M_OPEN || w->state == M_LIMIT_SIZE) {
        if (cheap_skip(w->a)) {
            if (w->state == M_OPEN) w->state = M_EOF;
            int r = archive_read_data_skip(w->a);
            if (r == ARCHIVE_FATAL) {
                const char *msg = archive_error_string(w->a);
                snprintf(w->errmsg, sizeof w->errmsg, "%s", msg ? msg : "skip failed");
                w->state = M_CORRUPT;
                w->fatal = 1;
            }
        } else {
            unsigned char tmp[DRAIN_BUF];
            int was_size = w->state == M_LIMIT_SIZE;
            w->draining = 1;
            if (was_size) w->state = M_OPEN;
            while (w->mr.read(&w->mr, tmp, sizeof tmp) > 0)
                ;
            if (was_size && w->state == M_EOF) w->state = M_LIMIT_SIZE;
        }
    }
    switch (w->state) {
    case M_EOF: case M_LIMIT_SIZE:
        return 0;
    case M_LIMIT_RATIO:
        if (cheap_skip(w->a)) return archive_read_data_skip(w->a) == ARCHIVE_FATAL;
        return 1;
    case M_LIMIT_BUDGET: case M_CANCELLED:
        return 1;
    case M_ENCRYPTED:
        record_archive_error(w, 1, "encrypted", w->errmsg);
        return w->fatal;
    case M_CORRUPT:
    default:
        if (w->in_failed) { record_input_error(w); return 1; }
        record_archive_error(w, 1, "corrupt_archive", w->errmsg);
        return w->fatal;   /* ARCHIVE_FAILED: this member only */
    }
}

#define MAX_STREAM_LEVELS 4   /* compressed streams unwrapped in place (x.tar.gz.xz ...) */

static fa_status walk_run(fa_ctx *ctx, fa_reader *in, const char *type, const fa_location *loc,
                          fa_archive_budget *budget, fa_member_fn fn, void *udata, int level,
                          int nobudget);

/* Records what ended a member read at the archive's level (stream mode). */
static void record_member_state(walk *w)
{
    if (w->state == M_CORRUPT) {
        if (w->in_failed) record_input_error(w);
        else record_archive_error(w, 1, "corrupt_archive", w->errmsg);
    } else if (w->state == M_ENCRYPTED) {
        record_archive_error(w, 1, "encrypted", w->errmsg);
    }
}

/* The one entry of a raw compressed stream. Its decompressed head is sniffed: an archive
 * inside (x.tar.gz, x.zip.xz) is walked in place, with no member level for the
 * decompressed stream (as tar does); anything else is the single member, named after the
 * archive without its compression suffix. Sniffing first (rather than letting libarchive
 * bid on the decompressed data) keeps a stream that starts with zeros from passing as an
 * empty tar. */
static fa_status stream_entry(walk *w, struct archive_entry *e, fa_member_fn fn, void *udata,
                              int level)
{
    fa_status st = FA_OK;
    w->state = M_OPEN;
    w->produced = 0;
    w->raw0 = 0;
    w->stream = 1;
    w->at_archive = 1;
    w->name = raw_name(w);
    fa_err_clear(&w->mr.err);

    unsigned char *head = fa_xmalloc(FA_SNIFF_HEAD);
    long long hn = fa_reader_fill(&w->mr, head, FA_SNIFF_HEAD);
    if (hn < 0) {
        record_member_state(w);
        free(head);
        return w->state == M_CANCELLED ? FA_FATAL : FA_WARN;
    }
    const char *t = fa_sniff(head, (size_t)hn, -1);
    fa_replay rp;
    fa_replay_init(&rp, head, (size_t)hn, &w->mr);

    if (fa_type_is_archive(t) && level + 1 < MAX_STREAM_LEVELS) {
        st = walk_run(w->ctx, &rp.r, t, w->loc, w->budget, fn, udata, level + 1, 1);
        if (w->state == M_CANCELLED) st = FA_FATAL;
        else if (w->state != M_OPEN && w->state != M_EOF) {
            record_member_state(w);   /* the inner walk left failures of its input to us */
            if (st == FA_OK) st = FA_WARN;
        }
        free(head);
        return st;
    }

    /* a plain member: from here on it is an ordinary member under every limit */
    w->stream = 0;
    w->budget->members++;
    if (fa_ctx_limit(w->ctx, FA_LIM_MAX_MEMBERS, w->budget->members, w->loc)) {
        w->budget->exhausted = 1;
        free(head);
        return FA_WARN;
    }
    w->at_archive = 0;
    if (w->state == M_OPEN && check_size(w) < 0) {
        free(head);
        return FA_WARN;
    }
    fa_archive_member m;
    m.name = w->name;
    m.size = -1;
    m.mtime = archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : INT64_MIN;
    m.content = &rp.r;
    fa_status cs = fn(udata, &m);
    if (cs == FA_FATAL || w->state == M_CANCELLED) st = FA_FATAL;
    else {
        finish_member(w);
        if (w->state == M_CANCELLED) st = FA_FATAL;
        else if (w->state != M_EOF) st = FA_WARN;
    }
    free(head);
    return st;
}

fa_status fa_archive_walk(fa_ctx *ctx, fa_reader *in, const char *type, const fa_location *loc,
                          fa_archive_budget *budget, fa_member_fn fn, void *udata)
{
    return walk_run(ctx, in, type, loc, budget, fn, udata, 0, 0);
}

static fa_status walk_run(fa_ctx *ctx, fa_reader *in, const char *type, const fa_location *loc,
                          fa_archive_budget *budget, fa_member_fn fn, void *udata, int level,
                          int nobudget)
{
    if (budget->exhausted) return FA_WARN;

    walk w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.in = in;
    w.loc = loc;
    w.budget = budget;
    fa_buf_init(&w.namebuf, 128);
    w.mr.read = member_read;
    w.mr.impl = &w;
    w.raw = is_stream_type(type) && level < MAX_STREAM_LEVELS;
    w.nobudget = nobudget;

    fa_status st = FA_OK;
    unsigned char *mem = NULL;
    size_t memlen = 0;
    struct archive *a = archive_read_new();
    if (!a) {
        fa_ctx_error(ctx, loc, "out_of_memory", "cannot allocate an archive reader");
        fa_buf_release(&w.namebuf);
        return FA_WARN;
    }
    w.a = a;
    w.block = fa_xmalloc(IN_BLOCK);
    /* Decompressors libarchive runs in-process (not filter_all: lrzip, grzip and lzop
     * would fork external programs on hostile input). */
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_compress(a);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_lz4(a);
    archive_read_support_filter_lzip(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);
    if (w.raw) {
        archive_read_support_format_raw(a);
    } else {
        /* Every container format except mtree: an mtree "archive" is a list of paths whose
         * contents libarchive reads from the local disk (and it claims plain text lists). */
        archive_read_support_format_7zip(a);
        archive_read_support_format_ar(a);
        archive_read_support_format_cab(a);
        archive_read_support_format_cpio(a);
        archive_read_support_format_empty(a);
        archive_read_support_format_iso9660(a);
        archive_read_support_format_lha(a);
        archive_read_support_format_rar(a);
        archive_read_support_format_rar5(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_warc(a);
        archive_read_support_format_xar(a);
        archive_read_support_format_zip(a);
    }
    /* No passphrase is ever added: encrypted members become "encrypted" errors. */

    int opened;
    if (type && !strcmp(type, FA_TYPE_7Z)) {
        /* 7z keeps its directory at the end and libarchive must seek to it: hold the
         * archive in memory, bounded by max_member_size (the one exception to streaming). */
        if (slurp(&w, &mem, &memlen) < 0) { st = FA_WARN; goto out; }
        opened = archive_read_open_memory(a, mem, memlen);
    } else {
        opened = archive_read_open(a, &w, NULL, in_read, NULL);
    }
    if (opened != ARCHIVE_OK) {
        const char *msg = archive_error_string(a);
        if (w.in_failed) record_input_error(&w);
        else fa_ctx_error(ctx, loc, looks_encrypted(msg) ? "encrypted" : "corrupt_archive", "%s",
                          msg ? msg : "not a readable archive");
        st = FA_WARN;
        goto out;
    }
    if (w.raw && archive_filter_count(a) < 2) {
        /* no decompressor accepted the data: the raw format would pass it through as is */
        fa_ctx_error(ctx, loc, "corrupt_archive", "not a valid %s stream", type);
        st = FA_WARN;
        goto out;
    }

    int failures = 0;
    for (;;) {
        if (fa_ctx_cancelled(ctx)) { st = FA_FATAL; break; }
        struct archive_entry *e;
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF) break;
        if (r == ARCHIVE_FATAL || (r == ARCHIVE_FAILED && ++failures > 16)) {
            const char *msg = archive_error_string(a);
            if (w.in_failed) record_input_error(&w);
            else fa_ctx_error(ctx, loc, looks_encrypted(msg) ? "encrypted" : "corrupt_archive",
                              "%s", msg ? msg : "corrupt archive");
            st = FA_WARN;
            break;
        }
        if (r == ARCHIVE_FAILED) {
            /* this entry is unreadable, the archive goes on */
            const char *msg = archive_error_string(a);
            w.name = clean_name(&w.namebuf, e ? archive_entry_pathname(e) : NULL);
            record_archive_error(&w, 1, looks_encrypted(msg) ? "encrypted" : "corrupt_archive",
                                 msg ? msg : "unreadable entry");
            st = FA_WARN;
            continue;
        }
        failures = 0;
        if (w.raw) {
            st = stream_entry(&w, e, fn, udata, level);
            break;
        }
        /* ar headers often carry permission bits only: a typeless entry is a file */
        unsigned ft = archive_entry_filetype(e);
        if (ft != AE_IFREG && ft != 0) continue;
        if (archive_entry_hardlink(e) && archive_entry_size(e) == 0) continue;   /* tar hardlink */

        const char *nm = archive_entry_pathname_utf8(e);
        if (!nm) nm = archive_entry_pathname(e);
        w.name = clean_name(&w.namebuf, nm);

        budget->members++;
        if (fa_ctx_limit(ctx, FA_LIM_MAX_MEMBERS, budget->members, loc)) {
            budget->exhausted = 1;
            st = FA_WARN;
            break;
        }
        if (archive_entry_is_data_encrypted(e)) {
            record_archive_error(&w, 1, "encrypted", "member is encrypted (no passphrase given)");
            st = FA_WARN;
            continue;   /* libarchive skips its data */
        }

        /* A header that already claims more than max_member_size is a limit hit before any of
         * its data is read (a tar member claiming 1 TB), not a corrupt archive later on. */
        if (archive_entry_size_is_set(e) && !w.stream &&
            fa_limit_exceeded(fa_ctx_limits(ctx), FA_LIM_MAX_MEMBER_SIZE, (int64_t)archive_entry_size(e))) {
            fa_location ml;
            fa_location_copy(&ml, loc);
            fa_location_push_member(&ml, w.name);
            fa_ctx_limit(ctx, FA_LIM_MAX_MEMBER_SIZE, (int64_t)archive_entry_size(e), &ml);
            fa_location_free(&ml);
            st = FA_WARN;
            continue;   /* libarchive skips its data on the next header read */
        }

        fa_archive_member m;
        m.name = w.name;
        m.size = archive_entry_size_is_set(e) ? (int64_t)archive_entry_size(e) : -1;
        m.mtime = archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : INT64_MIN;
        m.content = &w.mr;
        fa_err_clear(&w.mr.err);
        w.state = M_OPEN;
        w.draining = 0;
        w.produced = 0;
        w.errmsg[0] = '\0';
        w.fatal = 0;

        fa_status cs = fn(udata, &m);
        if (cs == FA_FATAL || w.state == M_CANCELLED) { st = FA_FATAL; break; }
        int stop = finish_member(&w);
        w.raw0 = archive_filter_bytes(a, -1);
        if (w.state != M_EOF) st = FA_WARN;
        if (w.state == M_CANCELLED) { st = FA_FATAL; break; }
        if (stop) break;
        if (budget->exhausted) { st = FA_WARN; break; }
    }

out:
    archive_read_free(a);
    free(mem);
    free(w.block);
    fa_buf_release(&w.namebuf);
    return st;
}
