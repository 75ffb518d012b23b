/* fa_sniff: types an object by its first bytes (never by its name). */
#ifndef FACEAUDIT_SNIFF_H
#define FACEAUDIT_SNIFF_H
#include <stddef.h>

/* Types are static strings; compare with strcmp or the predicates below. */
#define FA_TYPE_JPEG     "image/jpeg"
#define FA_TYPE_PNG      "image/png"
#define FA_TYPE_WEBP     "image/webp"
#define FA_TYPE_GIF      "image/gif"
#define FA_TYPE_BMP      "image/bmp"
#define FA_TYPE_TIFF     "image/tiff"
#define FA_TYPE_PNM      "image/x-portable-anymap"
#define FA_TYPE_NPY      "application/x-npy"
#define FA_TYPE_PICKLE   "application/x-python-pickle"
#define FA_TYPE_FAISS    "application/x-faiss"
#define FA_TYPE_HDF5     "application/x-hdf5"
#define FA_TYPE_SAFETENSORS "application/x-safetensors"
#define FA_TYPE_ZIP      "application/zip"
#define FA_TYPE_TAR      "application/x-tar"
#define FA_TYPE_GZIP     "application/gzip"
#define FA_TYPE_BZIP2    "application/x-bzip2"
#define FA_TYPE_XZ       "application/x-xz"
#define FA_TYPE_ZSTD     "application/zstd"
#define FA_TYPE_LZ4      "application/x-lz4"
#define FA_TYPE_7Z       "application/x-7z-compressed"
#define FA_TYPE_RAR      "application/vnd.rar"
#define FA_TYPE_CPIO     "application/x-cpio"
#define FA_TYPE_ISO      "application/x-iso9660-image"
#define FA_TYPE_AR       "application/x-archive"
#define FA_TYPE_TEXT     "text/plain"
#define FA_TYPE_BINARY   "application/octet-stream"
#define FA_TYPE_EMPTY    "application/x-empty"

/* Bytes the sniffer wants to see (it works with fewer). ISO 9660 needs 32 KiB + 6. */
#define FA_SNIFF_HEAD 34816

/* head: the object's first bytes (up to FA_SNIFF_HEAD); total: full size or -1. */
const char *fa_sniff(const unsigned char *head, size_t n, long long total);
int fa_type_is_archive(const char *type);   /* containers and compressed streams */
int fa_type_is_image(const char *type);
int fa_type_is_text(const char *type);
#endif
