/// Where the audit trail is also sent as RFC 5424 syslog messages (`audit.syslog`): a UDP
/// collector (`udp://host:port`, RFC 5426) or a local datagram socket (`unix:/dev/log`, or a path).
public struct SyslogDestination: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        case udp(host: String, port: UInt16)
        case unix(path: String)
    }

    public var transport: Transport
    /// The RFC 5424 facility code (`audit.facility`, default authpriv: audit records are
    /// security information, readable by administrators only on most systems).
    public var facility: Int

    /// RFC 5424 section 6.2.1 facility names.
    public static let facilities: [String: Int] = [
        "kern": 0, "user": 1, "daemon": 3, "auth": 4, "syslog": 5, "authpriv": 10,
        "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
    ]

    /// `udp://127.0.0.1:514`, `udp://[::1]:514`, `udp://collector.example` (port 514),
    /// `unix:/dev/log` or `/dev/log`; nil when the text is none of these.
    public init?(_ text: String, facility: Int = 10) {
        self.facility = facility
        if text.hasPrefix("/") {
            transport = .unix(path: text)
        } else if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard path.hasPrefix("/") else { return nil }
            transport = .unix(path: path)
        } else if text.hasPrefix("udp://") {
            var rest = Substring(text.dropFirst("udp://".count))
            var host: Substring
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                host = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
            } else {
                host = rest.prefix { $0 != ":" }
                rest = rest.dropFirst(host.count)
            }
            var port = 514
            if rest.hasPrefix(":") {
                guard let number = Int(rest.dropFirst()), (1...65535).contains(number) else { return nil }
                port = number
            } else if !rest.isEmpty {
                return nil
            }
            guard !host.isEmpty else { return nil }
            transport = .udp(host: String(host), port: UInt16(port))
        } else {
            return nil
        }
    }
}
