import DICOMCore
import Testing

@testable import Deidentification

extension ConfidentialityProfileRow: CustomTestStringConvertible {
    public var testDescription: String { "\(tagDescription) \(name)" }
}

@Suite struct KeyedReplacementTests {
    @Test func uidsAreKeyedDeterministicAndValid() {
        let keyed = KeyedIdentifiers(key: Fixtures.key)
        let uid = keyed.replacementUID(for: "1.2.826.0.1.3680043.99.1.1")
        #expect(uid == keyed.replacementUID(for: "1.2.826.0.1.3680043.99.1.1"))
        #expect(uid != keyed.replacementUID(for: "1.2.826.0.1.3680043.99.1.2"))
        #expect(uid != KeyedIdentifiers(key: Fixtures.otherKey).replacementUID(for: "1.2.826.0.1.3680043.99.1.1"))
        #expect(uid.hasPrefix("2.25.") && UID.isValid(uid) && uid.count <= 64)
    }

    /// The 2.25 arc takes a UUID: version 8, RFC 9562 variant.
    @Test func uidsAreUUIDs() throws {
        let uid = KeyedIdentifiers(key: Fixtures.key).replacementUID(for: "1.2.3")
        let value = try #require(UInt128(uid.dropFirst(5)))
        #expect((value >> 76) & 0xF == 8)
        #expect((value >> 62) & 0x3 == 2)
    }

    @Test func patientPseudonymsDependOnIssuer() {
        let keyed = KeyedIdentifiers(key: Fixtures.key)
        let a = keyed.patientPseudonym(patientID: "123", issuer: "HOSP-A")
        #expect(a == keyed.patientPseudonym(patientID: "123", issuer: "HOSP-A"))
        #expect(a != keyed.patientPseudonym(patientID: "123", issuer: "HOSP-B"))
        #expect(a.count == 20 && a.allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) })
        #expect(keyed.accessionPseudonym(for: "ACC1").count == 16)
    }

    @Test func keyFingerprintIdentifiesWithoutRevealing() {
        #expect(Fixtures.key.fingerprint == Fixtures.key.fingerprint)
        #expect(Fixtures.key.fingerprint != Fixtures.otherKey.fingerprint)
        #expect(Fixtures.key.fingerprint.count == 16)
    }
}

@Suite struct DeidentifierTests {
    @Test func sameInputAndKeyGiveTheSameOutputInAnyOrder() throws {
        let first = Fixtures.object(sopInstance: "1.2.826.0.1.3680043.99.1.1")
        let second = Fixtures.object(sopInstance: "1.2.826.0.1.3680043.99.1.2")
        let forward = [try Fixtures.deidentify(first), try Fixtures.deidentify(second)]
        let backward = [try Fixtures.deidentify(second), try Fixtures.deidentify(first)]
        #expect(forward[0].object == backward[1].object)
        #expect(forward[1].object == backward[0].object)
        // One study: both instances keep the same (replaced) Study Instance UID and pseudonym.
        #expect(forward[0].identifiers.studyInstanceUID == forward[1].identifiers.studyInstanceUID)
        #expect(forward[0].identifiers.patientPseudonym == forward[1].identifiers.patientPseudonym)
    }

    @Test func anotherKeyGivesOtherIdentifiers() throws {
        let object = Fixtures.object()
        let a = try Fixtures.deidentify(object)
        let b = try Fixtures.deidentify(object, key: Fixtures.otherKey)
        #expect(a.identifiers.sopInstanceUID != b.identifiers.sopInstanceUID)
        #expect(a.identifiers.patientPseudonym != b.identifiers.patientPseudonym)
    }

    @Test func referencesFollowTheirTargets() throws {
        let target = "1.2.826.0.1.3680043.99.1.7"
        let reference = DataElement(
            DICOMTag.sourceImageSequence,
            items: [
                DataSet([
                    DataElement(.referencedSOPClassUID, .UI, string: Fixtures.ctImageStorage),
                    DataElement(.referencedSOPInstanceUID, .UI, string: target),
                ])
            ])
        let referring = try Fixtures.deidentify(Fixtures.object(extra: [reference]))
        let referenced = try Fixtures.deidentify(Fixtures.object(sopInstance: target))
        let item = try #require(referring.object.dataSet.items(DICOMTag.sourceImageSequence)?.first)
        #expect(item.string(.referencedSOPInstanceUID) == referenced.identifiers.sopInstanceUID)
        #expect(item.string(.referencedSOPClassUID) == Fixtures.ctImageStorage)
    }

    @Test func writesTheMarkers() throws {
        let dataSet = try Fixtures.deidentify(Fixtures.object()).object.dataSet
        #expect(dataSet.string(.patientIdentityRemoved) == "YES")
        #expect(dataSet[.deidentificationMethod]?.strings.first?.hasPrefix("Veil ") == true)
        #expect(dataSet[.deidentificationMethod]?.strings.contains { $0.contains("PS3.15 2024b") } == true)
        let codes = try #require(dataSet.items(.deidentificationMethodCodeSequence))
        #expect(codes.map { $0.string(.codeValue) } == ["113100"])
        #expect(codes.first?.string(.codingSchemeDesignator) == "DCM")
        #expect(dataSet.string(.longitudinalTemporalInformationModified) == "REMOVED")
        let equipment = try #require(dataSet.items(.contributingEquipmentSequence)?.last)
        #expect(equipment.items(.purposeOfReferenceCodeSequence)?.first?.string(.codeValue) == "109104")
    }

    @Test func rebuildsTheFileMetaInformation() throws {
        let result = try Fixtures.deidentify(Fixtures.object())
        let meta = result.object.fileMeta
        #expect(meta.string(.mediaStorageSOPInstanceUID) == result.identifiers.sopInstanceUID)
        #expect(meta.string(.mediaStorageSOPClassUID) == Fixtures.ctImageStorage)
        #expect(meta.string(.implementationClassUID) == Veil.implementationClassUID)
        #expect(meta.string(.transferSyntaxUID) == TransferSyntax.explicitVRLittleEndian)
        #expect(meta[.sourceApplicationEntityTitle] == nil)
        #expect(result.actions.contains { $0.path == TagPath(.sourceApplicationEntityTitle) && $0.action == .X })
    }

    @Test func removesPrivateAttributesAtEveryDepth() throws {
        let nested = DataElement(
            DICOMTag.referencedSeriesSequence,
            items: [
                DataSet([
                    DataElement(DICOMTag(0x0029, 0x0010), .LO, string: "ACME 1.0"),
                    DataElement(DICOMTag(0x0029, 0x1001), .LO, string: "Quixote"),
                ])
            ])
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag(0x0019, 0x0010), .LO, string: "ACME 1.0"),
            DataElement(DICOMTag(0x0019, 0x1001), .LO, string: "Quixote"),
            DataElement(
                DICOMTag(0x0019, 0x1002), items: [DataSet([DataElement(.patientName, .PN, string: "Quixote")])]),
            nested,
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(!output.elements.contains { $0.tag.isPrivate })
        #expect(output.items(DICOMTag.referencedSeriesSequence)?.first?.isEmpty == true)
        #expect(!Fixtures.texts(in: output).contains { $0.contains("Quixote") })
    }

    @Test func removesOverlayPlanesAndCurvesWhole() throws {
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag(0x5000, 0x0022), .LO, string: "curve of Quixote"),
            DataElement(DICOMTag(0x6000, 0x0010), .US, .bytes([64, 0])),
            DataElement(DICOMTag(0x6000, 0x0022), .LO, string: "overlay of Quixote"),
            DataElement(DICOMTag(0x6000, 0x3000), .OW, .bytes([0, 0, 0, 0])),
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(!output.elements.contains { (0x5000...0x60FF).contains($0.tag.group) })
    }

    @Test func replacesUIDsTheTableDoesNotList() throws {
        let object = Fixtures.object(extra: [
            // Not in Table E.1-1, but an instance UID all the same.
            DataElement(DICOMTag.multiFrameSourceSOPInstanceUID, .UI, string: "1.2.826.0.1.3680043.99.5"),
            // Names a class: kept, even with a vendor root.
            DataElement(DICOMTag.relatedGeneralSOPClassUID, .UI, string: "1.2.840.113619.4.27"),
            DataElement(
                DICOMTag.codingSchemeIdentificationSequence,
                items: [
                    DataSet([
                        DataElement(DICOMTag.codingSchemeUID, .UI, string: "2.16.840.1.113883.6.96")
                    ])
                ]),
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output.string(DICOMTag.multiFrameSourceSOPInstanceUID)?.hasPrefix("2.25.") == true)
        #expect(output.string(DICOMTag.relatedGeneralSOPClassUID) == "1.2.840.113619.4.27")
        #expect(
            output.items(DICOMTag.codingSchemeIdentificationSequence)?.first?.string(DICOMTag.codingSchemeUID)
                == "2.16.840.1.113883.6.96")
    }

    /// A UID field that holds text is never kept as it is, even where UIDs name classes.
    @Test func replacesTextInUIDFields() throws {
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag.relatedGeneralSOPClassUID, .UI, string: "Quixote Zebulon"),
            DataElement(DICOMTag.multiFrameSourceSOPInstanceUID, .UI, string: "1.2.840.10008.Quixote"),
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output.string(DICOMTag.relatedGeneralSOPClassUID)?.hasPrefix("2.25.") == true)
        #expect(output.string(DICOMTag.multiFrameSourceSOPInstanceUID)?.hasPrefix("2.25.") == true)
        var bogus = Fixtures.object()
        bogus.dataSet[.sopClassUID] = DataElement(.sopClassUID, .UI, string: "Quixote^Zebulon")
        #expect(throws: DeidentificationRefusal.self) { try Fixtures.deidentify(bogus) }
    }

    @Test func keepsUIDsTheStandardDefines() throws {
        let palette = "1.2.840.10008.1.5.1"
        let reference = DataElement(
            DICOMTag.referencedImageSequence,
            items: [
                DataSet([
                    DataElement(.referencedSOPInstanceUID, .UI, string: palette)
                ])
            ])
        let output = try Fixtures.deidentify(Fixtures.object(extra: [reference])).object.dataSet
        #expect(output.items(DICOMTag.referencedImageSequence)?.first?.string(.referencedSOPInstanceUID) == palette)
    }

    @Test func removesNamesDatesAndUnknownAttributesTheTableIsSilentOn() throws {
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag.evaluatorName, .PN, string: "Evaluator^Quixote"),  // Evaluator Name
            DataElement(DICOMTag.studyUpdateDateTime, .DT, string: "20190312101010"),  // Study Update DateTime
            DataElement(DICOMTag(0x0010, 0x9999), .LO, string: "Quixote"),  // no such attribute
            DataElement(DICOMTag.sliceThickness, .DS, string: "5"),  // Slice Thickness: kept
            DataElement(
                DICOMTag.encryptedAttributesSequence,
                items: [
                    DataSet([  // Encrypted Attributes
                        DataElement(DICOMTag.encryptedContent, .OB, .bytes([1, 2, 3, 4]))
                    ])
                ]),
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output[DICOMTag.evaluatorName] == nil)
        #expect(output[DICOMTag.studyUpdateDateTime] == nil)
        #expect(output[DICOMTag(0x0010, 0x9999)] == nil)
        #expect(output[DICOMTag.encryptedAttributesSequence] == nil)
        #expect(output.string(DICOMTag.sliceThickness) == "5")
    }

    /// An element stored as UN is judged by its dictionary VR.
    @Test func seesThroughUnknownVR() throws {
        let object = Fixtures.object(extra: [
            DataElement(DICOMTag.otherPatientIDs, .UN, .bytes(Array("QUIXOTE-ID ".utf8))),
            DataElement(DICOMTag.multiFrameSourceSOPInstanceUID, .UN, .bytes(Array("1.2.826.0.1.3680043.99.6\0".utf8))),
        ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output[DICOMTag.otherPatientIDs] == nil)
        #expect(output.string(DICOMTag.multiFrameSourceSOPInstanceUID)?.hasPrefix("2.25.") == true)
    }

    @Test func resolvesCompoundActionsByIOD() throws {
        let contentDate = DataElement(DICOMTag.contentDate, .DA, string: "20190312")
        let institution = DataElement(DICOMTag.institutionName, .LO, string: "St Quillon Hospital")
        let ct = try Fixtures.deidentify(Fixtures.object(extra: [contentDate, institution])).object.dataSet
        #expect(ct[DICOMTag.contentDate]?.isEmpty == true, "Type 2C in CT: emptied")
        #expect(ct[DICOMTag.institutionName] == nil, "Type 3 in CT: removed")
        let sr = try Fixtures.deidentify(
            Fixtures.object(
                sopClass: Fixtures.comprehensiveSRStorage,
                extra: [contentDate])
        ).object.dataSet
        #expect(sr.string(DICOMTag.contentDate) == "19000101", "Type 1 in SR: dummy date")
    }

    @Test func removesSRContentButKeepsVerifierStructure() throws {
        let object = Fixtures.object(
            sopClass: Fixtures.comprehensiveSRStorage,
            extra: [
                DataElement(
                    DICOMTag.verifyingObserverSequence,
                    items: [
                        DataSet([
                            DataElement(DICOMTag.verifyingOrganization, .LO, string: "St Quillon Hospital"),
                            DataElement(DICOMTag.verificationDateTime, .DT, string: "20190312101010"),
                            DataElement(DICOMTag.verifyingObserverName, .PN, string: "Observer^Quixote"),
                        ])
                    ]),
                DataElement(
                    .contentSequence,
                    items: [
                        DataSet([
                            DataElement(DICOMTag.textValue, .UT, string: "Report for Zebulon Quixote")
                        ])
                    ]),
            ])
        let output = try Fixtures.deidentify(object).object.dataSet
        #expect(output[.contentSequence] == nil)
        let verifier = try #require(output.items(DICOMTag.verifyingObserverSequence)?.first)
        #expect(verifier.string(DICOMTag.verifyingObserverName) == "ANONYMIZED")
        #expect(!Fixtures.texts(in: output).contains { $0.contains("Quixote") || $0.contains("Quillon") })
    }

    @Test func pseudonymsKeepPatientsApart() throws {
        let a = try Fixtures.deidentify(Fixtures.object(patientID: "PAT-1")).object.dataSet
        let b = try Fixtures.deidentify(Fixtures.object(patientID: "PAT-2")).object.dataSet
        let a2 = try Fixtures.deidentify(Fixtures.object(sopInstance: "1.2.826.0.1.3680043.99.1.9", patientID: "PAT-1"))
            .object.dataSet
        #expect(a.string(.patientID) != b.string(.patientID))
        #expect(a.string(.patientID) == a2.string(.patientID))
        #expect(a.string(.patientName) == a.string(.patientID))
        #expect(a.string(.patientID) != "PAT-1")
    }

    @Test func recordsActionsWithoutValues() throws {
        let result = try Fixtures.deidentify(
            Fixtures.object(extra: [
                DataElement(DICOMTag.studyDescription, .LO, string: "Head scan for Quixote")
            ]))
        #expect(result.actions.contains { $0.path == TagPath(DICOMTag.studyDescription) && $0.action == .X })
        #expect(result.actions.contains { $0.path == TagPath(.patientID) && $0.reason == .pseudonym })
        #expect(result.actions == result.actions.sorted { $0.path < $1.path })
    }

    @Test func reportsOriginalsOnlyInReplacements() throws {
        let result = try Fixtures.deidentify(Fixtures.object())
        #expect(result.replacements.contains { $0.kind == .patientID && $0.original == "PAT-0042" })
        #expect(result.replacements.contains { $0.kind == .uid && $0.original == "1.2.826.0.1.3680043.99.1.1" })
    }
}

@Suite struct RefusalTests {
    @Test func refusesDeclaredBurnedInText() throws {
        let object = Fixtures.object(extra: [DataElement(.burnedInAnnotation, .CS, string: "YES")])
        let refusal = #expect(throws: DeidentificationRefusal.self) { try Fixtures.deidentify(object) }
        #expect(refusal?.reason == .burnedInAnnotation)
        let accepted = try Fixtures.deidentify(
            object, profile: DeidentificationProfile(acceptsBurnedInAnnotation: true))
        #expect(accepted.object.dataSet.string(.burnedInAnnotation) == "YES")
    }

    @Test func refusesEncapsulatedDocuments() {
        let pdf = Fixtures.object(
            sopClass: "1.2.840.10008.5.1.4.1.1.104.1",
            extra: [DataElement(.encapsulatedDocument, .OB, .bytes(Array("%PDF".utf8)))])
        let refusal = #expect(throws: DeidentificationRefusal.self) { try Fixtures.deidentify(pdf) }
        #expect(refusal?.reason == .encapsulatedDocument)
    }

    @Test func refusesDirectoriesAndInstancesWithoutUIDs() {
        let directory = Fixtures.object(sopClass: "1.2.840.10008.1.3.10")
        #expect(throws: DeidentificationRefusal.self) { try Fixtures.deidentify(directory) }
        var anonymous = Fixtures.object()
        anonymous.dataSet[.sopInstanceUID] = nil
        let refusal = #expect(throws: DeidentificationRefusal.self) { try Fixtures.deidentify(anonymous) }
        #expect(refusal?.reason == .missingSOPInstanceUID)
    }

    @Test func refusesExclusiveOptionsAndImplementsEveryOption() {
        let exclusive = DeidentificationProfile(options: [
            .retainLongitudinalFullDates, .retainLongitudinalModifiedDates,
        ])
        let refusal = #expect(throws: DeidentificationRefusal.self) {
            try Fixtures.deidentify(Fixtures.object(), profile: exclusive)
        }
        #expect(refusal?.reason == .unimplementedOption)
        // Clean Pixel Data, the last one, is done by VeilBatch (TextRedaction): no option is refused.
        #expect(DeidentificationProfile.implementedOptions == Set(ProfileOption.allCases))
    }
}
