import Foundation
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Two Orthanc servers on loopback for one test: A, the clinical PACS holding the planted-PHI
/// corpus, and B, the research archive. Started by Scripts/testing/orthanc.sh with generated
/// configs on free ports, stopped by their PIDs when the value goes. Orthanc is a requirement
/// of the tests (Scripts/install-dependencies.sh installs it): without it the test fails.
final class OrthancServers: @unchecked Sendable {
    let folder: TemporaryFolder
    let localPort: Int
    let a: Server
    var b: Server
    let nodesFile: String
    let keyFile: String

    struct Server {
        var name: String
        var aet: String
        var dicomPort: Int
        var httpPort: Int
        var url: String { "http://127.0.0.1:\(httpPort)" }
    }

    static let script = TestPaths.repository.appendingPathComponent("Scripts/testing/orthanc.sh").path

    /// `bTLS`: B speaks DICOM TLS only (certificates made by `TLSFiles`).
    init(loadCorpus: Bool = true, bTLS: TLSFiles? = nil, extraNodes: String = "") throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/Orthanc") else {
            throw ToolFailure(message: "Orthanc is missing: Scripts/install-dependencies.sh orthanc orthanc-dicomweb")
        }
        folder = TemporaryFolder("orthanc")
        let ports = try Self.freePorts(5)
        localPort = ports[0]
        a = Server(name: "a", aet: "ORTHANC_A", dicomPort: ports[1], httpPort: ports[2])
        b = Server(name: "b", aet: "ORTHANC_B", dicomPort: ports[3], httpPort: ports[4])
        keyFile = folder.file("project.key").path
        nodesFile = folder.file("nodes.yaml").path
        try ExternalTool.run(Binaries.veil, ["keygen", keyFile])
        try start(a)
        var bArguments: [String] = []
        if let bTLS { bArguments = ["--tls", bTLS.serverCertificate, bTLS.serverKey, bTLS.caCertificate] }
        try start(b, extra: bArguments)
        var research = "{aet: ORTHANC_B, host: 127.0.0.1, port: \(b.dicomPort)}"
        if let bTLS {
            research =
                "{aet: ORTHANC_B, host: 127.0.0.1, port: \(b.dicomPort), tls: {certificate: \(bTLS.clientCertificate), "
                + "key: \(bTLS.clientKey), trusted: \(bTLS.caCertificate)}}"
        }
        try """
        local: {aet: VEIL, port: \(localPort)}
        nodes:
          pacs: {aet: ORTHANC_A, host: 127.0.0.1, port: \(a.dicomPort), connect_timeout: 5, dimse_timeout: 30}
          research: \(research)
          web: {url: "http://127.0.0.1:\(b.httpPort)/dicom-web"}
        \(extraNodes)
        """.write(toFile: nodesFile, atomically: true, encoding: .utf8)
        if loadCorpus { try upload(TestPaths.plantedCorpus, to: a) }
    }

    func start(_ server: Server, extra: [String] = []) throws {
        let run = try ExternalTool.run(
            Self.script,
            [
                "start", folder.path, server.name, server.aet, "\(server.dicomPort)", "\(server.httpPort)",
                "modality", "VEIL:\(localPort)",
            ] + extra)
        guard run.status == 0 else {
            throw ToolFailure(message: "orthanc.sh start \(server.name): \(run.standardError)")
        }
    }

    func stop(_ server: Server) throws {
        try ExternalTool.run(Self.script, ["stop", folder.path, server.name])
    }

    deinit {
        _ = try? ExternalTool.run(Self.script, ["stop", folder.path, "a"])
        _ = try? ExternalTool.run(Self.script, ["stop", folder.path, "b"])
    }

    /// `veil` with the nodes file.
    func veil(_ arguments: [String], environment: [String: String] = [:]) throws -> ToolRun {
        try ExternalTool.run(Binaries.veil, arguments + ["--nodes", nodesFile], environment: environment)
    }

    // MARK: REST

    func upload(_ corpus: URL, to server: Server) throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".dcm") }
        for file in files {
            _ = try http("POST", server.url + "/instances", body: Data(contentsOf: corpus.appendingPathComponent(file)))
        }
    }

    func json(_ server: Server, _ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: http("GET", server.url + path).data)
    }

    func instanceCount(_ server: Server) throws -> Int {
        ((try json(server, "/statistics")) as? [String: Any])?["CountInstances"] as? Int ?? -1
    }

    /// Study Instance UID → instance count, for every study on the server.
    func instancesPerStudy(_ server: Server) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for id in (try json(server, "/studies") as? [String]) ?? [] {
            let study = try json(server, "/studies/\(id)") as? [String: Any]
            let uid = (study?["MainDicomTags"] as? [String: Any])?["StudyInstanceUID"] as? String ?? ""
            let instances = (try json(server, "/studies/\(id)/instances") as? [Any])?.count ?? 0
            result[uid, default: 0] += instances
        }
        return result
    }

    /// Every instance file the server stores, as it would hand it out.
    func allInstanceFiles(_ server: Server) throws -> [Data] {
        try ((try json(server, "/instances") as? [String]) ?? []).map {
            try http("GET", server.url + "/instances/\($0)/file").data
        }
    }

    func sopInstanceUIDs(_ server: Server) throws -> Set<String> {
        var uids = Set<String>()
        for id in (try json(server, "/instances") as? [String]) ?? [] {
            let tags = try json(server, "/instances/\(id)") as? [String: Any]
            if let uid = (tags?["MainDicomTags"] as? [String: Any])?["SOPInstanceUID"] as? String { uids.insert(uid) }
        }
        return uids
    }

    /// SOP Instance UID → the transfer syntax the server stored it in.
    func transferSyntaxes(_ server: Server) throws -> [String: String] {
        var result: [String: String] = [:]
        for id in (try json(server, "/instances") as? [String]) ?? [] {
            let tags = try json(server, "/instances/\(id)") as? [String: Any]
            guard let uid = (tags?["MainDicomTags"] as? [String: Any])?["SOPInstanceUID"] as? String else { continue }
            result[uid] = String(
                decoding: try http("GET", server.url + "/instances/\(id)/metadata/TransferSyntax").data, as: UTF8.self)
        }
        return result
    }

    @discardableResult
    func http(_ method: String, _ url: String, body: Data? = nil) throws -> (status: Int, data: Data) {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 30)
        request.httpMethod = method
        final class Box: @unchecked Sendable {
            var status = 0
            var data = Data()
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let session = URLSession(configuration: .ephemeral)
        let handler: @Sendable (Data?, URLResponse?, Error?) -> Void = { data, response, _ in
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.data = data ?? Data()
            done.signal()
        }
        let task =
            body.map { session.uploadTask(with: request, from: $0, completionHandler: handler) }
            ?? session.dataTask(with: request, completionHandler: handler)
        task.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        return (box.status, box.data)
    }

    /// Ports nobody listens on now (bound to port 0 and released).
    static func freePorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        while ports.count < count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard bound else { throw ToolFailure(message: "no free port") }
            sockets.append(fd)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

/// A CA, a server certificate for Orthanc B and a client certificate for Veil, made with
/// `openssl req` into a test folder (keys mode 0600), and a second CA that signed nothing here.
struct TLSFiles {
    let caCertificate: String
    let otherCACertificate: String
    let serverCertificate: String
    let serverKey: String
    let clientCertificate: String
    let clientKey: String

    init(in folder: String) throws {
        func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        caCertificate = path("ca.pem")
        otherCACertificate = path("other-ca.pem")
        serverCertificate = path("server.pem")
        serverKey = path("server.key")
        clientCertificate = path("client.pem")
        clientKey = path("client.key")
        func openssl(_ arguments: [String]) throws {
            let run = try ExternalTool.run("openssl", arguments)
            guard run.status == 0 else {
                throw ToolFailure(message: "openssl \(arguments.first ?? ""): \(run.standardError)")
            }
        }
        let days = ["-days", "2"]
        for (name, subject) in [("ca", "/CN=Veil Test CA"), ("other-ca", "/CN=Other CA")] {
            try openssl(
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("\(name).key"), "-out",
                    path("\(name).pem"), "-subj", subject,
                ] + days)
        }
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/CN=VEIL")] {
            try openssl([
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("\(name).key"), "-out",
                path("\(name).csr"), "-subj", subject,
            ])
            try openssl(
                [
                    "x509", "-req", "-in", path("\(name).csr"), "-CA", caCertificate, "-CAkey", path("ca.key"),
                    "-CAcreateserial", "-out", path("\(name).pem"),
                ] + days)
            chmod(path("\(name).key"), 0o600)
        }
    }
}
