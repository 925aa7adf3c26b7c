import DICOMCore
import Deidentification
import Foundation
import TestSupport
import Testing

/// `veil pull` from Orthanc A and `veil push` to Orthanc B, end to end with the built binary.
@Suite(.serialized) struct PullPushTests {
    @Test func pullByMoveThenPushByCStoreGivesBExactlyTheDeidentifiedStudies() throws {
        let servers = try OrthancServers()
        let output = servers.folder.file("out").path
        // A temporary directory of its own: other suites' pulls run at the same time.
        let temporary = servers.folder.file("tmp").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let pull = try servers.veil(
            [
                "pull", "pacs", "--query", "PatientID=*", "--method", "move", "--output", output, "--key-file",
                servers.keyFile,
            ], environment: ["TMPDIR": temporary])
        // Exit 1: the corpus holds images with burned-in text, which fail on purpose.
        #expect(pull.status == 1, "\(pull.standardError)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty, "the raw folder was left behind")
        let manifest = try ManifestFacts(output)
        #expect(manifest.retrievals.count == (try servers.instancesPerStudy(servers.a)).count)
        #expect(manifest.retrievals.allSatisfy { $0.complete }, "\(pull.standardError)")
        // Every instance A holds arrived and was de-identified or failed with a reason.
        #expect(manifest.retrievals.map(\.received).reduce(0, +) == (try servers.instanceCount(servers.a)))
        #expect(manifest.outputs.count + manifest.failed == (try servers.instanceCount(servers.a)))

        let push = try servers.veil(["push", output, "--to", "research"])
        #expect(push.status == 0, "\(push.standardError)")
        try expectArchiveHolds(manifest, servers: servers)
        // Compressed instances reach B in their own transfer syntax (uncompressed ones may be
        // re-encoded in the uncompressed syntax B prefers).
        let stored = try servers.transferSyntaxes(servers.b)
        var compressed = 0
        for output in manifest.outputs
        where !["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"]
            .contains(output.transferSyntax)
        {
            #expect(stored[output.sop] == output.transferSyntax)
            compressed += 1
        }
        #expect(compressed >= 10)
    }

    @Test func pullByGetThenPushBySTOWRS() throws {
        let servers = try OrthancServers()
        let output = servers.folder.file("out").path
        let pull = try servers.veil([
            "pull", "pacs", "--query", "PatientID=*", "--method", "get", "--output", output, "--key-file",
            servers.keyFile,
        ])
        #expect(pull.status == 1, "\(pull.standardError)")
        let manifest = try ManifestFacts(output)
        #expect(manifest.retrievals.count == (try servers.instancesPerStudy(servers.a)).count)
        #expect(manifest.retrievals.allSatisfy { $0.complete }, "\(pull.standardError)")
        #expect(manifest.outputs.count + manifest.failed == (try servers.instanceCount(servers.a)))
        let push = try servers.veil(["push", output, "--to", "web"])
        #expect(push.status == 0, "\(push.standardError)")
        try expectArchiveHolds(manifest, servers: servers)
    }

    @Test func pullingTwiceWithTheSameKeyLeavesBUnchanged() throws {
        let servers = try OrthancServers()
        let output = servers.folder.file("out").path
        let arguments = [
            "pull", "pacs", "--query", "PatientID=*", "--method", "move", "--output", output, "--key-file",
            servers.keyFile, "--push", "research",
        ]
        let raw = servers.folder.file("raw").path
        let first = try servers.veil(arguments + ["--keep-raw", raw])
        #expect(first.status == 1, "\(first.standardError)")
        // --keep-raw: the originals, every instance A sent, in a folder only its owner can open.
        var status = stat()
        #expect(stat(raw, &status) == 0 && status.st_mode & 0o777 == 0o700)
        let kept = try FileManager.default.subpathsOfDirectory(atPath: raw).filter { $0.hasSuffix(".dcm") }
        #expect(kept.count == (try servers.instanceCount(servers.a)))
        let count = try servers.instanceCount(servers.b)
        #expect(count > 0)
        let second = try servers.veil(arguments)
        #expect(second.status == 1, "\(second.standardError)")
        #expect(second.standardOutput.contains("0 written"), "\(second.standardOutput)")
        #expect(try servers.instanceCount(servers.b) == count)
        try expectArchiveHolds(try ManifestFacts(output), servers: servers)
    }

    /// B holds exactly the outputs, study by study; none of its bytes holds planted PHI; every
    /// reference between corpus files resolves at B.
    func expectArchiveHolds(_ manifest: ManifestFacts, servers: OrthancServers) throws {
        #expect(try servers.instancesPerStudy(servers.b) == manifest.instancesPerStudy)
        let corpus = try PlantedCorpus.load()
        let scanner = corpus.scanner()
        for data in try servers.allInstanceFiles(servers.b) {
            let found = scanner.findings(in: data)
            #expect(found.isEmpty, "planted PHI at B: \(found.count) strings")
        }
        // References between corpus files point, at B, to the referenced instance's new UID.
        let keyed = KeyedIdentifiers(key: try DeidentificationKey(contentsOf: servers.keyFile))
        let written = Set(manifest.outputs.map(\.sop))
        let atB = try servers.sopInstanceUIDs(servers.b)
        #expect(atB == written)
        let files = try servers.allInstanceFiles(servers.b)
        var checked = 0
        for file in corpus.files {
            guard let referenced = file.references, written.contains(keyed.replacementUID(for: file.sopInstanceUID)),
                written.contains(keyed.replacementUID(for: referenced))
            else { continue }
            let own = Data(keyed.replacementUID(for: file.sopInstanceUID).utf8)
            let reference = Data(keyed.replacementUID(for: referenced).utf8)
            // A deflated data set hides its UIDs from a byte search: nothing to check there.
            guard file.transferSyntax != "1.2.840.10008.1.2.1.99" else { continue }
            #expect(files.contains { $0.range(of: own) != nil && $0.range(of: reference) != nil }, "\(file.file)")
            checked += 1
        }
        #expect(checked > 0)
    }
}

/// What a run's manifest says: outputs, failures, retrieval records.
struct ManifestFacts {
    struct Retrieval {
        var expected: Int?
        var received: Int
        var complete: Bool
        var study: String
    }

    var outputs: [(study: String, sop: String, transferSyntax: String)] = []
    var failed = 0
    var retrievals: [Retrieval] = []

    init(_ folder: String) throws {
        let text = try String(
            contentsOfFile: (folder as NSString).appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                continue
            }
            switch object["type"] as? String {
            case "file":
                let status = object["status"] as? String
                if status == "failed" { failed += 1 }
                if status == "written" || status == "unchanged", let ids = object["identifiers"] as? [String: Any] {
                    outputs.append(
                        (
                            ids["studyInstanceUID"] as? String ?? "", ids["sopInstanceUID"] as? String ?? "",
                            object["transferSyntaxUID"] as? String ?? ""
                        ))
                }
            case "retrieval":
                retrievals.append(
                    Retrieval(
                        expected: object["expected"] as? Int, received: object["received"] as? Int ?? -1,
                        complete: object["complete"] as? Bool ?? false, study: object["study"] as? String ?? ""))
            default: break
            }
        }
    }

    /// Distinct instances per study, as an archive keyed by SOP Instance UID within a study holds them.
    var instancesPerStudy: [String: Int] {
        var sets: [String: Set<String>] = [:]
        for output in outputs { sets[output.study, default: []].insert(output.sop) }
        return sets.mapValues(\.count)
    }
}
