import DICOMCore
import Testing

@testable import Deidentification

/// An X of Table E.1-1 on an attribute the instance's IOD requires gives a dummy (Type 1) or an
/// empty value (Type 2), not an invalid instance.
@Suite struct IODRequirementTests {
    static let grayscalePresentationState = "1.2.840.10008.5.1.4.1.1.11.1"

    @Test func presentationCreationDateIsDummiedInPresentationStates() throws {
        let extra = [
            DataElement(.presentationCreationDate, .DA, string: "20190312"),
            DataElement(.presentationCreationTime, .TM, string: "101500"),
        ]
        let state = Fixtures.object(sopClass: Self.grayscalePresentationState, extra: extra)
        let result = try Fixtures.deidentify(state)
        #expect(result.object.dataSet.string(.presentationCreationDate) == "19000101")
        #expect(result.object.dataSet.string(.presentationCreationTime) == "000000")
        #expect(result.actions.contains { $0.path == TagPath(.presentationCreationDate) && $0.reason == .iodType1 })
        // Where no IOD asks for it (a CT), X stays X.
        let ct = try Fixtures.deidentify(Fixtures.object(extra: extra))
        #expect(ct.object.dataSet[.presentationCreationDate] == nil)
    }
}
