// C-MOVE (with a storage SCP for the sub-operations) and C-GET (SCP-role storage contexts).
// Every received instance goes through DurableReceiver: on disk before success is answered.
#include "Network.hpp"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/scp.h"

#include <chrono>
#include <set>
#include <thread>

using namespace cdcm::net;

namespace {

/// The storage SCP that C-MOVE sub-operations arrive at. It accepts associations only from the
/// peer's AE title to our own, and stops once asked to and idle.
class MoveDestination : public DcmSCP {
  public:
    MoveDestination(const cdcm_net_receive &receive, const cdcm_net_peer &peer)
        : localAET_(receive.local_aet), callingAET_(receive.accepted_calling_aet ? receive.accepted_calling_aet : "") {
        DcmSCPConfig &config = getConfig();
        config.setPort(receive.port);
        config.setAETitle(receive.local_aet);
        // A 1-second accept timeout lets the loop notice that the retrieval is over.
        config.setConnectionBlockingMode(DUL_NOBLOCK);
        config.setConnectionTimeout(1);
        config.setACSETimeout(peer.acse_timeout);
        config.setDIMSETimeout(peer.dimse_timeout);
        config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        config.setHostLookupEnabled(OFFalse);
        config.setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
        config.addPresentationContext(UID_VerificationSOPClass, acceptedTransferSyntaxes());
        // DCMTK's SCP configuration holds at most 128 contexts: the study's own SOP Classes first.
        std::vector<std::string> classes;
        for (size_t i = 0; i < receive.sop_class_count; ++i) classes.emplace_back(receive.sop_classes[i]);
        for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs; ++i)
            classes.emplace_back(dcmLongSCUStorageSOPClassUIDs[i]);
        for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) classes.emplace_back(dcmAllStorageSOPClassUIDs[i]);
        std::set<std::string> added;
        for (const std::string &sopClass : classes) {
            if (added.size() >= 127) break;
            if (added.insert(sopClass).second)
                config.addPresentationContext(sopClass.c_str(), acceptedTransferSyntaxes());
        }
    }

    /// Where the next instances go (one retrieval at a time).
    void receiveInto(DurableReceiver *receiver) {
        std::lock_guard<std::mutex> guard(lock_);
        receiver_ = receiver;
    }

    std::atomic<bool> stop{false};
    std::atomic<int> open{0};
    std::atomic<int> refused{0};

  protected:
    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &context) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmSCP::handleIncomingCommand(message, context);
        T_DIMSE_C_StoreRQ &request = message->msg.CStoreRQ;
        DurableReceiver *receiver;
        {
            std::lock_guard<std::mutex> guard(lock_);
            receiver = receiver_;
        }
        // An instance outside a retrieval of ours: refused, not stored.
        if (receiver == nullptr) {
            OFCondition condition = receiveSTORERequest(request, context.presentationContextID, "/dev/null");
            if (condition.bad()) return condition;
            return sendSTOREResponse(context.presentationContextID, request, STATUS_STORE_Refused_OutOfResources);
        }
        const std::string temporary = receiver->temporaryPath();
        OFCondition condition = receiveSTORERequest(request, context.presentationContextID, temporary.c_str());
        if (condition.bad()) {
            DurableReceiver::discard(temporary);
            return condition;
        }
        // Success only once the file is durable; otherwise the sender keeps it and may retry.
        const Uint16 status = receiver->commit(temporary) ? STATUS_Success : STATUS_STORE_Refused_OutOfResources;
        return sendSTOREResponse(context.presentationContextID, request, status);
    }

    OFBool checkCalledAETitleAccepted(const OFString &called) override { return called == localAET_.c_str(); }
    OFBool checkCallingAETitleAccepted(const OFString &calling) override {
        const bool accepted = callingAET_.empty() || calling == callingAET_.c_str();
        if (!accepted) refused.fetch_add(1);
        return accepted;
    }
    void notifyAssociationAcknowledge() override { open.fetch_add(1); }
    void notifyAssociationTermination() override {
        if (open.load() > 0) open.fetch_sub(1);
    }
    OFBool stopAfterConnectionTimeout() override { return stop.load(); }
    OFBool stopAfterCurrentAssociation() override { return OFFalse; }

  private:
    std::mutex lock_;
    DurableReceiver *receiver_ = nullptr;
    std::string localAET_;
    std::string callingAET_;
};

/// An SCU whose C-GET sub-operations are written durably under names of our own.
class GetClient : public Client {
  public:
    GetClient(const cdcm_net_peer &peer, DurableReceiver &receiver) : Client(peer), receiver_(receiver) {
        setStorageMode(DCMSCU_STORAGE_BIT_PRESERVING);
    }

  protected:
    OFCondition handleSTORERequestFile(T_ASC_PresentationContextID *context, const OFString & /* peer's name */,
                                       T_DIMSE_C_StoreRQ *request) override {
        const std::string temporary = receiver_.temporaryPath();
        OFCondition condition = DcmSCU::handleSTORERequestFile(context, temporary.c_str(), request);
        if (condition.bad()) {
            DurableReceiver::discard(temporary);
            return condition;
        }
        return receiver_.commit(temporary) ? EC_Normal : EC_InvalidStream;
    }

  private:
    DurableReceiver &receiver_;
};

/// The retrieve responses' last status and sub-operation counts.
void summarize(OFList<RetrieveResponse *> &responses, cdcm_net_result &result) {
    result.status = 0xFFFF;
    for (RetrieveResponse *response : responses) {
        result.status = response->m_status;
        result.completed = response->m_numberOfCompletedSubops;
        result.failed = response->m_numberOfFailedSubops;
        result.warning = response->m_numberOfWarningSubops;
        delete response;
    }
    responses.clear();
}

const OFList<OFString> &single(const char *uid) {
    thread_local OFList<OFString> list;
    list.clear();
    list.push_back(uid);
    return list;
}

} // namespace

struct cdcm_net_listener {
    cdcm_net_listener(const cdcm_net_receive &receive, const cdcm_net_peer &peer) : destination(receive, peer) {}
    // Declared first so that it outlives the SCP that points to it.
    std::unique_ptr<DcmTLSTransportLayer> tls;
    MoveDestination destination;
    std::thread thread;
};

extern "C" {

int32_t cdcm_net_listener_open(const cdcm_net_peer *peer, const cdcm_net_receive *receive, cdcm_net_listener **out,
                               char *message, size_t capacity) {
    *out = nullptr;
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        if (receive->local_aet == nullptr)
            return report({CDCM_ERROR_RECORDS, "C-MOVE needs a local AE title"}, message, capacity);
        auto listener = std::make_unique<cdcm_net_listener>(*receive, *peer);
        if (peer->tls != nullptr) {
            Failure failure{};
            listener->tls = makeTLS(*peer->tls, NET_ACCEPTOR, failure);
            if (!listener->tls) return report(failure, message, capacity);
            listener->destination.getConfig().setTransportLayer(listener->tls.get());
        }
        // Listening before any request goes out: the peer connects back as soon as it has one.
        OFCondition condition = listener->destination.openListenPort();
        if (condition.bad()) {
            const std::string port = std::to_string(receive->port);
            return report(
                {CDCM_NET_ERROR_CONNECTION, "cannot listen on port " + port + " for C-MOVE: " + condition.text()},
                message, capacity);
        }
        MoveDestination *destination = &listener->destination;
        listener->thread = std::thread([destination] { destination->acceptAssociations(); });
        *out = listener.release();
        return CDCM_OK;
    });
}

void cdcm_net_listener_close(cdcm_net_listener *listener) {
    if (listener == nullptr) return;
    try {
        listener->destination.stop = true;
        if (listener->thread.joinable()) listener->thread.join();
        delete listener;
    } catch (...) {
    }
}

int32_t cdcm_net_move(const cdcm_net_peer *peer, const cdcm_net_key *keys, size_t key_count,
                      cdcm_net_listener *listener, const char *folder, uint64_t first_number, cdcm_net_result *result,
                      char *message, size_t capacity) {
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        *result = {};
        Failure failure{};
        DcmDataset identifier;
        if (!makeIdentifier(keys, key_count, identifier, failure)) return report(failure, message, capacity);
        DurableReceiver receiver(folder, first_number);
        listener->destination.receiveInto(&receiver);
        struct Detach {
            MoveDestination &destination;
            ~Detach() { destination.receiveInto(nullptr); }
        } detach{listener->destination};

        Client client(*peer);
        OFList<OFString> uncompressed;
        uncompressed.push_back(UID_LittleEndianExplicitTransferSyntax);
        uncompressed.push_back(UID_LittleEndianImplicitTransferSyntax);
        client.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, uncompressed);
        if (!client.associate(failure)) return report(failure, message, capacity);
        T_ASC_PresentationContextID context =
            client.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
        OFList<RetrieveResponse *> responses;
        OFCondition condition =
            client.sendMOVERequest(context, listener->destination.getConfig().getAETitle(), &identifier, &responses);
        summarize(responses, *result);
        if (condition.bad()) client.abortAssociation();
        else client.releaseAssociation();

        // Some SCPs answer before their last sub-operation is through: wait for every instance
        // the final response counts, up to the DIMSE timeout.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(peer->dimse_timeout);
        while (std::chrono::steady_clock::now() < deadline && receiver.received() < result->completed + result->warning)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        result->received = receiver.received();
        if (condition.bad())
            return report({CDCM_NET_ERROR_DIMSE, std::string("C-MOVE: ") + condition.text()}, message, capacity);
        if (receiver.failedToWrite())
            return report({CDCM_NET_ERROR_RECEIVE, "the receive folder could not be written (answered A700)"}, message,
                          capacity);
        return CDCM_OK;
    });
}

int32_t cdcm_net_get(const cdcm_net_peer *peer, const cdcm_net_key *keys, size_t key_count,
                     const cdcm_net_receive *receive, cdcm_net_result *result, char *message, size_t capacity) {
    return cdcm::guarded(message, capacity, [&]() -> int32_t {
        *result = {};
        Failure failure{};
        DcmDataset identifier;
        if (!makeIdentifier(keys, key_count, identifier, failure)) return report(failure, message, capacity);
        DurableReceiver receiver(receive->folder, receive->first_number);
        GetClient client(*peer, receiver);
        client.setStorageDir(receive->folder);
        OFList<OFString> uncompressed;
        uncompressed.push_back(UID_LittleEndianExplicitTransferSyntax);
        uncompressed.push_back(UID_LittleEndianImplicitTransferSyntax);
        client.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, uncompressed);

        // SCP-role storage contexts: first one uncompressed context per SOP Class, then, while
        // the 128-context limit allows, one per compressed syntax, so that instances can come as stored.
        std::vector<const char *> classes;
        if (receive->sop_class_count > 0) {
            for (size_t i = 0; i < receive->sop_class_count; ++i) classes.push_back(receive->sop_classes[i]);
        } else {
            for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs; ++i)
                classes.push_back(dcmLongSCUStorageSOPClassUIDs[i]);
        }
        size_t contexts = 1;
        for (const char *sopClass : classes) {
            if (contexts >= 128) break;
            client.addPresentationContext(sopClass, uncompressed, ASC_SC_ROLE_SCP);
            ++contexts;
        }
        for (const OFString &syntax : acceptedTransferSyntaxes()) {
            if (syntax == UID_LittleEndianExplicitTransferSyntax || syntax == UID_LittleEndianImplicitTransferSyntax)
                continue;
            for (const char *sopClass : classes) {
                if (contexts >= 128) break;
                client.addPresentationContext(sopClass, single(syntax.c_str()), ASC_SC_ROLE_SCP);
                ++contexts;
            }
        }
        if (!client.associate(failure)) return report(failure, message, capacity);
        T_ASC_PresentationContextID context =
            client.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
        OFList<RetrieveResponse *> responses;
        OFCondition condition = client.sendCGETRequest(context, &identifier, &responses);
        summarize(responses, *result);
        result->received = receiver.received();
        if (condition.bad()) {
            client.abortAssociation();
            return report({CDCM_NET_ERROR_DIMSE, std::string("C-GET: ") + condition.text()}, message, capacity);
        }
        client.releaseAssociation();
        if (receiver.failedToWrite())
            return report({CDCM_NET_ERROR_RECEIVE, "the receive folder could not be written"}, message, capacity);
        return CDCM_OK;
    });
}

} // extern "C"
