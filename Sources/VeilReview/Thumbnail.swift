import CImageIO

/// A small greyscale picture for the page, with the boxes burned-in text cleaning masked on it
/// (outlined by the page, in the picture's own pixel coordinates).
struct Thumbnail: Sendable {
    /// The longest side of a frame's thumbnail: a strip of four stays small at 10,000 files.
    static let side = 160
    /// For pages of more than `ReviewPage.smallPicturesAbove` series.
    static let smallSide = 96

    var caption: String
    var width: Int
    var height: Int
    var png: [UInt8]
    var boxes: [(x0: Int, y0: Int, x1: Int, y1: Int)] = []

    /// `plane` (width × height, rows top to bottom) shrunk by averaging to at most `side` pixels;
    /// `boxes` in the plane's pixels.
    init?(
        caption: String, plane: [UInt8], width: Int, height: Int, boxes: [(x0: Int, y0: Int, x1: Int, y1: Int)] = [],
        side: Int = Thumbnail.side
    ) {
        guard width > 0, height > 0, plane.count == width * height else { return nil }
        let scale = min(1, Double(side) / Double(max(width, height)))
        let (w, h) = (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
        var small = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let (top, bottom) = (y * height / h, max(y * height / h + 1, (y + 1) * height / h))
            for x in 0..<w {
                let (left, right) = (x * width / w, max(x * width / w + 1, (x + 1) * width / w))
                var sum = 0
                for row in top..<bottom { for column in left..<right { sum += Int(plane[row * width + column]) } }
                small[y * w + x] = UInt8(sum / ((bottom - top) * (right - left)))
            }
        }
        guard let png = Self.encode(small, width: w, height: h) else { return nil }
        self.caption = caption
        self.width = w
        self.height = h
        self.png = png
        self.boxes = boxes.map { box in
            (
                Int((Double(box.x0) * Double(w) / Double(width)).rounded(.down)),
                Int((Double(box.y0) * Double(h) / Double(height)).rounded(.down)),
                Int((Double(box.x1) * Double(w) / Double(width)).rounded(.up)),
                Int((Double(box.y1) * Double(h) / Double(height)).rounded(.up))
            )
        }
    }

    /// An 8-bit greyscale PNG without ancillary chunks (the same pixels give the same bytes).
    static func encode(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8]? {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard vimg_png_gray8(pixels, UInt32(width), UInt32(height), &out, &length) == 0, let out else { return nil }
        defer { vimg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}

/// Grey levels for display: values between the 1st and the 99.5th percentile of a sample.
struct DisplayWindow {
    var low: Float
    var high: Float

    init(_ values: [Float]) {
        let stride = max(1, values.count / 65_536)
        var sample: [Float] = []
        sample.reserveCapacity(values.count / stride + 1)
        var index = 0
        while index < values.count {
            if values[index].isFinite { sample.append(values[index]) }
            index += stride
        }
        sample.sort()
        guard let first = sample.first, let last = sample.last else {
            (low, high) = (0, 1)
            return
        }
        low = sample[Int(Double(sample.count - 1) * 0.01)]
        high = sample[Int(Double(sample.count - 1) * 0.995)]
        if high <= low { (low, high) = (first, last > first ? last : first + 1) }
    }

    func grey(_ value: Float) -> UInt8 {
        guard value.isFinite else { return 0 }
        return UInt8(max(0, min(255, ((value - low) / (high - low) * 255).rounded())))
    }
}
