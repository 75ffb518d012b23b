/* fa_archive: expands containers and compressed streams with libarchive, in memory.
 * Typed by content (libarchive's bidders plus the raw format for single compressed
 * streams). Members are streamed to the caller; nothing is written to disk. */
#ifndef FACEAUDIT_ARCHIVE_H
#define FACEAUDIT_ARCHIVE_H
#include <stdint.h>
#include "faceaudit/detect.h"
#include "faceaudit/stream.h"

/* Budget shared by every archive below one top-level object (max_members, max_archive_bytes). */
typedef struct fa_archive_budget {
    int64_t members;         /* members seen so far */
    int64_t bytes;           /* member bytes expanded so far */
    int     exhausted;       /* a budget limit was hit: stop expanding below this object */
} fa_archive_budget;

typedef struct fa_archive_member {
    const char *name;        /* path inside the archive ("data" for a raw compressed stream) */
    int64_t     size;        /* -1 if the header does not say */
    int64_t     mtime;       /* unix seconds, INT64_MIN if unknown */
    fa_reader  *content;     /* valid during the callback only; enforces max_member_size
                                and max_ratio, recording limit hits itself */
} fa_archive_member;

/* When `content` fails (read returns -1), the walk has recorded the cause or will: the
 * callback must drop the member (no partial scan of a prefix) and must NOT record another
 * error for it. content->err.code says why: "limit" (max_member_size, max_ratio or
 * max_archive_bytes: a `limits` entry exists), "corrupt_archive", "encrypted", "input"
 * (the reader below the archive failed; its owner reports), "cancelled". A single
 * compressed stream (x.gz) is named after the archive without its suffix ("x"), or "data";
 * if its content is itself an archive (x.tar.gz) that archive is walked in place. 7z needs
 * random access: it alone is held in memory, bounded by max_member_size. */

/* Called once per regular-file member, in archive order. Return FA_OK to go on,
 * FA_FATAL to stop the walk (scan cancelled). */
typedef fa_status (*fa_member_fn)(void *udata, const fa_archive_member *m);

/* Walks the archive read from `in` (whose first bytes were sniffed as `type`). `loc` is the
 * archive's own location (used for errors and limits). Encrypted members, corrupt data and
 * unsupported formats are recorded via fa_ctx_error() and the walk goes on where it can.
 * Returns FA_OK, FA_WARN (something was skipped and recorded) or FA_FATAL (cancelled). */
fa_status fa_archive_walk(fa_ctx *ctx, fa_reader *in, const char *type, const fa_location *loc,
                          fa_archive_budget *budget, fa_member_fn fn, void *udata);
#endif
