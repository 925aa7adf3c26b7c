import DICOMCore

/// The strings of an image's header that identify the patient, as they would be drawn into the
/// pixels: name parts (the patient's, and the physicians' and operators'), IDs, accession number,
/// addresses and the institution by their comma-separated parts, birth date in common formats.
/// Upper case, letters and digits only. Compared with OCR text; never written anywhere.
public struct HeaderPHIStrings: Sendable {
    public private(set) var strings: Set<String> = []

    public init(_ dataSet: DataSet) {
        let characterSet = dataSet.specificCharacterSet
        // The patient's names, and the staff's: a referring physician's name drawn on a
        // screen capture points to the patient as surely.
        for tag in Self.names {
            for name in dataSet[tag]?.strings(in: characterSet) ?? [] {
                for part in name.split(whereSeparator: { "^= ,".contains($0) }) { add(String(part)) }
            }
        }
        for tag in [DICOMTag.patientID, DICOMTag.otherPatientIDs, DICOMTag.accessionNumber] {
            for value in dataSet[tag]?.strings(in: characterSet) ?? [] { add(value) }
        }
        // An address or an institution drawn in a corner: "12 ELM ROAD, LAKESIDE".
        for tag in [DICOMTag.patientAddress, DICOMTag.institutionName, DICOMTag.institutionAddress] {
            for value in dataSet[tag]?.strings(in: characterSet) ?? [] {
                for part in value.split(whereSeparator: { ",;\n\r".contains($0) }) { add(String(part)) }
            }
        }
        let birth = dataSet.string(DICOMTag.patientBirthDate) ?? ""
        if birth.count == 8, birth.allSatisfy(\.isNumber) {
            let (year, month, day) = (birth.prefix(4), birth.dropFirst(4).prefix(2), birth.suffix(2))
            add(birth)
            add("\(month)\(day)\(year)")  // 08/29/1951
            add("\(day)\(month)\(year)")  // 29.08.1951
            if let index = Int(month), (1...12).contains(index) {
                add("\(day)\(Self.months[index - 1])\(year)")  // 29-AUG-1951
            }
        }
    }

    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    static let names = [
        DICOMTag.patientName, DICOMTag.otherPatientNames, DICOMTag.patientBirthName, DICOMTag.patientMotherBirthName,
        DICOMTag.referringPhysicianName, DICOMTag.performingPhysicianName, DICOMTag.operatorsName,
    ]

    /// Strings shorter than 3 characters match too much to mean anything.
    private mutating func add(_ value: String) {
        let normal = Self.normalise(value)
        if normal.count >= 3 { strings.insert(normal) }
    }

    static func normalise(_ text: String) -> String {
        String(
            text.uppercased().unicodeScalars.filter { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }.map(
                Character.init))
    }

    /// Whether any of the strings is read in `line`: strings of fewer than six characters must be
    /// a whole word of it (one edit from a short name is any word, and speckle reads as short
    /// words); longer ones may be one edit off anywhere in the line, and those of eight or more
    /// two (OCR misreads the edges of a glyph run: `KOWALSRE`, `«sAKESIDE`).
    public func found(in line: String) -> Bool {
        let words = Set(
            line.split(whereSeparator: { " \t,.:;/^_-()[]".contains($0) }).map { Self.normalise(String($0)) })
        let normal = Array(Self.normalise(line).utf8)
        return strings.contains { string in
            string.count < 6
                ? words.contains(string)
                : Self.within(string.count >= 8 ? 2 : 1, edits: Array(string.utf8), normal)
        }
    }

    /// Whether a run of `haystack` is at most `edits` edits from `needle`.
    static func within(_ edits: Int, edits needle: [UInt8], _ haystack: [UInt8]) -> Bool {
        let n = needle.count
        guard haystack.count >= n - edits else { return false }
        for start in 0...max(0, haystack.count - n + edits) {
            for length in (n - edits)...(n + edits) where start + length <= haystack.count {
                if distance(needle, haystack[start..<start + length], atMost: edits) <= edits { return true }
            }
        }
        return false
    }

    /// Levenshtein distance, stopping early once above `limit` (then `limit + 1`).
    static func distance(_ a: [UInt8], _ b: ArraySlice<UInt8>, atMost limit: Int) -> Int {
        let b = Array(b)
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            if current.min()! > limit { return limit + 1 }
            previous = current
        }
        return previous[b.count]
    }
}
