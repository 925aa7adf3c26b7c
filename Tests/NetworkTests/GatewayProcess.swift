import Foundation
import TestSupport

/// `veil gateway run` as a child process for one test, with its configuration in the Orthanc
/// servers' folder: route VEIL (the AE Orthanc A knows as modality VEIL) from ORTHANC_A on
/// loopback to B ("research"), short quiet period and retry ladder.
final class GatewayProcess: @unchecked Sendable {
    let servers: OrthancServers
    let configPath: String
    let spool: String
    let logPath: String
    private(set) var process: Process?

    /// `routeOptions`: more keys of the route (one per line, e.g. `clean_pixel_data: flagged`).
    /// `maxWait`: `study.max_wait` (a duration); `otherKeys`: more top-level keys, one per line.
    init(
        _ servers: OrthancServers, quietSeconds: Double = 1, maxWait: String = "1h", retry: String = "2x1s,30x2s",
        extraSources: String = "", routeOptions: [String] = [], minimumFreeMB: Int = 1, listenOptions: String = "",
        otherKeys: [String] = []
    ) throws {
        self.servers = servers
        configPath = servers.folder.file("gateway.yaml").path
        spool = servers.folder.file("spool").path
        logPath = servers.folder.file("gateway.log").path
        try """
        spool: \(spool)
        spool_volume_encrypted: true
        listen: {aet: VEIL, port: \(servers.localPort), acse_timeout: 5\(listenOptions)}
        nodes: \(servers.nodesFile)
        routes:
          - called_aet: VEIL
            sources: [{aet: ORTHANC_A, hosts: [127.0.0.1/32]}\(extraSources)]
            key_file: \(servers.keyFile)
            destinations: [research]
        \(routeOptions.map { "    " + $0 }.joined(separator: "\n"))
        study: {quiet_seconds: \(quietSeconds), max_wait: \(maxWait)}
        retry: \(retry)
        min_free_mb: \(minimumFreeMB)
        jobs: 2
        \(otherKeys.joined(separator: "\n"))
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the gateway and waits until its port answers.
    func start() throws {
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.veil)
        process.arguments = ["gateway", "run", "--config", configPath]
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Self.canConnect(port: servers.localPort) { return }
            guard process.isRunning else { throw ToolFailure(message: "the gateway exited: \(self.log)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ToolFailure(message: "the gateway did not listen: \(self.log)")
    }

    /// SIGTERM, then the exit status.
    func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? -1 }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { kill9() }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func veil(_ arguments: [String]) throws -> ToolRun {
        try ExternalTool.run(Binaries.veil, ["gateway"] + arguments + ["--config", configPath])
    }

    func status() throws -> [String: Any] {
        let run = try veil(["status", "--format", "json"])
        return (try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]) ?? [:]
    }

    func states() throws -> [String: Int] { (try status()["states"] as? [String: Int]) ?? [:] }

    /// Waits until nothing is arriving, waiting or being sent, and `done` releases exist.
    func waitUntilSettled(timeout: Double = 120) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let states = try states()
            let busy = ["incoming", "ready", "de-identified", "outbox"].reduce(0) { $0 + (states[$1] ?? 0) }
            if busy == 0, (states["done"] ?? 0) > 0 { return }
            Thread.sleep(forTimeInterval: 0.3)
        }
        throw ToolFailure(message: "the gateway did not settle: \(try states()) \(log)")
    }

    /// Every manifest of the delivered releases.
    func deliveredManifests() throws -> [ManifestFacts] {
        let done = (spool as NSString).appendingPathComponent("done")
        var manifests: [ManifestFacts] = []
        for route in try FileManager.default.contentsOfDirectory(atPath: done) {
            for unit in try FileManager.default.contentsOfDirectory(atPath: "\(done)/\(route)") {
                manifests.append(try ManifestFacts("\(done)/\(route)/\(unit)/out"))
            }
        }
        return manifests
    }

    /// Orthanc A sends studies (all by default) to the gateway (modality VEIL).
    @discardableResult
    func send(_ resources: [String]? = nil, asynchronous: Bool = false) throws -> [String: Any] {
        let ids = try resources ?? (servers.json(servers.a, "/studies") as? [String] ?? [])
        let body = try JSONSerialization.data(withJSONObject: [
            "Resources": ids, "Synchronous": !asynchronous, "Asynchronous": asynchronous,
        ])
        let answer = try servers.http("POST", servers.a.url + "/modalities/VEIL/store", body: body)
        return (try? JSONSerialization.jsonObject(with: answer.data) as? [String: Any]) ?? [:]
    }

    /// DCMTK's storescu sends `files` to the gateway in one association, as ORTHANC_A.
    func store(_ files: [String]) throws {
        try ExternalTool.require("storescu", package: "dcmtk")
        let run = try ExternalTool.run(
            "storescu", ["-aet", "ORTHANC_A", "-aec", "VEIL", "127.0.0.1", "\(servers.localPort)"] + files)
        guard run.status == 0 else { throw ToolFailure(message: "storescu: \(run.standardError.suffix(300))") }
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Sends raw bytes to the gateway's port and closes the connection.
    func sendRaw(_ bytes: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(servers.localPort).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return }
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        Thread.sleep(forTimeInterval: 0.2)
    }
}

extension OrthancServers {
    /// Whether two encodings of an instance print the same data set (dcmdump): network reception
    /// may re-encode what `veil anonymize` wrote.
    func sameDataSet(_ data: Data, _ reference: Data) throws -> Bool {
        let left = folder.file("left.dcm").path
        let right = folder.file("right.dcm").path
        try data.write(to: URL(fileURLWithPath: left))
        try reference.write(to: URL(fileURLWithPath: right))
        let dumps = try [left, right].map { try ExternalTool.run("dcmdump", ["-q", "+L", $0]).standardOutput }
        return dumps[0] == dumps[1]
    }
}
