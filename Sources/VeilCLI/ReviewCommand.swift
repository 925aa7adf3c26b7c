import ArgumentParser
import Foundation
import VeilReview

/// `veil review`: one offline HTML page of a de-identified output folder, for sign-off.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Write one offline HTML page a person reviews before a de-identified dataset is shared.",
        discussion: """
            For an output folder of 'veil anonymize' (or 'veil deface'): the run (version, profile and \
            options, key fingerprint, counts, time); per study and series its first, middle and last \
            frame and a maximum intensity projection, with the boxes burned-in text cleaning masked \
            outlined, and for defaced heads the surface from the front and the side with the deface \
            self-check; what 'veil verify' finds in each file; the inputs not written, by reason; and \
            the dataset's modalities, body parts and k-anonymity. Made from the manifest and the \
            de-identified files only: the page shows no original value, input path or original pixel. \
            No script, font or picture from anywhere else: it opens offline and prints to PDF.

            Exit status: 0 when the page is written, 2 when it cannot be (no finished manifest).
            """)

    @Argument(help: "The output folder of 'veil anonymize'.")
    var folder: String

    @Option(name: .shortAndLong, help: "The page to write (default: <folder>/review.html).")
    var output: String?

    @Option(help: "The manifest, when it is not <folder>/manifest.jsonl.")
    var manifest: String?

    @Option(
        name: .customLong("k-anonymity"),
        help:
            "Highlight quasi-identifier combinations (age bin, sex, year, modality, institution) fewer than k patients share."
    )
    var kAnonymity = 5

    @Option(
        name: .shortAndLong, help: "Series read in parallel (default: number of cores). The page does not depend on it."
    )
    var jobs: Int?

    @Option(help: "Progress on stderr: auto, bar, lines or none.")
    var progress: ProgressDisplay.Style = .auto

    @Option(help: "Output format on stdout: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    func run() throws {
        let path = output ?? (folder as NSString).appendingPathComponent("review.html")
        let status = Self.write(
            folder: folder, manifest: manifest, to: path, k: kAnonymity, jobs: jobs, progress: progress, format: format)
        if status != 0 { throw ExitCode(status) }
    }

    /// Writes the page and prints one line; `veil anonymize --review` calls it too. Returns the exit status.
    static func write(
        folder: String, manifest: String?, to path: String, k: Int, jobs: Int?, progress: ProgressDisplay.Style,
        format: OutputFormat
    ) -> Int32 {
        var report = ReviewReport(outputFolder: folder)
        report.manifestPath = manifest
        report.k = max(1, k)
        if let jobs { report.jobs = jobs }
        let display = ProgressDisplay(progress)
        do {
            let summary = try report.write(to: path) { event in
                switch event {
                case .discovered(let files): display.discovered(total: files)
                case .seriesDone(let files, let flagged): display.advanced(by: files, failed: flagged)
                }
            }
            display.finish()
            switch format {
            case .text:
                print(
                    "review: \(path): \(summary.series) series, \(summary.files) files, "
                        + "\(summary.findings) findings in \(summary.filesWithFindings) files, "
                        + "\(summary.failedInputs) inputs failed, \(summary.combinationsBelowK) combinations below k")
            case .json:
                let fields: [String: Any] = [
                    "path": path, "series": summary.series, "files": summary.files, "findings": summary.findings,
                    "filesWithFindings": summary.filesWithFindings, "failedInputs": summary.failedInputs,
                    "combinationsBelowK": summary.combinationsBelowK,
                ]
                let data = try? JSONSerialization.data(
                    withJSONObject: ["review": fields], options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data ?? Data("{}".utf8), as: UTF8.self))
            }
            return 0
        } catch {
            display.finish()
            Console.writeError("veil: error: review: \(error.description)")
            return 2
        }
    }
}
