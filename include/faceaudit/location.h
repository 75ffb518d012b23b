/* fa_location: where an object or finding is (the contract's `location`). */
#ifndef FACEAUDIT_LOCATION_H
#define FACEAUDIT_LOCATION_H
#include <stddef.h>
#include <stdint.h>
#include "faceaudit/buf.h"

typedef struct fa_location {
    char   *target;    /* the scan target as given: "corpus", "-", "s3://b/p" */
    char   *path;      /* target joined with the path below it; "s3://bucket/key" */
    char   *uri;       /* "file:///abs/..." or "s3://bucket/key"; "stdin:" for - */
    char  **members;   /* archive member chain, outermost first */
    size_t  nmembers;
    long    line;      /* 1-based; 0 = null */
    int64_t offset;    /* -1 = null */
    int64_t length;    /* -1 = null */
} fa_location;

/* All strings are owned by the location. */
void fa_location_init(fa_location *l);
void fa_location_free(fa_location *l);
void fa_location_copy(fa_location *dst, const fa_location *src);
void fa_location_push_member(fa_location *l, const char *member);
/* "outer.zip!inner/b.tar!c.jpg" (no line); appended to out. */
void fa_location_display(const fa_location *l, fa_buf *out);
#endif
