import DICOMIO
import Foundation
import TestSupport
import Testing
import TextRedaction

/// The detector and masking on images with fake PHI drawn in (Scripts/fixtures/make-text-cases.py),
/// scored as research part A.7 proposes (TextScore), against the bars of the issue.
@Suite struct GeneratedTextTests {
    @Test func masksTheLinesAndSparesTheAnatomy() throws {
        let cases = try TextCases.cases()
        #expect(cases.count >= 60)
        var score = TextScore()
        var falseAlarms = 0
        for one in cases {
            let file = try DICOMFile(path: one.textFile.path)
            let input = try file.decodePixels()
            let dataSet = try file.read().dataSet
            // As `--clean-pixel-data` would if the header did not say Burned In Annotation YES:
            // the MR and CT slices are screened, the secondary captures flagged.
            var unmarked = dataSet
            unmarked[.burnedInAnnotation] = nil
            let flagged = TextTriage.reason(unmarked, scope: .flagged) != nil
            let cleaned = try PixelTextCleaner().clean(
                input, dataSet: dataSet, flagged: flagged, bulkValue: { try file.bulkValue($0) })
            let clean = try DICOMFile(path: one.cleanFile.path).decodePixels()
            try score.add(one, input: input, output: cleaned.pixels, clean: clean)
            // The same slice without text, screened: nothing may be masked there.
            let screened = try PixelTextCleaner().clean(
                clean, dataSet: dataSet, flagged: false, bulkValue: { try file.bulkValue($0) })
            if !screened.boxes.isEmpty { falseAlarms += 1 }
        }
        print(
            "text lines masked: corner \(score.lines["corner"]!) anatomy \(score.lines["anatomy"]!); anatomy falsely "
                + "masked: median \(score.medianFalseMasked), p95 \(score.p95FalseMasked)")
        #expect(score.recall("corner") >= 0.99)
        // Over anatomy, on a slice no header attribute flags, a line is masked only when OCR reads
        // it as text: a few poorly read lines are left rather than anatomy masked.
        #expect(score.recall("anatomy") >= 0.85)
        #expect(score.medianFalseMasked <= 0.005)
        #expect(score.p95FalseMasked <= 0.05)
        #expect(falseAlarms == 0)
    }
}
