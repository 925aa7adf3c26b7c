import DICOMCore
import DICOMIO
import Defacing
import Deidentification
import Foundation
import Volumes

/// The first pass of `--deface`: finds the CT and MR series that show a head, defaces each as a
/// volume, and de-identifies and writes their files. Every file of a head series is either
/// written defaced or fails with the reason (and is quarantined): never written with its face.
/// The batch's main pass then handles every other file.
struct HeadSeriesDefacing {
    let processor: FileProcessor
    let keyed: KeyedIdentifiers
    var configuration: BatchConfiguration { processor.configuration }

    enum Hint: Int, Comparable {
        /// Body Part Examined names another part: not a candidate.
        case otherPart = 0
        /// Nothing says: defaced when a head is found, processed as usual when none is.
        case unknown = 1
        /// Body Part, descriptions or protocol say head: must be defaced.
        case head = 2
        static func < (a: Hint, b: Hint) -> Bool { a.rawValue < b.rawValue }
    }

    struct Series {
        var files: [(index: Int, path: String)] = []
        var hint = Hint.otherPart
    }

    /// Paths this pass recorded an outcome for (or that an earlier run already did).
    func run(
        inputs: [String], recorder: RunRecorder, progress: @Sendable (BatchAnonymizer.Event) -> Void
    ) -> Set<String> {
        let found = Collector<(series: String, index: Int, path: String, hint: Hint)>()
        InputDiscovery(inputs).forEach(jobs: configuration.jobs, until: { recorder.stopReason != nil }) { item in
            guard case .file(let index, let path) = item, let object = try? DICOMFile(path: path).read() else { return }
            let dataSet = object.dataSet
            guard ["CT", "MR"].contains(dataSet.string(.modality)?.uppercased() ?? ""),
                let series = dataSet.string(.seriesInstanceUID), !series.isEmpty
            else { return }
            let hint = Self.hint(dataSet, requireHead: configuration.defaceRequiresHead)
            // An image without geometry cannot be part of a volume: only a head series needs it
            // (it fails, as every image of a head series outside a defaced volume does).
            guard hint == .head || !SliceHeader.frames(of: dataSet, source: 0).isEmpty else { return }
            guard
                configuration.belongsHere(
                    study: dataSet.string(.studyInstanceUID),
                    inputID: keyed.inputIdentifier(for: path))
            else { return }
            found.store((series, index, path, hint), index: index)
        }
        var series: [String: Series] = [:]
        for file in found.inOrder {
            series[file.series, default: Series()].files.append((file.index, file.path))
            series[file.series]!.hint = max(series[file.series]!.hint, file.hint)
        }
        var handled = Set<String>()
        for key in series.keys.sorted() where series[key]!.hint > .otherPart {
            guard recorder.stopReason == nil else { break }
            let candidate = series[key]!
            let files = candidate.files.sorted { $0.index < $1.index }
            if files.allSatisfy({ recorder.isAlreadyDone(keyed.inputIdentifier(for: $0.path)) }) {
                files.forEach { handled.insert($0.path) }
                continue
            }
            // Each file is opened and read once here: its header and pixels make the volume, and
            // the same open file writes its defaced output.
            var inputs: [OpenedInput?] = files.map { try? OpenedInput(path: $0.path) }
            guard let decided = deface(inputs, hint: candidate.hint) else { continue }
            for (position, file) in files.enumerated() {
                defer { inputs[position] = nil }
                let inputID = keyed.inputIdentifier(for: file.path)
                guard !recorder.isAlreadyDone(inputID) else {
                    handled.insert(file.path)
                    continue
                }
                var outcome = FileOutcome(index: file.index, inputPath: file.path, inputID: inputID, status: .failed)
                outcome.bytesRead = FileProcessor.fileSize(file.path)
                switch decided[position] {
                case .success(let defaced):
                    guard let input = inputs[position] else { continue }
                    switch processor.process(input.file, input.object, outcome: outcome, defaced: defaced) {
                    case .outcome(let processed): outcome = processed
                    case .otherShard: continue
                    case .stopRun(let reason):
                        recorder.stop(because: reason)
                        return handled
                    }
                case .failure(let failure):
                    outcome.fail(failure)
                }
                handled.insert(file.path)
                recorder.record(outcome)
                progress(.finished(outcome))
            }
        }
        return handled
    }

    /// Per file, its defaced pixels or why it has none. Nil when the series turns out not to be
    /// a head (no hint, and no head found): its files are then processed as usual. Each file's
    /// pixels are decoded once: the volume is built from them, and they are what gets defaced.
    func deface(_ inputs: [OpenedInput?], hint: Hint) -> [Result<DefacedFile, DefaceFailure>]? {
        let fail = { (failure: DefaceFailure) in inputs.map { _ in Result<DefacedFile, DefaceFailure>.failure(failure) }
        }
        var decoded: [Int: DecodedPixels] = [:]
        let volumes: [Volume]
        do {
            let opened = inputs.compactMap { $0 }
            guard opened.count == inputs.count else { throw VolumeError(file: nil, reason: "a file cannot be read") }
            volumes = try VolumeLoader.volumes(of: opened.map(\.object.dataSet)) { source throws(VolumeError) in
                if let pixels = decoded[source] { return pixels }
                do { decoded[source] = try opened[source].file.decodePixels() } catch {
                    throw VolumeError(file: nil, reason: "\(error)")
                }
                return decoded[source]!
            }
        } catch {
            return hint == .head
                ? fail(DefaceFailure(reason: .unsupported, detail: "the series cannot be read as a volume")) : nil
        }
        var results = [Result<DefacedFile, DefaceFailure>?](repeating: nil, count: inputs.count)
        var headFound = false
        var firstFailure: DefaceFailure?
        for volume in volumes {
            let sources = Set(volume.layout.slices.compactMap { $0?.source })
            do {
                let isCT = inputs[sources.min()!]?.object.dataSet.string(.modality)?.uppercased() == "CT"
                var defacer = Defacer()
                defacer.removesEars = configuration.defaceEars
                let result = try defacer.deface(volume, isCT: isCT)
                headFound = true
                for (source, defaced) in try DefacedPixelData.make(volume: volume, result: result, pixels: decoded) {
                    let record = DefacingRecord(
                        changedVoxels: defaced.changed, registrationRMS: (result.registrationRMS * 10).rounded() / 10,
                        inlierFraction: (result.inlierFraction * 100).rounded() / 100, faceRays: result.faceRays,
                        raysStillOnSkin: result.raysStillOnSkin, brainVolume: Int(result.brainVolume.rounded()),
                        protection: Int(result.protection.rounded()), behindOrbits: result.reachesBehindOrbits,
                        viewsWithFaceBefore: result.viewsWithFaceBefore, viewsWithFaceAfter: result.viewsWithFaceAfter,
                        volumeWarnings: volume.warnings.map(\.code))
                    results[source] = .success(DefacedFile(pixels: defaced.pixels, record: record))
                }
            } catch let failure as DefaceFailure {
                if failure.reason != .noHead && failure.reason != .unsupported { headFound = true }
                firstFailure = firstFailure ?? failure
                for source in sources { results[source] = .failure(failure) }
            } catch {
                let failure = DefaceFailure(reason: .unsupported, detail: "the pixels cannot be decoded")
                firstFailure = firstFailure ?? failure
                for source in sources { results[source] = .failure(failure) }
            }
        }
        if hint == .unknown && !headFound { return nil }
        // Files of a head series outside every defaced volume (localizers, single images) could
        // still show the face: they fail too.
        let uncovered =
            firstFailure ?? DefaceFailure(reason: .unsupported, detail: "image not part of a defaced volume")
        return results.map { $0 ?? .failure(uncovered) }
    }

    static func hint(_ dataSet: DataSet, requireHead: Bool) -> Hint {
        if requireHead || ResidualRiskVerifier.isHeadScan(dataSet) { return .head }
        let bodyPart = dataSet.string(.bodyPartExamined) ?? ""
        return bodyPart.isEmpty ? .unknown : .otherPart
    }
}
