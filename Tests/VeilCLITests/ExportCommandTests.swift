import Foundation
import TestSupport
import Testing

/// `--representations` and `veil export` over the planted corpus: NIfTI, sidecars, QA pictures and
/// dataset.csv carry none of the planted PHI, in their bytes or their paths; raw DICOM is refused.
@Suite struct ExportCommandTests {
    /// A real Siemens diffusion series of two mosaics (b = 0 and 1000, nibabel's test files):
    /// unpacked into the 128×128×48×2 image dcm2niix makes of it, at the same world coordinates.
    /// Number of Images in Mosaic is a private element: kept with --retain-safe-private.
    @Test(.temporaryFolder) func mosaicIsUnpackedAsDcm2niixDoes() throws {
        let folder = try TemporaryFolder.current.url
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        for b in ["0", "1000"] {
            let source = TestPaths.testData.appendingPathComponent(
                "python/nibabel/nicom/tests/data/siemens_dwi_\(b).dcm.gz")
            let unzip = try ExternalTool.run("gunzip", ["-c", source.path])
            try #require(unzip.status == 0)
            try unzip.standardOutputBytes.write(to: inputs.appendingPathComponent("dwi-\(b).dcm"))
        }
        let key = folder.appendingPathComponent("k.key").path
        _ = try ExternalTool.run(Binaries.veil, ["keygen", key])
        let output = folder.appendingPathComponent("out")
        let run = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", inputs.path, "-o", output.path, "--key-file", key, "--retain-safe-private",
                "--representations", "nifti",
            ])
        #expect(run.status == 0, "\(run.standardError)")
        let volume = try #require(
            try FileManager.default.subpathsOfDirectory(atPath: output.path).first { $0.hasSuffix("volume.nii.gz") })
        try ExternalTool.require("dcm2niix", package: "dcm2niix")
        let reference = folder.appendingPathComponent("dcm2niix")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        let convert = try ExternalTool.run(
            "dcm2niix", ["-z", "y", "-f", "reference", "-o", reference.path, inputs.path])
        try #require(convert.status == 0, "\(convert.standardError)")
        let compare = try ExternalTool.run(
            "python3",
            [
                TestPaths.repository.appendingPathComponent("Scripts/testing/compare-volumes.py").path,
                output.appendingPathComponent(volume).path, reference.appendingPathComponent("reference.nii.gz").path,
            ],
            environment: ["PYTHONPATH": TestPaths.testData.appendingPathComponent("python").path])
        try #require(compare.status == 0, "\(compare.standardError)")
        struct Comparison: Decodable {
            var shapeA: [Int]
            var shapeB: [Int]
            var worldDistance: Double
            var voxelDifference: Double?
        }
        let result = try JSONDecoder().decode(Comparison.self, from: compare.standardOutputBytes)
        #expect(result.shapeA == [128, 128, 48, 2] && result.shapeA == result.shapeB)
        #expect(result.worldDistance < 0.01, "voxels \(result.worldDistance) mm from dcm2niix's")
        #expect(result.voxelDifference == 0)
    }

    /// Mosaics that cannot be unpacked (nibabel's resampled test files, whose tiles do not divide
    /// the mosaic) are not written as one wrong 2-D "volume": the series gets none, and stderr
    /// says why.
    @Test(.temporaryFolder) func mosaicIsReportedNotMisassembled() throws {
        let folder = try TemporaryFolder.current.url
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let data = TestPaths.testData.appendingPathComponent("python/nibabel/nicom/tests/data")
        for name in ["0.dcm", "1.dcm"] {
            try FileManager.default.copyItem(
                at: data.appendingPathComponent(name), to: inputs.appendingPathComponent(name))
        }
        let key = folder.appendingPathComponent("k.key").path
        _ = try ExternalTool.run(Binaries.veil, ["keygen", key])
        let output = folder.appendingPathComponent("out")
        let run = try ExternalTool.run(
            Binaries.veil,
            ["anonymize", inputs.path, "-o", output.path, "--key-file", key, "--representations", "nifti"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("no volume: Siemens mosaic images"))
        let files = try FileManager.default.subpathsOfDirectory(atPath: output.path)
        #expect(!files.contains { $0.hasSuffix(".nii.gz") })
    }

    @Test(.temporaryFolder) func representationsCarryNoPHI() throws {
        let corpus = try PlantedCorpus.load()
        let folder = try TemporaryFolder.current
        let key = folder.file("project.key").path
        _ = try ExternalTool.run(Binaries.veil, ["keygen", key])
        let deidentified = folder.file("deidentified")
        // Dates shifted and patient characteristics kept: the most the sidecars and the CSV may show.
        let anonymize = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", TestPaths.plantedCorpus.path, "-o", deidentified.path, "--key-file", key,
                "--retain-longitudinal", "modified", "--retain-patient-characteristics", "--representations",
                "nifti,png",
            ])
        #expect([0, 1].contains(anonymize.status), "\(anonymize.standardError.suffix(400))")

        let exported = folder.file("exported")
        let export = try ExternalTool.run(Binaries.veil, ["export", deidentified.path, "-o", exported.path])
        #expect(export.status == 0, "\(export.standardError.suffix(400))")

        let scanner = corpus.scanner()
        for root in [deidentified, exported] {
            let files = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter {
                $0.hasSuffix(".nii.gz") || $0.hasSuffix(".json") || $0.hasSuffix(".png") || $0.hasSuffix(".csv")
            }
            #expect(files.filter { $0.hasSuffix(".nii.gz") }.count >= 5)
            #expect(files.contains("dataset.csv"))
            for file in files {
                var bytes = try Data(contentsOf: root.appendingPathComponent(file))
                if file.hasSuffix(".gz") { bytes = try Self.gunzip(root.appendingPathComponent(file)) }
                #expect(scanner.findings(in: bytes).isEmpty, "\(file): \(scanner.findings(in: bytes).sorted())")
                #expect(scanner.findings(in: Data(file.utf8)).isEmpty)
            }
        }
        // Exports of the same outputs are identical, byte for byte.
        let again = folder.file("again")
        _ = try ExternalTool.run(Binaries.veil, ["export", deidentified.path, "-o", again.path])
        for file in try FileManager.default.subpathsOfDirectory(atPath: exported.path)
        where file.hasSuffix(".png") || file.hasSuffix(".gz") {
            #expect(
                try Data(contentsOf: exported.appendingPathComponent(file))
                    == Data(contentsOf: again.appendingPathComponent(file)))
        }
    }

    @Test(.temporaryFolder) func rawDICOMIsRefused() throws {
        let folder = try TemporaryFolder.current
        let run = try ExternalTool.run(
            Binaries.veil, ["export", TestPaths.sampleScans.path, "-o", folder.file("out").path])
        #expect(run.status == 1)
        #expect(run.standardError.contains("refused"))
        let written = try FileManager.default.subpathsOfDirectory(atPath: folder.file("out").path)
        #expect(!written.contains { $0.hasSuffix(".nii.gz") || $0.hasSuffix(".png") })
    }

    static func gunzip(_ url: URL) throws -> Data {
        let run = try ExternalTool.run("gzip", ["-dc", url.path])
        return run.standardOutputBytes
    }
}
