import Foundation
import TestSupport
import Testing
import VeilBatch

/// The real-vendor regression corpus: every DICOM file of the toolkits' PyPI packages (pydicom,
/// pydicom-data, deid-data) and nibabel's scanner files, as they are. With the default profile:
/// no failure but those pinned below, each with its reason; no new dciodvfy error in any output;
/// Pixel Data byte for byte.
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

    @Test(.temporaryFolder) func realFilesComeOutValidWithTheirPixels() throws {
        let folder = try TemporaryFolder.current.url
        let corpus = TestPaths.testData.appendingPathComponent("corpus")
        var configuration = BatchConfiguration(
            outputFolder: folder.appendingPathComponent("out").path, key: TestKeys.primary)
        configuration.jobs = 2
        configuration.keepsOutcomes = true
        let summary = try BatchAnonymizer(configuration).run(inputs: [corpus.path])
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
            let name = String(outcome.inputPath.dropFirst(corpus.path.count + 1))
            #expect(facts[output]?.pixelMD5 == facts[outcome.inputPath]?.pixelMD5, "\(name)")
            let new = try ExternalTool.newDciodvfyErrors(input: outcome.inputPath, output: output, scratch: folder)
            #expect(new.isEmpty, "\(name): \(new.sorted())")
        }
    }
}
