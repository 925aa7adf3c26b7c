import DICOMIO
import Foundation

/// The manifest's record of one release of a study by the gateway (`"type": "release"`): which
/// rule released it and how many instances it held. A later increment of the same study has its
/// own release number and manifest; the destination merges them by the keyed Study Instance UID.
struct ReleaseManifestRecord: Encodable {
    var type = "release"
    var route: String
    var study: String
    var release: Int
    var instances: Int
    /// quiet, max_wait, operator or recovered.
    var rule: String
    var releasedAt: Date

    init(_ record: ReleaseRecord) {
        route = record.route
        study = record.study
        release = record.release
        instances = record.instances
        rule = record.reason
        releasedAt = record.releasedAt
    }

    /// Appends the record to the manifest, atomically (a new file renamed over the old one).
    func append(toManifest path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        if let last = data.last, last != UInt8(ascii: "\n") { data.append(UInt8(ascii: "\n")) }
        data.append(try encoder.encode(self))
        data.append(UInt8(ascii: "\n"))
        try AtomicFile.write(Array(data), to: path, permissions: 0o600)
    }
}
