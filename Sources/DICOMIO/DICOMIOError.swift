/// Why a file could not be read or written. Messages never contain attribute values; they name
/// at most a tag, and the caller names the file.
public struct DICOMIOError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Not a DICOM file at all.
        case notDICOM = "not DICOM"
        /// DICOM, but truncated or corrupt.
        case unreadable
        /// Damaged or ambiguous structure (odd lengths, invalid VRs, unordered tags, lengths that
        /// do not fit, deep nesting, an empty file): refused before parsing.
        case malformed
        /// The transfer syntax is unknown or cannot be written.
        case unsupportedTransferSyntax = "unsupported transfer syntax"
        /// Opening, reading, writing or renaming failed at the file system level.
        case fileSystem = "file system"
        /// The output file system is full (or a quota or file size limit is reached): nothing
        /// more can be written there; the run stops and can be resumed once there is room.
        case outputFull = "output full"
        /// The output path already holds a different file; it is never overwritten.
        case outputConflict = "output conflict"
        /// An object handed to `write` cannot be encoded (a bug, or a bulk value from another file).
        case invalidObject = "invalid object"
        /// DCMTK threw, ran out of memory, or failed in a way it does not describe.
        case internalError = "internal error"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
