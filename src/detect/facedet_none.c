/* fa_facedet when faceaudit is built without OpenCV (pkg-config found no opencv4, so the
 * Makefile left src/shim/facedet.cpp out): every call fails with a message saying so. */
#include "faceaudit/facedet.h"

#ifndef FA_HAVE_OPENCV
# if defined(__has_include)
#  if __has_include(<opencv4/opencv2/core/version.hpp>)
#   define FA_HAVE_OPENCV 1
#  endif
# endif
#endif

#if !defined(FA_HAVE_OPENCV) || !FA_HAVE_OPENCV
#include <stdlib.h>
#include <string.h>

void fa_facedet_opts_init(fa_facedet_opts *o) { memset(o, 0, sizeof(*o)); }

fa_facedet *fa_facedet_new(const fa_facedet_opts *opts, char **errmsg)
{
    (void)opts;
    if (errmsg) *errmsg = strdup("faceaudit was built without OpenCV (install libopencv-dev "
                                 "and opencv-data, then rebuild)");
    return NULL;
}

void fa_facedet_close(fa_facedet *h) { (void)h; }

int fa_facedet_detect(fa_facedet *h, const unsigned char *data, size_t len,
                      fa_faceresult *out, char **errmsg)
{
    (void)h; (void)data; (void)len; (void)out;
    if (errmsg) *errmsg = strdup("faceaudit was built without OpenCV");
    return 3;
}

void fa_facedet_free_str(char *s) { free(s); }
int  fa_facedet_available(void) { return 0; }
#else
/* Built with OpenCV: the shim defines everything. ISO C wants a declaration per unit. */
typedef int fa_facedet_none_unused;
#endif
