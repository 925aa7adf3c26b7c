import DICOMNetwork
import Deidentification
import Foundation
import TextRedaction
import VeilBatch
import Yams

/// `gateway.yaml`: where the spool is, what to listen on, and one route per called AE title.
/// Relative paths are read from the file's folder. See docs/gateway.md.
public struct GatewayConfiguration: Sendable {
    public struct Source: Sendable {
        /// The calling AE title.
        public var aet: String
        /// Where it may connect from; empty: anywhere.
        public var hosts: [AddressRange]
    }

    /// One research project: who may send to `calledAET`, how it is de-identified, where it goes.
    public struct Route: Sendable {
        public var calledAET: String
        public var sources: [Source]
        public var keyFile: String
        public var key: DeidentificationKey
        public var profile: DeidentificationProfile
        public var deface: Bool
        /// `deface_ears: true`, as `veil anonymize --deface-ears` (implies `deface`).
        public var defaceEars: Bool
        /// `clean_pixel_data: flagged|all`, as `veil anonymize --clean-pixel-data`.
        public var cleanPixelData: TextTriage.Scope?
        public var destinations: [NetworkNode]
        /// `count_from`: the source node asked by C-FIND how many instances a study has
        /// (Number of Study Related Instances); the study is released once that many arrived.
        public var countSource: NetworkNode?

        /// The route's folder name in the spool: its called AE title, which is configuration, not PHI.
        public var name: String {
            String(calledAET.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        }
    }

    public var spool: String
    public var listenAET: String
    public var port: UInt16
    /// The AE title the gateway calls destinations with (`calling_aet`, default `listen.aet`).
    public var callingAET: String
    public var acseTimeout = 10
    public var dimseTimeout = 60
    /// Associations served at once (`listen.max_associations`); more peers wait their turn.
    public var maxAssociations = 8
    /// `listen.tls`: DICOM TLS on the port (PS3.15 Annex B), peers verified against `trusted`.
    public var tls: TLSSettings?
    public var routes: [Route]
    public var quietSeconds: Double = 60
    public var maxWait: Double = 4 * 3600
    public var retry: RetryLadder = .standard
    public var auditPath: String
    /// `audit.syslog`: each audit record also sent as an RFC 5424 message (best effort).
    public var auditSyslog: SyslogDestination?
    /// Below this many free bytes in the spool, C-STORE is answered A700 (out of resources).
    public var minimumFreeBytes: UInt64 = 512 << 20
    /// De-identification workers per release.
    public var jobs = 2

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = "gateway config: \(description)" }
    }

    public static func load(path: String) throws(Problem) -> GatewayConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem("cannot read \(path)") }
        return try parse(
            String(decoding: data, as: UTF8.self), relativeTo: (path as NSString).deletingLastPathComponent)
    }

    public static func parse(_ text: String, relativeTo folder: String) throws(Problem) -> GatewayConfiguration {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw Problem("not valid YAML") }
        guard let document = root as? [String: Any] else { throw Problem("expected a mapping") }
        let known: Set<String> = [
            "spool", "spool_volume_encrypted", "listen", "nodes", "routes", "study", "retry", "audit", "calling_aet",
            "min_free_mb", "jobs",
        ]
        if let unknown = document.keys.first(where: { !known.contains($0) }) {
            throw Problem("unknown key '\(unknown)'")
        }
        guard let spool = document["spool"] as? String else { throw Problem("'spool' (a folder) is required") }
        // Raw instances rest in the spool: refuse to run unless the operator states that its
        // volume is encrypted (docs/gateway.md says why this and not per-file encryption).
        guard document["spool_volume_encrypted"] as? Bool == true else {
            throw Problem(
                "the spool holds original (identified) instances: put it on an encrypted volume (LUKS) and "
                    + "declare it with 'spool_volume_encrypted: true'")
        }
        guard let listen = document["listen"] as? [String: Any], let aet = listen["aet"] as? String,
            let port = listen["port"] as? Int, (1...65535).contains(port)
        else { throw Problem("'listen' needs aet and port") }
        guard let nodesPath = document["nodes"] as? String else {
            throw Problem("'nodes' (the nodes file) is required")
        }
        let nodes: NodeDirectory
        do { nodes = try NodeDirectory.load(path: resolve(nodesPath)) } catch { throw Problem(error.description) }

        var configuration = GatewayConfiguration(
            spool: resolve(spool), listenAET: aet, port: UInt16(port),
            callingAET: (document["calling_aet"] as? String) ?? aet, routes: [],
            auditPath: (resolve(spool) as NSString).appendingPathComponent("audit.jsonl"))
        switch document["audit"] {
        case nil: break
        case let path as String: configuration.auditPath = resolve(path)
        case let audit as [String: Any]:
            // `audit: {file: …, syslog: udp://host:port, facility: local3}`
            if let unknown = audit.keys.first(where: { !["file", "syslog", "facility"].contains($0) }) {
                throw Problem("audit: unknown key '\(unknown)'")
            }
            if let path = audit["file"] as? String { configuration.auditPath = resolve(path) }
            var facility = SyslogDestination.facilities["authpriv"]!
            if let name = audit["facility"] {
                guard let code = SyslogDestination.facilities["\(name)"] else {
                    throw Problem("audit.facility: authpriv, auth, daemon, user or local0 to local7")
                }
                facility = code
            }
            if let target = audit["syslog"] {
                guard let destination = SyslogDestination("\(target)", facility: facility) else {
                    throw Problem("audit.syslog: udp://host:port, or a local socket such as unix:/dev/log")
                }
                configuration.auditSyslog = destination
            }
        default: throw Problem("audit: a file, or a mapping with file, syslog and facility")
        }
        if let seconds = listen["acse_timeout"] as? Int { configuration.acseTimeout = seconds }
        if let seconds = listen["dimse_timeout"] as? Int { configuration.dimseTimeout = seconds }
        if let count = listen["max_associations"] as? Int { configuration.maxAssociations = max(1, count) }
        if let settings = listen["tls"] {
            guard let settings = settings as? [String: Any], let certificate = settings["certificate"] as? String,
                let key = settings["key"] as? String
            else { throw Problem("listen.tls needs certificate and key (and trusted: the peers' CAs)") }
            let trusted: [String]
            switch settings["trusted"] {
            case let one as String: trusted = [resolve(one)]
            case let many as [String]: trusted = many.map(resolve)
            default: throw Problem("listen.tls needs trusted: the CA or peer certificates senders must chain to")
            }
            configuration.tls = TLSSettings(
                certificate: resolve(certificate), privateKey: resolve(key), trusted: trusted,
                verifyPeer: (settings["verify"] as? Bool) ?? true)
        }
        if let megabytes = document["min_free_mb"] as? Int {
            configuration.minimumFreeBytes = UInt64(max(0, megabytes)) << 20
        }
        if let jobs = document["jobs"] as? Int { configuration.jobs = max(1, jobs) }
        if let study = document["study"] {
            guard let study = study as? [String: Any] else { throw Problem("'study' must be a mapping") }
            if let value = study["quiet_seconds"] {
                guard let seconds = TimeSpan.seconds(value) else { throw Problem("study.quiet_seconds: a duration") }
                configuration.quietSeconds = seconds
            }
            if let value = study["max_wait"] {
                guard let seconds = TimeSpan.seconds(value) else { throw Problem("study.max_wait: a duration") }
                configuration.maxWait = seconds
            }
        }
        if let retry = document["retry"] {
            guard let ladder = RetryLadder("\(retry)") else { throw Problem("retry: e.g. 5x1m,12x5m,24x1h") }
            configuration.retry = ladder
        }
        guard let routes = document["routes"] as? [Any], !routes.isEmpty else { throw Problem("'routes' is required") }
        for (index, entry) in routes.enumerated() {
            guard let route = entry as? [String: Any] else { throw Problem("route #\(index + 1) must be a mapping") }
            let where_ = "route #\(index + 1)"
            guard let called = route["called_aet"] as? String, (1...16).contains(called.count) else {
                throw Problem("\(where_): called_aet (1 to 16 characters) is required")
            }
            var sources: [Source] = []
            for source in route["sources"] as? [Any] ?? [] {
                guard let source = source as? [String: Any], let aet = source["aet"] as? String else {
                    throw Problem("\(where_): each source needs an aet")
                }
                var hosts: [AddressRange] = []
                for host in source["hosts"] as? [Any] ?? [] {
                    guard let range = AddressRange("\(host)") else {
                        throw Problem("\(where_): '\(host)' is not a CIDR")
                    }
                    hosts.append(range)
                }
                sources.append(Source(aet: aet, hosts: hosts))
            }
            guard !sources.isEmpty else { throw Problem("\(where_): at least one source is required") }
            guard let keyFile = route["key_file"] as? String else { throw Problem("\(where_): key_file is required") }
            let key: DeidentificationKey
            do { key = try DeidentificationKey(contentsOf: resolve(keyFile)) } catch {
                throw Problem("\(where_): key file: \(error)")
            }
            var profile = DeidentificationProfile()
            if let profileFile = route["profile"] as? String {
                guard let data = FileManager.default.contents(atPath: resolve(profileFile)) else {
                    throw Problem("\(where_): cannot read the profile file")
                }
                do { profile = try ProfileDocument.parse(String(decoding: data, as: UTF8.self)) } catch {
                    throw Problem("\(where_): profile: \(error)")
                }
            }
            var cleaning: TextTriage.Scope?
            if let value = route["clean_pixel_data"] as? String {
                guard let scope = TextTriage.Scope(rawValue: value) else {
                    throw Problem("\(where_): clean_pixel_data is flagged or all")
                }
                cleaning = scope
            }
            guard let names = route["destinations"] as? [String], !names.isEmpty else {
                throw Problem("\(where_): destinations (node names) are required")
            }
            var destinations: [NetworkNode] = []
            for name in names {
                do { destinations.append(try nodes.node(name)) } catch {
                    throw Problem("\(where_): \(error.description)")
                }
            }
            var countSource: NetworkNode?
            if let name = route["count_from"] as? String {
                do { countSource = try nodes.node(name) } catch {
                    throw Problem("\(where_): count_from: \(error.description)")
                }
            }
            configuration.routes.append(
                Route(
                    calledAET: called, sources: sources, keyFile: resolve(keyFile), key: key, profile: profile,
                    deface: route["deface"] as? Bool ?? false, defaceEars: route["deface_ears"] as? Bool ?? false,
                    cleanPixelData: cleaning, destinations: destinations,
                    countSource: countSource))
        }
        if Set(configuration.routes.map(\.name)).count != configuration.routes.count {
            throw Problem("two routes have the same called_aet")
        }
        return configuration
    }

    public func route(calledAET: String) -> Route? {
        routes.first { $0.calledAET == calledAET }
    }

    public func route(named name: String) -> Route? {
        routes.first { $0.name == name }
    }
}
