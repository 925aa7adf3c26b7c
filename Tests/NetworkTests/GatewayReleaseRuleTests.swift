import Foundation
import TestSupport
import Testing

/// When a study leaves `incoming`: `max_wait` for a study that never goes quiet, and the
/// operator's `release`, `hold` and `retry`.
extension GatewayTests {
    /// The slices of a generated head series (one study, one series), in order.
    static func headSlices(_ name: String = "head01") throws -> [String] {
        try TestPaths.dicomFiles(in: HeadSeries.folder().appendingPathComponent(name)).map(\.path).sorted()
    }

    /// The JSON objects of a manifest or of the audit trail.
    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func studyThatKeepsTricklingInIsReleasedWhenMaxWaitPasses() throws {
        let servers = try OrthancServers(loadCorpus: false)
        // Never quiet (an instance every ~0.3 s, quiet needs 2 s): only max_wait can release it.
        let gateway = try GatewayProcess(servers, quietSeconds: 2, maxWait: "3s")
        try gateway.start()
        let slices = Array(try Self.headSlices().prefix(24))
        let start = Date()
        for slice in slices {
            try gateway.store([slice])
            Thread.sleep(forTimeInterval: 0.3)
        }
        let trickle = Date().timeIntervalSince(start)
        #expect(trickle > 4, "the trickle was too short to outlast max_wait: \(trickle) s")

        try gateway.waitUntilSettled()
        let releases = ((try gateway.status()["releases"] as? [[String: Any]]) ?? []).sorted {
            ($0["release"] as? Int ?? 0) < ($1["release"] as? Int ?? 0)
        }
        #expect(releases.count >= 2, "\(releases.count) releases")
        #expect(Set(releases.compactMap { $0["study"] as? String }).count == 1)
        let first = try #require(releases.first)
        #expect(first["reason"] as? String == "max_wait")
        #expect((first["instances"] as? Int ?? 0) < slices.count)  // released while still arriving
        #expect(releases.reduce(0) { $0 + ($1["instances"] as? Int ?? 0) } == slices.count)
        // One study at B, every slice once.
        #expect((try servers.json(servers.b, "/studies") as? [Any])?.count == 1)
        #expect(try servers.instanceCount(servers.b) == slices.count)
        #expect(try servers.sopInstanceUIDs(servers.b).count == slices.count)

        // The first release's manifest and the audit trail say which rule released it.
        let study = try #require(first["study"] as? String)
        let manifest = try Self.jsonLines("\(gateway.spool)/done/VEIL/\(study).r1/out/manifest.jsonl")
        let record = try #require(manifest.first { $0["type"] as? String == "release" })
        #expect(record["rule"] as? String == "max_wait")
        #expect(record["instances"] as? Int == first["instances"] as? Int)
        let audit = try Self.jsonLines(gateway.spool + "/audit.jsonl")
        #expect(
            audit.contains {
                $0["event"] as? String == "study released" && $0["release"] as? Int == 1
                    && $0["rule"] as? String == "max_wait"
            })
        #expect(gateway.stop() == 0)
    }

    @Test func operatorReleasesAnArrivingStudyHoldsItAtTheOutboxAndRetryDeliversItOnce() throws {
        let servers = try OrthancServers()
        // Quiet far longer than the test: only the operator releases the study.
        let gateway = try GatewayProcess(servers, quietSeconds: 600, retry: "100x1s")
        let study = try Self.studyThatDeidentifies(servers, minimumInstances: 2)
        try servers.stop(servers.b)
        try gateway.start()
        try gateway.send([study.study])
        let arriving = (try gateway.status()["arriving"] as? [[String: Any]]) ?? []
        #expect(arriving.count == 1)
        #expect(arriving.first?["instances"] as? Int == study.instances.count)
        let keyedStudy = try #require(arriving.first?["study"] as? String)

        // `release`: de-identified and in the outbox, waiting for B (down).
        let release = try gateway.veil(["release", keyedStudy])
        #expect(release.status == 0, "\(release.standardError)")
        func ourRelease() throws -> [String: Any]? {
            ((try gateway.status()["releases"] as? [[String: Any]]) ?? []).first {
                $0["study"] as? String == keyedStudy
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let attempts =
                ((try ourRelease()?["destinations"] as? [String: Any])?["research"] as? [String: Any])?["attempts"]
                as? Int ?? 0
            if attempts >= 1 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(try ourRelease()?["state"] as? String == "outbox")
        #expect(try ourRelease()?["reason"] as? String == "operator")

        // `hold`: B comes back, yet nothing is forwarded while the release is held.
        let hold = try gateway.veil(["hold", keyedStudy])
        #expect(hold.status == 0, "\(hold.standardError)")
        try servers.start(servers.b)
        Thread.sleep(forTimeInterval: 4)  // several steps of the 1 s retry ladder
        let held = try #require(try ourRelease())
        #expect(held["state"] as? String == "held")
        #expect(held["heldReason"] as? String == "held by the operator")
        #expect(try gateway.states()["held"] == 1)
        #expect(try servers.instanceCount(servers.b) == 0)

        // `retry`: delivered, each instance once.
        let retry = try gateway.veil(["retry", keyedStudy])
        #expect(retry.status == 0, "\(retry.standardError)")
        try gateway.waitUntilSettled()
        #expect(try servers.instanceCount(servers.b) == study.instances.count)
        #expect((try servers.json(servers.b, "/studies") as? [Any])?.count == 1)
        let releases = (try gateway.status()["releases"] as? [[String: Any]]) ?? []
        #expect(releases.count == 1 && releases.first?["state"] as? String == "done")
        let audit = try Self.jsonLines(gateway.spool + "/audit.jsonl")
        #expect(audit.contains { $0["event"] as? String == "study released" && $0["rule"] as? String == "operator" })
        #expect(audit.contains { $0["event"] as? String == "held" && $0["reason"] as? String == "operator" })
        #expect(audit.contains { $0["event"] as? String == "retry requested" })
        #expect(gateway.stop() == 0)
    }
}
