import Deidentification
import Foundation
import TextRedaction

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
    /// If set, failed inputs are copied there (named by their manifest id), outside the output.
    public var quarantineFolder: String?
    /// Process only the inputs of one shard: (1-based index, count). Inputs are assigned by study
    /// (a hash of the original Study Instance UID), so that N machines, each with its own shard,
    /// together do what one machine would.
    public var shard: Shard?
    /// Write a DICOMDIR for the output (files then go to DICOM/<study>/<series>/<instance>, with
    /// the 8-character names media file sets require).
    public var writesDICOMDIR = false
    /// Keep every file's outcome in the summary (tests, small runs); otherwise outcomes are only
    /// reported through the progress callback, and memory does not grow with the number of files.
    public var keepsOutcomes = false
    /// Remove the face from head CT and MR series (`--deface`): a first pass finds and defaces
    /// them; a head series that cannot be defaced fails (and is quarantined) as a whole.
    public var deface = false
    /// With defacing, also remove the ears (`--deface-ears`).
    public var defaceEars = false
    /// Find and mask text burned into the pixels (`--clean-pixel-data`): of the images triage
    /// flags, or of every image. Images whose text cannot be removed fail (and are quarantined).
    public var cleanPixelData: TextTriage.Scope?
    /// Text cleaning is on: asked for directly, or through the Clean Pixel Data option.
    var textScope: TextTriage.Scope? { cleanPixelData ?? (profile.options.contains(.cleanPixelData) ? .flagged : nil) }
    /// Also write, per series, a NIfTI with a JSON sidecar and/or a QA picture (from the outputs).
    public var representations: Set<Representation> = []
    /// dataset.csv flags series whose quasi-identifiers fewer than this many patients share...
    public var kAnonymity = 5
    /// ...and with this, replaces those quasi-identifiers by "*".
    public var suppressBelowK = false
    /// `veil deface`: every CT and MR series is a head series.
    public var defaceRequiresHead = false
    /// Defacing is on: asked for directly, or through the Clean Recognizable Visual Features option.
    var defaces: Bool {
        deface || defaceEars || defaceRequiresHead || profile.options.contains(.cleanRecognizableVisualFeatures)
    }
    /// How often outputs are flushed to disk and marked durable in the manifest journal.
    public var checkpointInterval: (files: Int, seconds: Double) = (2000, 30)

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

extension BatchConfiguration {
    /// The owner of this run's temporary files (see `AtomicFile.temporaryFileOwner(of:)`).
    var temporaryFileOwner: String { shard?.temporaryFileOwner ?? "batch" }

    /// Whether an input belongs to this run's shard: a study goes whole to one shard; an input
    /// without a study (unreadable, or no Study Instance UID) goes by its input id.
    func belongsHere(study: String?, inputID: String) -> Bool {
        guard let shard else { return true }
        return shard.contains(study.flatMap { $0.isEmpty ? nil : $0 } ?? inputID)
    }
}

/// One of N parts of a batch (`--shard i/N`).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses "i/N".
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Names this shard's temporary files, so that resuming it removes its own leftovers only.
    var temporaryFileOwner: String { "shard\(index)of\(count)" }

    /// Whether the study (or, for inputs without one, the input) with this key belongs here.
    public func contains(_ key: String) -> Bool {
        Int(FNV1a.hash(key) % UInt64(count)) == index - 1
    }
}
