/// The pixels of a text line to mask: its strokes grown into word-sized blobs, so that the
/// anatomy between and around the words of a line keeps its pixels. Light text only: dark text
/// masked black would stay as dark as it was, so its whole box is masked.
enum WordMask {
    /// Pixels of `box` (row by row) to mask, or nil for the whole box: dark ink, or strokes
    /// covering most of the box anyway.
    static func pixels(of box: TextBox, in plane: GrayPlane) -> [Bool]? {
        guard box.width > 0, box.height > 0 else { return nil }
        let (ink, threshold, bright) = LineConfirmation.strokes(
            box, of: plane, bright: LineConfirmation.inkIsLight(box, of: plane))
        guard bright else { return nil }
        let (width, height) = (box.width, box.height)
        // Ink well above what the box mostly holds (a dark ground, anatomy): light text in a
        // light box or on a light banner, whose "strokes" are the box's edges, is masked whole,
        // black, as dark text is.
        var inkLevels: [UInt8] = []
        var levels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let level = plane[box.x0 + x, box.y0 + y]
                levels.append(level)
                if ink[y * width + x] >= threshold { inkLevels.append(level) }
            }
        }
        guard !inkLevels.isEmpty else { return nil }
        inkLevels.sort()
        levels.sort()
        guard Int(inkLevels[inkLevels.count / 2]) >= Int(levels[levels.count / 2]) + 60 else { return nil }
        let glyph =
            LineConfirmation.glyphHeight(of: ink.map { $0 >= threshold }, width: width, height: height)
            ?? Double(height) / 1.5
        // Half-strength strokes too (the thin parts of glyphs), in the text's ink: annotation is
        // drawn in one level, near the top of the strokes' levels, where anatomy's strokes vary.
        // An anti-aliased stroke two pixels wide has no pixel at that level: any stroke at least
        // half-way from the ground to the text's level counts.
        let textLevel = Int(inkLevels[inkLevels.count * 3 / 4])
        let halfWay = (textLevel + Int(levels[levels.count / 2])) / 2
        var strokes = [Bool](repeating: false, count: ink.count)
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x
                // Wide glyph bodies are no stroke to a top-hat: anything at the text's level is ink.
                let level = Int(plane[box.x0 + x, box.y0 + y])
                strokes[p] =
                    (ink[p] >= max(15, threshold / 2) && level >= min(halfWay, textLevel - 50))
                    || level >= textLevel - 25
            }
        }
        // Grown by a third of a glyph: the letters of a word join (they are a fifth apart), and
        // what is left of a glyph's edge is covered.
        let radius = max(2, Int((glyph / 3).rounded()))
        let grown = dilated(strokes, width: width, height: height, radius: radius)
        return grown.filter { $0 }.count >= grown.count * 17 / 20 ? nil : grown
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
