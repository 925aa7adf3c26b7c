extension TextLineDetector {
    /// `line`, a line OCR read as text, grown sideways into the words of its own ink beside it
    /// (their strokes' peaks within 30 levels of its own, their glyphs of its height, on its
    /// ground), each within `wideGap` glyph heights of the line grown so far. The detector chains
    /// glyphs only `gapFactor` (2.5) heights apart and wants three glyphs or more for a line, so
    /// the short, far-apart fields of a monospaced banner (`ST   ELSEWHERE`,
    /// `CHANDRA   ANNA   G.`) would otherwise stay. Grown only after OCR: the lines of anatomy
    /// OCR refuses cost nothing.
    public func widened(_ line: TextBox, in frame: RenderedFrame) -> TextBox {
        let plane = frame.luma
        guard line.width > 0, line.height >= 4 else { return line }
        // The line's rows with room for the top-hat's window, across the whole frame.
        let (y0, y1) = (max(0, line.y0 - radius - 1), min(plane.height, line.y1 + radius + 1))
        let band = GrayPlane(
            width: plane.width, height: y1 - y0, pixels: Array(plane.pixels[(y0 * plane.width)..<(y1 * plane.width)]))
        // The line's ink: light or dark against its ground, whichever lies further from it (the
        // counters of light letters are dark strokes too, so counting strokes would not tell).
        let ground = Int(LineConfirmation.ground(line, of: plane).level)
        let bright = LineConfirmation.inkIsLight(line, of: plane)
        let topHat =
            bright ? Morphology.whiteTopHat(band, radius: radius) : Morphology.blackTopHat(band, radius: radius)
        let ink = bright ? band.pixels : band.pixels.map { 255 - $0 }
        let pieces = Self.components(in: topHat.map { $0 >= 30 }, values: ink, width: band.width, height: band.height)
            .compactMap { piece -> (box: TextBox, peak: Int)? in
                var box = piece.box
                (box.y0, box.y1) = (box.y0 + y0, box.y1 + y0)
                guard box.height >= 4, box.width <= 16 * box.height else { return nil }
                return (box, Int(piece.peak))
            }
        // The glyphs' height and ink: the median of the strokes inside the line (a merged box may
        // hold several lines).
        let inside = pieces.filter { line.contains($0.box) }
        guard !inside.isEmpty else { return line }
        let heights = inside.map(\.box.height).sorted()
        let peaks = inside.map(\.peak).sorted()
        let (glyph, peak) = (Double(heights[heights.count / 2]), peaks[peaks.count / 2])
        // Words in the line's rows, of its glyphs' size, each within `wideGap` heights of the
        // line grown so far (measured from its padding, a glyph's width beyond the text).
        // On the line's ground too (within 40 levels): a light box's text does not grow into the
        // anatomy beside the box.
        var candidates = pieces.filter { abs($0.peak - peak) <= 30 }.map(\.box).filter { piece in
            let h = Double(piece.height)
            let overlap = Double(min(line.y1, piece.y1) - max(line.y0, piece.y0))
            guard h >= 0.6 * glyph, h <= 1.4 * glyph, overlap >= 0.8 * h, !line.contains(piece) else { return false }
            let around = piece.padded(x: 2, y: 2, columns: plane.width, rows: plane.height)
            return abs(Int(LineConfirmation.ground(around, of: plane).level) - ground) <= 40
        }
        var (x0, x1) = (line.x0, line.x1)
        var grew = true
        while grew {
            grew = false
            candidates.removeAll { piece in
                guard Double(max(piece.x0 - x1, x0 - piece.x1)) <= Self.wideGap * glyph else { return false }
                (x0, x1) = (min(x0, piece.x0 - Int(glyph.rounded())), max(x1, piece.x1 + Int(glyph.rounded())))
                grew = true
                return true
            }
        }
        var widened = line
        (widened.x0, widened.x1) = (max(0, x0), min(plane.width, x1))
        return widened
    }

    /// How far (in glyph heights) ``widened(_:in:)`` looks for a line's next word.
    static var wideGap: Double { 4 }
}
