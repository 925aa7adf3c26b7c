import DICOMCore
import Foundation

/// dataset.csv: one row per series of de-identified output, and a k-anonymity check over the
/// quasi-identifiers kept (age bin, sex, year, modality, institution): a patient whose combination
/// fewer than k patients share can be singled out by anyone who knows those facts.
public struct DatasetTable: Sendable {
    public struct Row: Sendable {
        public var studyInstanceUID: String
        public var seriesInstanceUID: String
        public var patientPseudonym: String
        public var modality: String
        public var bodyPart: String
        public var ageBin: String
        public var sex: String
        /// The (shifted) year of the study, only when dates were shifted rather than removed.
        public var year: String
        public var institution: String
        public var manufacturer: String
        public var model: String
        public var sliceThickness: String
        public var size: String
        public var defaced: Bool

        var quasiIdentifiers: [String] { [ageBin, sex, year, modality, institution] }

        /// The row of a series from one of its de-identified data sets.
        public init(dataSet: DataSet, size: (Int, Int, Int), defaced: Bool) {
            func text(_ group: UInt16, _ element: UInt16) -> String { dataSet.string(DICOMTag(group, element)) ?? "" }
            studyInstanceUID = text(0x0020, 0x000D)
            seriesInstanceUID = text(0x0020, 0x000E)
            patientPseudonym = text(0x0010, 0x0020)
            modality = text(0x0008, 0x0060)
            bodyPart = text(0x0018, 0x0015)
            ageBin = Sidecar.ageBin(text(0x0010, 0x1010)) ?? ""
            sex = text(0x0010, 0x0040)
            let shifted = text(0x0028, 0x0303) == "MODIFIED"
            year = shifted ? String(text(0x0008, 0x0020).prefix(4)) : ""
            institution = text(0x0008, 0x0080)
            manufacturer = text(0x0008, 0x0070)
            model = text(0x0008, 0x1090)
            sliceThickness = text(0x0018, 0x0050)
            self.size = "\(size.0)x\(size.1)x\(size.2)"
            self.defaced = defaced
        }
    }

    public var rows: [Row]
    public var k: Int
    /// Replace the quasi-identifiers of rows below k by "*" instead of only flagging them.
    public var suppress: Bool

    public init(rows: [Row], k: Int, suppress: Bool) {
        self.rows = rows.sorted {
            ($0.studyInstanceUID, $0.seriesInstanceUID) < ($1.studyInstanceUID, $1.seriesInstanceUID)
        }
        self.k = k
        self.suppress = suppress
    }

    /// Distinct patients sharing each row's quasi-identifiers.
    public var groupSizes: [Int] {
        var patients: [[String]: Set<String>] = [:]
        for row in rows { patients[row.quasiIdentifiers, default: []].insert(row.patientPseudonym) }
        return rows.map { patients[$0.quasiIdentifiers]?.count ?? 0 }
    }

    /// Rows below k.
    public var flaggedCount: Int { groupSizes.filter { $0 < k }.count }

    public var csv: [UInt8] {
        let header = [
            "study", "series", "patient", "modality", "body_part", "age_bin", "sex", "year", "institution",
            "manufacturer", "model", "slice_thickness", "size", "defaced", "k", "below_k",
        ]
        var lines = [header.joined(separator: ",")]
        for (row, size) in zip(rows, groupSizes) {
            let below = size < k
            let hide = below && suppress
            let quasi = [row.ageBin, row.sex, row.year, row.modality, row.institution].map { hide ? "*" : $0 }
            let fields = [
                row.studyInstanceUID, row.seriesInstanceUID, row.patientPseudonym, quasi[3], row.bodyPart, quasi[0],
                quasi[1], quasi[2], quasi[4], row.manufacturer, row.model, row.sliceThickness, row.size,
                row.defaced ? "yes" : "no", String(size), below ? "yes" : "no",
            ]
            lines.append(fields.map(Self.escaped).joined(separator: ","))
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so that spreadsheets do not run it.
    static func escaped(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
