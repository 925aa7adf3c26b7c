import Foundation

/// A remote node from the nodes file: a DICOM application entity (DIMSE over TCP, optionally
/// TLS) or a DICOMweb service.
public struct NetworkNode: Sendable {
    public enum Address: Sendable {
        case dimse(aet: String, host: String, port: UInt16, tls: TLSSettings?)
        /// Base URL of the DICOMweb service (…/dicom-web) and the file holding its bearer token.
        case web(url: URL, tokenFile: String?)
    }

    /// The node's name in the nodes file; messages name nodes by it.
    public var name: String
    public var address: Address
    public var timeouts: Timeouts
    /// The AE title the node sends C-MOVE sub-operations from, when it is not its own (a PACS
    /// whose storage service calls with another title): the only one Veil's receiver accepts.
    public var storeAET: String?

    public init(name: String, address: Address, timeouts: Timeouts = Timeouts(), storeAET: String? = nil) {
        self.name = name
        self.address = address
        self.timeouts = timeouts
        self.storeAET = storeAET
    }

    /// Seconds to wait: TCP connect, association negotiation, each DIMSE message (or HTTP request).
    public struct Timeouts: Sendable {
        public var connect: Int = 10
        public var acse: Int = 30
        public var dimse: Int = 60
        public init() {}
    }

    public var isWeb: Bool {
        if case .web = address { true } else { false }
    }
}

/// DICOM TLS for a node: our certificate and key, and the certificates the node's must chain to.
public struct TLSSettings: Sendable {
    public var certificate: String?
    public var privateKey: String?
    public var trusted: [String]
    /// Off only when the nodes file says `verify: false` (test set-ups).
    public var verifyPeer: Bool

    public init(certificate: String?, privateKey: String?, trusted: [String], verifyPeer: Bool = true) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.trusted = trusted
        self.verifyPeer = verifyPeer
    }
}

/// Our own application entity: the AE title we call with, and where C-MOVE sub-operations arrive.
public struct LocalApplicationEntity: Sendable {
    public var aet: String
    public var port: UInt16
    /// The Move Destination named in C-MOVE requests (`move_aet`), for a PACS that knows our
    /// storage SCP under another AE title than the one we query with; by default `aet`.
    public var moveDestination: String?

    public init(aet: String = "VEIL", port: UInt16 = 11112, moveDestination: String? = nil) {
        self.aet = aet
        self.port = port
        self.moveDestination = moveDestination
    }
}
