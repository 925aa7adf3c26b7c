import DICOMCore
import Volumes

/// The new Pixel Data of each file of a defaced volume: stored values, native little-endian
/// (written as Explicit VR Little Endian: lossless whatever the input's encoding).
public enum DefacedPixelData {
    /// For each source (an index into the series' files) whose frames the volume uses: its
    /// decoded pixels with the removed voxels set to the background, and how many changed.
    /// `pixels` holds the decoded Pixel Data of those sources, the same the volume was built from.
    public static func make(
        volume: Volume, result: DefaceResult, pixels decoded: [Int: DecodedPixels]
    )
        throws(VolumeError) -> [Int: (pixels: DecodedPixels, changed: Int)]
    {
        var bySource: [Int: [(k: Int, header: SliceHeader)]] = [:]
        for (k, slice) in volume.layout.slices.enumerated() {
            if let slice { bySource[slice.source, default: []].append((k, slice)) }
        }
        let sliceSize = volume.size.i * volume.size.j
        var output: [Int: (pixels: DecodedPixels, changed: Int)] = [:]
        for (source, slices) in bySource {
            guard var pixels = decoded[source] else {
                throw VolumeError(file: nil, reason: "the pixels were not decoded")
            }
            var changed = 0
            for (k, header) in slices {
                let stored = backgroundStoredValue(result.background, header: header, pixels: pixels)
                for p in 0..<sliceSize where result.removed[k * sliceSize + p] {
                    set(&pixels, sample: header.frame * sliceSize + p, to: stored)
                    changed += 1
                }
            }
            output[source] = (pixels, changed)
        }
        return output
    }

    /// The stored value closest to `background` after rescale, within what Bits Stored allows.
    static func backgroundStoredValue(_ background: Float, header: SliceHeader, pixels: DecodedPixels) -> Int {
        let bits = min(pixels.bitsStored, pixels.bitsAllocated)
        let range = pixels.isSigned ? -(1 << (bits - 1))...((1 << (bits - 1)) - 1) : 0...((1 << bits) - 1)
        let value = ((Double(background) - header.rescaleIntercept) / header.rescaleSlope).rounded()
        return Int(min(max(value, Double(range.lowerBound)), Double(range.upperBound)))
    }

    static func set(_ pixels: inout DecodedPixels, sample index: Int, to value: Int) {
        let width = pixels.bytesPerSample
        let raw = UInt32(truncatingIfNeeded: value)
        for b in 0..<width { pixels.bytes[index * width + b] = UInt8(truncatingIfNeeded: raw >> (8 * UInt32(b))) }
    }
}
