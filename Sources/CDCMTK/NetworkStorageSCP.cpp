// The storage SCP of `veil gateway`. Which associations are accepted and where an instance goes
// are the caller's decisions (callbacks); this file only speaks DICOM and makes each received
// instance durable (fsync) before the caller sees it and before any status is answered.
#include "Network.hpp"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/scp.h"

#include <chrono>
#include <fcntl.h>
#include <set>
#include <thread>

using namespace cdcm::net;

namespace {

class GatewaySCP : public DcmSCP {
  public:
    GatewaySCP(const char *aet, uint16_t port, std::string folder, uint32_t acseTimeout, uint32_t dimseTimeout,
               const cdcm_net_storage_callbacks &callbacks)
        : folder_(std::move(folder)), callbacks_(callbacks) {
        DcmSCPConfig &config = getConfig();
        config.setPort(port);
        config.setAETitle(aet);
        // Routes are called AE titles: answer with the one the peer called.
        config.setRespondWithCalledAETitle(OFTrue);
        // A 1-second accept timeout lets the loop notice a stop request.
        config.setConnectionBlockingMode(DUL_NOBLOCK);
        config.setConnectionTimeout(1);
        config.setACSETimeout(acseTimeout);
        config.setDIMSETimeout(dimseTimeout);
        config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        config.setHostLookupEnabled(OFFalse);
        config.setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
        config.addPresentationContext(UID_VerificationSOPClass, acceptedTransferSyntaxes());
        // DCMTK's SCP configuration holds at most 128 contexts.
        std::set<std::string> added;
        auto add = [&](const char *sopClass) {
            if (added.size() < 127 && added.insert(sopClass).second)
                config.addPresentationContext(sopClass, acceptedTransferSyntaxes());
        };
        for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs; ++i) add(dcmLongSCUStorageSOPClassUIDs[i]);
        for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) add(dcmAllStorageSOPClassUIDs[i]);
    }

    std::atomic<bool> stop{false};

  protected:
    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &context) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmSCP::handleIncomingCommand(message, context);
        T_DIMSE_C_StoreRQ &request = message->msg.CStoreRQ;
        // The name is ours, never the peer's.
        const std::string temporary = folder_ + "/.receiving-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(counter_.fetch_add(1)) + ".partial";
        OFCondition condition = receiveSTORERequest(request, context.presentationContextID, temporary.c_str());
        if (condition.bad()) {
            ::unlink(temporary.c_str());
            return condition;
        }
        Uint16 status = STATUS_STORE_Refused_OutOfResources;
        int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
        const bool durable = fd >= 0 && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
        if (fd >= 0) ::close(fd);
        if (durable) status = callbacks_.stored(callbacks_.context, association_, temporary.c_str());
        ::unlink(temporary.c_str()); // whatever the caller did not take
        return sendSTOREResponse(context.presentationContextID, request, status);
    }

    uint8_t decision(const OFString &calling, const OFString &called) {
        return callbacks_.decide(callbacks_.context, calling.c_str(), called.c_str(), getPeerIP().c_str());
    }

    OFBool checkCalledAETitleAccepted(const OFString &called) override {
        return decision(getPeerAETitle(), called) != CDCM_NET_REJECT_CALLED_AET;
    }
    OFBool checkCallingAETitleAccepted(const OFString &calling) override {
        return decision(calling, getCalledAETitle()) != CDCM_NET_REJECT_CALLING_AET;
    }
    OFBool checkCallingHostAccepted(const OFString &) override {
        return decision(getPeerAETitle(), getCalledAETitle()) != CDCM_NET_REJECT_HOST;
    }

    void refuseAssociation(const DcmRefuseReasonType reason) override {
        uint8_t code = CDCM_NET_REJECT_OTHER;
        if (reason == DCMSCP_CALLING_AE_TITLE_NOT_RECOGNIZED) code = CDCM_NET_REJECT_CALLING_AET;
        else if (reason == DCMSCP_CALLED_AE_TITLE_NOT_RECOGNIZED) code = CDCM_NET_REJECT_CALLED_AET;
        else if (reason == DCMSCP_CALLING_HOST_NOT_ALLOWED) code = CDCM_NET_REJECT_HOST;
        callbacks_.associated(callbacks_.context, 0, getPeerAETitle().c_str(), getCalledAETitle().c_str(),
                              getPeerIP().c_str(), code);
        DcmSCP::refuseAssociation(reason);
    }

    void notifyAssociationAcknowledge() override {
        association_ = ++associations_;
        callbacks_.associated(callbacks_.context, association_, getPeerAETitle().c_str(), getCalledAETitle().c_str(),
                              getPeerIP().c_str(), CDCM_NET_ACCEPT);
    }

    void notifyAssociationTermination() override {
        if (association_ == 0) return;
        callbacks_.ended(callbacks_.context, association_);
        association_ = 0;
    }

    OFBool stopAfterConnectionTimeout() override { return stop.load(); }
    OFBool stopAfterCurrentAssociation() override { return stop.load(); }

  private:
    std::string folder_;
    cdcm_net_storage_callbacks callbacks_;
    std::atomic<uint64_t> counter_{0};
    uint64_t associations_ = 0;
    uint64_t association_ = 0;
};

} // namespace

struct cdcm_net_storage_scp {
    // Declared first so that it outlives the SCP that points to it.
    std::unique_ptr<DcmTLSTransportLayer> tls;
    std::unique_ptr<GatewaySCP> scp;
    std::thread thread;
};

extern "C" {

int32_t cdcm_net_storage_scp_open(const char *aet, uint16_t port, const char *temporary_folder, uint32_t acse_timeout,
                                  uint32_t dimse_timeout, const cdcm_net_tls *tls,
                                  const cdcm_net_storage_callbacks *callbacks, cdcm_net_storage_scp **out,
                                  char *message, size_t capacity) {
    *out = nullptr;
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        auto handle = std::make_unique<cdcm_net_storage_scp>();
        handle->scp =
            std::make_unique<GatewaySCP>(aet, port, temporary_folder, acse_timeout, dimse_timeout, *callbacks);
        if (tls != nullptr) {
            Failure failure{};
            handle->tls = makeTLS(*tls, NET_ACCEPTOR, failure);
            if (!handle->tls) return report(failure, message, capacity);
            handle->scp->getConfig().setTransportLayer(handle->tls.get());
        }
        OFCondition condition = handle->scp->openListenPort();
        if (condition.bad())
            return report({CDCM_NET_ERROR_CONNECTION,
                           "cannot listen on port " + std::to_string(port) + ": " + condition.text()},
                          message, capacity);
        GatewaySCP *scp = handle->scp.get();
        handle->thread = std::thread([scp] {
            // A malformed request can end DCMTK's accept loop with an error: serve on regardless.
            while (!scp->stop.load()) {
                try {
                    scp->acceptAssociations();
                } catch (...) {
                }
                if (!scp->stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        *out = handle.release();
        return CDCM_OK;
    });
}

void cdcm_net_storage_scp_stop(cdcm_net_storage_scp *scp) {
    if (scp == nullptr) return;
    try {
        scp->scp->stop = true;
        if (scp->thread.joinable()) scp->thread.join();
    } catch (...) {
    }
}

void cdcm_net_storage_scp_close(cdcm_net_storage_scp *scp) {
    if (scp == nullptr) return;
    cdcm_net_storage_scp_stop(scp);
    try {
        delete scp;
    } catch (...) {
    }
}

} // extern "C"
