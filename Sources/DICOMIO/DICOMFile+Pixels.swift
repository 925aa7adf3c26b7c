internal import CDCMTK
public import DICOMCore
import Foundation

extension DICOMFile {
    /// Decodes this file's Pixel Data (from a copy of the opened data set: the file is not parsed
    /// again, and this handle is not changed).
    /// Throws `.unsupportedTransferSyntax` for encodings Veil cannot decode.
    public func decodePixels() throws(DICOMIOError) -> DecodedPixels {
        var pixels = cdcm_pixels()
        defer { cdcm_buffer_free(&pixels.pixels) }
        try ShimCall.run { cdcm_file_decode_pixels(handle, &pixels, $0, $1) }
        let photometric = withUnsafeBytes(of: pixels.photometric_interpretation) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return DecodedPixels(
            rows: Int(pixels.rows), columns: Int(pixels.columns), frames: Int(pixels.frames),
            samplesPerPixel: Int(pixels.samples_per_pixel), bitsAllocated: Int(pixels.bits_allocated),
            bitsStored: Int(pixels.bits_stored), isSigned: pixels.pixel_representation == 1,
            planarConfiguration: Int(pixels.planar_configuration),
            photometricInterpretation: photometric.trimmingCharacters(in: .whitespaces),
            bytes: pixels.pixels.length == 0
                ? [] : Array(UnsafeBufferPointer(start: pixels.pixels.bytes, count: pixels.pixels.length)))
    }
}
