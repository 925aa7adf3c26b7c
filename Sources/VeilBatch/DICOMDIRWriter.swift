import DICOMIO
import Foundation

/// Builds the output's DICOMDIR from the manifest's records of written files (`--dicomdir`).
/// The input's own DICOMDIR is never copied: its records hold the original identities.
enum DICOMDIRWriter {
    /// Returns how many written files the DICOMDIR could not list.
    static func write(outputFolder: String, manifest: String) throws(BatchError) -> Int {
        guard let data = FileManager.default.contents(atPath: manifest) else {
            throw BatchError("cannot read the manifest")
        }
        var files = Set<String>()
        for line in data.split(separator: 0x0A).dropFirst() {
            guard let record = try? JSONDecoder().decode(ManifestRecord.File.self, from: line),
                record.status == .written || record.status == .unchanged, let output = record.output
            else { continue }
            files.insert(output)
        }
        do { return try DICOMDIR.write(root: outputFolder, files: files.sorted()) } catch {
            throw BatchError(error.message)
        }
    }
}
