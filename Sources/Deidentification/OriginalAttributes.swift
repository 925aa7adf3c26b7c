import Crypto
import DICOMCore

/// What de-identification changed in one instance, as it was before: kept encrypted in a vault in
/// pseudonymize mode, so that the key holder can restore the original attributes (HIPAA-style
/// pseudonymization; PS3.15 E.1.1 describes the same idea as the Encrypted Attributes Data Set).
public struct OriginalAttributes: Sendable, Equatable {
    /// Original File Meta Information elements that differ in the output.
    public var fileMeta: DataSet
    /// Original top-level elements that were changed or removed, whole (sequences included).
    public var dataSet: DataSet
    /// Top-level tags de-identification added (markers): absent from the original.
    public var added: [DICOMTag]

    /// The difference between an original and its de-identified form, at the top level.
    /// `bulkValue` reads bulk values of removed elements (they must be stored, not referenced).
    public init(
        original: DICOMObject, deidentified: DICOMObject,
        bulkValue: (BulkDataReference) throws -> [UInt8]
    ) rethrows {
        fileMeta = try Self.changed(original.fileMeta, deidentified.fileMeta, bulkValue: bulkValue)
        dataSet = try Self.changed(original.dataSet, deidentified.dataSet, bulkValue: bulkValue)
        added = deidentified.dataSet.elements.map(\.tag).filter { original.dataSet[$0] == nil }
    }

    public init(fileMeta: DataSet, dataSet: DataSet, added: [DICOMTag]) {
        self.fileMeta = fileMeta
        self.dataSet = dataSet
        self.added = added
    }

    /// `deidentified` with the original attributes put back and the added ones removed. Bulk
    /// values that were never changed (Pixel Data) stay references to the de-identified file.
    public func restore(into deidentified: DICOMObject) -> DICOMObject {
        var object = deidentified
        for tag in added { object.dataSet[tag] = nil }
        for element in dataSet.elements { object.dataSet[element.tag] = element }
        for element in fileMeta.elements { object.fileMeta[element.tag] = element }
        // The meta header names the instance it heads, even where the original had none.
        if let instance = object.dataSet[.sopInstanceUID] {
            object.fileMeta[.mediaStorageSOPInstanceUID] = DataElement(.mediaStorageSOPInstanceUID, .UI, instance.value)
        }
        return object
    }

    private static func changed(
        _ original: DataSet, _ output: DataSet,
        bulkValue: (BulkDataReference) throws -> [UInt8]
    ) rethrows -> DataSet {
        var result = DataSet()
        for element in original.elements {
            if let kept = output[element.tag], sameValue(kept, element) { continue }
            result.append(try resolvingBulk(element, bulkValue: bulkValue))
        }
        return result
    }

    /// Equal, comparing bulk references by their place in the file only (the two objects may come
    /// from two opens of one file).
    private static func sameValue(_ a: DataElement, _ b: DataElement) -> Bool {
        switch (a.value, b.value) {
        case (.bulk(let x), .bulk(let y)): x.index == y.index && x.length == y.length && a.vr == b.vr
        default: a == b
        }
    }

    private static func resolvingBulk(
        _ element: DataElement,
        bulkValue: (BulkDataReference) throws -> [UInt8]
    ) rethrows -> DataElement {
        switch element.value {
        case .bytes: return element
        case .bulk(let reference): return DataElement(element.tag, element.vr, .bytes(try bulkValue(reference)))
        case .sequence(let items):
            return DataElement(
                element.tag,
                items: try items.map { item in
                    DataSet(try item.elements.map { try resolvingBulk($0, bulkValue: bulkValue) })
                })
        }
    }

    // MARK: Sealing

    /// Encrypts these attributes for the vault with AES-256-GCM, bound to the de-identified
    /// instance's SOP Instance UID (as authenticated data), so a record cannot be moved to
    /// another instance unnoticed.
    public func sealed(for sopInstanceUID: String, key: ReidentificationKey) throws -> SealedAttributes {
        var plaintext: [UInt8] = []
        for part in [
            try DataSetCoding.encode(fileMeta), try DataSetCoding.encode(dataSet),
            added.flatMap { tag in withUnsafeBytes(of: tag.value.littleEndian) { Array($0) } },
        ] {
            withUnsafeBytes(of: UInt32(part.count).littleEndian) { plaintext.append(contentsOf: $0) }
            plaintext.append(contentsOf: part)
        }
        let box = try AES.GCM.seal(plaintext, using: key.secret, authenticating: Array(sopInstanceUID.utf8))
        return SealedAttributes(nonce: Array(box.nonce), ciphertext: Array(box.ciphertext), tag: Array(box.tag))
    }

    /// Decrypts a vault record made by ``sealed(for:key:)``.
    public init(opening sealed: SealedAttributes, for sopInstanceUID: String, key: ReidentificationKey) throws {
        let box = try AES.GCM.SealedBox(
            nonce: AES.GCM.Nonce(data: sealed.nonce), ciphertext: sealed.ciphertext,
            tag: sealed.tag)
        let plaintext = Array(try AES.GCM.open(box, using: key.secret, authenticating: Array(sopInstanceUID.utf8)))
        var parts: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= plaintext.count {
            let length = plaintext[offset..<offset + 4].enumerated().reduce(0) {
                $0 | Int($1.element) << (8 * $1.offset)
            }
            offset += 4
            guard offset + length <= plaintext.count else { break }
            parts.append(Array(plaintext[offset..<offset + length]))
            offset += length
        }
        guard parts.count == 3, parts[2].count % 4 == 0 else {
            throw DataSetCoding.MalformedStream(reason: "bad vault record")
        }
        fileMeta = try DataSetCoding.decode(parts[0])
        dataSet = try DataSetCoding.decode(parts[1])
        added = stride(from: 0, to: parts[2].count, by: 4).map { index in
            DICOMTag(
                parts[2][index..<index + 4].enumerated().reduce(UInt32(0)) {
                    $0 | UInt32($1.element) << (8 * $1.offset)
                })
        }
    }
}

/// One encrypted vault record.
public struct SealedAttributes: Sendable, Hashable, Codable {
    public var nonce: [UInt8]
    public var ciphertext: [UInt8]
    public var tag: [UInt8]

    public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.tag = tag
    }
}
