// Helpers shared by the shim's translation units: the opaque handle, the exception guard, and
// copying messages across the C boundary.
#ifndef CDCMTK_BOUNDARY_HPP
#define CDCMTK_BOUNDARY_HPP

#include "dcmtk/config/osconfig.h" // must come first in every DCMTK translation unit
#include "dcmtk/dcmdata/dctk.h"

#include "CDCMTK.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

/// Where the top-level Pixel Data element lies in the file: [start, end), header included.
struct cdcm_pixel_data_span {
    bool found = false;
    off_t start = 0;
    off_t end = 0;
    uint32_t valueLength = 0; // as in the element's header: 0xFFFFFFFF when encapsulated
};

/// What identifies the input file's contents: a write refuses to go on if it changed since opening.
struct cdcm_file_identity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    struct timespec modified = {0, 0};
};

struct cdcm_file {
    DcmFileFormat format;
    std::string path;
    cdcm_file_identity identity;
    cdcm_pixel_data_span pixelData;
    bool hasMetaHeader = false;
    // Binary values longer than this stay in the file until written (see cdcm_file_open).
    uint32_t bulkThreshold = 0;
    // Elements exported as bulk records, indexed by bulk id. They point into `format` and stay
    // valid as long as the handle does, because nothing ever modifies the source object.
    std::vector<DcmElement *> bulk;
};

namespace cdcm {

/// Whether the file at the handle's path is still the one opened, unmodified.
inline bool isUnchanged(const cdcm_file &file) {
    struct stat status;
    return stat(file.path.c_str(), &status) == 0 && status.st_dev == file.identity.device &&
           status.st_ino == file.identity.inode && status.st_size == file.identity.size &&
           status.st_mtim.tv_sec == file.identity.modified.tv_sec && status.st_mtim.tv_nsec == file.identity.modified.tv_nsec;
}

inline void copyMessage(const std::string &text, char *buffer, size_t capacity) {
    if (capacity == 0) return;
    const size_t n = text.size() < capacity - 1 ? text.size() : capacity - 1;
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
}

/// Runs `body`, turning any C++ exception into CDCM_ERROR_EXCEPTION: Swift cannot unwind C++.
/// The status is `body`'s type: cdcm_status, or the int32_t of the network calls.
template <class Body>
auto guarded(char *message, size_t capacity, Body body) -> decltype(body()) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        copyMessage("out of memory", message, capacity);
    } catch (const std::exception &error) {
        copyMessage(std::string("unexpected C++ exception: ") + error.what(), message, capacity);
    } catch (...) {
        copyMessage("unexpected C++ exception", message, capacity);
    }
    return static_cast<decltype(body())>(CDCM_ERROR_EXCEPTION);
}

/// The bytes of a little-endian integer appended to a record stream.
template <class Integer>
inline void append(std::vector<uint8_t> &out, Integer value) {
    for (size_t i = 0; i < sizeof(Integer); ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

} // namespace cdcm

#endif
