// dlib's frontal face detector (HOG features, a linear classifier over an image pyramid, five
// poses from frontal to profile), as trained and shipped by dlib.
#include "CFaceDetection.h"

#include <dlib/image_processing/frontal_face_detector.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace {
// Deserializing the detector takes a few hundred milliseconds: once per process, copied per call
// (a detector's scan keeps state, so concurrent calls must not share one).
const dlib::frontal_face_detector &prototype() {
    static const dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    return detector;
}
}  // namespace

extern "C" int32_t cfd_detect(const uint8_t *pixels, int32_t width, int32_t height, int32_t stride,
                              int32_t upsampling, double threshold, cfd_face *faces, int32_t capacity) {
    try {
        if (pixels == nullptr || width <= 0 || height <= 0 || stride < width || upsampling < 0 || upsampling > 3)
            return -1;
        dlib::array2d<unsigned char> image(height, width);
        for (int32_t row = 0; row < height; ++row)
            std::copy(pixels + size_t(row) * stride, pixels + size_t(row) * stride + width, &image[row][0]);
        for (int32_t i = 0; i < upsampling; ++i) dlib::pyramid_up(image);
        dlib::frontal_face_detector detector = prototype();
        std::vector<dlib::rect_detection> found;
        detector(image, found, threshold);
        std::sort(found.begin(), found.end(),
                  [](const dlib::rect_detection &a, const dlib::rect_detection &b) {
                      return a.detection_confidence > b.detection_confidence;
                  });
        const double shrink = double(1 << upsampling);
        for (size_t i = 0; i < found.size() && int32_t(i) < capacity; ++i) {
            const auto &box = found[i].rect;
            faces[i] = cfd_face{int32_t(box.left() / shrink), int32_t(box.top() / shrink),
                                int32_t(box.width() / shrink), int32_t(box.height() / shrink),
                                found[i].detection_confidence};
        }
        return int32_t(found.size());
    } catch (...) {
        return -1;
    }
}
