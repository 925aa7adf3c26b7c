import DICOMCore

/// One attribute of a C-FIND or C-MOVE identifier: a matching key with a value, or a return key
/// (empty value). Written `Keyword=value` or `gggg,eeee=value` on the command line.
public struct QueryKey: Sendable, Hashable {
    public var tag: DICOMTag
    public var value: String

    public init(_ tag: DICOMTag, _ value: String = "") {
        self.tag = tag
        self.value = value
    }

    /// Parses `PatientID=123`, `StudyDate=20240101-20240131`, `0010,0020=123` or a bare keyword.
    public init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        let tag: DICOMTag?
        if let known = DataDictionary.tag(forKeyword: name) {
            tag = known
        } else {
            let hex = name.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "(", with: "")
                .replacingOccurrences(of: ")", with: "")
            tag = hex.count == 8 ? UInt32(hex, radix: 16).map(DICOMTag.init) : nil
        }
        guard let tag, !tag.isPrivate else { return nil }
        self.init(tag, parts.count > 1 ? String(parts[1]) : "")
    }
}

/// The Query/Retrieve Level of a Study Root query.
public enum QueryLevel: String, Sendable, CaseIterable {
    case study = "STUDY"
    case series = "SERIES"
    case image = "IMAGE"
}

/// One C-FIND (or QIDO-RS) match: its attributes as text. PHI by nature: never logged.
public struct QueryMatch: Sendable {
    public var values: [DICOMTag: String]

    public init(values: [DICOMTag: String]) { self.values = values }

    public subscript(tag: DICOMTag) -> String? { values[tag] }
}
