import Foundation

/// Sends audit records as RFC 5424 syslog messages, best effort: one datagram each, sent
/// without waiting (a collector that is down, slow or absent drops them; the gateway never
/// blocks or fails for it). The JSON lines file stays the record.
///
/// `<PRI>1 TIMESTAMP HOSTNAME veil PROCID AUDIT - {json}`: PRI is facility × 8 + severity,
/// MSGID AUDIT, no structured data, the audit record as ASCII JSON (non-ASCII escaped, so the
/// message needs no BOM).
final class SyslogSender: @unchecked Sendable {
    /// RFC 5424 severities the audit trail uses.
    enum Severity: Int {
        case error = 3
        case warning = 4
        case notice = 5
        case informational = 6
    }

    let destination: SyslogDestination
    private let descriptor: Int32
    private var address = sockaddr_storage()
    private var addressLength: socklen_t = 0
    private let hostname: String
    private let processID = getpid()
    private let lock = NSLock()

    init(_ destination: SyslogDestination) {
        self.destination = destination
        var name = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        // HOSTNAME is 1 to 255 printable ASCII characters, or the nil value.
        hostname = host.isEmpty || !host.utf8.allSatisfy({ (33...126).contains($0) }) ? "-" : String(host.prefix(255))
        switch destination.transport {
        case .unix(let path):
            descriptor = socket(
                AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var unixAddress = sockaddr_un()
            unixAddress.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: unixAddress.sun_path)
            guard bytes.count < capacity else { return }
            withUnsafeMutableBytes(of: &unixAddress.sun_path) { buffer in
                for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            }
            withUnsafeBytes(of: unixAddress) { source in
                withUnsafeMutableBytes(of: &address) { $0.copyMemory(from: source) }
            }
            addressLength = socklen_t(MemoryLayout<sockaddr_un>.size)
        case .udp(let host, let port):
            // Resolved once, at start: sending never waits for DNS.
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
            var found: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, "\(port)", &hints, &found) == 0, let first = found else {
                descriptor = -1
                return
            }
            defer { freeaddrinfo(found) }
            descriptor = socket(
                first.pointee.ai_family,
                Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            withUnsafeMutableBytes(of: &address) {
                $0.copyMemory(
                    from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
            }
            addressLength = first.pointee.ai_addrlen
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The RFC 5424 message for one audit record (`json`: the record's JSON text).
    func message(_ json: String, severity: Severity, time: Date = Date()) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var ascii = ""
        for scalar in json.unicodeScalars {
            if scalar.isASCII {
                ascii.unicodeScalars.append(scalar)
            } else {
                for unit in String(scalar).utf16 { ascii += String(format: "\\u%04x", unit) }
            }
        }
        let priority = destination.facility * 8 + severity.rawValue
        return Array(
            "<\(priority)>1 \(formatter.string(from: time)) \(hostname) veil \(processID) AUDIT - \(ascii)".utf8)
    }

    /// Sends without blocking; a failure is dropped.
    func send(_ json: String, severity: Severity) {
        guard descriptor >= 0, addressLength > 0 else { return }
        let bytes = message(json, severity: severity)
        lock.withLock {
            _ = bytes.withUnsafeBytes { buffer in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(
                            descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), $0,
                            addressLength)
                    }
                }
            }
        }
    }
}
