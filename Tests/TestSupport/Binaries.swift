import Foundation

/// Built products of this package, next to the test bundle.
public enum Binaries {
    /// The `veil` executable of the current build.
    public static var veil: String {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        // The runner is inside <build>/<Package>PackageTests.xctest/... on some platforms.
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("veil")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            folder.deleteLastPathComponent()
        }
        return TestPaths.repository.appendingPathComponent(".build/debug/veil").path
    }
}
