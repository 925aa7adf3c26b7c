// Burned-in text: detection time per frame and the scores on the generated cases.
//
// usage: swift run -c release TextBenchmark [cases folder] [--misses] [--dump DIR]
//        [--lines DIR | --screen DIR] [--show-text]
//
// The cases (default TestData/text, made by Scripts/fixtures/make-text-cases.py through
// Scripts/prepare-test-data.sh) are 512 × 512 slices with fake PHI drawn in. Each is cleaned
// once (first look, masking, second look) and its detection timed separately, on one core.
import DICOMIO
import Foundation
import TestSupport
import TextRedaction

let arguments = CommandLine.arguments.dropFirst()
let showMisses = arguments.contains("--misses")
// --show-text: print what OCR read in each line (--lines, --screen). Public test data only: on
// real images that is PHI.
let showText = arguments.contains("--show-text")
let dump = arguments.firstIndex(of: "--dump").map { arguments[$0 + 1] }
let optionValues = ["--dump", "--lines", "--screen"].compactMap { flag in
    arguments.firstIndex(of: flag).map { arguments[$0 + 1] }
}
let folder = arguments.first { !$0.hasPrefix("--") && !optionValues.contains($0) }
guard let cases = try? TextCases.cases(in: folder.map { URL(fileURLWithPath: $0) } ?? TextCases.folder), !cases.isEmpty
else {
    FileHandle.standardError.write(Data("no text cases: run Scripts/prepare-test-data.sh first\n".utf8))
    exit(2)
}
// --lines DIR: every line the detector finds, as OCR is given it (PGM), with what OCR read, its
// confidence, and whether the line holds drawn text: to see why a line is kept or rejected.
let linesFolder = arguments.firstIndex(of: "--lines").map { arguments[$0 + 1] }
if let linesFolder {
    for one in cases {
        let file = try DICOMFile(path: one.textFile.path)
        let rendered = FrameRendering().render(try file.decodePixels(), frame: 0)
        let labels = try one.labels()
        for (n, line) in TextLineDetector().detect(rendered).enumerated() {
            let prepared = LineConfirmation.prepared(line, of: rendered.luma)
            let read = OCRReader.line(in: prepared)
            var text = 0
            for y in line.y0..<line.y1 {
                for x in line.x0..<line.x1 where labels[y * rendered.luma.width + x] != 0 { text += 1 }
            }
            let name = "\(one.name)-\(n)"
            print(
                "\(name) text-pixels \(text) \(LineConfirmation.features(line, in: rendered, showingText: showText))"
                    + (showText ? " read \(read?.text ?? "")" : ""))
            let header = Array("P5 \(prepared.width) \(prepared.height) 255\n".utf8)
            try Data(header + prepared.pixels).write(to: URL(fileURLWithPath: "\(linesFolder)/\(name).pgm"))
        }
    }
    exit(0)
}
// --screen DIR: every frame of every DICOM file under DIR (text-free images) screened; each line
// the detector finds is shown with what OCR reads in it, and the time per frame is printed.
if let screenFolder = arguments.firstIndex(of: "--screen").map({ arguments[$0 + 1] }) {
    let files = (FileManager.default.enumerator(atPath: screenFolder)?.allObjects as? [String] ?? []).filter {
        $0.hasSuffix(".dcm")
    }.sorted()
    var (frames, candidates, confirmed, imagesWithBoxes) = (0, 0, 0, 0)
    var times: [Double] = []
    for name in files {
        guard let file = try? DICOMFile(path: "\(screenFolder)/\(name)"), let pixels = try? file.decodePixels(),
            let dataSet = try? file.read().dataSet
        else { continue }
        var cleaner = PixelTextCleaner()
        cleaner.usesOCR = false
        let start = DispatchTime.now().uptimeNanoseconds
        guard
            let cleaned = try? cleaner.clean(
                pixels, dataSet: dataSet, flagged: false, bulkValue: { try file.bulkValue($0) })
        else {
            print("\(name): failed")
            continue
        }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(pixels.frames))
        frames += pixels.frames
        if !cleaned.boxes.isEmpty { imagesWithBoxes += 1 }
        let rendering = FrameRendering()
        for frame in 0..<pixels.frames {
            let rendered = rendering.render(pixels, frame: frame)
            // Each pass's lines before merging: what OCR judges when their union is refused.
            for line in TextLineDetector().lines(in: rendered) {
                candidates += 1
                let read = OCRReader.line(in: LineConfirmation.prepared(line, of: rendered.luma))
                let text = LineConfirmation().isText(line, in: rendered) ?? false
                if text { confirmed += 1 }
                print(
                    "\(name) frame \(frame) \(line.x0),\(line.y0) "
                        + "\(LineConfirmation.features(line, in: rendered, showingText: showText)) \(text ? "TEXT" : "-")"
                        + (showText ? " read \(read?.text ?? "")" : "")
                )
            }
        }
    }
    let sorted = times.sorted()
    print(
        "files \(times.count) frames \(frames) candidate lines \(candidates) read as text \(confirmed) images with a box \(imagesWithBoxes)"
    )
    if !sorted.isEmpty {
        print("screen ms per frame: median \(sorted[sorted.count / 2]) p95 \(sorted[sorted.count * 95 / 100])")
    }
    exit(0)
}
var score = TextScore()
var detection: [Double] = []
var cleaning: [Double] = []
var ocr: [Double] = []
var screening: [Double] = []
var textFreeWithBoxes = 0
var textFreeWithCandidates = 0
for one in cases {
    let file = try DICOMFile(path: one.textFile.path)
    let input = try file.decodePixels()
    let dataSet = try file.read().dataSet
    let rendered = FrameRendering().render(input, frame: 0)
    var start = DispatchTime.now().uptimeNanoseconds
    _ = TextLineDetector().detect(rendered)
    detection.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    start = DispatchTime.now().uptimeNanoseconds
    var cleaner = PixelTextCleaner()
    cleaner.usesOCR = false
    // As `--clean-pixel-data` would if the cases' headers did not say Burned In Annotation YES:
    // the MR and CT slices are screened, the secondary captures flagged.
    var unmarked = dataSet
    unmarked[.burnedInAnnotation] = nil
    let flagged = TextTriage.reason(unmarked, scope: .flagged) != nil
    let cleaned = try cleaner.clean(input, dataSet: dataSet, flagged: flagged, bulkValue: { try file.bulkValue($0) })
    cleaning.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    if OCRReader.isAvailable {
        // The last look, timed on its own: Tesseract reading the masked frame.
        let plane = FrameRendering().render(cleaned.pixels, frame: 0).luma
        start = DispatchTime.now().uptimeNanoseconds
        _ = OCRReader.lines(in: plane)
        ocr.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    if let dump {
        // The rendered output, as a PGM picture per case: to look at what was masked.
        let plane = FrameRendering().render(cleaned.pixels, frame: 0).luma
        let header = Array("P5 \(plane.width) \(plane.height) 255\n".utf8)
        try Data(header + plane.pixels).write(to: URL(fileURLWithPath: "\(dump)/\(one.name).pgm"))
    }
    let clean = try DICOMFile(path: one.cleanFile.path).decodePixels()
    try score.add(one, input: input, output: cleaned.pixels, clean: clean)
    // The same slice without text, screened as an image no header attribute flags: any box
    // masked there is a false alarm.
    start = DispatchTime.now().uptimeNanoseconds
    let screened = try cleaner.clean(clean, dataSet: dataSet, flagged: false, bulkValue: { try file.bulkValue($0) })
    screening.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    if !screened.boxes.isEmpty { textFreeWithBoxes += 1 }
    if !TextLineDetector().detect(FrameRendering().render(clean, frame: 0)).isEmpty { textFreeWithCandidates += 1 }
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
print("cases: \(cases.count) images of 512 x 512")
print("detection, ms per frame (median): \(String(format: "%.1f", median(detection)))   target <= 20")
print(
    "clean (render, detect, OCR of each line, mask, second look), ms per frame (median): \(String(format: "%.1f", median(cleaning)))"
)
print(
    ocr.isEmpty
        ? "OCR look: Tesseract not installed"
        : "OCR look (Tesseract on the masked frame, 2x), ms per frame (median): \(String(format: "%.0f", median(ocr)))")
for placement in ["corner", "anatomy"] {
    let lines = score.lines[placement] ?? (0, 0)
    print("lines masked, \(placement): \(lines.masked)/\(lines.total) = \(percent(score.recall(placement)))")
}
print(
    "text-free twins screened (detector, then OCR of its lines), ms per frame (median): "
        + String(format: "%.1f", median(screening)) + "   target <= 30")
print("text-free twins with a line found by the detector: \(textFreeWithCandidates)/\(cases.count)")
print("text-free twins with a box masked (OCR read the line as text): \(textFreeWithBoxes)/\(cases.count)")
print("anatomy falsely masked: median \(percent(score.medianFalseMasked)), p95 \(percent(score.p95FalseMasked))")
if showMisses { score.misses.forEach { print("missed \($0)") } }
