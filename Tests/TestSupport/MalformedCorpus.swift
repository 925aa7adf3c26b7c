import Foundation

/// Malformed and hostile inputs made by Scripts/fixtures/make-malformed-corpus.py into
/// TestData/malformed (by Scripts/prepare-test-data.sh).
public struct MalformedCorpus: Sendable {
    public struct Case: Decodable, Sendable {
        /// "failed", "skipped" or "written".
        public var expected: String
        public var why: String
    }

    /// The folder to give Veil.
    public let cases: URL
    /// Relative path of each case under `cases`, and what Veil must do with it.
    public let expected: [String: Case]
    /// The fake PHI written into the cases' values: never to be printed.
    public static let plantedStrings = [
        "Malformed^Patient", "MAL-0001", "Referrer^Rita", "5 Malformed Street", "OTHER-ID",
    ]

    public static func load() throws -> MalformedCorpus {
        let folder = try TestPaths.fixture("malformed", completeWhen: "malformed/expected.json")
        let expectedFile = folder.appendingPathComponent("expected.json")
        let expected = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: expectedFile))
        return MalformedCorpus(cases: folder.appendingPathComponent("cases"), expected: expected)
    }

    /// How Veil names a path in messages (`--paths show`): control characters escaped.
    public static func printable(_ path: String) -> String {
        var text = ""
        for scalar in path.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                text += String(format: "\\x%02x", scalar.value)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
