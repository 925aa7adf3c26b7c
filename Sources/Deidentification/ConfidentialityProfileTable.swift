import DICOMCore

/// One row of PS3.15 Table E.1-1: which attributes it covers and what the Basic Profile and
/// each option do with them.
public struct ConfidentialityProfileRow: Sendable, Hashable {
    public enum Pattern: Sendable, Hashable {
        /// One attribute.
        case tag(UInt16, UInt16)
        /// A repeating group such as "50xxxxxx" (curves) or "60xx3000" (overlay data); 'x' is any
        /// hex digit.
        case masked(String)
        /// "(gggg,eeee) where gggg is odd": every private attribute.
        case privateAttributes
    }

    public var pattern: Pattern
    public var name: String
    /// The Basic Profile's action.
    public var basic: ActionCode
    /// Whether the attribute appears in a standard composite IOD (the table's "in Std. Comp. IOD").
    public var inStandardIOD: Bool
    /// The action of each option whose column names one; options not listed keep `basic`.
    public var options: [ProfileOption: ActionCode]

    init(
        _ pattern: Pattern, _ name: String, basic: ActionCode, inStandardIOD: Bool,
        options: [ProfileOption: ActionCode]
    ) {
        self.pattern = pattern
        self.name = name
        self.basic = basic
        self.inStandardIOD = inStandardIOD
        self.options = options
    }

    /// The tag pattern as in the standard: "(0010,0010)", "(50xx,xxxx)", "(gggg,eeee) where gggg is odd".
    public var tagDescription: String {
        switch pattern {
        case .tag(let group, let element): DICOMTag(group, element).description
        case .masked(let mask): "(\(mask.prefix(4)),\(mask.suffix(4)))"
        case .privateAttributes: "(gggg,eeee) where gggg is odd"
        }
    }
}

/// PS3.15 Table E.1-1, generated from the standard by `Scripts/generate/generate-tables.py`.
public enum ConfidentialityProfileTable {
    /// The row that covers a public attribute, if any. Private attributes are covered by
    /// ``privateAttributesRow``.
    public static func row(for tag: DICOMTag) -> ConfidentialityProfileRow? {
        if let row = index.exact[tag.value] { return row }
        return index.masked.first { $0.mask.matches(tag) }?.row
    }

    /// The "Private Attributes" row.
    public static var privateAttributesRow: ConfidentialityProfileRow { index.privateRow }

    private struct Index: Sendable {
        var exact: [UInt32: ConfidentialityProfileRow] = [:]
        var masked: [(mask: TagMask, row: ConfidentialityProfileRow)] = []
        var privateRow: ConfidentialityProfileRow
    }

    private static let index: Index = {
        var privateRow: ConfidentialityProfileRow?
        var exact: [UInt32: ConfidentialityProfileRow] = [:]
        var masked: [(mask: TagMask, row: ConfidentialityProfileRow)] = []
        for row in rows {
            switch row.pattern {
            case .tag(let group, let element):
                exact[DICOMTag(group, element).value] = row
            case .masked(let pattern):
                guard let mask = TagMask(pattern) else {
                    fatalError("malformed mask \(pattern) in the generated table")
                }
                masked.append((mask, row))
            case .privateAttributes:
                privateRow = row
            }
        }
        return Index(exact: exact, masked: masked, privateRow: privateRow!)
    }()
}
