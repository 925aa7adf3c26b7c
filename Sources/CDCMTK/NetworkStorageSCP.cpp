// The storage SCP of `veil gateway`. Which associations are accepted and where an instance goes
// are the caller's decisions (callbacks); this file only speaks DICOM and makes each received
// instance durable (fsync) before the caller sees it and before any status is answered.
//
// One thread accepts connections; each association is served by a DcmThreadSCP on a thread of
// its own, up to a maximum (further peers wait in the TCP backlog until one ends).
#include "Network.hpp"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/scpthrd.h"

#include <chrono>
#include <fcntl.h>
#include <list>
#include <set>
#include <thread>

using namespace cdcm::net;

namespace {

/// What every association's worker shares.
struct Shared {
    std::string aet;
    std::string folder;
    uint32_t acseTimeout;
    uint32_t dimseTimeout;
    cdcm_net_storage_callbacks callbacks;
    std::atomic<uint64_t> associations{0};
    std::atomic<uint64_t> files{0};
};

/// Serves one association.
class GatewaySCP : public DcmThreadSCP {
  public:
    explicit GatewaySCP(Shared &shared) : shared_(shared), callbacks_(shared.callbacks) {
        DcmSCPConfig &config = getConfig();
        config.setAETitle(shared.aet.c_str());
        // Routes are called AE titles: answer with the one the peer called.
        config.setRespondWithCalledAETitle(OFTrue);
        const uint32_t acseTimeout = shared.acseTimeout, dimseTimeout = shared.dimseTimeout;
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

  protected:
    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &context) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmSCP::handleIncomingCommand(message, context);
        T_DIMSE_C_StoreRQ &request = message->msg.CStoreRQ;
        // The name is ours, never the peer's.
        const std::string temporary = shared_.folder + "/.receiving-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(shared_.files.fetch_add(1)) + ".partial";
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
        association_ = ++shared_.associations;
        callbacks_.associated(callbacks_.context, association_, getPeerAETitle().c_str(), getCalledAETitle().c_str(),
                              getPeerIP().c_str(), CDCM_NET_ACCEPT);
    }

    void notifyAssociationTermination() override {
        if (association_ == 0) return;
        callbacks_.ended(callbacks_.context, association_);
        association_ = 0;
    }

  private:
    Shared &shared_;
    cdcm_net_storage_callbacks callbacks_;
    uint64_t association_ = 0;
};

} // namespace

struct cdcm_net_storage_scp {
    Shared shared;
    uint32_t maxAssociations = 8;
    // Declared before the network that points to it.
    std::unique_ptr<DcmTLSTransportLayer> tls;
    T_ASC_Network *network = nullptr;
    std::atomic<bool> stop{false};
    std::thread acceptor;

    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<Worker> workers;

    /// Joins the workers whose association has ended.
    void reap() {
        for (auto it = workers.begin(); it != workers.end();) {
            if (it->done->load()) {
                it->thread.join();
                it = workers.erase(it);
            } else {
                ++it;
            }
        }
    }

    void accept() {
        while (!stop.load()) {
            reap();
            if (workers.size() >= maxAssociations) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            }
            T_ASC_Association *association = nullptr;
            // A 1-second wait lets the loop notice a stop request.
            OFCondition condition = ASC_receiveAssociation(network, &association, ASC_MAXIMUMPDUSIZE, nullptr, nullptr,
                                                           tls ? OFTrue : OFFalse, DUL_NOBLOCK, 1);
            if (condition.bad() || association == nullptr) {
                // A timeout, or a peer that sent no valid A-ASSOCIATE-RQ (garbage, a huge
                // length, P-DATA first): drop it and serve the next one.
                if (association != nullptr) {
                    ASC_dropAssociation(association);
                    ASC_destroyAssociation(&association);
                }
                continue;
            }
            auto done = std::make_shared<std::atomic<bool>>(false);
            Shared *context = &shared;
            workers.push_back({std::thread([context, association, done] {
                                   try {
                                       GatewaySCP scp(*context);
                                       scp.run(association);
                                   } catch (...) {
                                   }
                                   done->store(true);
                               }),
                               done});
        }
        // Stopped: the associations in progress finish.
        for (Worker &worker : workers) worker.thread.join();
        workers.clear();
    }
};

extern "C" {

int32_t cdcm_net_storage_scp_open(const char *aet, uint16_t port, const char *temporary_folder, uint32_t acse_timeout,
                                  uint32_t dimse_timeout, uint32_t max_associations, const cdcm_net_tls *tls,
                                  const cdcm_net_storage_callbacks *callbacks, cdcm_net_storage_scp **out,
                                  char *message, size_t capacity) {
    *out = nullptr;
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        auto handle = std::make_unique<cdcm_net_storage_scp>();
        handle->shared.aet = aet;
        handle->shared.folder = temporary_folder;
        handle->shared.acseTimeout = acse_timeout;
        handle->shared.dimseTimeout = dimse_timeout;
        handle->shared.callbacks = *callbacks;
        handle->maxAssociations = max_associations > 0 ? max_associations : 1;
        OFCondition condition =
            ASC_initializeNetwork(NET_ACCEPTOR, port, static_cast<int>(acse_timeout), &handle->network);
        if (condition.bad())
            return report({CDCM_NET_ERROR_CONNECTION,
                           "cannot listen on port " + std::to_string(port) + ": " + condition.text()},
                          message, capacity);
        if (tls != nullptr) {
            Failure failure{};
            handle->tls = makeTLS(*tls, NET_ACCEPTOR, failure);
            if (!handle->tls) {
                ASC_dropNetwork(&handle->network);
                return report(failure, message, capacity);
            }
            ASC_setTransportLayer(handle->network, handle->tls.get(), 0);
        }
        cdcm_net_storage_scp *server = handle.get();
        handle->acceptor = std::thread([server] { server->accept(); });
        *out = handle.release();
        return CDCM_OK;
    });
}

void cdcm_net_storage_scp_stop(cdcm_net_storage_scp *scp) {
    if (scp == nullptr) return;
    try {
        scp->stop = true;
        if (scp->acceptor.joinable()) scp->acceptor.join();
        if (scp->network != nullptr) ASC_dropNetwork(&scp->network);
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
