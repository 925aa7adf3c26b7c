import ArgumentParser
import DICOMNetwork
import Foundation

struct EchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Check that a node answers: C-ECHO, or a QIDO-RS request for a DICOMweb node.",
        discussion: "Exit status 0 when the node answered with success, 2 otherwise (the reason on stderr).")

    @Argument(help: "The node's name in the nodes file.")
    var node: String

    @OptionGroup var nodeOptions: NodeOptions

    func run() throws {
        do {
            let directory = try nodeOptions.directory()
            let target = try directory.node(node)
            let start = Date()
            if target.isWeb {
                try DICOMwebClient(node: target).echo()
            } else {
                _ = try DIMSEClient(node: target, callingAET: directory.local.aet).echo()
            }
            print("\(node): ok (\(String(format: "%.0f", Date().timeIntervalSince(start) * 1000)) ms)")
        } catch {
            throw NetworkFailure.exit(error)
        }
    }
}
