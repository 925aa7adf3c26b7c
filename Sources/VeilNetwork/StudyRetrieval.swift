import DICOMCore
import DICOMNetwork
import Foundation

/// Retrieves whole studies from a DICOM node into a private folder, one C-MOVE or C-GET per
/// study, and says for each whether every instance the node announced arrived. What is done
/// with the instances (de-identification by the batch pipeline) is the caller's business.
public struct StudyRetrieval: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case move, get
    }

    /// A study to fetch. Its UID is an original identifier: never printed, never recorded.
    public struct Study: Sendable {
        public var studyInstanceUID: String
        /// Number of Study Related Instances from C-FIND, when the node gave it.
        public var expected: Int?
        /// SOP Classes in Study, for the C-GET storage contexts.
        public var sopClasses: [String]

        public init(studyInstanceUID: String, expected: Int?, sopClasses: [String]) {
            self.studyInstanceUID = studyInstanceUID
            self.expected = expected
            self.sopClasses = sopClasses
        }
    }

    /// What came of one study.
    public struct Outcome: Sendable {
        /// 1-based position in the list of studies: how messages name the study.
        public var number: Int
        public var expected: Int?
        public var received: Int
        public var failedSubOperations: Int
        public var status: DIMSEStatus?
        public var error: NetworkError?

        public var isComplete: Bool {
            guard error == nil, failedSubOperations == 0, let status, !status.isFailure else { return false }
            if let expected { return received >= expected }
            return received > 0
        }

        /// One line for the user: counts and status, no identifier.
        public var summary: String {
            let counts = "\(received) of \(expected.map(String.init) ?? "?") instances"
            if let error { return "study #\(number): \(counts): \(error.message)" }
            if isComplete { return "study #\(number): \(counts)" }
            var reasons: [String] = []
            if failedSubOperations > 0 { reasons.append("\(failedSubOperations) sub-operations failed") }
            if let status, !status.isSuccess { reasons.append(status.description) }
            let why = reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"
            return "study #\(number): incomplete: \(counts)\(why)"
        }
    }

    public let client: DIMSEClient
    public let local: LocalApplicationEntity
    public let method: Method

    public init(client: DIMSEClient, local: LocalApplicationEntity, method: Method) {
        self.client = client
        self.local = local
        self.method = method
    }

    /// The studies matching `keys` (C-FIND at study level), with their instance counts.
    public func studies(matching keys: [QueryKey]) throws(NetworkError) -> [Study] {
        let returnKeys = [
            QueryKey(.studyInstanceUID), QueryKey(.numberOfStudyRelatedInstances), QueryKey(.sopClassesInStudy),
        ]
        let all =
            keys.filter { key in !returnKeys.contains { $0.tag == key.tag } || !key.value.isEmpty }
            + returnKeys.filter { key in !keys.contains { $0.tag == key.tag } }
        // A PACS that files one study under two patients answers twice: one study, counts added.
        var studies: [Study] = []
        for match in try client.find(level: .study, keys: all) {
            guard let uid = match[.studyInstanceUID], !uid.isEmpty else { continue }
            let expected = match[.numberOfStudyRelatedInstances].flatMap { Int($0) }
            let classes = (match[.sopClassesInStudy] ?? "").split(separator: "\\").map(String.init)
            if let index = studies.firstIndex(where: { $0.studyInstanceUID == uid }) {
                studies[index].expected = expected.flatMap { count in studies[index].expected.map { $0 + count } }
                studies[index].sopClasses += classes.filter { !studies[index].sopClasses.contains($0) }
            } else {
                studies.append(Study(studyInstanceUID: uid, expected: expected, sopClasses: classes))
            }
        }
        return studies
    }

    /// The studies with these UIDs; one the node does not know is kept, with no expected count.
    public func studies(uids: [String]) throws(NetworkError) -> [Study] {
        var result: [Study] = []
        for uid in uids {
            let found = try studies(matching: [QueryKey(.studyInstanceUID, uid)])
            result.append(found.first ?? Study(studyInstanceUID: uid, expected: nil, sopClasses: []))
        }
        return result
    }

    /// Retrieves each study into `folder/study-<n>` (created mode 0700). A study that fails
    /// does not stop the others, except when the node cannot be reached at all.
    public func retrieve(
        _ studies: [Study], into folder: String, finished: (Outcome) -> Void = { _ in }
    )
        -> [Outcome]
    {
        var outcomes: [Outcome] = []
        var unreachable: NetworkError?
        var listener: MoveListener?
        if method == .move {
            // One listener for every study: its port stays open between the requests.
            var classes: [String] = []
            for study in studies {
                for sopClass in study.sopClasses where !classes.contains(sopClass) { classes.append(sopClass) }
            }
            do { listener = try client.openMoveListener(local: local, sopClasses: classes) } catch {
                unreachable = error
            }
        }
        for (index, study) in studies.enumerated() {
            var outcome = Outcome(
                number: index + 1, expected: study.expected, received: 0, failedSubOperations: 0, status: nil,
                error: unreachable)
            if unreachable == nil {
                let studyFolder = (folder as NSString).appendingPathComponent("study-\(index + 1)")
                do {
                    try FileManager.default.createDirectory(
                        atPath: studyFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    let keys = [QueryKey(.studyInstanceUID, study.studyInstanceUID)]
                    let result =
                        if let listener {
                            try client.move(level: .study, keys: keys, listener: listener, folder: studyFolder)
                        } else {
                            try client.get(
                                level: .study, keys: keys,
                                to: DIMSEClient.Destination(
                                    folder: studyFolder, local: local, sopClasses: Array(study.sopClasses.prefix(40))))
                        }
                    outcome.received = result.received
                    outcome.failedSubOperations = result.failed
                    outcome.status = result.status
                } catch let error as NetworkError {
                    outcome.error = error
                    outcome.received = Self.countFiles(in: studyFolder)
                    if error.kind == .connection || error.kind == .rejected || error.kind == .tls {
                        unreachable = error
                    }
                    // A C-MOVE refused before anything arrived, and never yet successful: most often
                    // the node does not know our AE title as a Move Destination. Stop, say so.
                    if method == .move, error.kind == .dimse, outcome.received == 0,
                        !outcomes.contains(where: { $0.received > 0 })
                    {
                        let destination = local.moveDestination ?? local.aet
                        unreachable = NetworkError(
                            .dimse, node: error.node,
                            "\(error.message): does the node know '\(destination)' (port \(local.port)) "
                                + "as a move destination, and does it send from its own AE title (else set "
                                + "store_aet in the nodes file)?"
                        )
                        outcome.error = unreachable
                    }
                } catch {
                    outcome.error = NetworkError(.receive, node: client.node.name, "cannot create the receive folder")
                }
            }
            finished(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    static func countFiles(in folder: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("received-") }
            .count
    }
}
