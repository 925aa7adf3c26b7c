// Decoding Pixel Data into stored values, for volumes and pixel cleaning.
//
// The opened file is left alone (its elements are copied, unchanged, when it is written):
// decoding works on a copy of its data set, whose values not read at open (Pixel Data) are read
// from the file when the copy needs them. The file is not parsed again. DCMTK's codecs decode JPEG (baseline,
// extended, lossless), JPEG-LS, RLE and deflate; OpenJPEG decodes JPEG 2000.
#include "Boundary.hpp"
#include "Jpeg2000.hpp"

#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"

#include <memory>

namespace {

struct PixelDecodeError {
    cdcm_status status;
    std::string message;
};

[[noreturn]] void fail(cdcm_status status, const std::string &message) { throw PixelDecodeError{status, message}; }

uint32_t unsignedValue(DcmItem &dataset, const DcmTagKey &key, uint32_t fallback) {
    Uint16 value = 0;
    return dataset.findAndGetUint16(key, value).good() ? value : fallback;
}

bool isJpeg2000(E_TransferSyntax xfer) {
    return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000 || xfer == EXS_JPEG2000MulticomponentLosslessOnly ||
           xfer == EXS_JPEG2000Multicomponent;
}

/// The compressed bytes of each frame: one fragment per frame, the Basic Offset Table, or all
/// fragments for a single frame.
std::vector<std::vector<uint8_t>> compressedFrames(DcmPixelSequence &sequence, uint32_t frames) {
    const unsigned long items = sequence.card();
    if (items < 2) fail(CDCM_ERROR_PARSE, "encapsulated Pixel Data without fragments");
    std::vector<std::pair<const uint8_t *, Uint32>> fragments;
    std::vector<Uint32> starts; // offset of each fragment item from the first fragment
    Uint32 offset = 0;
    for (unsigned long i = 1; i < items; ++i) {
        DcmPixelItem *item = nullptr;
        Uint8 *bytes = nullptr;
        if (sequence.getItem(item, i).bad() || item == nullptr || item->getUint8Array(bytes).bad())
            fail(CDCM_ERROR_PARSE, "unreadable fragment in encapsulated Pixel Data");
        fragments.emplace_back(bytes, item->getLength());
        starts.push_back(offset);
        offset += 8 + item->getLength();
    }
    std::vector<std::vector<uint8_t>> result(frames);
    auto append = [&](size_t frame, size_t fragment) {
        const auto &piece = fragments[fragment];
        if (piece.first != nullptr) result[frame].insert(result[frame].end(), piece.first, piece.first + piece.second);
    };
    if (fragments.size() == frames) {
        for (size_t i = 0; i < frames; ++i) append(i, i);
        return result;
    }
    if (frames == 1) {
        for (size_t i = 0; i < fragments.size(); ++i) append(0, i);
        return result;
    }
    DcmPixelItem *table = nullptr;
    Uint32 *entries = nullptr;
    if (sequence.getItem(table, 0).bad() || table == nullptr || table->getLength() != 4 * frames ||
        table->getUint32Array(entries).bad() || entries == nullptr)
        fail(CDCM_ERROR_PARSE, "cannot tell which fragments belong to which frame");
    for (size_t fragment = 0, frame = 0; fragment < fragments.size(); ++fragment) {
        while (frame + 1 < frames && starts[fragment] >= entries[frame + 1]) ++frame;
        append(frame, fragment);
    }
    return result;
}

} // namespace

extern "C" {

cdcm_status cdcm_file_decode_pixels(cdcm_file *file, cdcm_pixels *out, char *message, size_t message_capacity) {
    *out = cdcm_pixels{};
    return cdcm::guarded(message, message_capacity, [&]() -> cdcm_status {
        try {
            if (!cdcm::isUnchanged(*file)) fail(CDCM_ERROR_IO, "the input file changed while it was being processed");
            const E_TransferSyntax xfer = file->format.getDataset()->getOriginalXfer();
            DcmDataset dataset(*file->format.getDataset());
            cdcm_pixels pixels{};
            pixels.rows = unsignedValue(dataset, DCM_Rows, 0);
            pixels.columns = unsignedValue(dataset, DCM_Columns, 0);
            pixels.samples_per_pixel = unsignedValue(dataset, DCM_SamplesPerPixel, 1);
            pixels.bits_allocated = unsignedValue(dataset, DCM_BitsAllocated, 0);
            pixels.bits_stored = unsignedValue(dataset, DCM_BitsStored, pixels.bits_allocated);
            pixels.pixel_representation = unsignedValue(dataset, DCM_PixelRepresentation, 0);
            Sint32 frames = 1;
            if (dataset.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
            pixels.frames = static_cast<uint32_t>(frames);
            if (pixels.rows == 0 || pixels.columns == 0) fail(CDCM_ERROR_PARSE, "no Rows or Columns");
            if (pixels.bits_allocated != 8 && pixels.bits_allocated != 16 && pixels.bits_allocated != 32)
                fail(CDCM_ERROR_TRANSFER_SYNTAX, "Bits Allocated " + std::to_string(pixels.bits_allocated) + " is not supported");
            if (pixels.samples_per_pixel != 1 && pixels.samples_per_pixel != 3)
                fail(CDCM_ERROR_TRANSFER_SYNTAX, "Samples per Pixel " + std::to_string(pixels.samples_per_pixel) + " is not supported");
            const size_t bytesPerSample = pixels.bits_allocated / 8;
            const size_t frameBytes = size_t(pixels.rows) * pixels.columns * pixels.samples_per_pixel * bytesPerSample;
            const size_t total = frameBytes * pixels.frames;
            std::vector<uint8_t> buffer;
            buffer.reserve(total);

            DcmElement *element = nullptr;
            if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
                fail(CDCM_ERROR_PARSE, "no Pixel Data");
            std::string photometric;
            if (isJpeg2000(xfer)) {
                DcmPixelSequence *sequence = nullptr;
                auto *pixelData = static_cast<DcmPixelData *>(element);
                if (pixelData->getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || sequence == nullptr)
                    fail(CDCM_ERROR_PARSE, "no encapsulated Pixel Data");
                for (const auto &bytes : compressedFrames(*sequence, pixels.frames)) {
                    cdcm::Jpeg2000Frame frame;
                    std::string error;
                    if (!cdcm::decodeJpeg2000(bytes.data(), bytes.size(), bytesPerSample, frame, error))
                        fail(CDCM_ERROR_PARSE, error);
                    if (frame.width != pixels.columns || frame.height != pixels.rows || frame.components != pixels.samples_per_pixel)
                        fail(CDCM_ERROR_PARSE, "a JPEG 2000 frame does not match Rows, Columns or Samples per Pixel");
                    buffer.insert(buffer.end(), frame.samples.begin(), frame.samples.end());
                }
                // OpenJPEG undoes the multi-component transform: colour frames come out as RGB.
                pixels.planar_configuration = 0;
                if (pixels.samples_per_pixel == 3) photometric = "RGB";
            } else {
                if (dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad() ||
                    !dataset.canWriteXfer(EXS_LittleEndianExplicit))
                    fail(CDCM_ERROR_TRANSFER_SYNTAX, std::string("cannot decode ") + DcmXfer(xfer).getXferName());
                if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
                    fail(CDCM_ERROR_PARSE, "no Pixel Data after decoding");
                Uint8 *bytes = nullptr;
                if (element->getUint8Array(bytes).bad() || bytes == nullptr || element->getLength() < total)
                    fail(CDCM_ERROR_PARSE, "Pixel Data shorter than Rows x Columns x frames");
                buffer.assign(bytes, bytes + total);
                pixels.planar_configuration = unsignedValue(dataset, DCM_PlanarConfiguration, 0);
            }
            if (photometric.empty()) {
                OFString value;
                dataset.findAndGetOFString(DCM_PhotometricInterpretation, value);
                photometric = value.c_str();
            }
            cdcm::copyMessage(photometric, pixels.photometric_interpretation, sizeof pixels.photometric_interpretation);
            if (buffer.size() != total) fail(CDCM_ERROR_PARSE, "decoded Pixel Data has the wrong size");
            pixels.pixels.bytes = static_cast<uint8_t *>(std::malloc(total));
            if (pixels.pixels.bytes == nullptr) throw std::bad_alloc();
            std::memcpy(pixels.pixels.bytes, buffer.data(), total);
            pixels.pixels.length = total;
            *out = pixels;
            return CDCM_OK;
        } catch (const PixelDecodeError &error) {
            cdcm::copyMessage(error.message, message, message_capacity);
            return error.status;
        }
    });
}

} // extern "C"
