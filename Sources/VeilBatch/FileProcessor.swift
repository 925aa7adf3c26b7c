import Crypto
import DICOMCore
import DICOMIO
import Deidentification
import Foundation
import TextRedaction

/// What became of one input.
enum FileResult {
    /// Written, unchanged, skipped or failed: recorded in the manifest.
    case outcome(FileOutcome)
    /// The input belongs to another shard of the batch: nothing is recorded here.
    case otherShard
    /// The output file system is full. Not the file's fault: it is left unrecorded, to be done
    /// when the run resumes, and the run stops.
    case stopRun(reason: String)
}

/// Turns one input file into one de-identified output: the whole per-file pipeline of
/// `veil anonymize`, used by the main pass and by the deface pass alike.
///
/// open → read → shard → truncation check → burned-in text (pixel pass) → Annex E → defaced or
/// cleaned pixels → overlays → vault → atomic write. Never throws: every problem becomes a
/// failed or skipped outcome with a reason code from ``FileFailure``.
struct FileProcessor: Sendable {
    let configuration: BatchConfiguration
    let deidentifier: Deidentifier
    /// Where pseudonymize mode seals the originals; nil in anonymize mode and dry runs.
    let vault: Vault.Writer?
    /// Which input owns each output path: inputs sharing a SOP Instance UID end the same way
    /// whatever the order they finish in.
    let owners: OutputOwners

    init(configuration: BatchConfiguration, vault: Vault.Writer?, owners: OutputOwners) {
        self.configuration = configuration
        self.deidentifier = Deidentifier(profile: configuration.profile, key: configuration.key)
        self.vault = vault
        self.owners = owners
    }

    /// Opens, reads and processes the input at `path`.
    func process(_ path: String, index: Int, inputID: String) -> FileResult {
        var outcome = FileOutcome(index: index, inputPath: path, inputID: inputID, status: .failed)
        outcome.bytesRead = Self.fileSize(path)
        let file: DICOMFile
        do {
            file = try DICOMFile(path: path)
        } catch {
            // Without a study, an input belongs to the shard its id falls in.
            guard configuration.belongsHere(study: nil, inputID: inputID) else { return .otherShard }
            outcome.fail(BatchFileFailure.opening(error, path: path))
            return .outcome(outcome)
        }
        let object: DICOMObject
        do { object = try file.read() } catch {
            outcome.fail(error)
            return .outcome(outcome)
        }
        return process(file, object, outcome: outcome, defaced: nil)
    }

    /// Processes an input already opened and read. `defaced` holds its pixels when the deface
    /// pass removed the face from its series.
    func process(
        _ file: borrowing DICOMFile, _ object: DICOMObject, outcome: FileOutcome, defaced: DefacedFile?
    )
        -> FileResult
    {
        guard configuration.belongsHere(study: object.dataSet.string(.studyInstanceUID), inputID: outcome.inputID)
        else {
            return .otherShard
        }
        var outcome = outcome
        do {
            try deidentifyAndWrite(file, object, defaced: defaced, into: &outcome)
        } catch let error as DICOMIOError where error.kind == .outputFull {
            return .stopRun(reason: error.message)
        } catch {
            outcome.fail(BatchFileFailure.from(error))
        }
        return .outcome(outcome)
    }

    private func deidentifyAndWrite(
        _ file: borrowing DICOMFile, _ object: DICOMObject, defaced: DefacedFile?,
        into outcome: inout FileOutcome
    ) throws {
        if let failure = TruncatedImage.failure(object.dataSet) { throw failure }
        var passes: PixelPasses = defaced == nil ? [] : .cleanRecognizableVisualFeatures
        var cleaned: (pixels: CleanedPixels, triage: String)?
        if let scope = configuration.textScope, object.dataSet[.pixelData] != nil,
            case let triage = TextTriage.reason(object.dataSet, scope: scope),
            triage != nil || TextTriage.screens(object.dataSet)
        {
            // Every image is screened; one the header flags is read by OCR even when nothing is found.
            cleaned = (
                try Self.cleanText(
                    file, object.dataSet, flagged: TextTriage.reason(object.dataSet, scope: .flagged) != nil,
                    readByOCR: triage != nil, defaced: defaced),
                triage ?? TextTriage.screened
            )
            passes.insert(.cleanPixelData)
        }
        var result = try deidentifier.deidentify(object, pixelPasses: passes)
        if let defaced {
            defaced.apply(to: &result.object)
            outcome.defacing = defaced.record
        }
        if let (cleaned, triage) = cleaned {
            if !cleaned.boxes.isEmpty {
                // Written uncompressed: in a colour space native Pixel Data allows (not YBR_FULL).
                let pixels = cleaned.pixels.convertedToRGB()
                NativePixelData.store(
                    pixels.bytes, in: &result.object, photometricInterpretation: pixels.photometricInterpretation,
                    planarConfiguration: pixels.samplesPerPixel == 3 ? pixels.planarConfiguration : nil)
            }
            result.object.dataSet[.burnedInAnnotation] = DataElement(.burnedInAnnotation, .CS, string: "NO")
            outcome.pixelText = PixelTextRecord(
                triage: triage, frames: cleaned.frames, boxes: cleaned.boxes,
                secondLookLines: cleaned.secondLookLines, ocrChecked: cleaned.ocrChecked)
        }
        if configuration.textScope != nil, configuration.profile.options.contains(.cleanGraphics) {
            // Overlays kept by Clean Graphics: their text is cleared too, whatever the triage.
            for overlay in try OverlayTextCleaner.clean(result.object.dataSet, bulkValue: { try file.bulkValue($0) }) {
                let tag = DICOMTag(overlay.group, 0x3000)
                result.object.dataSet[tag] = DataElement(
                    tag, result.object.dataSet[tag]?.vr ?? .OW, .bytes(overlay.overlayData))
                if outcome.pixelText == nil {
                    outcome.pixelText = PixelTextRecord(
                        triage: "overlay", frames: 0, boxes: [], secondLookLines: 0,
                        ocrChecked: false)
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
        let relative =
            configuration.writesDICOMDIR
            ? OutputLayout.mediaPath(for: result.identifiers) : OutputLayout.relativePath(for: result.identifiers)
        outcome.outputPath = relative
        if configuration.dryRun {
            outcome.status = .written
            return
        }
        let destination = (configuration.outputFolder as NSString).appendingPathComponent(relative)
        try AtomicFile.makeDirectories((destination as NSString).deletingLastPathComponent)
        var sealed: Sealed?
        if vault != nil, case .pseudonymize(_, let key) = configuration.mode {
            sealed = try seal(object, result.object, of: file, key: key)
        }
        try write(result.object, of: file, to: destination, relative: relative, sealed: sealed, outcome: &outcome)
    }

    /// The originals of one instance, sealed for the vault, under its new SOP Instance UID.
    private typealias Sealed = (sopInstanceUID: String, attributes: SealedAttributes)

    /// Puts `sealed` in the vault: just before the output it belongs to is in place (no output
    /// without its way back), and only for an output that is this input's (a duplicate that
    /// failed, or whose output equals the one already written, leaves the written one's).
    private func store(_ sealed: Sealed?, index: Int) {
        guard let vault, let sealed else { return }
        vault.record(index: index, sopInstanceUID: sealed.sopInstanceUID, sealed: sealed.attributes)
    }

    /// Seals the originals of what de-identification changed, removed bulk values included.
    private func seal(
        _ original: DICOMObject, _ deidentified: DICOMObject, of file: borrowing DICOMFile, key: ReidentificationKey
    ) throws -> Sealed {
        var needed: [BulkDataReference] = []
        _ = OriginalAttributes(original: original, deidentified: deidentified) {
            needed.append($0)
            return []
        }
        var values: [BulkDataReference: [UInt8]] = [:]
        for reference in needed { values[reference] = try file.bulkValue(reference) }
        let originals = OriginalAttributes(original: original, deidentified: deidentified) { values[$0] ?? [] }
        let instance = deidentified.dataSet.string(.sopInstanceUID) ?? ""
        return (instance, try originals.sealed(for: instance, key: key))
    }

    /// The image's pixels (defaced ones when the face was removed) with their burned-in text masked.
    private static func cleanText(
        _ file: borrowing DICOMFile, _ dataSet: DataSet, flagged: Bool, readByOCR: Bool, defaced: DefacedFile?
    ) throws
        -> CleanedPixels
    {
        let pixels: DecodedPixels
        if let defaced {
            pixels = defaced.pixels
        } else {
            do { pixels = try file.decodePixels() } catch {
                throw TextCleaningFailure(
                    .unsupported, "the pixels cannot be decoded for text cleaning: \(error.message)")
            }
        }
        return try PixelTextCleaner().clean(
            pixels, dataSet: dataSet, flagged: flagged, readByOCR: readByOCR, bulkValue: { try file.bulkValue($0) })
    }

    /// Writes the output, or, when another input of this run has its path (the same SOP Instance
    /// UID), settles which output the path keeps and what each record says (``OutputOwners``).
    private func write(
        _ object: DICOMObject, of file: borrowing DICOMFile, to destination: String, relative: String,
        sealed: Sealed?, outcome: inout FileOutcome
    ) throws {
        let key = OutputOwners.key(relative)
        let me = OutputOwners.Input(index: outcome.index, inputID: outcome.inputID)
        if case .first = owners.claim(key, for: me) {
            var status: FileOutcome.Status?
            defer { owners.finishFirst(key, status: status) }
            store(sealed, index: outcome.index)
            status = try write(object, of: file, to: destination) == .written ? .written : .unchanged
            outcome.status = status!
            return
        }
        outcome = try owners.resolveDuplicate(key) { owner throws -> FileOutcome in
            var outcome = outcome
            guard owner != nil else {
                // The input that claimed the path first wrote nothing: this one takes it.
                store(sealed, index: outcome.index)
                outcome.status = try write(object, of: file, to: destination) == .written ? .written : .unchanged
                owner = OutputOwners.Owner(
                    members: [.init(input: me, record: .init(status: outcome.status))], pending: false)
                return outcome
            }
            let (directory, name) = (
                (destination as NSString).deletingLastPathComponent,
                (destination as NSString).lastPathComponent
            )
            let temporary = "\(directory)/.\(name).\(configuration.temporaryFileOwner).duplicate.partial"
            defer { unlink(temporary) }
            try file.write(
                object, to: temporary, ifExists: .replace, durable: false, owner: configuration.temporaryFileOwner)
            let mine = try Self.digest(temporary)
            let current = try owner?.digest ?? Self.digest(destination)
            // Settled on a copy: the owner changes only once the file at the path is what it says.
            var settled = owner!
            let settlement = settled.settle(me, digest: mine, current: current)
            if settlement.replaces {
                store(sealed, index: outcome.index)
                if rename(temporary, destination) != 0 {
                    throw DICOMIOError(
                        .fileSystem, "cannot move the finished file into place: \(String(cString: strerror(errno)))")
                }
            }
            owner = settled
            Self.apply(settlement.record, to: &outcome)
            outcome.displaced = settlement.amended.map { input, previous, record in
                var amended = FileOutcome(index: input.index, inputPath: "", inputID: input.inputID, status: .failed)
                Self.apply(record, to: &amended)
                amended.outputPath = record.status == .failed ? nil : relative
                amended.displacedStatus = previous
                return amended
            }
            return outcome
        }
    }

    /// A duplicate's record: the full record when it is the path's written one; otherwise only
    /// the status and what happened (the written record holds the rest).
    private static func apply(_ record: OutputOwners.Record, to outcome: inout FileOutcome) {
        guard record.status != .written else {
            outcome.status = .written
            return
        }
        let output = outcome.outputPath
        outcome.fail(BatchFileFailure(code: record.reason ?? "", status: record.status, message: record.message ?? ""))
        outcome.reason = record.reason
        if record.status == .unchanged { outcome.outputPath = output }
    }

    /// SHA-256 of a file, read in blocks.
    private static func digest(_ path: String) throws(DICOMIOError) -> [UInt8] {
        guard let stream = fopen(path, "rb") else {
            throw DICOMIOError(.fileSystem, "cannot read the output: \(String(cString: strerror(errno)))")
        }
        defer { fclose(stream) }
        var hash = SHA256()
        var block = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = fread(&block, 1, block.count, stream)
            if count == 0 { break }
            hash.update(data: block[..<count])
        }
        return Array(hash.finalize())
    }

    /// Writes an output, never replacing a different readable file; an existing file that is
    /// not readable DICOM is what an interrupted run (power loss) leaves behind, and is replaced.
    private func write(
        _ object: DICOMObject, of file: borrowing DICOMFile, to destination: String
    )
        throws(DICOMIOError) -> AtomicFile.Outcome
    {
        do {
            return try file.write(
                object, to: destination, ifExists: .keepIfIdentical, durable: false,
                owner: configuration.temporaryFileOwner)
        } catch  where error.kind == .outputConflict {
            let readable: Bool
            do {
                _ = try DICOMFile(path: destination).read()
                readable = true
            } catch { readable = false }
            guard !readable else { throw error }
            return try file.write(
                object, to: destination, ifExists: .replace, durable: false,
                owner: configuration.temporaryFileOwner)
        }
    }

    static func fileSize(_ path: String) -> UInt64 {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_size) : 0
    }
}
