import DICOMCore
import DICOMIO
import Foundation

/// Images with fake PHI drawn in, made by Scripts/fixtures/make-text-cases.py into TestData/text (by
/// Scripts/prepare-test-data.sh).
public enum TextCases {
    public static let folder = TestPaths.testData.appendingPathComponent("text")

    public struct Line: Decodable, Sendable {
        public var label: Int
        /// x0, y0, x1, y1 (exclusive).
        public var box: [Int]
        /// "corner" (on the background or a banner) or "anatomy" (over the head).
        public var placement: String
    }

    public struct Case: Decodable, Sendable {
        public var folder: URL = TextCases.folder
        public var name: String
        public var kind: String
        public var lines: [Line]
        /// Header strings drawn into the image (surname, patient ID, accession number).
        public var phi: [String]

        enum CodingKeys: String, CodingKey { case name, kind, lines, phi }

        public var textFile: URL { folder.appendingPathComponent("text/\(name).dcm") }
        public var cleanFile: URL { folder.appendingPathComponent("clean/\(name).dcm") }
        /// Rows × columns bytes: 0 or the label of the line whose glyph covers the pixel.
        public func labels() throws -> [UInt8] {
            [UInt8](try Data(contentsOf: folder.appendingPathComponent("truth/\(name).labels")))
        }
    }

    struct Truth: Decodable { var cases: [Case] }

    public static func cases(in folder: URL = folder) throws -> [Case] {
        // make-text-cases.py writes `complete` last.
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("complete").path) else {
            throw MissingFixture(what: folder.appendingPathComponent("complete").path)
        }
        return try JSONDecoder().decode(Truth.self, from: Data(contentsOf: folder.appendingPathComponent("truth.json")))
            .cases.map {
                var one = $0
                one.folder = folder
                return one
            }
    }
}

/// The scores of research part A.7: a line counts as masked when 90% of its glyph pixels changed;
/// anatomy is the clean image away from its background, outside every text box (+4 pixels).
public struct TextScore: Sendable {
    public var lines: [String: (masked: Int, total: Int)] = [:]
    /// Per image: the share of anatomy pixels that changed.
    public var falseMasked: [Double] = []
    /// Lines missed, as "case/label (placement, height)".
    public var misses: [String] = []

    public init() {}

    public func recall(_ placement: String) -> Double {
        let value = lines[placement] ?? (0, 0)
        return value.total == 0 ? 1 : Double(value.masked) / Double(value.total)
    }

    public var medianFalseMasked: Double { quantile(0.5) }
    public var p95FalseMasked: Double { quantile(0.95) }

    private func quantile(_ q: Double) -> Double {
        let sorted = falseMasked.sorted()
        return sorted.isEmpty ? 0 : sorted[Int(q * Double(sorted.count - 1))]
    }

    public mutating func add(
        _ one: TextCases.Case, input: DecodedPixels, output: DecodedPixels, clean: DecodedPixels
    ) throws {
        let labels = try one.labels()
        let pixelBytes = input.samplesPerPixel * input.bytesPerSample
        func changed(_ p: Int) -> Bool {
            let start = p * pixelBytes
            return input.bytes[start..<start + pixelBytes] != output.bytes[start..<start + pixelBytes]
        }
        var glyphs = [Int: (masked: Int, total: Int)]()
        for p in labels.indices where labels[p] != 0 {
            glyphs[Int(labels[p]), default: (0, 0)].total += 1
            if changed(p) { glyphs[Int(labels[p]), default: (0, 0)].masked += 1 }
        }
        for line in one.lines {
            let count = glyphs[line.label] ?? (0, 0)
            let covered = Double(count.masked) >= 0.9 * Double(count.total)
            lines[line.placement, default: (0, 0)].total += 1
            if covered {
                lines[line.placement, default: (0, 0)].masked += 1
            } else {
                misses.append(
                    "\(one.name)/\(line.label) (\(line.placement), \(line.box[3] - line.box[1]) px, \(count.masked)/\(count.total))"
                )
            }
        }
        let samples = clean.samplesPerPixel
        let values = (0..<clean.rows * clean.columns).map { clean.value(atSample: $0 * samples) }
        var histogram: [Int: Int] = [:]
        for value in values { histogram[value, default: 0] += 1 }
        let mode = histogram.max { $0.value < $1.value }?.key ?? 0
        let range = Double((values.max() ?? 0) - (values.min() ?? 0))
        var inBox = [Bool](repeating: false, count: values.count)
        for line in one.lines {
            for y in max(0, line.box[1] - 4)..<min(clean.rows, line.box[3] + 4) {
                for x in max(0, line.box[0] - 4)..<min(clean.columns, line.box[2] + 4) {
                    inBox[y * clean.columns + x] = true
                }
            }
        }
        var (anatomy, falselyMasked) = (0, 0)
        for p in values.indices where !inBox[p] && abs(Double(values[p] - mode)) > 0.05 * range {
            anatomy += 1
            if changed(p) { falselyMasked += 1 }
        }
        falseMasked.append(anatomy == 0 ? 0 : Double(falselyMasked) / Double(anatomy))
    }
}
