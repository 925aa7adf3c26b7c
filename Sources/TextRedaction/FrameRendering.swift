import DICOMCore

/// A frame as a reader would see it, for the detector: luma, and for colour images how far each
/// pixel is from grey (coloured text drawn over a grey image shows there, not in luma) and its
/// hue (0–255 for the colour circle: text is drawn in one hue, colour Doppler in several).
public struct RenderedFrame: Sendable {
    public var luma: GrayPlane
    public var chroma: GrayPlane?
    public var hue: GrayPlane? = nil
}

/// The hue of a colour, 0–255 around the colour circle (red 0, green 85, blue 170).
@inline(__always) func hue(_ r: Int, _ g: Int, _ b: Int) -> UInt8 {
    let (high, low) = (max(r, g, b), min(r, g, b))
    guard high > low else { return 0 }
    let span = high - low
    let sixth: Int
    if high == r {
        sixth = g >= b ? 43 * (g - b) / span : 256 - 43 * (b - g) / span
    } else if high == g {
        sixth = 85 + 43 * (b - r) / span
    } else {
        sixth = 171 + 43 * (r - g) / span
    }
    return UInt8(truncatingIfNeeded: sixth)
}

/// Renders the frames of decoded Pixel Data for detection.
public struct FrameRendering: Sendable {
    /// Real value = stored × slope + intercept (Modality LUT).
    public var rescaleSlope = 1.0
    public var rescaleIntercept = 0.0
    /// PALETTE COLOR: red, green and blue tables (values scaled to 8 bits) and the first index.
    public var palette: (red: [UInt8], green: [UInt8], blue: [UInt8], firstIndex: Int)?
    /// Greyscale: render only the pixels of this real value, black on white (``Plateau``).
    public var plateau: Float?

    public init() {}

    /// The rendering of `pixels` their data set asks for: its Modality LUT (rescale) and, for
    /// PALETTE COLOR, its tables (read with `bulkValue` when they are bulk values).
    public init(
        for pixels: DecodedPixels, dataSet: DataSet, bulkValue: (BulkDataReference) throws -> [UInt8]
    ) throws(TextCleaningFailure) {
        guard pixels.rows > 0, pixels.columns > 0, pixels.frames > 0,
            pixels.bytes.count == pixels.frameByteCount * pixels.frames
        else {
            throw TextCleaningFailure(.unsupported, "Pixel Data does not match Rows, Columns and frames")
        }
        rescaleSlope = dataSet.double(.rescaleSlope) ?? 1
        rescaleIntercept = dataSet.double(.rescaleIntercept) ?? 0
        if pixels.photometricInterpretation.uppercased() == "PALETTE COLOR" {
            guard let palette = Palette(dataSet, bulkValue: bulkValue) else {
                throw TextCleaningFailure(.unsupported, "the palette colour lookup tables cannot be read")
            }
            self.palette = (palette.red, palette.green, palette.blue, palette.firstIndex)
        }
    }

    public func render(_ pixels: DecodedPixels, frame: Int) -> RenderedFrame {
        let photometric = pixels.photometricInterpretation.uppercased()
        if pixels.samplesPerPixel == 3 { return colour(pixels, frame: frame, isYBR: photometric.hasPrefix("YBR")) }
        if photometric == "PALETTE COLOR", let palette { return paletted(pixels, frame: frame, palette) }
        var luma = grey(pixels, frame: frame)
        if photometric == "MONOCHROME1" && plateau == nil { luma.pixels = luma.pixels.map { 255 - $0 } }
        return RenderedFrame(luma: luma, chroma: nil)
    }

    /// Greyscale: 8-bit data as it is; wider data windowed from the 0.5th to the 99.5th percentile
    /// of the frame, so that text drawn at any level shows at full contrast.
    private func grey(_ pixels: DecodedPixels, frame: Int) -> GrayPlane {
        let count = pixels.rows * pixels.columns
        let start = frame * count
        if pixels.bitsAllocated == 8 && !pixels.isSigned {
            return GrayPlane(
                width: pixels.columns, height: pixels.rows, pixels: Array(pixels.bytes[start..<start + count]))
        }
        let values = realValues(pixels, frame: frame)
        if let plateau {
            return GrayPlane(width: pixels.columns, height: pixels.rows, pixels: values.map { $0 == plateau ? 0 : 255 })
        }
        let (low, high) = Self.percentiles(values)
        let scale = high > low ? 255 / (high - low) : 0
        let plane = values.map { UInt8(max(0, min(255, (($0 - low) * scale).rounded()))) }
        return GrayPlane(width: pixels.columns, height: pixels.rows, pixels: plane)
    }

    /// The real values (Modality LUT applied) of one frame of greyscale pixels.
    func realValues(_ pixels: DecodedPixels, frame: Int) -> [Float] {
        let count = pixels.rows * pixels.columns
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { output in
            pixels.rescaled(
                start: frame * count, count: count, slope: Float(rescaleSlope), intercept: Float(rescaleIntercept),
                into: output)
        }
        return values
    }

    /// The 0.5th and 99.5th percentiles, from a 4096-bin histogram between minimum and maximum.
    static func percentiles(_ values: [Float]) -> (Float, Float) {
        guard let minimum = values.min(), let maximum = values.max(), maximum > minimum else {
            return (values.first ?? 0, values.first ?? 0)
        }
        let bins = 4096
        let width = (maximum - minimum) / Float(bins - 1)
        var histogram = [Int](repeating: 0, count: bins)
        for value in values { histogram[Int((value - minimum) / width)] += 1 }
        func at(_ fraction: Double) -> Float {
            let target = Int(Double(values.count) * fraction)
            var seen = 0
            for (bin, count) in histogram.enumerated() {
                seen += count
                if seen > target { return minimum + Float(bin) * width }
            }
            return maximum
        }
        let (low, high) = (at(0.005), at(0.995))
        return high > low ? (low, high) : (minimum, maximum)
    }

    private func colour(_ pixels: DecodedPixels, frame: Int, isYBR: Bool) -> RenderedFrame {
        let count = pixels.rows * pixels.columns
        var luma = [UInt8](repeating: 0, count: count)
        var chroma = [UInt8](repeating: 0, count: count)
        var hues = [UInt8](repeating: 0, count: count)
        let planar = pixels.planarConfiguration == 1
        let wide = pixels.bitsAllocated > 8
        for p in 0..<count {
            var s = (0, 0, 0)
            if !wide {
                let base = frame * count * 3
                s =
                    planar
                    ? (
                        Int(pixels.bytes[base + p]), Int(pixels.bytes[base + count + p]),
                        Int(pixels.bytes[base + 2 * count + p])
                    )
                    : (
                        Int(pixels.bytes[base + 3 * p]), Int(pixels.bytes[base + 3 * p + 1]),
                        Int(pixels.bytes[base + 3 * p + 2])
                    )
            } else {
                let row = p / pixels.columns
                let column = p % pixels.columns
                s = (
                    pixels.storedValue(frame: frame, row: row, column: column, sample: 0) >> (pixels.bitsStored - 8),
                    pixels.storedValue(frame: frame, row: row, column: column, sample: 1) >> (pixels.bitsStored - 8),
                    pixels.storedValue(frame: frame, row: row, column: column, sample: 2) >> (pixels.bitsStored - 8)
                )
            }
            if isYBR {
                luma[p] = UInt8(clamping: s.0)
                chroma[p] = UInt8(clamping: 2 * max(abs(s.1 - 128), abs(s.2 - 128)))
                // Y'CbCr to R'G'B' (PS3.3 C.7.6.3.1.2), for the hue only.
                let (cb, cr) = (s.1 - 128, s.2 - 128)
                hues[p] = hue(s.0 + (359 * cr) >> 8, s.0 - (88 * cb + 183 * cr) >> 8, s.0 + (454 * cb) >> 8)
            } else {
                luma[p] = UInt8(clamping: (77 * s.0 + 150 * s.1 + 29 * s.2) >> 8)
                chroma[p] = UInt8(clamping: max(s.0, s.1, s.2) - min(s.0, s.1, s.2))
                hues[p] = hue(s.0, s.1, s.2)
            }
        }
        return RenderedFrame(
            luma: GrayPlane(width: pixels.columns, height: pixels.rows, pixels: luma),
            chroma: GrayPlane(width: pixels.columns, height: pixels.rows, pixels: chroma),
            hue: GrayPlane(width: pixels.columns, height: pixels.rows, pixels: hues))
    }

    private func paletted(
        _ pixels: DecodedPixels, frame: Int, _ palette: (red: [UInt8], green: [UInt8], blue: [UInt8], firstIndex: Int)
    ) -> RenderedFrame {
        let count = pixels.rows * pixels.columns
        var luma = [UInt8](repeating: 0, count: count)
        var chroma = [UInt8](repeating: 0, count: count)
        var hues = [UInt8](repeating: 0, count: count)
        let last = palette.red.count - 1
        for p in 0..<count {
            let index = max(0, min(last, pixels.value(atSample: frame * count + p) - palette.firstIndex))
            let (r, g, b) = (Int(palette.red[index]), Int(palette.green[index]), Int(palette.blue[index]))
            luma[p] = UInt8(clamping: (77 * r + 150 * g + 29 * b) >> 8)
            chroma[p] = UInt8(clamping: max(r, g, b) - min(r, g, b))
            hues[p] = hue(r, g, b)
        }
        return RenderedFrame(
            luma: GrayPlane(width: pixels.columns, height: pixels.rows, pixels: luma),
            chroma: GrayPlane(width: pixels.columns, height: pixels.rows, pixels: chroma),
            hue: GrayPlane(width: pixels.columns, height: pixels.rows, pixels: hues))
    }
}
