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
