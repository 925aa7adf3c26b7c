import DICOMIO
import Foundation

/// Writes the audit manifest (`manifest.jsonl`): a header, then one record per input file.
final class ManifestWriter: Sendable {
    private let log: JournaledLog

    init(path: String, header: ManifestRecord.Header) throws(DICOMIOError) {
        log = try JournaledLog(path: path, header: Self.encode(header))
    }

    func record(_ outcome: FileOutcome) {
        log.append(key: outcome.index, line: ManifestRecord.fileLine(from: outcome))
    }

    func finish(header: ManifestRecord.Header) throws(DICOMIOError) {
        try log.finish(header: Self.encode(header))
    }

    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }
}
