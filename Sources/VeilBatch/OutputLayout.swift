import Deidentification

/// Where a de-identified instance goes: `<Study Instance UID>/<Series Instance UID>/<SOP Instance
/// UID>.dcm`, all replacement UIDs. Nothing of the input path (PACS exports name folders after
/// patients) reaches the output.
public enum OutputLayout {
    public static func relativePath(for identifiers: OutputIdentifiers) -> String {
        [identifiers.studyInstanceUID, identifiers.seriesInstanceUID, identifiers.sopInstanceUID]
            .map(component).joined(separator: "/") + ".dcm"
    }

    /// The layout of media file-sets, for outputs with a DICOMDIR: `DICOM/<study>/<series>/<instance>`,
    /// each an 8-character file ID (PS3.10 8.5: A-Z and 0-9) derived from the replacement UID.
    public static func mediaPath(for identifiers: OutputIdentifiers) -> String {
        "DICOM/"
            + [identifiers.studyInstanceUID, identifiers.seriesInstanceUID, identifiers.sopInstanceUID]
            .map(fileID).joined(separator: "/")
    }

    /// Eight base32 characters of a hash of the UID (40 bits; names only need to differ within
    /// one series, and a clash would fail the write rather than overwrite).
    private static func fileID(_ uid: String) -> String {
        Base32.digits(of: FNV1a.hash(uid), count: 8)
    }

    /// A UID as a path component. Replacement UIDs are digits and dots; anything else (a UID the
    /// profile kept) is reduced to those characters, without leading dots (no ".", "..", or
    /// hidden names).
    private static func component(_ uid: String) -> String {
        let digitsAndDots = uid.utf8.lazy.filter { (0x30...0x39).contains($0) || $0 == 0x2E }
        let cleaned = String(decoding: digitsAndDots.drop { $0 == 0x2E }.prefix(64), as: UTF8.self)
        return cleaned.isEmpty ? "unknown" : cleaned
    }
}
