/* fa_reader: a pull stream of bytes (a file, stdin, an archive member, an S3 body). */
#ifndef FACEAUDIT_STREAM_H
#define FACEAUDIT_STREAM_H
#include <stddef.h>
#include "faceaudit/err.h"

typedef struct fa_reader fa_reader;
struct fa_reader {
    /* Returns bytes read (> 0), 0 at end, or -1 on error with r->err set. */
    long long (*read)(fa_reader *r, void *buf, size_t n);
    void      *impl;
    fa_err     err;
};

/* Reads until n bytes or end; returns the count or -1. */
long long fa_reader_fill(fa_reader *r, void *buf, size_t n);

/* A reader that first replays `head` (borrowed) and then continues with `rest`. */
typedef struct fa_replay {
    fa_reader            r;
    const unsigned char *head;
    size_t               head_len, head_pos;
    fa_reader           *rest;
} fa_replay;
void fa_replay_init(fa_replay *rp, const unsigned char *head, size_t len, fa_reader *rest);

/* A reader over a file descriptor (not closed by the reader). */
typedef struct fa_fd_reader {
    fa_reader r;
    int       fd;
} fa_fd_reader;
void fa_fd_reader_init(fa_fd_reader *fr, int fd);

/* A reader over memory (borrowed). */
typedef struct fa_mem_reader {
    fa_reader            r;
    const unsigned char *data;
    size_t               len, pos;
} fa_mem_reader;
void fa_mem_reader_init(fa_mem_reader *mr, const void *data, size_t len);
#endif
