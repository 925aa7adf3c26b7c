import DICOMCore

/// Replacement UIDs and pseudonyms derived from the key. Deterministic: the same original and
/// the same key always give the same replacement, with no table of earlier replacements, so
/// parallel workers, separate batches and separate machines agree.
public struct KeyedIdentifiers: Sendable {
    public let key: DeidentificationKey

    public init(key: DeidentificationKey) { self.key = key }

    /// `2.25.<decimal>` (PS3.5 B.2): the decimal is a version 8 (custom) UUID whose 122 free bits
    /// come from the key's HMAC of the original UID. At most 44 characters.
    public func replacementUID(for original: String) -> String {
        var bytes = Array(key.digest(purpose: "uid", [Array(original.utf8)]).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        var value: UInt128 = 0
        for byte in bytes { value = value << 8 | UInt128(byte) }
        return "2.25.\(value)"
    }

    /// The patient pseudonym, used as Patient ID and Patient's Name: 20 characters of Crockford
    /// base32 (100 bits). `issuer` is the Issuer of Patient ID, empty when absent.
    public func patientPseudonym(patientID: String, issuer: String) -> String {
        PseudonymFormat.patient.make(key.digest(purpose: "patient", [Array(issuer.utf8), Array(patientID.utf8)]))
    }

    /// The pseudonym for a patient without a Patient ID, from whatever identifies them in the file.
    public func patientPseudonym(fallback parts: [String]) -> String {
        PseudonymFormat.patient.make(key.digest(purpose: "patient-fallback", parts.map { Array($0.utf8) }))
    }

    /// An Accession Number pseudonym: "A" and 15 base32 characters (fits SH, 16 characters).
    public func accessionPseudonym(for accession: String) -> String {
        PseudonymFormat.accession.make(key.digest(purpose: "accession", [Array(accession.utf8)]))
    }

    /// A Study ID pseudonym, per study: "S" and 15 base32 characters.
    public func studyIDPseudonym(studyID: String, studyInstanceUID: String) -> String {
        PseudonymFormat.studyID.make(
            key.digest(purpose: "study-id", [Array(studyInstanceUID.utf8), Array(studyID.utf8)]))
    }

    /// The patient's date offset (Retain Longitudinal with Modified Dates): a whole number of days
    /// in ``DateShift/offsetRange``, the same for every instance of the patient in every batch.
    public func dateShift(forPatient keyParts: [String]) -> DateShift {
        let digest = key.digest(purpose: "date-offset", keyParts.map { Array($0.utf8) })
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let range = DateShift.offsetRange
        return DateShift(days: range.lowerBound + Int(value % UInt64(range.count)))
    }

    /// A replacement AE title or network name (Retain Device Identity cleans these): the same
    /// device keeps the same name, which no longer says whose device it is. At most 16 characters.
    public func applicationEntityPseudonym(for title: String) -> String {
        PseudonymFormat.applicationEntity.make(
            key.digest(purpose: "application-entity", [Array(title.uppercased().utf8)]))
    }

    /// A replacement for a person's name inside structured content: the same name gives the same
    /// pseudonym, so one observer stays one observer.
    public func personPseudonym(for name: String) -> String {
        PseudonymFormat.person.make(key.digest(purpose: "person", [Array(name.uppercased().utf8)]))
    }

    /// The keyed hash of an input path, so that the manifest can name inputs without paths.
    public func inputIdentifier(for path: String) -> String {
        Base32.encode(key.digest(purpose: "input-path", [Array(path.utf8)]), count: 26).lowercased()
    }
}
