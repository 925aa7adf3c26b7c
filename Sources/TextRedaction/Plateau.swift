import DICOMCore

/// Text drawn at one value that the rendering does not set apart from its ground: black text on
/// a radiograph's collimated edge, itself black (both past the 99.5th percentile of a MONOCHROME1
/// frame, so both rendered black), or mid-grey text over anatomy of the same grey. Its stored
/// value still differs from the ground's, and a narrow window shows it. Such text is a plateau of
/// the frame's histogram: one value held by far more pixels than the values beside it (anatomy,
/// noise and gradients spread over many). Each plateau is looked at on its own, rendered black
/// on white (``FrameRendering/plateau``): dark text on a light ground to the detector, masked
/// glyph by glyph with the stored value of its ground where that ground is one value
/// (``GroundFill``), else whole: on a gradient or anatomy a filled glyph keeps its shape.
enum Plateau {
    /// Least pixels at the value: a short line of small glyphs.
    static let leastPixels = 50
    /// Largest share of the frame: padding, background and saturated areas are plateaus too,
    /// but larger than text.
    static let largestShare = 0.04
    /// How many times the median count of the values beside it.
    static let prominence = 4
    /// Values beside it: this many present values on either side, within the same part.
    static let neighbours = 8
    /// Plateaus kept in each part of the histogram (below the rendering window, in it, above
    /// it), the most populated first.
    static let perPart = 2

    /// The real values (Modality LUT applied, as ``FrameRendering`` computes them) of the
    /// plateaus of `frame`; none for colour and for 8-bit data (rendered as it is: every value
    /// shows apart from the others) and for data wider than 16 bits.
    static func values(of pixels: DecodedPixels, frame: Int, rendering: FrameRendering) -> [Float] {
        let bits = min(pixels.bitsStored, pixels.bitsAllocated)
        guard pixels.samplesPerPixel == 1, rendering.palette == nil, pixels.bitsAllocated == 16, bits <= 16
        else { return [] }
        let histogram = storedHistogram(pixels, frame: frame, bits: bits)
        let offset = pixels.isSigned ? 1 << (bits - 1) : 0
        let total = pixels.rows * pixels.columns
        // The window's ends as the rendering takes them: the 0.5th and 99.5th percentiles.
        var (low, high, seen) = (-1, -1, 0)
        for (bin, count) in histogram.enumerated() where count > 0 {
            seen += count
            if low < 0 && seen > total / 200 { low = bin }
            if high < 0 && seen > total - total / 200 { high = bin }
        }
        let present = histogram.indices.filter { histogram[$0] > 0 }
        let largest = Int(Double(total) * largestShare)
        let parts = [
            present.filter { $0 <= low }, present.filter { $0 > low && $0 < high }, present.filter { $0 >= high },
        ]
        return parts.flatMap { part in
            let found = part.indices.compactMap { index -> (bin: Int, count: Int)? in
                let count = histogram[part[index]]
                guard count >= leastPixels, count <= largest else { return nil }
                let beside = (max(0, index - neighbours)..<min(part.count, index + neighbours + 1))
                    .filter { $0 != index }.map { histogram[part[$0]] }.sorted()
                let median = beside.isEmpty ? 0 : beside[beside.count / 2]
                return count >= prominence * max(median, 1) ? (part[index], count) : nil
            }
            return found.sorted { $0.count > $1.count }.prefix(perPart).map {
                Float($0.bin - offset) * Float(rendering.rescaleSlope) + Float(rendering.rescaleIntercept)
            }
        }
    }

    /// One plateau's view: its rendering (``FrameRendering/plateau``), the frames the value is
    /// a plateau of, and the lines the detector found there on the input.
    struct View {
        var rendering: FrameRendering
        var frames: [Int]
        var lines: [TextBox]
    }

    /// A view of each plateau of the image's frames, when at least ``leastPixels`` of its pixels
    /// lie outside `found` (lines the frame's rendering showed: white text at the top of the
    /// range is a plateau too) and the detector's lines hold most of them: text is all the
    /// value holds, while a value spread along an image's edges (quantised intensities) is not text.
    static func views(
        of pixels: DecodedPixels, rendering: FrameRendering, detector: TextLineDetector, outside found: [TextBox]
    ) -> [View] {
        var frames: [Float: [Int]] = [:]
        for frame in 0..<pixels.frames {
            for value in values(of: pixels, frame: frame, rendering: rendering) {
                frames[value, default: []].append(frame)
            }
        }
        return frames.keys.sorted().compactMap { value in
            var view = View(rendering: rendering, frames: frames[value]!, lines: [])
            view.rendering.plateau = value
            let shown = view.frames.map { view.rendering.render(pixels, frame: $0) }
            var (held, total, new) = (0, 0, 0)
            for (frame, plane) in zip(view.frames, shown.map(\.luma)) {
                let isFound = covered(by: found.filter { $0.frame == frame }, width: plane.width, height: plane.height)
                new += plane.pixels.indices.lazy.filter { plane.pixels[$0] == 0 && !isFound[$0] }.count
            }
            guard new >= leastPixels, shown.allSatisfy({ !isRegion($0.luma) }) else { return nil }
            for (frame, frameShown) in zip(view.frames, shown) {
                let lines = detector.lines(in: frameShown, frameIndex: frame).filter {
                    isStrokes(frameShown.luma, within: $0)
                }
                let inLines = covered(by: lines, width: frameShown.luma.width, height: frameShown.luma.height)
                for (p, level) in frameShown.luma.pixels.enumerated() where level == 0 {
                    total += 1
                    if inLines[p] { held += 1 }
                }
                view.lines += lines
            }
            return held * 2 >= total ? view : nil
        }
    }

    /// Whether more than a fifth of the black pixels of `plane` (the value's) lie three pixels
    /// deep inside the value: a background, padding or a saturated area, not glyphs' strokes.
    static func isRegion(_ plane: GrayPlane) -> Bool {
        let ink = plane.pixels.map { $0 == 0 }
        return deep(ink, width: plane.width, height: plane.height) * 5 > ink.lazy.filter { $0 }.count
    }

    /// How many pixels of `ink` (row by row) have ink three pixels away in all four directions.
    private static func deep(_ ink: [Bool], width: Int, height: Int) -> Int {
        func at(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height && ink[y * width + x] }
        var deep = 0
        for y in 0..<height {
            for x in 0..<width where ink[y * width + x] && at(x - 3, y) && at(x + 3, y) && at(x, y - 3) && at(x, y + 3)
            {
                deep += 1
            }
        }
        return deep
    }

    /// Whether the black pixels of `plane` (the value's) within `box` (nil: all of it) are
    /// strokes, as glyphs are: half belong to 8-connected pieces of at least five pixels
    /// (values of noise and quantisation are scattered dots), and few lie three pixels deep
    /// inside the value (a background, padding or a saturated area is a region).
    static func isStrokes(_ plane: GrayPlane, within box: TextBox? = nil) -> Bool {
        let (x0, y0) = (max(0, box?.x0 ?? 0), max(0, box?.y0 ?? 0))
        let (x1, y1) = (min(plane.width, box?.x1 ?? plane.width), min(plane.height, box?.y1 ?? plane.height))
        let (width, height) = (x1 - x0, y1 - y0)
        guard width > 0, height > 0 else { return true }
        var ink = [Bool](repeating: false, count: width * height)
        for y in 0..<height { for x in 0..<width { ink[y * width + x] = plane[x0 + x, y0 + y] == 0 } }
        let count = ink.lazy.filter { $0 }.count
        guard count > 0 else { return true }
        let inPieces = GroundFill.components(of: ink, width: width, height: height).reduce(0) { sum, piece in
            let size = piece.mask.lazy.filter { $0 }.count
            return size >= 5 ? sum + size : sum
        }
        return inPieces * 2 >= count && deep(ink, width: width, height: height) * 5 <= count
    }

    /// Which pixels of a `width` × `height` frame `boxes` cover.
    private static func covered(by boxes: [TextBox], width: Int, height: Int) -> [Bool] {
        var covered = [Bool](repeating: false, count: width * height)
        for box in boxes {
            for y in max(0, box.y0)..<min(height, box.y1) {
                for x in max(0, box.x0)..<min(width, box.x1) { covered[y * width + x] = true }
            }
        }
        return covered
    }

    /// Whether `frames` of `pixels` still hold the view's value in at least ``leastPixels``
    /// pixels (after masking, text filled with its ground holds it no more).
    static func isLeft(in pixels: DecodedPixels, view: View) -> Bool {
        var left = 0
        for frame in view.frames {
            left += view.rendering.render(pixels, frame: frame).luma.pixels.lazy.filter { $0 == 0 }.count
        }
        return left >= leastPixels
    }

    /// How many pixels of `frame` hold each stored value (signed values shifted up by half the range).
    private static func storedHistogram(_ pixels: DecodedPixels, frame: Int, bits: Int) -> [Int] {
        var histogram = [Int](repeating: 0, count: 1 << bits)
        let count = pixels.rows * pixels.columns
        let start = frame * count
        let offset = pixels.isSigned ? 1 << (bits - 1) : 0
        pixels.bytes.withUnsafeBytes { raw in
            switch (pixels.isSigned, bits) {
            case (false, 16):
                let values = raw.bindMemory(to: UInt16.self)
                for p in start..<start + count { histogram[Int(UInt16(littleEndian: values[p]))] += 1 }
            case (true, 16):
                let values = raw.bindMemory(to: Int16.self)
                for p in start..<start + count { histogram[Int(Int16(littleEndian: values[p])) + offset] += 1 }
            default:
                for p in start..<start + count { histogram[pixels.value(atSample: p) + offset] += 1 }
            }
        }
        return histogram
    }
}
