import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

@testable import TextRedaction

/// An image the header flags as carrying text (a screen capture: Secondary Capture, derived) has
/// its lines read leniently, but only in the frame's annotation rows: in the middle of the frame
/// anatomy reads as a few letters nearly everywhere.
@Suite struct ScreenCaptureTests {
    /// pydicom-data's MR2_UNCR (a real 1024² MR slice, no text), as a screen capture would hold it:
    /// its lines are read leniently. Read leniently everywhere, ten lines of its anatomy were
    /// masked (`Posto`, `APRA`, `Wits`).
    @Test func anatomyInTheMiddleOfAScreenCaptureIsNotReadAsText() throws {
        let file = try DICOMFile(
            path: TestPaths.testData.appendingPathComponent("corpus/pydicom-data/MR2_UNCR.dcm").path)
        let input = try file.decodePixels()
        let dataSet = try file.read().dataSet
        let cleaned = try PixelTextCleaner().clean(input, dataSet: dataSet, flagged: true, bulkValue: { _ in [] })
        let middle = cleaned.boxes.filter { !LineConfirmation.isInAnnotationRows($0, height: input.rows) }
        #expect(middle.isEmpty, "\(middle.count) boxes in the middle rows")
        #expect(cleaned.boxes.isEmpty)
    }

    /// The bone scan: pydicom-data's `JPEG-LL` (a real whole-body NM scan stored as a
    /// secondary capture, JPEG lossless, no text). Read leniently everywhere, its ribs and pelvis
    /// got a black bar each.
    @Test func aBoneScanCaptureKeepsItsRibsAndPelvis() throws {
        let file = try DICOMFile(
            path: TestPaths.testData.appendingPathComponent("corpus/pydicom-data/JPEG-LL.dcm").path)
        let dataSet = try file.read().dataSet
        try #require(TextTriage.reason(dataSet, scope: .flagged) != nil)
        let input = try file.decodePixels()
        let cleaned = try PixelTextCleaner().clean(input, dataSet: dataSet, flagged: true, bulkValue: { _ in [] })
        #expect(cleaned.boxes.isEmpty, "\(cleaned.boxes.count) boxes")
        #expect(cleaned.pixels.bytes == input.bytes)
    }

    @Test func annotationRowsAreNearTheTopAndBottomEdges() {
        let line = { (y0: Int, y1: Int) in TextBox(x0: 0, y0: y0, x1: 10, y1: y1, rule: .detector) }
        #expect(LineConfirmation.isInAnnotationRows(line(10, 20), height: 500))
        #expect(LineConfirmation.isInAnnotationRows(line(480, 495), height: 500))
        // A tenth of the height, or 16 pixels.
        #expect(LineConfirmation.isInAnnotationRows(line(50, 60), height: 500))
        #expect(!LineConfirmation.isInAnnotationRows(line(55, 75), height: 500))
        #expect(!LineConfirmation.isInAnnotationRows(line(240, 260), height: 500))
        #expect(LineConfirmation.isInAnnotationRows(line(40, 48), height: 64))
        // A line of tall glyphs 29 rows down a 266-row capture: the head's top, no corner.
        #expect(!LineConfirmation.isInAnnotationRows(line(29, 59), height: 266))
    }
}
