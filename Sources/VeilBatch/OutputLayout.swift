import Deidentification

/// Where a de-identified instance goes: `<Study Instance UID>/<Series Instance UID>/<SOP Instance
/// UID>.dcm`, all replacement UIDs. Nothing of the input path (PACS exports name folders after
/// patients) reaches the output.
public enum OutputLayout {
    public static func relativePath(for identifiers: OutputIdentifiers) -> String {
        "\(component(identifiers.studyInstanceUID))/\(component(identifiers.seriesInstanceUID))/\(component(identifiers.sopInstanceUID)).dcm"
    }

    /// A UID as a path component. Replacement UIDs are digits and dots; anything else (a UID the
    /// profile kept because the standard defines it) is reduced to those characters.
    private static func component(_ uid: String) -> String {
        let cleaned = String(uid.filter { $0.isASCII && ($0.isNumber || $0 == ".") }.prefix(64))
        return cleaned.isEmpty || cleaned.allSatisfy({ $0 == "." }) ? "unknown" : cleaned
    }
}
