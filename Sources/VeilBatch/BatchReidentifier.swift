import DICOMCore
import DICOMIO
import Deidentification
import Dispatch
import Foundation

/// Restores the original attributes of files de-identified in pseudonymize mode, from the vault
/// and the re-identification key. The output holds PHI again: it is written to a folder of its
/// own, named by the original UIDs, and each file has exactly the attributes its original had
/// wherever de-identification changed them (Pixel Data was never changed).
public struct BatchReidentifier: Sendable {
    public let outputFolder: String
    public let jobs: Int
    private let records: [String: SealedAttributes]
    private let key: ReidentificationKey

    public init(
        outputFolder: String, vaultPath: String, key: ReidentificationKey,
        jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(BatchError) {
        self.outputFolder = outputFolder
        self.jobs = jobs
        self.key = key
        records = try Vault.read(vaultPath, key: key)
    }

    public func run(
        inputs: [String], progress: @Sendable (BatchAnonymizer.Event) -> Void = { _ in }
    ) throws(BatchError) -> BatchSummary {
        let start = Date()
        progress(.discovered(fileCount: InputDiscovery.count(inputs), problems: 0))
        do { try AtomicFile.makeDirectories(outputFolder) } catch {
            throw BatchError("cannot create the output folder: \(error.message)")
        }
        let collector = Collector<FileOutcome>()
        InputDiscovery(inputs).forEach(jobs: jobs) { item in
            let outcome: FileOutcome
            switch item {
            case .file(let index, let path):
                outcome = process(path, index: index)
            case .problem(let index, let path, let reason):
                outcome = FileOutcome(
                    index: index, inputPath: path, inputID: "",
                    failure: BatchFileFailure.unreadableInput(reason))
            }
            collector.store(outcome, index: outcome.index)
            progress(.finished(outcome))
        }
        var counts = ManifestRecord.Counts()
        let outcomes = collector.inOrder
        for outcome in outcomes { counts.add(outcome.status, bytes: outcome.bytesRead) }
        do { try AtomicFile.synchronizeFileSystem(containing: outputFolder) } catch { throw BatchError(error.message) }
        return BatchSummary(
            counts: counts, outcomes: outcomes, seconds: Date().timeIntervalSince(start),
            manifestPath: nil, resumed: 0)
    }

    private func process(_ path: String, index: Int) -> FileOutcome {
        var outcome = FileOutcome(index: index, inputPath: path, inputID: "", status: .failed)
        let file: DICOMFile
        do {
            file = try DICOMFile(path: path)
        } catch {
            outcome.fail(BatchFileFailure.opening(error, path: path))
            return outcome
        }
        do {
            let object = try file.read()
            guard let instance = object.dataSet.string(.sopInstanceUID), let sealed = records[instance] else {
                outcome.fail(BatchFileFailure.notInVault)
                return outcome
            }
            let originals = try OriginalAttributes(opening: sealed, for: instance, key: key)
            let restored = originals.restore(into: object)
            let identifiers = OutputIdentifiers(
                studyInstanceUID: restored.dataSet.string(.studyInstanceUID) ?? "",
                seriesInstanceUID: restored.dataSet.string(.seriesInstanceUID) ?? "",
                sopInstanceUID: restored.dataSet.string(.sopInstanceUID) ?? "",
                sopClassUID: restored.dataSet.string(.sopClassUID) ?? "")
            let relative = OutputLayout.relativePath(for: identifiers)
            let destination = (outputFolder as NSString).appendingPathComponent(relative)
            try AtomicFile.makeDirectories((destination as NSString).deletingLastPathComponent)
            switch try file.write(restored, to: destination, ifExists: .keepIfIdentical, durable: false) {
            case .written: outcome.status = .written
            case .identicalFileExists: outcome.status = .unchanged
            }
            outcome.outputPath = relative
        } catch let error as DICOMIOError {
            outcome.fail(error)
        } catch {
            outcome.fail(BatchFileFailure.vaultRecord)
        }
        return outcome
    }
}
