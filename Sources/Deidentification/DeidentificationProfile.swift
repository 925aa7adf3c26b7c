import DICOMCore

/// What to de-identify and how: the Basic Application Level Confidentiality Profile plus the
/// options chosen (PS3.15 E.2, E.3), plus per-attribute overrides.
public struct DeidentificationProfile: Sendable, Hashable {
    /// Options applied on top of the Basic Profile.
    public var options: Set<ProfileOption>

    /// Files whose Burned In Annotation (0028,0301) is YES are refused unless pixel cleaning is on
    /// or this is set: metadata de-identification cannot remove text drawn into pixels.
    public var acceptsBurnedInAnnotation: Bool

    /// Per-attribute decisions that take precedence over the table, in order: the first override
    /// whose selector matches an element applies.
    public var overrides: [AttributeOverride]

    public init(
        options: Set<ProfileOption> = [], acceptsBurnedInAnnotation: Bool = false,
        overrides: [AttributeOverride] = []
    ) {
        self.options = options
        self.acceptsBurnedInAnnotation = acceptsBurnedInAnnotation
        self.overrides = overrides
    }

    /// The Basic Profile alone.
    public static let basic = DeidentificationProfile()

    /// Options this version of Veil implements. Asking for any other is an error, never a no-op.
    public static let implementedOptions: Set<ProfileOption> = [
        .retainSafePrivate, .retainUIDs, .retainDeviceIdentity, .retainInstitutionIdentity,
        .retainPatientCharacteristics, .retainLongitudinalFullDates, .retainLongitudinalModifiedDates,
        .cleanDescriptors, .cleanStructuredContent, .cleanGraphics,
        // By defacing (VeilBatch, `--deface`): code 113102 goes only on files whose face was removed.
        .cleanRecognizableVisualFeatures,
        // By burned-in text masking (VeilBatch, `--clean-pixel-data`): 113101 only on images masked.
        .cleanPixelData,
    ]

    /// Options requested but not implemented.
    public var unimplementedOptions: Set<ProfileOption> { options.subtracting(Self.implementedOptions) }

    /// Why the profile cannot be used, if it cannot.
    public var problem: String? {
        if options.contains(.retainLongitudinalFullDates) && options.contains(.retainLongitudinalModifiedDates) {
            return "the Full Dates and Modified Dates options exclude each other (PS3.15 E.3.6)"
        }
        if let unimplemented = unimplementedOptions.map(\.rawValue).sorted().first {
            return "option \(unimplemented) is not implemented in this version"
        }
        return nil
    }

    /// The action for a row of Table E.1-1 under this profile, and the option that chose it.
    ///
    /// Options only change the rows their column names. Where two enabled options name a row
    /// differently, cleaning (C) wins over keeping (K): the Device Identity option keeps
    /// calibration dates, the Modified Dates option shifts them, and together they are shifted.
    public func action(for row: ConfidentialityProfileRow) -> (ActionCode, ProfileOption?) {
        var keepingOption: ProfileOption?
        for option in Self.precedence where options.contains(option) {
            guard let action = row.options[option] else { continue }
            if action == .C { return (.C, option) }
            if keepingOption == nil { keepingOption = option }
        }
        if let keepingOption, let action = row.options[keepingOption] { return (action, keepingOption) }
        return (row.basic, nil)
    }

    /// The order options are consulted in when several name a row.
    static let precedence: [ProfileOption] = [
        .retainLongitudinalModifiedDates, .cleanStructuredContent, .cleanGraphics, .cleanDescriptors,
        .retainPatientCharacteristics, .retainDeviceIdentity, .retainSafePrivate, .retainLongitudinalFullDates,
        .retainUIDs, .retainInstitutionIdentity,
    ]

    /// The CID 7050 codes for (0012,0064): the Basic Profile and every option applied, in code order.
    public var methodCodes: [DeidentificationMethodCode] {
        DeidentificationMethodCode.all.filter { code in
            switch code.method {
            case .basicProfile: true
            case .option(let option): options.contains(option)
            }
        }
    }

    /// The first override that applies to the element at `path`.
    func override(for path: TagPath) -> AttributeOverride? {
        overrides.first { $0.selector.matches(path) }
    }
}

/// A user's decision about one attribute, overriding the table (profile files, PS3.15 E.3 "or
/// other means"). Overrides are the user's responsibility: Veil applies them as given.
public struct AttributeOverride: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        case keep
        case remove
        /// Replace the value with this text (string VRs only; other VRs are removed).
        case replace(String)
    }

    public var selector: AttributeSelector
    public var action: Action

    public init(_ selector: AttributeSelector, _ action: Action) {
        self.selector = selector
        self.action = action
    }
}

/// Which elements an override applies to: one tag at any depth ("PatientName", "(0010,0010)"),
/// or a path from the top level ("RequestAttributesSequence/RequestedProcedureDescription").
public struct AttributeSelector: Sendable, Hashable, CustomStringConvertible {
    public let tags: [DICOMTag]
    public let anyDepth: Bool

    /// Parses keywords or tags separated by '/'. A single step matches at any depth.
    public init?(_ text: String) {
        var tags: [DICOMTag] = []
        for step in text.split(separator: "/") {
            let trimmed = step.trimmingCharacters(in: " ")
            if let tag = DICOMTag(trimmed) ?? DataDictionary.tag(forKeyword: trimmed) {
                tags.append(tag)
            } else {
                return nil
            }
        }
        guard !tags.isEmpty else { return nil }
        self.tags = tags
        self.anyDepth = tags.count == 1
    }

    public func matches(_ path: TagPath) -> Bool {
        anyDepth ? path.tag == tags[0] : path.tags == tags
    }

    public var description: String { tags.map(\.description).joined(separator: "/") }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
