internal import CDCMTK

/// The shim's calls that return a status and copy a message (CDCMTK.h conventions), made in one
/// place: the message buffer, the status check, the error. Like swift-system's `valueOrErrno`.
enum ShimCall {
    /// Messages longer than this are cut; they are one line naming at most a tag.
    static let messageCapacity = 512

    /// Runs `body` with a message buffer and returns its status and the buffer's text (empty when
    /// the call wrote none).
    static func status(
        _ body: (UnsafeMutablePointer<CChar>, Int) -> cdcm_status
    )
        -> (status: cdcm_status, text: String)
    {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: messageCapacity) { buffer in
            let base = buffer.baseAddress!
            base.initialize(to: 0)
            let status = body(base, buffer.count)
            return (status, String(cString: base))
        }
    }

    /// Runs `body`; unless it returns CDCM_OK, throws its message as the error `kind` gives its status.
    static func run(
        _ body: (UnsafeMutablePointer<CChar>, Int) -> cdcm_status,
        kind: (cdcm_status) -> DICOMIOError.Kind = ShimCall.kind(of:)
    ) throws(DICOMIOError) {
        let (status, message) = status(body)
        guard status == CDCM_OK else { throw DICOMIOError(kind(status), message) }
    }

    /// What a failed call's status means to the caller.
    static func kind(of status: cdcm_status) -> DICOMIOError.Kind {
        switch status {
        case CDCM_ERROR_PARSE, CDCM_ERROR_TRUNCATED: .unreadable
        case CDCM_ERROR_NO_SPACE: .outputFull
        case CDCM_ERROR_IO: .fileSystem
        case CDCM_ERROR_TRANSFER_SYNTAX: .unsupportedTransferSyntax
        case CDCM_ERROR_RECORDS: .invalidObject
        default: .internalError
        }
    }
}
