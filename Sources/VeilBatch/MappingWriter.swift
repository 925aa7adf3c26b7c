import DICOMIO
import Deidentification
import Foundation

/// The confidential mapping file (`--mapping`): original → replacement identifiers as CSV with
/// the header `id_old,id_new` (the format of the MIDI-B scorer), readable by its owner only.
/// It holds PHI and is written only when asked for, outside the shareable output. Rows are
/// streamed as files complete; a row seen recently is not repeated (study and series UIDs recur
/// in every file of a study), so memory stays bounded; a row can still appear twice, identical.
final class MappingWriter: @unchecked Sendable {
    private let log: JournaledLog
    private let lock = NSLock()
    private var recent: Set<Replacement> = []
    /// The rows in `recent`, oldest first from `oldest` (a ring).
    private var ring: [Replacement] = []
    private var oldest = 0
    private static let recentLimit = 100_000

    init(path: String, carriedOver: [[UInt8]] = []) throws(DICOMIOError) {
        log = try JournaledLog(
            path: path, permissions: 0o600, header: Array("id_old,id_new".utf8), carriedOver: carriedOver)
    }

    func checkpoint() { log.checkpoint() }
    var failure: String? { log.failure }
    var spaceRunningOut: String? { log.spaceRunningOut }

    func record(_ replacements: [Replacement]) {
        let lines: [[UInt8]] = lock.withLock {
            var lines: [[UInt8]] = []
            for replacement in replacements where recent.insert(replacement).inserted {
                if ring.count < Self.recentLimit {
                    ring.append(replacement)
                } else {
                    recent.remove(ring[oldest])
                    ring[oldest] = replacement
                    oldest = (oldest + 1) % Self.recentLimit
                }
                lines.append(Array("\(Self.csv(replacement.original)),\(Self.csv(replacement.replacement))".utf8))
            }
            return lines
        }
        lines.forEach(log.append)
    }

    func finish() throws(DICOMIOError) {
        try log.finish(header: Array("id_old,id_new".utf8))
    }

    private static func csv(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
