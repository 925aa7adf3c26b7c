import DICOMCore

/// Dark words masked with the ground around them: masked black, dark text would stay as dark as
/// it was. Each word (a glyph, grown by two pixels) is filled with the stored value of the
/// ground beside it (a label box, a banner), which must be one level, well lighter than the
/// text, and mostly one stored value (six in ten of its pixels: not a gradient, not anatomy), for
/// the word to vanish in it rather than keep its shape in a narrow window.
enum GroundFill {
    /// One piece of a line to mask: a word's bounding box, its pixels there, and their fill.
    typealias Piece = (box: TextBox, mask: [Bool]?, fill: [Int])

    /// The words of `line` (found on `line.frame` of `pixels`), each with its ground's value. A
    /// word whose ground is not one level clearly lighter than its ink (dark anatomy beside a
    /// label box, a word running off the box onto anatomy) is masked with `black`, over its box
    /// widened along its rows to the words filled beside it, or a glyph where there are none (a
    /// glyph past a change of ground is not a stroke of the word); nil (the line is masked whole)
    /// when such words are most of the line (text over anatomy, whose strokes are not all dark).
    /// Words on another ground than most of the line's are masked black too. `palette`: the
    /// commonest index is taken, not the median.
    static func pieces(
        of words: WordMask.Words, line: TextBox, in pixels: DecodedPixels, palette: Bool, black: [Int]
    ) -> [Piece]? {
        let (width, height) = (line.width, line.height)
        var grounded: [(word: TextBox, piece: Piece, level: Int)] = []
        var failed: [TextBox] = []
        for (word, wordMask) in components(of: words.mask, width: width, height: height) {
            guard let ground = groundFill(of: word, wordMask, in: words, line: line, pixels: pixels, palette: palette)
            else {
                failed.append(word)
                continue
            }
            grounded.append((word, (word.offset(by: line), wordMask, ground.fill), ground.level))
        }
        guard !grounded.isEmpty else { return nil }
        // The line's ground is its words' commonest (by area); a word on another (a dark vessel in the
        // anatomy beside a label box) is masked black, not painted over with its surroundings.
        let byLevel = grounded.sorted { $0.level < $1.level }
        var area = 0
        let half = grounded.reduce(0) { $0 + $1.word.area } / 2
        let groundLevel =
            byLevel.first { word in
                area += word.word.area
                return area > half
            }?.level ?? byLevel[0].level
        let filled = grounded.filter { abs($0.level - groundLevel) <= 24 }
        failed += grounded.filter { abs($0.level - groundLevel) > 24 }.map(\.word)
        let blackened = failed.reduce(0) { $0 + $1.area }
        guard blackened * 2 <= filled.reduce(0, { $0 + $1.word.area }) else { return nil }
        // At most a glyph beyond the word where no filled word is nearer in its rows: a piece of
        // anatomy above a banner's line, in none of its words' rows, would otherwise take the
        // line's whole width.
        let reach = Int(words.glyph.rounded(.up))
        let blackBoxes = failed.map { word in
            let beside = filled.map(\.word).filter { $0.y0 < word.y1 && word.y0 < $0.y1 }
            let x0 = beside.map(\.x1).filter { $0 <= word.x0 }.max() ?? max(0, word.x0 - reach)
            let x1 = beside.map(\.x0).filter { $0 >= word.x1 }.min() ?? min(width, word.x1 + reach)
            return TextBox(x0: x0, y0: word.y0, x1: x1, y1: word.y1, rule: word.rule)
        }
        // The ends of the line beyond its words, wider than a glyph and not at the words' ground,
        // in the words' rows: the detector saw ink there that the words did not take (a glyph
        // faded into a gradient). Rows of no word are anatomy the line's box took in.
        let found = filled.map(\.word) + blackBoxes
        let (first, last) = (found.map(\.x0).min() ?? 0, found.map(\.x1).max() ?? width)
        let rows = (
            max(0, (filled.map(\.word.y0).min() ?? 0) - 2), min(height, (filled.map(\.word.y1).max() ?? height) + 2)
        )
        let ends = [(0, first), (last, width)].filter { Double($0.1 - $0.0) > words.glyph }.map {
            TextBox(x0: $0.0, y0: rows.0, x1: $0.1, y1: rows.1, rule: line.rule)
        }.filter { end in
            var levels: [Int] = []
            for y in end.y0..<end.y1 { for x in end.x0..<end.x1 { levels.append(words.levels[y * width + x]) } }
            return abs(levels.sorted()[levels.count / 2] - groundLevel) > 24
        }
        return filled.map(\.piece) + (blackBoxes + ends).map { ($0.offset(by: line), nil, black) }
    }

    /// The level and stored value of `word`'s ground (the pixels the words leave around it), or nil when
    /// the ground is not one level clearly lighter than the word's ink, or the word is mostly a
    /// dark region rather than strokes in the ground (counters, gaps, the margin).
    private static func groundFill(
        of word: TextBox, _ wordMask: [Bool], in words: WordMask.Words, line: TextBox, pixels: DecodedPixels,
        palette: Bool
    ) -> (level: Int, fill: [Int])? {
        let width = line.width
        // The ground: the pixels within two of the word that no word holds (a label box leaves
        // a narrow margin around its text).
        let near = word.padded(x: 2, y: 2, columns: width, rows: line.height)
        var own = [Bool](repeating: false, count: near.area)
        for y in word.y0..<word.y1 {
            for x in word.x0..<word.x1 where wordMask[(y - word.y0) * word.width + x - word.x0] {
                own[(y - near.y0) * near.width + x - near.x0] = true
            }
        }
        let ring = WordMask.dilated(own, width: near.width, height: near.height, radius: 2)
        var ground: [(x: Int, y: Int)] = []
        for y in near.y0..<near.y1 {
            for x in near.x0..<near.x1
            where ring[(y - near.y0) * near.width + x - near.x0] && !words.mask[y * width + x] {
                ground.append((x, y))
            }
        }
        guard !ground.isEmpty else { return nil }
        let levels = ground.map { words.levels[$0.y * width + $0.x] }.sorted()
        let level = levels[levels.count / 2]
        var (ink, atGround, area) = ([Int](), 0, 0)
        for y in word.y0..<word.y1 {
            for x in word.x0..<word.x1 where wordMask[(y - word.y0) * word.width + x - word.x0] {
                let p = y * width + x
                if words.strokes[p] { ink.append(words.levels[p]) }
                if abs(words.levels[p] - level) <= 16 { atGround += 1 }
                area += 1
            }
        }
        ink.sort()
        guard levels.filter({ abs($0 - level) <= 16 }).count * 10 >= levels.count * 7,
            !ink.isEmpty, ink[ink.count * 3 / 4] >= level + 60, atGround * 4 >= area
        else { return nil }
        // The ground must be mostly one stored value (a label box, a banner): a word filled with
        // the median of a gradient or of anatomy keeps its shape, readable in a narrow window.
        var fill: [Int] = []
        for sample in 0..<pixels.samplesPerPixel {
            let values = ground.map {
                pixels.storedValue(frame: line.frame, row: line.y0 + $0.y, column: line.x0 + $0.x, sample: sample)
            }
            let value = palette ? commonest(values) : values.sorted()[values.count / 2]
            guard values.filter({ $0 == value }).count * 10 >= values.count * 6 else { return nil }
            fill.append(value)
        }
        return (level, fill)
    }

    /// The 8-connected components of `mask`: each one's box and its pixels in that box (row by row).
    static func components(of mask: [Bool], width: Int, height: Int) -> [(box: TextBox, mask: [Bool])] {
        var label = [Int](repeating: -1, count: mask.count)
        var result: [(box: TextBox, mask: [Bool])] = []
        var members: [Int] = []
        for start in mask.indices where mask[start] && label[start] < 0 {
            let id = result.count
            label[start] = id
            members = [start]
            var next = 0
            var (x0, y0, x1, y1) = (width, height, 0, 0)
            while next < members.count {
                let p = members[next]
                next += 1
                let (x, y) = (p % width, p / width)
                (x0, y0, x1, y1) = (min(x0, x), min(y0, y), max(x1, x + 1), max(y1, y + 1))
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1)
                    where mask[ny * width + nx] && label[ny * width + nx] < 0 {
                        label[ny * width + nx] = id
                        members.append(ny * width + nx)
                    }
                }
            }
            let box = TextBox(x0: x0, y0: y0, x1: x1, y1: y1, rule: .detector)
            var own = [Bool](repeating: false, count: box.area)
            for p in members { own[(p / width - y0) * box.width + p % width - x0] = true }
            result.append((box, own))
        }
        return result
    }

    private static func commonest(_ values: [Int]) -> Int {
        let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
    }
}
