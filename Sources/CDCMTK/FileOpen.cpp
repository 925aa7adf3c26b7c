// Opening a file: Part 10 files, and bare data sets that still carry SOP Class and Instance UIDs.
#include "Boundary.hpp"
#include "StructureCheck.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <memory>

namespace {

/// True when bytes 128..131 of the file are "DICM" (PS3.10 7.1).
bool hasPart10Prefix(const char *path, bool &readable) {
    const int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    readable = descriptor >= 0;
    if (!readable) return false;
    unsigned char head[132];
    const ssize_t n = pread(descriptor, head, sizeof head, 0);
    close(descriptor);
    return n == static_cast<ssize_t>(sizeof head) && std::memcmp(head + 128, "DICM", 4) == 0;
}

/// A bare data set is accepted only if it names its SOP Class and Instance with plausible UIDs;
/// otherwise the parser merely found bytes it could read as tags.
bool looksLikeDataSet(DcmDataset &dataset) {
    for (const DcmTagKey &key : {DCM_SOPClassUID, DCM_SOPInstanceUID}) {
        OFString value;
        if (dataset.findAndGetOFString(key, value).bad() || value.empty() || value.length() > 64) return false;
        for (char c : value)
            if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
    }
    return true;
}

} // namespace

extern "C" {

cdcm_status cdcm_file_open(const char *path, uint32_t bulk_threshold, cdcm_file **out, char *message,
                           size_t message_capacity) {
    *out = nullptr;
    return cdcm::guarded(message, message_capacity, [&]() -> cdcm_status {
        std::unique_ptr<cdcm_file> file(new cdcm_file());
        struct stat status;
        bool readable = false;
        const bool part10 = hasPart10Prefix(path, readable);
        if (!readable || stat(path, &status) != 0) {
            cdcm::copyMessage("cannot open file for reading", message, message_capacity);
            return CDCM_ERROR_IO;
        }
        file->identity = {status.st_dev, status.st_ino, status.st_size, status.st_mtim};
        if (status.st_size == 0) {
            cdcm::copyMessage("empty file", message, message_capacity);
            return CDCM_ERROR_MALFORMED;
        }

        // The structure first: DCMTK repairs or accepts some defects silently, and its recursive
        // parser should never see nesting a hostile file chose.
        const cdcm::StructureReport structure = cdcm::checkStructure(path, part10);
        if (structure.unknownTransferSyntax) {
            // The declared value is named only if it looks like a UID: it comes from the file.
            const std::string &declared = structure.declaredTransferSyntax;
            const bool printable = declared.length() <= 64 && declared.find_first_not_of("0123456789.") == std::string::npos;
            cdcm::copyMessage("unknown transfer syntax" + (printable ? " " + declared : std::string()), message, message_capacity);
            return CDCM_ERROR_TRANSFER_SYNTAX;
        }
        if (!structure.problem.empty()) {
            if (!part10 && !structure.namesSOPInstance) {
                cdcm::copyMessage("not a DICOM file", message, message_capacity);
                return CDCM_ERROR_NOT_DICOM;
            }
            cdcm::copyMessage("malformed DICOM: " + structure.problem, message, message_capacity);
            return CDCM_ERROR_MALFORMED;
        }

        file->hasMetaHeader = part10;
        file->path = path;
        file->pixelData = structure.pixelData;
        file->bulkThreshold = bulk_threshold;
        const E_FileReadMode mode = part10 ? ERM_fileOnly : ERM_dataset;
        OFCondition condition =
            file->format.loadFile(path, part10 ? EXS_Unknown : structure.xfer, EGL_noChange, bulk_threshold, mode);
        DcmDataset *dataset = file->format.getDataset();
        if (!part10 && (condition.bad() || dataset == nullptr || !looksLikeDataSet(*dataset))) {
            cdcm::copyMessage("not a DICOM file", message, message_capacity);
            return CDCM_ERROR_NOT_DICOM;
        }
        if (condition.bad()) {
            const bool truncated = condition == EC_StreamNotifyClient || condition == EC_InvalidStream ||
                                   condition == EC_PrematureSequDelimitationItem;
            cdcm::copyMessage(std::string(truncated ? "truncated or corrupt DICOM file (" : "cannot parse DICOM (") +
                                  condition.text() + ")", message, message_capacity);
            return condition == EC_UnsupportedEncoding ? CDCM_ERROR_TRANSFER_SYNTAX : CDCM_ERROR_PARSE;
        }
        if (dataset == nullptr || dataset->getOriginalXfer() == EXS_Unknown) {
            cdcm::copyMessage("unknown transfer syntax", message, message_capacity);
            return CDCM_ERROR_TRANSFER_SYNTAX;
        }
        if (dataset->getOriginalXfer() != structure.xfer) {
            // DCMTK read the data set in another encoding than the one checked: never guess.
            cdcm::copyMessage("malformed DICOM: the data set is not encoded as its meta header says", message,
                              message_capacity);
            return CDCM_ERROR_MALFORMED;
        }
        *out = file.release();
        return CDCM_OK;
    });
}

void cdcm_file_close(cdcm_file *file) { delete file; }

int cdcm_file_has_meta_header(const cdcm_file *file) { return file->hasMetaHeader ? 1 : 0; }

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
