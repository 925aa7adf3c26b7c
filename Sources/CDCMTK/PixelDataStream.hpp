// Streaming Pixel Data from input to output files (see PixelDataStream.cpp).
#ifndef CDCMTK_PIXEL_DATA_STREAM_HPP
#define CDCMTK_PIXEL_DATA_STREAM_HPP

#include "Boundary.hpp"

#include <sys/types.h>

namespace cdcm {

/// Where the top-level Pixel Data element lies in a file: [start, end), header included.
struct PixelDataLocation {
    off_t start = 0;
    off_t end = 0;
    uint32_t valueLength = 0; // as in the element's header: 0xFFFFFFFF when encapsulated
};

/// Finds the top-level Pixel Data element of `path`, read in `xfer`. False when it cannot be
/// located byte for byte (deflated data sets, or anything the scan does not recognise).
bool locatePixelData(const char *path, bool hasMeta, E_TransferSyntax xfer, PixelDataLocation &location);

/// Appends the bytes of `location` in `input` to the end of `output`.
bool appendPixelData(const char *input, const PixelDataLocation &location, const char *output);

} // namespace cdcm

#endif
