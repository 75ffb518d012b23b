/* The image header probe and the completeness check. */
#include "fuzz_common.h"
#include "faceaudit/imagesize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = fuzz_dup(data, size);
    fa_imagesize info;
    memset(&info, 0, sizeof info);
    int rc = fa_imagesize_probe(copy, size, &info);
    if (rc == FA_IMGSZ_OK) {
        if (info.width <= 0 || info.height <= 0 || !info.format || !info.mime)
            abort();
        (void)fa_imagesize_complete(copy, size, &info);
    } else if (rc != FA_IMGSZ_UNKNOWN && rc != FA_IMGSZ_TRUNCATED && rc != FA_IMGSZ_CORRUPT) {
        abort();
    }
    if (!fa_imagesize_strerror(rc))
        abort();
    free(copy);
    return 0;
}
