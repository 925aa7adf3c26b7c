import DICOMIO
import Deidentification

/// The confidential mapping file (`--mapping`): original → replacement identifiers as CSV with
/// the header `id_old,id_new` (the format of the MIDI-B scorer), readable by its owner only.
/// It holds PHI and is written only when asked for, outside the shareable output.
enum MappingWriter {
    static func write(_ replacements: [Replacement], to path: String) throws(DICOMIOError) {
        var seen = Set<Replacement>()
        var text = "id_old,id_new\n"
        let ordered = replacements.sorted { ($0.kind.rawValue, $0.original) < ($1.kind.rawValue, $1.original) }
        for replacement in ordered where seen.insert(replacement).inserted {
            text += "\(csv(replacement.original)),\(csv(replacement.replacement))\n"
        }
        try AtomicFile.write(Array(text.utf8), to: path, permissions: 0o600)
    }

    private static func csv(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
