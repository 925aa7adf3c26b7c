import Crypto

/// The key that encrypts original attributes in pseudonymize mode (AES-256-GCM). It is separate
/// from the de-identification key: the people who may re-identify are not the people who run
/// batches. Same file format (see `veil keygen`), mode 0600.
public struct ReidentificationKey: Sendable {
    let secret: SymmetricKey

    public init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32 else { throw KeyError("a key is 32 bytes") }
        secret = SymmetricKey(data: bytes)
    }

    public init(contentsOf path: String) throws(KeyError) {
        try self.init(bytes: KeyFile.read(path))
    }

    /// The text of a new key file holding a fresh random re-identification key.
    public static func newKeyFileContents() -> String {
        KeyFile.contents(
            comment: """
                Veil re-identification key. Whoever holds it and the vault can restore patient identities:
                keep it apart from the de-identified data, the vault and the de-identification key.
                """)
    }

    /// The fingerprint a re-identification key made of the same bytes as `key` would have: lets
    /// callers refuse to use one key for both jobs.
    public static func fingerprint(ofDeidentificationKey key: DeidentificationKey) -> String {
        guard let bytes = key.bytesForComparison, let same = try? ReidentificationKey(bytes: bytes) else { return "" }
        return same.fingerprint
    }

    /// Identifies the key in vault headers without revealing it.
    public var fingerprint: String {
        let digest = HMAC<SHA256>.authenticationCode(
            for: Array("veil/v1/reidentification-fingerprint".utf8), using: secret)
        return Array(digest).prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}
