// Numbers out of element values: the one place that knows how each VR stores them (PS3.5 6.2).
// Text VRs (DS, IS) are parsed; binary VRs are read little-endian, as every transfer syntax Veil
// writes and every record the shim exports stores them.

extension DataElement {
    /// The values as 16-bit words: US and SS values, OW data, and UN (a private or unknown
    /// attribute whose VR the file did not say, read the way its definer stores it).
    public var uint16s: [UInt16]? {
        guard [.US, .SS, .OW, .UN].contains(vr), let bytes else { return nil }
        return Self.uint16s(littleEndian: bytes)
    }

    /// Integer values: IS (text), and US, SS, UL, SL, UV, SV (binary, by the VR's width and
    /// sign). Nil when any value is not an integer.
    public var ints: [Int]? {
        switch vr {
        case .IS:
            let values = strings.map { Int($0) }
            guard !values.isEmpty, !values.contains(nil) else { return nil }
            return values.map { $0! }
        case .US, .SS, .UL, .SL, .UV, .SV:
            guard let bytes else { return nil }
            return Self.binaryIntegers(bytes, vr: vr)
        default:
            return nil
        }
    }

    /// The first integer value (see ``ints``).
    public var int: Int? { ints?.first }

    /// Decimal values: DS and IS (text; every value finite), FL and FD, and the binary integer
    /// VRs. Nil when any value does not parse.
    public var doubles: [Double]? {
        switch vr {
        case .DS, .IS:
            let values = strings.map { Double($0) }
            guard !values.isEmpty, values.allSatisfy({ $0?.isFinite ?? false }) else { return nil }
            return values.map { $0! }
        case .FL:
            guard let bytes else { return nil }
            return Self.words(bytes, width: 4).map { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        case .FD:
            guard let bytes else { return nil }
            return Self.words(bytes, width: 8).map { Double(bitPattern: $0) }
        default:
            return ints?.map(Double.init)
        }
    }

    /// The first decimal value (see ``doubles``).
    public var double: Double? { doubles?.first }

    /// Little-endian 16-bit words; a trailing odd byte is ignored.
    public static func uint16s(littleEndian bytes: [UInt8]) -> [UInt16] {
        words(bytes, width: 2).map { UInt16(truncatingIfNeeded: $0) }
    }

    private static func binaryIntegers(_ bytes: [UInt8], vr: VR) -> [Int] {
        switch vr {
        case .US: words(bytes, width: 2).map { Int($0) }
        case .SS: words(bytes, width: 2).map { Int(Int16(truncatingIfNeeded: $0)) }
        case .UL: words(bytes, width: 4).map { Int($0) }
        case .SL: words(bytes, width: 4).map { Int(Int32(truncatingIfNeeded: $0)) }
        case .SV: words(bytes, width: 8).map { Int(Int64(bitPattern: $0)) }
        default: words(bytes, width: 8).map { Int(truncatingIfNeeded: $0) }
        }
    }

    /// Little-endian unsigned words of `width` bytes; a trailing partial word is ignored.
    private static func words(_ bytes: [UInt8], width: Int) -> [UInt64] {
        stride(from: 0, to: bytes.count - width + 1, by: width).map { start in
            var value: UInt64 = 0
            for offset in (0..<width).reversed() { value = value << 8 | UInt64(bytes[start + offset]) }
            return value
        }
    }
}

extension DataSet {
    /// The element's integer values (see ``DataElement/ints``).
    public func ints(_ tag: DICOMTag) -> [Int]? { self[tag]?.ints }

    /// The element's first integer value (see ``DataElement/ints``).
    public func int(_ tag: DICOMTag) -> Int? { self[tag]?.int }

    /// The element's decimal values (see ``DataElement/doubles``).
    public func doubles(_ tag: DICOMTag) -> [Double]? { self[tag]?.doubles }

    /// The element's first decimal value (see ``DataElement/doubles``).
    public func double(_ tag: DICOMTag) -> Double? { self[tag]?.double }

    /// The element's 16-bit words (see ``DataElement/uint16s``).
    public func uint16s(_ tag: DICOMTag) -> [UInt16]? { self[tag]?.uint16s }

    /// The first item of a sequence, when it has one.
    public func firstItem(_ tag: DICOMTag) -> DataSet? { items(tag)?.first }
}
