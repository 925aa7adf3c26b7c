import DICOMCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// DICOMweb (PS3.18) with one service: QIDO-RS queries and STOW-RS stores. Blocking calls; the
/// bearer token comes from the node's token file (mode 0600) and is never printed.
public struct DICOMwebClient: Sendable {
    public let node: NetworkNode
    private let base: URL
    private let token: String?

    public init(node: NetworkNode) throws(NetworkError) {
        guard case .web(let url, let tokenFile) = node.address else {
            throw NetworkError(.configuration, node: node.name, "is a DICOM AE, not a DICOMweb service")
        }
        self.node = node
        self.base = url
        self.token = try tokenFile.map { (path) throws(NetworkError) in
            try SecretFile.read(path, node: node.name, what: "token")
        }
    }

    /// A QIDO-RS request that asks for one study: the service answers.
    public func echo() throws(NetworkError) {
        _ = try request(path: "studies", query: [URLQueryItem(name: "limit", value: "1")])
    }

    public func query(level: QueryLevel, keys: [QueryKey]) throws(NetworkError) -> [QueryMatch] {
        var items: [URLQueryItem] = []
        for key in keys where key.tag != .queryRetrieveLevel {
            let name = String(format: "%04X%04X", key.tag.group, key.tag.element)
            items.append(
                URLQueryItem(
                    name: key.value.isEmpty ? "includefield" : name, value: key.value.isEmpty ? name : key.value))
        }
        let data = try request(path: level == .series ? "series" : "studies", query: items)
        if data.isEmpty { return [] }
        guard let objects = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw NetworkError(.http, node: node.name, "QIDO-RS: the answer is not a DICOM JSON array")
        }
        return objects.map { object in
            var values: [DICOMTag: String] = [:]
            for (key, attribute) in object {
                guard let value = UInt32(key, radix: 16), let attribute = attribute as? [String: Any],
                    let list = attribute["Value"] as? [Any]
                else { continue }
                values[DICOMTag(value)] = list.map { item -> String in
                    if let name = item as? [String: Any] { return name["Alphabetic"] as? String ?? "" }
                    return "\(item)"
                }.joined(separator: "\\")
            }
            return QueryMatch(values: values)
        }
    }

    /// STOW-RS of `files` in one multipart/related request. Returns, per file, whether the
    /// service stored it (by SOP Instance UID when it answers 202 with a partial list).
    public func store(files: [(path: String, sopInstanceUID: String)]) throws(NetworkError) -> [Bool] {
        let boundary = "veil-\(UUID().uuidString)"
        var body = Data()
        for file in files {
            guard let bytes = FileManager.default.contents(atPath: file.path) else {
                throw NetworkError(.configuration, node: node.name, "STOW-RS: cannot read an output file")
            }
            body.append(Data("--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n".utf8))
            body.append(bytes)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        let (status, data) = try send(
            method: "POST", url: base.appendingPathComponent("studies"), body: body,
            contentType: "multipart/related; type=\"application/dicom\"; boundary=\(boundary)")
        switch status {
        case 200: return files.map { _ in true }
        case 202:
            // Partly stored: ReferencedSOPSequence (0008,1199) lists what was.
            let stored = Self.referencedInstances(data)
            return files.map { stored.contains($0.sopInstanceUID) }
        default:
            throw NetworkError(.http, node: node.name, "STOW-RS: HTTP \(status)")
        }
    }

    // MARK: HTTP

    private func request(path: String, query: [URLQueryItem]) throws(NetworkError) -> Data {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.queryItems = query.isEmpty ? nil : query
        let (status, data) = try send(method: "GET", url: components.url!, body: nil, contentType: nil)
        guard status == 200 || status == 204 else {
            throw NetworkError(.http, node: node.name, "QIDO-RS: HTTP \(status)")
        }
        return data
    }

    private func send(
        method: String, url: URL, body: Data?, contentType: String?
    ) throws(NetworkError)
        -> (Int, Data)
    {
        var request = URLRequest(url: url, timeoutInterval: TimeInterval(node.timeouts.dimse))
        request.httpMethod = method
        request.setValue("application/dicom+json", forHTTPHeaderField: "Accept")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = TimeInterval(node.timeouts.dimse)
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        final class Outcome: @unchecked Sendable {
            var status = 0
            var data = Data()
            var error: String?
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let completion: @Sendable (Data?, URLResponse?, Error?) -> Void = { data, response, error in
            outcome.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            outcome.data = data ?? Data()
            // The error's text may hold the URL, never a value; keep only its kind.
            if let error = error as? URLError {
                outcome.error = Self.describe(error)
            } else if error != nil {
                outcome.error = "request failed"
            }
            done.signal()
        }
        let task =
            body.map { session.uploadTask(with: request, from: $0, completionHandler: completion) }
            ?? session.dataTask(with: request, completionHandler: completion)
        task.resume()
        done.wait()
        if let error = outcome.error { throw NetworkError(.connection, node: node.name, error) }
        return (outcome.status, outcome.data)
    }

    private static func describe(_ error: URLError) -> String {
        switch error.code {
        case .timedOut: "timed out"
        case .cannotConnectToHost: "connection refused"
        case .cannotFindHost: "host not found"
        case .networkConnectionLost: "connection lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            "TLS: the server's certificate is not trusted"
        default: "request failed (URLError \(error.code.rawValue))"
        }
    }

    static func referencedInstances(_ data: Data) -> Set<String> {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let sequence = object["00081199"] as? [String: Any], let items = sequence["Value"] as? [[String: Any]]
        else { return [] }
        return Set(
            items.compactMap { item in
                ((item["00081155"] as? [String: Any])?["Value"] as? [String])?.first
            })
    }
}
