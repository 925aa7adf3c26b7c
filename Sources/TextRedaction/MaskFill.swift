import DICOMCore

/// The stored sample values that render as black for an image, and the masking with them.
enum MaskFill {
    /// One value per sample. MONOCHROME2: the least value in the data (for signed CT this is the
    /// air or padding value, where 0 would be water); MONOCHROME1: the largest; RGB: 0;
    /// YBR: Y 0 and Cb, Cr at their middle; PALETTE COLOR: the index of the darkest entry.
    static func black(for pixels: DecodedPixels, paletteLuma: [Int]?, firstIndex: Int) -> [Int] {
        let photometric = pixels.photometricInterpretation.uppercased()
        let bits = min(pixels.bitsStored, pixels.bitsAllocated)
        if pixels.samplesPerPixel == 3 {
            return photometric.hasPrefix("YBR") ? [0, 1 << (bits - 1), 1 << (bits - 1)] : [0, 0, 0]
        }
        if photometric == "PALETTE COLOR", let paletteLuma,
            let darkest = paletteLuma.indices.min(by: { paletteLuma[$0] < paletteLuma[$1] })
        {
            return [darkest + firstIndex]
        }
        var (low, high) = (Int.max, Int.min)
        let count = pixels.rows * pixels.columns * pixels.frames
        for index in 0..<count {
            let value = pixels.value(atSample: index)
            low = min(low, value)
            high = max(high, value)
        }
        return [photometric == "MONOCHROME1" ? high : low]
    }

    /// Sets every pixel of `boxes` to `fill`, on every frame.
    static func apply(_ boxes: [TextBox], fill: [Int], to pixels: inout DecodedPixels) {
        apply(boxes.map { ($0, nil, fill) }, to: &pixels)
    }

    /// Sets the pixels of each box that its mask holds (row by row; nil: all of them) to its
    /// `fill`, on every frame.
    static func apply(_ masked: [(box: TextBox, mask: [Bool]?, fill: [Int])], to pixels: inout DecodedPixels) {
        let (columns, rows, samples, width) = (
            pixels.columns, pixels.rows, pixels.samplesPerPixel, pixels.bytesPerSample
        )
        let planar = pixels.planarConfiguration == 1
        pixels.bytes.withUnsafeMutableBufferPointer { bytes in
            for frame in 0..<pixels.frames {
                let frameBase = frame * rows * columns * samples
                for (box, mask, fill) in masked {
                    let fillBytes = fill.map { value in
                        (0..<width).map {
                            UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: value) >> (8 * UInt32($0)))
                        }
                    }
                    for y in max(0, box.y0)..<min(rows, box.y1) {
                        for x in max(0, box.x0)..<min(columns, box.x1)
                        where mask?[(y - box.y0) * box.width + x - box.x0] ?? true {
                            let pixel = y * columns + x
                            for sample in 0..<samples {
                                let index =
                                    planar
                                    ? frameBase + sample * rows * columns + pixel : frameBase + pixel * samples + sample
                                for b in 0..<width {
                                    bytes[index * width + b] = fillBytes[sample][b]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
