/// Finds lines of text in a rendered frame without a model: strokes thinner than a small window
/// (top-hat), connected into glyph-sized components, chained into lines of similar glyphs.
/// Research part A.5 measured this family at 98% of text pixels, 10 ms per 512² frame.
public struct TextLineDetector: Sendable {
    /// One way of finding strokes, and how strict the lines built from them must be.
    struct Pass: Sendable {
        enum Source: Sendable { case brightStrokes, darkStrokes, colouredStrokes }
        var source: Source
        /// Least top-hat response (0–255) of a stroke pixel.
        var contrast: UInt8
        /// Bright strokes: least luma; dark strokes: largest luma; coloured: least chroma.
        var level: UInt8
        var minimumGlyphs: Int
        /// Largest ratio of glyph heights within a line.
        var heightRatio: Double
        /// Glyphs must share both their top and their bottom row (weak or coloured strokes:
        /// texture and colour Doppler chain into lines more easily).
        var strictAlignment = false
        /// Lines must stand on a plain light ground (most of the ring around the padded line
        /// within 24 levels of its median, which is light): dark strokes at any level are
        /// everywhere in anatomy, but mid-grey text on a light ground is not anatomy's shape.
        var onPlainLightGround = false
    }

    /// Half the top-hat window: strokes up to `2 * radius` pixels wide are found.
    public var radius = 3
    var passes: [Pass] = [
        Pass(source: .brightStrokes, contrast: 60, level: 140, minimumGlyphs: 3, heightRatio: 2.5),
        Pass(source: .darkStrokes, contrast: 60, level: 115, minimumGlyphs: 3, heightRatio: 2.5),
        // Text over anatomy has less contrast: a weaker stroke needs a longer, more regular line.
        Pass(source: .brightStrokes, contrast: 30, level: 0, minimumGlyphs: 5, heightRatio: 1.6, strictAlignment: true),
        // Mid-grey text on a light ground (a portal image, a radiograph's bright side).
        Pass(
            source: .darkStrokes, contrast: 30, level: 255, minimumGlyphs: 5, heightRatio: 1.6, strictAlignment: true,
            onPlainLightGround: true),
        Pass(
            source: .colouredStrokes, contrast: 0, level: 48, minimumGlyphs: 3, heightRatio: 1.6, strictAlignment: true),
    ]

    public init() {}

    /// Boxes around every text line in `frame`, padded, merged where they overlap.
    public func detect(_ frame: RenderedFrame, frameIndex: Int = 0) -> [TextBox] {
        TextBox.merged(lines(in: frame, frameIndex: frameIndex))
    }

    /// Boxes around every text line in `frame`, padded, as each pass found them (they may overlap).
    public func lines(in frame: RenderedFrame, frameIndex: Int = 0) -> [TextBox] {
        let (width, height) = (frame.luma.width, frame.luma.height)
        guard width > 2 * radius, height > 2 * radius else { return [] }
        var whiteTopHat: [UInt8]?
        var blackTopHat: [UInt8]?
        var boxes: [TextBox] = []
        for var pass in passes {
            let strokes: (UInt8, UInt8) -> [Bool]
            switch pass.source {
            case .brightStrokes:
                let topHat = whiteTopHat ?? Morphology.whiteTopHat(frame.luma, radius: radius)
                whiteTopHat = topHat
                pass.contrast = max(pass.contrast, Self.noiseFloor(topHat))
                strokes = { contrast, level in zip(topHat, frame.luma.pixels).map { $0 >= contrast && $1 >= level } }
            case .darkStrokes:
                let topHat = blackTopHat ?? Morphology.blackTopHat(frame.luma, radius: radius)
                blackTopHat = topHat
                pass.contrast = max(pass.contrast, Self.noiseFloor(topHat))
                strokes = { contrast, level in zip(topHat, frame.luma.pixels).map { $0 >= contrast && $1 <= level } }
            case .colouredStrokes:
                // Thin coloured strokes only: colour Doppler and colour bars are blobs.
                guard let chroma = frame.chroma else { continue }
                let topHat = Morphology.whiteTopHat(chroma, radius: radius)
                strokes = { _, level in zip(topHat, chroma.pixels).map { $0 >= level && $1 >= level } }
            }
            // How strongly each glyph is inked: its brightest (dark strokes: darkest) pixel.
            let ink: [UInt8] =
                switch pass.source {
                case .brightStrokes: frame.luma.pixels
                case .darkStrokes: frame.luma.pixels.map { 255 - $0 }
                case .colouredStrokes: frame.chroma?.pixels ?? frame.luma.pixels
                }
            let glyphs = Self.glyphs(in: strokes(pass.contrast, pass.level), ink: ink, width: width, height: height)
            var lines = Self.lines(of: glyphs, pass: pass)
            if !lines.isEmpty {
                // Hysteresis: a line found is followed into weaker strokes (glyphs over brighter
                // anatomy, the thin parts of a font).
                let weak = Self.glyphs(
                    in: strokes(
                        pass.contrast / 2,
                        pass.source == .darkStrokes ? UInt8(min(255, Int(pass.level) + 40)) : pass.level / 2),
                    ink: ink,
                    width: width, height: height)
                lines = lines.map { Self.extend($0, with: weak.map(\.box)) }
            }
            boxes += lines.map { line in
                var box = line
                box.frame = frameIndex
                // A glyph's width sideways (a first or last letter too faint to be found), a
                // quarter height up and down (accents, descenders).
                return box.padded(x: line.height, y: max(2, line.height / 4), columns: width, rows: height)
            }.filter { box in
                guard pass.onPlainLightGround else { return true }
                let ground = LineConfirmation.ground(box, of: frame.luma)
                return ground.level >= 128 && ground.plainShare >= 0.6
            }
        }
        return boxes
    }

    /// Most glyphs of a line (three in four) peak within 30 levels of the line's median peak:
    /// annotation is drawn in one ink, where anatomy's bright details vary.
    static func isOneInk(_ glyphs: [Glyph]) -> Bool {
        let peaks = glyphs.map(\.ink).sorted()
        let median = peaks[peaks.count / 2]
        return Double(peaks.filter { abs($0 - median) <= 30 }.count) >= 0.75 * Double(peaks.count)
    }

    /// Four times the median top-hat response: in a noisy frame (a slice of mostly background,
    /// windowed to full contrast) noise grains look like strokes, and only more than noise counts.
    static func noiseFloor(_ topHat: [UInt8]) -> UInt8 {
        var histogram = [Int](repeating: 0, count: 256)
        for value in topHat { histogram[Int(value)] += 1 }
        var (seen, median) = (0, 0)
        while median < 255 && seen + histogram[median] <= topHat.count / 2 {
            seen += histogram[median]
            median += 1
        }
        return UInt8(min(255, 4 * median))
    }

    /// `line` grown sideways by the glyphs beside it, in its own band of rows and of a similar
    /// size, until none is left. The band does not move: texture cannot lead the line astray.
    static func extend(_ line: TextBox, with glyphs: [TextBox]) -> TextBox {
        var grown = line
        let height = Double(line.height)
        var grew = true
        while grew {
            grew = false
            for glyph in glyphs where !grown.contains(glyph) {
                let h = Double(glyph.height)
                guard h <= 1.3 * height, h >= 0.4 * height else { continue }
                let overlap = Double(min(line.y1, glyph.y1) - max(line.y0, glyph.y0))
                let gap = Double(max(glyph.x0 - grown.x1, grown.x0 - glyph.x1))
                guard overlap >= 0.7 * h, gap <= gapFactor * height else { continue }
                grown = grown.union(glyph)
                grew = true
            }
        }
        return grown
    }

    /// Glyphs of a line of text stand on one baseline or hang from one cap line: most of them
    /// share their bottom or their top row (within a fifth of their height). Texture does not.
    /// `strictly`: both rows (capitals and digits, the usual annotation fonts).
    static func isAligned(_ glyphs: [TextBox], strictly: Bool = false) -> Bool {
        guard glyphs.count >= 2 else { return true }
        let heights = glyphs.map(\.height).sorted()
        let tolerance = max(2, heights[heights.count / 2] / 5)
        let bottoms = glyphs.map(\.y1).sorted()
        let tops = glyphs.map(\.y0).sorted()
        let (bottom, top) = (bottoms[bottoms.count / 2], tops[tops.count / 2])
        let aligned = glyphs.filter {
            strictly
                ? abs($0.y1 - bottom) <= tolerance && abs($0.y0 - top) <= tolerance
                : abs($0.y1 - bottom) <= tolerance || abs($0.y0 - top) <= tolerance
        }.count
        return Double(aligned) >= 0.75 * Double(glyphs.count)
    }

    /// Nearly all glyphs (seven in eight) stand on one row, within a fifth of their height.
    static func isOnOneBaseline(_ glyphs: [TextBox]) -> Bool {
        let heights = glyphs.map(\.height).sorted()
        let tolerance = max(2, heights[heights.count / 2] / 5)
        let bottoms = glyphs.map(\.y1).sorted()
        let bottom = bottoms[bottoms.count / 2]
        return 8 * glyphs.filter { abs($0.y1 - bottom) <= tolerance }.count >= 7 * glyphs.count
    }

    /// Largest gap between neighbouring glyphs of a line, in glyph heights (a colon and a space
    /// in a monospaced font are about 1.6).
    static let gapFactor = 2.5

    /// Connected components (8-neighbours) of `mask` shaped like glyphs: 4 pixels tall or more,
    /// not taller than 5% of the image (at least 16 pixels), not solid blocks. Letters that touch
    /// (small bitmap fonts) make one long component: up to 16 heights long.
    static func glyphs(in mask: [Bool], ink: [UInt8], width: Int, height: Int) -> [Glyph] {
        let tallest = tallestGlyph(width: width, height: height)
        return components(in: mask, values: ink, width: width, height: height).compactMap { box, count, peak in
            let (w, h) = (box.width, box.height)
            guard h >= 4, h <= tallest, w <= 16 * h, Double(count) <= 0.85 * Double(w * h) else { return nil }
            // Letters in a wide component: half the strokes its middle row crosses.
            var letters = 1
            if w > 3 * h / 2 {
                let row = ((box.y0 + box.y1 - 1) / 2) * width
                var (strokes, inside) = (0, false)
                for x in box.x0..<box.x1 {
                    if mask[row + x] && !inside { strokes += 1 }
                    inside = mask[row + x]
                }
                letters = max(1, strokes / 2)
            }
            return Glyph(box: box, letters: letters, ink: Int(peak))
        }
    }

    static func tallestGlyph(width: Int, height: Int) -> Int { max(16, min(width, height) / 20) }

    /// The bounding box and pixel count of every 8-connected component of `mask`.
    static func components(
        in mask: [Bool], values: [UInt8]? = nil, width: Int, height: Int
    ) -> [(box: TextBox, pixels: Int, peak: UInt8)] {
        var seen = mask.map { !$0 }
        var stack: [(x: Int32, y: Int32)] = []
        var result: [(box: TextBox, pixels: Int, peak: UInt8)] = []
        seen.withUnsafeMutableBufferPointer { seen in
            for start in 0..<seen.count where !seen[start] {
                seen[start] = true
                stack.append((Int32(start % width), Int32(start / width)))
                var (x0, y0, x1, y1, count, peak) = (width, height, 0, 0, 0, UInt8(0))
                while let (px, py) = stack.popLast() {
                    let (x, y) = (Int(px), Int(py))
                    x0 = min(x0, x)
                    x1 = max(x1, x)
                    y0 = min(y0, y)
                    y1 = max(y1, y)
                    count += 1
                    if let values { peak = max(peak, values[y * width + x]) }
                    for ny in max(0, y - 1)...min(height - 1, y + 1) {
                        for nx in max(0, x - 1)...min(width - 1, x + 1) where !seen[ny * width + nx] {
                            seen[ny * width + nx] = true
                            stack.append((Int32(nx), Int32(ny)))
                        }
                    }
                }
                result.append((TextBox(x0: x0, y0: y0, x1: x1 + 1, y1: y1 + 1, rule: .detector), count, peak))
            }
        }
        return result
    }

    /// Pieces of glyphs left beside masked boxes (a line cut by an ultrasound region's edge, a
    /// letter just outside a line's box): strong strokes of glyph size that touch a box.
    public func fragments(_ frame: RenderedFrame, touching boxes: [TextBox], frameIndex: Int = 0) -> [TextBox] {
        let (width, height) = (frame.luma.width, frame.luma.height)
        guard !boxes.isEmpty, width > 2 * radius, height > 2 * radius else { return [] }
        let tallest = Self.tallestGlyph(width: width, height: height)
        let near = boxes.map { $0.padded(x: 2, y: 2, columns: width, rows: height) }
        let bright = Morphology.whiteTopHat(frame.luma, radius: radius)
        let dark = Morphology.blackTopHat(frame.luma, radius: radius)
        var result: [TextBox] = []
        for mask in [
            zip(bright, frame.luma.pixels).map { $0 >= 60 && $1 >= 140 },
            zip(dark, frame.luma.pixels).map { $0 >= 60 && $1 <= 115 },
        ] {
            // A piece of a glyph of the line it touches: no taller than the line, in its band of
            // rows (anatomy touching a line from above or below is not).
            for (box, _, _) in Self.components(in: mask, width: width, height: height)
            where box.height <= tallest && box.width <= 3 * tallest
                && near.contains(where: { line in
                    line.intersects(box) && box.height <= line.height
                        && 2 * (min(line.y1, box.y1) - max(line.y0, box.y0)) >= box.height
                })
            {
                var fragment = box.padded(x: 1, y: 1, columns: width, rows: height)
                fragment.frame = frameIndex
                result.append(fragment)
            }
        }
        return result
    }

    /// A glyph-shaped component, and how many letters it holds (touching letters make one).
    struct Glyph {
        var box: TextBox
        var letters: Int
        /// Its strongest pixel: text is drawn in one ink, so the glyphs of a line share it.
        var ink: Int
    }

    /// Glyphs chained into lines: neighbours overlap vertically by half the smaller height, are
    /// at most `gapFactor` heights apart and of similar height. Lines of too few letters are dropped.
    static func lines(of glyphs: [Glyph], pass: Pass) -> [TextBox] {
        let letters = glyphs.sorted { $0.box.x0 < $1.box.x0 }
        let sorted = letters.map(\.box)
        var parent = Array(sorted.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        let tallest = sorted.map(\.height).max() ?? 0
        for i in sorted.indices {
            let a = sorted[i]
            var j = i + 1
            while j < sorted.count, sorted[j].x0 <= a.x1 + Int(gapFactor * Double(max(a.height, tallest))) {
                let b = sorted[j]
                j += 1
                let (small, large) = (Double(min(a.height, b.height)), Double(max(a.height, b.height)))
                let overlap = Double(min(a.y1, b.y1) - max(a.y0, b.y0))
                let gap = Double(b.x0 - a.x1)
                guard large <= pass.heightRatio * small, overlap >= 0.5 * small, gap <= gapFactor * large else {
                    continue
                }
                parent[root(j - 1)] = root(i)
            }
        }
        var groups: [Int: (box: TextBox, count: Int, members: [Glyph])] = [:]
        for i in sorted.indices {
            let r = root(i)
            if let group = groups[r] {
                groups[r] = (group.box.union(sorted[i]), group.count + letters[i].letters, group.members + [letters[i]])
            } else {
                groups[r] = (sorted[i], letters[i].letters, [letters[i]])
            }
        }
        return groups.values.filter {
            let boxes = $0.members.map(\.box)
            // Mixed case (`Born 01-JAN-2006`) breaks the strict rule's cap line; six glyphs or
            // more on one baseline are text too.
            let aligned =
                isAligned(boxes, strictly: pass.strictAlignment)
                || (pass.strictAlignment && boxes.count >= 6 && isOnOneBaseline(boxes))
            return $0.count >= pass.minimumGlyphs && aligned && isOneInk($0.members)
        }.map(\.box)
    }
}
