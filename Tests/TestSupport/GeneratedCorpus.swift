import Foundation

/// Synthetic CT series made by Scripts/fixtures/make-benchmark-corpus.py into TestData/ (by
/// Scripts/prepare-test-data.sh, which makes the one size the tests use: 400 files of 128²).
public enum GeneratedCorpus {
    /// A folder of `files` slices of `size`×`size` pixels in a PACS-like tree.
    public static func folder(files: Int, size: Int) throws -> URL {
        // The marker is beside the corpus, not in it: the corpus holds DICOM files only.
        try TestPaths.fixture("generated-\(files)-\(size)", completeWhen: "generated-\(files)-\(size).complete")
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
            return String(
                decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }.sorted()
    }
}
