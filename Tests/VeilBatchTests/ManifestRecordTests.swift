import DICOMCore
import Foundation
import Testing
import TextRedaction

@testable import Deidentification
@testable import VeilBatch

/// `ManifestRecord.fileLine` writes each file's record by hand, for speed. It must give the same
/// bytes as the `Codable` record through the manifest's JSONEncoder (sorted keys, slashes kept):
/// a resumed run decodes the journal's lines as `ManifestRecord.File`, and drops a line it
/// cannot read (RunRecorder), and readers compare records with the header's encoding.
@Suite struct ManifestRecordTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var outcome: FileOutcome
    }

    static let identifiers = OutputIdentifiers(
        studyInstanceUID: "2.25.1001", seriesInstanceUID: "2.25.1002", sopInstanceUID: "2.25.1003",
        sopClassUID: "1.2.840.10008.5.1.4.1.1.2", frameOfReferenceUID: "2.25.1004", patientPseudonym: "PSEUDO-7")

    static let cases: [Case] = [
        Case(
            testDescription: "failed, no identifiers",
            outcome: FileOutcome(
                index: 0, inputPath: "/in/a.dcm", inputID: "inputhash00", status: .failed, reason: "malformed",
                message: "the data set ends inside (0010,0010)")),
        Case(
            testDescription: "skipped, text that needs escaping",
            outcome: FileOutcome(
                index: 1, inputPath: "/in/b.txt", inputID: "inputhash01", status: .skipped, reason: "not-dicom",
                message: "quote \" backslash \\ slash / newline \n return \r tab \t bell \u{7} escape \u{1B} "
                    + "delete \u{7F} é ü 漢")),
        Case(
            testDescription: "written, every optional part",
            outcome: FileOutcome(
                index: 2, inputPath: "/in/c.dcm", inputID: "inputhash02", status: .written,
                outputPath: "2.25.1001/2.25.1002/2.25.1003.dcm", transferSyntaxUID: "1.2.840.10008.1.2.1",
                identifiers: identifiers,
                actions: [
                    AppliedAction(TagPath(DICOMTag(0x0010, 0x0010)), .Z, .table),
                    AppliedAction(
                        TagPath(DICOMTag(0x0040, 0x0275)).appending(item: 0, DICOMTag(0x0032, 0x1060)), .X,
                        .option(.cleanDescriptors)),
                    AppliedAction(TagPath(DICOMTag(0x0008, 0x0018)), .U, .pseudonym),
                ],
                warnings: [
                    DeidentificationWarning(kind: .burnedInTextPossible, message: "not in the manifest"),
                    DeidentificationWarning(kind: .overlayKept, message: ""),
                ],
                methodCodes: ["113100", "113101", "113102"],
                defacing: DefacingRecord(
                    changedVoxels: 123_456, registrationRMS: 1.2345678901234567, inlierFraction: 0.875,
                    faceRays: 400, raysStillOnSkin: 0, brainVolume: 1_412, protection: 11, viewsWithFaceBefore: 3,
                    viewsWithFaceAfter: 0, volumeWarnings: ["gantry-tilt", "missing-slices"]),
                pixelText: PixelTextRecord(
                    triage: "burned-in-annotation", frames: 30,
                    boxes: [
                        TextBox(x0: 0, y0: 0, x1: 1024, y1: 38, rule: .detector),
                        TextBox(x0: 8, y0: 60, x1: 55, y1: 92, rule: .outsideUltrasoundRegions, frame: 3),
                        TextBox(x0: 1, y0: 2, x1: 3, y1: 4, rule: .overlayText, frame: 29),
                    ],
                    secondLookLines: 2, ocrChecked: true))),
        Case(
            testDescription: "written, identifiers without the optional UIDs, no actions",
            outcome: FileOutcome(
                index: 3, inputPath: "/in/d.dcm", inputID: "inputhash03", status: .written, outputPath: "x/y.dcm",
                transferSyntaxUID: "1.2.840.10008.1.2.4.70",
                identifiers: OutputIdentifiers(
                    studyInstanceUID: "2.25.1", seriesInstanceUID: "2.25.2",
                    sopInstanceUID: "2.25.3", sopClassUID: "1.2.840.10008.5.1.4.1.1.4"))),
        Case(
            testDescription: "tiny numbers, empty lists",
            outcome: outcome(registrationRMS: 0.5, inlierFraction: 1e-7)),
    ]

    /// An unchanged file with a defacing record holding these numbers, and empty lists.
    static func outcome(registrationRMS: Double, inlierFraction: Double) -> FileOutcome {
        FileOutcome(
            index: 1_000_000, inputPath: "/in/e.dcm", inputID: "inputhash04", status: .unchanged, outputPath: "e.dcm",
            identifiers: identifiers,
            defacing: DefacingRecord(
                changedVoxels: 0, registrationRMS: registrationRMS, inlierFraction: inlierFraction,
                faceRays: 0, raysStillOnSkin: 0, brainVolume: 0, protection: 0, viewsWithFaceBefore: 0,
                viewsWithFaceAfter: 0,
                volumeWarnings: []),
            pixelText: PixelTextRecord(triage: "overlay", frames: 0, boxes: [], secondLookLines: 0, ocrChecked: false))
    }

    @Test(arguments: cases)
    func fileLineIsTheCodableRecordWithSortedKeys(case: Case) throws {
        try Self.compare(`case`.outcome)
    }

    /// A defacing record of a manifest written before the brain estimate and the face detector
    /// still reads (a run of that version resumes, a review of it is written): the new figures are 0.
    @Test func defacingRecordsWithoutTheBrainFiguresStillRead() throws {
        let old =
            #"{"changedVoxels":12,"faceRays":400,"inlierFraction":0.9,"raysStillOnSkin":3,"registrationRMS":2.1,"volumeWarnings":[]}"#
        let record = try JSONDecoder().decode(DefacingRecord.self, from: Data(old.utf8))
        #expect(record.faceRays == 400 && record.raysStillOnSkin == 3 && record.changedVoxels == 12)
        #expect(
            record.brainVolume == 0 && record.protection == 0 && record.viewsWithFaceBefore == 0
                && record.viewsWithFaceAfter == 0)
        let missing =
            #"{"faceRays":400,"inlierFraction":0.9,"raysStillOnSkin":3,"registrationRMS":2.1,"volumeWarnings":[]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DefacingRecord.self, from: Data(missing.utf8)) }
    }

    /// JSONEncoder writes a whole Double as an integer (`1`), and so must the manifest: an inlier
    /// fraction of exactly 1 is an ordinary defacing result.
    @Test func wholeNumbersAreWrittenAsJSONEncoderWritesThem() throws {
        try Self.compare(Self.outcome(registrationRMS: 2, inlierFraction: 1))
        try Self.compare(Self.outcome(registrationRMS: 2.5, inlierFraction: 0.93))
    }

    /// JSONEncoder escapes backspace and form feed as `\b` and `\f`.
    @Test func backspaceAndFormFeedAreEscapedAsJSONEncoderEscapesThem() throws {
        try Self.compare(
            FileOutcome(
                index: 5, inputPath: "/in/f", inputID: "inputhash05", status: .failed,
                reason: "unreadable", message: "backspace \u{8} form feed \u{C}"))
    }

    static func compare(_ outcome: FileOutcome) throws {
        let handWritten = ManifestRecord.fileLine(from: outcome)
        let encoded = ManifestWriter.encode(ManifestRecord.file(from: outcome))
        #expect(String(decoding: handWritten, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        #expect(handWritten == encoded)
        // And the line reads back as the record a resumed run needs.
        let decoded = try JSONDecoder().decode(ManifestRecord.File.self, from: Data(handWritten))
        #expect(decoded.input == outcome.inputID && decoded.status == outcome.status)
    }
}
