// Parsing a file that Swift has checked (StructureCheck.swift), and the DCMTK facts that check
// needs: how a transfer syntax is encoded, and which attributes DCMTK parses as sequences.
#include "Boundary.hpp"

#include <memory>

extern "C" {

void cdcm_transfer_syntax_find(const char *uid, cdcm_transfer_syntax *out) {
    *out = {CDCM_TRANSFER_SYNTAX_UNKNOWN, 0, 0, 0, 0};
    try {
        const DcmXfer xfer(uid);
        out->id = xfer.getXfer();
        out->explicit_vr = xfer.isExplicitVR();
        out->big_endian = xfer.isBigEndian();
        out->encapsulated = xfer.isEncapsulated();
        out->deflated = xfer.getStreamCompression() != ESC_none;
    } catch (...) {
        *out = {CDCM_TRANSFER_SYNTAX_UNKNOWN, 0, 0, 0, 0};
    }
}

int cdcm_dictionary_is_sequence(uint16_t group, uint16_t element) {
    try {
        return DcmTag(group, element).getEVR() == EVR_SQ ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

cdcm_status cdcm_file_load(const char *path, const cdcm_load_request *request, cdcm_file **out, char *message,
                           size_t message_capacity) {
    *out = nullptr;
    return cdcm::guarded(message, message_capacity, [&]() -> cdcm_status {
        std::unique_ptr<cdcm_file> file(new cdcm_file());
        file->identity.device = static_cast<dev_t>(request->device);
        file->identity.inode = static_cast<ino_t>(request->inode);
        file->identity.size = static_cast<off_t>(request->size);
        file->identity.modified.tv_sec = static_cast<time_t>(request->modified_seconds);
        file->identity.modified.tv_nsec = static_cast<long>(request->modified_nanoseconds);
        file->pixelData.found = request->pixel_data_found != 0;
        file->pixelData.start = static_cast<off_t>(request->pixel_data_start);
        file->pixelData.end = static_cast<off_t>(request->pixel_data_end);
        file->pixelData.valueLength = request->pixel_data_value_length;
        file->hasMetaHeader = request->has_meta_header != 0;
        file->path = path;
        file->bulkThreshold = request->bulk_threshold;
        const E_TransferSyntax readAs =
            file->hasMetaHeader ? EXS_Unknown : static_cast<E_TransferSyntax>(request->transfer_syntax);
        const OFCondition condition = file->format.loadFile(path, readAs, EGL_noChange, request->bulk_threshold,
                                                            file->hasMetaHeader ? ERM_fileOnly : ERM_dataset);
        if (condition.bad()) {
            cdcm::copyMessage(condition.text(), message, message_capacity);
            if (condition == EC_StreamNotifyClient || condition == EC_InvalidStream ||
                condition == EC_PrematureSequDelimitationItem)
                return CDCM_ERROR_TRUNCATED;
            return condition == EC_UnsupportedEncoding ? CDCM_ERROR_TRANSFER_SYNTAX : CDCM_ERROR_PARSE;
        }
        *out = file.release();
        return CDCM_OK;
    });
}

void cdcm_file_close(cdcm_file *file) { delete file; }

int32_t cdcm_file_original_transfer_syntax(const cdcm_file *file) {
    // getDataset() is not const in DCMTK; the handle is logically const here.
    DcmDataset *dataset = const_cast<cdcm_file *>(file)->format.getDataset();
    return dataset == nullptr ? CDCM_TRANSFER_SYNTAX_UNKNOWN : dataset->getOriginalXfer();
}

cdcm_status cdcm_file_find_string(const cdcm_file *file, uint16_t group, uint16_t element, char *buffer,
                                  size_t capacity, size_t *length) {
    *length = 0;
    return cdcm::guarded(buffer, capacity, [&]() -> cdcm_status {
        DcmDataset *dataset = const_cast<cdcm_file *>(file)->format.getDataset();
        OFString value;
        if (dataset == nullptr || dataset->findAndGetOFString(DcmTagKey(group, element), value).bad()) {
            cdcm::copyMessage("", buffer, capacity);
            return CDCM_ERROR_PARSE;
        }
        cdcm::copyMessage(std::string(value.data(), value.length()), buffer, capacity);
        *length = value.length();
        return CDCM_OK;
    });
}

cdcm_status cdcm_file_transfer_syntax(const cdcm_file *file, char *buffer, size_t capacity) {
    return cdcm::guarded(buffer, capacity, [&]() -> cdcm_status {
        // getDataset() is not const in DCMTK; the handle is logically const here.
        const E_TransferSyntax xfer = const_cast<cdcm_file *>(file)->format.getDataset()->getOriginalXfer();
        DcmXfer properties(xfer);
        if (xfer == EXS_Unknown) {
            cdcm::copyMessage("", buffer, capacity);
            return CDCM_ERROR_TRANSFER_SYNTAX;
        }
        cdcm::copyMessage(properties.getXferID(), buffer, capacity);
        return CDCM_OK;
    });
}

} // extern "C"
