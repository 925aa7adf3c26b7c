import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

/// Decoding gives the same stored values whatever the transfer syntax: each compressed file of the
/// public corpus is compared with its uncompressed twin.
@Suite struct DecodedPixelsTests {
    static let corpus = TestPaths.testData.appendingPathComponent("corpus")

    static func decode(_ relative: String) throws -> DecodedPixels {
        try DICOMFile(path: corpus.appendingPathComponent(relative).path).decodePixels()
    }

    /// Lossless encodings (RLE, JPEG lossless, JPEG-LS lossless, JPEG 2000 reversible, big endian,
    /// implicit VR) decode to exactly the uncompressed file's values.
    @Test(arguments: [
        ("pydicom/MR_small.dcm", "pydicom/MR_small_RLE.dcm"),
        ("pydicom/MR_small.dcm", "pydicom/MR_small_jpeg_ls_lossless.dcm"),
        ("pydicom/MR_small.dcm", "pydicom/MR_small_jp2klossless.dcm"),
        ("pydicom/MR_small.dcm", "pydicom/MR_small_bigendian.dcm"),
        ("pydicom/MR_small.dcm", "pydicom/MR_small_implicit.dcm"),
        ("pydicom-data/emri_small.dcm", "pydicom-data/emri_small_RLE.dcm"),
        ("pydicom-data/emri_small.dcm", "pydicom-data/emri_small_jpeg_ls_lossless.dcm"),
        ("pydicom-data/emri_small.dcm", "pydicom-data/emri_small_jpeg_2k_lossless.dcm"),
        ("pydicom-data/emri_small.dcm", "pydicom-data/emri_small_big_endian.dcm"),
        ("pydicom-data/MR2_UNCR.dcm", "pydicom-data/MR2_J2KR.dcm"),
        ("pydicom-data/RG1_UNCR.dcm", "pydicom-data/RG1_J2KR.dcm"),
        ("pydicom-data/US1_UNCR.dcm", "pydicom-data/US1_J2KR.dcm"),
        ("pydicom-data/SC_rgb.dcm", "pydicom/SC_rgb_rle.dcm"),
        ("pydicom-data/SC_rgb_16bit.dcm", "pydicom/SC_rgb_rle_16bit.dcm"),
        ("pydicom-data/SC_rgb_32bit_2frame.dcm", "pydicom/SC_rgb_rle_32bit_2frame.dcm"),
    ])
    func losslessMatchesUncompressed(reference: String, encoded: String) throws {
        let expected = try Self.decode(reference)
        let decoded = try Self.decode(encoded)
        #expect(decoded.rows == expected.rows && decoded.columns == expected.columns)
        #expect(decoded.frames == expected.frames && decoded.samplesPerPixel == expected.samplesPerPixel)
        #expect(decoded.bytes.count == decoded.frames * decoded.frameByteCount)
        #expect(Self.samples(decoded) == Self.samples(expected))
    }

    /// Lossy JPEG and JPEG 2000 decode close to the original, not to noise.
    @Test(arguments: [
        ("pydicom-data/MR2_UNCI.dcm", "pydicom-data/MR2_J2KI.dcm"),
        ("pydicom-data/US1_UNCI.dcm", "pydicom-data/US1_J2KI.dcm"),
        ("pydicom-data/SC_rgb.dcm", "pydicom/SC_rgb_jpeg_dcmtk.dcm"),
    ])
    func lossyIsClose(reference: String, encoded: String) throws {
        let expected = Self.samples(try Self.decode(reference))
        let decoded = Self.samples(try Self.decode(encoded))
        try #require(expected.count == decoded.count)
        let range = Double((expected.max() ?? 0) - (expected.min() ?? 0))
        let meanError = zip(expected, decoded).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(expected.count)
        #expect(meanError < 0.03 * range)
    }

    /// Every file of the public corpus either decodes to a buffer of the declared size or is
    /// refused with an error; none crashes and none returns made-up pixels.
    @Test func everyCorpusFileDecodesOrIsRefused() throws {
        var decoded = 0
        var refused: [String] = []
        let folders = ["pydicom", "pydicom-data", "deid-data"].map { Self.corpus.appendingPathComponent($0) }
        for url in try folders.flatMap({ try TestPaths.dicomFiles(in: $0) }) {
            guard let file = try? DICOMFile(path: url.path) else { continue }
            do {
                let pixels = try file.decodePixels()
                #expect(pixels.bytes.count == pixels.frames * pixels.frameByteCount, "\(url.lastPathComponent)")
                decoded += 1
            } catch {
                refused.append("\(url.lastPathComponent): \(error)")
            }
        }
        #expect(decoded > 100)
        #expect(refused.count < 25, "\(refused.joined(separator: "\n"))")
    }

    /// Samples in interleaved order, whatever the planar configuration.
    static func samples(_ pixels: DecodedPixels) -> [Int] {
        var values: [Int] = []
        values.reserveCapacity(pixels.frames * pixels.rows * pixels.columns * pixels.samplesPerPixel)
        for frame in 0..<pixels.frames {
            for row in 0..<pixels.rows {
                for column in 0..<pixels.columns {
                    for sample in 0..<pixels.samplesPerPixel {
                        values.append(pixels.storedValue(frame: frame, row: row, column: column, sample: sample))
                    }
                }
            }
        }
        return values
    }
}
