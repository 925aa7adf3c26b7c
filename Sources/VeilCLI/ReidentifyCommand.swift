import ArgumentParser
import Deidentification
import Foundation
import VeilBatch

struct ReidentifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reidentify",
        abstract: "Restore the original attributes of files de-identified with --mode pseudonymize.",
        discussion: """
            Reads each de-identified file, finds its record in the vault by SOP Instance UID, decrypts \
            it with the re-identification key and writes the file with its original attributes to \
            <output>/<Study UID>/<Series UID>/<SOP Instance UID>.dcm (the original UIDs). The output \
            holds PHI: keep it where the originals may be.
            """)

    @Argument(help: "De-identified DICOM files or folders.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Folder for the re-identified files.")
    var output: String

    @Option(help: "The vault written by 'veil anonymize --mode pseudonymize'.")
    var vault: String

    @Option(help: "The re-identification key the vault was sealed with.")
    var reidentificationKey: String

    @Option(name: .shortAndLong, help: "Files processed in parallel (default: number of cores).")
    var jobs: Int?

    @Option(
        help: "Name input files in messages by path (show), by position (redact), or by path only on a terminal (auto)."
    )
    var paths: PathDisplay = .auto

    func run() throws {
        let console = Console(paths: paths, format: .text)
        do {
            let key = try ReidentificationKey(contentsOf: reidentificationKey)
            let reidentifier = try BatchReidentifier(
                outputFolder: output, vaultPath: vault, key: key,
                jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            let summary = try reidentifier.run(inputs: inputs) { event in
                if case .finished(let outcome) = event { console.report(outcome, dryRun: false, verbose: false) }
            }
            console.summary(summary, dryRun: false)
            if !summary.succeeded { throw ExitCode(1) }
        } catch let error as KeyError {
            console.fatal("re-identification key file: \(error)")
            throw ExitCode(2)
        } catch let error as BatchError {
            console.fatal(error.description)
            throw ExitCode(2)
        }
    }
}
