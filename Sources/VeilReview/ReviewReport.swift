import DICOMIO
import Deidentification
import Dispatch
import Foundation
import Representations
import VeilBatch

/// `veil review`: one offline HTML page a person reads and signs off before a de-identified
/// dataset leaves: what the run did, pictures of every series (masked text outlined, defaced
/// heads seen from the front and the side), what `veil verify` still finds, what failed and why,
/// and how far the dataset's quasi-identifiers single anyone out.
///
/// Made from the manifest and the de-identified outputs only, so the page shows nothing that is
/// not already in the shareable data: no original value, input path or original pixel. One pass:
/// the manifest is read line by line, then each series' files are read once, a few series at a
/// time, and their part of the page is written before the next are read. The same folder gives
/// the same bytes.
public struct ReviewReport: Sendable {
    public var outputFolder: String
    /// The manifest; by default `manifest.jsonl` in the output folder.
    public var manifestPath: String?
    /// Quasi-identifier combinations fewer than k patients share are highlighted.
    public var k = 5
    public var jobs = ProcessInfo.processInfo.activeProcessorCount

    public init(outputFolder: String) { self.outputFolder = outputFolder }

    /// Progress, for the same display as `veil anonymize`.
    public enum Event: Sendable {
        /// The manifest is read: this many output files will be looked at.
        case discovered(files: Int)
        /// A series is done: its files, and how many of them have findings or could not be read.
        case seriesDone(files: Int, flagged: Int)
    }

    public struct Summary: Sendable {
        public var series = 0
        public var files = 0
        /// Files with residual-risk findings, and the findings.
        public var filesWithFindings = 0
        public var findings = 0
        public var unreadableFiles = 0
        /// Inputs the manifest records as failed.
        public var failedInputs = 0
        /// Quasi-identifier combinations below k.
        public var combinationsBelowK = 0
    }

    public func write(to reportPath: String, progress: (Event) -> Void = { _ in }) throws(ReviewError) -> Summary {
        let manifest =
            manifestPath ?? (outputFolder as NSString).appendingPathComponent("manifest.jsonl")
        let digest = try ManifestDigest(path: manifest)
        let keys = digest.series.keys.sorted()
        let seriesPerStudy = Dictionary(digest.series.values.map { ($0.study, 1) }, uniquingKeysWith: +)
        let filesPerStudy = Dictionary(digest.series.values.map { ($0.study, $0.files.count) }, uniquingKeysWith: +)
        progress(.discovered(files: keys.reduce(0) { $0 + digest.series[$1]!.files.count }))

        let folder = (reportPath as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.veil-review-\(getpid())"
        let body = temporary + ".series"
        guard FileManager.default.createFile(atPath: body, contents: nil),
            let bodyHandle = FileHandle(forWritingAtPath: body)
        else { throw ReviewError("cannot write beside the report (is its folder writable?)") }
        defer {
            try? bodyHandle.close()
            try? FileManager.default.removeItem(atPath: body)
            try? FileManager.default.removeItem(atPath: temporary)
        }

        var summary = Summary()
        var totals = ReviewPage.Totals()
        var rows: [DatasetTable.Row] = []
        let verifier = ResidualRiskVerifier()
        // Thousands of series (a set of radiographs): smaller pictures keep the page quick to open.
        let side = keys.count > ReviewPage.smallPicturesAbove ? Thumbnail.smallSide : Thumbnail.side
        let page = ReviewPage(header: digest.header, k: k, openStudies: keys.count <= ReviewPage.openSeriesLimit)
        // A few series at a time, in parallel, written in order: memory holds one chunk's pixels.
        let chunk = max(1, jobs) * 2
        var start = 0
        var previousStudy: String?
        while start < keys.count {
            let slice = Array(keys[start..<min(keys.count, start + chunk)])
            let results = Results(count: slice.count)
            // `jobs` workers, each taking every jobs-th series of the chunk.
            let workers = min(max(1, jobs), slice.count)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for index in stride(from: worker, to: slice.count, by: workers) {
                    let entry = digest.series[slice[index]]!
                    results.set(index, SeriesReview(entry, outputFolder: outputFolder, verifier: verifier, side: side))
                }
            }
            var html = ""
            for (offset, review) in results.all.enumerated() {
                let number = start + offset + 1
                if review.study != previousStudy {
                    if previousStudy != nil { html += page.studyEnd() }
                    html += page.studyStart(
                        review.study, series: seriesPerStudy[review.study] ?? 0,
                        files: filesPerStudy[review.study] ?? 0)
                    previousStudy = review.study
                }
                html += page.series(review, number: number)
                totals.add(review, number: number)
                if let row = review.row { rows.append(row) }
                summary.series += 1
                summary.files += review.files
                summary.filesWithFindings += review.findings.count
                summary.findings += review.findings.reduce(0) { $0 + $1.findings.count }
                summary.unreadableFiles += review.unreadableFiles
                progress(.seriesDone(files: review.files, flagged: review.findings.count + review.unreadableFiles))
            }
            try Self.append(html, to: bodyHandle)
            start += slice.count
        }
        if previousStudy != nil { try Self.append(page.studyEnd(), to: bodyHandle) }
        try? bodyHandle.close()
        summary.failedInputs = digest.reasons.values.filter { $0.status == "failed" }.reduce(0) { $0 + $1.count }

        let table = DatasetTable(rows: rows, k: k, suppress: false)
        let top = page.top(digest: digest, totals: totals, summary: summary, table: table)
        summary.combinationsBelowK = top.combinationsBelowK
        guard FileManager.default.createFile(atPath: temporary, contents: Data(top.html.utf8)),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { throw ReviewError("cannot write the report") }
        defer { try? handle.close() }
        guard let reader = FileHandle(forReadingAtPath: body) else { throw ReviewError("cannot read back the series") }
        defer { try? reader.close() }
        do {
            try handle.seekToEnd()
            while case let block = reader.readData(ofLength: 1 << 20), !block.isEmpty {
                try handle.write(contentsOf: block)
            }
            try handle.write(contentsOf: Data(page.bottom().utf8))
            try handle.synchronize()
        } catch { throw ReviewError("cannot write the report (is the disk full?)") }
        if rename(temporary, reportPath) != 0 {
            throw ReviewError("cannot write the report (\(String(cString: strerror(errno))))")
        }
        return summary
    }
}

extension ReviewReport {
    static func append(_ text: String, to handle: FileHandle) throws(ReviewError) {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw ReviewError("cannot write beside the report (is the disk full?)")
        }
    }
}

/// Results of one chunk of series, filled from worker threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [SeriesReview?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: SeriesReview) { lock.withLock { values[index] = value } }
    var all: [SeriesReview] { lock.withLock { values.compactMap { $0 } } }
}
