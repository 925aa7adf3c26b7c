import Foundation
import TestSupport
import Testing

/// Attributes whose Type 1C/2C condition the profile's actions change come out valid: dciodvfy
/// finds no error in the output that the input did not have.
@Suite struct ConditionalAttributeTests {
    /// A real CT with the Patient Module's animal attributes (Responsible Person, its Role,
    /// Responsible Organization) added, and an unreadable Study Date.
    func makeInput(in folder: URL, animal: Bool) throws -> URL {
        let input = folder.appendingPathComponent("in/ct.dcm")
        try FileManager.default.createDirectory(
            at: input.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: TestPaths.plantedCorpus.appendingPathComponent("00-pydicom-CT_small.dcm"), to: input)
        var edits = [
            "-i", "(0010,2297)=Hibbert^Julius", "-i", "(0010,2298)=OWNER", "-i", "(0010,2299)=Springfield Kennels",
            "-i", "(0008,0020)=2019.03.12",
        ]
        if animal { edits += ["-i", "(0010,2201)=Canine"] }
        try ExternalTool.require("dcmodify", package: "dcmtk")
        let run = try ExternalTool.run("dcmodify", ["-nb"] + edits + [input.path])
        try #require(run.status == 0, "\(run.standardError)")
        return input
    }

    @Test(.temporaryFolder, arguments: [false, true])
    func responsiblePersonAndDatesStayValid(animal: Bool) throws {
        let folder = try TemporaryFolder.current.url
        let input = try makeInput(in: folder, animal: animal)
        let output = folder.appendingPathComponent("out")
        let run = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", input.deletingLastPathComponent().path, "-o", output.path, "--key-file",
                try TestKey.path(),
                "--retain-longitudinal", "modified",
            ])
        try #require(run.status == 0, "\(run.standardError)")
        let written = try #require(GeneratedCorpus.dicomFiles(under: output).first)
        let outputPath = output.appendingPathComponent(written).path
        let new = try ExternalTool.newDciodvfyErrors(input: input.path, output: outputPath, scratch: folder)
        #expect(new.isEmpty, "\(new.sorted())")
        let dump = try ExternalTool.run(
            "dcmdump", ["+P", "0010,2297", "+P", "0010,2298", "+P", "0008,0020", outputPath])
        #expect(!dump.standardOutput.contains("(0010,2298)"), "Responsible Person Role without Responsible Person")
        #expect(dump.standardOutput.contains("(0008,0020)"), "Study Date (Type 2) must stay present")
        #expect(dump.standardOutput.contains("(0010,2297)") == animal)
        #expect(!dump.standardOutput.contains("Hibbert") && !dump.standardOutput.contains("2019"))
    }
}
