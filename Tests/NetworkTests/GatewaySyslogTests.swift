import Foundation
import TestSupport
import Testing
import VeilGateway

/// One RFC 5424 message as the audit trail sends it: `<PRI>1 TIMESTAMP HOSTNAME veil PROCID AUDIT - JSON`.
struct SyslogMessage {
    var facility: Int
    var severity: Int
    var timestamp: String
    var appName: String
    var messageID: String
    var json: [String: Any]

    init?(_ bytes: [UInt8]) {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }  // ASCII: no BOM needed, none sent
        let text = String(decoding: bytes, as: UTF8.self)
        guard let match = text.wholeMatch(of: /<(\d{1,3})>1 (\S+) (\S+) (\S+) (\d+) (\S+) - (\{.*\})/),
            let priority = Int(match.1), priority < 192,
            let object = try? JSONSerialization.jsonObject(with: Data(match.7.utf8)) as? [String: Any]
        else { return nil }
        facility = priority / 8
        severity = priority % 8
        timestamp = String(match.2)
        appName = String(match.4)
        messageID = String(match.6)
        json = object
    }
}

extension GatewayTests {
    @Test func auditTrailIsAlsoSentAsRFC5424SyslogWithoutPHI() throws {
        try ExternalTool.require("echoscu", package: "dcmtk")
        let listener = try SyslogListener()
        let servers = try OrthancServers()
        let gateway = try GatewayProcess(
            servers, otherKeys: ["audit: {syslog: \"udp://127.0.0.1:\(listener.port)\", facility: local3}"])
        let study = try Self.studyThatDeidentifies(servers, minimumInstances: 1)
        try gateway.start()
        let rejected = try ExternalTool.run(
            "echoscu", ["-aet", "INTRUDER", "-aec", "VEIL", "127.0.0.1", "\(servers.localPort)"])
        #expect(rejected.status != 0)
        try gateway.send([study.study])
        try gateway.waitUntilSettled()
        #expect(gateway.stop() == 0, "\(gateway.log)")

        let datagrams = listener.receive()
        let messages = datagrams.compactMap(SyslogMessage.init)
        #expect(messages.count == datagrams.count, "a datagram is not an RFC 5424 audit message")
        #expect(messages.allSatisfy { $0.facility == 19 && $0.appName == "veil" && $0.messageID == "AUDIT" })
        #expect(messages.allSatisfy { ISO8601DateFormatter.fractional.date(from: $0.timestamp) != nil })
        // The same records as the JSON lines file, which stays the record.
        let lines = try Self.jsonLines(gateway.spool + "/audit.jsonl")
        // (Records from reception threads and the worker may interleave differently in the two.)
        #expect(
            messages.map { $0.json["event"] as? String ?? "" }.sorted()
                == lines.map { $0["event"] as? String ?? "" }.sorted())
        func severity(_ event: String) -> Set<Int> {
            Set(messages.filter { $0.json["event"] as? String == event }.map(\.severity))
        }
        #expect(severity("association rejected") == [4])  // warning
        #expect(severity("application start") == [5])  // notice
        #expect(severity("sent") == [6])  // informational
        #expect(severity("study released") == [6])
        // No planted value in any byte sent.
        let corpus = try PlantedCorpus.load()
        let scanner = corpus.scanner()
        for datagram in datagrams {
            #expect(scanner.findings(in: Data(datagram)).isEmpty, "planted PHI in a syslog message")
            let text = String(decoding: datagram, as: UTF8.self)
            #expect(!corpus.files.contains { text.contains($0.sopInstanceUID) || text.contains($0.studyInstanceUID) })
        }
    }
}

/// The syslog settings and a collector that is down, without servers.
@Suite struct GatewaySyslogSettingsTests {
    @Test func destinationsParseAndNonsenseIsRefused() throws {
        #expect(SyslogDestination("udp://127.0.0.1:5514")?.transport == .udp(host: "127.0.0.1", port: 5514))
        #expect(SyslogDestination("udp://[::1]:514")?.transport == .udp(host: "::1", port: 514))
        #expect(SyslogDestination("udp://collector.example")?.transport == .udp(host: "collector.example", port: 514))
        #expect(SyslogDestination("unix:/dev/log")?.transport == .unix(path: "/dev/log"))
        #expect(SyslogDestination("/dev/log")?.transport == .unix(path: "/dev/log"))
        for nonsense in [
            "tcp://127.0.0.1:514", "udp://:514", "udp://host:99999", "udp://host:x", "unix:dev/log", "log",
        ] {
            #expect(SyslogDestination(nonsense) == nil, "\(nonsense)")
        }

        let folder = try GatewayConfigurationTests.configurationFolder("gateway-syslog")
        let body = """
            spool: spool
            spool_volume_encrypted: true
            listen: {aet: VEIL, port: 11112}
            nodes: nodes.yaml
            routes:
              - {called_aet: VEIL_CT, sources: [{aet: PACS1}], key_file: k.key, destinations: [b]}
            """
        let configuration = try GatewayConfiguration.parse(
            body + "\naudit: {file: trail.jsonl, syslog: \"udp://127.0.0.1:514\"}", relativeTo: folder.path)
        #expect(configuration.auditPath == folder.file("trail.jsonl").path)
        #expect(configuration.auditSyslog?.facility == 10)  // authpriv
        #expect(try GatewayConfiguration.parse(body, relativeTo: folder.path).auditSyslog == nil)
        for audit in [
            "{syslog: \"tcp://127.0.0.1\"}", "{syslog: /dev/log, facility: mail}", "{syslog: /dev/log, level: 3}",
        ] {
            #expect(throws: GatewayConfiguration.Problem.self) {
                try GatewayConfiguration.parse(body + "\naudit: \(audit)", relativeTo: folder.path)
            }
        }
    }

    @Test func aCollectorThatIsDownNeitherBlocksNorLosesTheFile() throws {
        let folder = TemporaryFolder("gateway-syslog-down")
        let port = try OrthancServers.freePorts(1)[0]  // nobody listens
        for target in ["udp://127.0.0.1:\(port)", "unix:\(folder.file("no-such-socket").path)"] {
            let path = folder.file("audit-\(port).jsonl").path
            try? FileManager.default.removeItem(atPath: path)
            let audit = GatewayAudit(path: path, syslog: SyslogDestination(target))
            let start = Date()
            for index in 0..<200 {
                audit.record(.export, action: "R", event: "sent", fields: ["instances": index])
            }
            #expect(Date().timeIntervalSince(start) < 10, "\(target)")
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 200, "\(target)")
        }
    }
}

extension ISO8601DateFormatter {
    /// RFC 3339 with fractional seconds, as RFC 5424 TIMESTAMP.
    nonisolated(unsafe) static let fractional: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
