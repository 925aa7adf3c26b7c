/// A Value Representation (PS3.5 section 6.2).
public enum VR: String, Sendable, CaseIterable, CustomStringConvertible {
    case AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST,
        SV, TM, UC, UI, UL, UN, UR, US, UT, UV

    /// Parses the two ASCII bytes of an explicit VR.
    public init?(bytes first: UInt8, _ second: UInt8) {
        // A table lookup: readers call this for every element.
        guard let vr = VR.byCode[UInt16(first) << 8 | UInt16(second)] else { return nil }
        self = vr
    }

    private static let byCode: [UInt16: VR] = Dictionary(
        uniqueKeysWithValues: allCases.map { vr in
            let bytes = Array(vr.rawValue.utf8)
            return (UInt16(bytes[0]) << 8 | UInt16(bytes[1]), vr)
        })

    public var description: String { rawValue }

    /// Character string VRs: their values are text, multiple values separated by `\`.
    public var isString: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: true
        default: false
        }
    }

    /// Text VRs whose values are free text a person typed or a system filled in; `\` is
    /// not a value separator in LT, ST, UT and UR.
    public var isFreeText: Bool {
        switch self {
        case .LT, .ST, .UT, .UR: true
        default: false
        }
    }

    /// String VRs whose values can carry arbitrary words: names, descriptions, identifiers.
    public var isTextual: Bool {
        switch self {
        case .LO, .LT, .PN, .SH, .ST, .UC, .UT, .UR, .AE: true
        default: false
        }
    }

    /// Temporal VRs: dates, times and date-times.
    public var isTemporal: Bool { self == .DA || self == .DT || self == .TM }

    /// The maximum length of one value in bytes or characters (PS3.5 Table 6.2-1), where one is set.
    public var maximumLength: Int? {
        switch self {
        case .AE: 16
        case .AS: 4
        case .CS: 16
        case .DA: 8
        case .DS: 16
        case .DT: 26
        case .IS: 12
        case .LO: 64
        case .LT: 10240
        case .PN: 64 * 5
        case .SH: 16
        case .ST: 1024
        case .TM: 14
        case .UI: 64
        default: nil
        }
    }

    /// The size of one value of a fixed-width binary VR.
    public var valueWidth: Int? {
        switch self {
        case .SS, .US, .OW: 2
        case .AT: 4
        case .FL, .OF, .SL, .UL, .OL: 4
        case .FD, .OD, .SV, .UV, .OV: 8
        case .OB, .UN: 1
        default: nil
        }
    }
}
