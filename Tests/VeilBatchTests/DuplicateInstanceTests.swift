import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

@testable import VeilBatch

/// Inputs sharing a SOP Instance UID end the same way whatever order they are processed in:
/// the one first in input order is written; identical ones are unchanged; different ones fail.
@Suite struct DuplicateInstanceTests {
    /// `0-variant.dcm` (the CT with another Slice Thickness), then two exact copies of the CT.
    static func makeInputs(in folder: URL) throws -> [URL] {
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let source = TestPaths.plantedCorpus.appendingPathComponent("00-pydicom-CT_small.dcm")
        let names = ["0-variant.dcm", "1-copy.dcm", "2-copy.dcm"]
        for name in names {
            try FileManager.default.copyItem(at: source, to: inputs.appendingPathComponent(name))
        }
        try ExternalTool.require("dcmodify", package: "dcmtk")
        let edit = try ExternalTool.run(
            "dcmodify", ["-nb", "-m", "(0018,0050)=9.5", inputs.appendingPathComponent(names[0]).path])
        try #require(edit.status == 0, "\(edit.standardError)")
        return names.map { inputs.appendingPathComponent($0) }
    }

    static func records(_ manifest: URL) throws -> [ManifestRecord.File] {
        try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n").dropFirst().map {
            try JSONDecoder().decode(ManifestRecord.File.self, from: Data($0.utf8))
        }.sorted { $0.index < $1.index }
    }

    static let orders: [[Int]] = {
        func permutations(_ items: [Int]) -> [[Int]] {
            guard items.count > 1 else { return [items] }
            return items.indices.flatMap { index in
                var rest = items
                let first = rest.remove(at: index)
                return permutations(rest).map { [first] + $0 }
            }
        }
        return permutations([0, 1, 2, 3])
    }()

    /// Inputs 0 and 3 are the variant, 1 and 2 the CT. In every processing order: the variant
    /// (first in input order) is the output; 1 and 2 fail naming input #0; the records of those
    /// displaced by a later-arriving input #0 are amended.
    @Test(.temporaryFolder, arguments: orders)
    func firstInInputOrderWinsWhateverTheOrder(order: [Int]) throws {
        let folder = try TemporaryFolder.current.url
        var inputs = try Self.makeInputs(in: folder)
        let variantCopy = folder.appendingPathComponent("in/3-variant.dcm")
        try FileManager.default.copyItem(at: inputs[0], to: variantCopy)
        inputs.append(variantCopy)
        let output = folder.appendingPathComponent("out")
        let configuration = BatchConfiguration(outputFolder: output.path, key: TestKeys.primary)
        let header = BatchAnonymizer(configuration).makeHeader(start: Date())
        let recorder = try RunRecorder(configuration: configuration, header: header, start: Date())
        let processor = FileProcessor(configuration: configuration, vault: nil, owners: recorder.owners)
        for index in order {
            guard
                case .outcome(let outcome) = processor.process(inputs[index].path, index: index, inputID: "in\(index)")
            else {
                Issue.record("no outcome for input \(index)")
                continue
            }
            recorder.record(outcome)
        }
        let summary = try recorder.finish(header: header)
        #expect(summary.counts.inputs == 4 && summary.counts.failed == 2)
        #expect(summary.counts.written + summary.counts.unchanged == 2)
        let records = try Self.records(output.appendingPathComponent("manifest.jsonl"))
        #expect(records.map(\.index) == [0, 1, 2, 3])
        #expect(records.allSatisfy { $0.type == "file" })
        #expect(Set([records[0].status, records[3].status]) == [.written, .unchanged])
        for loser in [records[1], records[2]] {
            #expect(loser.status == .failed && loser.reason == "duplicate-sop-instance-uid")
            #expect(loser.message?.contains("input #0,") == true, "\(loser.message ?? "")")
        }

        // The output is the variant's, byte for byte.
        let alone = folder.appendingPathComponent("alone")
        var single = BatchConfiguration(outputFolder: alone.path, key: TestKeys.primary)
        single.jobs = 1
        _ = try BatchAnonymizer(single).run(inputs: [inputs[0].path])
        let written = try #require(records[0].output)
        #expect(
            try Data(contentsOf: output.appendingPathComponent(written))
                == Data(contentsOf: alone.appendingPathComponent(written)))
    }

    /// In input order (one job), identical copies are unchanged and name the input they equal.
    @Test(.temporaryFolder) func identicalCopiesAreUnchanged() throws {
        let folder = try TemporaryFolder.current.url
        let inputs = try Self.makeInputs(in: folder)
        let output = folder.appendingPathComponent("out")
        var configuration = BatchConfiguration(outputFolder: output.path, key: TestKeys.primary)
        configuration.jobs = 1
        _ = try BatchAnonymizer(configuration).run(inputs: [inputs[1].path, inputs[2].path])
        let records = try Self.records(output.appendingPathComponent("manifest.jsonl"))
        #expect(records.map(\.status) == [.written, .unchanged])
        #expect(records[1].message == "duplicate SOP Instance UID of input #0 (identical after de-identification)")
    }

    /// `--jobs 1` and `--jobs 4` give the same bytes and the same records.
    @Test(.temporaryFolder) func sameResultWhateverTheJobs() throws {
        let folder = try TemporaryFolder.current.url
        let inputs = try Self.makeInputs(in: folder)
        // Later copies of the variant and the CT, so that workers meet them in every order.
        for (offset, source) in [inputs[1], inputs[0], inputs[2], inputs[0]].enumerated() {
            try FileManager.default.copyItem(
                at: source, to: inputs[0].deletingLastPathComponent().appendingPathComponent("\(offset + 3)-more.dcm"))
        }
        var results: [(files: [String: Data], records: [String])] = []
        for (run, jobs) in [1, 4, 4, 4].enumerated() {
            let output = folder.appendingPathComponent("out\(run)")
            var configuration = BatchConfiguration(outputFolder: output.path, key: TestKeys.primary)
            configuration.jobs = jobs
            _ = try BatchAnonymizer(configuration).run(inputs: [inputs[0].deletingLastPathComponent().path])
            var files: [String: Data] = [:]
            for relative in try GeneratedCorpus.dicomFiles(under: output) {
                files[relative] = try Data(contentsOf: output.appendingPathComponent(relative))
            }
            let records = try Self.records(output.appendingPathComponent("manifest.jsonl")).map {
                "\($0.index) \($0.status) \($0.reason ?? "") \($0.message ?? "") \($0.output ?? "")"
            }
            results.append((files, records))
        }
        for result in results.dropFirst() {
            #expect(result.files == results[0].files)
            #expect(result.records == results[0].records)
        }
        #expect(results[0].records.filter { $0.contains("duplicate-sop-instance-uid") }.count == 4)
    }
}
