// Process-wide DCMTK settings.
#include "Boundary.hpp"

#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"

#include "dcmtk/oflog/oflog.h"

#include <mutex>

extern "C" {

void cdcm_initialize(void) {
    static std::once_flag once;
    std::call_once(once, [] {
        try {
            // DCMTK would otherwise print its own "E: ..." lines on stderr, which may name files.
            OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
            // Known attributes stored as UN are read with their dictionary VR, so that a UID or a
            // name hidden behind UN is treated like any other.
            dcmEnableUnknownVRConversion.set(OFTrue);
            // Never guess past an error: a file that does not parse completely is not written.
            dcmIgnoreParsingErrors.set(OFFalse);
            // Decoders for cdcm_file_decode_pixels (JPEG 2000 goes through OpenJPEG).
            DJDecoderRegistration::registerCodecs();
            DJLSDecoderRegistration::registerCodecs();
            DcmRLEDecoderRegistration::registerCodecs();
        } catch (...) {
        }
    });
}

const char *cdcm_dcmtk_version(void) { return OFFIS_DCMTK_VERSION_STRING; }

int cdcm_dictionary_is_loaded(void) {
    try {
        return dcmDataDict.isDictionaryLoaded() ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

void cdcm_buffer_free(cdcm_buffer *buffer) {
    if (buffer == nullptr) return;
    std::free(buffer->bytes);
    buffer->bytes = nullptr;
    buffer->length = 0;
}

} // extern "C"
