import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

@testable import TextRedaction

/// The last look: Tesseract (installed by Scripts/test.sh) reads the masked output for the
/// header's names, IDs and dates.
@Suite struct OCRLookTests {
    @Test func headerStringsAndTheirMatching() {
        var dataSet = DataSet()
        dataSet.append(DataElement(DICOMTag.patientName, .PN, string: "ZZZ^TEST^PATIENTFIVE"))
        dataSet.append(DataElement(DICOMTag.patientID, .LO, string: "00079241539 "))
        dataSet.append(DataElement(DICOMTag.patientBirthDate, .DA, string: "19510829"))
        let phi = HeaderPHIStrings(dataSet)
        #expect(
            phi.strings == [
                "ZZZ", "TEST", "PATIENTFIVE", "00079241539", "19510829", "08291951", "29081951", "29AUG1951",
            ])
        #expect(phi.found(in: "ZZZ TEST PATIENTFI\\E"))  // one edit off, long string
        #expect(phi.found(in: "DOB: 08/29/1951 M"))
        #expect(phi.found(in: "ID 0007924I539"))  // I read for 1
        #expect(!phi.found(in: "latest 2D 59% C 50"))  // "TEST" inside a word
        #expect(!phi.found(in: "PATIENT"))
        #expect(phi.found(in: "Born 29-AUG-1951"))

        // Addresses and the institution by their parts; eight characters or more: two edits.
        dataSet.append(DataElement(DICOMTag.patientName, .PN, string: "KOWALSKI^ANNA"))
        dataSet.append(DataElement(DICOMTag.institutionAddress, .ST, string: "870 ELM ROAD, LAKESIDE"))
        dataSet.append(DataElement(DICOMTag.institutionName, .LO, string: "NORTH CLINIC"))
        let more = HeaderPHIStrings(dataSet)
        #expect(more.strings.isSuperset(of: ["870ELMROAD", "LAKESIDE", "NORTHCLINIC"]))
        #expect(more.found(in: "“KOWALSRE") && more.found(in: "870 ELM ROAD «sAKESIDE"))
        #expect(more.found(in: "N0RTH CLlNlC") == false)  // three edits
        #expect(!more.found(in: "LAKE SHORE"))
    }

    @Test func tesseractIsThere() {
        #expect(OCRReader.isAvailable, "install tesseract-ocr and tesseract-ocr-eng (Scripts/test.sh does)")
    }

    /// Without detection Tesseract reads the drawn PHI of some generated cases, so the look has
    /// teeth; after Veil's masking it reads none in any of them.
    @Test func readsWhatIsLeftAndNothingAfterMasking() throws {
        try #require(OCRReader.isAvailable, "install tesseract-ocr and tesseract-ocr-eng (Scripts/test.sh does)")
        var blind = PixelTextCleaner()
        blind.detector.passes = []
        var caught = 0
        for one in try TextCases.cases().prefix(12) {
            let file = try DICOMFile(path: one.textFile.path)
            let (pixels, dataSet) = (try file.decodePixels(), try file.read().dataSet)
            do {
                _ = try blind.clean(pixels, dataSet: dataSet, bulkValue: { try file.bulkValue($0) })
            } catch {
                #expect(error.reason == .phiReadable)
                caught += 1
            }
            let cleaned = try PixelTextCleaner().clean(pixels, dataSet: dataSet, bulkValue: { try file.bulkValue($0) })
            #expect(cleaned.ocrChecked, "\(one.name)")
        }
        #expect(caught >= 3, "Tesseract read drawn PHI in only \(caught) of 12 unmasked images")
    }
}
