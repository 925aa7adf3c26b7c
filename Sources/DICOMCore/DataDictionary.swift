/// The PS3.6 data dictionary: keyword, VR and VM of every standard attribute.
///
/// Generated from pydicom's copy of PS3.6 by `Scripts/generate-tables.py`
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
        for line in packedEntries.split(separator: "\n") {
            guard let (tag, entry) = parse(line), let value = UInt32(tag, radix: 16) else { continue }
            tables.exact[value] = entry
            tables.byKeyword[entry.keyword] = value
        }
        for line in packedRepeatingEntries.split(separator: "\n") {
            guard let (pattern, entry) = parse(line), let mask = TagMask(pattern) else { continue }
            tables.masked.append(MaskedEntry(mask: mask, entry: entry))
        }
        return tables
    }()

    private static func parse(_ line: Substring) -> (Substring, Entry)? {
        let fields = line.split(separator: " ")
        guard fields.count >= 4 else { return nil }
        let vrs = fields[1].split(separator: "/").compactMap { VR(rawValue: String($0)) }
        return (fields[0], Entry(keyword: String(fields[3]), vrs: vrs, vm: String(fields[2]),
                                 isRetired: fields.count > 4 && fields[4] == "R"))
    }
}
