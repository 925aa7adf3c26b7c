import DICOMCore
import DICOMIO
import Deidentification
import Foundation
import Representations
import TextRedaction
import Volumes

/// What `--representations` writes beside each series' de-identified DICOM.
public enum Representation: String, Sendable, CaseIterable {
    /// volume.nii.gz and volume.json (several stacks: volume-1, volume-2, …).
    case nifti
    /// qa.png: mid-slices, a projection and front and side surface renders.
    case png
}

/// Writes representations of de-identified series: the last pass of a batch with
/// `--representations` (from its outputs, never its inputs), and `veil export` (from a folder that
/// is already de-identified). Per series, in its folder, named by nothing but pseudonymous UIDs:
/// volume.nii.gz and volume.json, and qa.png; for the whole set, dataset.csv with a k-anonymity
/// check.
public struct RepresentationPass: Sendable {
    public var representations: Set<Representation>
    public var k = 5
    public var suppressBelowK = false

    public init(representations: Set<Representation>) {
        self.representations = representations
    }

    /// De-identified files of one series, and the folder its representations go to.
    public struct Series: Sendable {
        public var paths: [String]
        public var folder: String
        /// Boxes masked by burned-in text cleaning, by path: outlined in the QA picture.
        public var maskedText: [String: [TextBox]]
        public init(paths: [String], folder: String, maskedText: [String: [TextBox]] = [:]) {
            self.paths = paths
            self.folder = folder
            self.maskedText = maskedText
        }
    }

    public struct Summary: Sendable {
        public var written = 0
        /// One message per series whose representations could not be written (pseudonymous UIDs only).
        public var failures: [String] = []
        /// What a user of a volume must know about its geometry (gantry tilt, uneven steps, gaps),
        /// one message per volume; also in its sidecar.
        public var warnings: [String] = []
        /// Series whose quasi-identifiers fewer than k patients share.
        public var belowK = 0
    }

    /// Writes every series' representations, then `datasetCSV` (when given).
    public func run(_ series: [Series], datasetCSV: String?) -> Summary {
        var summary = Summary()
        var rows: [DatasetTable.Row] = []
        for one in series.sorted(by: { $0.folder < $1.folder }) {
            do {
                let (count, row, warnings) = try write(one)
                summary.written += count
                summary.warnings += warnings
                if let row { rows.append(row) }
            } catch let error as VolumeError {
                // The reason only: a VolumeError's description names the file by its path.
                summary.failures.append(
                    "series \((one.folder as NSString).lastPathComponent): representations not written: \(error.reason)"
                )
            } catch {
                summary.failures.append(
                    "series \((one.folder as NSString).lastPathComponent): representations not written: \(error)")
            }
        }
        if let datasetCSV {
            let table = DatasetTable(rows: rows, k: k, suppress: suppressBelowK)
            summary.belowK = table.flaggedCount
            do {
                try Data(table.csv).write(to: URL(fileURLWithPath: datasetCSV), options: .atomic)
                summary.written += 1
            } catch {
                summary.failures.append("dataset.csv not written: \(error.localizedDescription)")
            }
        }
        return summary
    }

    /// The voxels of `volume` that burned-in text cleaning masked, or nil when none were.
    static func maskedVoxels(_ volume: Volume, _ series: Series) -> [Bool]? {
        let (ni, nj) = (volume.size.i, volume.size.j)
        var masked: [Bool]?
        for (k, slice) in volume.layout.slices.enumerated() {
            guard let slice, let boxes = series.maskedText[series.paths[slice.source]], !boxes.isEmpty else { continue }
            if masked == nil { masked = [Bool](repeating: false, count: volume.count) }
            for box in boxes {
                for j in max(0, box.y0)..<min(nj, box.y1) {
                    for i in max(0, box.x0)..<min(ni, box.x1) { masked![i + ni * (j + nj * k)] = true }
                }
            }
        }
        return masked
    }

    /// Files written for one series, its dataset row, and its volumes' warnings.
    private func write(_ series: Series) throws -> (Int, DatasetTable.Row?, [String]) {
        let (dataSets, acquired) = try SeriesReader.read(paths: series.paths)
        // Uneven steps: resampled, so that no voxel lies away from where its value was acquired.
        // Time points of one grid (dynamic, diffusion, mosaic files) make one 4-D image.
        let images = TimeSeries.group(acquired.map { $0.evenlySpaced() })
        let label = "series \((series.folder as NSString).lastPathComponent)"
        // Images that give no volume are said, not failed: projections, photographs and
        // ultrasound have no volume to give.
        if images.isEmpty, let reason = VolumeLoader.whyNoVolume(dataSets) {
            return (0, nil, ["\(label): no volume: \(reason)"])
        }
        var count = 0
        var row: DatasetTable.Row?
        var warnings: [String] = []
        try AtomicFile.makeDirectories(series.folder)
        for (index, image) in images.enumerated() {
            let volume = image[0]
            guard let first = volume.layout.slices.compactMap({ $0 }).first else { continue }
            let dataSet = dataSets[first.source]
            let isCT = dataSet.string(.modality)?.uppercased() == "CT"
            let defaced =
                dataSet.string(.recognizableVisualFeatures) == "NO"
                && (dataSet.items(.deidentificationMethodCodeSequence) ?? []).contains {
                    $0.string(.codeValue) == "113102"
                }
            if row == nil { row = DatasetTable.Row(dataSet: dataSet, size: volume.size, defaced: defaced) }
            let name = images.count == 1 ? "volume" : "volume-\(index + 1)"
            var imageWarnings: [VolumeWarning] = []
            for warning in image.flatMap(\.warnings) where !imageWarnings.contains(warning) {
                imageWarnings.append(warning)
            }
            if !imageWarnings.isEmpty {
                warnings.append("\(label) \(name): " + imageWarnings.map(\.description).joined(separator: "; "))
            }
            var files: [(String, [UInt8])] = []
            if representations.contains(.nifti) {
                // dcm2niix's time step: the repetition time, in seconds.
                let timeStep = (dataSet.double(.repetitionTime) ?? 0) / 1000
                files.append(("\(name).nii.gz", try NIfTIImage.encodeCompressed(image, timeStep: timeStep)))
                var sidecarVolume = volume
                sidecarVolume.warnings = imageWarnings
                files.append(
                    (
                        "\(name).json",
                        try Sidecar.json(
                            for: sidecarVolume, timePoints: image.count, dataSet: dataSet, version: Veil.version)
                    ))
            }
            if representations.contains(.png) {
                files.append(
                    (
                        images.count == 1 ? "qa.png" : "qa-\(index + 1).png",
                        try QARender.png(of: volume, isCT: isCT, masked: Self.maskedVoxels(volume, series))
                    ))
            }
            for (file, bytes) in files {
                try Data(bytes).write(
                    to: URL(fileURLWithPath: (series.folder as NSString).appendingPathComponent(file)), options: .atomic
                )
                count += 1
            }
        }
        return (count, row, warnings)
    }
}
