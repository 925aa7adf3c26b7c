import DICOMCore
import DICOMIO
import Deidentification
import Foundation
import TestSupport
import Testing
import VeilBatch

/// Pseudonymize mode keeps the originals in an encrypted vault; re-identification restores them.
@Suite struct ReidentificationTests {
    static let reidentificationKey = try! ReidentificationKey(bytes: Array(repeating: 42, count: 32))

    @Test(.temporaryFolder) func reidentifiedFilesEqualTheOriginals() throws {
        let folder = try TemporaryFolder.current
        let vault = folder.file("vault.jsonl").path
        let run = try CorpusRun(key: TestKeys.primary, jobs: 2, into: "veil-corpus-pseudonymize") { configuration in
            configuration.mode = .pseudonymize(vaultPath: vault, key: Self.reidentificationKey)
            configuration.profile = DeidentificationProfile(options: [.cleanDescriptors, .retainSafePrivate])
        }
        let permissions = try FileManager.default.attributesOfItem(atPath: vault)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
        // The vault holds nothing readable: no planted string, not even encoded.
        #expect(run.corpus.scanner().findings(in: try Data(contentsOf: URL(fileURLWithPath: vault))).isEmpty)
        // The de-identified output is as clean as in anonymize mode.
        #expect(try run.corpus.scanner().scanFolder(run.output).isEmpty)

        let restored = folder.file("restored")
        let reidentifier = try BatchReidentifier(
            outputFolder: restored.path, vaultPath: vault, key: Self.reidentificationKey)
        let summary = try reidentifier.run(inputs: [run.output.path])
        #expect(summary.counts.failed == 0)
        #expect(summary.counts.written == run.summary.counts.written)

        for (input, _) in run.outputsByInput {
            let originalPath = run.inputs.appendingPathComponent(input).path
            let original = try DICOMFile(path: originalPath).read()
            let uid = try #require(original.dataSet.string(.sopInstanceUID))
            let study = try #require(original.dataSet.string(.studyInstanceUID))
            let series = original.dataSet.string(.seriesInstanceUID) ?? "unknown"
            let path = restored.appendingPathComponent("\(study)/\(series.isEmpty ? "unknown" : series)/\(uid).dcm")
                .path
            let back = try DICOMFile(path: path).read()
            #expect(Self.withoutBulk(back.dataSet) == Self.withoutBulk(original.dataSet), "\(input)")
            #expect(back.fileMeta.string(.mediaStorageSOPInstanceUID) == original.dataSet.string(.sopInstanceUID))
        }
    }

    @Test(.temporaryFolder) func refusesTheWrongKey() throws {
        let folder = try TemporaryFolder.current
        let vault = folder.file("vault.jsonl").path
        var configuration = BatchConfiguration(outputFolder: folder.file("out").path, key: TestKeys.primary)
        configuration.mode = .pseudonymize(vaultPath: vault, key: Self.reidentificationKey)
        _ = try BatchAnonymizer(configuration).run(inputs: [TestPaths.sampleScans.path])
        let other = try ReidentificationKey(bytes: Array(repeating: 43, count: 32))
        #expect(throws: BatchError.self) {
            try BatchReidentifier(outputFolder: folder.file("back").path, vaultPath: vault, key: other)
        }
    }

    @Test(.temporaryFolder) func keepsTheVaultOutOfTheOutput() throws {
        let folder = try TemporaryFolder.current
        var configuration = BatchConfiguration(outputFolder: folder.file("out").path, key: TestKeys.primary)
        configuration.mode = .pseudonymize(
            vaultPath: folder.file("out/vault.jsonl").path, key: Self.reidentificationKey)
        #expect(throws: BatchError.self) {
            try BatchAnonymizer(configuration).run(inputs: [TestPaths.sampleScans.path])
        }
    }

    /// Inputs sharing a SOP Instance UID: the output is the first's (the second either equals it
    /// after de-identification, or fails), and so are the originals the vault gives back; the
    /// second's must not take its place in the vault.
    @Test(.temporaryFolder, arguments: [false, true])
    func aDuplicateLeavesTheWrittenInputsOriginalsInTheVault(differentAfterDeidentification: Bool) throws {
        let folder = try TemporaryFolder.current
        let inputs = folder.file("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let source = TestPaths.plantedCorpus.appendingPathComponent("00-pydicom-CT_small.dcm")
        let (first, second) = (inputs.appendingPathComponent("0.dcm"), inputs.appendingPathComponent("1.dcm"))
        try FileManager.default.copyItem(at: source, to: first)
        try FileManager.default.copyItem(at: source, to: second)
        try ExternalTool.require("dcmodify", package: "dcmtk")
        // Another name (removed by de-identification); another slice thickness (kept) makes the
        // outputs differ.
        var edits = ["-nb", "-m", "(0010,0010)=OTHER^PATIENT"]
        if differentAfterDeidentification { edits += ["-m", "(0018,0050)=9.5"] }
        let edit = try ExternalTool.run("dcmodify", edits + [second.path])
        try #require(edit.status == 0, "\(edit.standardError)")

        let vault = folder.file("vault.jsonl").path
        var configuration = BatchConfiguration(outputFolder: folder.file("out").path, key: TestKeys.primary)
        configuration.mode = .pseudonymize(vaultPath: vault, key: Self.reidentificationKey)
        configuration.jobs = 1
        let summary = try BatchAnonymizer(configuration).run(inputs: [first.path, second.path])
        #expect(summary.counts.written == 1)
        #expect(summary.counts.failed == (differentAfterDeidentification ? 1 : 0))

        let restored = folder.file("restored")
        let back = try BatchReidentifier(outputFolder: restored.path, vaultPath: vault, key: Self.reidentificationKey)
            .run(inputs: [folder.file("out").path])
        #expect(back.counts.written == 1 && back.counts.failed == 0)
        let original = try DICOMFile(path: first.path).read()
        let files = try FileManager.default.subpathsOfDirectory(atPath: restored.path).filter { $0.hasSuffix(".dcm") }
        try #require(files.count == 1)
        let restoredFile = try DICOMFile(path: restored.appendingPathComponent(files[0]).path).read()
        #expect(restoredFile.dataSet.string(.patientName) == original.dataSet.string(.patientName))
        #expect(Self.withoutBulk(restoredFile.dataSet) == Self.withoutBulk(original.dataSet))
    }

    /// Bulk references depend on how a file was opened; compare their place and size only.
    static func withoutBulk(_ dataSet: DataSet) -> DataSet {
        DataSet(
            dataSet.elements.map { element in
                switch element.value {
                case .bulk(let reference):
                    DataElement(element.tag, element.vr, .bytes([UInt8(truncatingIfNeeded: reference.length)]))
                case .sequence(let items): DataElement(element.tag, items: items.map(withoutBulk))
                case .bytes: element
                }
            })
    }
}
