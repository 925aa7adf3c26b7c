import DICOMCore
import Testing

@testable import Deidentification

/// Every row of Table E.1-1 that names one public attribute, put into an instance at the top
/// level and nested in a sequence, comes out as the row's action says.
@Suite struct TableRowBehaviourTests {
    /// Rows with one tag, except the File Meta Information (rebuilt as a whole, tested apart)
    /// and rows whose attribute the engine writes itself.
    static let rows: [ConfidentialityProfileRow] = ConfidentialityProfileTable.rows.filter { row in
        guard case .tag(let group, _) = row.pattern else { return false }
        return group != 0x0002 && group != 0x0000
    }

    static let identity: Set<DICOMTag> = [
        .sopClassUID, .sopInstanceUID, .studyInstanceUID, .seriesInstanceUID,
        .patientName, .patientID, .modality,
    ]

    @Test(arguments: rows)
    func topLevel(row: ConfidentialityProfileRow) throws {
        try check(row, nestedIn: nil)
    }

    /// Nested in Referenced Series Sequence, a sequence the table does not list (so kept and
    /// de-identified inside).
    @Test(arguments: rows)
    func nested(row: ConfidentialityProfileRow) throws {
        try check(row, nestedIn: DICOMTag.referencedSeriesSequence)
    }

    private func check(_ row: ConfidentialityProfileRow, nestedIn parent: DICOMTag?) throws {
        guard case .tag(let group, let element) = row.pattern else {
            Issue.record("\(row.name): `rows` holds single-tag rows only")
            return
        }
        let tag = DICOMTag(group, element)
        guard let vr = DataDictionary.entry(for: tag)?.vrs.first else {
            Issue.record("\(tag) \(row.name) is not in the data dictionary")
            return
        }
        let sample = Fixtures.sample(for: tag, vr: vr)
        var extra: [DataElement] = []
        if let parent {
            extra.append(DataElement(parent, items: [DataSet([sample])]))
        } else if !Self.identity.contains(tag) {
            extra.append(sample)
        }
        let object = Fixtures.object(extra: extra)
        let original = parent == nil ? object.dataSet[tag] : sample
        if tag == .encapsulatedDocument {
            // Its D would replace the document with a dummy: Veil refuses the instance instead.
            #expect(throws: DeidentificationRefusal.self) { try Fixtures.deidentify(object) }
            return
        }
        let result = try Fixtures.deidentify(object)
        let output: DataElement? =
            if let parent {
                result.object.dataSet.items(parent)?.first?[tag]
            } else {
                result.object.dataSet[tag]
            }
        let path = parent.map { [$0, tag] } ?? [tag]
        let expected = Self.expectedAction(row.basic, tag: tag, vr: vr, path: path)
        let context = "\(row.tagDescription) \(row.name) (\(row.basic)→\(expected)) at \(parent.map { "\($0)/" } ?? "")"

        switch expected {
        case .X:
            #expect(output == nil, "\(context): should be removed")
        case .Z:
            let value = try #require(output, "\(context): should be present")
            if [.patientID, .patientName, .accessionNumber, .studyID].contains(tag) {
                #expect(value.string != original?.string, "\(context): pseudonym expected")
                #expect(!(value.string ?? "").isEmpty)
            } else {
                #expect(value.isEmpty, "\(context): should be empty")
            }
        case .D:
            if tag == .contentSequence || tag == DICOMTag.graphicAnnotationSequence {
                #expect(output == nil, "\(context): content sequences are removed with their content")
                return
            }
            let value = try #require(output, "\(context): should be present")
            #expect(!value.isEmpty, "\(context): dummy must not be empty")
            if vr != .SQ { #expect(value.value != original?.value, "\(context): must differ from the original") }
            if vr == .SQ {
                let texts = Fixtures.texts(in: DataSet([value]))
                #expect(!texts.contains("SAMPLE1"), "\(context): dummy sequence keeps identifying text")
            }
        case .U:
            let value = try #require(output, "\(context): should be present")
            let uid = try #require(value.string)
            #expect(uid.hasPrefix("2.25.") && UID.isValid(uid), "\(context): keyed UID expected, got \(uid)")
            #expect(uid != original?.string)
        case .K:
            #expect(output == original, "\(context): should be kept")
        default:
            Issue.record("\(context): unexpected action")
        }
    }

    /// The action the standard asks for, resolved against the IOD the way PS3.15 describes.
    static func expectedAction(_ action: ActionCode, tag: DICOMTag, vr: VR, path: [DICOMTag]) -> ActionCode {
        let requirement = IODAttributeTypes.requirement(sopClassUID: Fixtures.ctImageStorage, path: path)
        switch action {
        case .ZD: return requirement == .valueRequired ? .D : .Z
        case .XZ: return requirement == .optional ? .X : .Z
        case .XD: return requirement == .optional ? .X : .D
        case .XZD: return requirement == .valueRequired ? .D : requirement == .presenceRequired ? .Z : .X
        case .XZU: return vr == .SQ ? .K : .X
        case .D where vr == .UI: return .U
        default: return action
        }
    }
}
