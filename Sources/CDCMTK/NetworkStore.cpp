// C-STORE of a list of files. Each file is offered in its own transfer syntax; a losslessly
// compressed one DCMTK can decode is also offered, in a second context, uncompressed, and is
// decompressed only when the peer refuses its syntax. At most 128 contexts per association, as
// many associations as it takes. (DcmStorageSCU puts both in one context, and a peer that
// prefers uncompressed syntaxes then gets every instance decompressed.)
#include "Network.hpp"

#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcdatutl.h"
#include "dcmtk/dcmdata/dcuid.h"

#include <map>
#include <utility>

using namespace cdcm::net;

namespace {

/// One file to send, as its meta header describes it.
struct Instance {
    size_t index;
    std::string path;
    std::string sopClass;
    std::string transferSyntax;
    /// Can be sent uncompressed if the peer refuses its own syntax.
    bool decompressible;
};

bool isUncompressed(const std::string &syntax);

class StoreClient : public Client {
  public:
    explicit StoreClient(const cdcm_net_peer &peer) : Client(peer) {
        // Lets DcmSCU write a data set in the accepted syntax when it is not the stored one.
        setDatasetConversionMode(OFTrue);
    }

    /// Proposes the contexts `batch` needs, in the order of `contexts`.
    void propose(const std::vector<std::pair<std::string, std::vector<std::string>>> &contexts) {
        clearPresentationContexts();
        for (const auto &[sopClass, syntaxes] : contexts) {
            OFList<OFString> list;
            for (const std::string &syntax : syntaxes) list.push_back(syntax.c_str());
            addPresentationContext(sopClass.c_str(), list);
        }
    }

    /// Sends one instance; `status` is the peer's C-STORE status, or stays 0xFFFF when the
    /// instance could not be offered (no accepted context). A bad condition means the
    /// association is gone.
    OFCondition send(const Instance &instance, uint16_t &status) {
        status = 0xFFFF;
        T_ASC_PresentationContextID context =
            findPresentationContextID(instance.sopClass.c_str(), instance.transferSyntax.c_str());
        E_TransferSyntax target = EXS_Unknown;
        // The peer chose another syntax for the context: an uncompressed instance is re-encoded
        // (byte order, VR), a lossless one decompressed.
        if (context == 0 && (instance.decompressible || isUncompressed(instance.transferSyntax))) {
            context = findPresentationContextID(instance.sopClass.c_str(), UID_LittleEndianExplicitTransferSyntax);
            target = EXS_LittleEndianExplicit;
            if (context == 0) {
                context = findPresentationContextID(instance.sopClass.c_str(), UID_LittleEndianImplicitTransferSyntax);
                target = EXS_LittleEndianImplicit;
            }
        }
        if (context == 0) return EC_Normal;
        DcmFileFormat file;
        if (file.loadFile(instance.path.c_str()).bad()) return EC_Normal;
        DcmDataset *dataset = file.getDataset();
        if (target != EXS_Unknown) {
            // Lossless only (checked when proposing): the pixels sent are the pixels stored.
            if (dataset->chooseRepresentation(target, nullptr).bad() || !dataset->canWriteXfer(target))
                return EC_Normal;
        }
        Uint16 response = 0xFFFF;
        OFCondition condition = sendSTORERequest(context, OFFilename(), dataset, response);
        if (condition.good()) status = response;
        return condition;
    }
};

bool isUncompressed(const std::string &syntax) {
    return syntax == UID_LittleEndianExplicitTransferSyntax || syntax == UID_LittleEndianImplicitTransferSyntax ||
           syntax == UID_BigEndianExplicitTransferSyntax;
}

/// An uncompressed instance's own syntax first, then the other uncompressed ones, each once.
std::vector<std::string> uncompressedFirst(const std::string &own) {
    std::vector<std::string> syntaxes{own};
    for (const char *other : {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax})
        if (own != other) syntaxes.emplace_back(other);
    return syntaxes;
}

} // namespace

extern "C" {

int32_t cdcm_net_store(const cdcm_net_peer *peer, const char *const *files, size_t count,
                       cdcm_net_store_callback callback, void *context, cdcm_net_result *result, char *message,
                       size_t capacity) {
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        *result = {};
        auto report = [&](size_t index, uint16_t status) {
            if (status == STATUS_Success) result->completed += 1;
            else if ((status & 0xF000) == 0xB000) result->warning += 1;
            else result->failed += 1;
            if (callback != nullptr) callback(context, index, status);
        };
        std::vector<Instance> instances;
        for (size_t i = 0; i < count; ++i) {
            OFString sopClass, sopInstance, syntax;
            // Reads the meta header only; the data set is read when it is sent.
            if (DcmDataUtil::getSOPInstanceFromFile(files[i], sopClass, sopInstance, syntax).bad()) {
                report(i, 0xC000);
                continue;
            }
            DcmXfer xfer(syntax.c_str());
            const bool decompressible = !isUncompressed(syntax.c_str()) && xfer.isLossless() &&
                                        (xfer.getStreamCompression() != ESC_none ||
                                         DcmCodecList::canChangeCoding(xfer.getXfer(), EXS_LittleEndianExplicit));
            instances.push_back({i, files[i], sopClass.c_str(), syntax.c_str(), decompressible});
        }

        size_t next = 0;
        while (next < instances.size()) {
            // The next batch: as many instances as 128 contexts cover.
            std::map<std::pair<std::string, std::string>, bool> proposed;
            std::vector<std::pair<std::string, std::vector<std::string>>> contexts;
            size_t end = next;
            for (; end < instances.size(); ++end) {
                const Instance &instance = instances[end];
                std::vector<std::pair<std::string, std::vector<std::string>>> needed;
                if (!proposed.count({instance.sopClass, instance.transferSyntax})) {
                    needed.push_back({instance.sopClass,
                                      isUncompressed(instance.transferSyntax)
                                          ? uncompressedFirst(instance.transferSyntax)
                                          : std::vector<std::string>{instance.transferSyntax}});
                }
                if (instance.decompressible && !proposed.count({instance.sopClass, "uncompressed"})) {
                    std::vector<std::string> fallback{UID_LittleEndianExplicitTransferSyntax,
                                                      UID_LittleEndianImplicitTransferSyntax};
                    needed.push_back({instance.sopClass, fallback});
                }
                if (contexts.size() + needed.size() > 128) break;
                for (auto &context : needed) {
                    const bool fallback = context.second.size() == 2 && !isUncompressed(instance.transferSyntax);
                    proposed[{instance.sopClass, fallback ? "uncompressed" : instance.transferSyntax}] = true;
                    contexts.push_back(std::move(context));
                }
            }
            StoreClient client(*peer);
            client.propose(contexts);
            Failure failure{};
            if (!client.associate(failure)) {
                // The peer accepted none of this batch's contexts: those instances cannot be sent.
                if (failure.status == CDCM_NET_ERROR_NO_CONTEXT) {
                    next = end;
                    continue;
                }
                return cdcm::net::report(failure, message, capacity);
            }
            for (; next < end; ++next) {
                uint16_t status = 0xFFFF;
                OFCondition condition = client.send(instances[next], status);
                if (condition.bad()) {
                    client.abortAssociation();
                    return cdcm::net::report({CDCM_NET_ERROR_DIMSE, std::string("C-STORE: ") + condition.text()},
                                             message, capacity);
                }
                // Not offered (no accepted context, or not decodable): not reported, the caller
                // counts it as not sent.
                if (status != 0xFFFF) report(instances[next].index, status);
            }
            client.releaseAssociation();
        }
        return CDCM_OK;
    });
}

} // extern "C"
