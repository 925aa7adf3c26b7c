/// A rectangle of pixels masked in every frame of an image, and the rule that asked for it.
/// Coordinates are pixel columns and rows, `x0..<x1`, `y0..<y1`. Never carries the text.
public struct TextBox: Hashable, Sendable, Codable {
    public enum Rule: String, Sendable, Codable {
        /// A line of glyphs the detector found.
        case detector
        /// Outside every region of the Sequence of Ultrasound Regions: not image data.
        case outsideUltrasoundRegions = "outside-ultrasound-regions"
        /// A line of glyphs in an overlay plane (its bits cleared, not the image's pixels).
        case overlayText = "overlay-text"
    }

    public var x0: Int
    public var y0: Int
    public var x1: Int
    public var y1: Int
    public var rule: Rule
    /// The first frame the box was found on (it is masked on all of them).
    public var frame: Int

    public init(x0: Int, y0: Int, x1: Int, y1: Int, rule: Rule, frame: Int = 0) {
        (self.x0, self.y0, self.x1, self.y1, self.rule, self.frame) = (x0, y0, x1, y1, rule, frame)
    }

    public var width: Int { x1 - x0 }
    public var height: Int { y1 - y0 }
    public var area: Int { width * height }

    public func intersects(_ other: TextBox) -> Bool {
        x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1
    }

    public func contains(_ other: TextBox) -> Bool {
        x0 <= other.x0 && y0 <= other.y0 && other.x1 <= x1 && other.y1 <= y1
    }

    /// The smallest box holding both (keeps this box's rule and frame).
    func union(_ other: TextBox) -> TextBox {
        TextBox(
            x0: min(x0, other.x0), y0: min(y0, other.y0), x1: max(x1, other.x1), y1: max(y1, other.y1),
            rule: rule, frame: min(frame, other.frame))
    }

    /// Grown by `x` pixels left and right and `y` up and down, clipped to a `columns` × `rows` image.
    public func padded(x: Int, y: Int, columns: Int, rows: Int) -> TextBox {
        TextBox(
            x0: max(0, x0 - x), y0: max(0, y0 - y), x1: min(columns, x1 + x), y1: min(rows, y1 + y),
            rule: rule, frame: frame)
    }

    /// This box, given in the coordinates of `outer`, in `outer`'s own (and on its frame).
    func offset(by outer: TextBox) -> TextBox {
        TextBox(
            x0: outer.x0 + x0, y0: outer.y0 + y0, x1: outer.x0 + x1, y1: outer.y0 + y1, rule: outer.rule,
            frame: outer.frame)
    }

    /// Overlapping boxes merged until none overlap.
    static func merged(_ boxes: [TextBox]) -> [TextBox] {
        var result: [TextBox] = []
        for box in boxes.sorted(by: { ($0.y0, $0.x0) < ($1.y0, $1.x0) }) {
            var current = box
            var changed = true
            while changed {
                changed = false
                if let index = result.firstIndex(where: { $0.rule == current.rule && $0.intersects(current) }) {
                    current = result.remove(at: index).union(current)
                    changed = true
                }
            }
            result.append(current)
        }
        return result
    }

    /// `lines` merged where they overlap, each merged box kept or refused by `accepts`; a refused
    /// box of several lines is judged again line by line: a line of text that touches a line of
    /// anatomy reads as neither in their union. Near-duplicates (the same line found by two
    /// passes) are judged once. `accepts` is told whether it judges such a part. A refused part
    /// that shares its row with an accepted one is kept with it, unless `joinsItsRow` says no
    /// (colour Doppler beside a colour bar's label).
    static func accepted(
        _ lines: [TextBox], by accepts: (_ box: TextBox, _ isPart: Bool) -> Bool,
        joinsItsRow: (TextBox) -> Bool = { _ in true }
    ) -> (accepted: [TextBox], refused: [TextBox]) {
        var result: (accepted: [TextBox], refused: [TextBox]) = ([], [])
        for box in merged(lines) {
            if accepts(box, false) {
                result.accepted.append(box)
                continue
            }
            var parts: [TextBox] = []
            for line in lines.filter({ box.contains($0) }).sorted(by: { $0.area > $1.area })
            where !parts.contains(where: { $0.contains(line) && 5 * line.area >= 4 * $0.area }) {
                parts.append(line)
            }
            guard parts.count > 1 else {
                result.refused.append(box)
                continue
            }
            let kept = parts.filter { accepts($0, true) }
            // A refused line across an accepted one (the same row of text, found with other ends)
            // goes with it: `Lucas Petrov` refused beside `Petrov` accepted would leave `Lucas`.
            for part in parts where !kept.contains(part) {
                let sameRow = kept.contains {
                    $0.intersects(part)
                        && 2 * (min($0.y1, part.y1) - max($0.y0, part.y0)) >= min($0.height, part.height)
                }
                if sameRow && joinsItsRow(part) { result.accepted.append(part) } else { result.refused.append(part) }
            }
            result.accepted += kept
        }
        return result
    }
}
