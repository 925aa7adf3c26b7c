/// Why an instance was not de-identified. The instance is then not written: a file Veil cannot
/// vouch for never reaches the output. Messages contain no attribute values.
public struct DeidentificationRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable, Codable {
        case missingSOPInstanceUID = "missing-sop-instance-uid"
        case missingSOPClassUID = "missing-sop-class-uid"
        /// Encapsulated PDF, CDA, STL, OBJ, MTL: the document's content cannot be cleaned.
        case encapsulatedDocument = "encapsulated-document"
        /// Burned In Annotation is YES and pixel cleaning is not enabled.
        case burnedInAnnotation = "burned-in-annotation"
        /// A DICOMDIR: its records repeat PHI; a new one is built from the de-identified files.
        case mediaDirectory = "media-directory"
        case unimplementedOption = "unimplemented-option"
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
