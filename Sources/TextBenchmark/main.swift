// Burned-in text: detection time per frame and the scores on the generated cases.
//
// usage: swift run -c release TextBenchmark [cases folder] [--misses]
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
let dump = arguments.firstIndex(of: "--dump").map { arguments[$0 + 1] }
let folder = arguments.first { !$0.hasPrefix("--") && $0 != dump }
guard let cases = try? TextCases.cases(in: folder.map { URL(fileURLWithPath: $0) } ?? TextCases.folder), !cases.isEmpty
else {
    FileHandle.standardError.write(Data("no text cases: run Scripts/prepare-test-data.sh first\n".utf8))
    exit(2)
}
var score = TextScore()
var detection: [Double] = []
var cleaning: [Double] = []
var ocr: [Double] = []
var textFreeWithBoxes = 0
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
    let cleaned = try cleaner.clean(input, dataSet: dataSet, bulkValue: { try file.bulkValue($0) })
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
    // The same slice without text: anything found there is a false alarm.
    if !TextLineDetector().detect(FrameRendering().render(clean, frame: 0)).isEmpty { textFreeWithBoxes += 1 }
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
print("cases: \(cases.count) images of 512 x 512")
print("detection, ms per frame (median): \(String(format: "%.1f", median(detection)))   target <= 20")
print("clean (render, detect, mask, second look), ms per frame (median): \(String(format: "%.1f", median(cleaning)))")
print(
    ocr.isEmpty
        ? "OCR look: Tesseract not installed"
        : "OCR look (Tesseract on the masked frame, 2x), ms per frame (median): \(String(format: "%.0f", median(ocr)))")
for placement in ["corner", "anatomy"] {
    let lines = score.lines[placement] ?? (0, 0)
    print("lines masked, \(placement): \(lines.masked)/\(lines.total) = \(percent(score.recall(placement)))")
}
print("text-free twins with a line found: \(textFreeWithBoxes)/\(cases.count)")
print("anatomy falsely masked: median \(percent(score.medianFalseMasked)), p95 \(percent(score.p95FalseMasked))")
if showMisses { score.misses.forEach { print("missed \($0)") } }
