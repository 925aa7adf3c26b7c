import ArgumentParser
import Deidentification
import Foundation
import TextRedaction

@main
struct VeilCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veil",
        abstract: "De-identify DICOM files (DICOM PS3.15 Annex E) with an audit manifest.",
        discussion: """
            Start with a key, so that pseudonyms and replacement UIDs stay the same in every batch:

              veil keygen project.key
              veil anonymize EXPORT --output DEIDENTIFIED --key-file project.key

            Exit status: 0 when every file was de-identified or skipped on purpose; 1 when some \
            files failed (each is reported on stderr, nothing is written for it); 2 when the run \
            could not start or finish; 64 for an invalid command line.
            """,
        version: "veil \(Veil.version) (DICOM PS3.15 \(ConfidentialityProfileTable.edition))",
        subcommands: [
            AnonymizeCommand.self, DefaceCommand.self, ExportCommand.self, VerifyCommand.self, ReviewCommand.self,
            ReidentifyCommand.self,
            ManifestCommand.self,
            ProfileCommand.self, KeygenCommand.self, EchoCommand.self, FindCommand.self, PullCommand.self,
            PushCommand.self, GatewayCommand.self,
        ]
    )

    /// `--clean-pixel-data` may stand alone: it then means `--clean-pixel-data flagged`.
    static func bareOptionsGivenDefaults(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            result.append(argument)
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if argument == "--clean-pixel-data", !TextTriage.Scope.allCases.map(\.rawValue).contains(next ?? "") {
                result.append(TextTriage.Scope.flagged.rawValue)
            }
        }
        return result
    }

    static func main() {
        // A file-size limit (ulimit -f) must fail the write it stops, with a message, instead of
        // killing the process mid-batch.
        signal(SIGXFSZ, SIG_IGN)
        var command: ParsableCommand
        do { command = try parseAsRoot(bareOptionsGivenDefaults(Array(CommandLine.arguments.dropFirst()))) } catch {
            exit(withError: error)
        }
        do { try command.run() } catch { exit(withError: error) }
    }
}
