import DICOMCore
import Foundation
import Testing

@testable import Deidentification

@Suite struct ConfidentialityProfileTableTests {
    @Test func holdsEveryRowOfTheEdition() {
        #expect(ConfidentialityProfileTable.rows.count == 621)
        #expect(ConfidentialityProfileTable.edition == "2024b")
        #expect(Set(ConfidentialityProfileTable.rows.map(\.tagDescription)).count == 621)
    }

    /// The committed table matches its source, when the source is at hand (../shared/standard).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: sourcePath)))
    func matchesItsSource() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.sourcePath))
        let rows = try JSONSerialization.jsonObject(with: data) as! [[String: String]]
        #expect(rows.count == ConfidentialityProfileTable.rows.count)
        for source in rows {
            let tag = source["tag"]!
            guard let parsed = DICOMTag(tag) else { continue }
            let row = try #require(ConfidentialityProfileTable.row(for: parsed), "no row for \(tag)")
            #expect(row.basic.rawValue == source["basicProfile"], "basic action of \(tag)")
            let columns: [(String, ProfileOption)] = [
                ("rtnSafePrivOpt", .retainSafePrivate), ("rtnUIDsOpt", .retainUIDs),
                ("rtnDevIdOpt", .retainDeviceIdentity), ("rtnInstIdOpt", .retainInstitutionIdentity),
                ("rtnPatCharsOpt", .retainPatientCharacteristics),
                ("rtnLongFullDatesOpt", .retainLongitudinalFullDates),
                ("rtnLongModifDatesOpt", .retainLongitudinalModifiedDates), ("cleanDescOpt", .cleanDescriptors),
                ("cleanStructContOpt", .cleanStructuredContent), ("cleanGraphOpt", .cleanGraphics),
            ]
            for (key, option) in columns {
                #expect(row.options[option]?.rawValue == source[key], "\(key) of \(tag)")
            }
        }
    }

    static let sourcePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/standard/ps3.15-table-e1-1-2024b.json").path

    @Test func coversMaskedAndPrivateRows() throws {
        #expect(try #require(ConfidentialityProfileTable.row(for: DICOMTag(0x5010, 0x0022))).basic == .X)
        #expect(try #require(ConfidentialityProfileTable.row(for: DICOMTag(0x6002, 0x3000))).basic == .X)
        #expect(try #require(ConfidentialityProfileTable.row(for: DICOMTag(0x601E, 0x4000))).basic == .X)
        #expect(ConfidentialityProfileTable.privateAttributesRow.basic == .X)
        #expect(ConfidentialityProfileTable.privateAttributesRow.options[.retainSafePrivate] == .C)
    }

    @Test func methodCodesFollowCID7050() {
        #expect(DeidentificationMethodCode.all.count == 13)
        #expect(DeidentificationMethodCode.code(for: .basicProfile).value == "113100")
        #expect(DeidentificationMethodCode.code(for: .option(.retainInstitutionIdentity)).value == "113112")
    }

    /// Spot checks of the per-IOD Types against PS3.3.
    @Test func knowsAttributeTypesPerIOD() {
        let contentDate = [DICOMTag.contentDate]
        #expect(
            IODAttributeTypes.requirement(sopClassUID: Fixtures.ctImageStorage, path: contentDate) == .presenceRequired)
        #expect(
            IODAttributeTypes.requirement(sopClassUID: Fixtures.comprehensiveSRStorage, path: contentDate)
                == .valueRequired)
        #expect(
            IODAttributeTypes.requirement(sopClassUID: Fixtures.ctImageStorage, path: [DICOMTag.institutionName])
                == .optional)
        // An unknown SOP Class gets the strictest Type any IOD gives the attribute.
        #expect(IODAttributeTypes.requirement(sopClassUID: "1.2.3.4", path: contentDate) == .valueRequired)
    }
}
