internal import CSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a file so that readers see either nothing or the complete file.
public enum AtomicFile {
    /// What to do when the destination already exists.
    public enum ExistingFilePolicy: Sendable {
        /// Replace it.
        case replace
        /// Keep it if its bytes equal the new ones (`.identicalFileExists`); fail otherwise.
        case keepIfIdentical
    }

    public enum Outcome: Sendable, Equatable {
        case written
        /// `keepIfIdentical` found the same bytes already in place.
        case identicalFileExists
    }

    /// Calls `produce` with a temporary path in the destination's folder, then moves the finished
    /// file to `path` in one atomic rename: readers, and a process killed at any moment, see
    /// either no file or the complete one. If `produce` throws or anything fails, the temporary
    /// file is removed and `path` is left as it was.
    ///
    /// `durable` flushes the file and its folder to disk before returning, so that it also
    /// survives a power loss. Batches pass false and call ``synchronizeFileSystem(containing:)``
    /// once at the end instead: one flush per file would cost more than the de-identification.
    ///
    /// The temporary file is `.<name>.<owner>.<random>.partial`: `owner` tells whose leftovers
    /// an interrupted run may remove (see ``temporaryFileOwner(of:)``).
    @discardableResult
    public static func write(
        to path: String, ifExists policy: ExistingFilePolicy = .replace, durable: Bool = true, owner: String = "veil",
        _ produce: (String) throws(DICOMIOError) -> Void
    ) throws(DICOMIOError) -> Outcome {
        let (directory, name) = split(path)
        let temporary = "\(directory)/.\(name).\(owner).\(randomSuffix()).partial"
        var moved = false
        defer { if !moved { unlink(temporary) } }
        try produce(temporary)
        if durable { try flush(temporary) }
        switch policy {
        case .replace:
            guard rename(temporary, path) == 0 else {
                throw DICOMIOError.fromErrno("cannot move the finished file into place")
            }
            moved = true
        case .keepIfIdentical:
            // Never replaces: of two writers racing for one path, exactly one wins.
            if !moveWithoutReplacing(temporary, to: path) {
                guard errno == EEXIST else {
                    throw DICOMIOError.fromErrno("cannot move the finished file into place")
                }
                guard sameContents(temporary, path) else {
                    throw DICOMIOError(.outputConflict, "a different file already exists at the output path")
                }
                return .identicalFileExists
            }
            moved = true
        }
        if durable { flushDirectory(directory) }
        return .written
    }

    /// Flushes everything written to the file system holding `path` to disk.
    public static func synchronizeFileSystem(containing path: String) throws(DICOMIOError) {
        guard csys_sync_file_system(path) == 0 else {
            throw DICOMIOError.fromErrno("cannot flush the output to disk")
        }
    }

    /// renameat2(RENAME_NOREPLACE), or link() and unlink() where the file system lacks it.
    private static func moveWithoutReplacing(_ source: String, to destination: String) -> Bool {
        if csys_rename_noreplace(source, destination) == 0 { return true }
        guard errno == EINVAL || errno == ENOSYS else { return false }
        guard link(source, destination) == 0 else { return false }
        unlink(source)
        return true
    }

    /// Writes `bytes` to `path` atomically with the given permissions.
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644) throws(DICOMIOError) {
        try write(to: path) { (temporary) throws(DICOMIOError) in
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
            guard descriptor >= 0 else { throw DICOMIOError.fromErrno("cannot create file") }
            defer { close(descriptor) }
            fchmod(descriptor, permissions)
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeBytes { buffer in
                    systemWrite(descriptor, buffer.baseAddress! + written, bytes.count - written)
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw DICOMIOError.fromErrno("cannot write file")
                }
                written += result
            }
        }
    }

    /// Creates `path` and its missing parents (mode 0755).
    public static func makeDirectories(_ path: String) throws(DICOMIOError) {
        // The folder usually exists (one per series, many files each): one call then.
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw DICOMIOError.fromErrno("cannot create folder") }
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw DICOMIOError.fromErrno("cannot create folder")
            }
        }
    }

    private static func flush(_ path: String) throws(DICOMIOError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DICOMIOError.fromErrno("cannot reopen written file") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw DICOMIOError.fromErrno("cannot flush file to disk") }
    }

    private static func flushDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func sameContents(_ first: String, _ second: String) -> Bool {
        guard let a = fopen(first, "rb") else { return false }
        defer { fclose(a) }
        guard let b = fopen(second, "rb") else { return false }
        defer { fclose(b) }
        var left = [UInt8](repeating: 0, count: 1 << 16)
        var right = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&left, 1, left.count, a)
            let m = fread(&right, 1, right.count, b)
            if n != m || memcmp(left, right, n) != 0 { return false }
            if n == 0 { return true }
        }
    }

    /// The owner a temporary file of ``write(to:ifExists:durable:owner:_:)`` was written for, or
    /// nil when `name` is not one.
    public static func temporaryFileOwner(of name: String) -> String? {
        guard name.hasPrefix("."), name.hasSuffix(".partial") else { return nil }
        let parts = name.dropLast(".partial".count).split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[parts.count - 2]) : nil
    }

    private static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    private static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

extension DICOMIOError {
    /// A file-system error from `errno`: `.outputFull` when the file system is full, a quota is
    /// reached or a file grows beyond what it allows; `.fileSystem` otherwise.
    static func fromErrno(_ what: String) -> DICOMIOError {
        let code = errno
        let full = code == ENOSPC || code == EDQUOT || code == EFBIG
        return DICOMIOError(full ? .outputFull : .fileSystem, "\(what): \(String(cString: strerror(code)))")
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
