/// Decides with OCR whether a line the detector found is text: the detector finds strokes of
/// glyph size in a row, which ribs, catheters, vessels and skin folds can also make. Tesseract
/// reads a line of annotation as words of the kinds annotation is made of (numbers, dates, names
/// in capitals, IDs, units) and about as many letters as the line is long; anatomy it reads as
/// nothing, or as a few short mixed-case fragments ("ee", "Wits", "crAS").
///
/// The line is cut out with its padding and shown to Tesseract in up to three ways, until one
/// reads as text: its grey levels stretched, with dark ink on a light ground; the same inverted
/// (light text in a dark box on a light banner); and its strokes alone, from the top-hats (text
/// over anatomy, where the ground changes along the line).
public struct LineConfirmation: Sendable {
    /// Least letters and digits in words of annotation's kinds, and their least share of all
    /// letters and digits read.
    public var annotationCharacters = 5
    public var annotationShare = 0.5
    /// Least mean word confidence of such a line: words Tesseract makes up in noise (`Posto`)
    /// come with confidences under 20.
    public var leastConfidence = 20
    /// Least share of the letters the line's length holds (a glyph is about 0.6 of its height
    /// wide) that must be read.
    public var lengthShare = 0.3
    /// A line read with this mean word confidence (0–100) and at least this many letters and
    /// digits is text whatever its words (Tesseract's confidence is low on many good reads, and
    /// rarely this high on anatomy).
    public var confidence = 85
    public var confidentCharacters = 4

    public init() {}

    /// The judgement for one line of a union of lines this one refused (``TextBox/accepted(_:by:)``):
    /// it must read clearly on its own. The strokes view reads the gaps between teeth as
    /// capitals (`MEARS`) at confidence 34.
    public var forParts: LineConfirmation {
        var strict = self
        strict.leastConfidence = max(leastConfidence, 50)
        return strict
    }

    /// Whether OCR can confirm lines on this machine.
    public static var isAvailable: Bool { OCRReader.isAvailable }

    /// The ways a line is shown to OCR, in order.
    public enum View: CaseIterable, Sendable { case grey, inverted, strokes, inkLevel }

    /// What OCR makes of a line.
    public enum Verdict: Sendable, Equatable {
        case notText
        case text
        /// Text showing one of the header's names, IDs or dates.
        case headerValue
    }

    /// Whether `box` of `frame` reads as text, or shows one of `phi` (the header's names, IDs
    /// and dates) however little else it reads; nil when OCR is not available. `lenient`: the
    /// header says the image carries text (an ultrasound, a screen capture), and any few letters
    /// read over the line's length will do (text over anatomy often reads that poorly), in the
    /// frame's annotation rows (``isInAnnotationRows(_:height:)``); elsewhere they must be read
    /// with `confidence` (an ultrasound's `PWR` beside its colour bar, a test pattern's `30%`).
    public func isText(
        _ box: TextBox, in frame: RenderedFrame, phi: HeaderPHIStrings? = nil, lenient: Bool = false
    ) -> Bool? {
        read(box, in: frame, phi: phi, lenient: lenient, untilText: true).map { $0 != .notText }
    }

    /// Whether `box` lies in the rows where annotation is drawn (corners, banners): within a tenth
    /// of the frame's height of its top or bottom edge, or within 16 pixels of it (a small
    /// frame's corner text, a few pixels from its edge). Leniency stops there: the rest of a
    /// screen capture is anatomy, which reads as a few letters (`Tir`, `Posto`) nearly
    /// everywhere, but with confidences under 80.
    static func isInAnnotationRows(_ box: TextBox, height: Int) -> Bool {
        let edge = min(box.y0, height - box.y1)
        return 10 * edge <= height || edge <= 16
    }

    /// What `box` of `frame` reads as (see ``isText(_:in:phi:lenient:)``); nil when OCR is not
    /// available. The text read is compared and dropped.
    public func verdict(
        _ box: TextBox, in frame: RenderedFrame, phi: HeaderPHIStrings? = nil, lenient: Bool = false
    ) -> Verdict? {
        read(box, in: frame, phi: phi, lenient: lenient, untilText: false)
    }

    /// Reads the views in turn; `untilText`: stops at the first that reads as text, else goes on
    /// looking for a header value.
    private func read(
        _ box: TextBox, in frame: RenderedFrame, phi: HeaderPHIStrings?, lenient: Bool, untilText: Bool
    ) -> Verdict? {
        var verdict = Verdict.notText
        let inAnnotationRows = Self.isInAnnotationRows(box, height: frame.luma.height)
        for view in View.allCases {
            guard let (text, confidence) = OCRReader.line(in: Self.prepared(box, of: frame.luma, view: view)) else {
                return nil
            }
            if phi?.found(in: text) == true { return .headerValue }
            if accepts(text, confidence: confidence, box: box)
                || (lenient && Self.annotationCharacters(in: text).all >= 3
                    && (inAnnotationRows || confidence >= self.confidence))
            {
                verdict = .text
                if untilText || phi == nil { return verdict }
            }
        }
        return verdict
    }

    /// Whether `text`, read in `box` with mean word `confidence`, is annotation.
    func accepts(_ text: String, confidence: Int, box: TextBox) -> Bool {
        let (annotation, all) = Self.annotationCharacters(in: text)
        // Letters the box's length holds: the detector pads a line by a quarter of its height
        // above and below and by its height on either side.
        let glyph = Double(box.height) / 1.5
        let expected = max(1, (Double(box.width) - 2 * glyph) / (0.6 * glyph))
        guard Double(all) >= lengthShare * expected else { return false }
        // A date or a time: the commonest PHI drawn into images, and a shape anatomy does not read as.
        if Self.hasDateOrTime(text) { return true }
        // Read with confidence: text of any kind (an ultrasound's settings, a label).
        if all >= confidentCharacters && confidence >= self.confidence { return true }
        return annotation >= annotationCharacters && Double(annotation) >= annotationShare * Double(all)
            && confidence >= leastConfidence
    }

    /// Letters and digits in words annotation is made of, and all letters and digits, of `text`:
    /// runs of two or more digits (IDs, dates, times), words of three or more capitals (names,
    /// places; of four or more, one letter may be misread in lower case: `sAKESIDE`),
    /// capitalised words of four or more letters, capitals with digits (accession numbers), and
    /// the short words of labels and units, alone or after a number (`15cm`).
    static func annotationCharacters(in text: String) -> (annotation: Int, all: Int) {
        var (annotation, all) = (0, 0)
        let words = text.unicodeScalars.split { !($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        for word in words {
            all += word.count
            let digits = word.filter { ("0"..."9").contains($0) }.count
            let capitals = word.filter { $0.properties.isUppercase }.count
            let letters = word.count - digits
            let isAnnotation =
                (digits == word.count && digits >= 2)
                || (capitals == word.count && letters >= 3)
                || (digits == 0 && letters >= 4 && capitals >= letters - 1)
                || (capitals == 1 && word.first!.properties.isUppercase && digits == 0 && word.count >= 4)
                || (digits > 0 && capitals == letters && word.count >= 3)
                || labels.contains(
                    String(String.UnicodeScalarView(word.filter { !("0"..."9").contains($0) })).lowercased())
            if isAnnotation { annotation += word.count }
        }
        return (annotation, all)
    }

    /// A day, a month's name and a year: `01-JAN-2006`, `01 Jan 2006`.
    nonisolated(unsafe) static let namedMonthDate = try! Regex(
        #"\b\d{1,2}[-/ .]?(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[-/ .,]{0,2}\d{2,4}\b"#
    ).ignoresCase()

    /// Whether `text` holds a date (`11/04/2025`, `2025-04-11`, `04.11.25`, `01-JAN-2006`) or a
    /// time (`07:11`).
    static func hasDateOrTime(_ text: String) -> Bool {
        if text.contains(namedMonthDate) { return true }
        let scalars = Array(text.unicodeScalars)
        func digits(from start: Int) -> Int {
            var end = start
            while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
            return end - start
        }
        var index = 0
        while index < scalars.count {
            let first = digits(from: index)
            guard first > 0 else {
                index += 1
                continue
            }
            let separator = index + first
            if separator + 1 < scalars.count, "/-.:".unicodeScalars.contains(scalars[separator]) {
                let second = digits(from: separator + 1)
                let isTime = scalars[separator] == ":" && first <= 2 && second == 2
                let third = separator + 1 + second
                let isDate =
                    first <= 4 && (1...2).contains(second) && third + 1 < scalars.count
                    && scalars[third] == scalars[separator] && digits(from: third + 1) >= 2
                if isTime || isDate { return true }
            }
            index = separator
        }
        return false
    }

    /// Short words of annotation labels and units.
    static let labels: Set<String> = [
        "id", "mrn", "dob", "acc", "sex", "age", "cm", "mm", "bpm", "hz", "db", "kv", "ma", "mas", "fps", "sec",
    ]

    /// What the decision looks at, for tuning (TextBenchmark): per view, characters read and
    /// confidence, and with `showingText` the text itself (PHI on real data: public test data only).
    public static func features(_ box: TextBox, in frame: RenderedFrame, showingText: Bool = false) -> String {
        let plain = ground(box, of: frame.luma).plainShare
        let reads = View.allCases.map { view in
            let read = OCRReader.line(in: prepared(box, of: frame.luma, view: view))
            let counts = "\(annotationCharacters(in: read?.text ?? "").all)/\(read?.confidence ?? -1)"
            guard showingText else { return counts }
            let text = (read?.text ?? "").unicodeScalars.map { $0 == " " ? "_" : $0 == "\n" ? "|" : String($0) }
                .joined()
            return counts + "/[\(text)]"
        }
        return
            "w \(box.width) h \(box.height) plain \(String(format: "%.2f", plain)) reads \(reads.joined(separator: " "))"
    }

    /// The box's ground, seen on its outermost two rows and columns (the padding around the
    /// glyphs): its median level, and the share of those pixels within 24 levels of it.
    static func ground(_ box: TextBox, of plane: GrayPlane) -> (level: UInt8, plainShare: Double) {
        var ring: [UInt8] = []
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1
            where y < box.y0 + 2 || y >= box.y1 - 2 || x < box.x0 + 2 || x >= box.x1 - 2 {
                ring.append(plane[x, y])
            }
        }
        guard !ring.isEmpty else { return (0, 0) }
        ring.sort()
        let median = ring[ring.count / 2]
        let plain = ring.filter { abs(Int($0) - Int(median)) <= 24 }.count
        return (median, Double(plain) / Double(ring.count))
    }

    /// Glyph height Tesseract reads best (its own advice: 20–40 pixels of capital height).
    static let glyphHeight = 32.0

    /// `box` cut out of `plane` as `view` shows it, scaled so its glyphs are about `glyphHeight`
    /// tall, with a white border (Tesseract misreads ink touching the edge).
    public static func prepared(_ box: TextBox, of plane: GrayPlane, view: View = .grey) -> GrayPlane {
        let (width, height) = (box.width, box.height)
        let (ink, threshold, _) = strokes(box, of: plane)
        var crop = [UInt8](repeating: 0, count: width * height)
        switch view {
        case .grey, .inverted:
            for y in 0..<height {
                for x in 0..<width { crop[y * width + x] = plane[box.x0 + x, box.y0 + y] }
            }
            // Dark ink on a light ground: ink stands out from the ground around it.
            let darkGround = ground(box, of: plane).level < otsu(crop)
            if darkGround != (view == .inverted) { crop = crop.map { 255 - $0 } }
            stretch(&crop)
        case .strokes:
            crop = ink.map { 255 - $0 }
            stretch(&crop)
        case .inkLevel:
            crop = inkLevelView(box, of: plane)
        }
        // The glyphs' height: a line's is two thirds of its box (the padding); a box holding two
        // lines or more has smaller glyphs, seen in the strokes' pieces.
        let single = Double(height) / 1.5
        let pieces = glyphHeight(of: ink.map { $0 >= threshold }, width: width, height: height) ?? single
        let glyph = pieces < 0.7 * single ? pieces : single
        let scale = min(6, max(1, glyphHeight / glyph))
        let (scaledWidth, scaledHeight) = (Int(Double(width) * scale), Int(Double(height) * scale))
        let border = 12
        var output = GrayPlane(width: scaledWidth + 2 * border, height: scaledHeight + 2 * border, value: 255)
        for y in 0..<scaledHeight {
            let sy = min(Double(height - 1), max(0, (Double(y) + 0.5) / scale - 0.5))
            let (y0, fy) = (Int(sy), sy - Double(Int(sy)))
            let y1 = min(height - 1, y0 + 1)
            for x in 0..<scaledWidth {
                let sx = min(Double(width - 1), max(0, (Double(x) + 0.5) / scale - 0.5))
                let (x0, fx) = (Int(sx), sx - Double(Int(sx)))
                let x1 = min(width - 1, x0 + 1)
                let top = Double(crop[y0 * width + x0]) * (1 - fx) + Double(crop[y0 * width + x1]) * fx
                let bottom = Double(crop[y1 * width + x0]) * (1 - fx) + Double(crop[y1 * width + x1]) * fx
                output.pixels[(y + border) * output.width + x + border] = UInt8(top * (1 - fy) + bottom * fy)
            }
        }
        return output
    }

    /// Mid-grey text over anatomy is lighter than the ground in places and darker in others, and
    /// neither polarity shows all of it; but it is drawn in one level. The commonest level of
    /// the box's strokes (light or dark), in bins of 8: its pixels within 16 levels black, the
    /// rest white.
    static func inkLevelView(_ box: TextBox, of plane: GrayPlane) -> [UInt8] {
        let (white, black) = topHats(box, of: plane)
        var histogram = [Int](repeating: 0, count: 32)
        var crop = [UInt8](repeating: 255, count: box.area)
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 {
                let p = (y - box.y0) * box.width + x - box.x0
                if max(white[p], black[p]) >= 30 { histogram[Int(plane[x, y]) / 8] += 1 }
            }
        }
        guard let mode = histogram.indices.max(by: { histogram[$0] < histogram[$1] }), histogram[mode] > 0 else {
            return crop
        }
        let level = mode * 8 + 4
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 where abs(Int(plane[x, y]) - level) <= 16 {
                crop[(y - box.y0) * box.width + x - box.x0] = 0
            }
        }
        return crop
    }

    /// Whether a tenth of `box` is in colour (chroma 48 or more) of several hues: colour Doppler
    /// (red to yellow, blue to cyan), not text, which is drawn in one hue (anti-aliasing over a
    /// grey image keeps it). The hues of the middle 80% of the coloured pixels span more than
    /// 11 of 256 (15°), the shorter way round.
    static func isMixedColour(_ box: TextBox, in frame: RenderedFrame) -> Bool {
        guard let chroma = frame.chroma, let hue = frame.hue else { return false }
        var hues: [Int] = []
        for y in box.y0..<box.y1 { for x in box.x0..<box.x1 where chroma[x, y] >= 48 { hues.append(Int(hue[x, y])) } }
        guard 10 * hues.count >= box.area, hues.count >= 10 else { return false }
        func spread(_ values: [Int]) -> Int {
            let sorted = values.sorted()
            return sorted[sorted.count * 9 / 10] - sorted[sorted.count / 10]
        }
        // Red straddles 0: measure again with the circle turned half-way.
        return min(spread(hues), spread(hues.map { ($0 + 128) & 255 })) > 11
    }

    /// Whether the ink of `box` is lighter than its ground: its brightest pixels lie further above
    /// the ground than its darkest below it. (Summed top-hats cannot tell: the counters of small
    /// light letters are dark strokes too.)
    static func inkIsLight(_ box: TextBox, of plane: GrayPlane) -> Bool {
        let ground = Int(ground(box, of: plane).level)
        var levels: [UInt8] = []
        levels.reserveCapacity(box.area)
        for y in box.y0..<box.y1 { for x in box.x0..<box.x1 { levels.append(plane[x, y]) } }
        guard !levels.isEmpty else { return true }
        levels.sort()
        return Int(levels[levels.count * 95 / 100]) - ground >= ground - Int(levels[levels.count / 20])
    }

    /// The white and black top-hats of `box` (row by row), seen with a window's margin around it.
    /// `edgesGoOn`: the plane's and the window's edges are taken to go on as they are (a strip of
    /// ground between a label box and the image's edge is no stroke), not clipped.
    static func topHats(
        _ box: TextBox, of plane: GrayPlane, edgesGoOn: Bool = false
    ) -> (white: [UInt8], black: [UInt8]) {
        let margin = 4
        let outer =
            edgesGoOn
            ? TextBox(
                x0: box.x0 - margin - 3, y0: box.y0 - margin - 3, x1: box.x1 + margin + 3, y1: box.y1 + margin + 3,
                rule: box.rule)
            : box.padded(x: margin, y: margin, columns: plane.width, rows: plane.height)
        let (clampX, clampY) = (
            (box.x0 - margin)...(box.x1 + margin - 1), (box.y0 - margin)...(box.y1 + margin - 1)
        )
        var region = GrayPlane(width: outer.width, height: outer.height)
        for y in 0..<outer.height {
            for x in 0..<outer.width {
                var (px, py) = (outer.x0 + x, outer.y0 + y)
                if edgesGoOn {
                    px = min(max(px, clampX.lowerBound, 0), clampX.upperBound, plane.width - 1)
                    py = min(max(py, clampY.lowerBound, 0), clampY.upperBound, plane.height - 1)
                }
                region.pixels[y * outer.width + x] = plane[px, py]
            }
        }
        let white = Morphology.whiteTopHat(region, radius: 3)
        let black = Morphology.blackTopHat(region, radius: 3)
        let (dx, dy) = (box.x0 - outer.x0, box.y0 - outer.y0)
        var (whiteInk, blackInk) = ([UInt8](), [UInt8]())
        whiteInk.reserveCapacity(box.area)
        blackInk.reserveCapacity(box.area)
        for y in 0..<box.height {
            for x in 0..<box.width {
                let p = (y + dy) * outer.width + x + dx
                whiteInk.append(white[p])
                blackInk.append(black[p])
            }
        }
        return (whiteInk, blackInk)
    }

    /// The strokes of `box`: the top-hat of the polarity with more response (the other is the
    /// edges of the ground) or the one `bright` names, over the box with a window's
    /// margin, the level (Otsu's, at least 30) above which a pixel is ink, and whether the ink
    /// is brighter than its ground.
    static func strokes(
        _ box: TextBox, of plane: GrayPlane, bright: Bool? = nil, edgesGoOn: Bool = false
    ) -> (ink: [UInt8], threshold: UInt8, bright: Bool) {
        let (whiteInk, blackInk) = topHats(box, of: plane, edgesGoOn: edgesGoOn)
        let bright = bright ?? (whiteInk.reduce(0, { $0 + Int($1) }) >= blackInk.reduce(0, { $0 + Int($1) }))
        let ink = bright ? whiteInk : blackInk
        return (ink, max(30, otsu(ink)), bright)
    }

    /// The height of the glyph-sized pieces of `mask` (the upper quartile: lower-case letters and
    /// broken strokes are shorter), or nil when there are none.
    static func glyphHeight(of mask: [Bool], width: Int, height: Int) -> Double? {
        let heights = TextLineDetector.components(in: mask, width: width, height: height).map(\.box.height)
            .filter { $0 >= 4 && $0 < height }.sorted()
        return heights.isEmpty ? nil : Double(heights[heights.count * 3 / 4])
    }

    /// Levels stretched to the full range (faint text on a grey banner reads as well as bold).
    static func stretch(_ values: inout [UInt8]) {
        guard let low = values.min(), let high = values.max(), high > low else { return }
        let range = Int(high - low)
        values = values.map { UInt8((Int($0 - low) * 255) / range) }
    }

    /// Otsu's threshold of 8-bit values.
    static func otsu(_ values: [UInt8]) -> UInt8 {
        var histogram = [Double](repeating: 0, count: 256)
        for value in values { histogram[Int(value)] += 1 }
        let total = Double(values.count)
        let sum = histogram.indices.reduce(0.0) { $0 + Double($1) * histogram[$1] }
        var (below, sumBelow, best, threshold) = (0.0, 0.0, -1.0, 0)
        for level in 0..<256 {
            below += histogram[level]
            sumBelow += Double(level) * histogram[level]
            guard below > 0, below < total else { continue }
            let (meanBelow, meanAbove) = (sumBelow / below, (sum - sumBelow) / (total - below))
            let between = below * (total - below) * (meanBelow - meanAbove) * (meanBelow - meanAbove)
            if between > best { (best, threshold) = (between, level) }
        }
        return UInt8(threshold)
    }
}
