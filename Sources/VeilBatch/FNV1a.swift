/// The 64-bit FNV-1a hash: stable on every platform and in every run, for spreading names over
/// shards and file IDs. Nothing secret depends on it (keyed hashes use the key's HMAC).
enum FNV1a {
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
