import Foundation

/// A UDP socket on loopback that collects the datagrams sent to it: a syslog collector for a test.
final class SyslogListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        guard let (descriptor, port) = LoopbackSocket.bound(Int32(SOCK_DGRAM.rawValue)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        (self.descriptor, self.port) = (descriptor, port)
        // The kernel keeps what arrives until read: a large buffer, so no message is dropped.
        var size: Int32 = 4 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(descriptor) }

    /// The datagrams received so far, waiting up to `quiet` seconds for each next one.
    func receive(quiet: Double = 0.5) -> [[UInt8]] {
        var timeout = timeval(tv_sec: Int(quiet), tv_usec: Int((quiet - quiet.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var messages: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            messages.append(Array(buffer[0..<count]))
        }
        return messages
    }
}
