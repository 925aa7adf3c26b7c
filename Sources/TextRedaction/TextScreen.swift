import DICOMCore

/// Text left in an image's pixels, frame by frame, for `veil verify`: the detector's lines that
/// OCR reads as text, and whether one shows a value of the image's own header. Nothing is masked.
/// Annotation stays put from frame to frame: a line OCR has judged is not read again where the
/// same box comes back.
public struct TextScreen: Sendable {
    public struct Finding: Sendable, Hashable {
        public var frame: Int
        public var box: TextBox
        /// OCR reads one of the header's names, IDs or dates in it.
        public var showsHeaderValue: Bool
    }

    public var detector = TextLineDetector()
    public var confirmation = LineConfirmation()

    public init() {}

    /// The text lines of every frame of `pixels`; `flagged` as for ``PixelTextCleaner``. Throws
    /// when OCR is not available or the pixels cannot be rendered.
    public func findings(
        _ pixels: DecodedPixels, dataSet: DataSet, flagged: Bool,
        bulkValue: (BulkDataReference) throws -> [UInt8]
    ) throws(TextCleaningFailure) -> [Finding] {
        let rendering = try FrameRendering(for: pixels, dataSet: dataSet, bulkValue: bulkValue)
        let phi = HeaderPHIStrings(dataSet)
        var findings: [Finding] = []
        let strict = confirmation.forParts
        var unavailable = false
        // The frame's rendering, then each value text may be drawn at that it does not set apart
        // (``Plateau``): lines found there that are not found already.
        var views: [(FrameRendering, [Int], [TextBox]?)] = [(rendering, Array(0..<pixels.frames), nil)]
        while !views.isEmpty {
            let (view, frames, known) = views.removeFirst()
            var judged: [[Int]: LineConfirmation.Verdict] = [:]
            for frame in frames {
                let rendered = view.render(pixels, frame: frame)
                let found = known?.filter { $0.frame == frame } ?? detector.lines(in: rendered, frameIndex: frame)
                let lines = found.filter { line in
                    !findings.contains { $0.frame == frame && $0.box.contains(line) }
                }
                let judgedLines = TextBox.accepted(lines) { line, isPart in
                    let key = [line.x0, line.y0, line.x1, line.y1, isPart ? 1 : 0]
                    if let known = judged[key] { return known != .notText }
                    guard
                        let read = (isPart ? strict : confirmation).verdict(
                            line, in: rendered, phi: phi, lenient: flagged)
                    else {
                        unavailable = true
                        return false
                    }
                    judged[key] = read
                    return read != .notText
                }
                if unavailable { throw TextCleaningFailure(.unsupported, "Tesseract OCR is not available") }
                for line in judgedLines.accepted {
                    let verdict =
                        judged[[line.x0, line.y0, line.x1, line.y1, 0]]
                        ?? judged[[line.x0, line.y0, line.x1, line.y1, 1]]
                    findings.append(Finding(frame: frame, box: line, showsHeaderValue: verdict == .headerValue))
                }
            }
            if view.plateau == nil {
                views = Plateau.views(
                    of: pixels, rendering: rendering, detector: detector, outside: findings.map(\.box)
                ).map { ($0.rendering, $0.frames, Optional($0.lines)) }
            }
        }
        return findings
    }
}
