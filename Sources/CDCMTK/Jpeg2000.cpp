// JPEG 2000 decoding through OpenJPEG.
#include "Jpeg2000.hpp"

#include <openjpeg-2.5/openjpeg.h> // Debian 12 libopenjp2-7-dev

#include <cstring>
#include <memory>

namespace {

/// OpenJPEG reads its input through callbacks; this one serves a buffer in memory.
struct MemoryInput {
    const uint8_t *bytes;
    size_t length;
    size_t position;
};

OPJ_SIZE_T readInput(void *buffer, OPJ_SIZE_T count, void *user) {
    auto *input = static_cast<MemoryInput *>(user);
    if (input->position >= input->length) return static_cast<OPJ_SIZE_T>(-1);
    const size_t n = count < input->length - input->position ? count : input->length - input->position;
    std::memcpy(buffer, input->bytes + input->position, n);
    input->position += n;
    return n;
}

OPJ_OFF_T skipInput(OPJ_OFF_T count, void *user) {
    auto *input = static_cast<MemoryInput *>(user);
    if (count < 0 || static_cast<size_t>(count) > input->length - input->position) return -1;
    input->position += static_cast<size_t>(count);
    return count;
}

OPJ_BOOL seekInput(OPJ_OFF_T position, void *user) {
    auto *input = static_cast<MemoryInput *>(user);
    if (position < 0 || static_cast<size_t>(position) > input->length) return OPJ_FALSE;
    input->position = static_cast<size_t>(position);
    return OPJ_TRUE;
}

void quiet(const char *, void *) {}

} // namespace

namespace cdcm {

bool decodeJpeg2000(const uint8_t *bytes, size_t length, uint32_t bytesPerSample, Jpeg2000Frame &frame,
                    std::string &error) {
    static const uint8_t jp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    const bool isJP2 = length >= sizeof jp2Signature && std::memcmp(bytes, jp2Signature, sizeof jp2Signature) == 0;
    std::unique_ptr<opj_codec_t, void (*)(opj_codec_t *)> codec(opj_create_decompress(isJP2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K),
                                                                opj_destroy_codec);
    if (!codec) {
        error = "cannot create a JPEG 2000 decoder";
        return false;
    }
    opj_set_info_handler(codec.get(), quiet, nullptr);
    opj_set_warning_handler(codec.get(), quiet, nullptr);
    opj_set_error_handler(codec.get(), quiet, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec.get(), &parameters)) {
        error = "cannot set up the JPEG 2000 decoder";
        return false;
    }
    MemoryInput input{bytes, length, 0};
    std::unique_ptr<opj_stream_t, void (*)(opj_stream_t *)> stream(opj_stream_create(1 << 16, OPJ_TRUE), opj_stream_destroy);
    opj_stream_set_user_data(stream.get(), &input, nullptr);
    opj_stream_set_user_data_length(stream.get(), length);
    opj_stream_set_read_function(stream.get(), readInput);
    opj_stream_set_skip_function(stream.get(), skipInput);
    opj_stream_set_seek_function(stream.get(), seekInput);
    opj_image_t *raw = nullptr;
    if (!opj_read_header(stream.get(), codec.get(), &raw)) {
        error = "not a decodable JPEG 2000 stream";
        return false;
    }
    std::unique_ptr<opj_image_t, void (*)(opj_image_t *)> image(raw, opj_image_destroy);
    if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get())) {
        error = "the JPEG 2000 stream does not decode";
        return false;
    }
    if (image->numcomps == 0) {
        error = "a JPEG 2000 image without components";
        return false;
    }
    const opj_image_comp_t &first = image->comps[0];
    for (uint32_t c = 1; c < image->numcomps; ++c) {
        if (image->comps[c].w != first.w || image->comps[c].h != first.h) {
            error = "JPEG 2000 components of different sizes";
            return false;
        }
    }
    frame.width = first.w;
    frame.height = first.h;
    frame.components = image->numcomps;
    frame.precision = first.prec;
    frame.isSigned = first.sgnd != 0;
    const size_t pixels = size_t(first.w) * first.h;
    frame.samples.assign(pixels * frame.components * bytesPerSample, 0);
    for (size_t i = 0; i < pixels; ++i) {
        for (uint32_t c = 0; c < frame.components; ++c) {
            const uint32_t value = static_cast<uint32_t>(image->comps[c].data[i]);
            uint8_t *out = frame.samples.data() + (i * frame.components + c) * bytesPerSample;
            for (uint32_t b = 0; b < bytesPerSample; ++b) out[b] = static_cast<uint8_t>(value >> (8 * b));
        }
    }
    return true;
}

} // namespace cdcm
