import DICOMCore
import DICOMIO
import Deidentification
import Dispatch
import Foundation

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
/// Inputs are only read. Each output is written atomically and never replaces a different file
/// already there, so a re-run with the same key over the same inputs is a no-op. Files that cannot
/// be de-identified safely are reported as failed and nothing is written for them.
public struct BatchAnonymizer: Sendable {
    public let configuration: BatchConfiguration
    private let deidentifier: Deidentifier
    private let keyed: KeyedIdentifiers

    public init(_ configuration: BatchConfiguration) {
        self.configuration = configuration
        self.deidentifier = Deidentifier(profile: configuration.profile, key: configuration.key)
        self.keyed = KeyedIdentifiers(key: configuration.key)
    }

    /// Progress, reported from worker threads as files finish.
    public enum Event: Sendable {
        /// The inputs were listed.
        case discovered(fileCount: Int, problems: Int)
        /// One file is done.
        case finished(FileOutcome)
    }

    /// Processes every file under `inputs`. Throws only for problems that stop the whole run
    /// (an output folder that cannot be created, a manifest that cannot be written); a bad
    /// input file is a failed outcome, never an error.
    public func run(inputs: [String], progress: @Sendable (Event) -> Void = { _ in }) throws(BatchError) -> BatchSummary {
        try validate(inputs: inputs)
        let start = Date()
        let discovered = InputDiscovery.discover(inputs)
        progress(.discovered(fileCount: discovered.files.count, problems: discovered.problems.count))

        if !configuration.dryRun {
            do { try AtomicFile.makeDirectories(configuration.outputFolder) } catch {
                throw BatchError("cannot create the output folder: \(error.message)")
            }
        }
        let header = makeHeader(start: start)
        let manifest: ManifestWriter?
        if configuration.dryRun {
            manifest = nil
        } else {
            do { manifest = try ManifestWriter(path: manifestPath, header: header) } catch {
                throw BatchError("cannot write the manifest: \(error.message)")
            }
        }

        let vault: Vault.Writer?
        if case .pseudonymize(let vaultPath, let key) = configuration.mode, !configuration.dryRun {
            do { vault = try Vault.Writer(path: vaultPath, key: key) } catch {
                throw BatchError("cannot write the vault: \(error.message)")
            }
        } else {
            vault = nil
        }

        let collector = OutcomeCollector(count: discovered.files.count)
        let files = discovered.files
        let next = NextIndex()
        let workers = max(1, min(configuration.jobs, files.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = next.take(below: files.count) {
                let outcome = process(files[index], index: index, vault: vault)
                manifest?.record(outcome)
                collector.store(outcome)
                progress(.finished(outcome))
            }
        }

        var outcomes = collector.outcomes
        // Inputs that could not even be listed are failures too: every input is accounted for.
        for (offset, problem) in discovered.problems.enumerated() {
            let outcome = FileOutcome(
                index: files.count + offset, inputPath: problem.path, inputID: keyed.inputIdentifier(for: problem.path),
                status: .failed, reason: "unreadable-input", message: problem.reason)
            manifest?.record(outcome)
            progress(.finished(outcome))
            outcomes.append(outcome)
        }

        var counts = ManifestRecord.Counts()
        for outcome in outcomes {
            counts.inputs += 1
            counts.bytesRead += outcome.bytesRead
            switch outcome.status {
            case .written: counts.written += 1
            case .unchanged: counts.unchanged += 1
            case .skipped: counts.skipped += 1
            case .failed: counts.failed += 1
            }
        }
        let end = Date()
        var finalHeader = header
        finalHeader.endTime = Self.timestamp(end)
        finalHeader.counts = counts
        if !configuration.dryRun {
            // Outputs were not flushed one by one; the manifest is written only once they are on disk.
            do { try AtomicFile.synchronizeFileSystem(containing: configuration.outputFolder) } catch {
                throw BatchError(error.message)
            }
        }
        if let vault {
            do { try vault.finish() } catch { throw BatchError("cannot write the vault: \(error.message)") }
        }
        if let manifest {
            do { try manifest.finish(header: finalHeader) } catch {
                throw BatchError("cannot write the manifest: \(error.message)")
            }
        }
        if let mappingPath = configuration.mappingPath, !configuration.dryRun {
            do { try MappingWriter.write(outcomes.flatMap(\.replacements), to: mappingPath) } catch {
                throw BatchError("cannot write the mapping file: \(error.message)")
            }
        }
        return BatchSummary(counts: counts, outcomes: outcomes, seconds: end.timeIntervalSince(start),
                            manifestPath: configuration.dryRun ? nil : manifestPath)
    }

    /// Where the manifest goes: `--manifest`, or `manifest.jsonl` in the output folder.
    public var manifestPath: String {
        configuration.manifestPath ?? (configuration.outputFolder as NSString).appendingPathComponent("manifest.jsonl")
    }

    // MARK: One file

    /// De-identifies one file. Never throws: every problem becomes a skipped or failed outcome.
    func process(_ path: String, index: Int, vault: Vault.Writer? = nil) -> FileOutcome {
        var outcome = FileOutcome(index: index, inputPath: path, inputID: keyed.inputIdentifier(for: path), status: .failed)
        outcome.bytesRead = Self.fileSize(path)
        let file: DICOMFile
        do {
            file = try DICOMFile(path: path)
        } catch {
            Self.recordOpeningFailure(error, path: path, in: &outcome)
            return outcome
        }
        do {
            let object = try file.read()
            let result = try deidentifier.deidentify(object)
            outcome.identifiers = result.identifiers
            outcome.transferSyntaxUID = result.object.transferSyntaxUID
            outcome.actions = result.actions
            outcome.warnings = result.warnings
            outcome.methodCodes = result.methodCodes.map(\.value)
            outcome.replacements = configuration.mappingPath == nil ? [] : result.replacements
            let relative = OutputLayout.relativePath(for: result.identifiers)
            outcome.outputPath = relative
            if configuration.dryRun {
                outcome.status = .written
                return outcome
            }
            let destination = (configuration.outputFolder as NSString).appendingPathComponent(relative)
            try AtomicFile.makeDirectories((destination as NSString).deletingLastPathComponent)
            if let vault, case .pseudonymize(_, let key) = configuration.mode {
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
            switch try file.write(result.object, to: destination, ifExists: .keepIfIdentical, durable: false) {
            case .written: outcome.status = .written
            case .identicalFileExists: outcome.status = .unchanged
            }
        } catch let error as DICOMIOError {
            outcome.status = .failed
            outcome.reason = Self.reasonCode(error.kind)
            outcome.message = error.message
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
        }
        return outcome
    }

    // MARK: Helpers

    private func validate(inputs: [String]) throws(BatchError) {
        guard !inputs.isEmpty else { throw BatchError("no inputs given") }
        if let problem = configuration.profile.problem { throw BatchError(problem) }
        let output = Self.canonical(configuration.outputFolder)
        // Files holding originals must not end up in the shareable output.
        var confidential = configuration.mappingPath.map { [("mapping file", $0)] } ?? []
        if case .pseudonymize(let vaultPath, _) = configuration.mode { confidential.append(("vault", vaultPath)) }
        for (name, path) in confidential where Self.canonical(path).hasPrefix(output + "/") {
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
                acceptsBurnedInAnnotation: profile.acceptsBurnedInAnnotation),
            keyFingerprint: configuration.key.fingerprint,
            ephemeralKey: configuration.key.isEphemeral,
            dryRun: configuration.dryRun,
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
        case .unsupportedTransferSyntax: "unsupported-transfer-syntax"
        case .fileSystem: "file-system"
        case .outputConflict: "output-conflict"
        case .invalidObject, .internalError: "internal-error"
        }
    }

    static func fileSize(_ path: String) -> UInt64 {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_size) : 0
    }
}

/// What a batch needs to know.
public struct BatchConfiguration: Sendable {
    /// Where de-identified files go (created if missing). Must not be inside an input folder.
    public var outputFolder: String
    public var key: DeidentificationKey
    public var profile: DeidentificationProfile = .basic
    /// Files processed at once. Outputs do not depend on it.
    public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Decide everything, write nothing (no DICOM files, no manifest).
    public var dryRun = false
    /// The manifest path; by default `manifest.jsonl` in the output folder.
    public var manifestPath: String?
    /// If set, a CSV of original → replacement identifiers (PHI; mode 0600) is written there.
    public var mappingPath: String?
    /// Anonymize (no way back) or pseudonymize (originals kept encrypted in a vault).
    public var mode: Mode = .anonymize

    public enum Mode: Sendable {
        /// Irreversible: nothing is kept that could restore the originals.
        case anonymize
        /// The original values of every changed attribute are kept, encrypted with `key`, in the
        /// vault at `vaultPath`; `veil reidentify` restores them.
        case pseudonymize(vaultPath: String, key: ReidentificationKey)
    }

    public init(outputFolder: String, key: DeidentificationKey) {
        self.outputFolder = outputFolder
        self.key = key
    }
}

/// The result of a batch.
public struct BatchSummary: Sendable {
    public var counts: ManifestRecord.Counts
    /// One per input, in input order.
    public var outcomes: [FileOutcome]
    public var seconds: Double
    public var manifestPath: String?

    /// True when every input was written, unchanged or skipped on purpose.
    public var succeeded: Bool { counts.failed == 0 }
}

/// A problem that stops a whole batch.
public struct BatchError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Hands out input indices to workers.
final class NextIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}

/// Collects outcomes from worker threads, in input order.
final class OutcomeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [FileOutcome?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ outcome: FileOutcome) { lock.withLock { slots[outcome.index] = outcome } }
    var outcomes: [FileOutcome] { lock.withLock { slots.compactMap { $0 } } }
}
