import ArgumentParser
import Foundation
import VeilBatch

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Work with audit manifests.",
        subcommands: [Merge.self])

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Join the manifests of the shards of one batch (--shard 1/N … N/N) into one.",
            discussion:
                "Refuses manifests of different settings or keys, an input listed twice, and incomplete shard sets.")

        @Argument(help: "The shards' manifest.jsonl files.")
        var manifests: [String]

        @Option(name: .shortAndLong, help: "Where to write the merged manifest.")
        var output: String

        func run() throws {
            do {
                let counts = try ManifestMerge.merge(manifests, into: output)
                print(
                    "\(counts.inputs) files in: \(counts.written) written, \(counts.unchanged) unchanged, "
                        + "\(counts.skipped) skipped, \(counts.failed) failed")
                print("manifest: \(output)")
            } catch {
                Console.writeError("veil: error: \(error)")
                throw ExitCode(2)
            }
        }
    }
}
