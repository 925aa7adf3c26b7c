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

/// Per-IOD Types of the attributes whose Table E.1-1 action is compound or X, and of the dates,
/// times and person names the table does not list, generated from the
/// standard's PS3.3 tables by `Scripts/generate/generate-tables.py`. Conditional Types (1C, 2C) count as
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
        var iodBySOPClass: [String: String] = [:]
        /// Per IOD, the tag path (top level first) of each required attribute.
        var requirements: [String: [[UInt32]: AttributeRequirement]] = [:]
        var strictestByTag: [UInt32: AttributeRequirement] = [:]
    }

    private static let tables: Tables = {
        var tables = Tables()
        PackedTable.forEachLine(packedSOPClasses) { fields in
            if fields.count == 2 { tables.iodBySOPClass[PackedTable.string(fields[0])] = PackedTable.string(fields[1]) }
        }
        PackedTable.forEachLine(packedIODs) { fields in
            var entries: [[UInt32]: AttributeRequirement] = [:]
            for field in fields.dropFirst() {
                // "00080096/00080080=1": a tag path, then the requirement's rank.
                guard let equals = field.firstIndex(of: UInt8(ascii: "=")),
                    let rank = PackedTable.decimal(field.base[(equals + 1)..<field.endIndex]),
                    let requirement = AttributeRequirement(rawValue: rank)
                else { continue }
                let path = PackedTable.parts(field.base[field.startIndex..<equals], separatedBy: UInt8(ascii: "/"))
                    .compactMap(PackedTable.hex)
                guard let tag = path.last else { continue }
                entries[path] = requirement
                tables.strictestByTag[tag] = min(tables.strictestByTag[tag] ?? .optional, requirement)
            }
            tables.requirements[PackedTable.string(fields[0])] = entries
        }
        return tables
    }()
}
