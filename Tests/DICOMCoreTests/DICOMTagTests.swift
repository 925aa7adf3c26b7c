import DICOMCore
import Testing

@Suite struct DICOMTagTests {
    @Test(arguments: ["(0010,0010)", "0010,0010", "00100010", "(0010, 0010)"])
    func parsesNotations(text: String) {
        #expect(DICOMTag(text) == DICOMTag.patientName)
    }

    @Test(arguments: ["", "(0010)", "0010001", "(gggg,0010)", "001000100"])
    func rejectsMalformed(text: String) {
        #expect(DICOMTag(text) == nil)
    }

    @Test func describesInStandardNotation() {
        #expect(DICOMTag.pixelData.description == "(7FE0,0010)")
        #expect(DICOMTag.specificCharacterSet.description == "(0008,0005)")
    }

    @Test func classifiesPrivateTags() {
        let creator = DICOMTag(0x0019, 0x0010)
        let element = DICOMTag(0x0019, 0x1001)
        #expect(creator.isPrivate && creator.isPrivateCreator)
        #expect(element.isPrivate && !element.isPrivateCreator)
        #expect(element.privateCreator == creator)
        #expect(DICOMTag(0x0019, 0x0001).privateCreator == nil)
        #expect(!DICOMTag.patientName.isPrivate)
    }

    @Test func ordersByGroupThenElement() {
        #expect(DICOMTag(0x0008, 0xFFFF) < DICOMTag(0x0010, 0x0000))
        #expect(DICOMTag.patientName < DICOMTag.patientID)
    }
}

@Suite struct DataSetTests {
    @Test func keepsElementsInTagOrder() {
        var dataSet = DataSet([
            DataElement(.patientID, .LO, string: "B"),
            DataElement(.sopInstanceUID, .UI, string: "1.2"),
        ])
        dataSet[.patientName] = DataElement(.patientName, .PN, string: "A")
        #expect(dataSet.elements.map(\.tag) == [.sopInstanceUID, .patientName, .patientID])
        dataSet[.patientName] = nil
        #expect(dataSet[.patientName] == nil)
        #expect(dataSet.count == 2)
    }

    @Test func trimsInsignificantPadding() {
        let name = DataElement(.patientName, .PN, .bytes(Array("  Doe^Jane ".utf8)))
        #expect(name.string == "Doe^Jane")
        let uid = DataElement(.sopInstanceUID, .UI, .bytes(Array("1.2.3\0".utf8)))
        #expect(uid.string == "1.2.3")
        let text = DataElement(DICOMTag.imageComments, .LT, .bytes(Array("  indented\\kept ".utf8)))
        #expect(text.strings == ["  indented\\kept"])
    }

    @Test func splitsMultipleValues() {
        let type = DataElement(.imageType, .CS, string: "ORIGINAL\\PRIMARY\\AXIAL ")
        #expect(type.strings == ["ORIGINAL", "PRIMARY", "AXIAL"])
    }
}

@Suite struct UIDTests {
    @Test(arguments: ["1.2.840.10008.1.2", "2.25.0", "2.25.329800735698586629295641978511506172918", "1"])
    func acceptsValid(uid: String) { #expect(UID.isValid(uid)) }

    @Test(arguments: ["", "1..2", "1.2.", ".1", "1.02", "1.2.a", String(repeating: "1", count: 65)])
    func rejectsInvalid(uid: String) { #expect(!UID.isValid(uid)) }

    @Test func recognisesStandardDefinedUIDs() {
        #expect(UID.isDefinedByStandard("1.2.840.10008.5.1.4.1.1.2"))
        #expect(!UID.isDefinedByStandard("1.2.840.113619.2.55.3"))
    }
}

@Suite struct DataDictionaryTests {
    @Test func knowsStandardAttributes() throws {
        let entry = try #require(DataDictionary.entry(for: .patientName))
        #expect(entry.keyword == "PatientName")
        #expect(entry.vrs == [.PN])
        #expect(DataDictionary.tag(forKeyword: "StudyInstanceUID") == .studyInstanceUID)
    }

    @Test func knowsRepeatingGroups() throws {
        #expect(try #require(DataDictionary.entry(for: DICOMTag(0x6002, 0x3000))).keyword == "OverlayData")
        #expect(try #require(DataDictionary.entry(for: DICOMTag(0x5004, 0x0022))).keyword == "CurveDescription")
    }

    @Test func knowsNoPrivateOrUnknownTags() {
        #expect(DataDictionary.entry(for: DICOMTag(0x0019, 0x1001)) == nil)
        #expect(DataDictionary.entry(for: DICOMTag(0x0010, 0x9999)) == nil)
    }
}

@Suite struct TagPathTests {
    @Test func describesNestedPaths() {
        let path = TagPath(DICOMTag.requestAttributesSequence).appending(
            item: 0, DICOMTag.requestedProcedureDescription)
        #expect(path.description == "(0040,0275)[0](0032,1060)")
        #expect(path.tags == [DICOMTag.requestAttributesSequence, DICOMTag.requestedProcedureDescription])
        #expect(path.depth == 1)
    }

    @Test func ordersParentsBeforeChildren() {
        let parent = TagPath(DICOMTag.requestAttributesSequence)
        let child = parent.appending(item: 0, DICOMTag.accessionNumber)
        let sibling = TagPath(DICOMTag(0x0040, 0x0276))
        #expect(parent < child)
        #expect(child < sibling)
    }
}
