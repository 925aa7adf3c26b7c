import DICOMCore
import Testing

@testable import Deidentification

/// Every row each option column of Table E.1-1 names behaves as the option says, at the top
/// level and nested in a sequence, with that option alone enabled.
@Suite struct OptionBehaviourTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var option: ProfileOption
        var row: ConfidentialityProfileRow
        var tag: DICOMTag
        var testDescription: String { "\(option.rawValue) \(row.tagDescription) \(row.name)" }
    }

    static let cases: [Case] = ConfidentialityProfileTable.rows.flatMap { row -> [Case] in
        guard case .tag(let group, let element) = row.pattern, group != 0x0002, group != 0x0000 else { return [] }
        return row.options.keys.sorted { $0.rawValue < $1.rawValue }.map {
            Case(option: $0, row: row, tag: DICOMTag(group, element))
        }
    }

    /// Attributes every instance of `Fixtures.object` already has: at the top level the test
    /// checks that value, instead of adding a second element with the same tag.
    static let identity: Set<DICOMTag> = [
        .sopClassUID, .sopInstanceUID, .studyInstanceUID, .seriesInstanceUID,
        .patientName, .patientID, .modality,
    ]

    /// Text with safe words, a name the instance also carries, and a date.
    static let descriptor = "CT HEAD Quixote 12.03.2019"

    @Test func coversEveryOptionColumn() {
        let options = Set(Self.cases.map(\.option))
        #expect(
            options
                == Set(ProfileOption.allCases).subtracting([
                    .retainSafePrivate, .cleanPixelData,
                    .cleanRecognizableVisualFeatures,
                ]))
        #expect(Self.cases.count == 595)
    }

    @Test(arguments: cases)
    func topLevel(case: Case) throws { try check(`case`, nestedIn: nil) }

    @Test(arguments: cases)
    func nested(case: Case) throws { try check(`case`, nestedIn: DICOMTag.referencedSeriesSequence) }

    private func check(_ testCase: Case, nestedIn parent: DICOMTag?) throws {
        let tag = testCase.tag
        let vr = try #require(DataDictionary.entry(for: tag)?.vrs.first)
        var sample = Fixtures.sample(for: tag, vr: vr)
        if vr.isTextual && vr != .AE && vr != .UR { sample = DataElement(tag, vr, string: Self.descriptor) }
        let ownValue = parent == nil && Self.identity.contains(tag)
        let extra = parent.map { [DataElement($0, items: [DataSet([sample])])] } ?? (ownValue ? [] : [sample])
        let object = Fixtures.object(extra: extra)
        if ownValue { sample = try #require(object.dataSet[tag]) }
        let profile = DeidentificationProfile(options: [testCase.option])
        let result = try Fixtures.deidentify(object, profile: profile)
        let output: DataElement? =
            parent.map { result.object.dataSet.items($0)?.first?[tag] } ?? result.object.dataSet[tag]
        let context = "\(testCase.testDescription) \(parent.map { "in \($0)" } ?? "")"
        let action = try #require(testCase.row.options[testCase.option])

        switch action {
        case .K:
            if vr == .AS {
                #expect(output?.string == "061Y", "\(context): ages up to 89 are kept")
            } else {
                #expect(output == sample, "\(context): kept")
            }
        case .C:
            try checkClean(testCase.option, sample: sample, output: output, vr: vr, context: context)
        default:
            Issue.record("\(context): unexpected option action \(action)")
        }
    }

    private func checkClean(
        _ option: ProfileOption, sample: DataElement, output: DataElement?, vr: VR, context: String
    ) throws {
        switch option {
        case .retainLongitudinalModifiedDates:
            let shift = KeyedIdentifiers(key: Fixtures.key).dateShift(forPatient: ["id", "", "PAT-0042"])
            switch vr {
            case .DA: #expect(output?.string == shift.shiftDA(sample.string!), "\(context): shifted")
            case .DT: #expect(output?.string == shift.shiftDT(sample.string!), "\(context): shifted")
            case .TM: #expect(output == sample, "\(context): times kept")
            default: #expect(output == nil, "\(context): what cannot be shifted is removed")
            }
        case .retainDeviceIdentity:
            let value = try #require(output?.string, "\(context): replaced, not removed")
            #expect(value.hasPrefix("AE") && value.count == 16 && value != sample.string)
        case .cleanStructuredContent, .cleanGraphics:
            if vr == .SQ {
                #expect(output?.items?.first?.string(.codeValue) == "SAMPLE1", "\(context): kept with its items")
            } else {
                #expect(output?.string.map { !$0.contains("Quixote") } ?? true, "\(context): cleaned")
            }
        default:  // Clean Descriptors, Retain Patient Characteristics
            if vr == .SQ {
                #expect(output?.items?.count == 1, "\(context): kept, cleaned inside")
            } else if vr.isTextual {
                let value = output?.string ?? ""
                #expect(!value.contains("Quixote") && !value.contains("2019"), "\(context): cleaned: '\(value)'")
                #expect(value == "CT HEAD", "\(context): safe words kept: '\(value)'")
            }
        }
    }
}

@Suite struct OptionDetailTests {
    @Test func patientCharacteristicsCapAgesAbove89() throws {
        let old = Fixtures.object(extra: [DataElement(DICOMTag.patientAge, .AS, string: "095Y")])
        let profile = DeidentificationProfile(options: [.retainPatientCharacteristics])
        #expect(try Fixtures.deidentify(old, profile: profile).object.dataSet.string(DICOMTag.patientAge) == "090Y")
    }

    /// Whole-day shifts keep every interval within a patient; another patient gets another offset.
    @Test func modifiedDatesKeepIntervalsPerPatient() throws {
        let profile = DeidentificationProfile(options: [.retainLongitudinalModifiedDates])
        func studyDate(_ date: String, patient: String, instance: String) throws -> CivilDate {
            let object = Fixtures.object(
                sopInstance: instance, patientID: patient,
                extra: [DataElement(DICOMTag.studyDate, .DA, string: date)])
            let output = try Fixtures.deidentify(object, profile: profile).object.dataSet
            #expect(output.string(.longitudinalTemporalInformationModified) == "MODIFIED")
            return try #require(CivilDate(yyyymmdd: output.string(DICOMTag.studyDate) ?? ""))
        }
        let first = try studyDate("20190312", patient: "P1", instance: "1.2.3.1")
        let second = try studyDate("20200301", patient: "P1", instance: "1.2.3.2")
        #expect(second.dayNumber - first.dayNumber == 355)
        let other = try studyDate("20190312", patient: "P2", instance: "1.2.3.3")
        #expect(other != first)
        let offset = first.dayNumber - CivilDate(yyyymmdd: "20190312")!.dayNumber
        #expect(DateShift.offsetRange.contains(offset))
    }

    @Test func fullDatesKeepDatesAndSaySo() throws {
        let object = Fixtures.object(extra: [DataElement(DICOMTag.studyDate, .DA, string: "20190312")])
        let output = try Fixtures.deidentify(
            object, profile: DeidentificationProfile(options: [.retainLongitudinalFullDates]))
        #expect(output.object.dataSet.string(DICOMTag.studyDate) == "20190312")
        #expect(output.object.dataSet.string(.longitudinalTemporalInformationModified) == "UNMODIFIED")
        #expect(output.methodCodes.map(\.value) == ["113100", "113106"])
    }

    @Test func retainUIDsKeepsEveryUID() throws {
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag.multiFrameSourceSOPInstanceUID, .UI, string: "1.2.826.0.1.3680043.99.5")
        ])
        let output = try Fixtures.deidentify(object, profile: DeidentificationProfile(options: [.retainUIDs])).object
        #expect(output.dataSet.string(.sopInstanceUID) == "1.2.826.0.1.3680043.99.1.1")
        #expect(output.fileMeta.string(.mediaStorageSOPInstanceUID) == "1.2.826.0.1.3680043.99.1.1")
        #expect(output.dataSet.string(DICOMTag.multiFrameSourceSOPInstanceUID) == "1.2.826.0.1.3680043.99.5")
    }

    /// Where two options disagree, cleaning wins over keeping.
    @Test func cleaningWinsOverKeeping() throws {
        let calibration = DataElement(DICOMTag.dateOfLastCalibration, .DA, string: "20190101")
        let profile = DeidentificationProfile(options: [.retainDeviceIdentity, .retainLongitudinalModifiedDates])
        let output = try Fixtures.deidentify(Fixtures.object(extra: [calibration]), profile: profile).object.dataSet
        #expect(output.string(DICOMTag.dateOfLastCalibration) != "20190101")
        #expect(output.string(DICOMTag.dateOfLastCalibration)?.count == 8)
    }

    @Test func safePrivateKeepsWhatTheKnowledgeBaseVouchesFor() throws {
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag(0x0009, 0x0010), .LO, string: "GEMS_IDEN_01"),
            DataElement(DICOMTag(0x0009, 0x1001), .LO, string: "GE_GENESIS_FF"),  // k
            DataElement(DICOMTag(0x0009, 0x1002), .SH, string: "SUITE01"),  // d
            DataElement(DICOMTag(0x0019, 0x0010), .LO, string: "NOBODY KNOWS ME"),
            DataElement(DICOMTag(0x0019, 0x1001), .LO, string: "Quixote"),  // unknown creator
        ])
        let profile = DeidentificationProfile(options: [.retainSafePrivate])
        let output = try Fixtures.deidentify(object, profile: profile).object.dataSet
        #expect(output.string(DICOMTag(0x0009, 0x1001)) == "GE_GENESIS_FF")
        #expect(output.string(DICOMTag(0x0009, 0x0010)) == "GEMS_IDEN_01")
        #expect(output[DICOMTag(0x0009, 0x1002)] == nil)
        #expect(output[DICOMTag(0x0019, 0x1001)] == nil)
        #expect(output[DICOMTag(0x0019, 0x0010)] == nil)
        // Without the option, all of it goes.
        let basic = try Fixtures.deidentify(object).object.dataSet
        #expect(!basic.elements.contains { $0.tag.isPrivate })
    }

    @Test func safePrivateHonoursTheInstancesDeclarations() throws {
        func us(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
        let declaration = DataElement(
            DICOMTag.privateDataElementCharacteristicsSequence,
            items: [
                DataSet([
                    DataElement(DICOMTag.privateGroupReference, .US, .bytes(us(0x0029))),
                    DataElement(DICOMTag.privateCreatorReference, .LO, string: "ACME DECLARED"),
                    DataElement(DICOMTag.blockIdentifyingInformationStatus, .CS, string: "MIXED"),
                    DataElement(DICOMTag.nonidentifyingPrivateElements, .US, .bytes(us(0x01))),
                    DataElement(
                        DICOMTag.deidentificationActionSequence,
                        items: [
                            DataSet([
                                DataElement(DICOMTag.identifyingPrivateElements, .US, .bytes(us(0x02))),
                                DataElement(DICOMTag.deidentificationAction, .CS, string: "Z"),
                            ])
                        ]),
                ])
            ])
        let object = Fixtures.object(extra: [
            declaration,
            DataElement(DICOMTag(0x0029, 0x0010), .LO, string: "ACME DECLARED"),
            DataElement(DICOMTag(0x0029, 0x1001), .DS, string: "2.5"),
            DataElement(DICOMTag(0x0029, 0x1002), .LO, string: "Quixote"),
            DataElement(DICOMTag(0x0029, 0x1003), .LO, string: "undeclared"),
        ])
        let output = try Fixtures.deidentify(object, profile: DeidentificationProfile(options: [.retainSafePrivate]))
            .object.dataSet
        #expect(output.string(DICOMTag(0x0029, 0x1001)) == "2.5")
        #expect(output[DICOMTag(0x0029, 0x1002)]?.isEmpty == true)
        #expect(output[DICOMTag(0x0029, 0x1003)] == nil)
    }

    @Test func structuredContentKeepsTheTreeCleaned() throws {
        let content = DataElement(
            .contentSequence,
            items: [
                DataSet([
                    DataElement(DICOMTag.valueType, .CS, string: "TEXT"),
                    DataElement(DICOMTag.textValue, .UT, string: "CT HEAD for Zebulon Quixote on 12/03/2019"),
                ]),
                DataSet([
                    DataElement(DICOMTag.valueType, .CS, string: "PNAME"),
                    DataElement(DICOMTag.personName, .PN, string: "Observer^Quixote"),
                ]),
                DataSet([
                    DataElement(DICOMTag.valueType, .CS, string: "UIDREF"),
                    DataElement(DICOMTag.uid, .UI, string: "1.2.826.0.1.3680043.99.9"),
                ]),
            ])
        let object = Fixtures.object(sopClass: Fixtures.comprehensiveSRStorage, extra: [content])
        let output = try Fixtures.deidentify(
            object, profile: DeidentificationProfile(options: [.cleanStructuredContent])
        ).object.dataSet
        let items = try #require(output.items(.contentSequence))
        #expect(items.count == 3)
        #expect(items[0].string(DICOMTag.textValue) == "CT HEAD")
        #expect(items[1].string(DICOMTag.personName)?.hasPrefix("PERSON^") == true)
        #expect(items[2].string(DICOMTag.uid)?.hasPrefix("2.25.") == true)
    }

    @Test func graphicsKeepsOverlaysWithTextCleaned() throws {
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag(0x6000, 0x0010), .US, .bytes([64, 0])),
            DataElement(DICOMTag(0x6000, 0x0022), .LO, string: "AXIAL overlay of Quixote"),
            DataElement(DICOMTag(0x6000, 0x3000), .OW, .bytes([1, 2, 3, 4])),
        ])
        let output = try Fixtures.deidentify(object, profile: DeidentificationProfile(options: [.cleanGraphics]))
        let dataSet = output.object.dataSet
        #expect(dataSet[DICOMTag(0x6000, 0x3000)]?.bytes == [1, 2, 3, 4])
        #expect(dataSet.string(DICOMTag(0x6000, 0x0022)) == "AXIAL")
        #expect(output.warnings.contains { $0.kind == .overlayKept })
    }

    @Test func overridesComeFirst() throws {
        let profile = DeidentificationProfile(overrides: [
            AttributeOverride(AttributeSelector("SeriesDescription")!, .keep),
            AttributeOverride(AttributeSelector("InstitutionName")!, .replace("Research Site 1")),
            AttributeOverride(AttributeSelector("(0018,0050)")!, .remove),
        ])
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag.seriesDescription, .LO, string: "AX T1"),
            DataElement(DICOMTag.institutionName, .LO, string: "St Quillon Hospital"),
            DataElement(DICOMTag.sliceThickness, .DS, string: "5"),
        ])
        let output = try Fixtures.deidentify(object, profile: profile)
        #expect(output.object.dataSet.string(DICOMTag.seriesDescription) == "AX T1")
        #expect(output.object.dataSet.string(DICOMTag.institutionName) == "Research Site 1")
        #expect(output.object.dataSet[DICOMTag.sliceThickness] == nil)
        #expect(output.actions.contains { $0.reason == .override })
    }
}
