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
    /// The profile, plus Clean Recognizable Visual Features (code 113102) for defaced files and
    /// Clean Pixel Data (113101) for images whose burned-in text was masked: the codes go only on
    /// the files those passes changed. Chosen by `deidentifier(defaced:textCleaned:)`.
    private let deidentifiers: [Deidentifier]
    private let keyed: KeyedIdentifiers

    public init(_ configuration: BatchConfiguration) {
        self.configuration = configuration
        var deidentifiers: [Deidentifier] = []
        for variant in 0..<4 {
            var profile = configuration.profile
            for (bit, option) in [(1, ProfileOption.cleanRecognizableVisualFeatures), (2, .cleanPixelData)] {
                if variant & bit != 0 { profile.options.insert(option) } else { profile.options.remove(option) }
            }
            deidentifiers.append(Deidentifier(profile: profile, key: configuration.key))
        }
        self.deidentifiers = deidentifiers
        self.keyed = KeyedIdentifiers(key: configuration.key)
    }

    private func deidentifier(defaced: Bool, textCleaned: Bool) -> Deidentifier {
        deidentifiers[(defaced ? 1 : 0) | (textCleaned ? 2 : 0)]
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
    public func run(inputs: [String], progress: @Sendable (Event) -> Void = { _ in }) throws(BatchError) -> BatchSummary {
        try validate(inputs: inputs)
        let start = Date()
        progress(.discovered(fileCount: InputDiscovery.count(inputs), problems: 0))

        let header = makeHeader(start: start)
        let recorder = try RunRecorder(configuration: configuration, header: header, start: start)
        // Outputs by series, for the representations written after every file is done.
        let outputs = Collector<(series: String, path: String, maskedText: [TextBox])>()
        let wantsRepresentations = !configuration.representations.isEmpty && !configuration.dryRun
        @Sendable func report(_ event: Event) {
            if wantsRepresentations, case .finished(let outcome) = event, outcome.status == .written || outcome.status == .unchanged,
               let series = outcome.identifiers?.seriesInstanceUID, let path = outcome.outputPath {
                outputs.store((series, path, outcome.pixelText?.boxes ?? []), index: outcome.index)
            }
            progress(event)
        }
        let defaced = configuration.defaces
            ? HeadSeriesDefacing(anonymizer: self, keyed: keyed).run(inputs: inputs, recorder: recorder, progress: report) : []
        InputDiscovery(inputs).forEach(jobs: configuration.jobs, until: { recorder.stopReason != nil }) { item in
            let outcome: FileOutcome
            switch item {
            case .problem(let index, let path, let reason):
                let inputID = keyed.inputIdentifier(for: path)
                guard configuration.shard?.contains(inputID) ?? true, !recorder.isAlreadyDone(inputID) else { return }
                outcome = FileOutcome(index: index, inputPath: path, inputID: inputID, status: .failed,
                                      reason: "unreadable-input", message: reason)
            case .file(let index, let path):
                let inputID = keyed.inputIdentifier(for: path)
                if defaced.contains(path) || recorder.isAlreadyDone(inputID) { return }
                guard let processed = process(path, index: index, inputID: inputID, recorder: recorder) else { return }
                if processed.reason == Self.reasonCode(.outputFull) {
                    // Not the file's fault: it is left unrecorded, to be done when the run resumes.
                    recorder.stop(because: processed.message ?? "the output file system is full")
                    return
                }
                outcome = processed
            }
            recorder.record(outcome)
            report(.finished(outcome))
        }
        if let reason = recorder.stopReason {
            recorder.checkpointBeforeStopping()
            throw BatchError("stopped: \(reason). Make room, then run the same command again: it resumes where this run stopped")
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
            let result = pass.run(bySeries.values.map { paths in
                RepresentationPass.Series(paths: Set(paths).sorted(), folder: (paths[0] as NSString).deletingLastPathComponent,
                                          maskedText: maskedText.filter { paths.contains($0.key) })
            }, datasetCSV: (configuration.outputFolder as NSString).appendingPathComponent("dataset.csv"))
            summary.representationsWritten = result.written
            summary.representationFailures = result.failures
            summary.seriesBelowK = result.belowK
        }
        return summary
    }

    /// Where the manifest goes: `--manifest`, or `manifest.jsonl` in the output folder.
    public var manifestPath: String {
        configuration.manifestPath ?? (configuration.outputFolder as NSString).appendingPathComponent("manifest.jsonl")
    }

    // MARK: One file

    /// De-identifies one file. Never throws: every problem becomes a skipped or failed outcome.
    /// Nil for a file of another shard.
    func process(_ path: String, index: Int, inputID: String, recorder: RunRecorder? = nil, defaced: DefacedFile? = nil) -> FileOutcome? {
        var outcome = FileOutcome(index: index, inputPath: path, inputID: inputID, status: .failed)
        outcome.bytesRead = Self.fileSize(path)
        let file: DICOMFile
        do {
            file = try DICOMFile(path: path)
        } catch {
            // Without a study, an input belongs to the shard its id falls in.
            guard configuration.shard?.contains(inputID) ?? true else { return nil }
            Self.recordOpeningFailure(error, path: path, in: &outcome)
            return outcome
        }
        do {
            let object = try file.read()
            if let shard = configuration.shard {
                let study = object.dataSet.string(.studyInstanceUID).flatMap { $0.isEmpty ? nil : $0 }
                guard shard.contains(study ?? inputID) else { return nil }
            }
            if TruncatedImage.lacksPixelData(object.dataSet) {
                outcome.reason = "truncated"
                outcome.message = "an image without Pixel Data: the file is probably truncated"
                return outcome
            }
            var cleaned: (pixels: CleanedPixels, triage: String)?
            if let scope = configuration.textScope, let triage = TextTriage.reason(object.dataSet, scope: scope) {
                cleaned = (try Self.cleanText(file, object.dataSet, defaced: defaced), triage)
            }
            var result = try deidentifier(defaced: defaced != nil, textCleaned: cleaned != nil).deidentify(object)
            if let defaced {
                defaced.apply(to: &result.object)
                outcome.defacing = defaced.record
            }
            if let (pixels, triage) = cleaned {
                NativePixelData.store(pixels.pixels.bytes, in: &result.object,
                                      photometricInterpretation: pixels.pixels.photometricInterpretation,
                                      planarConfiguration: pixels.pixels.samplesPerPixel == 3 ? pixels.pixels.planarConfiguration : nil)
                result.object.dataSet[.burnedInAnnotation] = DataElement(.burnedInAnnotation, .CS, string: "NO")
                outcome.pixelText = PixelTextRecord(triage: triage, frames: pixels.frames, boxes: pixels.boxes,
                                                    secondLookLines: pixels.secondLookLines, ocrChecked: pixels.ocrChecked)
            }
            if configuration.textScope != nil, configuration.profile.options.contains(.cleanGraphics) {
                // Overlays kept by Clean Graphics: their text is cleared too, whatever the triage.
                for overlay in try Self.cleanOverlays(file, result.object.dataSet) {
                    let tag = DICOMTag(overlay.group, 0x3000)
                    result.object.dataSet[tag] = DataElement(tag, result.object.dataSet[tag]?.vr ?? .OW, .bytes(overlay.overlayData))
                    if outcome.pixelText == nil {
                        outcome.pixelText = PixelTextRecord(triage: "overlay", frames: 0, boxes: [], secondLookLines: 0, ocrChecked: false)
                    }
                    outcome.pixelText?.boxes += overlay.boxes
                }
                result.warnings.removeAll { $0.kind == .overlayKept }
            }
            outcome.identifiers = result.identifiers
            outcome.transferSyntaxUID = result.object.transferSyntaxUID
            outcome.actions = result.actions
            outcome.warnings = result.warnings
            outcome.methodCodes = result.methodCodes.map(\.value)
            outcome.replacements = configuration.mappingPath == nil ? [] : result.replacements
            let relative = configuration.writesDICOMDIR
                ? OutputLayout.mediaPath(for: result.identifiers) : OutputLayout.relativePath(for: result.identifiers)
            outcome.outputPath = relative
            if configuration.dryRun {
                outcome.status = .written
                return outcome
            }
            let destination = (configuration.outputFolder as NSString).appendingPathComponent(relative)
            try AtomicFile.makeDirectories((destination as NSString).deletingLastPathComponent)
            if case .pseudonymize(_, let key) = configuration.mode, let vault = recorder?.vault {
                // Sealed before the output is written: no output without its way back.
                // Removed bulk values are stored too: find them, read them, then build the record.
                var needed: [BulkDataReference] = []
                _ = OriginalAttributes(original: object, deidentified: result.object) { needed.append($0); return [] }
                var values: [BulkDataReference: [UInt8]] = [:]
                for reference in needed { values[reference] = try file.bulkValue(reference) }
                let originals = OriginalAttributes(original: object, deidentified: result.object) { values[$0] ?? [] }
                let sealed = try originals.sealed(for: result.identifiers.sopInstanceUID, key: key)
                vault.record(index: index, sopInstanceUID: result.identifiers.sopInstanceUID, sealed: sealed)
            }
            outcome.status = try write(result.object, of: file, to: destination) == .written ? .written : .unchanged
        } catch let error as DICOMIOError {
            outcome.status = .failed
            outcome.reason = Self.reasonCode(error.kind)
            outcome.message = error.message
        } catch let failure as TextCleaningFailure {
            outcome.status = .failed
            outcome.reason = failure.reason.rawValue
            outcome.message = failure.detail
        } catch let refusal as DeidentificationRefusal {
            outcome.status = refusal.reason == .mediaDirectory ? .skipped : .failed
            outcome.reason = refusal.reason.rawValue
            outcome.message = refusal.message
        } catch {
            outcome.status = .failed
            outcome.reason = "internal-error"
            outcome.message = "unexpected error"
        }
        if outcome.status == .failed || outcome.status == .skipped {
            // Nothing of a file that was not written belongs in the manifest's file record.
            outcome.identifiers = nil
            outcome.outputPath = nil
            outcome.actions = []
            outcome.warnings = []
            outcome.methodCodes = []
            outcome.replacements = []
            outcome.defacing = nil
            outcome.pixelText = nil
        }
        return outcome
    }

    /// The image's pixels (defaced ones when the face was removed) with their burned-in text masked.
    private static func cleanText(_ file: borrowing DICOMFile, _ dataSet: DataSet, defaced: DefacedFile?) throws -> CleanedPixels {
        var pixels: DecodedPixels
        do { pixels = try file.decodePixels() } catch {
            throw TextCleaningFailure(.unsupported, "the pixels cannot be decoded for text cleaning: \(error.message)")
        }
        if let defaced { pixels.bytes = defaced.pixelData }
        return try PixelTextCleaner().clean(pixels, dataSet: dataSet, bulkValue: { try file.bulkValue($0) })
    }

    /// The overlays of `dataSet` (read from `file`) whose text was cleared.
    private static func cleanOverlays(_ file: borrowing DICOMFile, _ dataSet: DataSet) throws -> [OverlayTextCleaner.CleanedOverlay] {
        try OverlayTextCleaner.clean(dataSet, bulkValue: { try file.bulkValue($0) })
    }

    /// Writes an output, never replacing a different readable file; an existing file that is
    /// not readable DICOM is what an interrupted run (power loss) leaves behind, and is replaced.
    private func write(_ object: DICOMObject, of file: borrowing DICOMFile, to destination: String) throws(DICOMIOError) -> AtomicFile.Outcome {
        do {
            return try file.write(object, to: destination, ifExists: .keepIfIdentical, durable: false,
                                  owner: configuration.temporaryFileOwner)
        } catch where error.kind == .outputConflict {
            let readable: Bool
            do { _ = try DICOMFile(path: destination).read(); readable = true } catch { readable = false }
            guard !readable else { throw error }
            return try file.write(object, to: destination, ifExists: .replace, durable: false,
                                  owner: configuration.temporaryFileOwner)
        }
    }

    // MARK: Helpers

    private func validate(inputs: [String]) throws(BatchError) {
        guard !inputs.isEmpty else { throw BatchError("no inputs given") }
        if let problem = configuration.profile.problem { throw BatchError(problem) }
        let output = Self.canonical(configuration.outputFolder)
        // Files holding originals must not end up in the shareable output.
        var confidential = configuration.mappingPath.map { [("mapping file", $0)] } ?? []
        if case .pseudonymize(let vaultPath, _) = configuration.mode { confidential.append(("vault", vaultPath)) }
        if let quarantine = configuration.quarantineFolder { confidential.append(("quarantine folder", quarantine)) }
        for (name, path) in confidential where Self.canonical(path) == output || Self.canonical(path).hasPrefix(output + "/") {
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

    private func makeHeader(start: Date) -> ManifestRecord.Header {
        let profile = configuration.profile
        return ManifestRecord.Header(
            dcmtkVersion: DCMTK.version,
            profile: ManifestRecord.Profile(
                options: profile.options.map(\.rawValue).sorted(),
                methodCodes: profile.methodCodes.map(\.value),
                acceptsBurnedInAnnotation: profile.acceptsBurnedInAnnotation,
                cleanPixelData: configuration.textScope?.rawValue,
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

    /// A file that could not be opened: skipped when it is simply not DICOM, failed otherwise.
    static func recordOpeningFailure(_ error: DICOMIOError, path: String, in outcome: inout FileOutcome) {
        if error.kind == .notDICOM && !hasDICOMExtension(path) {
            outcome.status = .skipped
            outcome.reason = "not-dicom"
            outcome.message = "not a DICOM file"
        } else {
            outcome.status = .failed
            outcome.reason = reasonCode(error.kind)
            outcome.message = error.message
        }
    }

    /// Files named like DICOM files are reported as failed when they are not DICOM; anything else
    /// that is not DICOM (notes, thumbnails, spreadsheets in an export) is skipped.
    static func hasDICOMExtension(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return [".dcm", ".dicom", ".dic", ".ima"].contains { name.hasSuffix($0) }
    }

    static func reasonCode(_ kind: DICOMIOError.Kind) -> String {
        switch kind {
        case .notDICOM: "not-dicom"
        case .unreadable: "unreadable"
        case .malformed: "malformed"
        case .unsupportedTransferSyntax: "unsupported-transfer-syntax"
        case .fileSystem: "file-system"
        case .outputConflict: "output-conflict"
        case .outputFull: "output-full"
        case .invalidObject, .internalError: "internal-error"
        }
    }

    static func fileSize(_ path: String) -> UInt64 {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_size) : 0
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
