import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

@testable import TextRedaction

/// Text drawn at one value the rendering does not set apart from its ground (``Plateau``): on a
/// real radiograph (pydicom-data's RG1_UNCR, MONOCHROME1), black text on a black collimated edge.
@Suite struct PlateauTests {
    /// The edge: rows 24..<66, columns 1500..<1800, a gradient of odd values 25001...25599 (beyond
    /// the 99.5th percentile: rendered black), with real glyphs (a corner line of the text
    /// cases) stamped at 25300, which no ground pixel holds.
    static let edge = (x: 1500, y: 24, width: 300, height: 42)
    static let ink = 25300

    static func radiograph(withText: Bool) throws -> (pixels: DecodedPixels, dataSet: DataSet, glyphs: [Int]) {
        let file = try DICOMFile(
            path: TestPaths.testData.appendingPathComponent("corpus/pydicom-data/RG1_UNCR.dcm").path)
        var pixels = try file.decodePixels()
        try #require(pixels.photometricInterpretation == "MONOCHROME1" && pixels.bitsAllocated == 16)
        func set(_ x: Int, _ y: Int, _ value: Int) {
            let at = (y * pixels.columns + x) * 2
            (pixels.bytes[at], pixels.bytes[at + 1]) = (UInt8(value & 0xFF), UInt8(value >> 8))
        }
        for y in edge.y..<edge.y + edge.height {
            for x in edge.x..<edge.x + edge.width { set(x, y, 25001 + 2 * (x - edge.x)) }
        }
        // The widest corner line of the text cases that fits on the edge with a margin.
        let lines = try TextCases.cases().flatMap { one in
            one.lines.filter {
                $0.placement == "corner" && $0.box[2] - $0.box[0] <= edge.width - 40
                    && $0.box[3] - $0.box[1] <= edge.height - 16
            }.map { (one, $0) }
        }
        let (source, line) = try #require(lines.max { $0.1.box[2] - $0.1.box[0] < $1.1.box[2] - $1.1.box[0] })
        let labels = try source.labels()
        var glyphs: [Int] = []
        for y in line.box[1]..<line.box[3] {
            for x in line.box[0]..<line.box[2] where labels[y * 512 + x] == UInt8(line.label) {
                let (tx, ty) = (edge.x + 20 + x - line.box[0], edge.y + 8 + y - line.box[1])
                glyphs.append(ty * pixels.columns + tx)
                if withText { set(tx, ty, ink) }
            }
        }
        return (pixels, try file.read().dataSet, glyphs)
    }

    @Test func blackTextOnABlackCollimatedEdgeIsMaskedWithoutATrace() throws {
        let (input, dataSet, glyphs) = try Self.radiograph(withText: true)
        #expect(glyphs.count > 300)
        // The rendering shows nothing there: text and edge are both past the window's black end.
        let luma = FrameRendering().render(input, frame: 0).luma
        for y in Self.edge.y..<Self.edge.y + Self.edge.height {
            for x in Self.edge.x..<Self.edge.x + Self.edge.width { try #require(luma[x, y] == 0) }
        }
        #expect(
            Plateau.values(of: input, frame: 0, rendering: FrameRendering()).contains(Float(Self.ink)))

        // `veil verify` sees it too.
        let findings = try TextScreen().findings(input, dataSet: dataSet, flagged: false, bulkValue: { _ in [] })
        #expect(findings.contains { $0.box.y0 >= Self.edge.y && $0.box.y1 <= Self.edge.y + Self.edge.height })

        let cleaned = try PixelTextCleaner().clean(input, dataSet: dataSet, flagged: false, bulkValue: { _ in [] })
        #expect(!cleaned.boxes.isEmpty)
        // Every glyph pixel changed, and nothing of the glyphs' shapes is left in any window: the
        // edge is a gradient, so its text is masked whole, one value over the line.
        let output = cleaned.pixels
        let value = { (index: Int) in output.value(atSample: index) }
        #expect(glyphs.allSatisfy { value($0) != Self.ink })
        let (xs, ys) = (glyphs.map { $0 % input.columns }, glyphs.map { $0 / input.columns })
        var inText = Set<Int>()
        for y in ys.min()!...ys.max()! {
            for x in xs.min()!...xs.max()! { inText.insert(value(y * input.columns + x)) }
        }
        #expect(inText.count == 1)
        // Nothing else changed: pixels outside the masked boxes, all on the edge.
        let changed = (0..<input.rows * input.columns).filter { input.value(atSample: $0) != value($0) }
        #expect(
            changed.allSatisfy { p in
                cleaned.boxes.contains {
                    $0.x0 <= p % input.columns && p % input.columns < $0.x1 && $0.y0 <= p / input.columns
                        && p / input.columns < $0.y1
                }
            })
        #expect(cleaned.boxes.allSatisfy { $0.y0 >= Self.edge.y - 8 && $0.y1 <= Self.edge.y + Self.edge.height + 8 })
    }

    @Test func theEdgeWithoutTextIsLeftAlone() throws {
        let (input, dataSet, _) = try Self.radiograph(withText: false)
        let cleaned = try PixelTextCleaner().clean(input, dataSet: dataSet, flagged: false, bulkValue: { _ in [] })
        #expect(cleaned.boxes.isEmpty)
        #expect(cleaned.pixels.bytes == input.bytes)
        #expect(try TextScreen().findings(input, dataSet: dataSet, flagged: false, bulkValue: { _ in [] }).isEmpty)
    }
}
