import Foundation
import Yams

/// The nodes file (`--nodes`, by default ~/.config/veil/nodes.yaml):
///
/// ```yaml
/// local: {aet: VEIL, port: 11112}
/// nodes:
///   pacs:     {aet: ORTHANC_A, host: 127.0.0.1, port: 4242}
///   research: {aet: ORTHANC_B, host: 127.0.0.1, port: 4243,
///              tls: {certificate: me.pem, key: me.key, trusted: ca.pem}}
///   web:      {url: http://127.0.0.1:8043/dicom-web, token_file: web.token}
/// ```
///
/// Relative paths are read from the file's folder. Secrets (private keys, tokens) live only in
/// files of mode 0600, never in this file or on the command line.
public struct NodeDirectory: Sendable {
    public var local: LocalApplicationEntity
    public var nodes: [String: NetworkNode]

    public static var defaultPath: String {
        (NSHomeDirectory() as NSString).appendingPathComponent(".config/veil/nodes.yaml")
    }

    public init(local: LocalApplicationEntity = LocalApplicationEntity(), nodes: [String: NetworkNode] = [:]) {
        self.local = local
        self.nodes = nodes
    }

    /// The node called `name`, or an error listing the names there are.
    public func node(_ name: String) throws(NetworkError) -> NetworkNode {
        guard let node = nodes[name] else {
            let known = nodes.keys.sorted().joined(separator: ", ")
            throw NetworkError(.configuration, node: name, "no such node in the nodes file (known: \(known))")
        }
        return node
    }

    public static func load(path: String) throws(NetworkError) -> NodeDirectory {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw NetworkError(.configuration, node: "", "cannot read the nodes file \(path)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try parse(text, relativeTo: folder)
    }

    public static func parse(_ text: String, relativeTo folder: String) throws(NetworkError) -> NodeDirectory {
        func fail(_ message: String, node: String = "") -> NetworkError {
            NetworkError(.configuration, node: node, "nodes file: \(message)")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw fail("not valid YAML") }
        guard let document = root as? [String: Any] else { throw fail("expected keys 'local' and 'nodes'") }
        var directory = NodeDirectory()
        if let local = document["local"] {
            guard let local = local as? [String: Any] else { throw fail("'local' must be a mapping") }
            if let aet = local["aet"] { directory.local.aet = try aeTitle(aet, node: "local") }
            if let port = local["port"] { directory.local.port = try portNumber(port, node: "local") }
            if let aet = local["move_aet"] { directory.local.moveDestination = try aeTitle(aet, node: "local") }
        }
        guard let nodes = document["nodes"] as? [String: Any] else { throw fail("'nodes' must be a mapping") }
        for (name, value) in nodes {
            guard let entry = value as? [String: Any] else { throw fail("must be a mapping", node: name) }
            var timeouts = NetworkNode.Timeouts()
            if let seconds = entry["connect_timeout"] as? Int { timeouts.connect = seconds }
            if let seconds = entry["acse_timeout"] as? Int { timeouts.acse = seconds }
            if let seconds = entry["dimse_timeout"] as? Int { timeouts.dimse = seconds }
            if let url = entry["url"] {
                guard let text = url as? String, let url = URL(string: text),
                    url.scheme == "http" || url.scheme == "https"
                else { throw fail("'url' must be an http or https URL", node: name) }
                let token = (entry["token_file"] as? String).map { resolve($0, in: folder) }
                directory.nodes[name] = NetworkNode(
                    name: name, address: .web(url: url, tokenFile: token), timeouts: timeouts)
                continue
            }
            guard let aet = entry["aet"], let host = entry["host"] as? String, let port = entry["port"] else {
                throw fail("needs aet, host and port (or url)", node: name)
            }
            var tls: TLSSettings?
            if let settings = entry["tls"] {
                guard let settings = settings as? [String: Any] else {
                    throw fail("'tls' must be a mapping", node: name)
                }
                let trusted: [String]
                switch settings["trusted"] {
                case let one as String: trusted = [resolve(one, in: folder)]
                case let many as [String]: trusted = many.map { resolve($0, in: folder) }
                default: throw fail("tls needs 'trusted' (the CA or peer certificates)", node: name)
                }
                tls = TLSSettings(
                    certificate: (settings["certificate"] as? String).map { resolve($0, in: folder) },
                    privateKey: (settings["key"] as? String).map { resolve($0, in: folder) },
                    trusted: trusted, verifyPeer: (settings["verify"] as? Bool) ?? true)
                if (tls?.certificate == nil) != (tls?.privateKey == nil) {
                    throw fail("tls needs both 'certificate' and 'key', or neither", node: name)
                }
            }
            var storeAET: String?
            if let value = entry["store_aet"] { storeAET = try aeTitle(value, node: name) }
            directory.nodes[name] = NetworkNode(
                name: name,
                address: .dimse(
                    aet: try aeTitle(aet, node: name), host: host, port: try portNumber(port, node: name), tls: tls),
                timeouts: timeouts, storeAET: storeAET)
        }
        return directory
    }

    private static func resolve(_ path: String, in folder: String) -> String {
        path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
    }

    /// PS3.5 AE: 1 to 16 characters of the default repertoire, no backslash or control character.
    private static func aeTitle(_ value: Any, node: String) throws(NetworkError) -> String {
        let text = ((value as? String) ?? "\(value)").trimmingCharacters(in: .whitespaces)
        guard (1...16).contains(text.count),
            text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F && $0 != "\\" })
        else { throw NetworkError(.configuration, node: node, "nodes file: an AE title has 1 to 16 characters") }
        return text
    }

    private static func portNumber(_ value: Any, node: String) throws(NetworkError) -> UInt16 {
        guard let number = value as? Int, (1...65535).contains(number) else {
            throw NetworkError(.configuration, node: node, "nodes file: port must be 1 to 65535")
        }
        return UInt16(number)
    }
}

/// Secrets (private keys, tokens) are read only from files nobody else can read.
public enum SecretFile {
    /// Throws unless `path` is a regular file without group or other permissions (0600 or 0400).
    public static func check(_ path: String, node: String, what: String) throws(NetworkError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw NetworkError(.configuration, node: node, "cannot read the \(what) file")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw NetworkError(
                .configuration, node: node,
                "the \(what) file must have mode 0600 (it has \(String(mode, radix: 8))): chmod 600 it")
        }
    }

    /// The file's contents without surrounding white space, after the mode check.
    public static func read(_ path: String, node: String, what: String) throws(NetworkError) -> String {
        try check(path, node: node, what: what)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw NetworkError(.configuration, node: node, "cannot read the \(what) file")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
