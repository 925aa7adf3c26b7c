import DICOMIO
import Defacing
import Deidentification
import TextRedaction

/// Why one input was not written: the manifest's reason code, the file's status (failed, or
/// skipped on purpose) and a one-line message that holds no attribute value and no path.
///
/// Every reason code in the manifest comes from an adopter of this protocol, all of them in this
/// file: the table of codes is here (and documented in docs/manifest.md).
protocol FileFailure: Error {
    var code: String { get }
    var status: FileOutcome.Status { get }
    var message: String { get }
}

extension FileFailure {
    var status: FileOutcome.Status { .failed }
}

/// Reading or writing failed.
extension DICOMIOError: FileFailure {
    var code: String {
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
}

/// The engine refused the instance (a DICOMDIR is skipped: a new one is built from the outputs).
extension DeidentificationRefusal: FileFailure {
    var code: String { reason.rawValue }
    var status: FileOutcome.Status { reason == .mediaDirectory ? .skipped : .failed }
}

/// Burned-in text could not be removed.
extension TextCleaningFailure: FileFailure {
    var code: String { reason.rawValue }
    var message: String { detail }
}

/// The file's head series could not be defaced.
extension DefaceFailure: FileFailure {
    var message: String { "head series not defaced: \(detail)" }
}

/// Failures the batch itself finds.
struct BatchFileFailure: FileFailure {
    var code: String
    var status: FileOutcome.Status = .failed
    var message: String

    /// Something that is not DICOM and not named like DICOM (notes, thumbnails in an export).
    static let notDICOM = BatchFileFailure(code: "not-dicom", status: .skipped, message: "not a DICOM file")
    /// An image IOD without Pixel Data (see ``TruncatedImage``).
    static let truncated = BatchFileFailure(
        code: "truncated",
        message: "an image without Pixel Data: the file ends before its pixels (cut short), or holds only a header")
    /// Another input of the run has the same SOP Instance UID and a different de-identified
    /// content; the one first in input order is written (see ``OutputOwners``).
    static func duplicate(of index: Int) -> BatchFileFailure {
        BatchFileFailure(
            code: "duplicate-sop-instance-uid",
            message: "duplicate SOP Instance UID of input #\(index), different after de-identification: "
                + "input #\(index), first in input order, is written")
    }
    /// A path the folder walk could not use (a broken link, a name that is not valid text).
    static func unreadableInput(_ message: String) -> BatchFileFailure {
        BatchFileFailure(code: "unreadable-input", message: message)
    }
    /// A bug: an error of a kind the batch does not know.
    static let internalError = BatchFileFailure(code: "internal-error", message: "unexpected error")
    /// `veil reidentify`: the vault has no record of the instance.
    static let notInVault = BatchFileFailure(code: "not-in-vault", message: "the vault has no record of this instance")
    /// `veil reidentify`: the record does not open with the key given.
    static let vaultRecord = BatchFileFailure(
        code: "vault-record", message: "the vault record cannot be opened with this key")

    /// A file that could not be opened: skipped when it is simply not DICOM, failed otherwise.
    /// Files named like DICOM files fail when they are not DICOM.
    static func opening(_ error: DICOMIOError, path: String) -> any FileFailure {
        error.kind == .notDICOM && !hasDICOMExtension(path) ? notDICOM : error
    }

    static func hasDICOMExtension(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map { $0.lowercased() } ?? ""
        return [".dcm", ".dicom", ".dic", ".ima"].contains { name.hasSuffix($0) }
    }

    /// Any error thrown while processing a file, as a failure.
    static func from(_ error: any Error) -> any FileFailure {
        (error as? any FileFailure) ?? internalError
    }
}

extension FileOutcome {
    /// The outcome of an input that failed (or was skipped) before anything was read from it.
    init(index: Int, inputPath: String, inputID: String, failure: any FileFailure) {
        self.init(
            index: index, inputPath: inputPath, inputID: inputID, status: failure.status,
            reason: failure.code, message: failure.message)
    }

    /// This outcome as a failure: nothing of a file that was not written stays in its record.
    mutating func fail(_ failure: any FileFailure) {
        status = failure.status
        reason = failure.code
        message = failure.message
        identifiers = nil
        outputPath = nil
        actions = []
        warnings = []
        methodCodes = []
        replacements = []
        defacing = nil
        pixelText = nil
    }
}
