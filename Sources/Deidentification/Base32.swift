/// Crockford's base32 (digits and upper-case letters without I, L, O and U): the alphabet of
/// every pseudonym and short name Veil derives, readable aloud and free of look-alikes.
public enum Base32 {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The first `count` characters of `bytes` in base32, most significant bits first.
    public static func encode(_ bytes: some Sequence<UInt8>, count: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 && out.count < count {
                out.append(alphabet[Int(buffer >> UInt32(bits - 5) & 0x1F)])
                bits -= 5
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `count` lowest base32 digits of `value`, least significant first.
    public static func digits(of value: UInt64, count: Int) -> String {
        String(decoding: (0..<count).map { alphabet[Int((value >> UInt64(5 * $0)) & 0x1F)] }, as: UTF8.self)
    }

    /// True when every character is a base32 digit.
    public static func isEncoded(_ text: some Sequence<UInt8>) -> Bool {
        text.allSatisfy(alphabet.contains)
    }
}
