import DICOMCore
import Testing

@testable import Deidentification

/// Names and free text are read in the instance's Specific Character Set: a name is found in
/// free text whatever alphabet it is written in, and cleaned text is written back in that
/// character set.
@Suite struct CharacterSetHandlingTests {
    /// "Διονυσιος" in ISO 8859-7; UTF-8 reading found no letters in these bytes at all.
    static let greekName: [UInt8] = [0xC4, 0xE9, 0xEF, 0xED, 0xF5, 0xF3, 0xE9, 0xEF, 0xF2]

    /// An SR-like instance whose content item's Text Value is `text`.
    static func greekObject(comment text: [UInt8]) -> DICOMObject {
        let item = DataSet([DataElement(.textValue, .UT, .bytes(text))])
        var object = Fixtures.object(extra: [
            DataElement(.specificCharacterSet, .CS, string: "ISO_IR 126"),
            DataElement(.contentSequence, items: [item]),
        ])
        object.dataSet[.patientName] = DataElement(.patientName, .PN, .bytes(Self.greekName))
        return object
    }

    @Test func verifierFindsANameInFreeTextOfAnotherAlphabet() {
        let object = Self.greekObject(comment: Array("Follow-up for ".utf8) + Self.greekName)
        let findings = ResidualRiskVerifier().findings(in: object)
        #expect(findings.contains { $0.kind == .freeText && $0.path == "(0040,A730)[0](0040,A160)" })
        let clean = Self.greekObject(comment: Array("Follow-up".utf8))
        #expect(!ResidualRiskVerifier().findings(in: clean).contains { $0.kind == .freeText })
    }

    @Test func cleanedTextIsWrittenInTheDataSetsCharacterSet() throws {
        // "CT 37° Müller" in ISO 8859-1, the patient being Müller.
        let müller: [UInt8] = [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72]
        var object = Fixtures.object(extra: [
            DataElement(.specificCharacterSet, .CS, string: "ISO_IR 100"),
            DataElement(.studyDescription, .LO, .bytes(Array("CT 37".utf8) + [0xB0, 0x20] + müller)),
        ])
        object.dataSet[.patientName] = DataElement(.patientName, .PN, .bytes(müller + Array("^Hans".utf8)))
        let result = try Fixtures.deidentify(object, profile: DeidentificationProfile(options: [.cleanDescriptors]))
        let description = try #require(result.object.dataSet[.studyDescription]?.bytes)
        #expect(description == Array("CT 37".utf8) + [0xB0])
    }
}
