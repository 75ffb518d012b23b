// The OpenCV face-detection shim behind include/faceaudit/facedet.h: the only C++ in
// faceaudit. Every entry point catches every exception; errors leave as malloc'ed text.
//
// Pipeline for one image (cascade mode):
//   header probe (C, imagesize.c) -> refuse > max_pixels before any allocation
//   -> structural completeness check (truncated JPEG/PNG are errors, not gray pixels)
//   -> cv::imdecode with IMREAD_REDUCED_COLOR_{2,4,8} when the image is much larger than
//      the working size (libjpeg then decodes at 1/2..1/8 scale: less memory and time)
//   -> downscale to work_side, grey, equalise -> candidates -> each candidate verified on
//      its own small region (eyes, skin, second cascade).
// Candidates (the default cascade set): a fast proposal pass (lbpcascade_frontalface, an
// image pyramid) for faces under ~100 work pixels, each proposal re-scanned by Haar alt2 in a
// small region around it; faces larger than that are scanned by alt2 directly on a 1/4-size
// image (cheap, and more reliable for big faces than LBP). With an explicit cascade list the
// first cascade scans the whole image instead (slower; the same verification follows).
// EXIF orientation is applied (we do not pass IMREAD_IGNORE_ORIENTATION): cascades only
// find upright faces, and phone photos are often stored sideways with an orientation tag.
#include "faceaudit/facedet.h"
#include "faceaudit/imagesize.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>
#include <sys/stat.h>

namespace {

// Defaults measured on tests/eval/faces.tsv (see doc/kind-image.md).
const char *const kDefaultCascades[] = {"haarcascade_frontalface_alt2",
                                        "lbpcascade_frontalface_improved"};
const char kDefaultDir[] = "/usr/share/opencv4";
const char kDefaultEyes[] = "haarcascade_eye";
const char kDefaultPropose[] = "lbpcascade_frontalface";
// Fast candidate pass, measured on tests/eval/faces.tsv (doc/kind-image.md): same precision
// and recall as alt2 over the whole image at scale 1.1, about 2.5x less CPU.
const double kProposeScale = 1.15;  // LBP proposal pass scaleFactor
const int kLargeFace = 96;          // work px: faces at least this big come from the 1/4 pass
const int kLargeDiv = 4;            // that pass's downscale
const double kProposeOverlap = 1.25;// proposals reach a bit past kLargeFace

char *dupmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *dupmsg(const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return strdup(tmp);   // NULL on OOM: callers tolerate a NULL message
}

void set_err(char **errmsg, char *msg)
{
    if (errmsg) *errmsg = msg;
    else free(msg);
}

bool file_exists(const std::string &p)
{
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A cascade name -> a readable file: absolute path, or a file name in the share folders.
std::string resolve_cascade(const std::string &dir, const std::string &name)
{
    if (name.empty()) return std::string();
    if (name[0] == '/') return file_exists(name) ? name : std::string();
    if (name.find('/') != std::string::npos) return std::string();   // no relative escapes
    std::string n = name;
    if (n.size() < 4 || n.compare(n.size() - 4, 4, ".xml") != 0) n += ".xml";
    for (const char *sub : {"/haarcascades/", "/lbpcascades/"}) {
        std::string p = dir + sub + n;
        if (file_exists(p)) return p;
    }
    return std::string();
}

// "haarcascade_frontalface_alt2" -> "haar:frontalface_alt2" for the evidence.
std::string short_name(const std::string &name)
{
    std::string b = name.substr(name.find_last_of('/') + 1);
    if (b.size() > 4 && b.compare(b.size() - 4, 4, ".xml") == 0) b.resize(b.size() - 4);
    if (b.rfind("haarcascade_", 0) == 0) return "haar:" + b.substr(12);
    if (b.rfind("lbpcascade_", 0) == 0) return "lbp:" + b.substr(11);
    return b;
}

double iou(const cv::Rect &a, const cv::Rect &b)
{
    double in = (a & b).area();
    double un = a.area() + b.area() - in;
    return un > 0 ? in / un : 0;
}

std::once_flag g_once;
void global_init()
{
    // One thread inside OpenCV: faceaudit parallelises over objects, not pixels, and a
    // thread pool per process would fight the scanner's workers.
    cv::setNumThreads(1);
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

}  // namespace

// One set of loaded classifiers. cv::CascadeClassifier copies share their state, and
// detectMultiScale is not documented thread-safe, so each scanning thread borrows a worker
// of its own from the handle's pool (created on demand, kept for reuse).
struct Worker {
    std::vector<cv::CascadeClassifier> casc;   // [0] primary, others confirm
    cv::CascadeClassifier eyes;
    cv::CascadeClassifier propose;             // fast proposals (default cascade set only)
    cv::Ptr<cv::FaceDetectorYN> yunet;
};

struct fa_facedet {
    fa_facedet_opts opts;                 // string fields point into the copies below
    std::vector<std::string> casc_paths;  // resolved files
    std::string eye_path, model_path;
    std::string propose_path;             // non-empty: fast candidate pass (see top)
    std::string detector;                 // evidence text
    std::mutex mu;                        // guards idle
    std::vector<std::unique_ptr<Worker>> idle;
};

extern "C" void fa_facedet_opts_init(fa_facedet_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->min_face_px = 32;
    o->scale_factor = 1.1;
    o->min_neighbors = 3;
    o->verify = FA_FV_EYES | FA_FV_AGREE;
    o->max_pixels = 50000000LL;
    o->work_side = 800;
}

static void fill_defaults(fa_facedet_opts *o)
{
    if (o->min_face_px <= 0) o->min_face_px = 32;
    if (o->scale_factor <= 1.0) o->scale_factor = 1.1;
    if (o->min_neighbors == 0) o->min_neighbors = 3;
    else if (o->min_neighbors < 0) o->min_neighbors = 0;
    if (o->max_pixels <= 0) o->max_pixels = 50000000LL;
    if (o->work_side <= 0) o->work_side = 800;
    if (o->work_side < 64) o->work_side = 64;
}

// Loads a worker from the handle's resolved paths; nullptr with *why on failure.
static std::unique_ptr<Worker> load_worker(const fa_facedet *h, std::string *why)
{
    std::unique_ptr<Worker> w(new Worker());
    if (!h->model_path.empty()) {
        float thr = (float)(h->opts.min_confidence > 0 ? h->opts.min_confidence : 0.9);
        w->yunet = cv::FaceDetectorYN::create(h->model_path, "", cv::Size(320, 320), thr, 0.3f,
                                              5000);
        if (w->yunet.empty()) {
            *why = "cannot load face model " + h->model_path;
            return nullptr;
        }
        return w;
    }
    for (const std::string &p : h->casc_paths) {
        cv::CascadeClassifier c;
        if (!c.load(p)) {
            *why = "cannot load face cascade " + p;
            return nullptr;
        }
        w->casc.push_back(c);
    }
    if (!h->propose_path.empty() && !w->propose.load(h->propose_path)) {
        *why = "cannot load face cascade " + h->propose_path;
        return nullptr;
    }
    if (!h->eye_path.empty() && !w->eyes.load(h->eye_path)) {
        *why = "cannot load eye cascade " + h->eye_path;
        return nullptr;
    }
    return w;
}

static fa_facedet *facedet_new(const fa_facedet_opts *in, char **errmsg)
{
    std::call_once(g_once, global_init);
    std::unique_ptr<fa_facedet> h(new fa_facedet());
    if (in) h->opts = *in;
    else fa_facedet_opts_init(&h->opts);
    fill_defaults(&h->opts);
    fa_facedet_opts &o = h->opts;
    std::string dir = o.cascade_dir ? o.cascade_dir : kDefaultDir;
    // The caller's strings are borrowed only for this call.
    o.cascade_dir = nullptr;
    o.eye_cascade = nullptr;
    for (auto &c : o.cascades) c = nullptr;

    if (o.yunet_model && *o.yunet_model) {
        h->model_path = o.yunet_model;
        o.yunet_model = nullptr;
        if (!file_exists(h->model_path)) {
            set_err(errmsg, dupmsg("face model not found: %s", h->model_path.c_str()));
            return nullptr;
        }
        h->detector = "yunet";
    } else {
        o.yunet_model = nullptr;
        std::vector<std::string> names;
        if (in && in->ncascades) {
            for (size_t i = 0; i < in->ncascades && i < FA_FACEDET_MAX_CASCADES; i++)
                if (in->cascades[i]) names.emplace_back(in->cascades[i]);
        } else {
            names.assign(std::begin(kDefaultCascades), std::end(kDefaultCascades));
            h->propose_path = resolve_cascade(dir, kDefaultPropose);
            if (h->propose_path.empty()) {
                set_err(errmsg, dupmsg("face cascade '%s' not found (install opencv-data)",
                                       kDefaultPropose));
                return nullptr;
            }
            h->detector = short_name(kDefaultPropose);
        }
        if (names.empty()) {
            set_err(errmsg, dupmsg("no face cascade given"));
            return nullptr;
        }
        for (const std::string &n : names) {
            std::string p = resolve_cascade(dir, n);
            if (p.empty()) {
                set_err(errmsg, dupmsg("face cascade '%s' not found (looked in %s/haarcascades and "
                                       "%s/lbpcascades; install opencv-data)", n.c_str(),
                                       dir.c_str(), dir.c_str()));
                return nullptr;
            }
            h->casc_paths.push_back(p);
            if (h->casc_paths.size() == 1 || (o.verify & FA_FV_AGREE)) {
                if (!h->detector.empty()) h->detector += "+";
                h->detector += short_name(n);
            }
        }
        if ((o.verify & FA_FV_AGREE) && h->casc_paths.size() < 2) {
            set_err(errmsg, dupmsg("verification 'agree' needs at least two cascades"));
            return nullptr;
        }
        if (o.verify & FA_FV_EYES) {
            std::string n = in && in->eye_cascade ? in->eye_cascade : kDefaultEyes;
            h->eye_path = resolve_cascade(dir, n);
            if (h->eye_path.empty()) {
                set_err(errmsg, dupmsg("eye cascade '%s' not found", n.c_str()));
                return nullptr;
            }
            h->detector += "+eyes";
        }
        if (o.verify & FA_FV_SKIN) h->detector += "+skin";
    }
    // Load one worker now, so a broken file is reported when the rules are prepared.
    std::string why;
    std::unique_ptr<Worker> w = load_worker(h.get(), &why);
    if (!w) {
        set_err(errmsg, dupmsg("%s", why.c_str()));
        return nullptr;
    }
    h->idle.push_back(std::move(w));
    return h.release();
}

extern "C" fa_facedet *fa_facedet_new(const fa_facedet_opts *opts, char **errmsg)
{
    if (errmsg) *errmsg = nullptr;
    try {
        return facedet_new(opts, errmsg);
    } catch (const cv::Exception &e) {
        set_err(errmsg, dupmsg("OpenCV: %s", e.err.c_str()));
    } catch (const std::bad_alloc &) {
        set_err(errmsg, dupmsg("out of memory loading the face detector"));
    } catch (...) {
        set_err(errmsg, dupmsg("unexpected error loading the face detector"));
    }
    return nullptr;
}

extern "C" void fa_facedet_close(fa_facedet *h)
{
    try {
        delete h;
    } catch (...) {
    }
}

extern "C" void fa_facedet_free_str(char *s) { free(s); }
extern "C" int fa_facedet_available(void) { return 1; }

#ifndef AGREE_NEIGH
#define AGREE_NEIGH 1
#endif
namespace {

// Share of skin-toned pixels (a YCrCb box, Chai & Ngan 1999) in the central part of the
// face box. Grey images carry no hue: the caller skips the test for them.
double skin_ratio(const cv::Mat &bgr, const cv::Rect &f)
{
    cv::Rect c(f.x + f.width / 4, f.y + f.height / 4, f.width / 2, f.height / 2);
    c &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (c.area() <= 0) return 0;
    cv::Mat ycc, mask;
    cv::cvtColor(bgr(c), ycc, cv::COLOR_BGR2YCrCb);
    cv::inRange(ycc, cv::Scalar(0, 133, 77), cv::Scalar(255, 173, 127), mask);
    return (double)cv::countNonZero(mask) / c.area();
}

bool is_grey(const cv::Mat &bgr)
{
    // Sample a grid: a colour photo has some pixels whose channels differ.
    int step = std::max(1, std::min(bgr.rows, bgr.cols) / 64);
    long coloured = 0, n = 0;
    for (int y = 0; y < bgr.rows; y += step) {
        const cv::Vec3b *row = bgr.ptr<cv::Vec3b>(y);
        for (int x = 0; x < bgr.cols; x += step) {
            const cv::Vec3b &p = row[x];
            int d = std::max({std::abs(p[0] - p[1]), std::abs(p[1] - p[2]), std::abs(p[0] - p[2])});
            coloured += d > 12;
            n++;
        }
    }
    return n == 0 || coloured * 50 < n;   // under 2% coloured samples
}

struct Verdict {
    cv::Rect box;
    bool eyes = false, two_eyes = false, skin = false, agree = false, grey = false;
    double skin_ratio = 0;
    double score = 0;
};

int count_eyes(cv::CascadeClassifier &eyes, const cv::Mat &grey, const cv::Rect &f)
{
    // Eyes sit in the upper half of a frontal face box (rows 15%..60%). Small faces are
    // upsampled so an eye spans more than the cascade's 20-px window.
    cv::Rect r(f.x, f.y + f.height * 15 / 100, f.width, f.height * 45 / 100);
    r &= cv::Rect(0, 0, grey.cols, grey.rows);
    if (r.area() <= 0) return 0;
    double up = f.width < 160 ? 160.0 / f.width : 1.0;
    cv::Mat roi = grey(r);
    if (up > 1.0) cv::resize(roi, roi, cv::Size(), up, up, cv::INTER_LINEAR);
    int fw = (int)(f.width * up);
    std::vector<cv::Rect> e;
    int mn = std::max(12, fw / 10);
    eyes.detectMultiScale(roi, e, 1.1, 3, 0, cv::Size(mn, mn), cv::Size(fw / 2, fw / 2));
    // Two eyes: two detections whose centres are apart horizontally.
    int n = (int)e.size();
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            int ci = e[i].x + e[i].width / 2, cj = e[j].x + e[j].width / 2;
            if (std::abs(ci - cj) > fw / 5) return 2;
        }
    return n > 0 ? 1 : 0;
}

// Rescans a margin around the candidate with another cascade at sizes near its own. Small
// candidates are upsampled first: lbpcascade_frontalface_improved's window is 45 px, so
// without this it could never confirm a 30-px face.
bool agrees(cv::CascadeClassifier &c, const cv::Mat &grey, const cv::Rect &f)
{
    int m = f.width / 3;
    cv::Rect r(f.x - m, f.y - m, f.width + 2 * m, f.height + 2 * m);
    r &= cv::Rect(0, 0, grey.cols, grey.rows);
    if (r.area() <= 0) return false;
    double up = f.width < 96 ? 96.0 / f.width : 1.0;
    cv::Mat roi = grey(r);
    if (up > 1.0) cv::resize(roi, roi, cv::Size(), up, up, cv::INTER_LINEAR);
    int fw = (int)(f.width * up);
    cv::Rect fs((int)((f.x - r.x) * up), (int)((f.y - r.y) * up), fw, (int)(f.height * up));
    std::vector<cv::Rect> d;
    int lo = fw / 2, hi = fw * 16 / 10;
    c.detectMultiScale(roi, d, 1.05, AGREE_NEIGH, 0, cv::Size(lo, lo), cv::Size(hi, hi));
    for (const cv::Rect &x : d)
        if (iou(x, fs) >= 0.25) return true;
    return false;
}

// Detections of sides [lo, hi] by cascade c over an image pyramid (halving each octave).
// Inside an octave every scale stays below 2, where detectMultiScale steps its window by 2
// pixels; above 2 it steps by 1 pixel, which is 4x the work for big faces at no gain.
// minNeighbors 0: raw windows (the caller groups them). Boxes in g's pixels.
void pyramid_raw(cv::CascadeClassifier &c, const cv::Mat &g, double sf, int lo, int hi,
                 std::vector<cv::Rect> &out)
{
    const cv::Size ws = c.getOriginalWindowSize();
    const int win = std::max(1, std::max(ws.width, ws.height));
    cv::Mat img = g, next;
    for (int k = 1; k <= 1 << 16; k *= 2) {
        int a = std::max(win, (int)std::ceil((double)lo / k));
        int b = std::min(2 * win - 1, hi / k);
        if (std::min(img.cols, img.rows) < a) break;
        if (a <= b) {
            std::vector<cv::Rect> d;
            c.detectMultiScale(img, d, sf, 0, 0, cv::Size(a, a), cv::Size(b, b));
            for (const cv::Rect &r : d) out.emplace_back(r.x * k, r.y * k, r.width * k, r.height * k);
        }
        if (hi / k < 2 * win) break;
        cv::resize(img, next, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
        img = next;
        next = cv::Mat();   // the next resize must not write into img
    }
}

void add_unique(std::vector<cv::Rect> &boxes, const cv::Rect &b)
{
    for (const cv::Rect &o : boxes)
        if (iou(b, o) >= 0.3) return;
    boxes.push_back(b);
}

// The default candidate pass (see the top of this file): LBP proposals for small and middle
// faces, each re-scanned by the primary Haar cascade around itself at sizes near its own, and
// the primary cascade over a 1/4-size image for large faces. Returns primary-cascade boxes.
std::vector<cv::Rect> fast_candidates(Worker *wp, const cv::Mat &grey, int minsz,
                                      const fa_facedet_opts &o)
{
    std::vector<cv::Rect> boxes;
    cv::CascadeClassifier &prim = wp->casc[0];
    const int phi = (int)(kLargeFace * kProposeOverlap);
    if (minsz < phi) {
        std::vector<cv::Rect> raw;
        pyramid_raw(wp->propose, grey, kProposeScale, minsz, phi, raw);
        // Duplicated so groupRectangles(threshold 1) keeps single windows as well.
        size_t n = raw.size();
        raw.reserve(2 * n);
        for (size_t i = 0; i < n; i++) raw.push_back(raw[i]);
        std::vector<int> weights;
        if (n) cv::groupRectangles(raw, weights, 1, 0.2);
        const cv::Rect all(0, 0, grey.cols, grey.rows);
        for (const cv::Rect &f : raw) {
            int m = f.width / 2;
            cv::Rect r = cv::Rect(f.x - m, f.y - m, f.width + 2 * m, f.height + 2 * m) & all;
            int a = std::max(minsz, f.width * 6 / 10), b = f.width * 16 / 10;
            if (r.area() <= 0 || b < a || std::min(r.width, r.height) < a) continue;
            std::vector<cv::Rect> d;
            prim.detectMultiScale(grey(r), d, o.scale_factor, o.min_neighbors, 0, cv::Size(a, a),
                                  cv::Size(b, b));
            for (cv::Rect x : d) {
                x.x += r.x;
                x.y += r.y;
                add_unique(boxes, x);
            }
        }
    }
    cv::Mat small;
    cv::resize(grey, small, cv::Size(), 1.0 / kLargeDiv, 1.0 / kLargeDiv, cv::INTER_AREA);
    const cv::Size ws = prim.getOriginalWindowSize();
    int lo = std::max({ws.width, ws.height,
                       (int)std::ceil((double)std::max(kLargeFace, minsz) / kLargeDiv)});
    if (std::min(small.cols, small.rows) >= lo) {
        std::vector<cv::Rect> d;
        prim.detectMultiScale(small, d, o.scale_factor, o.min_neighbors, 0, cv::Size(lo, lo));
        for (const cv::Rect &x : d)
            add_unique(boxes, cv::Rect(x.x * kLargeDiv, x.y * kLargeDiv, x.width * kLargeDiv,
                                       x.height * kLargeDiv));
    }
    return boxes;
}

// Histogram equalisation with each grey level's share capped (the excess spread evenly), like
// CLAHE's clip limit but over the whole image, when one level dominates. Plain equalizeHist let a flat background
// (a photo pasted on a white or light-grey page: an ID scan) take most of the output range
// and crushed the face into a few dark levels, where no cascade finds it.
void equalize_limited(cv::Mat &grey)
{
    double hist[256] = {0};
    for (int y = 0; y < grey.rows; y++) {
        const unsigned char *row = grey.ptr<unsigned char>(y);
        for (int x = 0; x < grey.cols; x++) hist[row[x]]++;
    }
    const double total = (double)grey.rows * grey.cols;
    if (total <= 0) return;
    // Only a flat light background (one grey level from 128 up over a fifth of the image)
    // needs the cap: it squeezes everything darker, the face included, into the bottom of the
    // range. A dark one leaves the rest most of the range, and natural images keep plain
    // equalisation, which the detector's tuning was measured on (tools/eval-faces.sh).
    const double *top = std::max_element(hist, hist + 256);
    if (*top < 0.2 * total || top - hist < 128) {
        cv::equalizeHist(grey, grey);
        return;
    }
    const double cap = 8.0 * total / 256.0;   // at most 8x an even share per level
    double excess = 0;
    for (double &v : hist)
        if (v > cap) { excess += v - cap; v = cap; }
    unsigned char lut[256];
    double cdf = 0;
    for (int i = 0; i < 256; i++) {
        cdf += hist[i] + excess / 256.0;
        lut[i] = (unsigned char)std::min(255.0, cdf / total * 255.0 + 0.5);
    }
    cv::Mat table(1, 256, CV_8U, lut);
    cv::LUT(grey, table, grey);
}

int detect_impl(fa_facedet *h, const unsigned char *data, size_t len, fa_faceresult *out,
                char **errmsg)
{
    std::unique_ptr<Worker> wk;
    const fa_facedet_opts &o = h->opts;
    fa_imagesize info;
    int pr = fa_imagesize_probe(data, len, &info);
    if (pr != FA_IMGSZ_OK) {
        set_err(errmsg, strdup(fa_imagesize_strerror(pr)));
        return 1;
    }
    if ((double)info.width * (double)info.height > (double)o.max_pixels) {
        set_err(errmsg, dupmsg("%lldx%lld %s exceeds max_pixels %lld", (long long)info.width,
                               (long long)info.height, info.format, o.max_pixels));
        return 2;
    }
    if (!strcmp(info.format, "GIF")) {
        set_err(errmsg, dupmsg("GIF decoding is not supported by this OpenCV"));
        return 1;
    }
    if (!fa_imagesize_complete(data, len, &info)) {
        set_err(errmsg, dupmsg("truncated %s (%zu bytes)", info.format, len));
        return 1;
    }
    if (len > (size_t)INT32_MAX) {
        set_err(errmsg, dupmsg("image too large to decode (%zu bytes)", len));
        return 2;
    }

    // Decode at a reduced scale when the image is at least twice the working size.
    long long side = std::max(info.width, info.height);
    int red = 1;
    while (red < 8 && side / (red * 2) >= o.work_side) red *= 2;
    int flags = red == 8 ? cv::IMREAD_REDUCED_COLOR_8
              : red == 4 ? cv::IMREAD_REDUCED_COLOR_4
              : red == 2 ? cv::IMREAD_REDUCED_COLOR_2 : cv::IMREAD_COLOR;
    cv::Mat raw(1, (int)len, CV_8UC1, const_cast<unsigned char *>(data));
    cv::Mat img = cv::imdecode(raw, flags);
    if (img.empty()) {
        set_err(errmsg, dupmsg("cannot decode %s", info.format));
        return 1;
    }
    // Full-size dimensions after orientation: swap when the decoder rotated by 90 degrees.
    long long W = info.width, H = info.height;
    if ((img.cols > img.rows) != (W > H) && img.cols != img.rows) std::swap(W, H);
    out->width = (int)W;
    out->height = (int)H;

    double s = 1.0;   // work pixels per decoded pixel
    int dside = std::max(img.cols, img.rows);
    if (dside > o.work_side) s = (double)o.work_side / dside;
    cv::Mat work;
    if (s < 1.0) cv::resize(img, work, cv::Size(), s, s, cv::INTER_AREA);
    else work = img;
    img.release();
    double to_orig = (double)W / work.cols;   // original pixels per work pixel

    cv::Mat grey;
    cv::cvtColor(work, grey, cv::COLOR_BGR2GRAY);
    equalize_limited(grey);

    // Borrow a worker (or load one more) for the detection proper; returned on every path.
    {
        std::lock_guard<std::mutex> lock(h->mu);
        if (!h->idle.empty()) {
            wk = std::move(h->idle.back());
            h->idle.pop_back();
        }
    }
    if (!wk) {
        std::string why;
        wk = load_worker(h, &why);
        if (!wk) {
            set_err(errmsg, dupmsg("%s", why.c_str()));
            return 3;
        }
    }
    struct GiveBack {
        fa_facedet *h;
        std::unique_ptr<Worker> &w;
        ~GiveBack()
        {
            std::lock_guard<std::mutex> lock(h->mu);
            h->idle.push_back(std::move(w));
        }
    } give_back{h, wk};
    Worker *wp = wk.get();

    std::vector<Verdict> faces;
    if (!wp->yunet.empty()) {
        wp->yunet->setInputSize(work.size());
        cv::Mat det;
        wp->yunet->detect(work, det);
        out->candidates = det.rows;
        for (int i = 0; i < det.rows; i++) {
            Verdict v;
            v.box = cv::Rect((int)det.at<float>(i, 0), (int)det.at<float>(i, 1),
                             (int)det.at<float>(i, 2), (int)det.at<float>(i, 3));
            v.score = det.at<float>(i, 14);
            if (std::max(v.box.width, v.box.height) * to_orig < o.min_face_px) continue;
            if (o.min_confidence > 0 && v.score < o.min_confidence) continue;
            faces.push_back(v);
        }
    } else {
        std::vector<cv::Rect> cand;
        int minsz = std::max(20, (int)(o.min_face_px / to_orig));
        if (!wp->propose.empty())
            cand = fast_candidates(wp, grey, minsz, o);
        else
            wp->casc[0].detectMultiScale(grey, cand, o.scale_factor, o.min_neighbors, 0,
                                        cv::Size(minsz, minsz));
        out->candidates = (int)cand.size();
        bool grey_img = (o.verify & FA_FV_SKIN) ? is_grey(work) : false;
        for (const cv::Rect &r : cand) {
            Verdict v;
            v.box = r;
            v.grey = grey_img;
            // Every selected step runs; a candidate needs min_votes of them (default all).
            double score = 0.55;
            int steps = 0, votes = 0;
            if (o.verify & FA_FV_AGREE) {
                for (size_t k = 1; k < wp->casc.size() && !v.agree; k++)
                    v.agree = agrees(wp->casc[k], grey, r);
                steps++;
                votes += v.agree;
                score += v.agree ? 0.15 : 0;
            }
            if (o.verify & FA_FV_EYES) {
                int n = count_eyes(wp->eyes, grey, r);
                v.eyes = n > 0;
                v.two_eyes = n > 1;
                steps++;
                votes += v.eyes;
                score += n > 1 ? 0.15 : n > 0 ? 0.1 : 0;
            }
            if (o.verify & FA_FV_SKIN) {
                steps++;
                if (grey_img) {
                    v.skin = true;   // no hue to judge: neither for nor against
                    score += 0.05;
                } else {
                    v.skin_ratio = skin_ratio(work, r);
                    v.skin = v.skin_ratio >= 0.25;
                    score += v.skin ? 0.1 : 0;
                }
                votes += v.skin;
            }
            int need = o.min_votes > 0 ? std::min(o.min_votes, steps) : steps;
            bool ok = votes >= need;
            v.score = std::round(std::min(0.99, score) * 100) / 100;
            if (!ok) continue;
            if (o.min_confidence > 0 && v.score < o.min_confidence) continue;
            faces.push_back(v);
        }
    }
    out->faces = (int)faces.size();
    for (const Verdict &v : faces) {
        int px = (int)(std::max(v.box.width, v.box.height) * to_orig + 0.5);
        out->largest_face_px = std::max(out->largest_face_px, px);
        out->confidence = std::max(out->confidence, v.score);
    }
    snprintf(out->detector, sizeof out->detector, "%s", h->detector.c_str());
    return 0;
}

}  // namespace

extern "C" int fa_facedet_detect(fa_facedet *h, const unsigned char *data, size_t len,
                                 fa_faceresult *out, char **errmsg)
{
    if (errmsg) *errmsg = nullptr;
    if (!h || !out || (!data && len)) {
        set_err(errmsg, dupmsg("fa_facedet_detect: bad arguments"));
        return 3;
    }
    memset(out, 0, sizeof(*out));
    try {
        return detect_impl(h, data, len, out, errmsg);
    } catch (const cv::Exception &e) {
        // Codec failures inside imdecode surface as cv::Exception: the image is bad.
        set_err(errmsg, dupmsg("cannot decode image (OpenCV: %.200s)", e.err.c_str()));
        return 1;
    } catch (const std::bad_alloc &) {
        set_err(errmsg, dupmsg("out of memory decoding image"));
        return 3;
    } catch (...) {
        set_err(errmsg, dupmsg("unexpected error in face detection"));
        return 3;
    }
}
