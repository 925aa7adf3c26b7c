import Foundation

/// A fixture that Scripts/prepare-test-data.sh makes is not in TestData/. The tests only load
/// fixtures; they never build them, so a missing one fails the test with this message.
public struct MissingFixture: Error, CustomStringConvertible {
    public var what: String
    public var description: String {
        "\(what) is missing: run Scripts/prepare-test-data.sh (Scripts/test.sh does)"
    }
}

extension TestPaths {
    /// `relative` under TestData/, once `marker` (relative to TestData/) exists: the file the
    /// script writes last for that fixture.
    public static func fixture(_ relative: String, completeWhen marker: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: testData.appendingPathComponent(marker).path) else {
            throw MissingFixture(what: "TestData/\(marker)")
        }
        return testData.appendingPathComponent(relative)
    }
}
