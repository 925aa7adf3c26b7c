import Foundation

/// What an independent reader (pydicom, through Scripts/testing/dicom-facts.py) sees in a file.
public struct DICOMFacts: Decodable, Sendable {
    public var preamble: String
    public var pixelMD5: String?
    public var sopInstanceUID: String
    /// Every UID value with the path of its element, e.g. ["(0008,1140)[0](0008,1155)", "1.2.3"].
    public var uids: [[String]]

    /// Facts for many files in one interpreter start.
    public static func read(_ paths: [String]) throws -> [String: DICOMFacts] {
        guard !paths.isEmpty else { return [:] }
        var facts: [String: DICOMFacts] = [:]
        // Batches keep argument lists short.
        for start in stride(from: 0, to: paths.count, by: 200) {
            let batch = Array(paths[start..<min(start + 200, paths.count)])
            let run = try ExternalTool.run(
                "python3", [TestPaths.repository.appendingPathComponent("Scripts/testing/dicom-facts.py").path] + batch,
                environment: ["PYTHONPATH": TestPaths.testData.appendingPathComponent("python").path])
            guard run.status == 0 else { throw ToolFailure(message: "dicom-facts.py failed: \(run.standardError)") }
            facts.merge(try JSONDecoder().decode([String: DICOMFacts].self, from: run.standardOutputBytes)) { $1 }
        }
        return facts
    }
}

public struct ToolFailure: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The text values pydicom decodes (Scripts/testing/dicom-text.py): for each file, pairs of an
/// element path such as "(0032,1064)[0](0010,0010)" and its value, multiple values joined by `\`.
public enum PydicomText {
    public static func read(_ paths: [String]) throws -> [String: [[String]]] {
        let run = try ExternalTool.run(
            "python3", [TestPaths.repository.appendingPathComponent("Scripts/testing/dicom-text.py").path] + paths,
            environment: ["PYTHONPATH": TestPaths.testData.appendingPathComponent("python").path])
        guard run.status == 0 else { throw ToolFailure(message: "dicom-text.py failed: \(run.standardError)") }
        return try JSONDecoder().decode([String: [[String]]].self, from: run.standardOutputBytes)
    }
}
