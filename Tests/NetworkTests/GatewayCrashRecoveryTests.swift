import Foundation
import TestSupport
import Testing

/// `kill -9` of the gateway after reception: while a release is being de-identified, then while
/// one is being forwarded. The restarted gateway resumes from the spool alone (A sends nothing
/// again) and B ends with every instance once.
extension GatewayTests {
    /// Polls the spool's paths (relative to it) every few milliseconds until `condition` holds.
    static func waitForSpool(_ spool: String, timeout: Double = 60, _ condition: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition((try? FileManager.default.subpathsOfDirectory(atPath: spool)) ?? []) { return true }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return false
    }

    /// A release being de-identified: its batch has made its output folder in `ready` (the
    /// first sign of it; waiting for the first output file left too little time to kill before
    /// the release moved on when the machine was busy).
    static func deidentifying(_ paths: [String]) -> Bool {
        paths.contains { $0.hasPrefix("ready/") && $0.hasSuffix("/out") }
    }

    /// A release being forwarded: its push journal to B names some instances, and it is still in the outbox.
    static func forwarding(_ spool: String, _ paths: [String]) -> Bool {
        paths.contains {
            $0.hasPrefix("outbox/") && $0.hasSuffix(".push-research.journal")
                && ((try? FileManager.default.attributesOfItem(atPath: "\(spool)/\($0)")[.size] as? Int) ?? 0) > 0
        }
    }

    @Test func killDashNineDuringDeidentificationThenDuringForwardingLosesNothingAndSendsNothingTwice() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers)
        let expected = try Self.expectedAtB(servers)
        try gateway.start()
        let answer = try gateway.send()
        #expect(answer["FailedInstancesCount"] as? Int == 0, "\(answer)")

        // Every instance is in the spool and acknowledged; killed once a release's batch has started.
        #expect(Self.waitForSpool(gateway.spool, Self.deidentifying), "no de-identification seen")
        gateway.kill9()
        let afterFirstKill = try FileManager.default.subpathsOfDirectory(atPath: gateway.spool)
        #expect(
            afterFirstKill.contains { $0.hasPrefix("ready/") && $0.hasSuffix("/out") },
            "the kill came after de-identification")

        // Restarted: the batch resumes; killed again once a release's push to B is under way.
        try gateway.start()
        #expect(Self.waitForSpool(gateway.spool) { Self.forwarding(gateway.spool, $0) }, "no forwarding seen")
        gateway.kill9()
        let atBWhenKilled = try servers.instanceCount(servers.b)
        #expect(atBWhenKilled < expected.count, "the kill came after forwarding")
        #expect(try gateway.states()["outbox"] ?? 0 > 0)

        // Restarted: what the journals do not list is sent; nothing was asked of A again.
        try gateway.start()
        try gateway.waitUntilSettled()
        try Self.expectArchive(servers, holds: expected)
        #expect(gateway.stop() == 0, "\(gateway.log)")
        try Self.expectSpoolClean(gateway.spool)
        let states = try gateway.states()
        #expect(states["quarantine"] == 0 && states["held"] == 0, "\(states)")
        // Each release's manifest lists every instance it received once, and records its release once.
        for manifest in try gateway.deliveredManifests() {
            let outputs = manifest.outputs.map(\.sop)
            #expect(outputs.count == Set(outputs).count, "an output listed twice")
        }
        let done = gateway.spool + "/done/VEIL"
        let units = try FileManager.default.contentsOfDirectory(atPath: done).sorted()
        for unit in units {
            let text = try String(contentsOfFile: "\(done)/\(unit)/out/manifest.jsonl", encoding: .utf8)
            #expect(text.components(separatedBy: "\"type\":\"release\"").count - 1 == 1, "\(unit)")
        }

        // Killed after release.json said every destination confirmed, before the rename to done:
        // the restarted gateway finishes the release without sending it again.
        let unit = try #require(units.first)
        #expect(rename("\(done)/\(unit)", "\(gateway.spool)/outbox/VEIL/\(unit)") == 0)
        try gateway.start()
        try gateway.waitUntilSettled(timeout: 20)
        #expect(gateway.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: "\(done)/\(unit)/release.json"))
        try Self.expectArchive(servers, holds: expected)
    }
}
