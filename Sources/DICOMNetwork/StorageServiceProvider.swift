internal import CDCMTK
import Foundation

/// Why an association request is refused (PS3.8 9.3.4), or that it is accepted.
public enum AssociationDecision: UInt8, Sendable {
    case accept = 0
    case callingAETNotRecognized = 1
    case calledAETNotRecognized = 2
    /// The peer's address is not one the calling AE title may use.
    case hostNotAllowed = 3
    /// Refused by the DICOM layer itself (no acceptable presentation context, protocol error).
    case other = 4

    public var reason: String {
        switch self {
        case .accept: "accepted"
        case .callingAETNotRecognized: "calling AE title not recognized"
        case .calledAETNotRecognized: "called AE title not recognized"
        case .hostNotAllowed: "peer address not allowed"
        case .other: "refused by the DICOM layer"
        }
    }
}

/// The policy and the sink of a ``StorageServiceProvider``. Called from the provider's threads,
/// several associations at once: implementations must be thread-safe.
public protocol StorageServiceDelegate: AnyObject, Sendable {
    /// Association-time policy; may be asked more than once for one request.
    func decide(callingAET: String, calledAET: String, address: String) -> AssociationDecision
    func associationAccepted(_ association: UInt64, callingAET: String, calledAET: String, address: String)
    func associationRejected(callingAET: String, calledAET: String, address: String, reason: AssociationDecision)
    func associationEnded(_ association: UInt64)
    /// A received instance is durable at `temporaryPath`: move it to its place and return the
    /// C-STORE status (0 success, 0xA700 out of resources). What is left there is removed.
    func instanceReceived(association: UInt64, temporaryPath: String) -> UInt16
}

/// A C-STORE SCP listening on a port until stopped: the DICOM side of `veil gateway`.
public final class StorageServiceProvider: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let box: Unmanaged<Box>

    private final class Box {
        let delegate: StorageServiceDelegate
        init(_ delegate: StorageServiceDelegate) { self.delegate = delegate }
    }

    /// Opens the port; associations are served from now on. Instances are received into
    /// `temporaryFolder` (which must exist, private to us).
    public init(
        aet: String, port: UInt16, temporaryFolder: String, acseTimeout: Int = 10, dimseTimeout: Int = 60,
        maxAssociations: Int = 8, tls: TLSSettings? = nil, delegate: StorageServiceDelegate
    ) throws(NetworkError) {
        if let key = tls?.privateKey { try SecretFile.check(key, node: "listen", what: "TLS private key") }
        cdcm_net_initialize()
        box = Unmanaged.passRetained(Box(delegate))
        var callbacks = cdcm_net_storage_callbacks(
            context: box.toOpaque(),
            decide: { context, calling, called, address in
                let delegate = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue().delegate
                return delegate.decide(
                    callingAET: String(cString: calling), calledAET: String(cString: called),
                    address: String(cString: address)
                ).rawValue
            },
            associated: { context, association, calling, called, address, rejection in
                let delegate = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue().delegate
                let calling = String(cString: calling)
                let called = String(cString: called)
                let address = String(cString: address)
                if rejection == 0 {
                    delegate.associationAccepted(association, callingAET: calling, calledAET: called, address: address)
                } else {
                    delegate.associationRejected(
                        callingAET: calling, calledAET: called, address: address,
                        reason: AssociationDecision(rawValue: rejection) ?? .other)
                }
            },
            ended: { context, association in
                Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue().delegate.associationEnded(association)
            },
            stored: { context, association, temporary in
                Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue().delegate.instanceReceived(
                    association: association, temporaryPath: String(cString: temporary))
            })
        var message = [CChar](repeating: 0, count: 512)
        var opened: OpaquePointer?
        // The TLS files are read while opening: the strings need to live only as long.
        let copies = ([tls?.certificate ?? "", tls?.privateKey ?? ""] + (tls?.trusted ?? [])).map { strdup($0)! }
        defer { copies.forEach { free($0) } }
        let trusted = copies.dropFirst(2).map { UnsafePointer<CChar>($0) }
        let status = trusted.withUnsafeBufferPointer { trustedList in
            var record = cdcm_net_tls(
                certificate: tls?.certificate == nil ? nil : UnsafePointer(copies[0]),
                private_key: tls?.privateKey == nil ? nil : UnsafePointer(copies[1]),
                trusted: trustedList.isEmpty ? nil : trustedList.baseAddress, trusted_count: trustedList.count,
                verify_peer: (tls?.verifyPeer ?? true) ? 1 : 0)
            return withUnsafePointer(to: &record) { recordPointer in
                cdcm_net_storage_scp_open(
                    aet, port, temporaryFolder, UInt32(max(1, acseTimeout)), UInt32(max(1, dimseTimeout)),
                    UInt32(max(1, maxAssociations)), tls == nil ? nil : recordPointer, &callbacks, &opened, &message,
                    message.count)
            }
        }
        guard status == 0, let opened else {
            box.release()
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw NetworkError(.connection, node: "", text.isEmpty ? "cannot open the storage SCP" : text)
        }
        handle = opened
    }

    /// Stops accepting; returns once the associations in progress have ended.
    public func stop() {
        cdcm_net_storage_scp_stop(handle)
    }

    deinit {
        cdcm_net_storage_scp_close(handle)
        box.release()
    }
}
