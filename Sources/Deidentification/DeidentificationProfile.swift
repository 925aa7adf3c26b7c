/// What to de-identify and how: the Basic Application Level Confidentiality Profile plus the
/// options chosen (PS3.15 E.2, E.3).
public struct DeidentificationProfile: Sendable, Hashable {
    /// Options applied on top of the Basic Profile.
    public var options: Set<ProfileOption>

    /// Files whose Burned In Annotation (0028,0301) is YES are refused unless pixel cleaning is on
    /// or this is set: metadata de-identification cannot remove text drawn into pixels.
    public var acceptsBurnedInAnnotation: Bool

    public init(options: Set<ProfileOption> = [], acceptsBurnedInAnnotation: Bool = false) {
        self.options = options
        self.acceptsBurnedInAnnotation = acceptsBurnedInAnnotation
    }

    /// The Basic Profile alone.
    public static let basic = DeidentificationProfile()

    /// Options this version of Veil implements. Asking for any other is an error, never a no-op.
    public static let implementedOptions: Set<ProfileOption> = []

    /// Options requested but not implemented.
    public var unimplementedOptions: Set<ProfileOption> { options.subtracting(Self.implementedOptions) }

    /// The action for a row of Table E.1-1 under this profile: the column of an enabled option
    /// that names one, else the Basic Profile's.
    public func action(for row: ConfidentialityProfileRow) -> ActionCode {
        for option in ProfileOption.allCases where options.contains(option) {
            if let action = row.options[option] { return action }
        }
        return row.basic
    }

    /// The CID 7050 codes for (0012,0064): the Basic Profile and every option applied, in code order.
    public var methodCodes: [DeidentificationMethodCode] {
        DeidentificationMethodCode.all.filter { code in
            switch code.method {
            case .basicProfile: true
            case .option(let option): options.contains(option)
            }
        }
    }
}
