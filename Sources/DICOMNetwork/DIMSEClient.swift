internal import CDCMTK
import DICOMCore
import Foundation

/// The storage SCP that receives C-MOVE sub-operations (see `DIMSEClient.openMoveListener`);
/// it stops listening when released.
public final class MoveListener: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    deinit { cdcm_net_listener_close(handle) }
}

/// DIMSE services with one remote application entity: C-ECHO, C-FIND, C-MOVE, C-GET, C-STORE,
/// each on an association of its own (TLS when the node says so). Blocking calls.
public struct DIMSEClient: Sendable {
    public let node: NetworkNode
    public let callingAET: String
    private let aet: String
    private let host: String
    private let port: UInt16
    private let tls: TLSSettings?

    public init(node: NetworkNode, callingAET: String) throws(NetworkError) {
        guard case .dimse(let aet, let host, let port, let tls) = node.address else {
            throw NetworkError(.configuration, node: node.name, "is a DICOMweb node, not a DICOM AE")
        }
        if let key = tls?.privateKey { try SecretFile.check(key, node: node.name, what: "TLS private key") }
        self.node = node
        self.callingAET = callingAET
        self.aet = aet
        self.host = host
        self.port = port
        self.tls = tls
        cdcm_net_initialize()
    }

    /// What a retrieval brought: the final status, sub-operation counts, files written.
    public struct RetrieveResult: Sendable {
        public var status: DIMSEStatus
        public var completed: Int
        public var failed: Int
        public var warning: Int
        public var received: Int
    }

    /// Where retrieved instances go (files `received-<n>.dcm`, mode 0600, durable before answered).
    public struct Destination: Sendable {
        public var folder: String
        public var firstNumber: UInt64
        /// C-MOVE: our AE title and port.
        public var local: LocalApplicationEntity
        /// C-GET: the SOP Classes to take the SCP role for (from SOPClassesInStudy); none: DCMTK's list.
        public var sopClasses: [String]

        public init(folder: String, firstNumber: UInt64 = 0, local: LocalApplicationEntity, sopClasses: [String] = []) {
            self.folder = folder
            self.firstNumber = firstNumber
            self.local = local
            self.sopClasses = sopClasses
        }
    }

    public func echo() throws(NetworkError) -> DIMSEStatus {
        var result = cdcm_net_result()
        try call { peer, message, capacity in cdcm_net_echo(peer, &result, message, capacity) }
        let status = DIMSEStatus(result.status)
        guard status.isSuccess else { throw NetworkError(.dimse, node: node.name, "C-ECHO: \(status)") }
        return status
    }

    /// Study Root C-FIND at `level`; the keys include return keys (empty values).
    public func find(level: QueryLevel, keys: [QueryKey]) throws(NetworkError) -> [QueryMatch] {
        let all = [QueryKey(.queryRetrieveLevel, level.rawValue)] + keys.filter { $0.tag != .queryRetrieveLevel }
        var result = cdcm_net_result()
        var buffer = cdcm_buffer(bytes: nil, length: 0)
        defer { cdcm_buffer_free(&buffer) }
        try call(keys: all) { peer, keys, count, message, capacity in
            cdcm_net_find(peer, keys, count, &buffer, &result, message, capacity)
        }
        let status = DIMSEStatus(result.status)
        guard status.isSuccess || status.isWarning else {
            throw NetworkError(.dimse, node: node.name, "C-FIND: \(status)")
        }
        return Self.decodeMatches(UnsafeRawBufferPointer(start: buffer.bytes, count: buffer.length))
    }

    /// Study Root C-MOVE to our own AE; `listener` (opened first) receives the sub-operations
    /// into `folder`.
    public func move(
        level: QueryLevel, keys: [QueryKey], listener: MoveListener, folder: String
    )
        throws(NetworkError) -> RetrieveResult
    {
        let all = [QueryKey(.queryRetrieveLevel, level.rawValue)] + keys.filter { $0.tag != .queryRetrieveLevel }
        var result = cdcm_net_result()
        try call(keys: all) { peer, keys, count, message, capacity in
            cdcm_net_move(peer, keys, count, listener.handle, folder, 0, &result, message, capacity)
        }
        return try outcome(result, name: "C-MOVE")
    }

    /// The storage SCP for C-MOVE sub-operations from this node, listening until closed.
    public func openMoveListener(
        local: LocalApplicationEntity, sopClasses: [String]
    ) throws(NetworkError)
        -> MoveListener
    {
        let destination = Destination(folder: "/", local: local, sopClasses: sopClasses)
        var handle: OpaquePointer?
        try withReceive(destination) { (receive) throws(NetworkError) in
            try call { peer, message, capacity in cdcm_net_listener_open(peer, receive, &handle, message, capacity) }
        }
        return MoveListener(handle: handle!)
    }

    /// Study Root C-GET: instances come back on the same association.
    public func get(
        level: QueryLevel, keys: [QueryKey], to destination: Destination
    ) throws(NetworkError)
        -> RetrieveResult
    {
        let all = [QueryKey(.queryRetrieveLevel, level.rawValue)] + keys.filter { $0.tag != .queryRetrieveLevel }
        var result = cdcm_net_result()
        try withReceive(destination) { (receive) throws(NetworkError) in
            try call(keys: all) { peer, keys, count, message, capacity in
                cdcm_net_get(peer, keys, count, receive, &result, message, capacity)
            }
        }
        return try outcome(result, name: "C-GET")
    }

    /// C-STORE of `files`; `sent` is told each file's index and status as they are known (a file
    /// never reported was not sent). Throws when the transfer stopped (the node refused, went
    /// away, or timed out); statuses reported before that stand.
    public func store(files: [String], sent: (Int, DIMSEStatus) -> Void) throws(NetworkError) {
        final class Box {
            let sent: (Int, DIMSEStatus) -> Void
            init(_ sent: @escaping (Int, DIMSEStatus) -> Void) { self.sent = sent }
        }
        try withoutActuallyEscaping(sent) { (sent) throws(NetworkError) in
            let box = Box(sent)
            var result = cdcm_net_result()
            let context = Unmanaged.passUnretained(box).toOpaque()
            var pointers = files.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            try pointers.withUnsafeMutableBufferPointer { (buffer) throws(NetworkError) in
                try buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>.self, capacity: files.count) {
                    (list) throws(NetworkError) in
                    try call { peer, message, capacity in
                        cdcm_net_store(
                            peer, list, files.count,
                            { context, index, status in
                                let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
                                box.sent(index, DIMSEStatus(status))
                            }, context, &result, message, capacity)
                    }
                }
            }
        }
    }

    // MARK: The C boundary

    private func outcome(_ result: cdcm_net_result, name: String) throws(NetworkError) -> RetrieveResult {
        let status = DIMSEStatus(result.status)
        if status.isFailure { throw NetworkError(.dimse, node: node.name, "\(name): \(status)") }
        return RetrieveResult(
            status: status, completed: Int(result.completed), failed: Int(result.failed),
            warning: Int(result.warning), received: Int(result.received))
    }

    private func withReceive(
        _ destination: Destination, _ body: (UnsafePointer<cdcm_net_receive>) throws(NetworkError) -> Void
    ) throws(NetworkError) {
        let classes = destination.sopClasses.map { strdup($0)! }
        let folder = strdup(destination.folder)!
        let localAET = strdup(destination.local.moveDestination ?? destination.local.aet)!
        // C-MOVE sub-operations come from the node: from its own AE title, or the one it stores with.
        let callingAET = strdup(node.storeAET ?? aet)!
        defer {
            classes.forEach { free($0) }
            free(folder)
            free(localAET)
            free(callingAET)
        }
        try classes.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { (classList) throws(NetworkError) in
            var receive = cdcm_net_receive(
                folder: folder, first_number: destination.firstNumber, local_aet: localAET,
                port: destination.local.port, accepted_calling_aet: callingAET,
                sop_classes: classList.isEmpty ? nil : classList.baseAddress, sop_class_count: classList.count)
            try body(&receive)
        }
    }

    private func call(
        keys: [QueryKey],
        _ body: (UnsafePointer<cdcm_net_peer>, UnsafePointer<cdcm_net_key>, Int, UnsafeMutablePointer<CChar>, Int)
            -> Int32
    ) throws(NetworkError) {
        let values = keys.map { strdup($0.value)! }
        defer { values.forEach { free($0) } }
        let records = zip(keys, values).map { key, value in
            cdcm_net_key(group: key.tag.group, element: key.tag.element, value: value)
        }
        try records.withUnsafeBufferPointer { (list) throws(NetworkError) in
            try call { peer, message, capacity in body(peer, list.baseAddress!, list.count, message, capacity) }
        }
    }

    private func call(
        _ body: (UnsafePointer<cdcm_net_peer>, UnsafeMutablePointer<CChar>, Int) -> Int32
    ) throws(NetworkError) {
        let strings =
            [host, aet, callingAET] + (tls.map { [$0.certificate ?? "", $0.privateKey ?? ""] + $0.trusted } ?? [])
        let copies = strings.map { strdup($0)! }
        defer { copies.forEach { free($0) } }
        let trusted = copies.dropFirst(5).map { UnsafePointer<CChar>($0) }
        let (status, message): (Int32, String) = trusted.withUnsafeBufferPointer { trustedList in
            var tlsRecord = cdcm_net_tls(
                certificate: tls?.certificate == nil ? nil : UnsafePointer(copies[3]),
                private_key: tls?.privateKey == nil ? nil : UnsafePointer(copies[4]),
                trusted: trustedList.isEmpty ? nil : trustedList.baseAddress, trusted_count: trustedList.count,
                verify_peer: (tls?.verifyPeer ?? true) ? 1 : 0)
            return withUnsafePointer(to: &tlsRecord) { tlsPointer in
                var peer = cdcm_net_peer(
                    host: copies[0], port: port, called_aet: copies[1], calling_aet: copies[2],
                    connect_timeout: Int32(node.timeouts.connect), acse_timeout: UInt32(node.timeouts.acse),
                    dimse_timeout: UInt32(node.timeouts.dimse), tls: tls == nil ? nil : tlsPointer)
                return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
                    buffer.baseAddress!.initialize(to: 0)
                    let status = body(&peer, buffer.baseAddress!, buffer.count)
                    return (status, String(cString: buffer.baseAddress!))
                }
            }
        }
        guard status != 0 else { return }
        let kind: NetworkError.Kind =
            switch status {
            case 20: .connection
            case 21: .rejected
            case 22: .noPresentationContext
            case 23: .tls
            case 24: .dimse
            case 25: .receive
            case 5: .configuration
            default: .internalError
            }
        throw NetworkError(kind, node: node.name, message)
    }

    /// The shim's match stream: per match a u32 count, then per element u16 group, u16 element,
    /// u32 length and the text.
    static func decodeMatches(_ bytes: UnsafeRawBufferPointer) -> [QueryMatch] {
        var matches: [QueryMatch] = []
        var offset = 0
        func read<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard offset + MemoryLayout<T>.size <= bytes.count else { return nil }
            var value: T = 0
            withUnsafeMutableBytes(of: &value) {
                $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size]))
            }
            offset += MemoryLayout<T>.size
            return T(littleEndian: value)
        }
        while let count = read(UInt32.self) {
            var values: [DICOMTag: String] = [:]
            for _ in 0..<count {
                guard let group = read(UInt16.self), let element = read(UInt16.self), let length = read(UInt32.self),
                    offset + Int(length) <= bytes.count
                else { return matches }
                let text = String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
                offset += Int(length)
                values[DICOMTag(group, element)] = text.trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
            }
            matches.append(QueryMatch(values: values))
        }
        return matches
    }
}
