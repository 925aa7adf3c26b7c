/// Grey-level erosion and dilation with a square window, done as two 1-D passes. Top-hats built
/// from them pick out strokes thinner than the window: the glyphs of text.
enum Morphology {
    /// Bright details narrower than `2 * radius + 1` pixels: image minus its opening.
    static func whiteTopHat(_ plane: GrayPlane, radius: Int) -> [UInt8] {
        let opened = filter(filter(plane.pixels, plane, radius, minimum: true), plane, radius, minimum: false)
        return difference(plane.pixels, opened)
    }

    /// Dark details narrower than the window: closing minus image.
    static func blackTopHat(_ plane: GrayPlane, radius: Int) -> [UInt8] {
        let closed = filter(filter(plane.pixels, plane, radius, minimum: false), plane, radius, minimum: true)
        return difference(closed, plane.pixels)
    }

    /// `a - b` per pixel, where `a >= b` everywhere.
    private static func difference(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: a.count) { output, count in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for p in 0..<a.count { output[p] = a[p] &- b[p] }
                }
            }
            count = a.count
        }
    }

    /// The minimum (or maximum) over a square window, clipped at the edges. Written as whole-row
    /// minima of shifted rows, with pointer arithmetic, so that the compiler vectorizes it.
    private static func filter(_ input: [UInt8], _ plane: GrayPlane, _ radius: Int, minimum: Bool) -> [UInt8] {
        let (width, height) = (plane.width, plane.height)
        // Stored inverted for the maximum, so that one loop (a minimum) serves both.
        let flip: UInt8 = minimum ? 0 : 255
        var rowPass = input.map { $0 ^ flip }
        var output = [UInt8](repeating: 0, count: input.count)
        input.withUnsafeBufferPointer { source in
            rowPass.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let s = source.baseAddress! + y * width
                    let t = target.baseAddress! + y * width
                    for dx in 1...max(1, radius) where dx < width && radius > 0 {
                        for x in 0..<(width - dx) { t[x] = min(t[x], s[x &+ dx] ^ flip) }
                        for x in dx..<width { t[x] = min(t[x], s[x &- dx] ^ flip) }
                    }
                }
            }
        }
        rowPass.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let low = max(0, y - radius)
                    let high = min(height - 1, y + radius)
                    let t = target.baseAddress! + y * width
                    let first = source.baseAddress! + low * width
                    for x in 0..<width { t[x] = first[x] }
                    for dy in low...high {
                        let s = source.baseAddress! + dy * width
                        for x in 0..<width { t[x] = min(t[x], s[x]) }
                    }
                    for x in 0..<width { t[x] ^= flip }
                }
            }
        }
        return output
    }
}
