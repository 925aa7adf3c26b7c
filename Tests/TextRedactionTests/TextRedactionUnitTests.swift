import DICOMCore
import DICOMIO
import Testing

@testable import TextRedaction

/// The pieces of text cleaning that need no file: regions, palettes, fill values, triage.
@Suite struct TextRedactionUnitTests {
    @Test func outsideOfUltrasoundRegionsCoversExactlyTheRest() {
        let regions = [
            TextBox(x0: 10, y0: 20, x1: 60, y1: 70, rule: .outsideUltrasoundRegions),
            TextBox(x0: 40, y0: 50, x1: 90, y1: 95, rule: .outsideUltrasoundRegions),
        ]
        let outside = UltrasoundRegions.outside(regions, columns: 100, rows: 100)
        for y in 0..<100 {
            for x in 0..<100 {
                let inRegion = regions.contains { x >= $0.x0 && x < $0.x1 && y >= $0.y0 && y < $0.y1 }
                let covered = outside.filter { x >= $0.x0 && x < $0.x1 && y >= $0.y0 && y < $0.y1 }.count
                #expect(covered == (inRegion ? 0 : 1), "pixel \(x),\(y)")
            }
        }
        #expect(UltrasoundRegions.outside([], columns: 100, rows: 100).isEmpty)
    }

    @Test func segmentedPaletteExpands() {
        // Discrete 0, 10; linear to 40 over 3; indirect: the first segment again.
        let words = [0, 2, 0, 10, 1, 3, 40, 2, 1, 0, 0]
        #expect(Palette.expandSegments(words, entries: 7) == [0, 10, 20, 30, 40, 0, 10])
        #expect(Palette.expandSegments(words, entries: 8) == nil)
        #expect(Palette.expandSegments([7, 1, 0], entries: 1) == nil)
    }

    static func pixels(
        _ photometric: String, signed: Bool = false, values: [Int], samples: Int = 1, bits: Int = 16
    ) -> DecodedPixels {
        var bytes: [UInt8] = []
        for value in values {
            let raw = UInt32(truncatingIfNeeded: value)
            for b in 0..<(bits / 8) { bytes.append(UInt8(truncatingIfNeeded: raw >> (8 * UInt32(b)))) }
        }
        return DecodedPixels(
            rows: 1, columns: values.count / samples, frames: 1, samplesPerPixel: samples, bitsAllocated: bits,
            bitsStored: bits == 16 ? 12 : 8, isSigned: signed, planarConfiguration: 0,
            photometricInterpretation: photometric, bytes: bytes)
    }

    @Test func blackIsTheDarkestValueForThePhotometricInterpretation() {
        // Signed CT: the least stored value (air), not 0 (water).
        #expect(
            MaskFill.black(
                for: Self.pixels("MONOCHROME2", signed: true, values: [-1024, 0, 400]), paletteLuma: nil, firstIndex: 0)
                == [-1024])
        #expect(
            MaskFill.black(for: Self.pixels("MONOCHROME1", values: [10, 4000, 300]), paletteLuma: nil, firstIndex: 0)
                == [4000])
        #expect(
            MaskFill.black(
                for: Self.pixels("RGB", values: [9, 9, 9], samples: 3, bits: 8), paletteLuma: nil, firstIndex: 0) == [
                    0, 0, 0,
                ])
        #expect(
            MaskFill.black(
                for: Self.pixels("YBR_FULL", values: [9, 9, 9], samples: 3, bits: 8), paletteLuma: nil, firstIndex: 0)
                == [0, 128, 128])
        #expect(
            MaskFill.black(
                for: Self.pixels("PALETTE COLOR", values: [3], bits: 8), paletteLuma: [500, 20, 700], firstIndex: 5)
                == [6])
    }

    /// What OCR read in real lines (annotation) and in anatomy the detector mistook for lines.
    @Test func linesReadAsAnnotationAreTextAndAnatomyFragmentsAreNot() {
        let confirmation = LineConfirmation()
        // A line 12 px tall (8 px glyphs) and 140 px long holds about 22 characters.
        let line = TextBox(x0: 0, y0: 0, x1: 140, y1: 12, rule: .detector)
        for annotation in ["MRN 9675294062", "NGUYEN, ANNA", "11/04/2025 TaeiG:t7", "ACC A1729490", "Born 23.01.1964"] {
            #expect(confirmation.accepts(annotation, confidence: 30, box: line), "\(annotation)")
        }
        // Confident reads of any text (an ultrasound's settings); too short a read for the line.
        let short = TextBox(x0: 0, y0: 0, x1: 70, y1: 12, rule: .detector)
        #expect(confirmation.accepts("M3 M4 +59.3", confidence: 89, box: short))
        #expect(!confirmation.accepts("M3 M4 +59.3", confidence: 89, box: line))
        for anatomy in ["ee", "| ae |", "crAS™M", "Wits", "ify) wy", "PyAyase i Wd"] {
            #expect(!confirmation.accepts(anatomy, confidence: 40, box: line), "\(anatomy)")
        }
        // Words Tesseract makes up in noise come with little confidence.
        #expect(!confirmation.accepts("RAT BAS", confidence: 11, box: line))
        #expect(LineConfirmation.hasDateOrTime("12/19/2024") && LineConfirmation.hasDateOrTime("2025-04-11"))
        #expect(LineConfirmation.hasDateOrTime("at 07:11") && LineConfirmation.hasDateOrTime("23.01.64"))
        #expect(!LineConfirmation.hasDateOrTime("2.5MHz 3850Hz") && !LineConfirmation.hasDateOrTime("12-5"))
        #expect(LineConfirmation.annotationCharacters(in: "15cm 18Hz") == (8, 8))
        #expect(LineConfirmation.hasDateOrTime("Born 01-JAN-2006") && LineConfirmation.hasDateOrTime("3 Mar 1999"))
        #expect(!LineConfirmation.hasDateOrTime("MARKER 12"))
        // One letter of a word in capitals misread in lower case.
        #expect(confirmation.accepts("870 ELM ROAD «sAKESIDE", confidence: 68, box: line))
    }

    /// `plane` as the stored pixels of an 8-bit MONOCHROME2 image.
    static func monochrome(_ plane: GrayPlane) -> DecodedPixels {
        DecodedPixels(
            rows: plane.height, columns: plane.width, frames: 1, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8,
            isSigned: false, planarConfiguration: 0, photometricInterpretation: "MONOCHROME2", bytes: plane.pixels)
    }

    static func fill(_ plane: inout GrayPlane, x: Range<Int>, y: Range<Int>, with value: UInt8) {
        for row in y { for column in x { plane.pixels[row * plane.width + column] = value } }
    }

    /// Glyph-like strokes (a 2-px outline of 7 × 11 px, 4 px apart) drawn at `ink` along row `y`.
    static func drawLine(glyphs: Int, at x: Int, y: Int, ink: UInt8, on plane: inout GrayPlane) {
        for g in 0..<glyphs {
            let x0 = x + 11 * g
            for dy in 0..<11 {
                for dx in 0..<7 where dx < 2 || dx >= 5 || dy < 2 || dy >= 9 || (g % 2 == 0 && dy == 5) {
                    plane.pixels[(y + dy) * plane.width + x0 + dx] = ink
                }
            }
        }
    }

    @Test func midGreyTextOnALightGroundIsFoundAndDarkGapsInTextureAreNot() {
        // A portal image's light field with mid-grey annotation: too light for the dark-strokes
        // pass at 115, found by the one that asks for a plain light ground.
        var portal = GrayPlane(width: 256, height: 128, value: 215)
        Self.drawLine(glyphs: 8, at: 20, y: 30, ink: 160, on: &portal)
        let lines = TextLineDetector().lines(in: RenderedFrame(luma: portal, chroma: nil))
        #expect(lines.contains { $0.x0 <= 20 && $0.x1 >= 20 + 11 * 8 - 4 && $0.y0 <= 30 && $0.y1 >= 41 })

        // The same strokes where the ground is not plain (a steep edge of anatomy runs along
        // them, as the gaps between teeth or folia do): not found.
        var uneven = GrayPlane(width: 256, height: 128, value: 250)
        for y in 0..<128 {
            for x in 0..<256 { uneven.pixels[y * 256 + x] = UInt8(max(140, min(250, 250 - 6 * (y - 26)))) }
        }
        Self.drawLine(glyphs: 8, at: 20, y: 30, ink: 125, on: &uneven)
        #expect(TextLineDetector().lines(in: RenderedFrame(luma: uneven, chroma: nil)).isEmpty)
    }

    @Test func smallTextIsMaskedByItsWordsWithItsFaintStrokesLightOrDark() throws {
        // Light letters on a dark ground are masked by their words, not as one box (small
        // letters' dark counters can make the black top-hat the larger: the ground decides).
        var plane = GrayPlane(width: 256, height: 64, value: 10)
        Self.drawLine(glyphs: 6, at: 20, y: 20, ink: 230, on: &plane)
        // An anti-aliased stem two pixels wide at 60% and 70% of the ink, alone beyond the word's
        // reach (the `L` of `Lucas`), and a block of anatomy at the far end of the box.
        for y in 20..<31 { (plane.pixels[y * 256 + 100], plane.pixels[y * 256 + 101]) = (142, 164) }
        for y in 14..<37 { for x in 160..<200 { plane.pixels[y * 256 + x] = 90 } }
        let box = TextBox(x0: 14, y0: 14, x1: 200, y1: 37, rule: .detector)
        #expect(LineConfirmation.inkIsLight(box, of: plane))
        var inverted = plane
        inverted.pixels = plane.pixels.map { 255 - $0 }
        #expect(!LineConfirmation.inkIsLight(box, of: inverted))
        // Dark text (the same line inverted) is masked by the same words, to be filled with its ground.
        for (view, light) in [(plane, true), (inverted, false)] {
            let words = try #require(WordMask.words(of: box, in: view))
            #expect(words.inkIsLight == light)
            func masked(_ x: Int, _ y: Int) -> Bool { words.mask[(y - box.y0) * box.width + x - box.x0] }
            #expect(masked(20, 20) && masked(76, 30) && masked(100, 25) && masked(101, 25))
            #expect(!masked(180, 25) && !masked(130, 25))
        }
    }

    @Test func darkWordsInALightLabelBoxVanishInTheBoxAndAnatomyBesideItKeepsItsPixels() throws {
        // A label box (220) with dark text (20) beside mid-grey anatomy (90) holding a dark vessel.
        let (width, height) = (170, 44)
        var plane = GrayPlane(width: width, height: height, value: 90)
        Self.fill(&plane, x: 50..<158, y: 10..<32, with: 220)
        Self.drawLine(glyphs: 8, at: 66, y: 15, ink: 20, on: &plane)
        Self.fill(&plane, x: 40..<44, y: 14..<28, with: 20)
        let stored = Self.monochrome(plane)
        let line = TextBox(x0: 36, y0: 8, x1: 162, y1: 34, rule: .detector)
        let words = WordMask.words(of: line, in: plane)
        #expect(words?.inkIsLight == false)
        guard let words, let pieces = GroundFill.pieces(of: words, line: line, in: stored, palette: false, black: [20])
        else {
            Issue.record("the dark words were not filled with their ground")
            return
        }
        var output = stored
        MaskFill.apply(pieces, to: &output)
        // The text is gone: the label box is one level again where the text was; the vessel is
        // masked black (up to the text), not painted over; the anatomy left of it is as it was.
        for y in 10..<32 { for x in 64..<158 { #expect(output.storedValue(frame: 0, row: y, column: x) == 220) } }
        for y in 14..<28 { for x in 40..<44 { #expect(output.storedValue(frame: 0, row: y, column: x) == 20) } }
        #expect(output.storedValue(frame: 0, row: 20, column: 46) == 20)
        for y in 0..<height { for x in 0..<34 { #expect(output.storedValue(frame: 0, row: y, column: x) == 90) } }
    }

    @Test func aLineMaskedWholeIsTrimmedToItsStrokes() {
        // Glyphs (160) on a mid-grey ground (100), in a box padded as the detector pads a line (a
        // glyph on either side): the mask keeps three pixels around the strokes.
        var plane = GrayPlane(width: 200, height: 40, value: 100)
        Self.drawLine(glyphs: 6, at: 40, y: 10, ink: 160, on: &plane)
        let box = TextBox(x0: 25, y0: 5, x1: 125, y1: 26, rule: .detector)
        let trimmed = WordMask.inked(box, in: plane)
        #expect(trimmed == TextBox(x0: 37, y0: 7, x1: 105, y1: 24, rule: .detector))
        // Nothing to trim on a box full of strokes; no strokes at all: the box as it was.
        #expect(WordMask.inked(TextBox(x0: 42, y0: 11, x1: 80, y1: 20, rule: .detector), in: plane).width == 38)
        let flat = GrayPlane(width: 200, height: 40, value: 100)
        #expect(WordMask.inked(box, in: flat) == box)
    }

    @Test func aDarkPieceOfAnatomyAboveABannersLineIsMaskedAloneNotAcrossTheLine() throws {
        // A banner (220) with dark text (20) under mid-grey anatomy (90) holding a dark vessel in
        // rows of no word: the line's box (a detector line joined to the anatomy above) holds both.
        let (width, height) = (220, 50)
        var plane = GrayPlane(width: width, height: height, value: 90)
        Self.fill(&plane, x: 0..<width, y: 26..<50, with: 220)
        Self.drawLine(glyphs: 8, at: 40, y: 32, ink: 20, on: &plane)
        Self.fill(&plane, x: 110..<116, y: 8..<20, with: 20)
        let stored = Self.monochrome(plane)
        let line = TextBox(x0: 10, y0: 4, x1: 210, y1: 48, rule: .detector)
        let words = try #require(WordMask.words(of: line, in: plane))
        #expect(!words.inkIsLight)
        let pieces = try #require(GroundFill.pieces(of: words, line: line, in: stored, palette: false, black: [0]))
        var output = stored
        MaskFill.apply(pieces, to: &output)
        // The text is gone into the banner, the vessel is masked, and the anatomy beside it
        // (more than a glyph away) keeps its pixels: no bar across the line's width.
        for y in 30..<46 { for x in 40..<125 { #expect(output.storedValue(frame: 0, row: y, column: x) == 220) } }
        for y in 8..<20 { for x in 110..<116 { #expect(output.storedValue(frame: 0, row: y, column: x) != 20) } }
        for y in 4..<24 {
            for x in [12, 40, 80, 150, 190] {
                #expect(output.storedValue(frame: 0, row: y, column: x) == 90, "\(x),\(y)")
            }
        }
    }

    @Test func midGreyTextOverLightAndDarkAnatomyIsShownByItsLevel() {
        // Text at 128 over a ground dark on the left and light on the right: darker than the
        // ground in one half, lighter in the other; its one level shows all of it.
        var plane = GrayPlane(width: 200, height: 40)
        for y in 0..<40 { for x in 0..<200 { plane.pixels[y * 200 + x] = x < 100 ? UInt8(20 + y % 5) : 230 } }
        Self.drawLine(glyphs: 12, at: 40, y: 14, ink: 128, on: &plane)
        let box = TextBox(x0: 30, y0: 8, x1: 180, y1: 32, rule: .detector)
        let view = LineConfirmation.inkLevelView(box, of: plane)
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 {
                #expect((view[(y - box.y0) * box.width + x - box.x0] == 0) == (plane[x, y] == 128), "\(x), \(y)")
            }
        }
    }

    @Test func colourDopplerIsOfSeveralHuesAndColourTextOfOne() {
        // Red text anti-aliased over grey anatomy keeps its hue; flow from dark red to yellow
        // (a power Doppler map) spans 60°. Hues of the colour circle's turning points too.
        #expect(hue(255, 0, 0) == 0 && hue(0, 255, 0) == 85 && hue(0, 0, 255) == 171 && hue(255, 255, 0) == 43)
        let (width, height) = (64, 16)
        func frame(_ colour: (Int, Int) -> (Int, Int, Int)?) -> RenderedFrame {
            var (luma, chroma, hues) = ([UInt8](), [UInt8](), [UInt8]())
            for y in 0..<height {
                for x in 0..<width {
                    let grey = 60 + (x * 3 + y) % 40
                    let (r, g, b) = colour(x, y) ?? (grey, grey, grey)
                    luma.append(UInt8((77 * r + 150 * g + 29 * b) >> 8))
                    chroma.append(UInt8(max(r, g, b) - min(r, g, b)))
                    hues.append(hue(r, g, b))
                }
            }
            return RenderedFrame(
                luma: GrayPlane(width: width, height: height, pixels: luma),
                chroma: GrayPlane(width: width, height: height, pixels: chroma),
                hue: GrayPlane(width: width, height: height, pixels: hues))
        }
        let box = TextBox(x0: 0, y0: 0, x1: width, y1: height, rule: .detector)
        let text = frame { x, y in
            guard x % 4 < 2, (4..<12).contains(y) else { return nil }
            let (grey, alpha) = (60 + (x * 3 + y) % 40, x % 4 == 0 ? 255 : 150)  // anti-aliased edge
            return (grey + (255 - grey) * alpha / 255, grey * (255 - alpha) / 255, grey * (255 - alpha) / 255)
        }
        #expect(!LineConfirmation.isMixedColour(box, in: text))
        let doppler = frame { x, y in
            (2..<14).contains(y) && x % 3 != 2 ? (140 + 115 * x / width, 255 * x / width, 0) : nil
        }
        #expect(LineConfirmation.isMixedColour(box, in: doppler))
        // A grey frame, or one without colour planes, is not colour at all.
        #expect(!LineConfirmation.isMixedColour(box, in: frame { _, _ in nil }))
    }

    @Test func aLineReadAsTextTakesTheShortWordsOfItsInkBesideIt() throws {
        // `ELSEWHERE` and, three glyph heights on, `ST`: too far to chain, too short for a line.
        var banner = GrayPlane(width: 256, height: 80, value: 20)
        Self.drawLine(glyphs: 8, at: 20, y: 30, ink: 230, on: &banner)
        Self.drawLine(glyphs: 2, at: 137, y: 30, ink: 230, on: &banner)
        let detector = TextLineDetector()
        let line = try #require(detector.detect(RenderedFrame(luma: banner, chroma: nil)).first)
        #expect(line.x1 < 137)
        #expect(detector.widened(line, in: RenderedFrame(luma: banner, chroma: nil)).x1 >= 137 + 18)

        // The same word on another ground (anatomy beside a label's box) is not the line's.
        for y in 24..<48 { for x in 128..<170 { banner.pixels[y * 256 + x] = 130 } }
        Self.drawLine(glyphs: 2, at: 137, y: 30, ink: 230, on: &banner)
        #expect(detector.widened(line, in: RenderedFrame(luma: banner, chroma: nil)) == line)
    }

    @Test func aTextLineTouchingAnatomyIsJudgedOnItsOwn() {
        // A line of text and a line of anatomy overlapping it; their union reads as neither.
        let text = TextBox(x0: 10, y0: 10, x1: 110, y1: 24, rule: .detector)
        let duplicate = TextBox(x0: 11, y0: 10, x1: 110, y1: 24, rule: .detector)
        let anatomy = TextBox(x0: 90, y0: 20, x1: 200, y1: 44, rule: .detector)
        let alone = TextBox(x0: 10, y0: 100, x1: 60, y1: 112, rule: .detector)
        var judged: [(TextBox, Bool)] = []
        let result = TextBox.accepted([text, duplicate, anatomy, alone]) { box, isPart in
            judged.append((box, isPart))
            return box == text || box == alone
        }
        #expect(result.accepted.sorted { $0.y0 < $1.y0 } == [text, alone])
        #expect(result.refused == [anatomy])
        // The union, then its two distinct lines as parts; the near-duplicate is not read again.
        #expect(judged.filter(\.1).map(\.0).sorted { $0.x0 < $1.x0 } == [text, anatomy])
        #expect(!judged.contains { $0.0 == duplicate })

        // A refused line across an accepted one in the same row (the same words found with other
        // ends, `Lucas Petrov` beside `Petrov`) goes with it.
        let name = TextBox(x0: 10, y0: 60, x1: 120, y1: 76, rule: .detector)
        let surname = TextBox(x0: 70, y0: 62, x1: 160, y1: 90, rule: .detector)
        let rows = TextBox.accepted([name, surname]) { box, _ in box == surname }
        #expect(Set(rows.accepted) == [name, surname] && rows.refused.isEmpty)
        // Unless the refused line is not text of any kind (colour Doppler beside a bar's label).
        let doppler = TextBox.accepted([name, surname], by: { box, _ in box == surname }, joinsItsRow: { $0 != name })
        #expect(doppler.accepted == [surname] && doppler.refused == [name])
    }

    @Test func triageFlagsTheUsualSuspects() {
        func dataSet(_ elements: [(DICOMTag, VR, String)]) -> DataSet {
            DataSet(
                elements.map { DataElement($0.0, $0.1, string: $0.2) } + [DataElement(.pixelData, .OW, .bytes([0, 0]))])
        }
        let original = (DICOMTag.imageType, VR.CS, "ORIGINAL\\PRIMARY\\AXIAL")
        #expect(TextTriage.reason(dataSet([original, (.modality, .CS, "CT")]), scope: .flagged) == nil)
        #expect(TextTriage.reason(dataSet([original, (.modality, .CS, "CT")]), scope: .all) == "all")
        #expect(TextTriage.reason(dataSet([original, (.modality, .CS, "US")]), scope: .flagged) == "image-kind")
        #expect(
            TextTriage.reason(dataSet([original, (.burnedInAnnotation, .CS, "YES")]), scope: .flagged)
                == "burned-in-annotation")
        #expect(TextTriage.reason(dataSet([(.modality, .CS, "CT")]), scope: .flagged) == "image-type")
        #expect(
            TextTriage.reason(dataSet([original, (DICOMTag.seriesDescription, .LO, "Dose Report")]), scope: .flagged)
                == "series-description")
        #expect(TextTriage.reason(DataSet([DataElement(.modality, .CS, string: "US")]), scope: .all) == nil)  // no pixels
        // Ordinary MR that real vendors write: words inside other words, empty capture-device attributes.
        #expect(
            TextTriage.reason(
                dataSet([original, (DICOMTag.seriesDescription, .LO, "DTI_TRANSFORM_b1000")]), scope: .flagged)
                == nil)
        #expect(
            TextTriage.reason(
                dataSet([original, (DICOMTag.secondaryCaptureDeviceManufacturer, .LO, "")]), scope: .flagged)
                == nil)
        #expect(
            TextTriage.reason(
                dataSet([original, (DICOMTag.secondaryCaptureDeviceManufacturer, .LO, "Screen Grabber Inc")]),
                scope: .flagged) == "secondary-capture-device")
    }
}
