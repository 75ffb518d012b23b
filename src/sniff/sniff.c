/* fa_sniff: types an object by its first bytes, never by its name.
 * Strong signatures (fixed magic plus a structural check where the magic is short)
 * come first; text is a heuristic over the head; anything else is binary. */
#include "faceaudit/sniff.h"

#include <stdint.h>
#include <string.h>

static int has(const unsigned char *h, size_t n, size_t off, const void *magic, size_t len)
{
    return n >= off + len && memcmp(h + off, magic, len) == 0;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* --- tar: a 512-byte header whose checksum (octal at 148) matches; signed and unsigned
 * sums both count, as old writers used signed chars. */
static long tar_octal(const unsigned char *p, size_t len)
{
    size_t i = 0;
    long v = 0;
    int digits = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\0')) i++;
    for (; i < len && p[i] >= '0' && p[i] <= '7'; i++, digits++) {
        if (v > (1L << 40)) return -1;
        v = v * 8 + (p[i] - '0');
    }
    if (!digits) return -1;
    for (; i < len; i++)          /* only NUL or space may follow */
        if (p[i] != ' ' && p[i] != '\0') return -1;
    return v;
}

static int tar_checksum_ok(const unsigned char *h, size_t n)
{
    if (n < 512 || h[0] == '\0') return 0;   /* an empty name is no header */
    long want = tar_octal(h + 148, 8);
    if (want < 0) return 0;
    long us = 0, ss = 0;
    for (int i = 0; i < 512; i++) {
        int c = (i >= 148 && i < 156) ? ' ' : h[i];
        us += (unsigned char)c;
        ss += (signed char)c;
    }
    /* the size field must parse too (it may be base-256 in GNU tar: high bit set) */
    if (!(h[124] & 0x80) && tar_octal(h + 124, 12) < 0) return 0;
    return want == us || want == ss;
}

static int is_ustar(const unsigned char *h, size_t n)
{
    return has(h, n, 257, "ustar\0", 6) || has(h, n, 257, "ustar  \0", 8);
}

/* --- BMP: "BM" is two letters, so require a known DIB header size too. */
static int is_bmp(const unsigned char *h, size_t n)
{
    if (!has(h, n, 0, "BM", 2) || n < 18) return 0;
    uint32_t dib = le32(h + 14);
    return dib == 12 || dib == 16 || dib == 40 || dib == 52 || dib == 56 || dib == 64 ||
           dib == 108 || dib == 124;
}

/* --- PNM: P1..P6, whitespace, then (after comments) a digit for the width. */
static int is_pnm(const unsigned char *h, size_t n)
{
    if (n < 3 || h[0] != 'P' || h[1] < '1' || h[1] > '6') return 0;
    size_t i = 2;
    if (h[i] != ' ' && h[i] != '\t' && h[i] != '\n' && h[i] != '\r') return 0;
    while (i < n) {
        unsigned char c = h[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { i++; continue; }
        if (c == '#') { while (i < n && h[i] != '\n') i++; continue; }
        return c >= '0' && c <= '9';
    }
    return n < 64;   /* head ended inside comments: trust the magic */
}

/* --- pickle: PROTO (0x80) with protocol 2..5, then a valid opcode. Protocol 4+
 * pickles normally start with a FRAME (0x95) whose 8-byte length must be sane. */
static int pickle_opcode(unsigned char c)
{
    static const char ops[] = "(.0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}])~\x80\x81\x82\x83\x84"
                              "\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94"
                              "\x95\x96\x97\x98";
    return c != '\0' && memchr(ops, c, sizeof ops - 1) != NULL;
}

static int is_pickle(const unsigned char *h, size_t n)
{
    if (n < 3 || h[0] != 0x80 || h[1] < 2 || h[1] > 5) return 0;
    if (h[2] == 0x95) {   /* FRAME */
        if (n < 12) return 1;
        /* A frame longer than the object is a cut pickle (an interrupted copy): still typed
         * as one, so the walker reports it truncated instead of the bytes going unread. */
        uint64_t flen = le64(h + 3);
        if (flen == 0 || flen > ((uint64_t)1 << 48)) return 0;
        return pickle_opcode(h[11]);
    }
    return pickle_opcode(h[2]);
}

/* --- FAISS: write_index() starts with a fourcc naming the index class (faiss
 * impl/index_read.cpp); most are followed by the common header: d (int32), ntotal
 * (int64), two int64 dummies (1 << 20). */
static const char faiss_hdr_cc[][5] = {
    "IxFI", "IxF2", "IxFl", "IxHE", "IxHe", "IxPQ", "IxPo", "IxPq", "IxRQ", "IxRq", "IxLS",
    "IxPR", "IxPL", "ImRQ", "ILfs", "IRfs", "IPRf", "IPLf", "IVLf", "IVRf", "NPLf", "NPRf",
    "IvFl", "IvFL", "IwFd", "IwFl", "IxSQ", "IvSQ", "IwSQ", "IwSq", "IwLS", "IwRQ", "IwPL",
    "IwPR", "IwSh", "IvPQ", "IvQR", "IwPQ", "IwQR", "IwIQ", "IxPT", "Imiq", "IxRF", "IxMp",
    "IxM2", "Ix2L", "IHNf", "IHNp", "IHNs", "IHN2", "IHNc", "INSf", "INSp", "INSs", "INNf",
    "IPfs", "IwPf", "IRMf", "IRMh",
};
/* Lattice and binary indexes have their own header layouts. */
static const char faiss_other_cc[][5] = {
    "IxLa", "IBxF", "IBwF", "IBFf", "IBHf", "IBMp", "IBM2", "IBHh", "IBHm",
};

static int is_faiss(const unsigned char *h, size_t n)
{
    if (n < 4) return 0;
    for (size_t i = 0; i < sizeof faiss_hdr_cc / sizeof faiss_hdr_cc[0]; i++) {
        if (memcmp(h, faiss_hdr_cc[i], 4) != 0) continue;
        if (n < 16) return n >= 8 ? le32(h + 4) - 1u < (1u << 24) : 1;
        uint32_t d = le32(h + 4);
        uint64_t ntotal = le64(h + 8);
        return d >= 1 && d <= (1u << 24) && ntotal <= (1ULL << 40);
    }
    for (size_t i = 0; i < sizeof faiss_other_cc / sizeof faiss_other_cc[0]; i++) {
        if (memcmp(h, faiss_other_cc[i], 4) != 0) continue;
        if (n < 8) return 1;
        uint32_t d = le32(h + 4);
        return d >= 1 && d <= (1u << 24);
    }
    return 0;
}

/* --- safetensors: u64 LE header length, then a JSON object. */
static int is_safetensors(const unsigned char *h, size_t n, long long total)
{
    if (n < 10 || h[8] != '{') return 0;
    uint64_t hl = le64(h);
    if (hl < 2 || hl > (100u << 20)) return 0;
    if (total >= 0 && hl + 8 > (uint64_t)total) return 0;
    size_t i = 9;
    while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t')) i++;
    return i >= n || h[i] == '"' || h[i] == '}';
}

/* --- cpio: ASCII magics, or the old binary header (magic 070707 in either byte order)
 * with a name whose NUL sits where namesize says. */
static int is_cpio(const unsigned char *h, size_t n)
{
    if (has(h, n, 0, "070701", 6) || has(h, n, 0, "070702", 6) || has(h, n, 0, "070707", 6))
        return 1;
    if (n < 28) return 0;
    int le = h[0] == 0xc7 && h[1] == 0x71, be = h[0] == 0x71 && h[1] == 0xc7;
    if (!le && !be) return 0;
    unsigned namesize = le ? (unsigned)(h[20] | h[21] << 8) : (unsigned)(h[20] << 8 | h[21]);
    if (namesize < 2 || namesize > 4096) return 0;
    if (26 + (size_t)namesize > n) return 1;   /* name runs past the head: trust the magic */
    return h[26 + namesize - 1] == '\0' && memchr(h + 26, '\0', namesize - 1) == NULL;
}

/* --- HDF5: the superblock is at 0 or after a user block of 512 * 2^k bytes. */
static int is_hdf5(const unsigned char *h, size_t n)
{
    static const unsigned char sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
    for (size_t off = 0; off + 8 <= n; off = off ? off * 2 : 512)
        if (memcmp(h + off, sig, 8) == 0) return 1;
    return 0;
}

/* --- text: valid UTF-8 (a sequence cut by the end of the head is fine); few control
 * characters; a little invalid UTF-8 (Latin-1 accents) is tolerated. A stray NUL counts as a
 * control character rather than making the object binary: a log with one NUL must still be
 * searched (UTF-16 and real binaries have far too many to pass). */
static int is_text(const unsigned char *h, size_t n)
{
    size_t i = 0, ctrl = 0, bad = 0;
    if (has(h, n, 0, "\xef\xbb\xbf", 3)) i = 3;
    for (; i < n; ) {
        unsigned char c = h[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
                c != '\b' && c != 0x1b)
                ctrl++;
            else if (c == 0x7f)
                ctrl++;
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
        else { bad++; i++; continue; }
        size_t j = 1;
        for (; j < len && i + j < n; j++) {
            if ((h[i + j] & 0xc0) != 0x80) break;
            cp = cp << 6 | (h[i + j] & 0x3f);
        }
        if (i + j == n && j < len) break;              /* cut by the end of the head */
        if (j < len) { bad++; i++; continue; }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) { bad++; i++; continue; }
        i += len;
    }
    /* at most 1 control char in 50 (or a single one) and 1 stray high byte in 10 */
    return (ctrl <= 1 || ctrl * 50 <= n) && bad * 10 <= n;
}

const char *fa_sniff(const unsigned char *head, size_t n, long long total)
{
    const unsigned char *h = head;
    if (n == 0 || !h) return FA_TYPE_EMPTY;

    if (tar_checksum_ok(h, n)) return FA_TYPE_TAR;

    if (has(h, n, 0, "\xff\xd8\xff", 3)) return FA_TYPE_JPEG;
    if (has(h, n, 0, "\x89PNG\r\n\x1a\n", 8)) return FA_TYPE_PNG;
    if (has(h, n, 0, "GIF87a", 6) || has(h, n, 0, "GIF89a", 6)) return FA_TYPE_GIF;
    if (has(h, n, 0, "RIFF", 4) && has(h, n, 8, "WEBP", 4)) return FA_TYPE_WEBP;
    if (is_bmp(h, n)) return FA_TYPE_BMP;
    if (has(h, n, 0, "II*\0", 4) || has(h, n, 0, "MM\0*", 4) ||
        has(h, n, 0, "II+\0", 4) || has(h, n, 0, "MM\0+", 4))   /* classic and BigTIFF */
        return FA_TYPE_TIFF;
    if (has(h, n, 0, "\x93NUMPY", 6) && (n < 7 || (h[6] >= 1 && h[6] <= 3))) return FA_TYPE_NPY;
    if (is_pickle(h, n)) return FA_TYPE_PICKLE;
    if (is_faiss(h, n)) return FA_TYPE_FAISS;
    if (has(h, n, 0, "\x89HDF\r\n\x1a\n", 8)) return FA_TYPE_HDF5;

    if (has(h, n, 0, "PK\3\4", 4) || has(h, n, 0, "PK\5\6", 4) ||
        (has(h, n, 0, "PK\7\x08", 4) && (n < 8 || has(h, n, 4, "PK\3\4", 4))) ||
        (has(h, n, 0, "PK00", 4) && has(h, n, 4, "PK\3\4", 4)))
        return FA_TYPE_ZIP;
    if (has(h, n, 0, "\x1f\x8b\x08", 3)) return FA_TYPE_GZIP;
    if (n >= 4 && has(h, n, 0, "BZh", 3) && h[3] >= '1' && h[3] <= '9' &&
        (n < 10 || has(h, n, 4, "1AY&SY", 6) || has(h, n, 4, "\x17\x72\x45\x38\x50\x90", 6)))
        return FA_TYPE_BZIP2;
    if (has(h, n, 0, "\xfd" "7zXZ\0", 6)) return FA_TYPE_XZ;
    if (has(h, n, 0, "\x28\xb5\x2f\xfd", 4)) return FA_TYPE_ZSTD;
    if (has(h, n, 0, "\x04\x22\x4d\x18", 4)) return FA_TYPE_LZ4;
    if (has(h, n, 0, "7z\xbc\xaf\x27\x1c", 6)) return FA_TYPE_7Z;
    if (has(h, n, 0, "Rar!\x1a\x07\x00", 7) || has(h, n, 0, "Rar!\x1a\x07\x01\x00", 8))
        return FA_TYPE_RAR;
    if (is_cpio(h, n)) return FA_TYPE_CPIO;
    if (has(h, n, 0, "!<arch>\n", 8)) return FA_TYPE_AR;
    if (is_safetensors(h, n, total)) return FA_TYPE_SAFETENSORS;
    /* ISO 9660: a volume descriptor (type 0-3 or 255 terminator) at sector 16 */
    if (has(h, n, 32769, "CD001", 5) &&
        (h[32768] <= 3 || h[32768] == 255))
        return FA_TYPE_ISO;
    if (is_hdf5(h, n)) return FA_TYPE_HDF5;
    if (is_pnm(h, n)) return FA_TYPE_PNM;
    if (is_ustar(h, n)) return FA_TYPE_TAR;   /* magic with a bad checksum: let libarchive judge */
    if (is_text(h, n)) return FA_TYPE_TEXT;
    /* A log truncated in place (logrotate copytruncate) while its writer kept its offset
     * starts with a run of NULs, then goes on as text: judge what follows the run. */
    size_t z = 0;
    while (z < n && h[z] == '\0') z++;
    if (z >= 16 && n - z >= 64 && is_text(h + z, n - z)) return FA_TYPE_TEXT;
    return FA_TYPE_BINARY;
}

static int in_list(const char *type, const char *const *list)
{
    if (!type) return 0;
    for (; *list; list++)
        if (type == *list || strcmp(type, *list) == 0) return 1;
    return 0;
}

int fa_type_is_archive(const char *type)
{
    static const char *const list[] = {
        FA_TYPE_ZIP, FA_TYPE_TAR, FA_TYPE_GZIP, FA_TYPE_BZIP2, FA_TYPE_XZ, FA_TYPE_ZSTD,
        FA_TYPE_LZ4, FA_TYPE_7Z, FA_TYPE_RAR, FA_TYPE_CPIO, FA_TYPE_ISO, FA_TYPE_AR, NULL
    };
    return in_list(type, list);
}

int fa_type_is_image(const char *type)
{
    static const char *const list[] = {
        FA_TYPE_JPEG, FA_TYPE_PNG, FA_TYPE_WEBP, FA_TYPE_GIF, FA_TYPE_BMP, FA_TYPE_TIFF,
        FA_TYPE_PNM, NULL
    };
    return in_list(type, list);
}

int fa_type_is_text(const char *type)
{
    static const char *const list[] = { FA_TYPE_TEXT, NULL };
    return in_list(type, list);
}
