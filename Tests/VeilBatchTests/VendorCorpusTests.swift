import Deidentification
import Foundation
import TestSupport
import Testing
import VeilBatch

/// The real-vendor regression corpus: every DICOM file of the toolkits' PyPI packages (pydicom,
/// pydicom-data, deid-data) and nibabel's scanner files, as they are. With the default profile:
/// no failure but those pinned below, each with its reason; no new dciodvfy error in any output;
/// Pixel Data byte for byte. With `--representations nifti`: every image where dcm2niix puts it.
@Suite struct VendorCorpusTests {
    /// Why inputs are not written, with how many. A change here is a change of behaviour on real
    /// files: look at it before updating the numbers.
    static let expectedReasons: [String: Int] = [
        "duplicate-sop-instance-uid": 67,  // the same instance in several transfer syntaxes or variants
        "malformed": 5,  // cut short, invalid VR, no Transfer Syntax UID, unterminated Pixel Data
        "missing-sop-instance-uid": 6,
        "burned-in-annotation": 2,
        "truncated": 1,  // nibabel's csa_slice_norm.dcm: a header without its pixels
        "not-dicom": 2,
        "media-directory": 2,
    ]

    static let corpus = TestPaths.testData.appendingPathComponent("corpus")

    /// The corpus de-identified into `folder`/out, two jobs, outcomes kept; `configure` adds options.
    static func anonymizeCorpus(
        into folder: URL, _ configure: (inout BatchConfiguration) -> Void = { _ in }
    ) throws -> (BatchConfiguration, BatchSummary) {
        var configuration = BatchConfiguration(
            outputFolder: folder.appendingPathComponent("out").path, key: TestKeys.primary)
        configuration.jobs = 2
        configuration.keepsOutcomes = true
        configure(&configuration)
        return (configuration, try BatchAnonymizer(configuration).run(inputs: [corpus.path]))
    }

    @Test(.temporaryFolder) func realFilesComeOutValidWithTheirPixels() throws {
        let folder = try TemporaryFolder.current.url
        let (configuration, summary) = try Self.anonymizeCorpus(into: folder)
        #expect(summary.outcomes.count == 169)

        var reasons: [String: Int] = [:]
        for outcome in summary.outcomes where outcome.status == .failed || outcome.status == .skipped {
            reasons[outcome.reason ?? "none", default: 0] += 1
        }
        #expect(reasons == Self.expectedReasons)

        let written = summary.outcomes.filter { $0.status == .written }
        #expect(written.count >= 80)
        let outputs = written.map { configuration.outputFolder + "/" + ($0.outputPath ?? "") }
        let facts = try DICOMFacts.read(written.map(\.inputPath) + outputs)
        for (outcome, output) in zip(written, outputs) {
            let name = String(outcome.inputPath.dropFirst(Self.corpus.path.count + 1))
            #expect(facts[output]?.pixelMD5 == facts[outcome.inputPath]?.pixelMD5, "\(name)")
            let new = try ExternalTool.newDciodvfyErrors(input: outcome.inputPath, output: output, scratch: folder)
            #expect(new.isEmpty, "\(name): \(new.sorted())")
        }
    }

    /// Inputs whose series dcm2niix reads differently, and why.
    static let dcm2niixDiffers: Set<String> = [
        // A single oblique CT slice in JPEG 2000 whose codestream says unsigned where the header
        // says signed: dcm2niix reads the codestream's sign and shears the slice for the tilt.
        "pydicom/J2K_pixelrep_mismatch.dcm"
    ]

    /// `--representations nifti --retain-safe-private` over the corpus, next to dcm2niix over the
    /// de-identified outputs: every image Veil writes is one dcm2niix writes for the series (3-D,
    /// or 4-D for the Siemens diffusion mosaics), at the same world coordinates with the same
    /// voxels; every series dcm2niix converts and Veil does not is said, with its reason.
    @Test(.temporaryFolder) func volumesAreDcm2niixsInWorldCoordinates() throws {
        try ExternalTool.require("dcm2niix", package: "dcm2niix")
        let folder = try TemporaryFolder.current.url
        let (configuration, summary) = try Self.anonymizeCorpus(into: folder) { configuration in
            configuration.profile = DeidentificationProfile(options: [.retainSafePrivate])
            configuration.representations = [.nifti]
        }
        #expect(summary.representationFailures.isEmpty, "\(summary.representationFailures)")

        let reference = folder.appendingPathComponent("dcm2niix")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        let convert = try ExternalTool.run(
            "dcm2niix", ["-b", "n", "-z", "y", "-f", "%j", "-o", reference.path, configuration.outputFolder])
        // dcm2niix fails on some files (JPEG 2000 in fragments, 16-bit JPEG) and says so in its status.
        let converted = try FileManager.default.contentsOfDirectory(atPath: reference.path)
        try #require(converted.count >= 20, "\(convert.standardError.suffix(300))")
        let compare = try ExternalTool.run(
            "python3",
            [
                TestPaths.repository.appendingPathComponent("Scripts/testing/compare-with-dcm2niix.py").path,
                configuration.outputFolder, reference.path,
            ],
            environment: ["PYTHONPATH": TestPaths.testData.appendingPathComponent("python").path])
        try #require(compare.status == 0, "\(compare.standardError)")
        struct Match: Decodable {
            var image: String
            var worldDistance: Double?
            var voxelDifference: Double?
        }
        struct Series: Decodable {
            var veil: [[Int]]
            var dcm2niix: [[Int]]
            var matches: [Match]
        }
        let series = try JSONDecoder().decode([String: Series].self, from: compare.standardOutputBytes)
        // Input names by output series, to name what differs.
        var inputs: [String: [String]] = [:]
        for outcome in summary.outcomes where outcome.status == .written {
            let seriesUID = ((outcome.outputPath ?? "") as NSString).deletingLastPathComponent
            inputs[(seriesUID as NSString).lastPathComponent, default: []].append(
                String(outcome.inputPath.dropFirst(Self.corpus.path.count + 1)))
        }
        var matched = 0
        var fourD = 0
        for (uid, one) in series {
            let names = Set(inputs[uid] ?? [])
            if !one.dcm2niix.isEmpty, one.veil.isEmpty {
                #expect(
                    summary.representationWarnings.contains { $0.contains(uid) && $0.contains("no volume: ") },
                    "\(names.sorted()): dcm2niix converts the series, Veil says nothing")
            }
            for match in one.matches where names.isDisjoint(with: Self.dcm2niixDiffers) {
                #expect(
                    (match.worldDistance ?? .infinity) < 0.01 && (match.voxelDifference ?? .infinity) < 1e-3,
                    "\(names.sorted()) \(match.image): \(String(describing: match.worldDistance)) mm, \(String(describing: match.voxelDifference))"
                )
                matched += 1
            }
            fourD += one.veil.filter { $0.count == 4 }.count
        }
        #expect(matched >= 13)
        #expect(fourD == 1, "the Siemens diffusion series as one 4-D image")
    }
}
