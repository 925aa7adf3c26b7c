/// What the structure check found in a file (`StructureCheck`).
public struct StructureReport: Sendable, Equatable {
    /// Nil when the file is well formed; otherwise what is wrong, naming at most a tag.
    public var problem: String?
    /// Bytes 128..<132 are "DICM": a Part 10 file with File Meta Information. Otherwise the file
    /// is taken for a bare data set.
    public var hasMetaHeader: Bool
    /// The encoding of the data set: the meta header's, or guessed for a bare data set. Nil when
    /// the check stopped before knowing it.
    public var transferSyntax: TransferSyntaxEncoding?
    /// The meta header's Transfer Syntax UID as stored, trailing NULs and spaces removed.
    public var declaredTransferSyntax: [UInt8] = []
    /// The meta header names a transfer syntax DCMTK does not know: the data set was not walked.
    public var unknownTransferSyntax = false
    /// The top level names a SOP Class and a SOP Instance with plausible UIDs (for telling a
    /// damaged bare data set from a file that is not DICOM at all). Known as far as the walk went.
    public var namesSOPInstance = false
    /// The top-level Pixel Data element. Not found in deflated data sets, whose bytes in the file
    /// are compressed.
    public var pixelData: PixelDataLocation?

    public init(hasMetaHeader: Bool) {
        self.hasMetaHeader = hasMetaHeader
    }
}

/// Where the top-level Pixel Data element lies in the file: writing copies it from there.
public struct PixelDataLocation: Sendable, Equatable {
    /// Offsets of the element, header included: `start..<end`.
    public var start: Int
    public var end: Int
    /// As in the element's header: 0xFFFFFFFF when encapsulated.
    public var valueLength: UInt32
}
