// Writing an output file (see OutputFile.cpp).
#ifndef CDCMTK_OUTPUT_FILE_HPP
#define CDCMTK_OUTPUT_FILE_HPP

#include "Boundary.hpp"

#include <string>

namespace cdcm {

struct WriteFailure {
    std::string message;
    /// The file system is full (ENOSPC, EDQUOT) or the file too large for it (EFBIG).
    bool outOfSpace = false;
};

/// Writes `format` encoded in `xfer` to a new file at `path`, then, when `pixelData` is given,
/// appends that span of the file at `pixelSource` unchanged. False with `failure` set otherwise.
bool writeOutputFile(DcmFileFormat &format, E_TransferSyntax xfer, const char *path, const char *pixelSource,
                     const cdcm_pixel_data_span *pixelData, WriteFailure &failure);

} // namespace cdcm

#endif
