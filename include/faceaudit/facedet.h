/* fa_facedet: face detection in an encoded image held in memory, over OpenCV.
 * This is the extern "C" face of src/shim/facedet.cpp, the only C++ in faceaudit
 * (after leveldb's include/leveldb/c.h): an opaque handle, plain structs, errors returned
 * as malloc'ed text, and no C++ exception ever crossing this boundary.
 *
 * A handle holds the loaded cascades (or the YuNet network). It is created once per scan
 * (the image kind's prepare()) and is safe to share between threads: detection on one
 * handle is serialised by a mutex inside it, because cv::CascadeClassifier::detectMultiScale
 * is not documented as thread-safe.
 *
 * libfaceaudit does not link OpenCV: src/detect/facedet_plugin.c implements this API by
 * loading the shim, built as faceaudit-opencv.so, with dlopen() on first use. When the plugin
 * is absent (faceaudit built without OpenCV) or cannot be loaded, fa_facedet_new() fails with
 * a message saying so and the image kind reports it as an error entry per image it could not
 * judge; `scan --face-model` checks it before scanning and exits 2. */
#ifndef FACEAUDIT_FACEDET_H
#define FACEAUDIT_FACEDET_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fa_facedet fa_facedet;

/* Verification steps a cascade candidate must pass (bit mask). */
enum {
    FA_FV_EYES  = 1,  /* an eye cascade finds an eye in the upper half of the face box */
    FA_FV_SKIN  = 2,  /* enough skin-toned pixels (YCrCb box) in the centre of the box */
    FA_FV_AGREE = 4   /* a second frontal cascade confirms the box (overlap >= 0.3 IoU) */
};

#define FA_FACEDET_MAX_CASCADES 8

typedef struct fa_facedet_opts {
    /* Face cascades, each a file name (with or without .xml) looked up in
     * <cascade_dir>/haarcascades and <cascade_dir>/lbpcascades, or an absolute path.
     * The first is the primary detector (it scans the image); the others only confirm
     * candidates for FA_FV_AGREE. ncascades == 0 means the built-in default. */
    const char *cascades[FA_FACEDET_MAX_CASCADES];
    size_t      ncascades;
    const char *cascade_dir;   /* NULL = /usr/share/opencv4 */
    const char *eye_cascade;   /* NULL = haarcascade_eye.xml */
    int         min_face_px;   /* smallest face side reported, in original pixels (0 = 32) */
    double      scale_factor;  /* detectMultiScale scaleFactor (0 = 1.1) */
    int         min_neighbors; /* detectMultiScale minNeighbors (0 = 3; -1 means 0) */
    unsigned    verify;        /* FA_FV_* mask of the steps run on each candidate */
    int         min_votes;     /* steps a candidate must pass (0 = every step in verify) */
    long long   max_pixels;    /* refuse larger images (0 = 50,000,000) */
    int         work_side;     /* longest side the image is downscaled to before detecting (0 = 800) */
    double      min_confidence;/* drop faces scoring below this (0..1; 0 = keep all verified) */
    const char *yunet_model;   /* YuNet ONNX model path: use cv::FaceDetectorYN instead of cascades */
} fa_facedet_opts;

/* Fills o with the defaults above (all zero fields mean "default"). */
void fa_facedet_opts_init(fa_facedet_opts *o);

typedef struct fa_faceresult {
    int    width, height;   /* image size as decoded (after EXIF orientation) */
    int    faces;           /* faces that passed verification and min_confidence */
    int    candidates;      /* raw primary detections before verification */
    int    largest_face_px; /* longest side of the largest face, in image pixels (0 if none) */
    double confidence;      /* best face's score in 0..1 (0 if none) */
    char   detector[96];    /* e.g. "haar:frontalface_alt2+eyes+skin" or "yunet" */
} fa_faceresult;

/* Creates a handle, loading every cascade (or the model) now. NULL on failure with
 * *errmsg set to malloc'ed text (caller frees with fa_facedet_free_str). errmsg may be NULL. */
fa_facedet *fa_facedet_new(const fa_facedet_opts *opts, char **errmsg);
void        fa_facedet_close(fa_facedet *h);

/* Decodes `len` bytes of an encoded image (JPEG, PNG, WebP, BMP, TIFF, PNM) and detects
 * faces. Returns 0 with *out filled; otherwise non-zero with *errmsg (malloc'ed):
 *   1  corrupt, truncated or undecodable image
 *   2  image larger than max_pixels (checked from the header before decoding)
 *   3  internal error (out of memory, OpenCV exception)
 * The message never contains image content. */
int fa_facedet_detect(fa_facedet *h, const unsigned char *data, size_t len,
                      fa_faceresult *out, char **errmsg);

/* Reads only the header dimensions (see imagesize.h); 0 on success. Provided here so shim
 * users need one header; implemented in C in src/detect/imagesize.c. */
int fa_facedet_probe_size(const unsigned char *data, size_t len, long *w, long *h,
                          const char **type);

/* Frees a string returned by this API. */
void fa_facedet_free_str(char *s);

/* 1 when the OpenCV plugin (faceaudit-opencv.so) loads; see src/detect/facedet_plugin.c. */
int fa_facedet_available(void);

#ifdef __cplusplus
}
#endif
#endif
