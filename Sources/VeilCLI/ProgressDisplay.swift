import Foundation
import VeilBatch

/// Progress of a batch on stderr: a bar with files/s and ETA on a terminal, JSON lines every two
/// seconds for logs and schedulers, or nothing.
final class ProgressDisplay: @unchecked Sendable {
    enum Style: String, CaseIterable {
        case auto, bar, lines, none
    }

    private let style: Style
    private let lock = NSLock()
    private let start = Date()
    private var total = 0
    private var done = 0
    private var failed = 0
    private var lastDraw = Date.distantPast
    private var barVisible = false

    init(_ requested: Style) {
        switch requested {
        case .auto: style = isatty(STDERR_FILENO) == 1 ? .bar : .none
        default: style = requested
        }
    }

    func event(_ event: BatchAnonymizer.Event) {
        switch event {
        case .discovered(let count, _): discovered(total: count)
        case .finished(let outcome): advanced(by: 1, failed: outcome.status == .failed ? 1 : 0)
        }
    }

    /// The work ahead, counted in files (for `veil review` as for a batch).
    func discovered(total count: Int) {
        lock.withLock { total = count }
    }

    /// `count` more files done, `failed` of them failed (or, for `veil review`, flagged).
    func advanced(by count: Int, failed newlyFailed: Int) {
        lock.withLock {
            done += count
            failed += newlyFailed
            let now = Date()
            switch style {
            case .bar where now.timeIntervalSince(lastDraw) >= 0.1 || done == total:
                lastDraw = now
                drawBar(now)
            case .lines where now.timeIntervalSince(lastDraw) >= 2 || (done == total && total > 0):
                lastDraw = now
                writeLine(now)
            default: break
            }
        }
    }

    /// Writes a diagnostic line without tearing the bar: clears it, writes, redraws.
    func writeDiagnostic(_ line: String) {
        lock.withLock {
            if barVisible { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            FileHandle.standardError.write(Data((line + "\n").utf8))
            if barVisible { drawBar(Date()) }
        }
    }

    /// Removes the bar before the summary is printed.
    func finish() {
        lock.withLock {
            if barVisible { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            barVisible = false
        }
    }

    private func rates(_ now: Date) -> (rate: Double, eta: Double?) {
        let seconds = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / seconds
        let eta = total > done && rate > 0 ? Double(total - done) / rate : nil
        return (rate, eta)
    }

    private func drawBar(_ now: Date) {
        let (rate, eta) = rates(now)
        let width = 30
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let filled = Int(fraction * Double(width))
        let bar =
            String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1))
        let etaText = eta.map { " ETA \(Self.clock($0))" } ?? ""
        let failures = failed > 0 ? "  \(failed) failed" : ""
        let line = String(
            format: "\r\u{1B}[K%d/%d [%@] %3.0f%%  %.0f files/s%@%@", done, total, bar, fraction * 100, rate, etaText,
            failures)
        FileHandle.standardError.write(Data(line.utf8))
        barVisible = true
    }

    private func writeLine(_ now: Date) {
        let (rate, eta) = rates(now)
        var line =
            "{\"type\":\"progress\",\"done\":\(done),\"total\":\(total),\"failed\":\(failed),"
            + "\"filesPerSecond\":\(String(format: "%.1f", rate))"
        if let eta { line += ",\"etaSeconds\":\(Int(eta))" }
        FileHandle.standardError.write(Data((line + "}\n").utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
