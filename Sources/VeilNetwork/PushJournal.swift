import Foundation

/// What a push has already delivered to one node: `<manifest>.push-<node>.journal` beside the
/// manifest, one output path (relative to the output folder) per line, appended once the node
/// confirmed the instance. A push after a crash sends only what is not in it; an instance the
/// node stored just before the crash may be sent again, which is harmless (outputs are keyed
/// and deterministic, so the node receives the same instance).
final class PushJournal {
    let path: String
    private let handle: FileHandle
    private var unsynced = 0

    static func path(manifest: String, node: String) -> String {
        let safe = String(
            node.unicodeScalars.map {
                CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_"
            })
        return manifest + ".push-\(safe).journal"
    }

    /// The paths already delivered. A last line cut short by a crash is not counted.
    static func delivered(at path: String) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a partial line
        return Set(lines.map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty })
    }

    init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func record(_ output: String) {
        handle.write(Data((output + "\n").utf8))
        unsynced += 1
        if unsynced >= 200 { sync() }
    }

    func sync() {
        fsync(handle.fileDescriptor)
        unsynced = 0
    }

    deinit {
        sync()
        try? handle.close()
    }
}
