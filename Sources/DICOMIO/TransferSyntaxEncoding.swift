internal import CDCMTK
import DICOMCore

/// How the data set of a transfer syntax is encoded, as DCMTK reads it.
public struct TransferSyntaxEncoding: Sendable, Equatable {
    /// DCMTK's number for the transfer syntax: what it is asked to read, and what it read.
    let id: Int32
    public let isExplicitVR: Bool
    public let isBigEndian: Bool
    /// Pixel Data may be a sequence of fragments.
    public let isEncapsulated: Bool
    /// The data set is one deflate stream (PS3.5 A.5).
    public let isDeflated: Bool

    /// The transfer syntax named `uid` as stored in a meta header, or nil when DCMTK does not
    /// know it. DCMTK reads the name up to its first NUL, and knows its own names for them too.
    public init?(uid: [UInt8]) {
        let end = uid.firstIndex(of: 0) ?? uid.endIndex
        var found = cdcm_transfer_syntax()
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: end + 1) { name in
            for index in 0..<end { name[index] = CChar(bitPattern: uid[index]) }
            name[end] = 0
            cdcm_transfer_syntax_find(name.baseAddress!, &found)
        }
        guard found.id != CDCM_TRANSFER_SYNTAX_UNKNOWN else { return nil }
        id = found.id
        (isExplicitVR, isBigEndian) = (found.explicit_vr != 0, found.big_endian != 0)
        (isEncapsulated, isDeflated) = (found.encapsulated != 0, found.deflated != 0)
    }

    static let implicitVRLittleEndian = TransferSyntaxEncoding(uid: Array(TransferSyntax.implicitVRLittleEndian.utf8))!
    static let explicitVRLittleEndian = TransferSyntaxEncoding(uid: Array(TransferSyntax.explicitVRLittleEndian.utf8))!
}
