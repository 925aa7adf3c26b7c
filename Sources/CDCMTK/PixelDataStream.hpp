// Streaming Pixel Data from input to output files (see PixelDataStream.cpp).
#ifndef CDCMTK_PIXEL_DATA_STREAM_HPP
#define CDCMTK_PIXEL_DATA_STREAM_HPP

#include "Boundary.hpp"

#include <sys/types.h>

namespace cdcm {

/// Where the top-level Pixel Data element lies in a file: [start, end), header included. Holds
/// the input open from locating to copying.
struct PixelDataLocation {
    off_t start = 0;
    off_t end = 0;
    uint32_t valueLength = 0; // as in the element's header: 0xFFFFFFFF when encapsulated
    int input = -1;

    PixelDataLocation() = default;
    PixelDataLocation(const PixelDataLocation &) = delete;
    PixelDataLocation &operator=(const PixelDataLocation &) = delete;
    ~PixelDataLocation();
};

/// Finds the top-level Pixel Data element of `path`, read in `xfer`. False when it cannot be
/// located byte for byte (deflated data sets, or anything the scan does not recognise).
bool locatePixelData(const char *path, bool hasMeta, E_TransferSyntax xfer, PixelDataLocation &location);

/// Appends the bytes of `location` to the end of `output`.
bool appendPixelData(const PixelDataLocation &location, const char *output);

} // namespace cdcm

#endif
