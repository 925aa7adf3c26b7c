import Foundation
import Testing

/// `@Test(.temporaryFolder)`: each test case gets a fresh folder, `TemporaryFolder.current`,
/// created before it runs and removed after it, however the test ends. Unlike a local
/// `TemporaryFolder()`, whose folder goes when the value is last used, this one lives exactly
/// as long as the test.
public struct TemporaryFolderTrait: TestTrait, TestScoping {
    public func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let folder = TemporaryFolder(test.name.prefix { $0.isLetter || $0.isNumber }.description)
        try await TemporaryFolder.$scoped.withValue(folder) {
            try await function()
        }
        withExtendedLifetime(folder) {}
    }
}

extension Trait where Self == TemporaryFolderTrait {
    public static var temporaryFolder: Self { Self() }
}

extension TemporaryFolder {
    @TaskLocal static var scoped: TemporaryFolder?

    /// The folder of the running test; the test must have the `.temporaryFolder` trait.
    public static var current: TemporaryFolder {
        get throws {
            guard let scoped else {
                throw ToolFailure(message: "TemporaryFolder.current outside a test with the .temporaryFolder trait")
            }
            return scoped
        }
    }
}
