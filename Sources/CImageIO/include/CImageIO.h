// Compression and image encoding for Veil's representations (NIfTI, PNG): zlib and libpng behind
// a small C interface. Outputs are deterministic: no timestamps, no text chunks, fixed settings.
#ifndef CIMAGEIO_H
#define CIMAGEIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// gzip (RFC 1952) of `length` bytes, with modification time 0 and no file name. On success,
/// *out is malloc'ed (free with vimg_free) and 0 is returned.
int vimg_gzip(const uint8_t *bytes, size_t length, uint8_t **out, size_t *out_length);

/// An 8-bit greyscale PNG of `width` × `height` pixels (row-major), without text, time or other
/// ancillary chunks. On success, *out is malloc'ed (free with vimg_free) and 0 is returned.
int vimg_png_gray8(const uint8_t *pixels, uint32_t width, uint32_t height, uint8_t **out, size_t *out_length);

void vimg_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
