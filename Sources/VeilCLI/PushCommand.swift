import ArgumentParser
import DICOMNetwork
import Foundation
import VeilNetwork

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send a de-identified output folder to a node (C-STORE, or STOW-RS for a DICOMweb node).",
        discussion: """
            Sends every file the folder's manifest lists as written or unchanged. A journal beside \
            the manifest (<manifest>.push-<node>.journal) records what the node confirmed: running \
            the same push again, after a failure or a crash, sends only the rest. An instance may \
            reach the node twice; outputs are deterministic, so the node keeps one.

            Files not marked de-identified (Patient Identity Removed YES) are refused unless \
            --allow-identified is given. Exit status: 0 all sent; 1 the node refused some instances; \
            2 the push stopped (node unreachable, association rejected, timeout): run it again.
            """)

    @Argument(help: "The output folder of 'veil anonymize'.")
    var folder: String

    @Option(help: "The node to send to (its name in the nodes file).")
    var to: String

    @Option(help: "The manifest (default: <folder>/manifest.jsonl).")
    var manifest: String?

    @Flag(help: "Also send files not marked de-identified.")
    var allowIdentified = false

    @Option(help: "Progress on stderr: auto, bar, lines (JSON lines), or none.")
    var progress: ProgressDisplay.Style = .auto

    @OptionGroup var nodeOptions: NodeOptions

    func run() throws {
        let code = Self.push(
            folder: folder, manifest: manifest, node: to, nodeOptions: nodeOptions, allowIdentified: allowIdentified,
            progress: progress)
        if code != 0 { throw ExitCode(code) }
    }

    /// The push, shared with `veil anonymize --push` and `veil pull --push`; returns the exit status.
    static func push(
        folder: String, manifest: String?, node name: String, nodeOptions: NodeOptions, allowIdentified: Bool,
        progress style: ProgressDisplay.Style
    ) -> Int32 {
        do {
            let directory = try nodeOptions.directory()
            let node = try directory.node(name)
            var push = OutputPush(folder: folder, manifestPath: manifest, node: node, callingAET: directory.local.aet)
            push.allowIdentified = allowIdentified
            let reporter = TransferProgress(style, verb: "sent", node: name)
            let summary = try push.run { done, total in reporter.update(done: done, total: total) }
            reporter.finish()
            for failure in Dictionary(grouping: summary.failed, by: { $0 }).sorted(by: { $0.key < $1.key }) {
                Console.writeError("veil: error: \(name): \(failure.value.count) instances refused: \(failure.key)")
            }
            let notSent = summary.total - summary.alreadySent - summary.sent - summary.failed.count
            print(
                "\(name): \(summary.sent) sent, \(summary.alreadySent) already there, \(summary.failed.count) refused, "
                    + "\(notSent) not sent (\(String(format: "%.1f", summary.seconds)) s)")
            if let stopped = summary.stopped {
                Console.writeError("veil: error: \(stopped.description); run the same push again to send the rest")
                return 2
            }
            if notSent > 0 {
                Console.writeError(
                    "veil: error: \(name): \(notSent) instances could not be sent "
                        + "(no accepted presentation context, or the file could not be encoded for it)"
                )
                return 2
            }
            return summary.failed.isEmpty ? 0 : 1
        } catch {
            Console.writeError("veil: error: \(error.description)")
            return 2
        }
    }
}

/// Progress of a transfer on stderr: a counter on a terminal, JSON lines for logs, or nothing.
final class TransferProgress: @unchecked Sendable {
    private let style: ProgressDisplay.Style
    private let verb: String
    private let node: String
    private var last = Date.distantPast
    private var drawn = false

    init(_ requested: ProgressDisplay.Style, verb: String, node: String) {
        style = requested == .auto ? (isatty(STDERR_FILENO) == 1 ? .bar : .none) : requested
        self.verb = verb
        self.node = node
    }

    func update(done: Int, total: Int) {
        let now = Date()
        switch style {
        case .bar where now.timeIntervalSince(last) >= 0.1 || done == total:
            last = now
            drawn = true
            FileHandle.standardError.write(Data("\r\u{1B}[K\(node): \(done)/\(total) \(verb)".utf8))
        case .lines where now.timeIntervalSince(last) >= 2 || done == total:
            last = now
            FileHandle.standardError.write(
                Data("{\"done\":\(done),\"node\":\"\(node)\",\"total\":\(total),\"type\":\"\(verb)\"}\n".utf8))
        default: break
        }
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
