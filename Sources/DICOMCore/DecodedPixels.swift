/// Pixel Data decoded to stored values: every frame, no rescale, samples as the encoding left them.
public struct DecodedPixels: Sendable {
    public var rows: Int
    public var columns: Int
    public var frames: Int
    public var samplesPerPixel: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    /// Pixel Representation 1: two's complement.
    public var isSigned: Bool
    /// 1: one plane per sample (R...R G...G B...B) in each frame; 0: interleaved.
    public var planarConfiguration: Int
    /// After decoding (JPEG and JPEG 2000 colour comes out as RGB).
    public var photometricInterpretation: String
    /// frames × rows × columns × samples, each `bitsAllocated / 8` bytes, little-endian.
    public var bytes: [UInt8]

    public init(
        rows: Int, columns: Int, frames: Int, samplesPerPixel: Int, bitsAllocated: Int, bitsStored: Int, isSigned: Bool,
        planarConfiguration: Int, photometricInterpretation: String, bytes: [UInt8]
    ) {
        (self.rows, self.columns, self.frames, self.samplesPerPixel) = (rows, columns, frames, samplesPerPixel)
        (self.bitsAllocated, self.bitsStored, self.isSigned) = (bitsAllocated, bitsStored, isSigned)
        (self.planarConfiguration, self.photometricInterpretation, self.bytes) = (
            planarConfiguration, photometricInterpretation, bytes
        )
    }

    public var bytesPerSample: Int { bitsAllocated / 8 }
    public var frameByteCount: Int { rows * columns * samplesPerPixel * bytesPerSample }

    /// Sample `sample` of pixel (`column`, `row`) of `frame` as stored (sign-extended when signed,
    /// masked to Bits Stored).
    public func storedValue(frame: Int, row: Int, column: Int, sample: Int = 0) -> Int {
        let pixel = row * columns + column
        let index =
            planarConfiguration == 1
            ? frame * rows * columns * samplesPerPixel + sample * rows * columns + pixel
            : (frame * rows * columns + pixel) * samplesPerPixel + sample
        return value(atSample: index)
    }

    /// Samples `start..<start+count` as real values: stored value × slope + intercept.
    public func rescaled(
        start: Int, count: Int, slope: Float, intercept: Float, into output: UnsafeMutableBufferPointer<Float>
    ) {
        let bits = min(bitsStored, bitsAllocated)
        bytes.withUnsafeBytes { raw in
            switch (bitsAllocated, isSigned, bits) {
            case (8, false, 8):
                for p in 0..<count { output[p] = Float(raw[start + p]) * slope + intercept }
            case (16, false, 16):
                let values = raw.bindMemory(to: UInt16.self)
                for p in 0..<count { output[p] = Float(UInt16(littleEndian: values[start + p])) * slope + intercept }
            case (16, true, 16):
                let values = raw.bindMemory(to: Int16.self)
                for p in 0..<count { output[p] = Float(Int16(littleEndian: values[start + p])) * slope + intercept }
            default:
                for p in 0..<count { output[p] = Float(value(atSample: start + p)) * slope + intercept }
            }
        }
    }

    /// The stored value of sample number `index` in `bytes`.
    public func value(atSample index: Int) -> Int {
        let offset = index * bytesPerSample
        var raw: UInt32 = 0
        for b in 0..<bytesPerSample { raw |= UInt32(bytes[offset + b]) << (8 * b) }
        let bits = min(bitsStored, bitsAllocated)
        if bits < 32 { raw &= (UInt32(1) << bits) - 1 }
        if isSigned && bits < 32 && raw & (UInt32(1) << (bits - 1)) != 0 { return Int(raw) - (1 << bits) }
        return isSigned ? Int(Int32(bitPattern: raw)) : Int(raw)
    }
}
