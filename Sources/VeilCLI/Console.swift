import Deidentification
import Foundation
import VeilBatch

/// Everything the CLI prints. Results go to stdout, diagnostics to stderr as one line each:
/// `<input>: error: <message>`. Inputs are named by path only when allowed (see `PathDisplay`).
final class Console: @unchecked Sendable {
    private let showPaths: Bool
    private let format: OutputFormat
    private let lock = NSLock()
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Set when a progress display draws on stderr: diagnostics then go through it.
    var progress: ProgressDisplay?
    /// A head series that could not be defaced fails every one of its files with one message:
    /// the first is printed, the others counted and told in one line (the manifest lists each).
    private var repeatedFailure: (message: String, more: Int)?

    init(paths: PathDisplay, format: OutputFormat) {
        switch paths {
        case .show: showPaths = true
        case .redact: showPaths = false
        case .auto: showPaths = isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        }
        self.format = format
    }

    func report(_ outcome: FileOutcome, dryRun: Bool, verbose: Bool) {
        let name = showPaths ? Self.printable(outcome.inputPath) : "input #\(outcome.index + 1) \(outcome.inputID)"
        lock.withLock {
            let message = outcome.message ?? outcome.reason ?? "failed"
            let tellWarnings = {
                guard verbose || dryRun else { return }
                for warning in outcome.warnings { self.diagnostic("\(name): warning: \(warning.message)") }
            }
            if outcome.status == .failed, outcome.reason?.hasPrefix("deface-") == true,
                repeatedFailure?.message == message
            {
                // Its error is told once for the series; its own warnings still are.
                repeatedFailure?.more += 1
                return tellWarnings()
            }
            tellRepeatedFailure()
            switch outcome.status {
            case .failed:
                diagnostic("\(name): error: \(message)")
                if outcome.reason?.hasPrefix("deface-") == true { repeatedFailure = (message, 0) }
            case .skipped where outcome.reason != "not-dicom":
                diagnostic("\(name): note: skipped: \(outcome.message ?? "")")
            default:
                break
            }
            tellWarnings()
            guard dryRun || verbose, outcome.status == .written || outcome.status == .unchanged else { return }
            switch format {
            case .json:
                var record: [String: String] = [
                    "input": outcome.inputID, "output": outcome.outputPath ?? "",
                    "status": outcome.status.rawValue,
                ]
                if showPaths { record["path"] = outcome.inputPath }
                if let data = try? encoder.encode(
                    FileLine(
                        input: record,
                        actions: dryRun
                            ? outcome.actions.map {
                                ["path": $0.path.description, "action": $0.action.rawValue, "basis": $0.reason.text]
                            } : nil))
                {
                    print(String(decoding: data, as: UTF8.self))
                }
            case .text:
                print("\(name) -> \(outcome.outputPath ?? "")\(outcome.status == .unchanged ? " (unchanged)" : "")")
                if dryRun {
                    for action in outcome.actions {
                        print(
                            "  \(action.action.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(action.path)  [\(action.reason.text)]"
                        )
                    }
                }
            }
        }
    }

    /// The files of the last failed head series not yet told.
    private func tellRepeatedFailure() {
        if let repeated = repeatedFailure, repeated.more > 0 {
            diagnostic(
                "veil: note: \(repeated.more) more files of that series failed the same way (each is in the manifest)")
        }
        repeatedFailure = nil
    }

    func summary(_ summary: BatchSummary, dryRun: Bool) {
        lock.withLock { tellRepeatedFailure() }
        progress?.finish()
        let counts = summary.counts
        switch format {
        case .json:
            if let data = try? encoder.encode(
                SummaryLine(
                    counts: counts, seconds: summary.seconds,
                    manifest: summary.manifestPath, dryRun: dryRun))
            {
                print(String(decoding: data, as: UTF8.self))
            }
        case .text:
            let rate = summary.seconds > 0 ? Double(counts.inputs) / summary.seconds : 0
            print(
                """
                \(dryRun ? "dry run: " : "")\(counts.inputs) files in: \(counts.written) \(dryRun ? "would be written" : "written"), \
                \(counts.unchanged) unchanged, \(counts.skipped) skipped, \(counts.failed) failed \
                (\(String(format: "%.1f", summary.seconds)) s, \(String(format: "%.0f", rate)) files/s)
                """)
            if summary.resumed > 0 { print("resumed: \(summary.resumed) files were done by the interrupted run") }
            if summary.notListedInDICOMDIR > 0 {
                Self.writeError(
                    "veil: warning: \(summary.notListedInDICOMDIR) files lack what a DICOMDIR record needs and are not listed in it"
                )
            }
            if summary.representationsWritten > 0 {
                print("representations: \(summary.representationsWritten) files (NIfTI, JSON, PNG, dataset.csv)")
            }
            if summary.seriesBelowK > 0 {
                Self.writeError(
                    "veil: warning: \(summary.seriesBelowK) series in dataset.csv have quasi-identifiers fewer than k patients share (below_k column)"
                )
            }
            for failure in summary.representationFailures { Self.writeError("veil: error: \(failure)") }
            for warning in summary.representationWarnings { Self.writeError("veil: warning: \(warning)") }
            if let manifest = summary.manifestPath { print("manifest: \(manifest)") }
        }
    }

    func report(_ report: BatchVerifier.Report) {
        let name = showPaths ? Self.printable(report.path) : "input #\(report.index + 1)"
        lock.withLock {
            if let error = report.error {
                Self.writeError("\(name): error: \(error)")
                return
            }
            switch format {
            case .json:
                struct Line: Encodable {
                    var input: String
                    var findings: [ResidualRiskVerifier.Finding]
                }
                if let data = try? encoder.encode(Line(input: name, findings: report.findings)) {
                    print(String(decoding: data, as: UTF8.self))
                }
            case .text:
                for finding in report.findings {
                    print(
                        "\(name): \(finding.kind.rawValue)\(finding.path.isEmpty ? "" : " \(finding.path)"): \(finding.message)"
                    )
                }
            }
        }
    }

    func summary(_ summary: BatchVerifier.Summary) {
        var byKind: [String: Int] = [:]
        for report in summary.reports {
            for finding in report.findings { byKind[finding.kind.rawValue, default: 0] += 1 }
        }
        let flagged = summary.reports.filter { !$0.findings.isEmpty }.count
        switch format {
        case .json:
            struct Line: Encodable {
                var filesChecked: Int
                var filesWithFindings: Int
                var findings: [String: Int]
            }
            if let data = try? encoder.encode(
                Line(filesChecked: summary.filesChecked, filesWithFindings: flagged, findings: byKind))
            {
                print(String(decoding: data, as: UTF8.self))
            }
        case .text:
            let kinds = byKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            print(
                "\(summary.filesChecked) files checked: \(flagged) with findings\(kinds.isEmpty ? "" : " (\(kinds))")")
        }
    }

    func note(_ message: String) { lock.withLock { Self.writeError("veil: note: \(message)") } }
    func fatal(_ message: String) { lock.withLock { Self.writeError("veil: error: \(message)") } }

    /// A path as one line of text: control characters (a newline would forge a second message,
    /// an escape sequence would rewrite the terminal) and bidirectional overrides are escaped.
    static func printable(_ path: String) -> String {
        var text = ""
        for scalar in path.unicodeScalars {
            switch scalar.value {
            case 0..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                text +=
                    scalar.value < 0x100
                    ? String(format: "\\x%02x", scalar.value) : String(format: "\\u{%x}", scalar.value)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    static func writeError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func diagnostic(_ line: String) {
        if let progress { progress.writeDiagnostic(line) } else { Self.writeError(line) }
    }

    private struct FileLine: Encodable {
        var input: [String: String]
        var actions: [[String: String]]?
    }

    private struct SummaryLine: Encodable {
        var counts: ManifestRecord.Counts
        var seconds: Double
        var manifest: String?
        var dryRun: Bool
    }
}
