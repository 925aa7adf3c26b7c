import Foundation
import Representations
import TestSupport
import Testing
import VeilBatch
import Volumes

/// Veil's NIfTI against dcm2niix's on the same series, both read by nibabel: the same affine
/// (within 1e-3 mm), the same voxel values, no text in the header, no extensions.
@Suite struct NIfTIImageTests {
    static let cases = [
        "shuffled-instance-numbers", "oblique", "sagittal-with-localizer", "coronal", "per-slice-rescale",
        "enhanced-multiframe", "dynamic", "enhanced-temporal",
    ]

    struct Comparison: Decodable {
        var affineDifference: Double
        var sformQformDifference: Double
        var sameShape: Bool
        var valueDifference: Double?
        var textFields: [String]
        var extensions: Int
    }

    @Test(.temporaryFolder, arguments: cases)
    func matchesDcm2niix(name: String) throws {
        try ExternalTool.require("dcm2niix", package: "dcm2niix")
        let series = try VolumeCases.folder(name)
        let folder = try TemporaryFolder.current
        let files = try TestPaths.dicomFiles(in: series).map(\.path)
        // Time points of one grid: one 4-D image, as dcm2niix writes it.
        let image = try #require(TimeSeries.group(try SeriesReader.volumes(paths: files)).first)
        let veil = folder.file("veil.nii.gz")
        try Data(try NIfTIImage.encodeCompressed(image)).write(to: veil)
        // dcm2niix: no sidecar, uncompressed; a localizer, if any, goes to a second file.
        let reference = folder.file("reference")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        let run = try ExternalTool.run(
            "dcm2niix", ["-b", "n", "-z", "n", "-f", "reference", "-o", reference.path, series.path])
        try #require(run.status == 0, "\(run.standardOutput.suffix(300))")
        let produced = try FileManager.default.contentsOfDirectory(atPath: reference.path).filter {
            $0.hasSuffix(".nii")
        }.sorted()
        let main = try #require(produced.first, "dcm2niix wrote nothing")
        let compare = try ExternalTool.run(
            "python3",
            [
                TestPaths.repository.appendingPathComponent("Scripts/testing/compare-nifti.py").path,
                veil.path, reference.appendingPathComponent(main).path,
            ],
            environment: ["PYTHONPATH": TestPaths.testData.appendingPathComponent("python").path])
        try #require(compare.status == 0, "\(compare.standardError.suffix(500))")
        let result = try JSONDecoder().decode(Comparison.self, from: compare.standardOutputBytes)
        #expect(result.affineDifference < 1e-3)
        #expect(result.sformQformDifference < 1e-3)
        #expect(result.sameShape)
        // dcm2niix applies one rescale to every frame of an enhanced image (its frames here have
        // their own); Veil's values for it are checked against the truth in VolumeAssemblyTests.
        if name != "enhanced-multiframe" { #expect((result.valueDifference ?? .infinity) < 1e-3) }
        #expect(result.textFields.isEmpty && result.extensions == 0)
    }

    /// The same volume gives the same bytes.
    @Test func isReproducible() throws {
        let files = try TestPaths.dicomFiles(in: VolumeCases.folder("oblique")).map(\.path)
        let volume = try #require(try SeriesReader.volumes(paths: files).first)
        #expect(try NIfTIImage.encodeCompressed(volume) == (try NIfTIImage.encodeCompressed(volume)))
        #expect(try QARender.png(of: volume, isCT: true) == (try QARender.png(of: volume, isCT: true)))
    }
}
