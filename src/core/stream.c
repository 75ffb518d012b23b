#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "faceaudit/stream.h"

long long fa_reader_fill(fa_reader *r, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        long long k = r->read(r, (char *)buf + got, n - got);
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (long long)got;
}

static long long replay_read(fa_reader *r, void *buf, size_t n)
{
    fa_replay *rp = (fa_replay *)r;
    if (rp->head_pos < rp->head_len) {
        size_t k = rp->head_len - rp->head_pos;
        if (k > n)
            k = n;
        memcpy(buf, rp->head + rp->head_pos, k);
        rp->head_pos += k;
        return (long long)k;
    }
    if (!rp->rest)
        return 0;
    long long k = rp->rest->read(rp->rest, buf, n);
    if (k < 0)
        r->err = rp->rest->err;
    return k;
}

void fa_replay_init(fa_replay *rp, const unsigned char *head, size_t len, fa_reader *rest)
{
    memset(rp, 0, sizeof *rp);
    rp->r.read = replay_read;
    rp->r.impl = rp;
    rp->head = head;
    rp->head_len = len;
    rp->rest = rest;
}

static long long fd_read(fa_reader *r, void *buf, size_t n)
{
    fa_fd_reader *fr = (fa_fd_reader *)r;
    for (;;) {
        ssize_t k = read(fr->fd, buf, n);
        if (k >= 0)
            return k;
        if (errno == EINTR)
            continue;
        fa_err_set(&r->err, FA_FAIL, "read_error", "read failed: %s", strerror(errno));
        return -1;
    }
}

void fa_fd_reader_init(fa_fd_reader *fr, int fd)
{
    memset(fr, 0, sizeof *fr);
    fr->r.read = fd_read;
    fr->r.impl = fr;
    fr->fd = fd;
}

static long long mem_read(fa_reader *r, void *buf, size_t n)
{
    fa_mem_reader *mr = (fa_mem_reader *)r;
    size_t k = mr->len - mr->pos;
    if (k > n)
        k = n;
    memcpy(buf, mr->data + mr->pos, k);
    mr->pos += k;
    return (long long)k;
}

void fa_mem_reader_init(fa_mem_reader *mr, const void *data, size_t len)
{
    memset(mr, 0, sizeof *mr);
    mr->r.read = mem_read;
    mr->r.impl = mr;
    mr->data = data;
    mr->len = len;
}
