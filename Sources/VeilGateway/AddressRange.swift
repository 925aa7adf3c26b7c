import Foundation

/// An IPv4 or IPv6 network in CIDR notation (`10.1.2.0/24`, `::1/128`; a bare address is a
/// single host): the peer addresses a source may connect from.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]
    public let prefixLength: Int
    public let description: String

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = Self.parse(String(first)) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : address.count * 8
        guard let length, (0...address.count * 8).contains(length) else { return nil }
        bytes = address
        prefixLength = length
        description = text
    }

    /// Whether `address` (as the DICOM layer reports the peer) lies in the range. IPv4-mapped
    /// IPv6 addresses count as IPv4.
    public func contains(_ address: String) -> Bool {
        var text = address
        if text.hasPrefix("::ffff:"), text.contains(".") { text.removeFirst(7) }
        guard let candidate = Self.parse(text), candidate.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if candidate[index] & mask != bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
