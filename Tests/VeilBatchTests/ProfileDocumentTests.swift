import Deidentification
import Testing
import VeilBatch

@Suite struct ProfileDocumentTests {
    @Test func readsOptionsAndOverrides() throws {
        let profile = try ProfileDocument.parse(
            """
            options:
              retain-longitudinal: modified
              retain-patient-characteristics: true
              clean-descriptors: true
              retain-uids: false
            accept-burned-in-annotation: true
            overrides:
              - attribute: SeriesDescription
                action: keep
              - attribute: RequestAttributesSequence/RequestedProcedureDescription
                action: remove
              - attribute: "(0008,0080)"
                action: replace
                value: Research Site 1
            """)
        #expect(
            profile.options == [.retainLongitudinalModifiedDates, .retainPatientCharacteristics, .cleanDescriptors])
        #expect(profile.acceptsBurnedInAnnotation)
        #expect(profile.overrides.count == 3)
        #expect(profile.overrides[1].selector.tags.count == 2)
        #expect(profile.overrides[2].action == .replace("Research Site 1"))
    }

    @Test(arguments: [
        "options:\n  retain-everything: true",  // unknown option
        "options:\n  retain-longitudinal: sometimes",  // bad value
        "options:\n  clean-descriptors: yes please",  // not a boolean
        "overrides:\n  - attribute: NoSuchKeyword\n    action: keep",
        "overrides:\n  - attribute: PatientName\n    action: replace",  // no value
        "overrides:\n  - attribute: PatientName\n    action: keep\n    colour: red",
        "colour: red",
        "- just a list",
        "options: [",
    ])
    func rejectsMistakes(text: String) {
        #expect(throws: ProfileDocument.Problem.self) { try ProfileDocument.parse(text) }
    }

    @Test func readsThePixelOptions() throws {
        let profile = try ProfileDocument.parse(
            "options:\n  clean-pixel-data: true\n  clean-recognizable-visual-features: true")
        #expect(profile.options == [.cleanPixelData, .cleanRecognizableVisualFeatures])
        #expect(profile.problem == nil)
    }

    @Test func anEmptyFileIsTheBasicProfile() throws {
        #expect(try ProfileDocument.parse("") == .basic)
    }
}
