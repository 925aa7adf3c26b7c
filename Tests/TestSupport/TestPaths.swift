import Foundation

/// Where the repository's test inputs live.
public enum TestPaths {
    /// The repository root, found from this file's location.
    public static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    public static let sampleScans = repository.appendingPathComponent("SampleScans")
    public static let testData = repository.appendingPathComponent("TestData")
    /// Public test files with fake PHI planted by Scripts/fixtures/plant-phi.py (through
    /// Scripts/prepare-test-data.sh, like every fixture under TestData/).
    public static let plantedCorpus = testData.appendingPathComponent("planted/planted")
    /// Damaged files that must be reported as failed.
    public static let brokenCorpus = testData.appendingPathComponent("planted/broken")
    /// A DICOMDIR, a bare data set without meta header or extension, an identical duplicate.
    public static let specialCorpus = testData.appendingPathComponent("planted/special")
    public static let plantedManifest = testData.appendingPathComponent("planted/manifest.json")
    /// pydicom's files in many character sets (Latin, Greek, Cyrillic, Arabic, Hebrew, Japanese,
    /// Korean, Chinese; with and without ISO 2022 code extensions), from its PyPI package.
    public static let pydicomCharsetFiles = testData.appendingPathComponent("python/pydicom/data/charset_files")

    /// The DICOM files directly inside `folder`, sorted by name. Throws when `folder` cannot be
    /// listed (a fixture not made), so that no test runs over nothing and passes.
    public static func dicomFiles(in folder: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: folder.path) else { throw MissingFixture(what: folder.path) }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter { $0.hasSuffix(".dcm") }
            .map { folder.appendingPathComponent($0) }
    }
}

/// A fresh temporary folder, removed when the value is deinitialized.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ label: String = "veil-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}
