import DICOMIO
import Deidentification
import Foundation
import TestSupport
import Testing
import VeilBatch

@Suite struct BatchBehaviourTests {
    /// Same inputs and key: byte-identical outputs, whatever the number of workers.
    @Test func outputsDependOnlyOnInputsAndKey() throws {
        let first = try CorpusRun.get()
        let second = try CorpusRun(key: TestKeys.primary, jobs: 1, into: "veil-corpus-jobs1")
        let firstFiles = try relativeFiles(first.output)
        #expect(firstFiles == (try relativeFiles(second.output)))
        for relative in firstFiles where relative.hasSuffix(".dcm") {
            let a = try Data(contentsOf: first.output.appendingPathComponent(relative))
            let b = try Data(contentsOf: second.output.appendingPathComponent(relative))
            #expect(a == b, "\(relative) differs between --jobs 2 and --jobs 1")
        }
    }

    @Test func anotherKeyGivesOtherUIDs() throws {
        let first = try CorpusRun.get()
        let other = try CorpusRun(key: TestKeys.other, jobs: 2, into: "veil-corpus-otherkey")
        let a = Set(try relativeFiles(first.output).filter { $0.hasSuffix(".dcm") })
        let b = Set(try relativeFiles(other.output).filter { $0.hasSuffix(".dcm") })
        #expect(a.count == b.count)
        #expect(a.isDisjoint(with: b))
    }

    /// A second run over the same inputs with the same key changes nothing.
    @Test(.temporaryFolder) func rerunIsANoOp() throws {
        let first = try CorpusRun.get()
        var configuration = BatchConfiguration(outputFolder: first.output.path, key: TestKeys.primary)
        configuration.manifestPath = try TemporaryFolder.current.file("manifest.jsonl").path
        let again = try BatchAnonymizer(configuration).run(inputs: [first.inputs.path])
        #expect(again.counts.written == 0)
        #expect(again.counts.unchanged == first.summary.counts.written + first.summary.counts.unchanged)
        #expect(again.counts.failed == first.summary.counts.failed)
    }

    /// A different DICOM file at an output path is never overwritten; a file that is not
    /// readable DICOM there is what an interrupted run left, and is replaced.
    @Test(.temporaryFolder) func neverOverwritesADifferentFileButReplacesDebris() throws {
        let folder = try TemporaryFolder.current
        let input = TestPaths.sampleScans.appendingPathComponent("CT-head-1.dcm").path
        let output = folder.file("out")
        var configuration = BatchConfiguration(outputFolder: output.path, key: TestKeys.primary)
        configuration.keepsOutcomes = true
        let first = try BatchAnonymizer(configuration).run(inputs: [input])
        let written = output.appendingPathComponent(try #require(first.outcomes.first?.outputPath))
        let original = try Data(contentsOf: written)

        let other = try Data(contentsOf: TestPaths.sampleScans.appendingPathComponent("CT-head-2.dcm"))
        try other.write(to: written)
        configuration.manifestPath = folder.file("second.jsonl").path
        let second = try BatchAnonymizer(configuration).run(inputs: [input])
        #expect(second.outcomes.first?.status == .failed)
        #expect(second.outcomes.first?.reason == "output-conflict")
        #expect(try Data(contentsOf: written) == other)

        try Data(original.prefix(300)).write(to: written)  // truncated, as after a power loss
        configuration.manifestPath = folder.file("third.jsonl").path
        let third = try BatchAnonymizer(configuration).run(inputs: [input])
        #expect(third.outcomes.first?.status == .written)
        #expect(try Data(contentsOf: written) == original)
    }

    @Test(.temporaryFolder) func refusesAnOutputInsideAnInput() throws {
        let folder = try TemporaryFolder.current
        try FileManager.default.createDirectory(at: folder.file("export"), withIntermediateDirectories: true)
        let configuration = BatchConfiguration(outputFolder: folder.file("export/out").path, key: TestKeys.primary)
        #expect(throws: BatchError.self) {
            try BatchAnonymizer(configuration).run(inputs: [folder.file("export").path])
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("export/out").path))
    }

    @Test(.temporaryFolder) func dryRunWritesNothing() throws {
        let folder = try TemporaryFolder.current
        var configuration = BatchConfiguration(outputFolder: folder.file("out").path, key: TestKeys.primary)
        configuration.dryRun = true
        configuration.keepsOutcomes = true
        let summary = try BatchAnonymizer(configuration).run(inputs: [TestPaths.sampleScans.path])
        #expect(summary.counts.written == 5)
        #expect(summary.outcomes.filter { $0.status == .written }.allSatisfy { !$0.actions.isEmpty })
        #expect(!FileManager.default.fileExists(atPath: folder.file("out").path))
    }

    /// Inputs are only read: their bytes and modification times stay as they were.
    @Test func inputsAreNeverModified() throws {
        let run = try CorpusRun.get()
        let after = try CorpusRun.snapshot(run.inputs)
        #expect(after.keys.sorted() == run.inputsBefore.keys.sorted())
        for (name, state) in run.inputsBefore {
            #expect(after[name] == state, "\(name) changed")
        }
    }

    private func relativeFiles(_ folder: URL) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".dcm")
        }.sorted()
    }
}
