import Dispatch
import Foundation

/// Finds the files to process, one at a time: inputs are files or folders, folders are walked
/// depth first, each folder's entries in name order, so every run sees the same sequence without
/// ever holding the whole list (PACS exports hold 10⁵ to 10⁸ files). Symbolic links to folders
/// are not followed (they can loop, or lead out of the export); links to files are read.
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
    private var stack: [(folder: String, remaining: [String])] = []
    private var nextIndex = 0

    public init(_ inputs: [String]) {
        pendingInputs = inputs.reversed()
    }

    /// The next file or problem, or nil when everything has been handed out.
    public func next() -> Item? {
        lock.withLock { advance() }
    }

    /// Hands every item to `body` on `jobs` worker threads, each item once.
    public func forEach(jobs: Int, _ body: @Sendable (Item) -> Void) {
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { _ in
            while let item = next() { body(item) }
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
                guard let name = top.remaining.popLast() else { continue }
                stack.append(top)
                let path = top.folder.hasSuffix("/") ? top.folder + name : top.folder + "/" + name
                if let item = examine(path, isInput: false) { return item }
                continue
            }
            guard let input = pendingInputs.popLast() else { return nil }
            if let item = examine(input, isInput: true) { return item }
        }
    }

    /// A file becomes an item; a folder is opened (its entries are handed out next); anything
    /// else is passed over, except a problem.
    private func examine(_ path: String, isInput: Bool) -> Item? {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            return problem(path, isInput ? "no such file or folder" : "cannot read file attributes")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            return file(path)
        case S_IFDIR:
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                return problem(path, "cannot list folder")
            }
            stack.append((path, names.sorted(by: >)))
            return nil
        case S_IFLNK:
            var target = stat()
            guard stat(path, &target) == 0 else { return isInput ? problem(path, "broken symbolic link") : nil }
            if target.st_mode & S_IFMT == S_IFREG { return file(path) }
            if isInput, target.st_mode & S_IFMT == S_IFDIR {
                // A link given on the command line is what the user asked for: open it.
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                    return problem(path, "cannot list folder")
                }
                stack.append((path, names.sorted(by: >)))
            }
            return nil
        default:
            return nil // sockets, devices, pipes: never DICOM files
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
