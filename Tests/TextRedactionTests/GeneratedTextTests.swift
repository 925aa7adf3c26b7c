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
            let cleaned = try PixelTextCleaner().clean(
                input, dataSet: try file.read().dataSet, bulkValue: { try file.bulkValue($0) })
            let clean = try DICOMFile(path: one.cleanFile.path).decodePixels()
            try score.add(one, input: input, output: cleaned.pixels, clean: clean)
            // The same slice without text: nothing may be found there.
            if !TextLineDetector().detect(FrameRendering().render(clean, frame: 0)).isEmpty { falseAlarms += 1 }
        }
        print(
            "text lines masked: corner \(score.lines["corner"]!) anatomy \(score.lines["anatomy"]!); anatomy falsely "
                + "masked: median \(score.medianFalseMasked), p95 \(score.p95FalseMasked)")
        #expect(score.recall("corner") >= 0.99)
        #expect(score.recall("anatomy") >= 0.90)
        #expect(score.medianFalseMasked <= 0.005)
        #expect(score.p95FalseMasked <= 0.05)
        #expect(falseAlarms == 0)
    }
}
