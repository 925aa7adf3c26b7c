import DICOMCore
import Representations
import Testing

/// dataset.csv: k counts distinct patients per combination of quasi-identifiers; rows below k are
/// flagged, or their quasi-identifiers replaced by "*" when asked; cells cannot inject formulas.
@Suite struct DatasetTableTests {
    static func row(
        patient: String, age: String, sex: String, modality: String = "MR", series: String
    ) -> DatasetTable.Row {
        let dataSet = DataSet([
            DataElement(DICOMTag.modality, .CS, string: modality),
            DataElement(DICOMTag.manufacturer, .LO, string: "=HYPERLINK(\"x\")"),
            DataElement(DICOMTag.patientID, .LO, string: patient),
            DataElement(DICOMTag.patientSex, .CS, string: sex),
            DataElement(DICOMTag.patientAge, .AS, string: age),
            DataElement(DICOMTag.studyInstanceUID, .UI, string: "1.2.3"),
            DataElement(DICOMTag.seriesInstanceUID, .UI, string: series),
        ])
        return DatasetTable.Row(dataSet: dataSet, size: (2, 2, 2), defaced: false)
    }

    @Test func groupsCountPatientsNotSeries() {
        let rows = [
            Self.row(patient: "A", age: "034Y", sex: "F", series: "1.1"),
            Self.row(patient: "A", age: "034Y", sex: "F", series: "1.2"),
            Self.row(patient: "B", age: "037Y", sex: "F", series: "1.3"),
            Self.row(patient: "C", age: "093Y", sex: "M", series: "1.4"),
        ]
        let table = DatasetTable(rows: rows, k: 2, suppress: false)
        #expect(table.groupSizes == [2, 2, 2, 1])  // A and B share 30-39/F/MR; C is alone
        #expect(table.flaggedCount == 1)
        let text = String(decoding: table.csv, as: UTF8.self)
        #expect(text.contains(",90+,M,"))
        #expect(text.contains("'=HYPERLINK"))
        #expect(!text.contains(",=HYPERLINK"))
    }

    @Test func suppressionHidesTheQuasiIdentifiersOfRareRows() {
        let rows = [
            Self.row(patient: "A", age: "034Y", sex: "F", series: "1.1"),
            Self.row(patient: "C", age: "093Y", sex: "M", series: "1.4"),
        ]
        let text = String(decoding: DatasetTable(rows: rows, k: 2, suppress: true).csv, as: UTF8.self)
        #expect(!text.contains("90+") && !text.contains("30-39"))
        #expect(text.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix(",1,yes") })
    }
}
