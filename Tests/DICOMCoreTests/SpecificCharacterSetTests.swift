import DICOMCore
import Testing

/// Text read with the Specific Character Set, from byte literals (the real files of other
/// writers are compared with pydicom in DICOMIOTests' CharacterSetTests).
@Suite struct SpecificCharacterSetTests {
    static let latin1 = SpecificCharacterSet(terms: ["ISO_IR 100"])

    @Test func singleByteCharacterSets() {
        let müller: [UInt8] = [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72]
        #expect(Self.latin1.decode(müller, vr: .PN) == "Müller")
        let greek: [UInt8] = [0xC4, 0xE9, 0xEF, 0xED, 0xF5, 0xF3, 0xE9, 0xEF, 0xF2]
        #expect(SpecificCharacterSet(terms: ["ISO_IR 126"]).decode(greek, vr: .PN) == "Διονυσιος")
        #expect(SpecificCharacterSet(terms: ["ISO_IR 144"]).decode([0xBB, 0xEE, 0xDA], vr: .LO) == "Люк")
    }

    /// Without a Specific Character Set, bytes above 0x7F are read as UTF-8 when they are valid
    /// UTF-8 and as ISO 8859-1 otherwise: never a replacement character, always the same text.
    @Test func undeclaredBytes() {
        #expect(SpecificCharacterSet.default.decode(Array("Müller".utf8), vr: .PN) == "Müller")
        #expect(SpecificCharacterSet.default.decode([0x4D, 0xFC, 0x6C], vr: .PN) == "Mül")
        let declaredUTF8 = SpecificCharacterSet(terms: ["ISO_IR 192"])
        #expect(declaredUTF8.decode([0x4D, 0xFC, 0x6C], vr: .PN) == "Mül")
    }

    /// ISO 2022: escape sequences switch sets; delimiters of PN return to the initial ones.
    @Test func codeExtensions() {
        let japanese = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        var bytes = Array("Yamada^Tarou=".utf8)
        bytes += [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E]
        bytes += [0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42]
        #expect(japanese.usesCodeExtensions)
        #expect(japanese.decode(bytes, vr: .PN) == "Yamada^Tarou=山田^太郎")
        let korean = SpecificCharacterSet(terms: ["", "ISO 2022 IR 149"])
        let hong: [UInt8] = [0x1B, 0x24, 0x29, 0x43, 0xC8, 0xAB, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE6, 0xB5, 0xBF]
        #expect(korean.decode(hong, vr: .PN) == "홍^길동")
        // A G1 set designated by the first term needs no escape sequence.
        let latin1 = SpecificCharacterSet(terms: ["ISO 2022 IR 100"])
        #expect(latin1.decode([0x4D, 0xFC, 0x6C], vr: .PN) == "Mül")
    }

    /// Values are split after decoding: in GBK 0x5C is the second byte of 誠.
    @Test func multiByteValuesAreSplitAfterDecoding() {
        let element = DataElement(.otherPatientNames, .PN, .bytes([0xD5, 0x5C, 0x5C, 0x41]))
        #expect(element.strings(in: SpecificCharacterSet(terms: ["GBK"])) == ["誠", "A"])
        #expect(element.strings.count == 3)
    }

    /// Only the text VRs are read with the character set.
    @Test func appliesToTextVRsOnly() {
        let data = DataSet([
            DataElement(.specificCharacterSet, .CS, string: "ISO_IR 100"),
            DataElement(.patientName, .PN, .bytes([0x4D, 0xFC, 0x6C])),
        ])
        #expect(data.specificCharacterSet == Self.latin1)
        #expect(data.string(.patientName, in: data.specificCharacterSet) == "Mül")
        let item = DataSet([DataElement(.codeMeaning, .LO, .bytes([0x4D, 0xFC, 0x6C]))])
        #expect(SpecificCharacterSet(of: item, inheriting: Self.latin1) == Self.latin1)
        #expect(!SpecificCharacterSet.applies(to: .CS) && SpecificCharacterSet.applies(to: .UT))
    }

    @Test func encoding() {
        #expect(Self.latin1.encode("37°") == [0x33, 0x37, 0xB0])
        #expect(Self.latin1.encode("CT HEAD") == Array("CT HEAD".utf8))
        #expect(Self.latin1.encode("山") == nil)
        #expect(SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"]).encode("°") == nil)
        #expect(SpecificCharacterSet(terms: ["ISO_IR 192"]).encode("山") == Array("山".utf8))
        #expect(SpecificCharacterSet(terms: ["ISO_IR 126"]).encode("Δ") == [0xC4])
    }
}
