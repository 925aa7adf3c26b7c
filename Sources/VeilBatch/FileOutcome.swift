import Deidentification

/// What happened to one input file.
public struct FileOutcome: Sendable {
    public enum Status: String, Sendable, Codable {
        /// De-identified and written (or, in a dry run, would be).
        case written
        /// The same de-identified file was already in the output (a duplicate input, or a re-run).
        case unchanged
        /// Not processed, on purpose: not a DICOM file, or a DICOMDIR.
        case skipped
        /// Could not be de-identified safely; nothing was written for it.
        case failed
    }

    /// Position of the input in the sorted list of inputs.
    public var index: Int
    /// The input path. PHI-bearing (PACS exports name folders after patients): shown to the
    /// operator on request, never written to the manifest.
    public var inputPath: String
    /// Keyed hash of the input path: names the input in the manifest.
    public var inputID: String
    public var status: Status
    /// A short machine-readable reason for skipped and failed files.
    public var reason: String?
    /// A one-line explanation for skipped and failed files. Contains no attribute values.
    public var message: String?
    /// Output path relative to the output folder.
    public var outputPath: String?
    public var transferSyntaxUID: String?
    public var identifiers: OutputIdentifiers?
    public var actions: [AppliedAction] = []
    public var warnings: [DeidentificationWarning] = []
    public var methodCodes: [String] = []
    /// Original → replacement identifiers, for the mapping file only.
    public var replacements: [Replacement] = []
    public var bytesRead: UInt64 = 0
    /// Set when the file's face was removed (`--deface`).
    public var defacing: DefacingRecord?
    /// For images whose burned-in text was masked: where, and by which rule.
    public var pixelText: PixelTextRecord?
    /// Inputs this one displaced from its output path (duplicates of its SOP Instance UID that
    /// came first but are later in input order): their records are amended to these failures.
    var displaced: [FileOutcome] = []
    /// For a displaced input: the status its record had before.
    var displacedStatus: Status?
}
