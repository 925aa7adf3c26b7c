import DICOMCore
import DICOMIO
import Deidentification
import Dispatch
import Foundation
import TextRedaction

/// De-identifies folders of DICOM files: a PACS export in, a folder of de-identified files and an
/// audit manifest out.
///
/// ```swift
/// let key = try DeidentificationKey(contentsOf: "project.key")
/// var configuration = BatchConfiguration(outputFolder: "/data/deid", key: key)
/// configuration.jobs = 4
/// let summary = try BatchAnonymizer(configuration).run(inputs: ["/data/export"]) { event in
///     if case .finished(let outcome) = event { print(outcome.status) }
/// }
/// print(summary.counts.written, "written,", summary.counts.failed, "failed")
/// ```
///
/// Inputs are only read, one at a time as the folders are walked: memory does not grow with the
/// number of files. Each output is written atomically and never replaces a different, readable
/// file. The manifest is kept as a journal while the run goes, with checkpoints after which the
/// outputs so far are known to be on disk; running the same command again after an interruption
/// (a crash, kill -9, a power loss) keeps what the last checkpoint covered, redoes the rest, and
/// ends with the same outputs and manifest records as an uninterrupted run.
public struct BatchAnonymizer: Sendable {
    public let configuration: BatchConfiguration
    /// Names inputs in the manifest by a keyed hash of their path.
    private let keyed: KeyedIdentifiers

    public init(_ configuration: BatchConfiguration) {
        self.configuration = configuration
        self.keyed = KeyedIdentifiers(key: configuration.key)
    }

    /// Progress, reported from worker threads.
    public enum Event: Sendable {
        /// The inputs were counted (before any is processed), for progress bars.
        case discovered(fileCount: Int, problems: Int)
        /// One file is done.
        case finished(FileOutcome)
    }

    /// Processes every file under `inputs`. Throws only for problems that stop the whole run
    /// (an output folder that cannot be created, a manifest that cannot be written, a journal
    /// left by a run with other settings); a bad input file is a failed outcome, never an error.
    public func run(inputs: [String], progress: @Sendable (Event) -> Void = { _ in }) throws(BatchError) -> BatchSummary
    {
        try validate(inputs: inputs)
        let start = Date()
        progress(.discovered(fileCount: InputDiscovery.count(inputs), problems: 0))

        let header = makeHeader(start: start)
        let recorder = try RunRecorder(configuration: configuration, header: header, start: start)
        // Outputs by series, for the representations written after every file is done.
        let outputs = Collector<(series: String, path: String, maskedText: [TextBox])>()
        let wantsRepresentations = !configuration.representations.isEmpty && !configuration.dryRun
        @Sendable func report(_ event: Event) {
            if wantsRepresentations, case .finished(let outcome) = event,
                outcome.status == .written || outcome.status == .unchanged,
                let series = outcome.identifiers?.seriesInstanceUID, let path = outcome.outputPath
            {
                outputs.store((series, path, outcome.pixelText?.boxes ?? []), index: outcome.index)
            }
            progress(event)
        }
        let processor = FileProcessor(configuration: configuration, vault: recorder.vault, owners: recorder.owners)
        let defaced =
            configuration.defaces
            ? HeadSeriesDefacing(processor: processor, keyed: keyed).run(
                inputs: inputs, recorder: recorder, progress: report)
            : []
        InputDiscovery(inputs).forEach(jobs: configuration.jobs, until: { recorder.stopReason != nil }) { item in
            let outcome: FileOutcome
            switch item {
            case .problem(let index, let path, let reason):
                let inputID = keyed.inputIdentifier(for: path)
                guard configuration.belongsHere(study: nil, inputID: inputID), !recorder.isAlreadyDone(inputID) else {
                    return
                }
                outcome = FileOutcome(
                    index: index, inputPath: path, inputID: inputID,
                    failure: BatchFileFailure.unreadableInput(reason))
            case .file(let index, let path):
                let inputID = keyed.inputIdentifier(for: path)
                if defaced.contains(path) || recorder.isAlreadyDone(inputID) { return }
                switch processor.process(path, index: index, inputID: inputID) {
                case .outcome(let processed): outcome = processed
                case .otherShard: return
                case .stopRun(let reason):
                    recorder.stop(because: reason)
                    return
                }
            }
            recorder.record(outcome)
            report(.finished(outcome))
        }
        if let reason = recorder.stopReason {
            recorder.checkpointBeforeStopping()
            throw BatchError(
                "stopped: \(reason). Make room, then run the same command again: it resumes where this run stopped")
        }
        var summary = try recorder.finish(header: header)
        if wantsRepresentations {
            var bySeries: [String: [String]] = [:]
            var maskedText: [String: [TextBox]] = [:]
            for output in outputs.inOrder {
                let path = (configuration.outputFolder as NSString).appendingPathComponent(output.path)
                bySeries[output.series, default: []].append(path)
                if !output.maskedText.isEmpty { maskedText[path] = output.maskedText }
            }
            var pass = RepresentationPass(representations: configuration.representations)
            pass.k = configuration.kAnonymity
            pass.suppressBelowK = configuration.suppressBelowK
            let result = pass.run(
                bySeries.values.map { paths in
                    RepresentationPass.Series(
                        paths: Set(paths).sorted(), folder: (paths[0] as NSString).deletingLastPathComponent,
                        maskedText: maskedText.filter { paths.contains($0.key) })
                }, datasetCSV: (configuration.outputFolder as NSString).appendingPathComponent("dataset.csv"))
            summary.representationsWritten = result.written
            summary.representationFailures = result.failures
            summary.representationWarnings = result.warnings
            summary.seriesBelowK = result.belowK
        }
        return summary
    }

    /// Where the manifest goes: `--manifest`, or `manifest.jsonl` in the output folder.
    public var manifestPath: String {
        configuration.manifestPath ?? (configuration.outputFolder as NSString).appendingPathComponent("manifest.jsonl")
    }

    // MARK: Helpers

    private func validate(inputs: [String]) throws(BatchError) {
        guard !inputs.isEmpty else { throw BatchError("no inputs given") }
        if let problem = configuration.profile.problem { throw BatchError(problem) }
        // Without OCR no line the detector finds could be told from anatomy, and no output read.
        if configuration.textScope != nil, !LineConfirmation.isAvailable {
            throw BatchError(
                "--clean-pixel-data needs Tesseract OCR: install Debian's tesseract-ocr and tesseract-ocr-eng")
        }
        let output = Self.canonical(configuration.outputFolder)
        // Files holding originals must not end up in the shareable output.
        var confidential = configuration.mappingPath.map { [("mapping file", $0)] } ?? []
        if case .pseudonymize(let vaultPath, _) = configuration.mode { confidential.append(("vault", vaultPath)) }
        if let quarantine = configuration.quarantineFolder { confidential.append(("quarantine folder", quarantine)) }
        for (name, path) in confidential
        where Self.canonical(path) == output || Self.canonical(path).hasPrefix(output + "/") {
            throw BatchError("the \(name) holds PHI and must not be inside the output folder")
        }
        for input in inputs {
            let folder = Self.canonical(input)
            // Writing into the input tree would mix outputs with inputs (and re-read them).
            if output == folder || output.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") {
                throw BatchError("the output folder is inside an input folder; choose an output outside the inputs")
            }
            if folder.hasPrefix(output.hasSuffix("/") ? output : output + "/") {
                throw BatchError("an input is inside the output folder; choose an output outside the inputs")
            }
        }
    }

    func makeHeader(start: Date) -> ManifestRecord.Header {
        let profile = configuration.profile
        return ManifestRecord.Header(
            dcmtkVersion: DCMTK.version,
            profile: ManifestRecord.Profile(
                options: profile.options.map(\.rawValue).sorted(),
                methodCodes: profile.methodCodes.map(\.value),
                acceptsBurnedInAnnotation: profile.acceptsBurnedInAnnotation,
                cleanPixelData: configuration.textScope?.rawValue,
                deface: configuration.defaces ? true : nil,
                defaceEars: configuration.defaces && configuration.defaceEars ? true : nil,
                overrides: profile.overrides.count),
            keyFingerprint: configuration.key.fingerprint,
            ephemeralKey: configuration.key.isEphemeral,
            dryRun: configuration.dryRun,
            mode: { if case .pseudonymize = configuration.mode { "pseudonymize" } else { "anonymize" } }(),
            shard: configuration.shard?.description,
            startTime: Self.timestamp(start))
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// An absolute path with symbolic links resolved, for comparing folders.
    static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// The result of a batch.
public struct BatchSummary: Sendable {
    public var counts: ManifestRecord.Counts
    /// One per input processed in this run, in input order, when the configuration keeps them.
    public var outcomes: [FileOutcome]
    public var seconds: Double
    public var manifestPath: String?
    /// How many inputs an interrupted earlier run had already completed (kept, not redone).
    public var resumed: Int
    /// With a DICOMDIR: written files it could not list (missing Modality or Series Instance UID).
    public var notListedInDICOMDIR = 0

    /// Files written by `--representations` (NIfTI, JSON, PNG), and a message per series whose
    /// representations failed (pseudonymous UIDs only).
    public var representationsWritten = 0
    public var representationFailures: [String] = []
    /// Geometry a user of a volume must know (gantry tilt, uneven steps, gaps), per volume.
    public var representationWarnings: [String] = []
    /// Series of dataset.csv whose quasi-identifiers fewer than k patients share.
    public var seriesBelowK = 0

    /// True when every input was written, unchanged or skipped on purpose, and every
    /// representation asked for was written.
    public var succeeded: Bool { counts.failed == 0 && representationFailures.isEmpty }
}

/// A problem that stops a whole batch.
public struct BatchError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Collects results from worker threads; read them in input order once the workers are done.
final class Collector<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [(Int, Value)] = []
    func store(_ value: Value, index: Int) { lock.withLock { values.append((index, value)) } }
    var inOrder: [Value] { lock.withLock { values.sorted { $0.0 < $1.0 }.map(\.1) } }
    var indexed: [(Int, Value)] { lock.withLock { values.sorted { $0.0 < $1.0 } } }
}
