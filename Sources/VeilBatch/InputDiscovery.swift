import Dispatch
import Foundation

/// Finds the files to process, one at a time: inputs are files or folders, folders are walked
/// depth first, each folder's entries in name order, so every run sees the same sequence without
/// ever holding the whole list (PACS exports hold 10⁵ to 10⁸ files). Symbolic links to folders
/// are not followed (they can loop, or lead out of the export); links to files are read.
/// Everything else is accounted for as a problem: a folder that cannot be listed, a broken or
/// looping link, a pipe, socket or device (opening a pipe would block forever), a file name that
/// is not UTF-8 (it cannot be named faithfully in messages, nor opened through a String path).
///
/// Safe to share between worker threads: `next()` hands each file out once.
public final class InputDiscovery: @unchecked Sendable {
    /// One thing found: a file to process, or a path that could not be listed or examined.
    public enum Item: Sendable {
        case file(index: Int, path: String)
        case problem(index: Int, path: String, reason: String)
    }

    private let lock = NSLock()
    private var pendingInputs: [String]
    /// Open folders, innermost last: each with its remaining entries, in reverse name order.
    private var stack: [(folder: String, remaining: [Entry])] = []

    /// A folder entry. Names that are not valid UTF-8 are kept, decoded with replacement
    /// characters, to be reported.
    private struct Entry {
        var name: String
        var isValidUTF8: Bool
    }
    private var nextIndex = 0

    public init(_ inputs: [String]) {
        pendingInputs = inputs.reversed()
    }

    /// The next file or problem, or nil when everything has been handed out.
    public func next() -> Item? {
        lock.withLock { advance() }
    }

    /// Hands every item to `body` on `jobs` worker threads, each item once, until `stop` says so.
    public func forEach(jobs: Int, until stop: @Sendable () -> Bool = { false }, _ body: @Sendable (Item) -> Void) {
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { _ in
            while !stop(), let item = next() { body(item) }
        }
    }

    /// Counts the files under `inputs` without opening any (for progress and ETA).
    public static func count(_ inputs: [String]) -> Int {
        let discovery = InputDiscovery(inputs)
        var count = 0
        while let item = discovery.next() {
            if case .file = item { count += 1 }
        }
        return count
    }

    private func advance() -> Item? {
        while true {
            if var top = stack.popLast() {
                guard let entry = top.remaining.popLast() else { continue }
                stack.append(top)
                let path = top.folder.hasSuffix("/") ? top.folder + entry.name : top.folder + "/" + entry.name
                if !entry.isValidUTF8 { return problem(path, "file name is not valid UTF-8: rename it to process it") }
                if let item = examine(path, isInput: false) { return item }
                continue
            }
            guard let input = pendingInputs.popLast() else { return nil }
            if let item = examine(input, isInput: true) { return item }
        }
    }

    /// A file becomes an item; a folder is opened (its entries are handed out next); a link to a
    /// folder inside a folder is passed over; anything else is a problem.
    private func examine(_ path: String, isInput: Bool) -> Item? {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            return problem(path, isInput ? "no such file or folder" : "cannot read file attributes")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            return file(path)
        case S_IFDIR:
            return open(folder: path)
        case S_IFLNK:
            var target = stat()
            guard stat(path, &target) == 0 else {
                return problem(path, errno == ELOOP ? "symbolic link loop" : "broken symbolic link")
            }
            switch target.st_mode & S_IFMT {
            case S_IFREG: return file(path)
            // A link given on the command line is what the user asked for: open it.
            case S_IFDIR: return isInput ? open(folder: path) : nil
            default: return problem(path, "symbolic link to \(Self.kind(of: target.st_mode))")
            }
        default:
            return problem(path, "\(Self.kind(of: status.st_mode)), not a regular file")
        }
    }

    private func open(folder path: String) -> Item? {
        guard let entries = Self.entries(of: path) else { return problem(path, "cannot list folder") }
        stack.append((path, entries.sorted { $0.name > $1.name }))
        return nil
    }

    /// The entries of a folder, "." and ".." left out; nil when it cannot be listed.
    private static func entries(of folder: String) -> [Entry]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                entries.append(Entry(name: name, isValidUTF8: true))
            } else {
                entries.append(Entry(name: String(decoding: bytes, as: UTF8.self), isValidUTF8: false))
            }
        }
        return entries
    }

    private static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a named pipe"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFDIR: "a folder"
        default: "a special file"
        }
    }

    private func file(_ path: String) -> Item {
        defer { nextIndex += 1 }
        return .file(index: nextIndex, path: path)
    }

    private func problem(_ path: String, _ reason: String) -> Item {
        defer { nextIndex += 1 }
        return .problem(index: nextIndex, path: path, reason: reason)
    }
}
