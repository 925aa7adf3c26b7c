#ifndef CFACEDETECTION_H
#define CFACEDETECTION_H
/*
 * dlib's HOG frontal face detector (Debian libdlib-dev; the detector's model is built into dlib,
 * no file needed) behind one C function. Every symbol starts with `cfd_`; exceptions are caught.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A face found: its box in pixels and the detector's score (higher is surer). */
typedef struct {
    int32_t left, top, width, height;
    double score;
} cfd_face;

/**
 * Finds frontal faces in an 8-bit grey image (`width` × `height`, rows `stride` bytes apart),
 * after `upsampling` doublings of the image (each lets faces half as large be found). Writes at
 * most `capacity` faces, best first, and returns how many were found, or −1 on an error.
 * Thread-safe: each call uses its own copy of the detector.
 */
int32_t cfd_detect(const uint8_t *pixels, int32_t width, int32_t height, int32_t stride, int32_t upsampling,
                   double threshold, cfd_face *faces, int32_t capacity);

#ifdef __cplusplus
}
#endif
#endif
