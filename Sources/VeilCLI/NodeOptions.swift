import ArgumentParser
import DICOMNetwork
import Foundation

/// `--nodes`: where the named nodes are (see docs/network.md).
struct NodeOptions: ParsableArguments {
    @Option(help: "The nodes file (YAML; default ~/.config/veil/nodes.yaml).")
    var nodes: String?

    func directory() throws(NetworkError) -> NodeDirectory {
        try NodeDirectory.load(path: nodes ?? NodeDirectory.defaultPath)
    }
}

/// Network errors: one line on stderr naming the node, then the exit status.
enum NetworkFailure {
    static func exit(_ error: NetworkError, status: Int32 = 2) -> ExitCode {
        Console.writeError("veil: error: \(error.description)")
        return ExitCode(status)
    }
}
