import DICOMCore

/// Whether an IOD requires an attribute (PS3.3 attribute Types), for resolving the compound
/// actions of Table E.1-1 (Z/D, X/Z, X/D, X/Z/D, X/Z/U*).
public enum AttributeRequirement: Int, Sendable, Comparable {
    /// Type 1 or 1C: present with a value.
    case valueRequired = 1
    /// Type 2 or 2C: present, possibly empty.
    case presenceRequired = 2
    /// Type 3, or not part of the IOD: may be removed.
    case optional = 3

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Per-IOD Types of the attributes whose Table E.1-1 action is compound, generated from the
/// standard's PS3.3 tables by `Scripts/generate-tables.py`. Conditional Types (1C, 2C) count as
/// required: when the attribute is present its condition most likely holds, and a dummy or an
/// empty value keeps no more information than removal would.
public enum IODAttributeTypes {
    /// The requirement at `path` (tags from the top level down) in the IOD of `sopClassUID`.
    /// For a SOP Class the tables do not know, the strictest requirement any IOD places on the
    /// attribute is returned, so that the output stays valid whatever the IOD.
    public static func requirement(sopClassUID: String?, path: [DICOMTag]) -> AttributeRequirement {
        if let sopClassUID, let iod = tables.iodBySOPClass[sopClassUID] {
            return tables.requirements[iod]?[path.map(\.value)] ?? .optional
        }
        guard let tag = path.last else { return .optional }
        return tables.strictestByTag[tag.value] ?? .optional
    }

    /// Whether the tables know the IOD of `sopClassUID`.
    public static func knowsSOPClass(_ sopClassUID: String) -> Bool {
        tables.iodBySOPClass[sopClassUID] != nil
    }

    private struct Tables: Sendable {
        var iodBySOPClass: [String: Substring] = [:]
        /// Per IOD, the tag path (top level first) of each required attribute.
        var requirements: [Substring: [[UInt32]: AttributeRequirement]] = [:]
        var strictestByTag: [UInt32: AttributeRequirement] = [:]
    }

    private static let tables: Tables = {
        var tables = Tables()
        for line in packedSOPClasses.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 { tables.iodBySOPClass[String(fields[0])] = fields[1] }
        }
        for line in packedIODs.split(separator: "\n") {
            var fields = line.split(separator: " ")
            guard !fields.isEmpty else { continue }
            let iod = fields.removeFirst()
            var entries: [[UInt32]: AttributeRequirement] = [:]
            for field in fields {
                guard let equals = field.firstIndex(of: "="),
                      let rank = Int(field[field.index(after: equals)...]),
                      let requirement = AttributeRequirement(rawValue: rank) else { continue }
                let path = field[..<equals].split(separator: "/").compactMap { UInt32($0, radix: 16) }
                guard let tag = path.last else { continue }
                entries[path] = requirement
                tables.strictestByTag[tag] = min(tables.strictestByTag[tag] ?? .optional, requirement)
            }
            tables.requirements[iod] = entries
        }
        return tables
    }()
}
