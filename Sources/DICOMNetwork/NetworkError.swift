/// A network operation that failed: one line naming the node and what went wrong (a DICOM
/// status, a rejection reason, a timeout), never an attribute value.
public struct NetworkError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Refused, unreachable, timed out, or dropped.
        case connection
        /// A-ASSOCIATE-RJ.
        case rejected
        case noPresentationContext
        case tls
        /// A DIMSE exchange failed, or the peer answered with a failure status.
        case dimse
        /// Received instances could not be written.
        case receive
        /// The nodes file, a secret file, or a query key is wrong.
        case configuration
        /// An HTTP (DICOMweb) request failed.
        case http
        case internalError
    }

    public var kind: Kind
    public var node: String
    public var message: String

    public init(_ kind: Kind, node: String, _ message: String) {
        self.kind = kind
        self.node = node
        self.message = message
    }

    public var description: String { node.isEmpty ? message : "\(node): \(message)" }
}
