#include <stdlib.h>
#include <string.h>
#include "faceaudit/location.h"

void fa_location_init(fa_location *l)
{
    memset(l, 0, sizeof *l);
    l->offset = -1;
    l->length = -1;
}

void fa_location_free(fa_location *l)
{
    free(l->target);
    free(l->path);
    free(l->uri);
    for (size_t i = 0; i < l->nmembers; i++)
        free(l->members[i]);
    free(l->members);
    fa_location_init(l);
}

static char *dup_or_null(const char *s)
{
    return s ? fa_xstrdup(s) : NULL;
}

void fa_location_copy(fa_location *dst, const fa_location *src)
{
    *dst = *src;
    dst->target = dup_or_null(src->target);
    dst->path = dup_or_null(src->path);
    dst->uri = dup_or_null(src->uri);
    dst->members = NULL;
    if (src->nmembers) {
        dst->members = fa_xmalloc(src->nmembers * sizeof(char *));
        for (size_t i = 0; i < src->nmembers; i++)
            dst->members[i] = fa_xstrdup(src->members[i]);
    }
}

void fa_location_push_member(fa_location *l, const char *member)
{
    l->members = fa_xrealloc(l->members, (l->nmembers + 1) * sizeof(char *));
    l->members[l->nmembers++] = fa_xstrdup(member);
}

void fa_location_display(const fa_location *l, fa_buf *out)
{
    fa_buf_adds(out, l->path ? l->path : "");
    for (size_t i = 0; i < l->nmembers; i++) {
        fa_buf_addch(out, '!');
        fa_buf_adds(out, l->members[i]);
    }
}
