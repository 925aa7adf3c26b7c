import DICOMCore

/// Why an image's burned-in text could not be removed. Never holds pixel content or text.
public struct TextCleaningFailure: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// The pixels cannot be decoded, or their layout is one Veil cannot mask.
        case unsupported = "pixel-data-not-cleanable"
        /// The second look still found text after masking.
        case textRemains = "burned-in-text-remains"
        /// Tesseract still reads a name, ID or date of the header in the masked image.
        case phiReadable = "burned-in-phi-readable"
    }

    public var reason: Reason
    public var detail: String
    public var description: String { detail }

    public init(_ reason: Reason, _ detail: String) {
        (self.reason, self.detail) = (reason, detail)
    }
}

/// The masked pixels of one image and what was done to them.
public struct CleanedPixels: Sendable {
    public var pixels: DecodedPixels
    /// Every box masked, on every frame.
    public var boxes: [TextBox]
    /// Frames scanned (all of them) and scanned again after masking.
    public var frames: Int
    /// Text lines the second look found and masked (0 when the first look found everything).
    public var secondLookLines: Int
    /// Tesseract read the masked image and found none of the header's names, IDs and dates.
    public var ocrChecked: Bool
}

/// Finds text drawn into every frame of an image and masks the lines OCR reads as text with the
/// value that renders as black; outside the ultrasound regions everything is masked. Then looks
/// again at the output: text still found is masked too, and text found a third time fails the
/// image. Last, when Tesseract is installed, it reads the output: a name, ID or date of the
/// header still readable fails the image.
public struct PixelTextCleaner: Sendable {
    public var detector = TextLineDetector()
    /// Decides per line whether it reads as text; nil: every line the detector finds is masked.
    public var confirmation: LineConfirmation? = LineConfirmation()
    /// Read the masked image with Tesseract when it is installed (the last look).
    public var usesOCR = true

    public init() {}

    /// `flagged`: the header says the image may carry text (``TextTriage``): its lines are
    /// confirmed leniently, and the output is read by OCR even when nothing was found.
    /// `readByOCR`: the output is read by OCR even when nothing was found (`all`). An image
    /// neither flagged nor read is screened, and left unchanged when no text is found.
    /// `bulkValue` reads bulk values of the data set (palette tables) from the image's file.
    /// Lines of light text are masked by their words first (``WordMask``); when text is still
    /// found or read after that, the image is cleaned again with every line's whole box.
    public func clean(
        _ pixels: DecodedPixels, dataSet: DataSet, flagged: Bool = true, readByOCR: Bool = false,
        bulkValue: (BulkDataReference) throws -> [UInt8]
    ) throws(TextCleaningFailure) -> CleanedPixels {
        do {
            return try clean(
                pixels, dataSet: dataSet, flagged: flagged, readByOCR: readByOCR, byWords: true, bulkValue: bulkValue)
        } catch  where error.reason != .unsupported {
            return try clean(
                pixels, dataSet: dataSet, flagged: flagged, readByOCR: readByOCR, byWords: false, bulkValue: bulkValue)
        }
    }

    private func clean(
        _ pixels: DecodedPixels, dataSet: DataSet, flagged: Bool, readByOCR: Bool, byWords: Bool,
        bulkValue: (BulkDataReference) throws -> [UInt8]
    ) throws(TextCleaningFailure) -> CleanedPixels {
        let rendering = try FrameRendering(for: pixels, dataSet: dataSet, bulkValue: bulkValue)
        let fill = MaskFill.black(
            for: pixels,
            paletteLuma: rendering.palette.map { p in
                p.red.indices.map { Int(p.red[$0]) + Int(p.green[$0]) + Int(p.blue[$0]) }
            },
            firstIndex: rendering.palette?.firstIndex ?? 0)

        let phi = HeaderPHIStrings(dataSet)
        var output = pixels
        let regions = UltrasoundRegions.regions(in: dataSet, columns: pixels.columns, rows: pixels.rows)
        var boxes = UltrasoundRegions.outside(regions, columns: pixels.columns, rows: pixels.rows)
        MaskFill.apply(boxes, fill: fill, to: &output)
        // First look: every line on every frame, in the frame's rendering, then in the view of
        // each value text may be drawn at that the rendering does not set apart from its ground
        // (``Plateau``). A plateau's lines are those found on the input (a line the rendering
        // showed in part is masked in part, and its rest may be too little for a line) and, once
        // something is masked, on the output; lines a mask holds are skipped (what the rendering
        // showed is masked, anti-aliased edges and all), and values whose pixels the masks hold
        // are not looked at. OCR keeps those that read as text.
        var rejected: [TextBox] = []
        // Masks the lines of `frames` of `seen` in `view` (or `known` there) that no box of
        // `skip` holds and OCR reads as text.
        func look(_ seen: DecodedPixels, in view: FrameRendering, frames: [Int], known: [TextBox]?, skip: [TextBox]) {
            let masks = skip.map { $0.padded(x: 2, y: 2, columns: output.columns, rows: output.rows) }
            let found = lines(
                in: seen, view: view, frames: frames, found: known, phi: phi, lenient: flagged, imageData: regions,
                rejected: &rejected
            ) { line in !masks.contains { $0.frame == line.frame && $0.contains(line) } }
            mask(found, byWords: byWords, fill: fill, rendering: view, in: &output)
            boxes += found
        }
        look(output, in: rendering, frames: Array(0..<output.frames), known: nil, skip: boxes)
        let plateaus = Plateau.views(of: pixels, rendering: rendering, detector: detector, outside: boxes)
        for plateau in plateaus {
            let refused = rejected.count
            // Until something is masked the output is the input.
            if !boxes.isEmpty {
                look(output, in: plateau.rendering, frames: plateau.frames, known: nil, skip: boxes)
            }
            // Lines the output's view refused are not judged again.
            look(
                pixels, in: plateau.rendering, frames: plateau.frames, known: plateau.lines,
                skip: boxes + rejected[refused...])
        }
        // Nothing to mask on an image no header attribute flagged: left as it is, not read again.
        if boxes.isEmpty && !flagged && !readByOCR {
            return CleanedPixels(
                pixels: pixels, boxes: [], frames: pixels.frames, secondLookLines: 0, ocrChecked: false)
        }
        // Pieces of glyphs cut by the edge of an ultrasound region's mask (a line across the
        // border). A line's own box is padded already: pieces beside it would be anatomy.
        var pieces: [TextBox] = []
        let regionMasks = boxes.filter { $0.rule == .outsideUltrasoundRegions }
        for frame in 0..<output.frames where !regionMasks.isEmpty {
            pieces += detector.fragments(
                rendering.render(output, frame: frame), touching: regionMasks, frameIndex: frame)
        }
        MaskFill.apply(pieces, fill: fill, to: &output)
        boxes += pieces
        // Second look at the output: lines away from the masks (the edges of a mask are not
        // text) and from the lines OCR did not read as text are masked too; a third look that
        // still finds one fails the image.
        var secondLook = 0
        for look in 0..<2 {
            var masked = 0
            // Views of plateaus whose value is gone (its text filled with its ground) show nothing.
            let views =
                [(rendering, Array(0..<output.frames))]
                + plateaus.filter { Plateau.isLeft(in: output, view: $0) }.map { ($0.rendering, $0.frames) }
            for (view, frames) in views {
                let margin = detector.radius + 2
                let masks = (boxes + rejected).map {
                    $0.padded(x: margin, y: margin, columns: output.columns, rows: output.rows)
                }
                let remaining = lines(
                    in: output, view: view, frames: frames, phi: phi, lenient: flagged, imageData: regions,
                    rejected: &rejected
                ) { line in !masks.contains { $0.intersects(line) } }
                if remaining.isEmpty { continue }
                if look == 1 {
                    throw TextCleaningFailure(.textRemains, "text lines are still found after masking twice")
                }
                masked += remaining.count
                mask(remaining, byWords: byWords, fill: fill, rendering: view, in: &output)
                boxes += remaining
            }
            if masked == 0 { break }
            secondLook += masked
        }
        let ocrChecked = try ocrLook(output, rendering: rendering, phi: phi)
        return CleanedPixels(
            pixels: output, boxes: boxes, frames: output.frames, secondLookLines: secondLook, ocrChecked: ocrChecked)
    }

    /// Masks `lines` on every frame: `byWords`, the words of each (``WordMask``, seen on the frame
    /// it was found on: light words black, dark words with their ground; a line whose words cannot
    /// be told from its ground, its box trimmed to its strokes), else their whole boxes.
    private func mask(
        _ lines: [TextBox], byWords: Bool, fill: [Int], rendering: FrameRendering, in output: inout DecodedPixels
    ) {
        guard byWords else { return MaskFill.apply(lines, fill: fill, to: &output) }
        var frames: [Int: GrayPlane] = [:]
        let masked = lines.flatMap { line -> [GroundFill.Piece] in
            let plane = frames[line.frame] ?? rendering.render(output, frame: line.frame).luma
            frames[line.frame] = plane
            guard let words = WordMask.words(of: line, in: plane) else {
                // A plateau's view: what is left of its value there (the rest of a line masked
                // in part), not the whole box.
                guard rendering.plateau != nil else { return [(WordMask.inked(line, in: plane), nil, fill)] }
                return Self.remains(of: line, in: plane).map { [(line, $0, fill)] } ?? []
            }
            guard !words.inkIsLight else { return [(line, words.mask, fill)] }
            return GroundFill.pieces(of: words, line: line, in: output, palette: rendering.palette != nil, black: fill)
                ?? [(line, nil, fill)]
        }
        MaskFill.apply(masked, to: &output)
    }

    /// The black pixels of `box` in a plateau's view, grown by two; nil when there are none.
    private static func remains(of box: TextBox, in plane: GrayPlane) -> [Bool]? {
        var ink = [Bool](repeating: false, count: box.area)
        for y in box.y0..<box.y1 {
            for x in box.x0..<box.x1 { ink[(y - box.y0) * box.width + x - box.x0] = plane[x, y] == 0 }
        }
        guard ink.contains(true) else { return nil }
        return WordMask.dilated(ink, width: box.width, height: box.height, radius: 2)
    }

    /// The lines of `frames` of `seen` in `view` (or those `known` there) that `keep` lets
    /// through, kept where OCR reads them as text (the others are added to `rejected`), grown
    /// into their words.
    private func lines(
        in seen: DecodedPixels, view: FrameRendering, frames: [Int], found known: [TextBox]? = nil,
        phi: HeaderPHIStrings, lenient: Bool, imageData: [TextBox], rejected: inout [TextBox],
        keep: (TextBox) -> Bool
    ) -> [TextBox] {
        var found = known?.filter(keep) ?? []
        for frame in frames where known == nil {
            let shown = view.render(seen, frame: frame)
            // In a plateau's view, lines of scattered pixels (noise at the value) are no text.
            found += detector.lines(in: shown, frameIndex: frame).filter {
                keep($0) && (view.plateau == nil || Plateau.isStrokes(shown.luma, within: $0))
            }
        }
        let kept = widened(
            confirmed(
                found, in: seen, rendering: view, phi: phi, lenient: lenient, imageData: imageData, rejected: &rejected),
            in: seen, rendering: view)
        // A plateau's view holds nothing but its text: a margin around small glyphs leaves their
        // words apart from the box and a ground around each.
        guard view.plateau != nil else { return kept }
        return kept.map { $0.padded(x: 4, y: 4, columns: seen.columns, rows: seen.rows) }
    }

    /// Each of `lines` grown into the words of its ink beside it (``TextLineDetector/widened(_:in:)``).
    private func widened(_ lines: [TextBox], in pixels: DecodedPixels, rendering: FrameRendering) -> [TextBox] {
        var frames: [Int: RenderedFrame] = [:]
        return lines.map { line in
            let frame = frames[line.frame] ?? rendering.render(pixels, frame: line.frame)
            frames[line.frame] = frame
            return detector.widened(line, in: frame)
        }
    }

    /// `lines` merged where they overlap, kept where OCR reads them as text (all of them when OCR
    /// is off or missing; see ``TextBox/accepted(_:by:)``); the others are added to `rejected`.
    /// `lenient` on images the header flags, except inside `imageData` (an ultrasound's regions:
    /// read leniently, the speckle of a heart reads as a few letters) and for lines of several
    /// hues (colour Doppler, which reads as `Ce ae`).
    private func confirmed(
        _ lines: [TextBox], in pixels: DecodedPixels, rendering: FrameRendering, phi: HeaderPHIStrings,
        lenient: Bool, imageData: [TextBox] = [], rejected: inout [TextBox]
    ) -> [TextBox] {
        guard let confirmation, !lines.isEmpty else { return TextBox.merged(lines) }
        var frames: [Int: RenderedFrame] = [:]
        let strict = confirmation.forParts
        func frame(of line: TextBox) -> RenderedFrame {
            let frame = frames[line.frame] ?? rendering.render(pixels, frame: line.frame)
            frames[line.frame] = frame
            return frame
        }
        let judged = TextBox.accepted(
            lines,
            by: { line, isPart in
                let frame = frame(of: line)
                let inImageData = imageData.contains { $0.contains(line) }
                let doppler = LineConfirmation.isMixedColour(line, in: frame)
                return (isPart ? strict : confirmation).isText(
                    line, in: frame, phi: phi, lenient: lenient && !inImageData && !doppler) != false
            },
            joinsItsRow: { !LineConfirmation.isMixedColour($0, in: frame(of: $0)) })
        rejected += judged.refused
        return judged.accepted
    }

    /// Tesseract on the first frame and, for multi-frame images, on the brightest value of each
    /// pixel over all frames (annotation stays put while anatomy moves). False when OCR is off
    /// or unavailable, or the header names nothing to look for.
    private func ocrLook(
        _ output: DecodedPixels, rendering: FrameRendering, phi: HeaderPHIStrings
    ) throws(TextCleaningFailure) -> Bool {
        guard usesOCR, !phi.strings.isEmpty, OCRReader.isAvailable else { return false }
        var planes = [rendering.render(output, frame: 0).luma]
        if output.frames > 1 {
            var brightest = planes[0]
            for frame in 1..<output.frames {
                let luma = rendering.render(output, frame: frame).luma.pixels
                for p in brightest.pixels.indices { brightest.pixels[p] = max(brightest.pixels[p], luma[p]) }
            }
            planes.append(brightest)
        }
        for plane in planes {
            guard let lines = OCRReader.lines(in: plane) else { return false }
            if lines.contains(where: phi.found) {
                throw TextCleaningFailure(
                    .phiReadable, "a name, ID or date of the header is still readable after masking")
            }
        }
        return true
    }
}
