import DICOMCore

/// Text drawn into overlay planes (60xx,3000) kept by the Clean Graphics option: each 1-bit
/// overlay frame is read as a picture, its text lines found like the image's, and their bits
/// cleared. Outlines and markers (not lines of glyphs) stay.
public enum OverlayTextCleaner {
    public struct CleanedOverlay: Sendable {
        public var group: UInt16
        public var overlayData: [UInt8]
        public var boxes: [TextBox]
    }

    /// The overlays of `dataSet` that held text, cleaned. Overlays stored in Pixel Data's unused
    /// bits (retired) are not read here (a warning says they remain).
    public static func clean(
        _ dataSet: DataSet, detector: TextLineDetector = TextLineDetector(),
        bulkValue: (BulkDataReference) throws -> [UInt8]
    ) throws(TextCleaningFailure) -> [CleanedOverlay] {
        var cleaned: [CleanedOverlay] = []
        for group in stride(from: UInt16(0x6000), through: 0x601E, by: 2) {
            guard let element = dataSet[DICOMTag(group, 0x3000)] else { continue }
            guard let rows = dataSet.int(DICOMTag(group, 0x0010)), let columns = dataSet.int(DICOMTag(group, 0x0011)),
                rows > 0, columns > 0
            else {
                throw TextCleaningFailure(.unsupported, "an overlay without Overlay Rows or Columns")
            }
            let frames = max(1, dataSet.int(DICOMTag(group, 0x0015)) ?? 1)
            var bits: [UInt8]
            switch element.value {
            case .bytes(let value): bits = value
            case .bulk(let reference):
                do { bits = try bulkValue(reference) } catch {
                    throw TextCleaningFailure(.unsupported, "the overlay data cannot be read")
                }
            case .sequence: throw TextCleaningFailure(.unsupported, "overlay data is not a bit plane")
            }
            let area = rows * columns
            guard bits.count * 8 >= area * frames else {
                throw TextCleaningFailure(.unsupported, "overlay data shorter than its rows, columns and frames")
            }
            var boxes: [TextBox] = []
            for frame in 0..<frames {
                var plane = GrayPlane(width: columns, height: rows)
                for p in 0..<area where bits[(frame * area + p) >> 3] & (1 << ((frame * area + p) & 7)) != 0 {
                    plane.pixels[p] = 255
                }
                boxes += detector.detect(RenderedFrame(luma: plane, chroma: nil), frameIndex: frame).map {
                    var box = $0
                    box.rule = .overlayText
                    return box
                }
            }
            guard !boxes.isEmpty else { continue }
            // Boxes found on any frame are cleared on every frame, as in the image.
            for frame in 0..<frames {
                for box in boxes {
                    for y in box.y0..<box.y1 {
                        for x in box.x0..<box.x1 {
                            let index = frame * area + y * columns + x
                            bits[index >> 3] &= ~(1 << (index & 7))
                        }
                    }
                }
            }
            cleaned.append(CleanedOverlay(group: group, overlayData: bits, boxes: TextBox.merged(boxes)))
        }
        return cleaned
    }
}
