import DICOMIO
import Foundation

/// Writes the audit manifest. While the run goes, each file's record is appended to a journal
/// beside the manifest; at the end the manifest is written in one atomic step, header first (with
/// end time and counts), then the records in input order, and the journal is removed.
final class ManifestWriter: @unchecked Sendable {
    private let path: String
    private let journalPath: String
    private let lock = NSLock()
    private var journal: FileHandle?
    private var records: [(index: Int, line: Data)] = []
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(path: String, header: ManifestRecord.Header) throws(DICOMIOError) {
        self.path = path
        self.journalPath = path + ".journal"
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try AtomicFile.makeDirectories(directory) }
        guard FileManager.default.createFile(atPath: journalPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: journalPath) else {
            throw DICOMIOError(.fileSystem, "cannot create the manifest journal")
        }
        journal = handle
        append(line: encode(header))
    }

    func record(_ outcome: FileOutcome) {
        let line = Data(ManifestRecord.fileLine(from: outcome))
        lock.withLock {
            records.append((outcome.index, line))
            append(line: line)
        }
    }

    func finish(header: ManifestRecord.Header) throws(DICOMIOError) {
        let lines: [Data] = lock.withLock { records.sorted { $0.index < $1.index }.map(\.line) }
        var bytes = [UInt8](encode(header))
        bytes.append(0x0A)
        for line in lines {
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
        }
        try AtomicFile.write(bytes, to: path)
        lock.withLock {
            try? journal?.close()
            journal = nil
        }
        try? FileManager.default.removeItem(atPath: journalPath)
    }

    private func append(line: Data) {
        journal?.write(line + Data([0x0A]))
    }

    private func encode<T: Encodable>(_ value: T) -> Data {
        (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
