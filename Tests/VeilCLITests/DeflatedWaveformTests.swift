import Foundation
import TestSupport
import Testing

/// A real ECG waveform (pydicom's test file) in Deflated Explicit VR Little Endian comes out
/// deflated, readable to its last byte, and with no dciodvfy error its input did not have.
@Suite struct DeflatedWaveformTests {
    @Test(.temporaryFolder) func deflatedWaveformStaysReadableAndValid() throws {
        let folder = try TemporaryFolder.current.url
        let input = folder.appendingPathComponent("in/ecg.dcm")
        try FileManager.default.createDirectory(
            at: input.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ExternalTool.require("dcmconv", package: "dcmtk")
        let source = TestPaths.testData.appendingPathComponent("corpus/pydicom/waveform_ecg.dcm").path
        let deflate = try ExternalTool.run("dcmconv", ["+td", source, input.path])
        try #require(deflate.status == 0, "\(deflate.standardError)")
        let output = folder.appendingPathComponent("out")
        let run = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", input.deletingLastPathComponent().path, "-o", output.path, "--key-file",
                try TestKey.path(), "--retain-longitudinal", "modified", "--clean-descriptors",
                "--clean-structured-content",
            ])
        try #require(run.status == 0, "\(run.standardError)")
        let written = output.appendingPathComponent(try #require(GeneratedCorpus.dicomFiles(under: output).first)).path
        let meta = try ExternalTool.run("dcmdump", ["-M", "+P", "TransferSyntaxUID", written])
        #expect(meta.standardOutput.contains("DeflatedLittleEndianExplicit"), "\(meta.standardOutput)")
        // Inflating reads the data set to its end: a truncated or mis-deflated stream fails here.
        let inflated = folder.appendingPathComponent("inflated.dcm").path
        let inflate = try ExternalTool.run("dcmconv", ["+te", written, inflated])
        #expect(inflate.status == 0, "\(inflate.standardError)")
        let new = try ExternalTool.newDciodvfyErrors(input: input.path, output: written, scratch: folder)
        #expect(new.isEmpty, "\(new)")
    }
}
