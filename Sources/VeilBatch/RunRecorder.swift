import DICOMIO
import Deidentification
import Foundation

/// Everything a batch writes besides the de-identified files: the manifest (a journal while the
/// run goes), the vault, the mapping file, quarantined copies, counts and checkpoints. Picks up
/// where an interrupted run with the same settings stopped.
final class RunRecorder: @unchecked Sendable {
    let configuration: BatchConfiguration
    let manifest: JournaledLog?
    let vault: Vault.Writer?
    let mapping: MappingWriter?
    private let start: Date
    private let lock = NSLock()
    private var counts = ManifestRecord.Counts()
    private var outcomes: [FileOutcome] = []
    private var doneBefore: Set<String> = []
    /// Resuming: outputs found identical were most likely written by the interrupted run, and an
    /// uninterrupted run would report them as written; outputs already reported in this run are
    /// duplicates, as in an uninterrupted run.
    private let resuming: Bool
    private var outputsThisRun: Set<String> = []
    private var stopped: String?
    private var sinceCheckpoint = 0
    private var lastCheckpoint = Date()
    private let resumed: Int
    /// Which input owns each output path (duplicates of a SOP Instance UID).
    let owners = OutputOwners()
    /// Inputs whose record amendments replaced, with the number of amendments: the final
    /// manifest holds the last one in place of the "file" record.
    private var amended: [Int: Int] = [:]

    init(configuration: BatchConfiguration, header: ManifestRecord.Header, start: Date) throws(BatchError) {
        self.configuration = configuration
        self.start = start
        guard !configuration.dryRun else {
            manifest = nil
            vault = nil
            mapping = nil
            resumed = 0
            resuming = false
            return
        }
        do { try AtomicFile.makeDirectories(configuration.outputFolder) } catch {
            throw BatchError("cannot create the output folder: \(error.message)")
        }
        let manifestPath =
            configuration.manifestPath
            ?? (configuration.outputFolder as NSString).appendingPathComponent("manifest.jsonl")

        // An interrupted run with the same settings left a journal: keep what its last checkpoint
        // covered, redo the rest.
        var carried: [[UInt8]] = []
        let previous = JournaledLog.readJournal(manifestPath + ".journal")
        resuming = previous != nil
        if let previous {
            try Self.checkCompatible(previous.header, with: header, key: configuration.key)
            // An amendment replaces the input's earlier record: the last record of an input counts.
            var latest: [Int: ManifestRecord.File] = [:]
            for line in previous.durable {
                guard let record = try? JSONDecoder().decode(ManifestRecord.File.self, from: Data(line)) else {
                    continue
                }
                doneBefore.insert(record.input)
                carried.append(line)
                if record.type == "amendment" || latest[record.index] == nil { latest[record.index] = record }
                if record.type == "amendment" { amended[record.index, default: 0] += 1 }
            }
            for record in latest.values.sorted(by: { $0.index < $1.index }) {
                counts.add(record.status, bytes: 0)
                if record.status == .written || record.status == .unchanged, let output = record.output {
                    owners.seed(
                        output, input: OutputOwners.Input(index: record.index, inputID: record.input),
                        status: record.status)
                }
            }
            Self.removeTemporaryFiles(in: configuration.outputFolder, owner: configuration.temporaryFileOwner)
        }
        resumed = carried.count

        do {
            manifest = try JournaledLog(path: manifestPath, header: ManifestWriter.encode(header), carriedOver: carried)
        } catch {
            throw BatchError("cannot write the manifest: \(error.message)")
        }
        if case .pseudonymize(let vaultPath, let key) = configuration.mode {
            let kept = JournaledLog.readJournal(vaultPath + ".journal")?.durable ?? []
            do { vault = try Vault.Writer(path: vaultPath, key: key, carriedOver: kept) } catch {
                throw BatchError("cannot write the vault: \(error.message)")
            }
        } else {
            vault = nil
        }
        if let mappingPath = configuration.mappingPath {
            let kept = JournaledLog.readJournal(mappingPath + ".journal")?.durable ?? []
            do { mapping = try MappingWriter(path: mappingPath, carriedOver: kept) } catch {
                throw BatchError("cannot write the mapping file: \(error.message)")
            }
        } else {
            mapping = nil
        }
        if let quarantine = configuration.quarantineFolder {
            do { try AtomicFile.makeDirectories(quarantine) } catch {
                throw BatchError("cannot create the quarantine folder: \(error.message)")
            }
        }
    }

    /// Why the run must stop (the output file system is full, a journal cannot be written), if it
    /// must. The journals are then left as they are, for the same command to resume.
    var stopReason: String? {
        lock.withLock { stopped } ?? manifest?.failure ?? vault?.failure ?? mapping?.failure
            ?? manifest?.spaceRunningOut ?? vault?.spaceRunningOut ?? mapping?.spaceRunningOut
    }

    func stop(because reason: String) {
        lock.withLock { if stopped == nil { stopped = reason } }
    }

    /// After a stop: flushes what was written and marks it durable, when the journals still can.
    func checkpointBeforeStopping() {
        if manifest?.failure == nil && vault?.failure == nil && mapping?.failure == nil { checkpoint() }
    }

    /// Whether an interrupted earlier run already completed this input.
    func isAlreadyDone(_ inputID: String) -> Bool {
        lock.withLock { doneBefore.contains(inputID) }
    }

    func record(_ reported: FileOutcome) {
        var outcome = reported
        // (A duplicate of another input's output says so in its message: left as it is.)
        if resuming, outcome.message == nil, outcome.status == .unchanged || outcome.status == .written,
            let output = outcome.outputPath
        {
            let first = lock.withLock { outputsThisRun.insert(output).inserted }
            outcome.status = first ? .written : .unchanged
        }
        manifest?.append(ManifestRecord.fileLine(from: outcome))
        for displaced in outcome.displaced { amend(displaced) }
        mapping?.record(outcome.replacements)
        if outcome.status == .failed, let quarantine = configuration.quarantineFolder {
            // A copy named by the manifest's id: the input path (and its patient names) stays out.
            // Regular files only: opening a named pipe would block the run forever, and a device
            // or socket has no content to keep.
            let copy = (quarantine as NSString).appendingPathComponent(outcome.inputID)
            var info = stat()
            if stat(outcome.inputPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                let source = URL(fileURLWithPath: outcome.inputPath).resolvingSymlinksInPath().path
                try? FileManager.default.removeItem(atPath: copy)
                try? FileManager.default.copyItem(atPath: source, toPath: copy)
            }
        }
        let checkpointDue: Bool = lock.withLock {
            counts.add(outcome.status, bytes: outcome.bytesRead)
            if configuration.keepsOutcomes { outcomes.append(outcome) }
            sinceCheckpoint += 1
            let due =
                sinceCheckpoint >= configuration.checkpointInterval.files
                || Date().timeIntervalSince(lastCheckpoint) >= configuration.checkpointInterval.seconds
            if due {
                sinceCheckpoint = 0
                lastCheckpoint = Date()
            }
            return due
        }
        if checkpointDue { checkpoint() }
    }

    /// Replaces the record of an input that a duplicate first in input order displaced.
    private func amend(_ replacement: FileOutcome) {
        manifest?.append(ManifestRecord.fileLine(from: replacement, type: "amendment"))
        lock.withLock {
            amended[replacement.index, default: 0] += 1
            if let previous = replacement.displacedStatus { counts.remove(previous) }
            counts.add(replacement.status, bytes: 0)
            if configuration.keepsOutcomes { outcomes.append(replacement) }
        }
    }

    /// Flushes the outputs so far to disk, then marks the journals: what came before is durable.
    private func checkpoint() {
        guard manifest != nil else { return }
        guard (try? AtomicFile.synchronizeFileSystem(containing: configuration.outputFolder)) != nil else { return }
        vault?.checkpoint()
        mapping?.checkpoint()
        manifest?.checkpoint()
    }

    func finish(header: ManifestRecord.Header) throws(BatchError) -> BatchSummary {
        var notListedInDICOMDIR = 0
        let end = Date()
        var finalHeader = header
        let finalCounts = lock.withLock { counts }
        finalHeader.endTime = BatchAnonymizer.timestamp(end)
        finalHeader.counts = finalCounts
        if let manifest {
            // Outputs were not flushed one by one; the manifest is written once they are on disk.
            do { try AtomicFile.synchronizeFileSystem(containing: configuration.outputFolder) } catch {
                throw BatchError(error.message)
            }
            do {
                try vault?.finish()
                try mapping?.finish()
                let amendedInputs = lock.withLock { amended }
                try manifest.finish(header: ManifestWriter.encode(finalHeader), amended: amendedInputs)
            } catch {
                throw BatchError("cannot write the manifest, vault or mapping: \(error.message)")
            }
            if configuration.writesDICOMDIR {
                notListedInDICOMDIR = try DICOMDIRWriter.write(
                    outputFolder: configuration.outputFolder, manifest: manifest.path)
            }
        }
        // An amended input's replacement record was appended after its first one: the last counts.
        let kept = lock.withLock {
            var byIndex: [Int: FileOutcome] = [:]
            for outcome in outcomes {
                if let kept = byIndex[outcome.index], kept.displacedStatus != nil, outcome.displacedStatus == nil {
                    continue  // the input's own outcome, recorded after its amendment
                }
                byIndex[outcome.index] = outcome
            }
            return byIndex.values.sorted { $0.index < $1.index }
        }
        return BatchSummary(
            counts: finalCounts, outcomes: kept, seconds: end.timeIntervalSince(start),
            manifestPath: manifest?.path, resumed: resumed, notListedInDICOMDIR: notListedInDICOMDIR)
    }

    /// A journal from a run with other settings cannot be continued: its outputs would not match.
    private static func checkCompatible(
        _ previous: [UInt8], with header: ManifestRecord.Header,
        key: DeidentificationKey
    ) throws(BatchError) {
        guard let old = try? JSONDecoder().decode(ManifestRecord.Header.self, from: Data(previous)) else {
            throw BatchError("the output folder holds a damaged manifest journal; remove it or choose another output")
        }
        if key.isEphemeral || old.ephemeralKey {
            throw BatchError(
                "an interrupted run left a manifest journal, and without --key-file it cannot be resumed: "
                    + "remove the output folder and start again")
        }
        guard old.keyFingerprint == header.keyFingerprint, old.profile == header.profile, old.mode == header.mode,
            old.shard == header.shard, old.version == header.version
        else {
            throw BatchError(
                "an interrupted run with other settings left a manifest journal in the output folder; "
                    + "run the same command to resume it, or choose another output")
        }
    }

    /// Temporary files of writes the interruption cut short. Shards of one batch can share the
    /// output folder while others still run: only this run's own (by owner) are removed.
    private static func removeTemporaryFiles(in folder: String, owner: String) {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return }
        for case let relative as String in enumerator where relative.hasSuffix(".partial") {
            let name = (relative as NSString).lastPathComponent
            if AtomicFile.temporaryFileOwner(of: name) == owner {
                unlink((folder as NSString).appendingPathComponent(relative))
            }
        }
    }
}

extension ManifestRecord.Counts {
    /// Takes back an input's count, when an amendment replaces its record.
    mutating func remove(_ status: FileOutcome.Status) {
        inputs -= 1
        switch status {
        case .written: written -= 1
        case .unchanged: unchanged -= 1
        case .skipped: skipped -= 1
        case .failed: failed -= 1
        }
    }

    mutating func add(_ status: FileOutcome.Status, bytes: UInt64) {
        inputs += 1
        bytesRead += bytes
        switch status {
        case .written: written += 1
        case .unchanged: unchanged += 1
        case .skipped: skipped += 1
        case .failed: failed += 1
        }
    }
}
