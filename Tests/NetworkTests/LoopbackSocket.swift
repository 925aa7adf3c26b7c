import Foundation

/// A socket bound to a free port on loopback, for a test's fake peer.
enum LoopbackSocket {
    /// A new socket of `type` (SOCK_DGRAM, SOCK_STREAM) bound to 127.0.0.1 on a port the kernel
    /// chose, listening when it is a stream; nil when any step fails.
    static func bound(_ type: Int32) -> (descriptor: Int32, port: Int)? {
        let descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && (type != Int32(SOCK_STREAM.rawValue) || listen(descriptor, 4) == 0)
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            return nil
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
