/// The options of the Application Level Confidentiality Profile (PS3.15 E.3), each with a
/// column in Table E.1-1 except the two pixel options.
public enum ProfileOption: String, Sendable, Hashable, CaseIterable, Codable {
    case retainSafePrivate
    case retainUIDs
    case retainDeviceIdentity
    case retainInstitutionIdentity
    case retainPatientCharacteristics
    case retainLongitudinalFullDates
    case retainLongitudinalModifiedDates
    case cleanDescriptors
    case cleanStructuredContent
    case cleanGraphics
    /// Clean Pixel Data (E.3.1): burned-in text masked.
    case cleanPixelData
    /// Clean Recognizable Visual Features (E.3.2): faces removed.
    case cleanRecognizableVisualFeatures
}

/// A method that can be named in De-identification Method Code Sequence (0012,0064).
public enum DeidentificationMethod: Sendable, Hashable {
    case basicProfile
    case option(ProfileOption)
}

/// A code of CID 7050 (PS3.16), written into (0012,0064) for each method applied.
public struct DeidentificationMethodCode: Sendable, Hashable {
    public var method: DeidentificationMethod
    public var value: String
    public var scheme: String
    public var meaning: String

    init(_ method: DeidentificationMethod, value: String, scheme: String, meaning: String) {
        self.method = method
        self.value = value
        self.scheme = scheme
        self.meaning = meaning
    }

    /// The code for `method`.
    public static func code(for method: DeidentificationMethod) -> DeidentificationMethodCode {
        all.first { $0.method == method }!
    }
}
