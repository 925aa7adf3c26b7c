// Helpers shared by the shim's translation units: the opaque handle, the exception guard, and
// copying messages across the C boundary.
#ifndef CDCMTK_BOUNDARY_HPP
#define CDCMTK_BOUNDARY_HPP

#include "dcmtk/config/osconfig.h" // must come first in every DCMTK translation unit
#include "dcmtk/dcmdata/dctk.h"

#include "CDCMTK.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

struct cdcm_file {
    DcmFileFormat format;
    std::string path;
    bool hasMetaHeader = false;
    // Binary values longer than this stay in the file until written (see cdcm_file_open).
    uint32_t bulkThreshold = 0;
    // Elements exported as bulk records, indexed by bulk id. They point into `format` and stay
    // valid as long as the handle does, because nothing ever modifies the source object.
    std::vector<DcmElement *> bulk;
};

namespace cdcm {

inline void copyMessage(const std::string &text, char *buffer, size_t capacity) {
    if (capacity == 0) return;
    const size_t n = text.size() < capacity - 1 ? text.size() : capacity - 1;
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
}

/// Runs `body`, turning any C++ exception into CDCM_ERROR_EXCEPTION: Swift cannot unwind C++.
template <class Body>
cdcm_status guarded(char *message, size_t capacity, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        copyMessage("out of memory", message, capacity);
    } catch (const std::exception &error) {
        copyMessage(std::string("unexpected C++ exception: ") + error.what(), message, capacity);
    } catch (...) {
        copyMessage("unexpected C++ exception", message, capacity);
    }
    return CDCM_ERROR_EXCEPTION;
}

/// The bytes of a little-endian integer appended to a record stream.
template <class Integer>
inline void append(std::vector<uint8_t> &out, Integer value) {
    for (size_t i = 0; i < sizeof(Integer); ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

} // namespace cdcm

#endif
