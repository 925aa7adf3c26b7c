/// Unique Identifiers (PS3.5 chapter 9).
public enum UID {
    /// The root of every UID the DICOM standard itself defines: SOP Classes, Transfer Syntaxes,
    /// well-known frames of reference and instances, coding schemes. None identifies a patient.
    public static let dicomRoot = "1.2.840.10008."

    /// True for a syntactically valid UID: 1 to 64 characters, numeric components separated by
    /// single dots, no leading zero in a multi-digit component.
    public static func isValid(_ uid: some StringProtocol) -> Bool {
        guard !uid.isEmpty, uid.utf8.count <= 64 else { return false }
        var componentLength = 0
        var leadingZero = false
        for byte in uid.utf8 {
            if byte == UInt8(ascii: ".") {
                if componentLength == 0 { return false }
                componentLength = 0
                leadingZero = false
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if leadingZero { return false }
                if componentLength == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
                componentLength += 1
            } else {
                return false
            }
        }
        return componentLength > 0
    }

    /// True for text that can stand for a UID although `isValid` may refuse it: 1 to 64 digits and
    /// dots, in any arrangement. Real files carry leading zeros and empty components; what such a
    /// value must never be is empty, too long, or anything but digits and dots.
    @inlinable
    public static func isPlausible(_ uid: some StringProtocol) -> Bool {
        isPlausible(utf8: uid.utf8)
    }

    /// `isPlausible(_:)` over the value's bytes as stored, with no String made.
    @inlinable
    public static func isPlausible(utf8 bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= 64
            && bytes.allSatisfy { $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }
    }

    /// True when the UID is defined by the DICOM standard (PS3.6 Annex A): it names a class,
    /// a syntax or a well-known instance, never a patient's study, series or image.
    public static func isDefinedByStandard(_ uid: some StringProtocol) -> Bool {
        uid.hasPrefix(dicomRoot) && isValid(uid)
    }
}

/// Transfer Syntax UIDs Veil refers to by name (PS3.6 Annex A).
public enum TransferSyntax {
    public static let implicitVRLittleEndian = "1.2.840.10008.1.2"
    public static let explicitVRLittleEndian = "1.2.840.10008.1.2.1"
    public static let deflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99"
    public static let explicitVRBigEndian = "1.2.840.10008.1.2.2"
}
