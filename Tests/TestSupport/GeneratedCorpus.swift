import Foundation

/// Synthetic CT series made by Scripts/make-benchmark-corpus.py, kept in TestData/ between runs.
public enum GeneratedCorpus {
    /// A folder of `files` slices of `size`×`size` pixels in a PACS-like tree.
    public static func folder(files: Int, size: Int) throws -> URL {
        let folder = TestPaths.testData.appendingPathComponent("generated-\(files)-\(size)")
        // Beside the corpus, not in it: the corpus holds DICOM files only.
        let done = TestPaths.testData.appendingPathComponent("generated-\(files)-\(size).complete")
        if FileManager.default.fileExists(atPath: done.path) { return folder }
        try? FileManager.default.removeItem(at: folder)
        let run = try ExternalTool.run("python3", [
            TestPaths.repository.appendingPathComponent("Scripts/make-benchmark-corpus.py").path, folder.path,
            "--files", String(files), "--size", String(size)])
        guard run.status == 0 else { throw ToolFailure(message: "make-benchmark-corpus.py failed: \(run.standardError)") }
        _ = FileManager.default.createFile(atPath: done.path, contents: Data())
        return folder
    }

    /// Every `.dcm` file under `folder`, relative, sorted.
    public static func dicomFiles(under folder: URL) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dcm") }.sorted()
    }

    /// Manifest file records (header dropped), each re-encoded with sorted keys, sorted: compares
    /// the records of two runs whatever order their workers finished in.
    public static func manifestRecords(_ manifest: URL) throws -> [String] {
        let lines = try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n").dropFirst()
        return try lines.map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
    }
}
