// JPEG 2000 decoding through OpenJPEG (DCMTK has no free JPEG 2000 codec).
#ifndef CDCMTK_JPEG2000_HPP
#define CDCMTK_JPEG2000_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace cdcm {

/// One decoded JPEG 2000 frame: samples interleaved (R G B R G B ...), each stored in
/// `bytesPerSample` little-endian bytes.
struct Jpeg2000Frame {
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t components = 0;
    uint32_t precision = 0;
    bool isSigned = false;
    std::vector<uint8_t> samples;
};

/// Decodes a J2K codestream (or a JP2 file) into `frame` with samples of `bytesPerSample`
/// bytes. False with `error` set when OpenJPEG cannot decode it.
bool decodeJpeg2000(const uint8_t *bytes, size_t length, uint32_t bytesPerSample, Jpeg2000Frame &frame,
                    std::string &error);

} // namespace cdcm

#endif
