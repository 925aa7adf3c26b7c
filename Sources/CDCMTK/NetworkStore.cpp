// C-STORE of a list of files through DcmStorageSCU: presentation contexts per file (SOP Class
// and transfer syntax, lossless decompression as fallback), at most 128 per association, as
// many associations as it takes.
#include "Network.hpp"

#include "dcmtk/dcmnet/dstorscu.h"

#include <unordered_map>

using namespace cdcm::net;

namespace {

class StoreClient : public DcmStorageSCU {
  public:
    StoreClient(const cdcm_net_peer &peer, cdcm_net_store_callback callback, void *context)
        : peer_(peer), callback_(callback), context_(context) {
        setAETitle(peer.calling_aet);
        setPeerHostName(peer.host);
        setPeerPort(peer.port);
        setPeerAETitle(peer.called_aet);
        setConnectionTimeout(peer.connect_timeout);
        setACSETimeout(peer.acse_timeout);
        setDIMSETimeout(peer.dimse_timeout);
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
        // Transfer syntax kept; a lossless one may be decompressed if the peer refuses it.
        setDecompressionMode(DM_losslessOnly);
        // Without this DcmSCU refuses to decompress when the peer chose an uncompressed syntax
        // for a losslessly compressed instance (Orthanc prefers uncompressed ones).
        setDatasetConversionMode(OFTrue);
        setHaltOnInvalidFileMode(OFFalse);
        setHaltOnUnsuccessfulStoreMode(OFFalse);
        // A compressed instance DCMTK cannot decompress (JPEG 2000) is offered in its own syntax only.
        setAllowIllegalProposalMode(OFTrue);
    }

    std::unordered_map<std::string, size_t> indexOfFile;
    cdcm_net_result counts{};

    bool associate(Failure &failure) {
        dcmConnectionTimeout.set(peer_.connect_timeout);
        OFCondition condition = initNetwork();
        if (condition.bad()) {
            failure = {CDCM_NET_ERROR_CONNECTION, std::string("network: ") + condition.text()};
            return false;
        }
        if (peer_.tls != nullptr) {
            if (!tls_) tls_ = makeTLS(*peer_.tls, NET_REQUESTOR, failure);
            if (!tls_) return false;
            condition = useSecureConnection(tls_.get());
            if (condition.bad()) {
                failure = {CDCM_NET_ERROR_TLS, std::string("TLS: ") + condition.text()};
                return false;
            }
        }
        condition = negotiateAssociation();
        if (condition.good()) return true;
        failure.status = classify(condition);
        if (failure.status == CDCM_NET_ERROR_REJECTED) {
            failure.message = "association rejected: " + probeRejection(peer_, tls_.get());
        } else if (failure.status == CDCM_NET_ERROR_NO_CONTEXT) {
            // DcmStorageSCU marked this association's instances as not sendable; go on with the rest.
            failure.message = "the peer accepted none of the proposed presentation contexts";
        } else {
            failure.message = std::string("cannot associate: ") + condition.text();
        }
        return false;
    }

  protected:
    void notifySOPInstanceSent(const TransferEntry &entry) override {
        auto found = indexOfFile.find(std::string(entry.Filename.getCharPointer()));
        // Not sent (no response, no status: DcmStorageSCU reports 0 then): the caller counts it
        // as not sent, never as stored.
        if (found == indexOfFile.end() || !entry.RequestSent) return;
        // DcmStorageSCU marks instances it could not offer with "pending" codes (FFxx), never a
        // final C-STORE status.
        if ((entry.ResponseStatusCode & 0xFF00) == 0xFF00) return;
        const Uint16 status = entry.ResponseStatusCode;
        if (status == STATUS_Success) counts.completed += 1;
        else if ((status & 0xF000) == 0xB000) counts.warning += 1;
        else counts.failed += 1;
        if (callback_ != nullptr) callback_(context_, found->second, status);
    }

  private:
    cdcm_net_peer peer_;
    cdcm_net_store_callback callback_;
    void *context_;
    std::unique_ptr<DcmTLSTransportLayer> tls_;
};

} // namespace

extern "C" {

int32_t cdcm_net_store(const cdcm_net_peer *peer, const char *const *files, size_t count,
                       cdcm_net_store_callback callback, void *context, cdcm_net_result *result, char *message,
                       size_t capacity) {
    return guardedNetwork(message, capacity, [&]() -> int32_t {
        *result = {};
        StoreClient client(*peer, callback, context);
        for (size_t i = 0; i < count; ++i) {
            // Reads the meta header only; the data set is read when it is sent.
            if (client.addDicomFile(files[i], ERM_fileOnly, OFFalse).good()) {
                client.indexOfFile.emplace(files[i], i);
            } else {
                client.counts.failed += 1;
                if (callback != nullptr) callback(context, i, 0xC000);
            }
        }
        Failure failure{};
        int32_t status = CDCM_OK;
        size_t before = client.getNumberOfSOPInstancesToBeSent() + 1;
        // Each round proposes contexts for the next (at most 128) kinds of instance.
        while (client.getNumberOfSOPInstancesToBeSent() > 0 && client.getNumberOfSOPInstancesToBeSent() < before) {
            before = client.getNumberOfSOPInstancesToBeSent();
            OFCondition condition = client.addPresentationContexts();
            // After a round, nothing left to propose means what remains cannot be sent at all:
            // those files are not reported, and the caller counts them as not sent.
            if (condition == NET_EC_NoPresentationContextsDefined && client.getAssociationCounter() > 0) break;
            if (condition.bad()) {
                failure = {CDCM_NET_ERROR_NO_CONTEXT, std::string("presentation contexts: ") + condition.text()};
                status = failure.status;
                break;
            }
            if (!client.associate(failure)) {
                status = failure.status;
                if (status == CDCM_NET_ERROR_NO_CONTEXT) continue;
                break;
            }
            condition = client.sendSOPInstances();
            if (condition.bad()) {
                failure = {CDCM_NET_ERROR_DIMSE, std::string("C-STORE: ") + condition.text()};
                status = failure.status;
                client.abortAssociation();
                break;
            }
            client.releaseAssociation();
            status = CDCM_OK;
        }
        *result = client.counts;
        if (status != CDCM_OK) return report(failure, message, capacity);
        return CDCM_OK;
    });
}

} // extern "C"
