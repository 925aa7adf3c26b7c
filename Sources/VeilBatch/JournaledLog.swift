import DICOMIO
import Foundation

/// A JSON-lines file written the way manifests and vaults are: while a run goes, every record is
/// appended to `<path>.journal` (so an interrupted run leaves a trace of what it did); at the end
/// the file is written in one atomic step, header first, records in the order of their keys, and
/// the journal is removed.
final class JournaledLog: @unchecked Sendable {
    private let path: String
    private let permissions: mode_t
    private let lock = NSLock()
    private var journal: FileHandle?
    private var records: [(key: Int, line: [UInt8])] = []

    init(path: String, permissions: mode_t = 0o644, header: [UInt8]) throws(DICOMIOError) {
        self.path = path
        self.permissions = permissions
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try AtomicFile.makeDirectories(directory) }
        let journalPath = path + ".journal"
        let descriptor = open(journalPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw DICOMIOError(.fileSystem, "cannot create \((path as NSString).lastPathComponent).journal") }
        fchmod(descriptor, permissions)
        journal = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        journal?.write(Data(header + [0x0A]))
    }

    /// Appends a record; `key` orders the final file.
    func append(key: Int, line: [UInt8]) {
        lock.withLock {
            records.append((key, line))
            journal?.write(Data(line + [0x0A]))
        }
    }

    /// Writes the final file with `header` and removes the journal.
    func finish(header: [UInt8]) throws(DICOMIOError) {
        let lines: [[UInt8]] = lock.withLock { records.sorted { $0.key < $1.key }.map(\.line) }
        var bytes = header
        bytes.append(0x0A)
        for line in lines {
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
        }
        try AtomicFile.write(bytes, to: path, permissions: permissions)
        lock.withLock {
            try? journal?.close()
            journal = nil
        }
        unlink(path + ".journal")
    }
}
