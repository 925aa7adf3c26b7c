import DICOMCore

/// The Sequence of Ultrasound Regions (PS3.3 C.8.5.5): rectangles of real image data. Anything
/// outside them is a banner, a caption or a control panel, and is masked whole.
public enum UltrasoundRegions {
    /// The regions (inclusive corners made exclusive, clipped to the image) of an ultrasound
    /// image; empty when there are none, any is unreadable, or the image is not ultrasound (a
    /// radiograph carrying the sequence by mistake), in which case nothing is masked by this rule.
    public static func regions(in dataSet: DataSet, columns: Int, rows: Int) -> [TextBox] {
        guard
            dataSet.string(.modality)?.uppercased() == "US"
                || ultrasoundClasses.contains(dataSet.string(.sopClassUID) ?? ""),
            let items = dataSet.items(.sequenceOfUltrasoundRegions), !items.isEmpty
        else { return [] }
        var regions: [TextBox] = []
        for item in items {
            guard let x0 = item.int(.regionLocationMinX0), let y0 = item.int(.regionLocationMinY0),
                let x1 = item.int(.regionLocationMaxX1), let y1 = item.int(.regionLocationMaxY1), x0 <= x1, y0 <= y1
            else { return [] }
            let box = TextBox(
                x0: min(x0, columns), y0: min(y0, rows), x1: min(x1 + 1, columns), y1: min(y1 + 1, rows),
                rule: .outsideUltrasoundRegions)
            if box.area > 0 { regions.append(box) }
        }
        return regions
    }

    /// Ultrasound Image and Ultrasound Multi-frame Image Storage.
    static let ultrasoundClasses: Set<String> = ["1.2.840.10008.5.1.4.1.1.6.1", "1.2.840.10008.5.1.4.1.1.3.1"]

    /// Rectangles covering every pixel outside `regions`: row bands with the same uncovered spans.
    public static func outside(_ regions: [TextBox], columns: Int, rows: Int) -> [TextBox] {
        guard !regions.isEmpty else { return [] }
        func spans(_ y: Int) -> [Range<Int>] {
            let covered = regions.filter { $0.y0 <= y && y < $0.y1 }.map { $0.x0..<$0.x1 }.sorted {
                $0.lowerBound < $1.lowerBound
            }
            var result: [Range<Int>] = []
            var x = 0
            for range in covered {
                if range.lowerBound > x { result.append(x..<range.lowerBound) }
                x = max(x, range.upperBound)
            }
            if x < columns { result.append(x..<columns) }
            return result
        }
        var boxes: [TextBox] = []
        var bandStart = 0
        var current = spans(0)
        for y in 1...rows {
            let next = y < rows ? spans(y) : []
            if y == rows || next != current {
                boxes += current.map {
                    TextBox(x0: $0.lowerBound, y0: bandStart, x1: $0.upperBound, y1: y, rule: .outsideUltrasoundRegions)
                }
                bandStart = y
                current = next
            }
        }
        return boxes
    }
}
