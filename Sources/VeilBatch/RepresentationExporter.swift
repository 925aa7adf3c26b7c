import DICOMCore
import DICOMIO
import Foundation

/// `veil export`: representations of DICOM that is already de-identified (by Veil or another
/// tool that sets Patient Identity Removed). Files without that mark are refused, never exported:
/// a NIfTI made from raw DICOM would carry the face and, through its folder names, the UIDs.
public struct RepresentationExporter: Sendable {
    public var pass: RepresentationPass
    public var outputFolder: String
    public var jobs = ProcessInfo.processInfo.activeProcessorCount

    public init(pass: RepresentationPass, outputFolder: String) {
        self.pass = pass
        self.outputFolder = outputFolder
    }

    public struct Result: Sendable {
        public var summary: RepresentationPass.Summary
        /// Input indexes (walk order) of files refused because they are not marked de-identified.
        public var refused: [Int]
        public var series: Int
    }

    public func run(inputs: [String]) throws(BatchError) -> Result {
        do { try AtomicFile.makeDirectories(outputFolder) } catch {
            throw BatchError("cannot create the output folder: \(error.message)")
        }
        let found = Collector<(study: String, series: String, path: String)?>()
        InputDiscovery(inputs).forEach(jobs: jobs) { item in
            guard case .file(let index, let path) = item, let dataSet = try? DICOMFile(path: path).read().dataSet,
                dataSet[.pixelData] != nil
            else { return }
            guard dataSet.string(.patientIdentityRemoved)?.uppercased() == "YES" else {
                found.store(nil, index: index)
                return
            }
            // Folder names: valid UIDs only, as in Veil's own output layout.
            let uid = { (tag: DICOMTag) in dataSet.string(tag).flatMap { UID.isValid($0) ? $0 : nil } ?? "unknown" }
            found.store((uid(.studyInstanceUID), uid(.seriesInstanceUID), path), index: index)
        }
        var refused: [Int] = []
        var bySeries: [String: (study: String, series: String, paths: [String])] = [:]
        for (index, entry) in found.indexed {
            guard let entry else {
                refused.append(index)
                continue
            }
            bySeries["\(entry.study)/\(entry.series)", default: (entry.study, entry.series, [])].paths.append(
                entry.path)
        }
        let series = bySeries.values.map { entry in
            RepresentationPass.Series(
                paths: entry.paths.sorted(),
                folder: ((outputFolder as NSString).appendingPathComponent(entry.study)
                    as NSString).appendingPathComponent(entry.series))
        }
        let summary = pass.run(series, datasetCSV: (outputFolder as NSString).appendingPathComponent("dataset.csv"))
        return Result(summary: summary, refused: refused.sorted(), series: series.count)
    }
}
