// C-ECHO and C-FIND, start-up settings, and what the other network files share.
#include "Network.hpp"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/oflog/oflog.h"

#include <cstdlib>
#include <fcntl.h>
#include <mutex>

namespace cdcm::net {

bool DurableReceiver::commit(const std::string &temporary) {
    // The name is ours: a counter, so that nothing the peer sends reaches a path.
    std::string final;
    {
        std::lock_guard<std::mutex> guard(lock_);
        final = folder_ + "/received-" + std::to_string(next_++) + ".dcm";
    }
    int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    ok = ok && ::rename(temporary.c_str(), final.c_str()) == 0;
    if (ok) {
        int folder = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ok = folder >= 0 && ::fsync(folder) == 0;
        if (folder >= 0) ::close(folder);
    }
    if (!ok) {
        ::unlink(temporary.c_str());
        writeFailed_ = true;
        return false;
    }
    received_.fetch_add(1);
    return true;
}

bool makeIdentifier(const cdcm_net_key *keys, size_t count, DcmDataset &identifier, Failure &failure) {
    for (size_t i = 0; i < count; ++i) {
        DcmTag tag(keys[i].group, keys[i].element);
        if (tag.getEVR() == EVR_UNKNOWN || tag.getEVR() == EVR_SQ) {
            char text[16];
            std::snprintf(text, sizeof text, "(%04X,%04X)", keys[i].group, keys[i].element);
            failure = {CDCM_ERROR_RECORDS,
                       std::string("query key ") + text + " is not a public non-sequence attribute"};
            return false;
        }
        OFCondition condition = identifier.putAndInsertString(tag, keys[i].value);
        if (condition.bad()) {
            failure = {CDCM_ERROR_RECORDS, std::string("query key: ") + condition.text()};
            return false;
        }
    }
    return true;
}

const OFList<OFString> &acceptedTransferSyntaxes() {
    static const OFList<OFString> syntaxes = [] {
        OFList<OFString> list;
        for (const char *uid :
             {UID_JPEGProcess14SV1TransferSyntax, UID_JPEGProcess14TransferSyntax, UID_JPEGLSLosslessTransferSyntax,
              UID_JPEG2000LosslessOnlyTransferSyntax, UID_RLELosslessTransferSyntax, UID_JPEGProcess1TransferSyntax,
              UID_JPEGProcess2_4TransferSyntax, UID_JPEGLSLossyTransferSyntax, UID_JPEG2000TransferSyntax,
              UID_MPEG2MainProfileAtMainLevelTransferSyntax, UID_MPEG4HighProfileLevel4_1TransferSyntax,
              UID_DeflatedExplicitVRLittleEndianTransferSyntax, UID_LittleEndianExplicitTransferSyntax,
              UID_BigEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax})
            list.push_back(uid);
        return list;
    }();
    return syntaxes;
}

} // namespace cdcm::net

using namespace cdcm::net;

namespace {

const OFList<OFString> &uncompressed() {
    static const OFList<OFString> syntaxes = [] {
        OFList<OFString> list;
        list.push_back(UID_LittleEndianExplicitTransferSyntax);
        list.push_back(UID_LittleEndianImplicitTransferSyntax);
        return list;
    }();
    return syntaxes;
}

void append32(std::vector<uint8_t> &out, uint32_t value) { cdcm::append(out, value); }

} // namespace

extern "C" {

void cdcm_net_initialize(void) {
    static std::once_flag once;
    std::call_once(once, [] {
        try {
            // DCMTK sets TCP_NODELAY only when this variable says so (DCMTK FAQ #48); without it
            // every small instance waits ~90 ms for Nagle's algorithm. Set before any socket.
            ::setenv("TCP_NODELAY", "1", 1);
            // Reverse lookups of peers cost seconds when DNS is slow and tell us nothing.
            dcmDisableGethostbyaddr.set(OFTrue);
            OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        } catch (...) {
        }
        // The decoders, for instances sent decompressed when the peer refuses their syntax.
        cdcm_initialize();
    });
}

int32_t cdcm_net_echo(const cdcm_net_peer *peer, cdcm_net_result *result, char *message, size_t capacity) {
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        *result = {};
        Client client(*peer);
        client.addPresentationContext(UID_VerificationSOPClass, uncompressed());
        Failure failure{};
        if (!client.associate(failure)) return report(failure, message, capacity);
        T_ASC_PresentationContextID context = client.findPresentationContextID(UID_VerificationSOPClass, "");
        uint16_t status = 0;
        OFCondition condition = client.echo(context, status);
        if (condition.bad()) {
            failure = {CDCM_NET_ERROR_DIMSE, std::string("C-ECHO: ") + condition.text()};
            client.abortAssociation();
            return report(failure, message, capacity);
        }
        result->status = status;
        return CDCM_OK;
    });
}

int32_t cdcm_net_find(const cdcm_net_peer *peer, const cdcm_net_key *keys, size_t key_count, cdcm_buffer *matches,
                      cdcm_net_result *result, char *message, size_t capacity) {
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        *result = {};
        *matches = {};
        Failure failure{};
        DcmDataset identifier;
        if (!makeIdentifier(keys, key_count, identifier, failure)) return report(failure, message, capacity);
        Client client(*peer);
        client.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, uncompressed());
        if (!client.associate(failure)) return report(failure, message, capacity);
        T_ASC_PresentationContextID context =
            client.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
        OFList<QRResponse *> responses;
        OFCondition condition = client.sendFINDRequest(context, &identifier, &responses);
        std::vector<uint8_t> out;
        uint16_t status = 0xFFFF;
        for (QRResponse *response : responses) {
            status = response->m_status;
            if (DICOM_PENDING_STATUS(response->m_status) && response->m_dataset != nullptr) {
                DcmDataset *dataset = response->m_dataset;
                std::vector<std::pair<DcmElement *, OFString>> values;
                for (unsigned long i = 0; i < dataset->card(); ++i) {
                    DcmElement *element = dataset->getElement(i);
                    if (element == nullptr || element->getVR() == EVR_SQ) continue;
                    OFString value;
                    element->getOFStringArray(value);
                    values.emplace_back(element, value);
                }
                append32(out, static_cast<uint32_t>(values.size()));
                for (auto &[element, value] : values) {
                    cdcm::append(out, element->getGTag());
                    cdcm::append(out, element->getETag());
                    append32(out, static_cast<uint32_t>(value.size()));
                    out.insert(out.end(), value.begin(), value.end());
                }
                result->matches += 1;
            }
            delete response;
        }
        result->status = status;
        if (condition.bad()) {
            client.abortAssociation();
            return report({CDCM_NET_ERROR_DIMSE, std::string("C-FIND: ") + condition.text()}, message, capacity);
        }
        if (!out.empty()) {
            matches->bytes = static_cast<uint8_t *>(std::malloc(out.size()));
            if (matches->bytes == nullptr) throw std::bad_alloc();
            std::memcpy(matches->bytes, out.data(), out.size());
            matches->length = out.size();
        }
        return CDCM_OK;
    });
}

} // extern "C"
