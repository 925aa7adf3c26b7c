import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation

/// Sends a de-identified output folder to a node (C-STORE, or STOW-RS for a DICOMweb node). The
/// manifest says which files the folder holds; a journal beside it says which the node already
/// has, so that a push resumes after a crash and every instance is sent at least once.
public struct OutputPush: Sendable {
    public var folder: String
    public var manifestPath: String
    public var node: NetworkNode
    public var callingAET: String
    /// Send files not marked de-identified (Patient Identity Removed is not YES).
    public var allowIdentified = false
    /// Instances per STOW-RS request.
    public var batchSize = 50

    public init(folder: String, manifestPath: String? = nil, node: NetworkNode, callingAET: String) {
        self.folder = folder
        self.manifestPath = manifestPath ?? (folder as NSString).appendingPathComponent("manifest.jsonl")
        self.node = node
        self.callingAET = callingAET
    }

    public struct Summary: Sendable {
        public var total = 0
        public var alreadySent = 0
        public var sent = 0
        /// Instances the node refused, with the status or reason (no identifier).
        public var failed: [String] = []
        /// Set when the transfer stopped early (node down, timeout): run the push again.
        public var stopped: NetworkError?
        public var journalPath = ""
        public var seconds = 0.0

        public var succeeded: Bool { failed.isEmpty && stopped == nil }
    }

    /// One output the manifest lists.
    struct Output {
        var relativePath: String
        var sopInstanceUID: String
    }

    public func run(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws(NetworkError) -> Summary {
        let start = Date()
        let outputs = try readManifest()
        let journalPath = PushJournal.path(manifest: manifestPath, node: node.name)
        let delivered = PushJournal.delivered(at: journalPath)
        let pending = outputs.filter { !delivered.contains($0.relativePath) }
        var summary = Summary(
            total: outputs.count, alreadySent: outputs.count - pending.count, journalPath: journalPath)
        let paths = pending.map { (folder as NSString).appendingPathComponent($0.relativePath) }
        if !allowIdentified { try checkDeidentified(paths) }
        if pending.isEmpty {
            summary.seconds = Date().timeIntervalSince(start)
            return summary
        }
        let journal: PushJournal
        do { journal = try PushJournal(path: journalPath) } catch {
            throw NetworkError(.configuration, node: node.name, "cannot write the push journal beside the manifest")
        }
        var done = 0
        if node.isWeb {
            let client = try DICOMwebClient(node: node)
            var index = 0
            while index < pending.count {
                let batch = Array(index..<min(index + batchSize, pending.count))
                do {
                    let stored = try client.store(files: batch.map { (paths[$0], pending[$0].sopInstanceUID) })
                    for (position, ok) in zip(batch, stored) {
                        if ok {
                            journal.record(pending[position].relativePath)
                            summary.sent += 1
                        } else {
                            summary.failed.append("an instance was not stored (STOW-RS failure list)")
                        }
                    }
                } catch {
                    summary.stopped = error
                    break
                }
                index += batch.count
                done += batch.count
                progress(done, pending.count)
            }
        } else {
            let client = try DIMSEClient(node: node, callingAET: callingAET)
            do {
                try client.store(files: paths) { index, status in
                    done += 1
                    if status.isSuccess || status.isWarning {
                        journal.record(pending[index].relativePath)
                        summary.sent += 1
                    } else {
                        summary.failed.append("C-STORE \(status)")
                    }
                    progress(done, pending.count)
                }
            } catch {
                summary.stopped = error
            }
        }
        journal.sync()
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    private func readManifest() throws(NetworkError) -> [Output] {
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw NetworkError(
                .configuration, node: node.name,
                "no manifest at \(manifestPath): push sends folders written by 'veil anonymize'")
        }
        var outputs: [Output] = []
        var seen = Set<String>()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                object["type"] as? String == "file",
                let status = object["status"] as? String, status == "written" || status == "unchanged",
                let output = object["output"] as? String, seen.insert(output).inserted
            else { continue }
            // Never leave the output folder, whatever the manifest says.
            guard !output.hasPrefix("/"), !output.split(separator: "/").contains("..") else { continue }
            let identifiers = object["identifiers"] as? [String: Any]
            outputs.append(
                Output(relativePath: output, sopInstanceUID: identifiers?["sopInstanceUID"] as? String ?? ""))
        }
        return outputs
    }

    /// Refuses the push when a file is missing or not marked de-identified.
    private func checkDeidentified(_ paths: [String]) throws(NetworkError) {
        var unmarked = 0
        for path in paths {
            let marked: Bool
            do {
                let file = try DICOMFile(path: path)
                marked =
                    try file.read().dataSet.string(.patientIdentityRemoved)?.trimmingCharacters(in: .whitespaces)
                    == "YES"
            } catch {
                marked = false
            }
            if !marked { unmarked += 1 }
        }
        if unmarked > 0 {
            throw NetworkError(
                .configuration, node: node.name,
                "refusing to push: \(unmarked) files are missing or not marked de-identified "
                    + "(Patient Identity Removed is not YES); --allow-identified sends them anyway"
            )
        }
    }
}
