// Writing a DICOMDIR for an output folder (PS3.10 file-set, PS3.11 General Purpose profile).
#include "Boundary.hpp"

#include "dcmtk/dcmdata/dcddirif.h"

extern "C" {

cdcm_status cdcm_dicomdir_write(const char *root, const char *const *files, size_t count, size_t *skipped,
                                char *message, size_t message_capacity) {
    *skipped = 0;
    return cdcm::guarded(message, message_capacity, [&]() -> cdcm_status {
        DicomDirInterface directory;
        directory.enableInventMode(OFTrue);        // de-identified records may lack required values
        directory.disableBackupMode(OFFalse);      // no DICOMDIR.BAK in the output
        directory.disableTransferSyntaxCheck(OFFalse);
        directory.disableEncodingCheck(OFFalse);
        directory.disableResolutionCheck(OFFalse);
        const std::string path = std::string(root) + "/DICOMDIR";
        OFCondition condition = directory.createNewDicomDir(DicomDirInterface::AP_GeneralPurpose, path.c_str(), "VEIL");
        if (condition.bad()) {
            cdcm::copyMessage(std::string("cannot create DICOMDIR: ") + condition.text(), message, message_capacity);
            return CDCM_ERROR_IO;
        }
        for (size_t i = 0; i < count; ++i) {
            if (directory.addDicomFile(files[i], root).bad()) ++*skipped;
        }
        condition = directory.writeDicomDir(EET_ExplicitLength, EGL_withoutGL);
        if (condition.bad()) {
            cdcm::copyMessage(std::string("cannot write DICOMDIR: ") + condition.text(), message, message_capacity);
            return CDCM_ERROR_IO;
        }
        return CDCM_OK;
    });
}

} // extern "C"
