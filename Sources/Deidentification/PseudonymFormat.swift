/// The forms of Veil's pseudonyms: a fixed prefix and a fixed number of base32 characters. Made
/// by ``KeyedIdentifiers`` and recognised by ``ResidualRiskVerifier`` from this one definition,
/// so that `veil verify` knows every pseudonym Veil writes.
public struct PseudonymFormat: Sendable {
    public let prefix: String
    /// Base32 characters after the prefix.
    public let length: Int

    /// Patient ID and Patient's Name: 20 characters (100 bits).
    public static let patient = PseudonymFormat(prefix: "", length: 20)
    /// Accession Number: fits SH (16 characters).
    public static let accession = PseudonymFormat(prefix: "A", length: 15)
    /// Study ID: fits SH.
    public static let studyID = PseudonymFormat(prefix: "S", length: 15)
    /// AE titles and network names: fits AE (16 characters).
    public static let applicationEntity = PseudonymFormat(prefix: "AE", length: 14)
    /// A person's name inside structured content.
    public static let person = PseudonymFormat(prefix: "PERSON^", length: 12)

    /// The pseudonym made from a keyed digest.
    public func make(_ digest: [UInt8]) -> String { prefix + Base32.encode(digest, count: length) }

    /// True when `value` has this form.
    public func matches(_ value: String) -> Bool {
        value.utf8.count == prefix.utf8.count + length && value.hasPrefix(prefix)
            && Base32.isEncoded(value.utf8.dropFirst(prefix.utf8.count))
    }
}
