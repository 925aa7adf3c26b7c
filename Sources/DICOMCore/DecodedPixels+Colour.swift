/// Colour spaces of decoded samples. An image written back uncompressed must use a Photometric
/// Interpretation native Pixel Data allows in its IOD: YBR_FULL (RLE ultrasound keeps it when
/// decoded) is not one of them for the US and Secondary Capture IODs, so it is converted to RGB.
extension DecodedPixels {
    /// These pixels with 8-bit YBR_FULL samples converted to RGB (PS3.3 C.7.6.3.1.2, the inverse of
    /// its equations, rounded and clamped); the same pixels otherwise.
    public func convertedToRGB() -> DecodedPixels {
        guard photometricInterpretation == "YBR_FULL", samplesPerPixel == 3, bitsAllocated == 8 else { return self }
        var converted = self
        converted.photometricInterpretation = "RGB"
        let pixelsPerFrame = rows * columns
        // Where sample s of pixel p of a frame is, from the frame's start.
        let offset: (Int, Int) -> Int =
            planarConfiguration == 1 ? { p, s in s * pixelsPerFrame + p } : { p, s in p * 3 + s }
        bytes.withUnsafeBufferPointer { input in
            converted.bytes.withUnsafeMutableBufferPointer { output in
                for frame in 0..<frames {
                    let start = frame * pixelsPerFrame * 3
                    for p in 0..<pixelsPerFrame {
                        let y = Double(input[start + offset(p, 0)])
                        let cb = Double(input[start + offset(p, 1)]) - 128
                        let cr = Double(input[start + offset(p, 2)]) - 128
                        output[start + offset(p, 0)] = Self.clamp(y + 1.402 * cr)
                        output[start + offset(p, 1)] = Self.clamp(y - 0.344136 * cb - 0.714136 * cr)
                        output[start + offset(p, 2)] = Self.clamp(y + 1.772 * cb)
                    }
                }
            }
        }
        return converted
    }

    private static func clamp(_ value: Double) -> UInt8 { UInt8(max(0, min(255, value.rounded()))) }
}
