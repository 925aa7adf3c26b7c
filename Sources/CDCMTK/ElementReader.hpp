// Reading element headers straight from a file's bytes, without DCMTK: for the structure check
// (StructureCheck.cpp) that runs before DCMTK parses anything.
#ifndef CDCMTK_ELEMENT_READER_HPP
#define CDCMTK_ELEMENT_READER_HPP

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace cdcm {

/// Bytes to read from: a file through a window (headers are a few bytes each, one pread per
/// window), or memory (an inflated deflated data set).
class ByteSource {
public:
    /// A file opened by the caller; `descriptor` stays the caller's.
    ByteSource(int descriptor, off_t size) : descriptor_(descriptor), size_(size) {}
    explicit ByteSource(std::vector<uint8_t> bytes)
        : descriptor_(-1), size_(static_cast<off_t>(bytes.size())), memory_(std::move(bytes)) {}

    off_t size() const { return size_; }
    bool read(off_t position, void *buffer, size_t count);

private:
    int descriptor_;
    off_t size_;
    std::vector<uint8_t> memory_;
    unsigned char window_[16384];
    off_t windowStart_ = 0;
    off_t windowLength_ = 0;
};

constexpr uint32_t kUndefinedLength = 0xFFFFFFFF;

/// One element header as stored.
struct ElementHeader {
    uint16_t group = 0;
    uint16_t element = 0;
    char vr[2] = {0, 0}; // empty for Implicit VR, items and delimiters
    uint32_t length = 0;
    off_t size = 0; // bytes of the header itself

    uint32_t tag() const { return uint32_t(group) << 16 | element; }
    bool isItem() const { return group == 0xFFFE && element == 0xE000; }
    bool isItemDelimiter() const { return group == 0xFFFE && element == 0xE00D; }
    bool isSequenceDelimiter() const { return group == 0xFFFE && element == 0xE0DD; }
    bool hasVR(const char *name) const { return vr[0] == name[0] && vr[1] == name[1]; }
};

/// Reads element headers in one encoding. Items and delimiters never have a VR.
class ElementReader {
public:
    ElementReader(ByteSource &source, bool explicitVR, bool bigEndian)
        : source_(source), explicitVR_(explicitVR), bigEndian_(bigEndian) {}

    ByteSource &source() { return source_; }
    bool explicitVR() const { return explicitVR_; }
    bool bigEndian() const { return bigEndian_; }

    /// False when the header does not fit in the file.
    bool readHeader(off_t position, ElementHeader &header, bool explicitVR);
    bool readHeader(off_t position, ElementHeader &header) { return readHeader(position, header, explicitVR_); }

    /// Whether `vr` is one of the VRs of PS3.5 6.2, and whether it has a 32-bit length field.
    static bool isStandardVR(const char vr[2]);
    static bool hasLongLength(const char vr[2]);

private:
    uint16_t u16(const unsigned char *bytes) const;
    uint32_t u32(const unsigned char *bytes) const;

    ByteSource &source_;
    bool explicitVR_;
    bool bigEndian_;
};

} // namespace cdcm

#endif
