/* Unit tests: FAISS and safetensors readers never pass more vectors than the file holds. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/parse_mlfiles.h"

typedef struct { unsigned char *b; size_t n, cap; } mb;
static void put(mb *m, const void *d, size_t n)
{
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2;
        m->b = realloc(m->b, m->cap);
    }
    memcpy(m->b + m->n, d, n);
    m->n += n;
}
static void u32(mb *m, uint32_t v) { put(m, &v, 4); }    /* the test hosts are little-endian */
static void u64(mb *m, uint64_t v) { put(m, &v, 8); }

/* fourcc, d, ntotal, two dummies, is_trained, metric (faiss write_index_header) */
static void faiss_header(mb *m, const char *fourcc, uint32_t d, uint64_t nt)
{
    put(m, fourcc, 4);
    u32(m, d);
    u64(m, nt);
    u64(m, 1 << 20);
    u64(m, 1 << 20);
    put(m, "\1", 1);
    u32(m, 1);
}
static void floats(mb *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float f = (float)((int)(i * 37 % 101) - 50) / 300.0f;
        put(m, &f, 4);
    }
}

typedef struct { int calls; size_t dim, count; int raw; char name[32]; } seen;
static void cb(void *u, const fa_mlvec *mv)
{
    seen *s = u;
    s->calls++;
    s->dim = mv->dim;
    s->count += mv->count;
    s->raw = mv->raw != NULL;
    snprintf(s->name, sizeof s->name, "%s", mv->name);
}

Test(faiss, flat_index_complete)
{
    mb m = { 0 };
    faiss_header(&m, "IxF2", 128, 3);
    u64(&m, 3 * 128);
    floats(&m, 3 * 128);
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(m.b, m.n, cb, &s, &e), FA_OK);
    cr_assert_eq(s.calls, 1);
    cr_assert_eq(s.dim, 128);
    cr_assert_eq(s.count, 3);
    cr_assert(s.raw);
    free(m.b);
}

Test(faiss, truncated_flat_gives_only_vectors_present)
{
    /* header claims 2^40 vectors of 512; 4 KiB of file holds one */
    mb m = { 0 };
    faiss_header(&m, "IxFI", 512, (uint64_t)1 << 40);
    u64(&m, ((uint64_t)1 << 40) * 512);
    floats(&m, 1100);
    size_t len = 4096;
    cr_assert_geq(m.n, len);
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(m.b, len, cb, &s, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(s.calls, 1);
    cr_assert_eq(s.count, 1);
    cr_assert(s.raw);
    /* cut inside the first vector: an error and nothing passed */
    seen z = { 0 };
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(m.b, 1024, cb, &z, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(z.calls, 0);
    free(m.b);
}

Test(faiss, truncated_flat_inside_idmap)
{
    mb m = { 0 };
    faiss_header(&m, "IxMp", 128, 50);
    faiss_header(&m, "IxF2", 128, 50);
    u64(&m, 50 * 128);
    floats(&m, 10 * 128 + 5);     /* 10 whole vectors, then the cut */
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(m.b, m.n, cb, &s, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(s.count, 10);
    free(m.b);
}

Test(faiss, compressed_codes_count_bounded_by_file)
{
    /* PQ index: only the shape is read; a count the bytes cannot hold is a truncation */
    mb m = { 0 };
    faiss_header(&m, "IwPQ", 512, 1000000);
    put(&m, "codes...", 8);
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(m.b, m.n, cb, &s, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(s.calls, 0);
    free(m.b);

    mb ok = { 0 };
    faiss_header(&ok, "IxPQ", 512, 4);
    floats(&ok, 64);
    seen t = { 0 };
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(ok.b, ok.n, cb, &t, &e), FA_OK);
    cr_assert_eq(t.calls, 1);
    cr_assert_eq(t.count, 4);
    cr_assert(!t.raw);
    free(ok.b);

    /* inverted lists on disk ("ilod") live in another file: the count cannot be checked */
    mb od = { 0 };
    faiss_header(&od, "IwFl", 512, 1000000);
    put(&od, "ilod", 4);
    seen u = { 0 };
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(od.b, od.n, cb, &u, &e), FA_OK);
    cr_assert_eq(u.count, 1000000);
    free(od.b);
}

Test(faiss, implausible_header)
{
    mb m = { 0 };
    faiss_header(&m, "IxF2", 0, 3);
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse(m.b, m.n, cb, &s, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "malformed_faiss");
    fa_err_clear(&e);
    cr_assert_eq(fa_faiss_parse((const unsigned char *)"IxF2\1\0", 6, cb, &s, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "malformed_faiss");
    cr_assert_eq(s.calls, 0);
    free(m.b);
}

static void safetensors(mb *m, const char *hdr, size_t data_floats)
{
    size_t hl = strlen(hdr);
    u64(m, hl);
    put(m, hdr, hl);
    floats(m, data_floats);
}

Test(safetensors, tensors_and_truncation)
{
    const char *hdr = "{\"__metadata__\":{\"k\":\"v\"},"
                      "\"faces\":{\"dtype\":\"F32\",\"shape\":[4,128],\"data_offsets\":[0,2048]},"
                      "\"more\":{\"dtype\":\"F32\",\"shape\":[8,128],\"data_offsets\":[2048,6144]}}";
    mb m = { 0 };
    safetensors(&m, hdr, 12 * 128);
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_safetensors_parse(m.b, m.n, cb, &s, &e), FA_OK);
    cr_assert_eq(s.calls, 2);
    cr_assert_eq(s.count, 12);
    /* cut after 4 + 3.5 rows: the first tensor whole, 3 rows of the second, an error */
    size_t cut = m.n - (size_t)(4.5 * 128 * 4);
    seen t = { 0 };
    fa_err_clear(&e);
    cr_assert_eq(fa_safetensors_parse(m.b, cut, cb, &t, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(t.calls, 2);
    cr_assert_eq(t.count, 4 + 3);
    cr_assert(strstr(e.msg, "more") != NULL);
    /* cut inside the header */
    fa_err_clear(&e);
    cr_assert_eq(fa_safetensors_parse(m.b, 40, cb, &t, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "malformed_safetensors");
    free(m.b);
}

Test(safetensors, offsets_disagree_with_shape)
{
    mb m = { 0 };
    safetensors(&m, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,128],\"data_offsets\":[0,100]}}", 256);
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_safetensors_parse(m.b, m.n, cb, &s, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "malformed_safetensors");
    cr_assert_eq(s.calls, 0);
    /* offsets far past the file with a consistent size: truncated, nothing passed */
    mb f = { 0 };
    safetensors(&f, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2,128],\"data_offsets\":[1000000,1001024]}}", 256);
    seen t = { 0 };
    fa_err_clear(&e);
    cr_assert_eq(fa_safetensors_parse(f.b, f.n, cb, &t, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "truncated");
    cr_assert_eq(t.calls, 0);
    free(m.b);
    free(f.b);
}

static void on_name(void *u, const char *name, size_t n)
{
    seen *s = u;
    if (n == 9 && !memcmp(name, "encodings", 9))
        s->calls++;
}

Test(hdf5, names_after_signature)
{
    mb m = { 0 };
    put(&m, "\x89HDF\r\n\x1a\n", 8);
    put(&m, "\0\0encodings\0xx\0", 15);
    seen s = { 0 };
    fa_err e;
    fa_err_clear(&e);
    cr_assert_eq(fa_hdf5_names(m.b, m.n, 1 << 20, on_name, &s, &e), FA_OK);
    cr_assert_eq(s.calls, 1);
    fa_err_clear(&e);
    cr_assert_eq(fa_hdf5_names((const unsigned char *)"notHDF5 at all", 14, 1 << 20, on_name, &s, &e), FA_FAIL);
    cr_assert_str_eq(e.code, "malformed_hdf5");
    free(m.b);
}
