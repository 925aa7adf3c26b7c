// Helpers shared by the network translation units: configuring an SCU for a peer, TLS, turning
// DCMTK conditions into a status and a one-line message, and durable receiving.
#ifndef CDCMTK_NETWORK_HPP
#define CDCMTK_NETWORK_HPP

#include "Boundary.hpp"

#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/dcmtls/tlscond.h"
#include "dcmtk/dcmtls/tlslayer.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include <unistd.h>

namespace cdcm::net {

/// A failed network step: its status (CDCM_NET_ERROR_*) and message.
struct Failure {
    int32_t status;
    std::string message;
};

/// "host:port (AE)" for messages: the peer, never a value.
inline std::string describe(const cdcm_net_peer &peer) {
    return std::string(peer.called_aet) + "@" + peer.host + ":" + std::to_string(peer.port);
}

/// The reason of an A-ASSOCIATE-RJ, as PS3.8 9.3.4 names it.
inline std::string rejectionReason(const T_ASC_RejectParameters &rejection) {
    switch (rejection.reason) {
    case ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED: return "calling AE not recognized";
    case ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED: return "called AE not recognized";
    case ASC_REASON_SU_APPCONTEXTNAMENOTSUPPORTED: return "application context name not supported";
    case ASC_REASON_SP_ACSE_PROTOCOLVERSIONNOTSUPPORTED: return "protocol version not supported";
    case ASC_REASON_SP_PRES_TEMPORARYCONGESTION: return "temporary congestion";
    case ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED: return "local limit exceeded";
    default: return rejection.result == ASC_RESULT_REJECTEDTRANSIENT ? "transient, no reason given" : "no reason given";
    }
}

/// The status a DCMTK condition from association set-up means.
inline int32_t classify(const OFCondition &condition) {
    if (condition == DUL_ASSOCIATIONREJECTED) return CDCM_NET_ERROR_REJECTED;
    if (condition == NET_EC_NoAcceptablePresentationContexts) return CDCM_NET_ERROR_NO_CONTEXT;
    // A failed handshake comes back as a dcmnet condition whose text names TLS.
    if (condition.module() == OFM_dcmtls || std::string(condition.text()).find("TLS") != std::string::npos)
        return CDCM_NET_ERROR_TLS;
    return CDCM_NET_ERROR_CONNECTION;
}

/// A TLS layer for one role, BCP 195 profile, peer verification as asked.
inline std::unique_ptr<DcmTLSTransportLayer> makeTLS(const cdcm_net_tls &tls, T_ASC_NetworkRole role,
                                                     Failure &failure) {
    auto layer = std::make_unique<DcmTLSTransportLayer>(role, nullptr, OFTrue);
    auto fail = [&](const std::string &what, const OFCondition &condition) {
        failure = {CDCM_NET_ERROR_TLS, what + ": " + condition.text()};
        return nullptr;
    };
    OFCondition condition = layer->setTLSProfile(TSP_Profile_BCP195);
    if (condition.good()) condition = layer->activateCipherSuites();
    if (condition.bad()) return fail("TLS profile", condition);
    if (tls.private_key != nullptr && tls.certificate != nullptr) {
        condition = layer->setPrivateKeyFile(tls.private_key, DCF_Filetype_PEM);
        if (condition.bad()) return fail("TLS private key", condition);
        condition = layer->setCertificateFile(tls.certificate, DCF_Filetype_PEM);
        if (condition.bad()) return fail("TLS certificate", condition);
        if (!layer->checkPrivateKeyMatchesCertificate()) {
            failure = {CDCM_NET_ERROR_TLS, "TLS: the private key does not match the certificate"};
            return nullptr;
        }
    }
    for (size_t i = 0; i < tls.trusted_count; ++i) {
        condition = layer->addTrustedCertificateFile(tls.trusted[i], DCF_Filetype_PEM);
        if (condition.bad()) return fail("TLS trusted certificate", condition);
    }
    layer->setCertificateVerification(tls.verify_peer ? DCV_requireCertificate : DCV_ignoreCertificate);
    return layer;
}

/// Why the peer rejects an association from us. DcmSCU keeps the A-ASSOCIATE-RJ parameters
/// private, so after a rejection a second, minimal request (Verification only) asks again.
inline std::string probeRejection(const cdcm_net_peer &peer, DcmTransportLayer *tls) {
    T_ASC_Network *network = nullptr;
    T_ASC_Parameters *parameters = nullptr;
    T_ASC_Association *association = nullptr;
    std::string reason = "no reason given";
    if (ASC_initializeNetwork(NET_REQUESTOR, 0, static_cast<int>(peer.acse_timeout), &network).bad()) return reason;
    if (ASC_createAssociationParameters(&parameters, ASC_DEFAULTMAXPDU).good()) {
        const std::string address = std::string(peer.host) + ":" + std::to_string(peer.port);
        ASC_setAPTitles(parameters, peer.calling_aet, peer.called_aet, nullptr);
        ASC_setPresentationAddresses(parameters, "localhost", address.c_str());
        const char *syntaxes[] = {UID_LittleEndianImplicitTransferSyntax};
        ASC_addPresentationContext(parameters, 1, UID_VerificationSOPClass, syntaxes, 1);
        if (tls != nullptr) {
            ASC_setTransportLayer(network, tls, 0);
            ASC_setTransportLayerType(parameters, OFTrue);
        }
        OFCondition condition = ASC_requestAssociation(network, parameters, &association);
        if (condition == DUL_ASSOCIATIONREJECTED) {
            T_ASC_RejectParameters rejection;
            ASC_getRejectParameters(parameters, &rejection);
            reason = rejectionReason(rejection);
        }
        if (association != nullptr) {
            if (condition.good()) ASC_releaseAssociation(association);
            ASC_destroyAssociation(&association);
        } else {
            ASC_destroyAssociationParameters(&parameters);
        }
    }
    ASC_dropNetwork(&network);
    return reason;
}

/// An SCU with its association to one peer; the association is released (or aborted) at the end.
class Client : public DcmSCU {
  public:
    explicit Client(const cdcm_net_peer &peer) : peer_(peer) {
        setAETitle(peer.calling_aet);
        setPeerHostName(peer.host);
        setPeerPort(peer.port);
        setPeerAETitle(peer.called_aet);
        setConnectionTimeout(peer.connect_timeout);
        setACSETimeout(peer.acse_timeout);
        setDIMSETimeout(peer.dimse_timeout);
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
    }

    ~Client() override {
        if (isConnected()) releaseAssociation();
    }

    /// Network, TLS, association: true when associated; otherwise `failure` says why.
    bool associate(Failure &failure) {
        dcmConnectionTimeout.set(peer_.connect_timeout);
        OFCondition condition = initNetwork();
        if (condition.bad()) {
            failure = {CDCM_NET_ERROR_CONNECTION, std::string("network: ") + condition.text()};
            return false;
        }
        if (peer_.tls != nullptr) {
            tls_ = makeTLS(*peer_.tls, NET_REQUESTOR, failure);
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
            failure.message = "the peer accepted none of the proposed presentation contexts";
        } else {
            failure.message = std::string("cannot associate: ") + condition.text();
        }
        return false;
    }

    /// C-ECHO with its response status (DcmSCU::sendECHORequest keeps the status to itself).
    OFCondition echo(T_ASC_PresentationContextID context, uint16_t &status) {
        T_DIMSE_Message request;
        std::memset(&request, 0, sizeof request);
        request.CommandField = DIMSE_C_ECHO_RQ;
        request.msg.CEchoRQ.MessageID = 1; // the only message on this association
        request.msg.CEchoRQ.DataSetType = DIMSE_DATASET_NULL;
        OFStandard::strlcpy(request.msg.CEchoRQ.AffectedSOPClassUID, UID_VerificationSOPClass,
                            sizeof request.msg.CEchoRQ.AffectedSOPClassUID);
        OFCondition condition = sendDIMSEMessage(context, &request, nullptr);
        if (condition.bad()) return condition;
        T_DIMSE_Message response;
        std::memset(&response, 0, sizeof response);
        DcmDataset *detail = nullptr;
        condition = receiveDIMSECommand(&context, &response, &detail);
        delete detail;
        if (condition.bad()) return condition;
        if (response.CommandField != DIMSE_C_ECHO_RSP) return DIMSE_BADCOMMANDTYPE;
        status = response.msg.CEchoRSP.DimseStatus;
        return EC_Normal;
    }

  protected:
    cdcm_net_peer peer_;
    std::unique_ptr<DcmTLSTransportLayer> tls_;
};

/// Writes received instances durably: to a temporary file, then fsync, rename, fsync of the
/// folder. Only then is success answered. Shared by the C-MOVE storage SCP thread and C-GET.
class DurableReceiver {
  public:
    DurableReceiver(std::string folder, uint64_t firstNumber) : folder_(std::move(folder)), next_(firstNumber) {}

    /// A fresh temporary path in the folder (names never come from the peer).
    std::string temporaryPath() {
        return folder_ + "/.receiving-" + std::to_string(temporaries_.fetch_add(1)) + ".partial";
    }

    /// Makes a received temporary file durable under its final name; false (and the file removed) on failure.
    bool commit(const std::string &temporary);

    /// Removes a temporary file whose reception failed.
    static void discard(const std::string &temporary) { ::unlink(temporary.c_str()); }

    uint32_t received() const { return received_.load(); }
    bool failedToWrite() const { return writeFailed_.load(); }

  private:
    std::string folder_;
    std::mutex lock_;
    uint64_t next_;
    std::atomic<uint64_t> temporaries_{0};
    std::atomic<uint32_t> received_{0};
    std::atomic<bool> writeFailed_{false};
};

/// The query identifier built from the caller's keys.
bool makeIdentifier(const cdcm_net_key *keys, size_t count, DcmDataset &identifier, Failure &failure);

/// Transfer syntaxes a receiver accepts, compressed ones first so that a sender offering the
/// instance's own encoding keeps it (bits preserved).
const OFList<OFString> &acceptedTransferSyntaxes();

/// Copies a failure out through the C boundary.
inline int32_t report(const Failure &failure, char *message, size_t capacity) {
    copyMessage(failure.message, message, capacity);
    return failure.status;
}

} // namespace cdcm::net

#endif
