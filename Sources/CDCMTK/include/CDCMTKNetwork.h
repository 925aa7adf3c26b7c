/*
 * CDCMTK network: DICOM Upper Layer services over DCMTK's dcmnet and dcmtls (included by CDCMTK.h).
 *
 * Mechanism only: associate, send C-ECHO, C-FIND, C-MOVE, C-GET and C-STORE, receive instances
 * durably. Which node, which keys and what to do with what arrives is decided in Swift.
 *
 * Conventions (as CDCMTK.h): every symbol starts with `cdcm_net_`; every entry point catches
 * all C++ exceptions; messages are copied into the caller's buffer and name no attribute value
 * (no patient name, no ID: only DICOM statuses, AE titles, host and port).
 *
 * Received instances (C-MOVE sub-operations, C-GET) are written to a temporary file in the
 * receive folder, fsynced and renamed to `received-<n>.dcm` (mode 0600) before success is
 * answered to the sender: an instance the peer believes delivered is on disk.
 */
#ifndef CDCMTK_NETWORK_H
#define CDCMTK_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/** Statuses of the network calls (cdcm_status values 20 and up). */
enum {
    /** TCP connection refused, unreachable or timed out; or the peer dropped the association. */
    CDCM_NET_ERROR_CONNECTION = 20,
    /** The peer rejected the association (A-ASSOCIATE-RJ); the message gives its reason. */
    CDCM_NET_ERROR_REJECTED = 21,
    /** The peer accepted none of the presentation contexts Veil proposed. */
    CDCM_NET_ERROR_NO_CONTEXT = 22,
    /** TLS set-up or handshake failed (certificate, key, trust, verification). */
    CDCM_NET_ERROR_TLS = 23,
    /** A DIMSE exchange failed (timeout, protocol error, abort). */
    CDCM_NET_ERROR_DIMSE = 24,
    /** The receive folder could not be written (a received instance was answered with A700). */
    CDCM_NET_ERROR_RECEIVE = 25,
};

/** DICOM TLS (PS3.15 Annex B) for one association: BCP 195 profile, peer verified unless asked not to. */
typedef struct {
    /** PEM files; both or neither (a client without certificate). */
    const char *_Nullable certificate;
    const char *_Nullable private_key;
    /** PEM files of the certificates (or CAs) the peer's certificate must chain to. */
    const char *const _Nonnull *_Nullable trusted;
    size_t trusted_count;
    /** 0: do not verify the peer's certificate (tests only; Swift warns). */
    uint8_t verify_peer;
} cdcm_net_tls;

/** The remote application entity and how long to wait for it. */
typedef struct {
    const char *host;
    uint16_t port;
    const char *called_aet;
    const char *calling_aet;
    /** Seconds: TCP connect, association negotiation (ACSE), each DIMSE message. */
    int32_t connect_timeout;
    uint32_t acse_timeout;
    uint32_t dimse_timeout;
    const cdcm_net_tls *_Nullable tls;
} cdcm_net_peer;

/** One attribute of a query identifier: public tag and its value as DICOM text (empty: return key). */
typedef struct {
    uint16_t group;
    uint16_t element;
    const char *value;
} cdcm_net_key;

/** Where received instances go and who may send them (C-MOVE sub-operations arrive on `port`). */
typedef struct {
    /** Existing folder (mode 0700 is the caller's job); files received-<n>.dcm appear there. */
    const char *folder;
    /** Numbering starts here, so that several retrievals can share a folder. */
    uint64_t first_number;
    /** C-MOVE: our AE title (the Move Destination) and the port the peer connects to. */
    const char *_Nullable local_aet;
    uint16_t port;
    /** C-MOVE: only associations whose calling AE title is this one are accepted. */
    const char *_Nullable accepted_calling_aet;
    /** C-GET: SOP Classes to offer the SCP role for (at most 127); none: DCMTK's common list. */
    const char *const _Nonnull *_Nullable sop_classes;
    size_t sop_class_count;
} cdcm_net_receive;

/** The outcome of a DIMSE operation: its final status and, for C-MOVE and C-GET, sub-operations. */
typedef struct {
    uint16_t status;
    uint32_t completed;
    uint32_t failed;
    uint32_t warning;
    /** Instances written to the receive folder. */
    uint32_t received;
    /** Matches of a C-FIND. */
    uint32_t matches;
} cdcm_net_result;

/**
 * Sets what DCMTK needs for a fast and quiet client: TCP_NODELAY=1 in the environment (DCMTK
 * leaves Nagle's algorithm on without it: ~90 ms per small instance), no reverse DNS lookups,
 * silent logging. Call once at start-up, before any thread is made.
 */
void cdcm_net_initialize(void);

/** Associates, sends C-ECHO, releases. `result->status` is the C-ECHO response status. */
int32_t cdcm_net_echo(const cdcm_net_peer *peer, cdcm_net_result *result, char *message, size_t message_capacity);

/**
 * Study Root C-FIND with `keys` (including Query/Retrieve Level). Each match is appended to
 * `*matches` as: u32 element count, then per element u16 group, u16 element, u32 length and the
 * value as text (multiple values joined by backslashes). Free with cdcm_buffer_free.
 */
int32_t cdcm_net_find(const cdcm_net_peer *peer, const cdcm_net_key *keys, size_t key_count,
                      cdcm_buffer *matches, cdcm_net_result *result, char *message, size_t message_capacity);

/** The storage SCP that C-MOVE sub-operations arrive at, listening on `receive->port`. */
typedef struct cdcm_net_listener cdcm_net_listener;

/**
 * Opens the listening port (before any C-MOVE request goes out) and accepts, on a thread of its
 * own, associations to `receive->local_aet` from `receive->accepted_calling_aet`, for the
 * storage SOP Classes in `receive->sop_classes` first, then DCMTK's lists (127 in all: DCMTK's
 * SCP configuration takes no more). TLS as `peer->tls` says. Close it with cdcm_net_listener_close.
 */
int32_t cdcm_net_listener_open(const cdcm_net_peer *peer, const cdcm_net_receive *receive,
                               cdcm_net_listener *_Nullable *_Nonnull out, char *message, size_t message_capacity);

/** Stops accepting (within a second), ends the thread, frees the listener. Safe with NULL. */
void cdcm_net_listener_close(cdcm_net_listener *_Nullable listener);

/**
 * Study Root C-MOVE of `keys` to `receive->local_aet`; the instances go to `folder` (numbered
 * from `first_number`) through `listener`. Returns once the final response has come and the
 * instances it counts as completed have arrived (or `dimse_timeout` has passed).
 */
int32_t cdcm_net_move(const cdcm_net_peer *peer, const cdcm_net_key *keys, size_t key_count,
                      cdcm_net_listener *listener, const char *folder, uint64_t first_number,
                      cdcm_net_result *result, char *message, size_t message_capacity);

/** Study Root C-GET of `keys` on one association, with SCP-role storage contexts. */
int32_t cdcm_net_get(const cdcm_net_peer *peer, const cdcm_net_key *keys, size_t key_count,
                     const cdcm_net_receive *receive, cdcm_net_result *result, char *message,
                     size_t message_capacity);

/** Called after each file a cdcm_net_store sent: its index in `files` and the C-STORE status. */
typedef void (*cdcm_net_store_callback)(void *_Nullable context, size_t index, uint16_t status);

/**
 * C-STORE of `files` (presentation contexts per file's SOP Class and transfer syntax, at most
 * 128 per association, as many associations as needed; lossless decompression as fallback when
 * the peer refuses a compressed syntax). The callback reports each file's status as it is known;
 * a file not reported was not sent. The result counts completed, warning and failed files.
 */
int32_t cdcm_net_store(const cdcm_net_peer *peer, const char *const _Nonnull *_Nonnull files, size_t count,
                       cdcm_net_store_callback _Nullable callback, void *_Nullable context,
                       cdcm_net_result *result, char *message, size_t message_capacity);

/**
 * The storage SCP of `veil gateway`. Mechanism only: who may associate is asked of `decide`, and
 * what becomes of a received instance is decided by `stored`.
 */
typedef struct cdcm_net_storage_scp cdcm_net_storage_scp;

/** What `decide` answers for an association request (PS3.8 9.3.4 rejection reasons). */
enum {
    CDCM_NET_ACCEPT = 0,
    CDCM_NET_REJECT_CALLING_AET = 1,
    CDCM_NET_REJECT_CALLED_AET = 2,
    /** The peer's address is not allowed (rejected permanent, no reason given). */
    CDCM_NET_REJECT_HOST = 3,
    /** Rejected by DCMTK for another reason (no acceptable context, protocol): `associated` only. */
    CDCM_NET_REJECT_OTHER = 4,
};

typedef struct {
    void *_Nullable context;
    /** Association-time policy: CDCM_NET_ACCEPT or a rejection. Pure: may be asked more than once per request. */
    uint8_t (*decide)(void *_Nullable context, const char *calling_aet, const char *called_aet, const char *address);
    /** An association was accepted (`rejection` 0) or rejected; `association` numbers the accepted ones. */
    void (*associated)(void *_Nullable context, uint64_t association, const char *calling_aet, const char *called_aet,
                       const char *address, uint8_t rejection);
    /** An accepted association ended (released, aborted or lost). */
    void (*ended)(void *_Nullable context, uint64_t association);
    /**
     * An instance is in `temporary` (mode 0600, fsynced). The callee moves it to its place (or
     * leaves it: the shim removes what is left) and returns the C-STORE status to answer.
     */
    uint16_t (*stored)(void *_Nullable context, uint64_t association, const char *temporary);
} cdcm_net_storage_callbacks;

/**
 * Listens on `port` (all addresses) on a thread of its own and serves up to `max_associations`
 * associations at once, each on a thread: Verification and every storage SOP Class DCMTK knows
 * (127 contexts), any transfer syntax DCMTK can write. Each instance is received into a fresh
 * file in `temporary_folder`. TLS as `tls` says (NULL: plain TCP). The callbacks are called from
 * several threads at once.
 */
int32_t cdcm_net_storage_scp_open(const char *aet, uint16_t port, const char *temporary_folder, uint32_t acse_timeout,
                                  uint32_t dimse_timeout, uint32_t max_associations, const cdcm_net_tls *_Nullable tls,
                                  const cdcm_net_storage_callbacks *callbacks,
                                  cdcm_net_storage_scp *_Nullable *_Nonnull out, char *message,
                                  size_t message_capacity);

/** Stops accepting; returns once the associations in progress have ended. Safe with NULL. */
void cdcm_net_storage_scp_stop(cdcm_net_storage_scp *_Nullable scp);

/** Stops (as cdcm_net_storage_scp_stop) and frees. Safe with NULL. */
void cdcm_net_storage_scp_close(cdcm_net_storage_scp *_Nullable scp);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif /* CDCMTK_NETWORK_H */
