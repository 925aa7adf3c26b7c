import DICOMCore
import Testing

@testable import Deidentification

/// Identity in text the profile keeps: local Code Meanings, text inside sequences Clean
/// Descriptors cleans, vendor strings repeating the instance's own identifying values.
@Suite struct KeptTextTests {
    static func code(_ value: String, _ scheme: String, _ meaning: String) -> DataSet {
        DataSet([
            DataElement(.codeValue, .SH, string: value),
            DataElement(.codingSchemeDesignator, .SH, string: scheme),
            DataElement(.codeMeaning, .LO, string: meaning),
        ])
    }

    /// Every string value at every depth of `dataSet`, upper case.
    static func allText(_ dataSet: DataSet) -> String {
        dataSet.elements.map { element in
            element.items.map { $0.map(allText).joined(separator: " ") } ?? (element.string ?? "")
        }.joined(separator: " ").uppercased()
    }

    static let requestAttributes = DataElement(
        .requestAttributesSequence,
        items: [
            DataSet([
                DataElement(
                    .requestedProcedureCodeSequence, items: [code("MRH1", "99HOSP", "MRI head for Quixote")]),
                DataElement(
                    .scheduledProtocolCodeSequence,
                    items: [
                        DataSet([
                            DataElement(.codeValue, .SH, string: "PROT7"),
                            DataElement(.codingSchemeDesignator, .SH, string: "99HOSP"),
                            DataElement(.codeMeaning, .LO, string: "Brain protocol"),
                            DataElement(
                                .protocolContextSequence,
                                items: [
                                    DataSet([
                                        DataElement(.valueType, .CS, string: "TEXT"),
                                        DataElement(
                                            .textValue, .UT,
                                            string: "Allergy to contrast documented by Dr Hibbert for Zebulon Quixote"),
                                    ])
                                ]),
                        ])
                    ]),
            ])
        ])

    @Test func localCodeMeaningLosesTheNameWithDefaults() throws {
        let object = Fixtures.object(extra: [
            DataElement(.procedureCodeSequence, items: [Self.code("P1", "99HOSP", "Procedure on Zebulon Quixote")])
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        let item = try #require(output.items(.procedureCodeSequence)?.first)
        #expect(item.string(.codeMeaning) == "Procedure on")
        #expect(item.string(.codeValue) == "P1")
        #expect(item.string(.codingSchemeDesignator) == "99HOSP")
        #expect(!Self.allText(output).contains("QUIXOTE") && !Self.allText(output).contains("ZEBULON"))
    }

    @Test func registeredCodeMeaningIsVocabulary() throws {
        let object = Fixtures.object(extra: [
            DataElement(.anatomicRegionSequence, items: [Self.code("69536005", "SCT", "Head")])
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output.items(.anatomicRegionSequence)?.first?.string(.codeMeaning) == "Head")
    }

    /// Clean Descriptors on Request Attributes Sequence cleans every text value inside it, at
    /// every depth; codes stay.
    @Test func cleanedSequenceCleansEveryTextValue() throws {
        let object = Fixtures.object(extra: [Self.requestAttributes])
        let result = try Fixtures.deidentify(object, profile: DeidentificationProfile(options: [.cleanDescriptors]))
        let output = result.object.dataSet
        let text = Self.allText(output)
        for word in ["QUIXOTE", "ZEBULON", "HIBBERT"] { #expect(!text.contains(word), "\(word)") }
        let request = try #require(output.items(.requestAttributesSequence)?.first)
        let protocolCode = try #require(request.items(.scheduledProtocolCodeSequence)?.first)
        #expect(protocolCode.string(.codeValue) == "PROT7")
        let textValue = try #require(protocolCode.items(.protocolContextSequence)?.first?.string(.textValue))
        #expect(textValue.uppercased().contains("CONTRAST"))
        #expect(result.actions.contains { $0.reason == .cleanedSequence })
    }

    /// With defaults the sequence goes (X); the local Code Meaning elsewhere loses the name.
    @Test func defaultsRemoveRequestAttributes() throws {
        let object = Fixtures.object(extra: [Self.requestAttributes])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output[.requestAttributesSequence] == nil)
    }

    /// A kept vendor string that repeats an identifying value of the instance loses it; one that
    /// does not stays byte for byte.
    @Test func keptValuesRepeatingIdentityAreFiltered() throws {
        let object = Fixtures.object(extra: [
            DataElement(.manufacturer, .LO, string: "SIEMENS"),
            DataElement(.institutionName, .LO, string: "SIEMENS Research Site"),
            DataElement(.patientAddress, .LO, string: "12 Hibbert Road"),
            DataElement(.manufacturerModelName, .LO, string: "Hibbert Skyra"),
        ])
        let result = try Fixtures.deidentify(object)
        let output = result.object.dataSet
        // The institution's words are not the patient's: a vendor's own site keeps its Manufacturer.
        #expect(output.string(.manufacturer) == "SIEMENS")
        #expect(output.string(.manufacturerModelName) == "Skyra")
        #expect(result.actions.contains { $0.reason == .identifyingText && $0.path.description == "(0008,1090)" })
    }

    /// A designator, and codes of registered schemes, are never filtered; two-letter name words
    /// only in free text.
    @Test func codesAndShortWordsStay() throws {
        var object = Fixtures.object(extra: [
            DataElement(.procedureCodeSequence, items: [Self.code("QUIXOTE", "99HOSP", "Scan")]),
            DataElement(.anatomicRegionSequence, items: [Self.code("QUIXOTE", "SCT", "Head")]),
            DataElement(.processingFunction, .LO, string: "OB_GENERAL"),
        ])
        object.dataSet[.patientName] = DataElement(.patientName, .PN, string: "OB^Quixote")
        object.dataSet[.procedureCodeSequence] = DataElement(
            .procedureCodeSequence, items: [Self.code("QUIXOTE", "QUIXOTE", "Scan for OB")])
        let output = try Fixtures.deidentify(object).object.dataSet
        let local = try #require(output.items(.procedureCodeSequence)?.first)
        #expect(local.string(.codingSchemeDesignator) == "QUIXOTE")
        #expect(local.string(.codeValue) == "ANONYMIZED")
        #expect(local.string(.codeMeaning) == "Scan for")
        #expect(output.items(.anatomicRegionSequence)?.first?.string(.codeValue) == "QUIXOTE")
        #expect(output.string(.processingFunction) == "OB_GENERAL")
    }

    /// An ID's prefix is not the patient: "SAMPLE" of "SAMPLE-0001" stays in "Sample Scanners";
    /// its digits, and a one-word ID, are taken out.
    @Test func identifierPrefixesAreNotIdentity() throws {
        let object = Fixtures.object(
            patientID: "SAMPLE-0001",
            extra: [
                DataElement(.manufacturer, .LO, string: "Sample Scanners"),
                DataElement(.accessionNumber, .SH, string: "QX77123"),
                DataElement(.manufacturerModelName, .LO, string: "Model QX77123 0001"),
            ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output.string(.manufacturer) == "Sample Scanners")
        #expect(output.string(.manufacturerModelName) == "Model")
    }

    @Test func groupTestCoversEveryIdentifyingTag() {
        for tag in IdentifyingTextFilter.identifyingTags { #expect(IdentifyingTextFilter.mayIdentify(tag), "\(tag)") }
        #expect(
            TextCleaner.identifyingTokens(of: "Müller-Lüdenscheidt, Hans 12") == [
                "MÜLLER", "LÜDENSCHEIDT", "HANS", "12",
            ])
        #expect(TextCleaner.identifyingTokens(of: "O'Brien^J.R. 5 Bench St") == ["BRIEN", "BENCH", "ST"])
    }

    @Test func filterKeepsSpellingAndRemovesPatterns() {
        let filter = IdentifyingTextFilter(tokens: ["QUIXOTE", "ZQ884422"])
        #expect(filter.filter("T1 MPRAGE", patterns: true) == nil)
        #expect(filter.filter("seen by Quixote, 12.03.2019 call 555-123-4567", patterns: true) == "seen by call")
        #expect(filter.filter("ID zq884422", patterns: false) == "ID")
        #expect(filter.filter("Scan 12.03.2019", patterns: false) == nil)
    }
}
