/// The PS3.6 data dictionary: keyword, VR and VM of every standard attribute.
///
/// Generated from pydicom's copy of PS3.6 by `Scripts/generate/generate-tables.py`
/// (see `Generated/DataDictionary+Entries.swift`).
public enum DataDictionary {
    public struct Entry: Sendable, Hashable {
        public var keyword: String
        /// The VRs the standard allows; more than one for attributes such as "US or SS".
        public var vrs: [VR]
        public var vm: String
        public var isRetired: Bool
    }

    /// The entry for `tag`, including repeating groups such as (60xx,3000). Nil for private tags
    /// and for public tags the dictionary does not know.
    public static func entry(for tag: DICOMTag) -> Entry? {
        if let entry = tables.exact[tag.value] { return entry }
        guard !tag.isPrivate else { return nil }
        return tables.masked.first { $0.mask.matches(tag) }?.entry
    }

    /// The tag of a keyword such as "PatientName".
    public static func tag(forKeyword keyword: String) -> DICOMTag? {
        tables.byKeyword[keyword].map(DICOMTag.init)
    }

    /// The VR an element should have: the dictionary's first choice, or UN when unknown.
    public static func vr(for tag: DICOMTag) -> VR {
        entry(for: tag)?.vrs.first ?? .UN
    }

    private struct MaskedEntry: Sendable {
        var mask: TagMask
        var entry: Entry
    }

    private struct Tables: Sendable {
        var exact: [UInt32: Entry] = [:]
        var byKeyword: [String: UInt32] = [:]
        var masked: [MaskedEntry] = []
    }

    private static let tables: Tables = {
        var tables = Tables()
        tables.exact.reserveCapacity(5200)
        tables.byKeyword.reserveCapacity(5200)
        PackedTable.forEachLine(packedEntries) { fields in
            guard let entry = parse(fields), let tag = PackedTable.hex(fields[0]) else { return }
            tables.exact[tag] = entry
            tables.byKeyword[entry.keyword] = tag
        }
        PackedTable.forEachLine(packedRepeatingEntries) { fields in
            guard let entry = parse(fields), let mask = TagMask(PackedTable.string(fields[0])) else { return }
            tables.masked.append(MaskedEntry(mask: mask, entry: entry))
        }
        return tables
    }()

    /// One line: tag, VRs joined by '/', VM, keyword, and 'R' when retired.
    private static func parse(_ fields: [PackedTable.Field]) -> Entry? {
        guard fields.count >= 4 else { return nil }
        let vrs = PackedTable.parts(fields[1], separatedBy: UInt8(ascii: "/")).compactMap { code in
            code.count == 2 ? VR(bytes: code[code.startIndex], code[code.startIndex + 1]) : nil
        }
        return Entry(
            keyword: PackedTable.string(fields[3]), vrs: vrs, vm: PackedTable.string(fields[2]),
            isRetired: fields.count > 4 && fields[4].elementsEqual([UInt8(ascii: "R")]))
    }
}
