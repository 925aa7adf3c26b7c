/// A compact binary form of a data set: the record stream the DCMTK shim speaks (see
/// `CDCMTK.h`), also used to keep original attributes in a re-identification vault.
///
/// Records, little-endian: `E` tag VR length value; `B` tag VR length index (a bulk value left in
/// a source file); `S` tag, then `I` … `i` per item, then `s`.
public enum DataSetCoding {
    public struct MalformedStream: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public init(reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    // MARK: Decoding

    /// Decodes a record stream into a data set. Bulk records become references to the file
    /// `source`; without a source they are an error.
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: UInt64?) throws(MalformedStream) -> DataSet {
        var reader = Reader(bytes: bytes, source: source)
        let dataSet = try reader.readItemContent(nested: false)
        guard reader.offset == bytes.count else { throw MalformedStream(reason: "trailing bytes") }
        return dataSet
    }

    /// Decodes bytes made by ``encode(_:source:)``.
    public static func decode(_ bytes: [UInt8], source: UInt64? = nil) throws(MalformedStream) -> DataSet {
        do {
            return try bytes.withUnsafeBytes { buffer in try decode(buffer, source: source) }
        } catch let error as MalformedStream {
            throw error
        } catch {
            throw MalformedStream(reason: "\(error)")
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let source: UInt64?
        var offset = 0

        init(bytes: UnsafeRawBufferPointer, source: UInt64?) {
            self.bytes = bytes
            self.source = source
        }

        mutating func need(_ count: Int) throws(MalformedStream) {
            guard bytes.count - offset >= count else { throw MalformedStream(reason: "stream ends inside a record") }
        }

        mutating func byte() throws(MalformedStream) -> UInt8 {
            try need(1)
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint16() throws(MalformedStream) -> UInt16 {
            try need(2)
            defer { offset += 2 }
            return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
        }

        mutating func uint32() throws(MalformedStream) -> UInt32 {
            try need(4)
            defer { offset += 4 }
            return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }

        mutating func tag() throws(MalformedStream) -> DICOMTag {
            let group = try uint16()
            return DICOMTag(group, try uint16())
        }

        mutating func vr() throws(MalformedStream) -> VR {
            let first = try byte()
            guard let vr = VR(bytes: first, try byte()) else { throw MalformedStream(reason: "unknown VR") }
            return vr
        }

        mutating func readItemContent(nested: Bool) throws(MalformedStream) -> DataSet {
            var dataSet = DataSet()
            while offset < bytes.count {
                switch try byte() {
                case UInt8(ascii: "E"):
                    let tag = try tag()
                    let vr = try vr()
                    let length = Int(try uint32())
                    try need(length)
                    let value = Array(bytes[offset..<offset + length])
                    offset += length
                    dataSet.append(DataElement(tag, vr, .bytes(value)))
                case UInt8(ascii: "B"):
                    guard let source else { throw MalformedStream(reason: "bulk value without a source file") }
                    let tag = try tag()
                    let vr = try vr()
                    let length = try uint32()
                    let index = try uint32()
                    dataSet.append(
                        DataElement(tag, vr, .bulk(BulkDataReference(source: source, index: index, length: length))))
                case UInt8(ascii: "S"):
                    let tag = try tag()
                    var items: [DataSet] = []
                    sequence: while true {
                        switch try byte() {
                        case UInt8(ascii: "I"): items.append(try readItemContent(nested: true))
                        case UInt8(ascii: "s"): break sequence
                        default: throw MalformedStream(reason: "expected an item")
                        }
                    }
                    dataSet.append(DataElement(tag, items: items))
                case UInt8(ascii: "i") where nested:
                    return dataSet
                default:
                    throw MalformedStream(reason: "unknown record kind")
                }
            }
            if nested { throw MalformedStream(reason: "item not terminated") }
            return dataSet
        }
    }

    // MARK: Encoding

    /// Encodes a data set. Bulk references must belong to the file `source`; without a source
    /// they are an error.
    public static func encode(_ dataSet: DataSet, source: UInt64? = nil) throws(MalformedStream) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        try write(dataSet, source: source, into: &out)
        return out
    }

    private static func write(_ dataSet: DataSet, source: UInt64?, into out: inout [UInt8]) throws(MalformedStream) {
        for element in dataSet.elements {
            switch element.value {
            case .bytes(let value):
                guard element.vr != .SQ else { throw MalformedStream(reason: "SQ element with a byte value") }
                guard value.count <= Int(UInt32.max - 1) else { throw MalformedStream(reason: "value too long") }
                out.append(UInt8(ascii: "E"))
                appendHeader(element, into: &out)
                append(UInt32(value.count), into: &out)
                out.append(contentsOf: value)
            case .bulk(let reference):
                guard reference.source == source else {
                    throw MalformedStream(reason: "bulk value of \(element.tag) belongs to another file")
                }
                out.append(UInt8(ascii: "B"))
                appendHeader(element, into: &out)
                append(reference.length, into: &out)
                append(reference.index, into: &out)
            case .sequence(let items):
                out.append(UInt8(ascii: "S"))
                append(element.tag.group, into: &out)
                append(element.tag.element, into: &out)
                for item in items {
                    out.append(UInt8(ascii: "I"))
                    try write(item, source: source, into: &out)
                    out.append(UInt8(ascii: "i"))
                }
                out.append(UInt8(ascii: "s"))
            }
        }
    }

    private static func appendHeader(_ element: DataElement, into out: inout [UInt8]) {
        append(element.tag.group, into: &out)
        append(element.tag.element, into: &out)
        out.append(contentsOf: element.vr.rawValue.utf8)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, into out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
}
