import Foundation

/// A key file made once per test process by `veil keygen`, for CLI runs whose pseudonyms the
/// test does not look at.
public enum TestKey {
    private static let made: Result<String, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veil-test-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("test.key").path
        let run = try ExternalTool.run(Binaries.veil, ["keygen", path])
        guard run.status == 0 else { throw ToolFailure(message: "veil keygen failed: \(run.standardError)") }
        return path
    }

    /// The key file's path; throws when `veil keygen` failed.
    public static func path() throws -> String { try made.get() }
}
