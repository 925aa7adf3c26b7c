// Element headers from raw bytes (see ElementReader.hpp).
#include "ElementReader.hpp"

#include <unistd.h>

#include <cstring>

namespace cdcm {

bool ByteSource::read(off_t position, void *buffer, size_t count) {
    if (position < 0 || position + static_cast<off_t>(count) > size_) return false;
    if (descriptor_ < 0) {
        std::memcpy(buffer, memory_.data() + position, count);
        return true;
    }
    if (count > sizeof window_) return pread(descriptor_, buffer, count, position) == static_cast<ssize_t>(count);
    if (position < windowStart_ || position + static_cast<off_t>(count) > windowStart_ + windowLength_) {
        const ssize_t got = pread(descriptor_, window_, sizeof window_, position);
        if (got < static_cast<ssize_t>(count)) return false;
        windowStart_ = position;
        windowLength_ = got;
    }
    std::memcpy(buffer, window_ + (position - windowStart_), count);
    return true;
}

bool ElementReader::isStandardVR(const char vr[2]) {
    static const char *const names[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
                                        "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
                                        "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
    for (const char *name : names)
        if (vr[0] == name[0] && vr[1] == name[1]) return true;
    return false;
}

bool ElementReader::hasLongLength(const char vr[2]) {
    static const char *const names[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
    for (const char *name : names)
        if (vr[0] == name[0] && vr[1] == name[1]) return true;
    return false;
}

uint16_t ElementReader::u16(const unsigned char *bytes) const {
    return bigEndian_ ? static_cast<uint16_t>(bytes[0] << 8 | bytes[1]) : static_cast<uint16_t>(bytes[1] << 8 | bytes[0]);
}

uint32_t ElementReader::u32(const unsigned char *bytes) const {
    return bigEndian_ ? (uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3])
                      : (uint32_t(bytes[3]) << 24 | uint32_t(bytes[2]) << 16 | uint32_t(bytes[1]) << 8 | bytes[0]);
}

bool ElementReader::readHeader(off_t position, ElementHeader &header, bool explicitVR) {
    unsigned char bytes[12];
    if (!source_.read(position, bytes, 8)) return false;
    header.group = u16(bytes);
    header.element = u16(bytes + 2);
    header.vr[0] = header.vr[1] = 0;
    if (header.group == 0xFFFE || !explicitVR) {
        header.length = u32(bytes + 4);
        header.size = 8;
        return true;
    }
    header.vr[0] = static_cast<char>(bytes[4]);
    header.vr[1] = static_cast<char>(bytes[5]);
    if (hasLongLength(header.vr)) {
        if (!source_.read(position + 8, bytes + 8, 4)) return false;
        header.length = u32(bytes + 8);
        header.size = 12;
    } else {
        header.length = u16(bytes + 6);
        header.size = 8;
    }
    return true;
}

} // namespace cdcm
