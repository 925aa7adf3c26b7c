import ArgumentParser
import Deidentification
import Foundation
import VeilBatch

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Report identity left in DICOM files: attributes, private tags, free text, markers, pixels.",
        discussion: """
            Each file is judged by its own de-identification markers: a file marked de-identified with \
            some options (0012,0064) is held to PS3.15 Table E.1-1 under those options; a file with no \
            marker is held to the Basic Profile, so every identifying attribute in it is reported. Also \
            reported: private attributes, free text with dates, phone numbers, identifiers or the \
            patient's own name, dates where the markers say none are left, missing or inconsistent \
            markers, images of kinds that carry burned-in text not marked Burned In Annotation NO, text \
            in the pixels of any image (found by the detector of --clean-pixel-data and read by \
            Tesseract, per frame, saying when it shows a name, ID or date of the header), and head \
            scans whose face was not removed. Findings name attributes, never values.

            Exit status: 0 when nothing was found, 1 when something was, 2 when inputs could not be read.
            """)

    @Argument(help: "DICOM files or folders (searched recursively).")
    var inputs: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Check only metadata, or only pixel-level risks (burned-in text, faces).")
    var only: Scope?

    @Option(name: .shortAndLong, help: "Files checked in parallel (default: number of cores).")
    var jobs: Int?

    @Option(help: "Name input files by path (show), by position (redact), or by path only on a terminal (auto).")
    var paths: PathDisplay = .auto

    enum Scope: String, ExpressibleByArgument, CaseIterable {
        case metadata, pixels
    }

    func run() throws {
        let console = Console(paths: paths, format: format)
        let scope: ResidualRiskVerifier.Scope =
            switch only {
            case .metadata: .metadata
            case .pixels: .pixels
            case nil: .all
            }
        let verifier = BatchVerifier(scope: scope, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        if scope != .metadata && !verifier.readsPixels {
            console.note(
                "the pixels are not read for text: Tesseract OCR is not installed (Debian tesseract-ocr, tesseract-ocr-eng)"
            )
        }
        let summary = verifier.run(inputs: inputs) { report in console.report(report) }
        for problem in summary.problems { console.fatal("cannot read an input: \(problem.reason)") }
        console.summary(summary)
        if !summary.problems.isEmpty || summary.reports.contains(where: { $0.error != nil }) { throw ExitCode(2) }
        if !summary.clean { throw ExitCode(1) }
    }
}
