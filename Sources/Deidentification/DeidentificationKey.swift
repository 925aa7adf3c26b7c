import Crypto

#if canImport(Glibc)
import Glibc
#endif

/// The secret behind every keyed derivation: replacement UIDs, pseudonyms and (with the Retain
/// Longitudinal Modified Dates option) date offsets. Same input and same key give the same
/// output in every run, thread and batch; without the key, outputs cannot be linked back to
/// inputs, not even by trying candidate values (PS3.15 E.1.1 warns about unkeyed hashes).
///
/// A key file holds 32 random bytes as 64 hex digits; lines starting with `#` are comments.
/// It must be readable by its owner only (mode 0600).
public struct DeidentificationKey: Sendable {
    private let secret: SymmetricKey
    /// HMAC state after absorbing the key: copied for each digest instead of re-keying.
    private let keyed: HMAC<SHA256>
    /// Whether the key was generated for this run only (no key file): outputs are then unlinkable
    /// to any other run.
    public let isEphemeral: Bool

    /// A fresh random key.
    public static func random() -> DeidentificationKey {
        DeidentificationKey(secret: SymmetricKey(size: .bits256), isEphemeral: true)
    }

    /// A key from its 32 bytes.
    public init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32 else { throw KeyError("a key is 32 bytes") }
        self.init(secret: SymmetricKey(data: bytes), isEphemeral: false)
    }

    private init(secret: SymmetricKey, isEphemeral: Bool) {
        self.secret = secret
        self.keyed = HMAC<SHA256>(key: secret)
        self.isEphemeral = isEphemeral
    }

    /// Reads a key file. Refuses files that others can read or write.
    public init(contentsOf path: String) throws(KeyError) {
        try self.init(bytes: KeyFile.read(path))
    }

    /// The text of a new key file holding a fresh random key.
    public static func newKeyFileContents() -> String {
        KeyFile.contents(
            comment: """
                Veil de-identification key. Keep it secret and keep it safe: anyone holding it can test
                whether a given UID, patient ID or name produced a given pseudonym, and losing it means
                later batches can no longer be linked to earlier ones.
                """)
    }

    /// The key bytes, for the check that the two keys of pseudonymize mode differ. Never printed.
    var bytesForComparison: [UInt8]? { secret.withUnsafeBytes { Array($0) } }

    /// Identifies the key in manifests without revealing it: 16 hex digits of a keyed digest.
    public var fingerprint: String {
        digest(purpose: "key-fingerprint", [[]]).prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// HMAC-SHA-256 of `parts` under this key, separated by purpose so that a UID and a patient ID
    /// with the same text never get related outputs. Each part is length-prefixed.
    public func digest(purpose: String, _ parts: [[UInt8]]) -> [UInt8] {
        var hmac = keyed
        func absorb(_ part: [UInt8]) {
            withUnsafeBytes(of: UInt32(part.count).bigEndian) { hmac.update(data: $0) }
            part.withUnsafeBytes { hmac.update(data: $0) }
        }
        absorb(Array("veil/v1/\(purpose)".utf8))
        parts.forEach(absorb)
        return Array(hmac.finalize())
    }

}

/// Why a key could not be used. Never contains key material.
public struct KeyError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
