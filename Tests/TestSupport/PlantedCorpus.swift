import Foundation

/// The corpus made by Scripts/prepare-test-data.sh: public test files with fake PHI planted.
public struct PlantedCorpus: Decodable, Sendable {
    public struct File: Decodable, Sendable {
        public var file: String
        public var source: String
        public var transferSyntax: String
        public var sopClass: String
        public var sopInstanceUID: String
        public var studyInstanceUID: String
        public var patient: String
        /// The SOP Instance UID of the corpus file this one references, if any.
        public var references: String?
        public var originalIdentifiers: [String]
    }

    public var files: [File]
    public var plantedStrings: [String]

    /// Loads the corpus manifest; fails with instructions when the corpus was not made.
    public static func load() throws -> PlantedCorpus {
        _ = try TestPaths.fixture("planted", completeWhen: "planted/manifest.json")
        return try JSONDecoder().decode(PlantedCorpus.self, from: Data(contentsOf: TestPaths.plantedManifest))
    }

    /// Every string that must not appear in any output: planted PHI and the original files' own
    /// patient names and IDs.
    public var forbiddenStrings: [String] {
        Array(Set(plantedStrings + files.flatMap(\.originalIdentifiers))).sorted()
    }

    /// A scanner for everything forbidden; planted names are also matched part by part.
    public func scanner(adding extra: [String] = []) -> PHIScanner {
        PHIScanner(
            forbiddenStrings + extra,
            nameParts: plantedStrings.filter { $0.contains("^") } + extra.filter { $0.contains("^") })
    }
}

/// Finds forbidden strings in bytes: case-insensitive, and with `^` (the PN component
/// separator) also read as a space, as the MIDI-B scorer and a human reader would.
public struct PHIScanner: Sendable {
    private let needles: [(original: String, bytes: [UInt8])]

    /// `nameParts`: also look for each component of PN values (`Quixote` alone), for strings
    /// planted on purpose; original test files' names are too generic for that.
    public init(_ strings: [String], nameParts: [String] = []) {
        var needles: [(String, [UInt8])] = []
        for string in nameParts where string.contains("^") {
            for part in string.split(separator: "^") where part.count >= 5 {
                needles.append((string, Array(part.lowercased().utf8)))
            }
        }
        for string in Set(strings + nameParts) where !string.isEmpty {
            let lowered = Array(string.lowercased().utf8)
            needles.append((string, lowered))
            if string.contains("^") {
                needles.append((string, Array(string.lowercased().replacingOccurrences(of: "^", with: " ").utf8)))
            }
        }
        self.needles = needles
    }

    /// The forbidden strings found in `data`. A string of digits counts where no digit stands
    /// right before or after it: a six-digit ID occurs by chance inside the 39 digits of keyed
    /// UIDs (about one test run in a hundred), never delimited by chance as a value is.
    public func findings(in data: Data) -> Set<String> {
        let haystack = Data(data.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 })
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        var found = Set<String>()
        for needle in needles where !found.contains(needle.original) {
            let numeric = needle.bytes.allSatisfy(isDigit)
            var start = haystack.startIndex
            while let range = haystack.range(of: Data(needle.bytes), in: start..<haystack.endIndex) {
                let before = range.lowerBound > haystack.startIndex && isDigit(haystack[range.lowerBound - 1])
                let after = range.upperBound < haystack.endIndex && isDigit(haystack[range.upperBound])
                if !numeric || (!before && !after) {
                    found.insert(needle.original)
                    break
                }
                start = range.lowerBound + 1
            }
        }
        return found
    }

    /// Findings per file, for every regular file under `folder` (its paths included).
    public func scanFolder(_ folder: URL) throws -> [String: Set<String>] {
        var report: [String: Set<String>] = [:]
        guard
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        else {
            return report
        }
        for case let url as URL in enumerator {
            let relative = String(url.path.dropFirst(folder.path.count))
            var found = findings(in: Data(relative.utf8))
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                found.formUnion(findings(in: try Data(contentsOf: url)))
            }
            if !found.isEmpty { report[relative] = found }
        }
        return report
    }
}
