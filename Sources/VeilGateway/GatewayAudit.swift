import Foundation

/// The gateway's audit trail: one JSON object per line, appended and flushed, named by the
/// DICOM PS3.15 A.5 audit messages (Event ID codes of DCMR CID 400). Keyed identifiers, AE
/// titles, addresses and counts only: never an attribute value of an instance.
public final class GatewayAudit: @unchecked Sendable {
    /// PS3.15 A.5 messages and their Event ID (DCM codes).
    public enum Message: String, Sendable {
        case applicationActivity = "Application Activity"  // 110100
        case beginTransferring = "Begin Transferring DICOM Instances"  // 110102
        case instancesAccessed = "DICOM Instances Accessed"  // 110103
        case instancesTransferred = "DICOM Instances Transferred"  // 110104
        case studyDeleted = "DICOM Study Deleted"  // 110105
        case export = "Export"  // 110106
        case securityAlert = "Security Alert"  // 110113

        var code: String {
            switch self {
            case .applicationActivity: "110100"
            case .beginTransferring: "110102"
            case .instancesAccessed: "110103"
            case .instancesTransferred: "110104"
            case .studyDeleted: "110105"
            case .export: "110106"
            case .securityAlert: "110113"
            }
        }
    }

    /// Event Outcome Indicator (PS3.15 A.5.1): 0 success, 4 minor failure, 8 serious failure.
    public enum Outcome: Int, Sendable {
        case success = 0
        case minorFailure = 4
        case seriousFailure = 8
    }

    // O_APPEND: the operator's commands append to the same file while the gateway runs.
    private let descriptor: Int32
    private let lock = NSLock()

    /// Also sends each record as an RFC 5424 message, best effort (`audit.syslog`).
    private let syslog: SyslogSender?

    public init(path: String, syslog: SyslogDestination? = nil) {
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        self.syslog = syslog.map(SyslogSender.init)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// `action`: Event Action Code (C create, R read, U update, D delete, E execute).
    /// `event`: what happened in Veil's words (association accepted, study released, …).
    public func record(
        _ message: Message, action: String, outcome: Outcome = .success, event: String,
        fields: [String: Any] = [:]
    ) {
        var object: [String: Any] = [
            "time": ISO8601DateFormatter().string(from: Date()), "message": message.rawValue,
            "eventID": ["code": message.code, "codingScheme": "DCM", "meaning": message.rawValue],
            "action": action, "outcome": outcome.rawValue, "event": event,
        ]
        for (key, value) in fields { object[key] = value }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        if descriptor >= 0 {
            let line = Array(data) + [UInt8(ascii: "\n")]
            lock.withLock {
                // One write per line: appends from two processes never interleave within a line.
                _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                fsync(descriptor)
            }
        }
        syslog?.send(String(decoding: data, as: UTF8.self), severity: Self.severity(message, outcome))
    }

    /// Security alerts are warnings, failures errors, the gateway's start and stop notices.
    static func severity(_ message: Message, _ outcome: Outcome) -> SyslogSender.Severity {
        if message == .securityAlert { return .warning }
        if outcome != .success { return .error }
        return message == .applicationActivity ? .notice : .informational
    }
}
