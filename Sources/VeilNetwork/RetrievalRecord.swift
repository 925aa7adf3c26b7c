import DICOMNetwork
import Deidentification
import Foundation

/// The manifest's record of one retrieved study (`"type":"retrieval"`, docs/manifest.md): which
/// node, how, how many instances were announced and how many arrived. The study is named by its
/// replacement Study Instance UID (the one its outputs carry), never by the original.
public struct RetrievalRecord: Encodable, Sendable {
    public var type = "retrieval"
    public var node: String
    public var method: String
    public var study: String
    public var expected: Int?
    public var received: Int
    public var complete: Bool
    public var status: String?
    public var error: String?

    public init(
        outcome: StudyRetrieval.Outcome, study: StudyRetrieval.Study, node: String, method: String,
        keyed: KeyedIdentifiers
    ) {
        self.node = node
        self.method = method
        self.study = keyed.replacementUID(for: study.studyInstanceUID)
        self.expected = outcome.expected
        self.received = outcome.received
        self.complete = outcome.isComplete
        self.status = outcome.status.map { String(format: "%04X", $0.code) }
        self.error = outcome.error?.message
    }

    /// Appends the records to the manifest, atomically (a new file renamed over the old one).
    public static func append(_ records: [RetrievalRecord], toManifest path: String) throws {
        guard !records.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        if let last = data.last, last != UInt8(ascii: "\n") { data.append(UInt8(ascii: "\n")) }
        for record in records {
            data.append(try encoder.encode(record))
            data.append(UInt8(ascii: "\n"))
        }
        let temporary = path + ".retrieval.tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw NetworkError(.receive, node: "", "cannot write the manifest")
        }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(temporary, path) == 0 else { throw NetworkError(.receive, node: "", "cannot write the manifest") }
    }
}
