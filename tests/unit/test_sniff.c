/* fa_sniff: every type from real bytes. Containers are written by libarchive in memory;
 * other formats are built from their documented headers. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/sniff.h"

#define S(lit) ((const unsigned char *)(lit)), (sizeof(lit) - 1)

static const char *sniff_lit(const unsigned char *p, size_t n) { return fa_sniff(p, n, (long long)n); }

/* Writes one archive with libarchive into a malloc'd buffer. */
typedef int (*setter)(struct archive *);
static unsigned char *make(setter format, setter filter, size_t *len)
{
    size_t cap = 1 << 20;
    unsigned char *buf = malloc(cap);
    struct archive *a = archive_write_new();
    cr_assert_eq(format(a), ARCHIVE_OK, "format: %s", archive_error_string(a));
    if (filter)
        cr_assert_eq(filter(a), ARCHIVE_OK, "filter: %s", archive_error_string(a));
    cr_assert_eq(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
    const char *names[] = { "dir/a.txt", "b.txt" };
    for (int i = 0; i < 2; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, names[i]);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 6);
        archive_entry_set_mtime(e, 1700000000, 0);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
        cr_assert_eq(archive_write_data(a, "hello\n", 6), 6);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK, "%s", archive_error_string(a));
    archive_write_free(a);
    return buf;
}

static void expect_made(setter format, setter filter, const char *type)
{
    size_t len = 0;
    unsigned char *buf = make(format, filter, &len);
    cr_expect_str_eq(fa_sniff(buf, len, (long long)len), type);
    /* a short head (what a stream gives before the rest arrives) still works */
    if (len > 600 && strcmp(type, FA_TYPE_ISO) != 0)
        cr_expect_str_eq(fa_sniff(buf, 600, -1), type);
    free(buf);
}

Test(sniff, empty)
{
    cr_expect_str_eq(fa_sniff((const unsigned char *)"", 0, 0), FA_TYPE_EMPTY);
    cr_expect_str_eq(fa_sniff(NULL, 0, -1), FA_TYPE_EMPTY);
}

Test(sniff, images)
{
    cr_expect_str_eq(sniff_lit(S("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01")), FA_TYPE_JPEG);
    cr_expect_str_eq(sniff_lit(S("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")), FA_TYPE_PNG);
    cr_expect_str_eq(sniff_lit(S("GIF89a\x10\x00\x10\x00\x80\x00\x00")), FA_TYPE_GIF);
    cr_expect_str_eq(sniff_lit(S("GIF87a\x10\x00\x10\x00\x80\x00\x00")), FA_TYPE_GIF);
    cr_expect_str_eq(sniff_lit(S("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00")), FA_TYPE_WEBP);
    /* RIFF that is not WebP (a WAV) is not an image */
    cr_expect_str_neq(sniff_lit(S("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00")), FA_TYPE_WEBP);
    cr_expect_str_eq(sniff_lit(S("BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00"
                                 "\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x18\x00")), FA_TYPE_BMP);
    /* "BM" followed by prose is text, not a bitmap */
    cr_expect_str_eq(sniff_lit(S("BMW sales report for the third quarter\n")), FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("II*\x00\x08\x00\x00\x00\x0e\x00")), FA_TYPE_TIFF);
    cr_expect_str_eq(sniff_lit(S("MM\x00*\x00\x00\x00\x08\x00\x0e")), FA_TYPE_TIFF);
    cr_expect_str_eq(sniff_lit(S("P6\n4 4\n255\n\x01\x02\x03\x04\x05\x06\x07\x08")), FA_TYPE_PNM);
    cr_expect_str_eq(sniff_lit(S("P1\n# a comment\n2 2\n0 1\n1 0\n")), FA_TYPE_PNM);
    cr_expect_str_eq(sniff_lit(S("P5 4 4 255 \x01\x02")), FA_TYPE_PNM);
    cr_expect_str_eq(sniff_lit(S("P5 is the parking level\n")), FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("P9\n4 4\n")), FA_TYPE_TEXT);
}

Test(sniff, tensors_and_models)
{
    cr_expect_str_eq(sniff_lit(S("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (2, 128), }")), FA_TYPE_NPY);
    /* pickle protocol 4 with a FRAME, protocol 2 with EMPTY_DICT */
    cr_expect_str_eq(sniff_lit(S("\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x03" "emb\x94K\x01s.")),
                     FA_TYPE_PICKLE);
    cr_expect_str_eq(sniff_lit(S("\x80\x02}q\x00X\x03\x00\x00\x00" "embq\x01K\x01s.")), FA_TYPE_PICKLE);
    cr_expect_str_eq(sniff_lit(S("\x80\x05\x95\x0b\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01K\x02" "e.")),
                     FA_TYPE_PICKLE);
    /* a frame longer than the object: a cut pickle, typed so that it is reported truncated */
    cr_expect_str_eq(fa_sniff(S("\x80\x04\x95\xff\xff\x00\x00\x00\x00\x00\x00}\x94."), 14), FA_TYPE_PICKLE);
    /* an absurd frame length, an unknown protocol, a bad opcode: not pickle */
    cr_expect_str_neq(fa_sniff(S("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\x7f}\x94."), 14), FA_TYPE_PICKLE);
    cr_expect_str_neq(sniff_lit(S("\x80\x09}q\x00.")), FA_TYPE_PICKLE);
    cr_expect_str_neq(sniff_lit(S("\x80\x02\x00\x00\x00")), FA_TYPE_PICKLE);

    /* FAISS IndexFlatL2: fourcc, d=128, ntotal=3, two dummies 1<<20, is_trained, metric */
    unsigned char fx[64] = "IxF2";
    uint32_t d = 128;
    uint64_t nt = 3, dummy = 1 << 20;
    memcpy(fx + 4, &d, 4);
    memcpy(fx + 8, &nt, 8);
    memcpy(fx + 16, &dummy, 8);
    memcpy(fx + 24, &dummy, 8);
    fx[32] = 1;
    cr_expect_str_eq(fa_sniff(fx, sizeof fx, 1600), FA_TYPE_FAISS);
    memcpy(fx, "IHNf", 4);
    cr_expect_str_eq(fa_sniff(fx, sizeof fx, 1600), FA_TYPE_FAISS);
    memcpy(fx, "IwPQ", 4);
    cr_expect_str_eq(fa_sniff(fx, sizeof fx, 1600), FA_TYPE_FAISS);
    memcpy(fx, "IBxF", 4);
    cr_expect_str_eq(fa_sniff(fx, sizeof fx, 1600), FA_TYPE_FAISS);
    memcpy(fx, "IxZZ", 4);   /* unknown fourcc */
    cr_expect_str_neq(fa_sniff(fx, sizeof fx, 1600), FA_TYPE_FAISS);
    /* a text file that happens to start with a fourcc: d would be absurd */
    cr_expect_str_eq(sniff_lit(S("IxFl is how our index files start, says the wiki\n")), FA_TYPE_TEXT);

    unsigned char h5[1024];
    memset(h5, 0, sizeof h5);
    memcpy(h5, "\x89HDF\r\n\x1a\n", 8);
    cr_expect_str_eq(fa_sniff(h5, sizeof h5, 4096), FA_TYPE_HDF5);
    memset(h5, 0, 8);
    memcpy(h5 + 512, "\x89HDF\r\n\x1a\n", 8);   /* after a 512-byte user block */
    cr_expect_str_eq(fa_sniff(h5, sizeof h5, 4096), FA_TYPE_HDF5);

    const char js[] = "{\"__metadata__\":{\"format\":\"pt\"},\"emb\":{\"dtype\":\"F32\",\"shape\":[2,4],"
                      "\"data_offsets\":[0,32]}}";
    unsigned char st[256];
    uint64_t hl = sizeof js - 1;
    memcpy(st, &hl, 8);
    memcpy(st + 8, js, hl);
    memset(st + 8 + hl, 0, 32);
    cr_expect_str_eq(fa_sniff(st, 8 + hl + 32, (long long)(8 + hl + 32)), FA_TYPE_SAFETENSORS);
    /* the header length cannot exceed the object */
    cr_expect_str_neq(fa_sniff(st, 8 + hl + 32, 40), FA_TYPE_SAFETENSORS);
}

Test(sniff, archives_written_by_libarchive)
{
    expect_made(archive_write_set_format_zip, NULL, FA_TYPE_ZIP);
    expect_made(archive_write_set_format_ustar, NULL, FA_TYPE_TAR);
    expect_made(archive_write_set_format_pax_restricted, NULL, FA_TYPE_TAR);
    expect_made(archive_write_set_format_gnutar, NULL, FA_TYPE_TAR);
    expect_made(archive_write_set_format_v7tar, NULL, FA_TYPE_TAR);   /* no magic: checksum */
    expect_made(archive_write_set_format_ustar, archive_write_add_filter_gzip, FA_TYPE_GZIP);
    expect_made(archive_write_set_format_ustar, archive_write_add_filter_bzip2, FA_TYPE_BZIP2);
    expect_made(archive_write_set_format_ustar, archive_write_add_filter_xz, FA_TYPE_XZ);
    expect_made(archive_write_set_format_ustar, archive_write_add_filter_zstd, FA_TYPE_ZSTD);
    expect_made(archive_write_set_format_ustar, archive_write_add_filter_lz4, FA_TYPE_LZ4);
    expect_made(archive_write_set_format_7zip, NULL, FA_TYPE_7Z);
    expect_made(archive_write_set_format_cpio_newc, NULL, FA_TYPE_CPIO);
    expect_made(archive_write_set_format_cpio_odc, NULL, FA_TYPE_CPIO);
    expect_made(archive_write_set_format_ar_svr4, NULL, FA_TYPE_AR);
    expect_made(archive_write_set_format_iso9660, NULL, FA_TYPE_ISO);
}

Test(sniff, archives_from_magic)
{
    unsigned char z[22] = "PK\5\6";   /* the empty zip: only an end-of-central-directory record */
    cr_expect_str_eq(fa_sniff(z, sizeof z, 22), FA_TYPE_ZIP);
    cr_expect_str_eq(sniff_lit(S("PK\7\x08PK\3\4\x14\x00\x00\x00")), FA_TYPE_ZIP);   /* spanned */
    cr_expect_str_eq(sniff_lit(S("Rar!\x1a\x07\x00\xcf\x90\x73\x00\x00\x0d")), FA_TYPE_RAR);
    cr_expect_str_eq(sniff_lit(S("Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5\x0a\x01")), FA_TYPE_RAR);
    cr_expect_str_eq(sniff_lit(S("BZh91AY&SY\x00\x01")), FA_TYPE_BZIP2);
    cr_expect_str_eq(sniff_lit(S("BZh9\x17\x72\x45\x38\x50\x90\x00\x00\x00\x00")), FA_TYPE_BZIP2);
    cr_expect_str_eq(sniff_lit(S("BZh is an odd way to start a sentence\n")), FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("\x28\xb5\x2f\xfd\x04\x58\x00")), FA_TYPE_ZSTD);
    cr_expect_str_eq(sniff_lit(S("\x04\x22\x4d\x18\x64\x40\xa7")), FA_TYPE_LZ4);
    cr_expect_str_eq(sniff_lit(S("\xfd" "7zXZ\x00\x00\x04")), FA_TYPE_XZ);
    cr_expect_str_eq(sniff_lit(S("070707000001000002100644")), FA_TYPE_CPIO);
    cr_expect_str_eq(sniff_lit(S("!<arch>\ndebian-binary   ")), FA_TYPE_AR);

    /* old binary cpio, little-endian: magic 070707, namesize 6 at offset 20, name at 26 */
    unsigned char bc[64];
    memset(bc, 0, sizeof bc);
    bc[0] = 0xc7; bc[1] = 0x71;
    bc[20] = 6;
    memcpy(bc + 26, "a.txt", 6);
    cr_expect_str_eq(fa_sniff(bc, sizeof bc, 64), FA_TYPE_CPIO);
    bc[31] = 'x';   /* name not NUL-terminated where namesize says */
    cr_expect_str_neq(fa_sniff(bc, sizeof bc, 64), FA_TYPE_CPIO);

    /* a tar header with a wrong checksum and no magic is not a tar */
    size_t len = 0;
    unsigned char *t = make(archive_write_set_format_v7tar, NULL, &len);
    t[148] = '7'; t[149] = '7'; t[150] = '7';
    cr_expect_str_neq(fa_sniff(t, len, (long long)len), FA_TYPE_TAR);
    free(t);

    /* ustar magic with a bad checksum is still offered to libarchive as tar; prose that
     * happens to say "ustar " at offset 257 is not */
    t = make(archive_write_set_format_ustar, NULL, &len);
    t[148] = '7'; t[149] = '7'; t[150] = '7';
    cr_expect_str_eq(fa_sniff(t, len, (long long)len), FA_TYPE_TAR);
    free(t);
    char prose[600];
    memset(prose, 'a', sizeof prose);
    memcpy(prose + 257, "ustar  x", 8);
    cr_expect_str_eq(fa_sniff((const unsigned char *)prose, sizeof prose, 600), FA_TYPE_TEXT);

    /* ISO 9660 needs its descriptor at 32769; a truncated head is not enough */
    unsigned char *iso = calloc(1, FA_SNIFF_HEAD);
    iso[32768] = 1;
    memcpy(iso + 32769, "CD001", 5);
    cr_expect_str_eq(fa_sniff(iso, FA_SNIFF_HEAD, -1), FA_TYPE_ISO);
    cr_expect_str_eq(fa_sniff(iso, 32770, -1), FA_TYPE_BINARY);
    free(iso);
}

Test(sniff, text)
{
    cr_expect_str_eq(sniff_lit(S("name,face_id\nalice,17\n")), FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("{\"faces\": [{\"x\": 1}]}")), FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("\xef\xbb\xbfBOM and UTF-8: caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x99\x82\n")),
                     FA_TYPE_TEXT);
    /* a multibyte character cut by the end of the head */
    cr_expect_str_eq(fa_sniff(S("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa"), 100000), FA_TYPE_TEXT);
    /* a little Latin-1 is still text */
    cr_expect_str_eq(sniff_lit(S("Caf\xe9 de la gare, r\xe9sum\xe9 of the meeting in Z\xfcrich today\n")),
                     FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("colour \x1b[31mred\x1b[0m\ttab\r\n")), FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("x")), FA_TYPE_TEXT);
}

Test(sniff, binary)
{
    /* one stray NUL in a log line keeps it text (it must still be searched); many do not */
    cr_expect_str_eq(sniff_lit(S("GET /x 200 abc\0" "def\n")), FA_TYPE_TEXT);
    cr_expect_str_eq(sniff_lit(S("a\0b\0c\0d\0e\0f\0g\0h\0")), FA_TYPE_BINARY);
    cr_expect_str_eq(sniff_lit(S("h\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d\0")), FA_TYPE_BINARY);  /* UTF-16 */
    cr_expect_str_eq(sniff_lit(S("\x01\x02\x03\x04\x05\x06\x07\x0e\x0f\x10\x11\x12")), FA_TYPE_BINARY);
    /* high bytes that are not UTF-8 */
    unsigned char r[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof r; i++) {
        x = x * 1103515245u + 12345u;
        r[i] = (unsigned char)((x >> 16) | 0x01);   /* no NULs: the UTF-8 check decides */
    }
    cr_expect_str_eq(fa_sniff(r, sizeof r, sizeof r), FA_TYPE_BINARY);
    /* surrogates and overlong forms are not UTF-8 */
    unsigned char ov[400];
    for (size_t i = 0; i < sizeof ov; i += 4)
        memcpy(ov + i, i % 8 ? "\xed\xa0\x80 " : "\xe0\x80\xaf ", 4);
    cr_expect_str_eq(fa_sniff(ov, sizeof ov, sizeof ov), FA_TYPE_BINARY);
}

/* logrotate copytruncate: the writer kept its offset, so the file starts with a run of NULs
 * (a hole) and goes on as the log. That is text; all NULs, or NULs then binary, is not. */
Test(sniff, nul_prefixed_log)
{
    static unsigned char h[12000];
    const char *line = "2025-01-01T00:00:00Z POST https://api.kairos.com/enroll 200\n";
    memset(h, 0, sizeof h);
    for (size_t off = 8192; off + strlen(line) <= sizeof h; off += strlen(line))
        memcpy(h + off, line, strlen(line));
    cr_expect_str_eq(fa_sniff(h, sizeof h, sizeof h), FA_TYPE_TEXT);
    memset(h + 8192, 0, sizeof h - 8192);
    cr_expect_str_eq(fa_sniff(h, sizeof h, sizeof h), FA_TYPE_BINARY);   /* all NULs */
    uint32_t x = 7;
    for (size_t i = 8192; i < sizeof h; i++) {
        x = x * 1103515245u + 12345u;
        h[i] = (unsigned char)(x >> 16);
    }
    cr_expect_str_eq(fa_sniff(h, sizeof h, sizeof h), FA_TYPE_BINARY);   /* NULs, then noise */
    /* a few NULs before a short text is not enough to call it a log */
    cr_expect_str_eq(sniff_lit(S("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0abc")), FA_TYPE_BINARY);
}

Test(sniff, hostile_heads_never_crash)
{
    /* every prefix length of a few magic-bearing buffers */
    const char *bufs[] = { "\x80\x04\x95", "IxF2\x80", "BM", "PK\7\x08", "\xc7\x71", "P6 ",
                           "\xef\xbb", "BZh9", "\x93NUMPY" };
    for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
        for (size_t n = 0; n <= strlen(bufs[b]); n++)
            cr_expect_not_null(fa_sniff((const unsigned char *)bufs[b], n, -1));
    unsigned char big[FA_SNIFF_HEAD];
    memset(big, 0xff, sizeof big);
    cr_expect_str_eq(fa_sniff(big, sizeof big, -1), FA_TYPE_BINARY);
}

Test(sniff, predicates)
{
    const char *arch[] = { FA_TYPE_ZIP, FA_TYPE_TAR, FA_TYPE_GZIP, FA_TYPE_BZIP2, FA_TYPE_XZ,
                           FA_TYPE_ZSTD, FA_TYPE_LZ4, FA_TYPE_7Z, FA_TYPE_RAR, FA_TYPE_CPIO,
                           FA_TYPE_ISO, FA_TYPE_AR };
    for (size_t i = 0; i < sizeof arch / sizeof arch[0]; i++) {
        cr_expect(fa_type_is_archive(arch[i]), "%s", arch[i]);
        cr_expect(!fa_type_is_image(arch[i]));
        cr_expect(!fa_type_is_text(arch[i]));
    }
    const char *img[] = { FA_TYPE_JPEG, FA_TYPE_PNG, FA_TYPE_WEBP, FA_TYPE_GIF, FA_TYPE_BMP,
                          FA_TYPE_TIFF, FA_TYPE_PNM };
    for (size_t i = 0; i < sizeof img / sizeof img[0]; i++) {
        cr_expect(fa_type_is_image(img[i]), "%s", img[i]);
        cr_expect(!fa_type_is_archive(img[i]));
    }
    cr_expect(fa_type_is_text(FA_TYPE_TEXT));
    /* a copy of the string (not the same pointer) still matches */
    char copy[32];
    strcpy(copy, FA_TYPE_JPEG);
    cr_expect(fa_type_is_image(copy));
    const char *other[] = { FA_TYPE_NPY, FA_TYPE_PICKLE, FA_TYPE_FAISS, FA_TYPE_HDF5,
                            FA_TYPE_SAFETENSORS, FA_TYPE_BINARY, FA_TYPE_EMPTY };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        cr_expect(!fa_type_is_archive(other[i]) && !fa_type_is_image(other[i]) &&
                  !fa_type_is_text(other[i]), "%s", other[i]);
    cr_expect(!fa_type_is_archive(NULL) && !fa_type_is_image(NULL) && !fa_type_is_text(NULL));
}
