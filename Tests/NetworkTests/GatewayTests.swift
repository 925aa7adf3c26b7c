import DICOMIO
import DICOMNetwork
import Deidentification
import Foundation
import TestSupport
import Testing
import VeilGateway

/// `veil gateway run` between Orthanc A (the PACS sending) and Orthanc B (the research archive).
@Suite(.serialized) struct GatewayTests {
    /// The SOP Instance UIDs B must end with: A's instances, keyed, that `veil anonymize`
    /// de-identifies from the corpus with the same key (the corpus's burned-in image fails on purpose).
    static func expectedAtB(_ servers: OrthancServers) throws -> Set<String> {
        let output = servers.folder.file("offline").path
        _ = try ExternalTool.run(
            Binaries.veil,
            ["anonymize", TestPaths.plantedCorpus.path, "--output", output, "--key-file", servers.keyFile])
        let offline = Set(try ManifestFacts(output).outputs.map(\.sop))
        let keyed = KeyedIdentifiers(key: try DeidentificationKey(contentsOf: servers.keyFile))
        return Set(try servers.sopInstanceUIDs(servers.a).map { keyed.replacementUID(for: $0) }).intersection(offline)
    }

    /// B holds exactly `expected`, each once, and no planted PHI in any byte.
    static func expectArchive(_ servers: OrthancServers, holds expected: Set<String>) throws {
        #expect(expected.count >= 30)
        let atB = try servers.sopInstanceUIDs(servers.b)
        #expect(atB == expected, "B: \(atB.count), expected \(expected.count)")
        #expect(try servers.instanceCount(servers.b) == expected.count)
        let scanner = try PlantedCorpus.load().scanner()
        for data in try servers.allInstanceFiles(servers.b) {
            let found = scanner.findings(in: data)
            #expect(found.isEmpty, "planted PHI at B: \(found.count) strings")
        }
    }

    /// No partial file, and every instance file in the spool readable.
    static func expectSpoolClean(_ spool: String) throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: spool)
        #expect(!files.contains { $0.hasSuffix(".partial") }, "a partial file was left in the spool")
        for file in files where file.hasSuffix(".dcm") {
            #expect(throws: Never.self) { _ = try DICOMFile(path: "\(spool)/\(file)").read() }
        }
    }

    @Test func corpusFromAReachesBDeidentifiedOnceAndSIGTERMStopsCleanly() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers)
        try gateway.start()
        let answer = try gateway.send()
        #expect(answer["FailedInstancesCount"] as? Int == 0, "\(answer)")
        try gateway.waitUntilSettled()
        try Self.expectArchive(servers, holds: try Self.expectedAtB(servers))
        #expect(gateway.stop() == 0, "\(gateway.log)")

        // Spool: private, named by keyed identifiers only, originals gone once delivered.
        var status = stat()
        #expect(stat(gateway.spool, &status) == 0 && status.st_mode & 0o777 == 0o700)
        let names = try FileManager.default.subpathsOfDirectory(atPath: gateway.spool)
        let corpus = try PlantedCorpus.load()
        for file in corpus.files {
            #expect(!names.contains { $0.contains(file.sopInstanceUID) || $0.contains(file.studyInstanceUID) })
        }
        #expect(!names.contains { $0.hasPrefix("done/") && $0.contains("/raw/") }, "raw instances left after delivery")
        // The audit trail names the PS3.15 A.5 messages and carries no planted value.
        let audit = try Data(contentsOf: URL(fileURLWithPath: gateway.spool + "/audit.jsonl"))
        let text = String(decoding: audit, as: UTF8.self)
        for message in [
            "Application Activity", "Begin Transferring DICOM Instances", "DICOM Instances Transferred",
            "Export",
        ] {
            #expect(text.contains("\"message\":\"\(message)\""), "\(message)")
        }
        #expect(corpus.scanner().findings(in: audit).isEmpty)
        #expect(!corpus.files.contains { text.contains($0.sopInstanceUID) || text.contains($0.studyInstanceUID) })
        try Self.expectSpoolClean(gateway.spool)
    }

    @Test func unknownCallingAEWrongAddressUnknownCalledAEAreRejectedAndGarbageDoesNotStopIt() throws {
        try ExternalTool.require("echoscu", package: "dcmtk")
        let servers = try OrthancServers(loadCorpus: false)
        let gateway = try GatewayProcess(servers, extraSources: ", {aet: FARAWAY, hosts: [10.0.0.0/8]}")
        try gateway.start()
        func echo(_ calling: String, _ called: String) throws -> ToolRun {
            try ExternalTool.run("echoscu", ["-aet", calling, "-aec", called, "127.0.0.1", "\(servers.localPort)"])
        }
        let unknownCalling = try echo("INTRUDER", "VEIL")
        #expect(unknownCalling.status != 0)
        #expect(
            unknownCalling.standardError.contains("Calling AE Title Not Recognized"), "\(unknownCalling.standardError)")
        let wrongAddress = try echo("FARAWAY", "VEIL")
        #expect(wrongAddress.status != 0)
        #expect(wrongAddress.standardError.contains("Association Rejected"), "\(wrongAddress.standardError)")
        let unknownCalled = try echo("ORTHANC_A", "ELSEWHERE")
        #expect(unknownCalled.status != 0)
        #expect(
            unknownCalled.standardError.contains("Called AE Title Not Recognized"), "\(unknownCalled.standardError)")

        // Malformed traffic: random bytes, an A-ASSOCIATE-RQ announcing 2 GiB, P-DATA before any association.
        var generator = SystemRandomNumberGenerator()
        gateway.sendRaw((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        gateway.sendRaw([0x01, 0x00, 0x7F, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64))
        gateway.sendRaw([0x04, 0x00, 0x00, 0x00, 0x00, 0x10] + [UInt8](repeating: 0x41, count: 16))
        let allowed = try echo("ORTHANC_A", "VEIL")
        #expect(allowed.status == 0, "\(allowed.standardError) \(gateway.log)")

        let audit = try String(contentsOfFile: gateway.spool + "/audit.jsonl", encoding: .utf8)
        let alerts = audit.split(separator: "\n").filter { $0.contains("\"message\":\"Security Alert\"") }
        #expect(alerts.filter { $0.contains("calling AE title not recognized") && $0.contains("INTRUDER") }.count == 1)
        #expect(alerts.filter { $0.contains("peer address not allowed") && $0.contains("FARAWAY") }.count == 1)
        #expect(alerts.filter { $0.contains("called AE title not recognized") && $0.contains("ELSEWHERE") }.count == 1)
        // The malformed requests DCMTK refused itself are security alerts too, and nothing else was.
        #expect(alerts.count <= 6, "\(alerts)")
        let accepted = audit.split(separator: "\n").filter { $0.contains("\"event\":\"association accepted\"") }
        #expect(accepted.count == 1 && accepted.allSatisfy { $0.contains("ORTHANC_A") }, "\(accepted)")
        #expect(gateway.stop() == 0)
    }

    @Test func killDashNineMidTransferThenResendGivesEveryInstanceExactlyOnce() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers)
        try gateway.start()
        let incoming = gateway.spool + "/incoming/VEIL"
        try gateway.send(asynchronous: true)
        // Killed once some instances are in the spool and others are still on the way.
        let deadline = Date().addingTimeInterval(30)
        var received = 0
        while Date() < deadline, received < 8 {
            received =
                ((try? FileManager.default.subpathsOfDirectory(atPath: incoming)) ?? []).filter {
                    $0.hasSuffix(".dcm")
                }.count
            Thread.sleep(forTimeInterval: 0.005)
        }
        gateway.kill9()
        #expect(received >= 8)
        #expect(received < (try servers.instanceCount(servers.a)), "the transfer was over before the kill")
        try Self.expectSpoolClean(gateway.spool + "/incoming/VEIL")

        try gateway.start()
        try gateway.send()  // A sends its job again
        try gateway.waitUntilSettled()
        try Self.expectArchive(servers, holds: try Self.expectedAtB(servers))
        #expect(gateway.stop() == 0)
        try Self.expectSpoolClean(gateway.spool)
    }

    @Test func threeSendersAtOnceThenSIGTERMMidTransferThenResendGivesEveryInstanceOnce() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers)
        try gateway.start()
        for _ in 0..<3 { try gateway.send(asynchronous: true) }
        let incoming = gateway.spool + "/incoming/VEIL"
        let deadline = Date().addingTimeInterval(30)
        var received = 0
        while Date() < deadline, received < 5 {
            received =
                ((try? FileManager.default.subpathsOfDirectory(atPath: incoming)) ?? []).filter {
                    $0.hasSuffix(".dcm")
                }.count
            Thread.sleep(forTimeInterval: 0.005)
        }
        // SIGTERM while associations are open: they finish, the process exits 0, the spool is whole.
        #expect(gateway.stop() == 0, "\(gateway.log)")
        try Self.expectSpoolClean(gateway.spool)
        let accepted =
            try String(contentsOfFile: gateway.spool + "/audit.jsonl", encoding: .utf8)
            .components(separatedBy: "\"event\":\"association accepted\"").count - 1
        #expect(accepted >= 2, "the senders were not served")

        try gateway.start()
        try gateway.send()
        try gateway.waitUntilSettled()
        try Self.expectArchive(servers, holds: try Self.expectedAtB(servers))
        #expect(gateway.stop() == 0)
    }

    @Test func tlsListenerServesTLSPeersOnlyAndTheirInstancesArrive() throws {
        try ExternalTool.require("storescu", package: "dcmtk")
        let servers = try OrthancServers(loadCorpus: false)
        let tls = try TLSFiles(in: servers.folder.path)
        let gateway = try GatewayProcess(
            servers,
            listenOptions:
                ", tls: {certificate: \(tls.serverCertificate), key: \(tls.serverKey), trusted: \(tls.caCertificate)}"
        )
        try gateway.start()
        let address = ["127.0.0.1", "\(servers.localPort)"]
        let client = ["+tls", tls.clientKey, tls.clientCertificate, "+cf", tls.caCertificate]
        let plain = try ExternalTool.run("echoscu", ["-aet", "ORTHANC_A", "-aec", "VEIL"] + address)
        #expect(plain.status != 0, "plain TCP was served on the TLS port")
        let file = try #require(
            try FileManager.default.subpathsOfDirectory(atPath: TestPaths.plantedCorpus.path).sorted().first {
                $0.hasSuffix(".dcm")
            })
        let store = try ExternalTool.run(
            "storescu",
            ["-aet", "ORTHANC_A", "-aec", "VEIL"] + client + address + [
                TestPaths.plantedCorpus.appendingPathComponent(file).path
            ])
        #expect(store.status == 0, "\(store.standardError)")
        try gateway.waitUntilSettled()
        let manifests = try gateway.deliveredManifests()
        #expect(manifests.flatMap(\.outputs).count == 1)
        #expect(try servers.instanceCount(servers.b) == 1)
        #expect(gateway.stop() == 0)
    }

    @Test func destinationDownThenUpEverythingArrivesAndStatusShowsRetries() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers, retry: "2x1s,50x1s")
        try servers.stop(servers.b)
        try gateway.start()
        try gateway.send()
        // B is down: releases wait in the outbox, the destination shows down with retries.
        let deadline = Date().addingTimeInterval(60)
        var research: [String: Any] = [:]
        while Date() < deadline {
            research = ((try gateway.status()["destinations"] as? [String: Any])?["research"] as? [String: Any]) ?? [:]
            if (research["retries"] as? Int ?? 0) >= 2 { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(research["up"] as? Bool == false, "\(research)")
        #expect((research["retries"] as? Int ?? 0) >= 2, "\(research)")
        #expect(try gateway.states()["held"] == 0)
        let text = try gateway.veil(["status"]).standardOutput
        #expect(text.contains("destination research: down"), "\(text)")

        try servers.start(servers.b)
        try gateway.waitUntilSettled()
        try Self.expectArchive(servers, holds: try Self.expectedAtB(servers))
        #expect(gateway.stop() == 0)
    }

    /// An Orthanc study at A (its id and its instances' ids) with at least `minimumInstances`
    /// instances, every one of which de-identifies.
    static func studyThatDeidentifies(
        _ servers: OrthancServers, minimumInstances: Int
    ) throws -> (
        study: String, instances: [String]
    ) {
        let expected = try expectedAtB(servers)
        let keyed = KeyedIdentifiers(key: try DeidentificationKey(contentsOf: servers.keyFile))
        for id in (try servers.json(servers.a, "/studies") as? [String]) ?? [] {
            let instances = (try servers.json(servers.a, "/studies/\(id)/instances") as? [[String: Any]]) ?? []
            let uids = instances.compactMap { ($0["MainDicomTags"] as? [String: Any])?["SOPInstanceUID"] as? String }
            if instances.count >= minimumInstances,
                uids.allSatisfy({ expected.contains(keyed.replacementUID(for: $0)) })
            {
                return (id, instances.compactMap { $0["ID"] as? String })
            }
        }
        throw ToolFailure(message: "no study of \(minimumInstances) instances that all de-identify")
    }

    @Test func retriesUsedUpHoldTheReleaseThenRetryDeliversItAndPurgeRemovesIt() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers, retry: "2x1s")
        let study = try Self.studyThatDeidentifies(servers, minimumInstances: 1)
        try servers.stop(servers.b)
        try gateway.start()
        try gateway.send([study.study])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try gateway.states()["held"] ?? 0) == 0 { Thread.sleep(forTimeInterval: 0.3) }
        let releases = (try gateway.status()["releases"] as? [[String: Any]]) ?? []
        let held = try #require(releases.first { $0["state"] as? String == "held" })
        #expect((held["heldReason"] as? String ?? "").contains("retries used up"), "\(held)")
        let keyedStudy = try #require(held["study"] as? String)

        try servers.start(servers.b)
        let retry = try gateway.veil(["retry", keyedStudy])
        #expect(retry.status == 0, "\(retry.standardError)")
        try gateway.waitUntilSettled()
        #expect(try servers.instanceCount(servers.b) == study.instances.count)

        let purge = try gateway.veil(["purge", "--done-older-than", "0s"])
        #expect(purge.status == 0)
        #expect(try gateway.states()["done"] == 0)
        #expect(gateway.stop() == 0)
        let audit = try String(contentsOfFile: gateway.spool + "/audit.jsonl", encoding: .utf8)
        for event in ["\"event\":\"held\"", "\"event\":\"retry requested\"", "\"event\":\"purged\""] {
            #expect(audit.contains(event), "\(event)")
        }
    }

    @Test func countFromTheSourceReleasesAStudyOnceAllItsInstancesArrivedAndNotBefore() throws {
        let servers = try OrthancServers()
        // A quiet period far longer than the test: only the count can release the study.
        let gateway = try GatewayProcess(servers, quietSeconds: 600, routeOptions: ["count_from: pacs"])
        try gateway.start()
        // The corpus files one Study Instance UID under two patients: two studies at A, whose
        // instances C-FIND counts together and the gateway keys as one study. Send one, then the other.
        let expected = try Self.expectedAtB(servers)
        let keyed = KeyedIdentifiers(key: try DeidentificationKey(contentsOf: servers.keyFile))
        var byUID: [String: [(id: String, instances: [String], sops: [String])]] = [:]
        for id in (try servers.json(servers.a, "/studies") as? [String]) ?? [] {
            let study = try servers.json(servers.a, "/studies/\(id)") as? [String: Any]
            let uid = (study?["MainDicomTags"] as? [String: Any])?["StudyInstanceUID"] as? String ?? ""
            let instances = (try servers.json(servers.a, "/studies/\(id)/instances") as? [[String: Any]]) ?? []
            byUID[uid, default: []].append(
                (
                    id, instances.compactMap { $0["ID"] as? String },
                    instances.compactMap { ($0["MainDicomTags"] as? [String: Any])?["SOPInstanceUID"] as? String }
                ))
        }
        let shared = try #require(
            byUID.values.sorted { $0[0].id < $1[0].id }.first { parts in
                parts.count == 2
                    && parts.allSatisfy { $0.sops.allSatisfy { expected.contains(keyed.replacementUID(for: $0)) } }
            })
        try gateway.send([shared[0].id])
        Thread.sleep(forTimeInterval: 3)
        #expect(try gateway.states()["incoming"] == 1)
        #expect(((try gateway.status()["releases"] as? [Any]) ?? []).isEmpty, "released before every instance arrived")
        try gateway.send([shared[1].id])
        try gateway.waitUntilSettled(timeout: 60)
        let total = shared[0].instances.count + shared[1].instances.count
        let releases = (try gateway.status()["releases"] as? [[String: Any]]) ?? []
        #expect(releases.count == 1)
        #expect(releases.first?["reason"] as? String == "count")
        #expect(releases.first?["instances"] as? Int == total)
        #expect(try servers.instanceCount(servers.b) == total)
        #expect(gateway.stop() == 0)
    }

    @Test func studySentInTwoPartsIsOneStudyAtB() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers)
        try gateway.start()
        let study = try Self.studyThatDeidentifies(servers, minimumInstances: 2)
        try gateway.send([study.instances[0]])
        try gateway.waitUntilSettled()
        try gateway.send(Array(study.instances.dropFirst()))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try gateway.states()["done"] ?? 0) < 2 { Thread.sleep(forTimeInterval: 0.3) }
        try gateway.waitUntilSettled()
        #expect(try gateway.states()["done"] == 2)
        let atB = (try servers.json(servers.b, "/studies") as? [String]) ?? []
        #expect(atB.count == 1)
        #expect(try servers.instanceCount(servers.b) == study.instances.count)
        let releases = (try gateway.status()["releases"] as? [[String: Any]]) ?? []
        #expect(Set(releases.compactMap { $0["study"] as? String }).count == 1)
        #expect(Set(releases.compactMap { $0["release"] as? Int }) == [1, 2])
        // Each release's manifest records it, under the same keyed study.
        let done = gateway.spool + "/done/VEIL"
        let manifests = try FileManager.default.contentsOfDirectory(atPath: done).map {
            try String(contentsOfFile: "\(done)/\($0)/out/manifest.jsonl", encoding: .utf8)
        }
        #expect(manifests.count == 2)
        #expect(manifests.allSatisfy { $0.contains("\"type\":\"release\"") && $0.contains("\"rule\":\"quiet\"") })
        #expect(gateway.stop() == 0)
    }

    /// What each written output of a manifest holds, by keyed SOP Instance UID.
    static func outputsBySOP(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let text = try String(contentsOfFile: folder + "/manifest.jsonl", encoding: .utf8)
        for line in text.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["type"] as? String == "file", let output = object["output"] as? String,
                let sop = (object["identifiers"] as? [String: Any])?["sopInstanceUID"] as? String
            else { continue }
            result[sop] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + output))
        }
        return result
    }

    @Test func routeProfileAndTextCleaningGiveTheSameFilesAsVeilAnonymize() throws {
        let servers = try OrthancServers()
        let profile = servers.folder.file("ct.yaml").path
        try """
        options:
          retain-patient-characteristics: true
          clean-descriptors: true
        """.write(toFile: profile, atomically: true, encoding: .utf8)
        let gateway = try GatewayProcess(
            servers, routeOptions: ["profile: \(profile)", "clean_pixel_data: flagged"])
        try gateway.start()
        try gateway.send()
        try gateway.waitUntilSettled()
        #expect(gateway.stop() == 0)

        let offline = servers.folder.file("offline").path
        _ = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", TestPaths.plantedCorpus.path, "--output", offline, "--key-file", servers.keyFile,
                "--profile", profile, "--clean-pixel-data", "flagged",
            ])
        let expected = try Self.outputsBySOP(offline)
        var delivered: [String: Data] = [:]
        let done = gateway.spool + "/done/VEIL"
        for unit in try FileManager.default.contentsOfDirectory(atPath: done) {
            delivered.merge(try Self.outputsBySOP("\(done)/\(unit)/out")) { first, _ in first }
        }
        // The burned-in image is cleaned, not failed: every instance A holds arrives.
        #expect(delivered.count == (try servers.instanceCount(servers.a)))
        #expect(try servers.sopInstanceUIDs(servers.b) == Set(delivered.keys))
        // Byte for byte, except where the instance changed on the way: the corpus plants
        // odd-length OW Pixel Data, which DCMTK's network reception pads and file input keeps;
        // then the data sets must still print the same.
        var compared = 0
        for (sop, data) in delivered {
            guard let reference = expected[sop] else {
                Issue.record("an output veil anonymize did not write")
                continue
            }
            compared += 1
            if reference == data { continue }
            let same = try servers.sameDataSet(data, reference)
            #expect(data.count == reference.count && same, "the gateway's output differs")
        }
        #expect(compared == delivered.count)
    }

    @Test func spoolBelowItsReserveAnswersA700AndStoresNothing() throws {
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(servers, minimumFreeMB: 100_000_000)
        try gateway.start()
        let ids = try servers.json(servers.a, "/studies") as? [String] ?? []
        let body = try JSONSerialization.data(withJSONObject: ["Resources": [ids[0]], "Synchronous": true])
        let answer = try servers.http("POST", servers.a.url + "/modalities/VEIL/store", body: body)
        #expect(answer.status != 200, "Orthanc A believed the store succeeded")
        Thread.sleep(forTimeInterval: 1.5)
        let files = try FileManager.default.subpathsOfDirectory(atPath: gateway.spool)
        #expect(!files.contains { $0.hasSuffix(".dcm") })
        #expect(try servers.instanceCount(servers.b) == 0)
        let audit = try String(contentsOfFile: gateway.spool + "/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("instance refused: spool full"))
        #expect(gateway.stop() == 0)
    }
}

/// The configuration and the pieces of policy, without servers.
@Suite struct GatewayConfigurationTests {
    /// A folder with what a configuration names: nodes.yaml (node `b`) and the key file k.key.
    static func configurationFolder(_ name: String) throws -> TemporaryFolder {
        let folder = TemporaryFolder(name)
        try "nodes: {b: {aet: B, host: 127.0.0.1, port: 4242}}".write(
            toFile: folder.file("nodes.yaml").path, atomically: true, encoding: .utf8)
        _ = try ExternalTool.run(Binaries.veil, ["keygen", folder.file("k.key").path])
        return folder
    }

    @Test func refusesToStartUnlessTheSpoolVolumeIsDeclaredEncrypted() throws {
        let folder = try Self.configurationFolder("gateway-config")
        let body = """
            spool: spool
            listen: {aet: VEIL, port: 11112}
            nodes: nodes.yaml
            routes:
              - {called_aet: VEIL_CT, sources: [{aet: PACS1, hosts: [10.1.2.0/24]}], key_file: k.key, destinations: [b]}
            study: {quiet_seconds: 60, max_wait: 4h}
            """
        #expect(throws: GatewayConfiguration.Problem.self) {
            try GatewayConfiguration.parse(body, relativeTo: folder.path)
        }
        let configuration = try GatewayConfiguration.parse(
            body + "\nspool_volume_encrypted: true", relativeTo: folder.path)
        #expect(configuration.maxWait == 4 * 3600)
        #expect(configuration.quietSeconds == 60)
        #expect(configuration.routes.first?.destinations.first?.name == "b")
    }

    @Test func addressRangesMatchByPrefix() {
        let range = AddressRange("10.1.2.0/24")!
        #expect(range.contains("10.1.2.77"))
        #expect(!range.contains("10.1.3.1"))
        #expect(AddressRange("127.0.0.1")!.contains("::ffff:127.0.0.1"))
        #expect(AddressRange("fd00::/8")!.contains("fd12::1"))
        #expect(AddressRange("10.0.0.0/33") == nil)
    }

    /// The hospital configuration of docs/gateway.md, its files put in a test folder, is valid.
    @Test func hospitalConfigurationOfTheDocsIsValid() throws {
        let folder = TemporaryFolder("gateway-docs")
        let text = try String(
            contentsOf: TestPaths.repository.appendingPathComponent("docs/gateway.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().map {
            $0.components(separatedBy: "```")[0].replacingOccurrences(of: "/etc/veil/", with: folder.path + "/")
        }
        try #require(blocks.count >= 4)
        try FileManager.default.createDirectory(atPath: folder.path + "/keys", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.path + "/profiles", withIntermediateDirectories: true)
        for key in ["keys/ct-project.key", "keys/brain-mr.key"] {
            _ = try ExternalTool.run(Binaries.veil, ["keygen", folder.file(key).path])
        }
        try blocks[1].write(toFile: folder.file("nodes.yaml").path, atomically: true, encoding: .utf8)
        try blocks[2].write(toFile: folder.file("profiles/ct.yaml").path, atomically: true, encoding: .utf8)
        try blocks[3].write(toFile: folder.file("profiles/brain-mr.yaml").path, atomically: true, encoding: .utf8)
        let configuration = try GatewayConfiguration.parse(blocks[0], relativeTo: folder.path)
        #expect(configuration.routes.map(\.calledAET) == ["VEIL_CT", "VEIL_MR"])
        #expect(configuration.routes[0].cleanPixelData == .flagged)
        #expect(configuration.routes[0].profile.options.contains(.cleanPixelData))
        #expect(configuration.routes[1].deface)
        #expect(configuration.routes[1].defaceEars && !configuration.routes[0].defaceEars)
        #expect(configuration.routes[1].profile.options.contains(.cleanRecognizableVisualFeatures))
        #expect(configuration.routes[1].destinations.map(\.name) == ["mr-archive", "mr-web"])
        #expect(configuration.routes[0].sources.count == 2)
        #expect(configuration.retry == RetryLadder("5x1m,12x5m,24x1h"))
        #expect(configuration.auditPath == "/var/log/veil/gateway-audit.jsonl")
        #expect(configuration.auditSyslog == SyslogDestination("udp://127.0.0.1:514", facility: 10))
    }

    @Test func retryLadderThenHold() {
        let ladder = RetryLadder("5x1m,12x5m,24x1h")!
        #expect(ladder.delay(afterFailures: 1) == 60)
        #expect(ladder.delay(afterFailures: 6) == 300)
        #expect(ladder.delay(afterFailures: 41) == 3600)
        #expect(ladder.delay(afterFailures: 42) == nil)
        #expect(RetryLadder("5x") == nil)
    }
}
