// The structure check: every element of a file walked from its raw bytes before DCMTK parses it.
#ifndef CDCMTK_STRUCTURE_CHECK_HPP
#define CDCMTK_STRUCTURE_CHECK_HPP

#include "Boundary.hpp"

#include <sys/types.h>

#include <string>

namespace cdcm {

struct StructureReport {
    /// Empty when the file is well formed; otherwise what is wrong, naming at most a tag.
    std::string problem;
    /// The encoding of the data set: from the meta header, or guessed for a bare data set.
    E_TransferSyntax xfer = EXS_Unknown;
    /// The meta header names a transfer syntax DCMTK does not know (`declaredTransferSyntax`).
    bool unknownTransferSyntax = false;
    std::string declaredTransferSyntax;
    /// The top level names a SOP Class and a SOP Instance with plausible UIDs (for telling a
    /// damaged bare data set from a file that is not DICOM at all).
    bool namesSOPInstance = false;
    /// Not found for deflated data sets, whose bytes in the file are compressed.
    cdcm_pixel_data_span pixelData;
};

/// Walks every element of `path`: meta header, data set, sequences and items at any depth,
/// encapsulated Pixel Data. A file is well formed when every length fits its container, public
/// values have even lengths (private ones are often odd), VRs are those of PS3.5, tags ascend within each data set and item, items
/// and sequences are delimited as their lengths say, nothing follows the last element, nesting
/// stays within 64 sequences and there are at most 1,000,000 elements. DCMTK repairs or accepts
/// many of these defects silently, and another reader may repair them differently: a file whose
/// structure is in doubt is refused rather than guessed at.
StructureReport checkStructure(const char *path, bool hasMeta);

} // namespace cdcm

#endif
