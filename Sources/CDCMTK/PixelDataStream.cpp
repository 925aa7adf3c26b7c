// Streaming Pixel Data from the input file to the output file without loading it.
//
// When the top-level Pixel Data is the last element written, the rest of the data set is written
// by DCMTK and the Pixel Data element (header and value, native or encapsulated) is then copied
// byte for byte from the input with copy_file_range: no decoding, no copy in memory, and memory
// that does not depend on the size of the image. Anything unusual falls back to DCMTK's writer.
#include "PixelDataStream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

/// Reads a DICOM file's top-level elements without interpreting values, to find where the
/// Pixel Data element starts and ends.
class Scanner {
public:
    Scanner(int descriptor, off_t size, bool explicitVR, bool bigEndian)
        : descriptor_(descriptor), size_(size), explicitVR_(explicitVR), bigEndian_(bigEndian) {}

    /// Position of the top-level (7FE0,0010) element and the offset just past it.
    bool findPixelData(off_t start, off_t &elementStart, off_t &elementEnd, uint32_t &valueLength) {
        off_t position = start;
        while (position < size_) {
            Header header;
            if (!readHeader(position, explicitVR_, header)) return false;
            if (header.group == 0x7FE0 && header.element == 0x0010) {
                elementStart = position;
                valueLength = header.length;
                off_t end = 0;
                if (header.length == kUndefined) {
                    if (!skipEncapsulated(position + header.size, end)) return false;
                } else {
                    end = position + header.size + header.length;
                }
                if (end > size_) return false;
                elementEnd = end;
                return true;
            }
            off_t next = 0;
            if (!skipValue(position, header, explicitVR_, next)) return false;
            position = next;
        }
        return false;
    }

    /// The offset where the data set starts: after the preamble and File Meta Information.
    bool dataSetStart(bool hasMeta, off_t &start) {
        if (!hasMeta) {
            start = 0;
            return true;
        }
        off_t position = 132;
        // The meta header is always Explicit VR Little Endian.
        const bool savedBigEndian = bigEndian_;
        bigEndian_ = false;
        while (position < size_) {
            Header header;
            if (!readHeader(position, true, header)) break;
            if (header.group != 0x0002) break;
            off_t next = 0;
            if (!skipValue(position, header, true, next)) {
                bigEndian_ = savedBigEndian;
                return false;
            }
            position = next;
        }
        bigEndian_ = savedBigEndian;
        start = position;
        return true;
    }

private:
    static constexpr uint32_t kUndefined = 0xFFFFFFFF;

    struct Header {
        uint16_t group = 0;
        uint16_t element = 0;
        char vr[2] = {0, 0};
        uint32_t length = 0;
        off_t size = 0; // bytes of the header itself
    };

    /// Reads through a window of the file: headers are a few bytes each, one pread per window.
    bool readBytes(off_t position, void *buffer, size_t count) {
        if (position < 0 || position + static_cast<off_t>(count) > size_) return false;
        if (position < windowStart_ || position + static_cast<off_t>(count) > windowStart_ + windowLength_) {
            const ssize_t got = pread(descriptor_, window_, sizeof window_, position);
            if (got < static_cast<ssize_t>(count)) return false;
            windowStart_ = position;
            windowLength_ = got;
        }
        std::memcpy(buffer, window_ + (position - windowStart_), count);
        return true;
    }

    uint16_t u16(const unsigned char *bytes) const {
        return bigEndian_ ? static_cast<uint16_t>(bytes[0] << 8 | bytes[1]) : static_cast<uint16_t>(bytes[1] << 8 | bytes[0]);
    }

    uint32_t u32(const unsigned char *bytes) const {
        return bigEndian_ ? (uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3])
                          : (uint32_t(bytes[3]) << 24 | uint32_t(bytes[2]) << 16 | uint32_t(bytes[1]) << 8 | bytes[0]);
    }

    static bool hasLongLength(const char vr[2]) {
        static const char *const longVRs[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
        for (const char *candidate : longVRs)
            if (vr[0] == candidate[0] && vr[1] == candidate[1]) return true;
        return false;
    }

    bool readHeader(off_t position, bool explicitVR, Header &header) {
        unsigned char bytes[12];
        if (!readBytes(position, bytes, 8)) return false;
        header.group = u16(bytes);
        header.element = u16(bytes + 2);
        // Items and delimiters have no VR in any transfer syntax.
        if (header.group == 0xFFFE || !explicitVR) {
            header.length = u32(bytes + 4);
            header.size = 8;
            return true;
        }
        header.vr[0] = static_cast<char>(bytes[4]);
        header.vr[1] = static_cast<char>(bytes[5]);
        if (hasLongLength(header.vr)) {
            if (!readBytes(position + 8, bytes + 8, 4)) return false;
            header.length = u32(bytes + 8);
            header.size = 12;
        } else {
            header.length = u16(bytes + 6);
            header.size = 8;
        }
        return true;
    }

    /// The offset after the element at `position`, sequences of undefined length included.
    bool skipValue(off_t position, const Header &header, bool explicitVR, off_t &next, int depth = 0) {
        if (depth > 64) return false;
        if (header.length != kUndefined) {
            next = position + header.size + header.length;
            return next <= size_;
        }
        // Undefined length: a sequence. UN with undefined length holds Implicit VR items (CP-246).
        const bool itemsExplicit = explicitVR && !(header.vr[0] == 'U' && header.vr[1] == 'N');
        off_t cursor = position + header.size;
        while (cursor < size_) {
            Header item;
            if (!readHeader(cursor, false, item)) return false;
            if (item.group != 0xFFFE) return false;
            if (item.element == 0xE0DD) { // sequence delimiter
                next = cursor + 8;
                return true;
            }
            if (item.element != 0xE000) return false;
            if (item.length != kUndefined) {
                cursor += 8 + item.length;
                continue;
            }
            cursor += 8;
            while (true) { // elements of an item of undefined length, up to its delimiter
                Header element;
                if (!readHeader(cursor, itemsExplicit, element)) return false;
                if (element.group == 0xFFFE && element.element == 0xE00D) {
                    cursor += 8;
                    break;
                }
                off_t after = 0;
                if (!skipValue(cursor, element, itemsExplicit, after, depth + 1)) return false;
                cursor = after;
            }
        }
        return false;
    }

    /// The offset after an encapsulated pixel sequence starting at `position` (its first item).
    bool skipEncapsulated(off_t position, off_t &end) {
        off_t cursor = position;
        while (cursor < size_) {
            Header item;
            if (!readHeader(cursor, false, item)) return false;
            if (item.group != 0xFFFE) return false;
            if (item.element == 0xE0DD) {
                end = cursor + 8;
                return true;
            }
            if (item.element != 0xE000 || item.length == kUndefined) return false;
            cursor += 8 + item.length;
        }
        return false;
    }

    int descriptor_;
    off_t size_;
    bool explicitVR_;
    bool bigEndian_;
    unsigned char window_[16384];
    off_t windowStart_ = 0;
    off_t windowLength_ = 0;
};

/// Copies `count` bytes at `offset` of `from` to the end (`at`) of `to`: in the kernel where it
/// can (copy_file_range; a reflink on file systems that share extents), else through a buffer.
bool copyRange(int from, off_t offset, int to, off_t at, off_t count) {
    off_t input = offset;
    off_t output = at;
    while (count > 0) {
        const ssize_t copied = copy_file_range(from, &input, to, &output, static_cast<size_t>(count), 0);
        if (copied > 0) {
            count -= copied;
            continue;
        }
        if (copied < 0 && errno == EINTR) continue;
        if (copied == 0) return false; // the input is shorter than when it was scanned
        break; // not supported between these files
    }
    char buffer[1 << 16];
    while (count > 0) {
        const ssize_t n = pread(from, buffer, count < off_t(sizeof buffer) ? size_t(count) : sizeof buffer, input);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        for (ssize_t written = 0; written < n;) {
            const ssize_t w = pwrite(to, buffer + written, size_t(n - written), output);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return false;
            written += w;
            output += w;
        }
        input += n;
        count -= n;
    }
    return true;
}

} // namespace

namespace cdcm {

PixelDataLocation::~PixelDataLocation() {
    if (input >= 0) close(input);
}

bool locatePixelData(const char *path, bool hasMeta, E_TransferSyntax xfer, PixelDataLocation &location) {
    DcmXfer properties(xfer);
    if (properties.getStreamCompression() != ESC_none) return false; // deflated: no offsets to copy
    location.input = open(path, O_RDONLY | O_CLOEXEC);
    if (location.input < 0) return false;
    struct stat status;
    if (fstat(location.input, &status) != 0) return false;
    Scanner scanner(location.input, status.st_size, properties.isExplicitVR(), properties.isBigEndian());
    off_t start = 0;
    return scanner.dataSetStart(hasMeta, start) &&
           scanner.findPixelData(start, location.start, location.end, location.valueLength);
}

bool appendPixelData(const PixelDataLocation &location, const char *output) {
    if (location.input < 0) return false;
    // Not O_APPEND: copy_file_range refuses an output opened for appending.
    const int to = open(output, O_WRONLY | O_CLOEXEC);
    if (to < 0) return false;
    struct stat status;
    const bool ok = fstat(to, &status) == 0 &&
                    copyRange(location.input, location.start, to, status.st_size, location.end - location.start);
    return close(to) == 0 && ok;
}

} // namespace cdcm
