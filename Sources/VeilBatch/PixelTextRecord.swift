import TextRedaction

/// What burned-in text cleaning did to one image, for the manifest: where, never what.
public struct PixelTextRecord: Codable, Sendable, Equatable {
    /// Why the image was scanned (`TextTriage.reason`).
    public var triage: String
    /// Frames scanned and masked: all of the image's.
    public var frames: Int
    /// Rectangles masked on every frame, and the rule behind each.
    public var boxes: [TextBox]
    /// Lines the second look (on the masked output) still found, and masked.
    public var secondLookLines: Int
    /// Tesseract read the output and found none of the header's names, IDs and dates (false:
    /// Tesseract is not installed, or the header has none).
    public var ocrChecked: Bool
}
