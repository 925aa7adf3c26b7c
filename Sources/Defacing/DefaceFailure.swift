/// Why a series was not defaced. The batch quarantines the series with `code` as its reason;
/// `detail` holds numbers only, never PHI.
public struct DefaceFailure: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// No head-sized object in the field of view.
        case noHead = "deface-no-head"
        /// The atlas head does not fit the subject's head well enough to trust where the brain is.
        case registrationFailed = "deface-registration-failed"
        /// The subject's brain could not be told from the rest of the head with confidence.
        case brainNotFound = "deface-brain-not-found"
        /// Voxels to be removed lie in the protected brain: never written.
        case brainTouched = "deface-brain-touched"
        /// After removal, renderings still show a face (the face detector finds one, or frontal
        /// rays still meet skin where the face was).
        case faceStillVisible = "deface-face-visible"
        /// The volume cannot be defaced (too few slices, not CT or MR).
        case unsupported = "deface-unsupported"
    }

    public var reason: Reason
    public var detail: String
    public var code: String { reason.rawValue }
    public var description: String { "\(reason.rawValue): \(detail)" }

    public init(reason: Reason, detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
