import DICOMCore
import DICOMIO
import Deidentification
import Foundation
import Representations
import Volumes

/// What `--representations` writes beside each series' de-identified DICOM.
public enum Representation: String, Sendable, CaseIterable {
    /// volume.nii.gz and volume.json (several stacks: volume-1, volume-2, …).
    case nifti
    /// qa.png: mid-slices, a projection and front and side surface renders.
    case png
}

/// The last pass of a batch with `--representations`: reads back each series' de-identified (and
/// defaced) outputs, never the inputs, and writes its NIfTI, JSON sidecar and QA picture in the
/// series folder, named by nothing but the pseudonymous UIDs of the folders.
struct RepresentationPass {
    let configuration: BatchConfiguration

    /// Output paths (relative) by de-identified Series Instance UID. Returns one message per series
    /// whose representations could not be written (pseudonymous UIDs only).
    func run(_ outputs: [(series: String, path: String)]) -> (written: Int, failures: [String]) {
        var bySeries: [String: [String]] = [:]
        for output in outputs { bySeries[output.series, default: []].append(output.path) }
        var written = 0
        var failures: [String] = []
        for series in bySeries.keys.sorted() {
            let paths = Set(bySeries[series]!).sorted().map { (configuration.outputFolder as NSString).appendingPathComponent($0) }
            do {
                written += try write(series: paths)
            } catch {
                failures.append("series \(series): representations not written: \(error)")
            }
        }
        return (written, failures)
    }

    /// Files written for one series.
    private func write(series paths: [String]) throws -> Int {
        let volumes = try VolumeLoader.load(paths: paths)
        guard !volumes.isEmpty else { return 0 }
        let folder = (paths[0] as NSString).deletingLastPathComponent
        var count = 0
        for (index, volume) in volumes.enumerated() {
            guard let first = volume.layout.slices.compactMap({ $0 }).first else { continue }
            let dataSet = try DICOMFile(path: paths[first.source]).read().dataSet
            let isCT = dataSet.string(DICOMTag(0x0008, 0x0060))?.uppercased() == "CT"
            let name = volumes.count == 1 ? "volume" : "volume-\(index + 1)"
            var files: [(String, [UInt8])] = []
            if configuration.representations.contains(.nifti) {
                files.append(("\(name).nii.gz", try NIfTIImage.encodeCompressed(volume)))
                files.append(("\(name).json", try Sidecar.json(for: volume, dataSet: dataSet, version: Veil.version)))
            }
            if configuration.representations.contains(.png) {
                files.append((volumes.count == 1 ? "qa.png" : "qa-\(index + 1).png", try QARender.png(of: volume, isCT: isCT)))
            }
            for (file, bytes) in files {
                try Data(bytes).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(file)), options: .atomic)
                count += 1
            }
        }
        return count
    }
}
