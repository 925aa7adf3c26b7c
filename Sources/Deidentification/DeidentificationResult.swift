import DICOMCore

/// A de-identified instance and the record of how it was made.
public struct DeidentificationResult: Sendable {
    /// The de-identified object, ready to write.
    public var object: DICOMObject
    /// Every change, in path order. Values are never recorded.
    public var actions: [AppliedAction]
    /// The identifiers of the output instance (replacement UIDs and pseudonyms: no PHI).
    public var identifiers: OutputIdentifiers
    /// Originals and their replacements (UIDs, patient IDs, accession numbers). This is PHI:
    /// it is kept in memory only, for a mapping file the key holder asks for explicitly.
    public var replacements: [Replacement]
    public var warnings: [DeidentificationWarning]
    /// The CID 7050 codes written into (0012,0064).
    public var methodCodes: [DeidentificationMethodCode]
}

/// Identifiers of a de-identified instance, safe to record anywhere.
public struct OutputIdentifiers: Sendable, Hashable, Codable {
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var sopInstanceUID: String
    public var sopClassUID: String
    public var frameOfReferenceUID: String?
    /// The pseudonymous Patient ID, if the instance has one.
    public var patientPseudonym: String?

    public init(
        studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String, sopClassUID: String,
        frameOfReferenceUID: String? = nil, patientPseudonym: String? = nil
    ) {
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
        self.sopClassUID = sopClassUID
        self.frameOfReferenceUID = frameOfReferenceUID
        self.patientPseudonym = patientPseudonym
    }
}

/// An original identifier and what replaced it.
public struct Replacement: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case uid, patientID, accessionNumber, studyID
    }

    public var kind: Kind
    public var original: String
    public var replacement: String
}
