import DICOMCore

/// The pixels of a text line to mask: its strokes grown into word-sized blobs, so that the
/// anatomy between and around the words of a line keeps its pixels. Light words are masked
/// black; dark words (dark text in a light label box), glyph by glyph, with their ground's value
/// (``GroundFill``), as black would leave them as dark as they were.
enum WordMask {
    /// The words of a line: which pixels of its box (row by row), whether their ink is light, and
    /// the levels of the box counted from dark towards the ink (inverted for dark ink) with the
    /// text's level among them.
    struct Words {
        var mask: [Bool]
        var inkIsLight: Bool
        var levels: [Int]
        var textLevel: Int
        /// The strokes the words were grown from.
        var strokes: [Bool]
        /// The height of the line's glyphs.
        var glyph: Double
    }

    /// The words of `box`, or nil for the whole box: ink close to what the box mostly holds
    /// (light text in a light box, whose "strokes" are the box's edges), or strokes covering
    /// most of the box anyway.
    /// A line judged light whose light "words" are a label box's edges is read for dark words in
    /// the box (dark text in a light label box beside darker anatomy).
    static func words(of box: TextBox, in plane: GrayPlane) -> Words? {
        guard box.width > 0, box.height > 0 else { return nil }
        let light = LineConfirmation.inkIsLight(box, of: plane)
        return words(of: box, in: plane, bright: light) ?? (light ? words(of: box, in: plane, bright: false) : nil)
    }

    private static func words(of box: TextBox, in plane: GrayPlane, bright: Bool) -> Words? {
        let (ink, threshold, _) = LineConfirmation.strokes(box, of: plane, bright: bright, edgesGoOn: true)
        let (width, height) = (box.width, box.height)
        // Levels counted from the ground towards the ink: dark text is light text inverted.
        func level(_ x: Int, _ y: Int) -> Int {
            let value = Int(plane[box.x0 + x, box.y0 + y])
            return bright ? value : 255 - value
        }
        let boxLevels = (0..<width * height).map { level($0 % width, $0 / width) }
        var inkLevels = boxLevels.indices.filter { ink[$0] >= threshold }.map { boxLevels[$0] }
        guard !inkLevels.isEmpty else { return nil }
        inkLevels.sort()
        let levels = boxLevels.sorted()
        guard inkLevels[inkLevels.count / 2] >= levels[levels.count / 2] + 60 else { return nil }
        let glyph =
            LineConfirmation.glyphHeight(of: ink.map { $0 >= threshold }, width: width, height: height)
            ?? Double(height) / 1.5
        // Half-strength strokes too (the thin parts of glyphs), in the text's ink: annotation is
        // drawn in one level, near the top of the strokes' levels, where anatomy's strokes vary.
        // An anti-aliased stroke two pixels wide has no pixel at that level: any stroke at least
        // half-way from the ground to the text's level counts.
        let textLevel = inkLevels[inkLevels.count * 3 / 4]
        let halfWay = (textLevel + levels[levels.count / 2]) / 2
        // Dark text's bodies only beside its strokes, and at its level: anatomy under a banner is
        // as dark as the text or darker, and is no word.
        let nearGlyphs = bright ? nil : dilated(ink.map { $0 >= threshold }, width: width, height: height, radius: 3)
        var strokes = [Bool](repeating: false, count: ink.count)
        for p in strokes.indices {
            // Wide glyph bodies are no stroke to a top-hat: anything at the text's level is ink.
            let level = boxLevels[p]
            let body = nearGlyphs.map { $0[p] && abs(level - textLevel) <= 25 } ?? (level >= textLevel - 25)
            strokes[p] = (ink[p] >= max(15, threshold / 2) && level >= min(halfWay, textLevel - 50)) || body
        }
        // Light words grown by a third of a glyph: the letters of a word join (they are a fifth
        // apart), and what is left of a glyph's edge is covered. Dark words are filled with their
        // ground, glyph by glyph: grown only over their anti-aliased edges, they stay inside a
        // label box's narrow margin.
        let radius = bright ? max(2, Int((glyph / 3).rounded())) : 2
        let grown = dilated(strokes, width: width, height: height, radius: radius)
        guard grown.filter({ $0 }).count < grown.count * 17 / 20 else { return nil }
        return Words(
            mask: grown, inkIsLight: bright, levels: boxLevels, textLevel: textLevel, strokes: strokes, glyph: glyph)
    }

    /// `box`, a line masked whole (its words could not be told from its ground: mid-grey text
    /// over anatomy), without its outer rows and columns that hold no stroke of either polarity
    /// at half the line's threshold, but for a margin of three: the detector pads a line by a
    /// glyph on either side, over anatomy that is no part of the text.
    static func inked(_ box: TextBox, in plane: GrayPlane) -> TextBox {
        let (white, black) = LineConfirmation.topHats(box, of: plane)
        let ink = zip(white, black).map { max($0, $1) }
        let threshold = max(15, Int(LineConfirmation.otsu(ink)) / 2)
        var (x0, y0, x1, y1) = (box.width, box.height, 0, 0)
        for y in 0..<box.height {
            for x in 0..<box.width where Int(ink[y * box.width + x]) >= threshold {
                (x0, y0, x1, y1) = (min(x0, x), min(y0, y), max(x1, x + 1), max(y1, y + 1))
            }
        }
        guard x1 > x0 else { return box }
        var trimmed = box
        (trimmed.x0, trimmed.y0) = (box.x0 + max(0, x0 - 3), box.y0 + max(0, y0 - 3))
        (trimmed.x1, trimmed.y1) = (box.x0 + min(box.width, x1 + 3), box.y0 + min(box.height, y1 + 3))
        return trimmed
    }

    /// `mask` grown by a square of `radius`: along its rows, then along its columns.
    static func dilated(_ mask: [Bool], width: Int, height: Int, radius: Int) -> [Bool] {
        let rows = grown(mask, runs: height, length: width, step: 1, runStride: width, radius: radius)
        return grown(rows, runs: width, length: height, step: width, runStride: 1, radius: radius)
    }

    /// Each of `runs` runs of `length` pixels (`step` apart, runs `runStride` apart) set within
    /// `radius` of a set pixel: the distance to the nearest one before, then after.
    static func grown(_ mask: [Bool], runs: Int, length: Int, step: Int, runStride: Int, radius: Int) -> [Bool] {
        var result = mask
        var before = [Int](repeating: 0, count: length)
        for run in 0..<runs {
            let base = run * runStride
            var last = Int.min / 2
            for i in 0..<length {
                if mask[base + i * step] { last = i }
                before[i] = i - last
            }
            last = Int.max / 2
            for i in stride(from: length - 1, through: 0, by: -1) {
                if mask[base + i * step] { last = i }
                result[base + i * step] = min(before[i], last - i) <= radius
            }
        }
        return result
    }
}
