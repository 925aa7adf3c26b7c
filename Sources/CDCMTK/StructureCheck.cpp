// The structure check (see StructureCheck.hpp).
#include "StructureCheck.hpp"

#include "ElementReader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>

namespace {

using cdcm::ElementHeader;
using cdcm::ElementReader;
using cdcm::kUndefinedLength;

constexpr int kMaxDepth = 64;
constexpr long kMaxElements = 1000000;
constexpr size_t kMaxInflated = size_t(1) << 30;

std::string tagText(uint16_t group, uint16_t element) {
    char text[16];
    std::snprintf(text, sizeof text, "(%04X,%04X)", group, element);
    return text;
}

std::string tagText(const ElementHeader &header) { return tagText(header.group, header.element); }

/// Thrown to end the walk at the first problem.
struct Malformed {
    std::string problem;
};

[[noreturn]] void fail(const std::string &problem) { throw Malformed{problem}; }

bool isPlausibleUID(const std::string &value) {
    if (value.empty() || value.size() > 64) return false;
    for (char c : value)
        if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
    return true;
}

std::string trimmed(std::string value) {
    while (!value.empty() && (value.back() == '\0' || value.back() == ' ')) value.pop_back();
    return value;
}

class Walker {
public:
    Walker(ElementReader &reader, bool encapsulated, cdcm::StructureReport &report)
        : reader_(reader), encapsulated_(encapsulated), report_(report) {}

    void walkDataSet(off_t start) {
        off_t after = 0;
        walkContent(start, reader_.source().size(), /*untilDelimiter=*/false, /*depth=*/0, reader_.explicitVR(), after);
    }

private:
    /// The elements of a data set or item from `position`: up to `end` exactly, or, with
    /// `untilDelimiter` (an item of undefined length), up to its item delimiter before `end`.
    void walkContent(off_t position, off_t end, bool untilDelimiter, int depth, bool explicitVR, off_t &after) {
        uint32_t previous = 0;
        bool first = true;
        while (true) {
            if (!untilDelimiter && position == end) {
                after = position;
                return;
            }
            if (position >= end) fail(untilDelimiter ? "item without its delimiter" : "element runs past its container");
            ElementHeader header;
            if (!reader_.readHeader(position, header, explicitVR) || position + header.size > end)
                fail("element header cut short");
            if (header.group == 0xFFFE) {
                if (untilDelimiter && header.isItemDelimiter()) {
                    if (header.length != 0) fail("item delimiter with a length");
                    after = position + header.size;
                    return;
                }
                fail(depth == 0 ? "item or delimiter tag in the data set" : "misplaced item or delimiter tag");
            }
            const uint32_t tag = header.tag();
            if (!first && tag <= previous)
                fail(tag == previous ? "duplicate element " + tagText(header) : "elements out of order at " + tagText(header));
            previous = tag;
            first = false;
            if (++elements_ > kMaxElements) fail("more than 1,000,000 elements");
            if (explicitVR && !ElementReader::isStandardVR(header.vr)) fail("invalid VR in " + tagText(header));
            const off_t valueStart = position + header.size;

            if (header.length == kUndefinedLength) {
                if (tag == 0x7FE00010) {
                    if (!encapsulated_) fail("Pixel Data of undefined length in a native transfer syntax");
                    walkFragments(valueStart, end, position);
                    if (depth == 0) record(header, valueStart - header.size, position);
                    continue;
                }
                if (explicitVR && !header.hasVR("SQ") && !header.hasVR("UN"))
                    fail("undefined length on a " + std::string(header.vr, 2) + " element " + tagText(header));
                // Items inside UN of undefined length are Implicit VR Little Endian (PS3.5 6.2.2).
                walkSequence(valueStart, end, /*defined=*/false, depth + 1, explicitVR && !header.hasVR("UN"), position);
                continue;
            }
            // Odd lengths are refused in public elements; vendors' private blocks often have them
            // (and are removed, or padded when kept), so there they are tolerated.
            if (header.length % 2 != 0 && header.group % 2 == 0) fail("odd value length in " + tagText(header));
            const off_t valueEnd = valueStart + header.length;
            if (valueEnd > end)
                fail("value of " + tagText(header) + " runs past " +
                     (end == reader_.source().size() ? "the end of the file" : "its container"));
            if (isSequence(header, explicitVR)) {
                off_t ignored = 0;
                walkSequence(valueStart, valueEnd, /*defined=*/true, depth + 1, explicitVR, ignored);
            } else if (depth == 0) {
                if (tag == 0x7FE00010) record(header, position, valueEnd);
                if (tag == 0x00080016 || tag == 0x00080018) noteSOPIdentifier(tag, valueStart, header.length);
            }
            position = valueEnd;
        }
    }

    /// Items of a sequence from `position`: filling [position, limit) when `defined`, else up to
    /// the sequence delimiter before `limit`.
    void walkSequence(off_t position, off_t limit, bool defined, int depth, bool explicitVR, off_t &after) {
        if (depth > kMaxDepth) fail("sequences nested deeper than 64 levels");
        while (true) {
            if (defined && position == limit) {
                after = position;
                return;
            }
            if (position >= limit) fail(defined ? "sequence runs past its container" : "sequence without its delimiter");
            ElementHeader header;
            if (!reader_.readHeader(position, header, false) || position + header.size > limit)
                fail("item header cut short");
            if (!defined && header.isSequenceDelimiter()) {
                if (header.length != 0) fail("sequence delimiter with a length");
                after = position + header.size;
                return;
            }
            if (!header.isItem()) fail("an element where a sequence item should be, " + tagText(header));
            const off_t content = position + header.size;
            if (header.length == kUndefinedLength) {
                walkContent(content, limit, /*untilDelimiter=*/true, depth, explicitVR, position);
                continue;
            }
            if (header.length % 2 != 0) fail("item of odd length");
            const off_t itemEnd = content + header.length;
            if (itemEnd > limit) fail("item runs past its sequence");
            off_t ignored = 0;
            walkContent(content, itemEnd, /*untilDelimiter=*/false, depth, explicitVR, ignored);
            position = itemEnd;
        }
    }

    /// The fragments of encapsulated Pixel Data, up to its sequence delimiter.
    void walkFragments(off_t position, off_t limit, off_t &after) {
        while (true) {
            if (position >= limit) fail("encapsulated Pixel Data without its sequence delimiter");
            ElementHeader header;
            if (!reader_.readHeader(position, header, false) || position + header.size > limit)
                fail("fragment header cut short");
            if (header.isSequenceDelimiter()) {
                if (header.length != 0) fail("sequence delimiter with a length");
                after = position + header.size;
                return;
            }
            if (!header.isItem() || header.length == kUndefinedLength) fail("malformed fragment in encapsulated Pixel Data");
            position += header.size + header.length;
            if (position > limit) fail("fragment runs past the end of the file");
        }
    }

    /// Explicit VR says so; in Implicit VR the data dictionary does, for public attributes.
    bool isSequence(const ElementHeader &header, bool explicitVR) {
        if (explicitVR) return header.hasVR("SQ");
        if (header.group % 2 != 0) return false;
        return DcmTag(header.group, header.element).getEVR() == EVR_SQ;
    }

    void record(const ElementHeader &header, off_t start, off_t end) {
        report_.pixelData.found = true;
        report_.pixelData.start = start;
        report_.pixelData.end = end;
        report_.pixelData.valueLength = header.length;
    }

    void noteSOPIdentifier(uint32_t tag, off_t valueStart, uint32_t length) {
        if (length > 64) return;
        std::string value(length, '\0');
        if (length > 0 && !reader_.source().read(valueStart, &value[0], length)) return;
        if (!isPlausibleUID(trimmed(value))) return;
        (tag == 0x00080016 ? sopClass_ : sopInstance_) = true;
        report_.namesSOPInstance = sopClass_ && sopInstance_;
    }

    ElementReader &reader_;
    bool encapsulated_;
    cdcm::StructureReport &report_;
    long elements_ = 0;
    bool sopClass_ = false;
    bool sopInstance_ = false;
};

/// The File Meta Information from offset 132: where the data set starts and its transfer syntax.
off_t readMeta(cdcm::ByteSource &source, cdcm::StructureReport &report) {
    ElementReader reader(source, /*explicitVR=*/true, /*bigEndian=*/false);
    off_t position = 132;
    off_t groupLengthEnd = -1;
    uint32_t previous = 0;
    bool any = false;
    bool hasTransferSyntax = false;
    while (position < source.size()) {
        ElementHeader header;
        if (!reader.readHeader(position, header)) fail("File Meta Information cut short");
        if (header.group != 0x0002) break;
        if (!ElementReader::isStandardVR(header.vr)) fail("invalid VR in " + tagText(header));
        if (any && header.tag() <= previous) fail("File Meta Information elements out of order");
        if (header.length == kUndefinedLength || header.length % 2 != 0)
            fail("File Meta Information element " + tagText(header) + " of odd or undefined length");
        const off_t valueStart = position + header.size;
        const off_t next = valueStart + header.length;
        if (next > source.size()) fail("File Meta Information cut short");
        if (header.tag() == 0x00020000 && header.length == 4) {
            unsigned char bytes[4];
            if (!source.read(valueStart, bytes, 4)) fail("File Meta Information cut short");
            groupLengthEnd = next + (uint32_t(bytes[3]) << 24 | uint32_t(bytes[2]) << 16 | uint32_t(bytes[1]) << 8 | bytes[0]);
        }
        if (header.tag() == 0x00020010 && header.length <= 128) {
            std::string value(header.length, '\0');
            if (header.length > 0 && !source.read(valueStart, &value[0], header.length)) fail("File Meta Information cut short");
            report.declaredTransferSyntax = trimmed(value);
            hasTransferSyntax = true;
        }
        previous = header.tag();
        any = true;
        position = next;
    }
    if (!any) fail("no File Meta Information after the DICM prefix");
    if (groupLengthEnd >= 0 && groupLengthEnd != position)
        fail("File Meta Information Group Length does not match its elements");
    if (!hasTransferSyntax || report.declaredTransferSyntax.empty())
        fail("no Transfer Syntax UID in the File Meta Information");
    report.xfer = DcmXfer(report.declaredTransferSyntax.c_str()).getXfer();
    report.unknownTransferSyntax = report.xfer == EXS_Unknown;
    return position;
}

/// A bare data set's encoding, guessed as DCMTK does for the common cases: Explicit VR Little
/// Endian when the first element has a valid VR, Implicit VR Little Endian otherwise.
E_TransferSyntax guessEncoding(cdcm::ByteSource &source) {
    unsigned char bytes[6];
    if (!source.read(0, bytes, 6)) return EXS_LittleEndianImplicit;
    const char vr[2] = {static_cast<char>(bytes[4]), static_cast<char>(bytes[5])};
    return ElementReader::isStandardVR(vr) ? EXS_LittleEndianExplicit : EXS_LittleEndianImplicit;
}

/// The deflated data set after `start`, inflated (PS3.5 A.5: raw deflate, no zlib header).
std::vector<uint8_t> inflateDataSet(int descriptor, off_t start, off_t size) {
    std::vector<uint8_t> compressed(static_cast<size_t>(size - start));
    if (!compressed.empty() && pread(descriptor, compressed.data(), compressed.size(), start) != static_cast<ssize_t>(compressed.size()))
        fail("cannot read the deflated data set");
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) fail("cannot inflate the deflated data set");
    std::vector<uint8_t> inflated;
    stream.next_in = compressed.data();
    stream.avail_in = static_cast<uInt>(compressed.size());
    int status = Z_OK;
    while (status == Z_OK) {
        if (inflated.size() >= kMaxInflated) break;
        const size_t before = inflated.size();
        inflated.resize(before + (1 << 20));
        stream.next_out = inflated.data() + before;
        stream.avail_out = 1 << 20;
        status = inflate(&stream, Z_NO_FLUSH);
        inflated.resize(before + (1 << 20) - stream.avail_out);
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END) fail("the deflated data set does not inflate");
    return inflated;
}

} // namespace

namespace cdcm {

StructureReport checkStructure(const char *path, bool hasMeta) {
    StructureReport report;
    const int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        report.problem = "cannot open file for reading";
        return report;
    }
    try {
        struct stat status;
        if (fstat(descriptor, &status) != 0) fail("cannot read file attributes");
        ByteSource file(descriptor, status.st_size);
        off_t start = 0;
        if (hasMeta) {
            start = readMeta(file, report);
            if (report.unknownTransferSyntax) {
                close(descriptor);
                return report;
            }
        } else {
            report.xfer = guessEncoding(file);
        }
        const DcmXfer properties(report.xfer);
        if (properties.getStreamCompression() != ESC_none) {
            ByteSource inflated(inflateDataSet(descriptor, start, status.st_size));
            ElementReader reader(inflated, properties.isExplicitVR(), properties.isBigEndian());
            StructureReport ignored; // offsets in the inflated bytes mean nothing in the file
            Walker(reader, properties.isEncapsulated(), ignored).walkDataSet(0);
            report.namesSOPInstance = ignored.namesSOPInstance;
        } else {
            ElementReader reader(file, properties.isExplicitVR(), properties.isBigEndian());
            Walker(reader, properties.isEncapsulated(), report).walkDataSet(start);
        }
    } catch (const Malformed &malformed) {
        report.problem = malformed.problem;
    }
    close(descriptor);
    return report;
}

} // namespace cdcm
