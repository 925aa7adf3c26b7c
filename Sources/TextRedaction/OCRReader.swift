import COCR
import Foundation

/// Tesseract, when the machine has it (Debian `tesseract-ocr`, `tesseract-ocr-eng`): reads what
/// is left in a masked frame. The text it reads is compared and dropped, never stored.
public enum OCRReader {
    public static var isAvailable: Bool { vocr_available() != 0 }

    /// The lines Tesseract reads in `plane`, scaled up twice (small annotation fonts read far
    /// better); nil when OCR is not available.
    public static func lines(in plane: GrayPlane) -> [String]? {
        let (width, height) = (plane.width * 2, plane.height * 2)
        var scaled = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { scaled[y * width + x] = plane.pixels[(y / 2) * plane.width + x / 2] }
        }
        guard let text = scaled.withUnsafeBufferPointer({ vocr_read($0.baseAddress, Int32(width), Int32(height)) })
        else { return nil }
        defer { vocr_free(text) }
        return String(cString: text).split(whereSeparator: \.isNewline).map(String.init)
    }

    /// What Tesseract reads in `plane` holding a line or a few lines of text (block mode), and
    /// its mean word confidence (0–100); nil when OCR is not available.
    public static func line(in plane: GrayPlane) -> (text: String, confidence: Int)? {
        var confidence: Int32 = 0
        guard
            let text = plane.pixels.withUnsafeBufferPointer({
                vocr_read_line($0.baseAddress, Int32(plane.width), Int32(plane.height), &confidence)
            })
        else { return nil }
        defer { vocr_free(text) }
        return (String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines), Int(confidence))
    }
}
