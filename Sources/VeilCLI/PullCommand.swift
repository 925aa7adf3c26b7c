import ArgumentParser
import DICOMCore
import DICOMNetwork
import Deidentification
import Foundation
import VeilNetwork

struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Retrieve studies from a node (C-MOVE or C-GET) and de-identify them in the same run.",
        discussion: """
            The instances arrive in a private temporary folder (mode 0700), are de-identified into \
            --output by the same pipeline as 'veil anonymize' (any of its options may follow), and \
            the temporary folder is removed at the end: originals are kept only with --keep-raw.

            C-MOVE needs the node to know Veil's AE title and port ('local' in the nodes file); \
            C-GET does not. The manifest gets one "retrieval" record per study: instances \
            announced by C-FIND (Number of Study Related Instances) and received. Exit status: 0 \
            every study complete and every file de-identified; 1 a study arrived incomplete or \
            files failed; 2 the node could not be reached or the run could not finish.

            Pulling the same studies again with the same key re-produces the same outputs \
            ("unchanged"), so the destination of a --push keeps one copy.
            """)

    @Argument(help: "The node to retrieve from (its name in the nodes file).")
    var node: String

    @Option(help: "A Study Instance UID to retrieve (repeat for more).")
    var study: [String] = []

    @Option(help: "Retrieve every study matching these keys (Keyword=value, as veil find -k).")
    var query: [String] = []

    @Option(help: "move (C-MOVE to our AE; the node must know it) or get (C-GET).")
    var method: StudyRetrieval.Method = .move

    @Option(name: .shortAndLong, help: "Folder for the de-identified files.")
    var output: String

    @Option(name: .customLong("key-file"), help: "Key for pseudonyms and replacement UIDs (veil keygen).")
    var keyFile: String

    @Option(help: "Also keep the original instances in this folder (mode 0700; holds PHI).")
    var keepRaw: String?

    @OptionGroup var nodeOptions: NodeOptions

    @Argument(parsing: .allUnrecognized, help: "Options of 'veil anonymize' (e.g. --deface, --push NODE).")
    var anonymizeOptions: [String] = []

    enum Failure: Error { case exit(Int32) }

    func validate() throws {
        if study.isEmpty == query.isEmpty {
            throw ValidationError("give --study UID… or --query Keyword=value…, not both")
        }
    }

    func run() throws {
        var keys: [QueryKey] = []
        for argument in query {
            guard let key = QueryKey(argument: argument), !key.value.isEmpty else {
                let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                throw ValidationError("--query \(name)=…: expected Keyword=value with a DICOM keyword")
            }
            keys.append(key)
        }
        let key: DeidentificationKey
        do { key = try DeidentificationKey(contentsOf: keyFile) } catch {
            Console.writeError("veil: error: key file: \(error)")
            throw ExitCode(2)
        }
        let directory: NodeDirectory
        let retrieval: StudyRetrieval
        let studies: [StudyRetrieval.Study]
        do {
            directory = try nodeOptions.directory()
            let source = try directory.node(node)
            let client = try DIMSEClient(node: source, callingAET: directory.local.aet)
            retrieval = StudyRetrieval(client: client, local: directory.local, method: method)
            studies = study.isEmpty ? try retrieval.studies(matching: keys) : try retrieval.studies(uids: study)
        } catch {
            throw NetworkFailure.exit(error)
        }
        if studies.isEmpty {
            Console.writeError("veil: \(node): no study matches")
            return
        }

        // Raw instances live only here: private, removed whatever happens (after a kill -9, by
        // the next pull).
        for name in RawFolder.removeAbandoned() {
            Console.writeError("veil: removed \(name): originals an interrupted pull left behind")
        }
        guard let raw = RawFolder.make() else {
            Console.writeError("veil: error: cannot make a private temporary folder")
            throw ExitCode(2)
        }
        defer { try? FileManager.default.removeItem(atPath: raw) }
        let interruption = RawFolderGuard(raw)
        defer { withExtendedLifetime(interruption) {} }

        Console.writeError("veil: \(node): retrieving \(studies.count) studies by C-\(method.rawValue.uppercased())")
        let outcomes = retrieval.retrieve(studies, into: raw) { outcome in
            Console.writeError("veil: \(node): \(outcome.summary)")
        }
        var exitStatus: Int32 = outcomes.allSatisfy(\.isComplete) ? 0 : 1
        if outcomes.allSatisfy({ $0.received == 0 }),
            let unreachable = outcomes.first(where: { $0.error != nil })?.error
        {
            Console.writeError("veil: error: \(unreachable.description)")
            exitStatus = 2
        }
        if let keepRaw {
            do {
                try FileManager.default.createDirectory(
                    atPath: keepRaw, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                for name in try FileManager.default.contentsOfDirectory(atPath: raw) {
                    let target = (keepRaw as NSString).appendingPathComponent(name)
                    try? FileManager.default.removeItem(atPath: target)
                    try FileManager.default.copyItem(
                        atPath: (raw as NSString).appendingPathComponent(name), toPath: target)
                }
            } catch {
                Console.writeError("veil: error: cannot copy the originals to --keep-raw")
                exitStatus = max(exitStatus, 1)
            }
        }

        if outcomes.contains(where: { $0.received > 0 }) {
            var arguments = [raw, "--output", output, "--key-file", keyFile] + anonymizeOptions
            if let nodes = nodeOptions.nodes, anonymizeOptions.contains("--push") { arguments += ["--nodes", nodes] }
            do {
                let command = try AnonymizeCommand.parse(arguments)
                try command.execute(
                    defaceRequiresHead: false,
                    beforePush: { manifest in
                        let keyed = KeyedIdentifiers(key: key)
                        let records = zip(outcomes, studies).map { outcome, study in
                            RetrievalRecord(
                                outcome: outcome, study: study, node: node, method: method.rawValue, keyed: keyed)
                        }
                        do { try RetrievalRecord.append(records, toManifest: manifest) } catch {
                            Console.writeError("veil: error: cannot add the retrieval records to the manifest")
                        }
                    })
            } catch let code as ExitCode {
                exitStatus = max(exitStatus, code.rawValue)
            } catch {
                Console.writeError("veil: error: \(error)")
                exitStatus = 2
            }
        }
        let complete = outcomes.filter(\.isComplete).count
        Console.writeError("veil: \(node): \(complete) of \(outcomes.count) studies complete")
        if exitStatus != 0 { throw ExitCode(exitStatus) }
    }
}
extension StudyRetrieval.Method: ExpressibleByArgument {}

/// Removes the raw folder when the run is interrupted (Ctrl-C, SIGTERM): originals never outlive
/// a pull, however it ends (kill -9 excepted: the folder is then in the temporary directory, mode 0700).
final class RawFolderGuard: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(_ folder: String) {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                try? FileManager.default.removeItem(atPath: folder)
                Console.writeError("veil: interrupted: the retrieved originals were removed")
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
