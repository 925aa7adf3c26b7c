import CSystem
import DICOMIO
import Foundation

/// A JSON-lines file written the way manifests and vaults are. While a run goes, every record is
/// appended to `<path>.journal` as it completes, so an interrupted run leaves a trace of what it
/// did, and memory does not grow with the number of records. Checkpoint lines mark what was on
/// disk when they were written. At the end the final file is written in one atomic step: the
/// final header, then the journal's records (streamed, without checkpoints), and the journal is
/// removed.
final class JournaledLog: @unchecked Sendable {
    let path: String
    var journalPath: String { path + ".journal" }
    private let permissions: mode_t
    private let lock = NSLock()
    private var descriptor: Int32
    /// Set by the first write that fails (a full disk): nothing more is written, so that no
    /// checkpoint can follow a partial line, and the run stops.
    private var failed: String?
    /// Bytes written to the journal, and the end of the disk space reserved for it. The journal
    /// keeps a reserve ahead of what it has written, so that when the disk fills up, the records
    /// of the files in flight and the checkpoint after them still fit: the run stops with every
    /// finished output on record, and the same command resumes after it.
    private var written: off_t = 0
    private var reservedEnd: off_t = 0
    private var lowOnSpace: String?
    static let reserveChunk: off_t = 1 << 20
    static let headroom: off_t = 256 << 10

    static let checkpointLine = Array(#"{"type":"checkpoint"}"#.utf8)

    /// Starts a journal: the header, then `carriedOver` lines (records of an interrupted run
    /// that are kept), then a checkpoint if there were any.
    init(path: String, permissions: mode_t = 0o644, header: [UInt8], carriedOver: [[UInt8]] = []) throws(DICOMIOError) {
        self.path = path
        self.permissions = permissions
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try AtomicFile.makeDirectories(directory) }
        let temporary = path + ".journal.new"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            throw DICOMIOError(.fileSystem, "cannot create \((path as NSString).lastPathComponent).journal")
        }
        fchmod(descriptor, permissions)
        var start = header + [0x0A]
        for line in carriedOver { start += line + [0x0A] }
        if !carriedOver.isEmpty { start += Self.checkpointLine + [0x0A] }
        guard writeAll(start), fsync(descriptor) == 0, rename(temporary, journalPath) == 0 else {
            close(descriptor)
            unlink(temporary)
            throw DICOMIOError(.fileSystem, "cannot write \((path as NSString).lastPathComponent).journal")
        }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Why the journal could not be written, once a write has failed.
    var failure: String? { lock.withLock { failed } }

    /// Set when no more space could be reserved: the run should stop starting files. What is in
    /// flight and a checkpoint still fit in the reserve.
    var spaceRunningOut: String? { lock.withLock { lowOnSpace } }

    /// Appends one record.
    func append(_ line: [UInt8]) {
        lock.withLock { appendLocked(line + [0x0A]) }
    }

    /// Appends a checkpoint: every record before it describes outputs already on disk. The caller
    /// flushes the outputs first.
    func checkpoint() {
        lock.withLock {
            appendLocked(Self.checkpointLine + [0x0A])
            if failed == nil, fsync(descriptor) != 0 { noteFailure() }
        }
    }

    private func appendLocked(_ bytes: [UInt8]) {
        guard failed == nil else { return }
        reserve(off_t(bytes.count))
        if !writeAll(bytes) { noteFailure() }
    }

    /// Keeps at least ``headroom`` bytes reserved beyond what `count` more bytes will take.
    private func reserve(_ count: off_t) {
        guard lowOnSpace == nil, written + count + Self.headroom > reservedEnd else { return }
        if csys_reserve_space(descriptor, Int64(reservedEnd), Int64(Self.reserveChunk)) == 0 {
            reservedEnd += Self.reserveChunk
        } else if errno == ENOSPC || errno == EDQUOT {
            lowOnSpace = "cannot write the manifest journal: \(String(cString: strerror(errno)))"
        } else {
            reservedEnd = .max  // a file system without fallocate: writes are on their own
        }
    }

    private func noteFailure() {
        failed = "cannot write \((path as NSString).lastPathComponent).journal: \(String(cString: strerror(errno)))"
    }

    /// Writes the final file with `header` and the journal's records, and removes the journal.
    /// For the inputs in `amended` (index → number of amendments), the last "amendment" record
    /// replaces the "file" record.
    func finish(header: [UInt8], amended: [Int: Int] = [:]) throws(DICOMIOError) {
        if let failed = failure { throw DICOMIOError(.fileSystem, failed) }
        lock.withLock { _ = fsync(descriptor) }
        guard let journal = fopen(journalPath, "rb") else {
            throw DICOMIOError(.fileSystem, "cannot reopen the journal")
        }
        defer { fclose(journal) }
        try AtomicFile.write(to: path) { (temporary) throws(DICOMIOError) in
            let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
            guard output >= 0 else {
                throw DICOMIOError(.fileSystem, "cannot create \((path as NSString).lastPathComponent)")
            }
            defer { close(output) }
            fchmod(output, permissions)
            var ok = Self.write(output, header + [0x0A])
            var isFirst = true
            var amendmentsSeen: [Int: Int] = [:]
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            defer { free(line) }
            while ok {
                let length = getline(&line, &capacity, journal)
                if length < 0 { break }
                if isFirst {
                    isFirst = false
                    continue
                }  // the journal's own header
                let bytes = UnsafeRawBufferPointer(start: line, count: length)
                if bytes.starts(with: Self.checkpointLine) { continue }
                if !amended.isEmpty, let kind = Self.recordKind(Array(bytes)), let count = amended[kind.index] {
                    guard kind.type == "amendment" else { continue }
                    amendmentsSeen[kind.index, default: 0] += 1
                    guard amendmentsSeen[kind.index] == count else { continue }
                    var record = Array(bytes)
                    Self.replace(Array(#""type":"amendment""#.utf8), with: Array(#""type":"file""#.utf8), in: &record)
                    ok = Self.write(output, record)
                    continue
                }
                ok = Self.write(output, Array(bytes))
            }
            guard ok else { throw DICOMIOError(.fileSystem, "cannot write \((path as NSString).lastPathComponent)") }
        }
        lock.withLock {
            close(descriptor)
            descriptor = -1
        }
        unlink(journalPath)
    }

    private struct RecordKind: Decodable {
        var type: String
        var index: Int
    }

    private static func recordKind(_ line: [UInt8]) -> RecordKind? {
        try? JSONDecoder().decode(RecordKind.self, from: Data(line))
    }

    private static func replace(_ pattern: [UInt8], with replacement: [UInt8], in bytes: inout [UInt8]) {
        guard pattern.count <= bytes.count else { return }
        for start in 0...(bytes.count - pattern.count)
        where bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
            bytes.replaceSubrange(start..<(start + pattern.count), with: replacement)
            return
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        guard Self.write(descriptor, bytes) else { return false }
        written += off_t(bytes.count)
        return true
    }

    private static func write(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += result
        }
        return true
    }

    /// The records of an interrupted run's journal: those before its last checkpoint (their
    /// outputs were on disk) and those after it. The first line is the header.
    static func readJournal(_ path: String) -> (header: [UInt8], durable: [[UInt8]], tentative: [[UInt8]])? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
        guard !lines.isEmpty else { return nil }
        let header = lines.removeFirst()
        guard let last = lines.lastIndex(of: checkpointLine) else { return (header, [], lines) }
        let durable = lines[..<last].filter { $0 != checkpointLine }
        return (header, Array(durable), Array(lines[(last + 1)...]))
    }
}
