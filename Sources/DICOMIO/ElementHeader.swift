/// One element header as stored (PS3.5 7.1), read from raw bytes by the structure check.
struct ElementHeader {
    static let undefinedLength: UInt32 = 0xFFFF_FFFF

    var group: UInt16
    var element: UInt16
    /// The two VR characters, first in the high byte; 0 for Implicit VR, items and delimiters.
    var vr: UInt16
    var length: UInt32
    /// Bytes of the header itself: 8 or 12.
    var size: Int

    var tag: UInt32 { UInt32(group) << 16 | UInt32(element) }
    var isItem: Bool { group == 0xFFFE && element == 0xE000 }
    var isItemDelimiter: Bool { group == 0xFFFE && element == 0xE00D }
    var isSequenceDelimiter: Bool { group == 0xFFFE && element == 0xE0DD }

    /// The header at `offset` in one byte order; Explicit VR when `explicitVR`, except that items
    /// and delimiters never have a VR. Nil when it does not fit in the bytes.
    @inline(__always)
    static func read(
        from bytes: inout some StructureBytes, at offset: Int, explicitVR: Bool,
        bigEndian: Bool
    ) -> ElementHeader? {
        guard let raw = bytes.bytes(at: offset, count: 8) else { return nil }
        let group = u16(raw, bigEndian: bigEndian)
        let element = u16(raw + 2, bigEndian: bigEndian)
        if group == 0xFFFE || !explicitVR {
            let length = u32(raw + 4, bigEndian: bigEndian)
            return ElementHeader(group: group, element: element, vr: 0, length: length, size: 8)
        }
        let vr = VRCode.at(raw + 4)
        if VRCode.hasLongLength(vr) {
            guard let long = bytes.bytes(at: offset + 8, count: 4) else { return nil }
            let length = u32(long, bigEndian: bigEndian)
            return ElementHeader(group: group, element: element, vr: vr, length: length, size: 12)
        }
        let length = UInt32(u16(raw + 6, bigEndian: bigEndian))
        return ElementHeader(group: group, element: element, vr: vr, length: length, size: 8)
    }

    @inline(__always)
    private static func u16(_ raw: UnsafeRawPointer, bigEndian: Bool) -> UInt16 {
        let value = raw.loadUnaligned(as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: value) : UInt16(littleEndian: value)
    }

    @inline(__always)
    private static func u32(_ raw: UnsafeRawPointer, bigEndian: Bool) -> UInt32 {
        let value = raw.loadUnaligned(as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: value) : UInt32(littleEndian: value)
    }
}

/// VRs as their two characters, first in the high byte (`"OB"` is 0x4F42).
enum VRCode {
    static let SQ: UInt16 = 0x5351
    static let UN: UInt16 = 0x554E

    /// The two bytes at `raw` as a VR code.
    @inline(__always)
    static func at(_ raw: UnsafeRawPointer) -> UInt16 {
        UInt16(raw.load(as: UInt8.self)) << 8 | UInt16(raw.load(fromByteOffset: 1, as: UInt8.self))
    }

    /// The VRs of PS3.5 6.2: for each first letter, the second letters that follow it as a bit
    /// set ('A' is bit 0).
    @inline(__always)
    static func isStandard(_ vr: UInt16) -> Bool {
        let first = UInt8(vr >> 8)
        let second = UInt8(vr & 0xFF) &- UInt8(ascii: "A")
        guard second < 26 else { return false }
        let seconds: UInt32 =
            switch first {
            case UInt8(ascii: "A"): letters("EST")
            case UInt8(ascii: "C"): letters("S")
            case UInt8(ascii: "D"): letters("AST")
            case UInt8(ascii: "F"): letters("DL")
            case UInt8(ascii: "I"): letters("S")
            case UInt8(ascii: "L"): letters("OT")
            case UInt8(ascii: "O"): letters("BDFLVW")
            case UInt8(ascii: "P"): letters("N")
            case UInt8(ascii: "S"): letters("HLQSTV")
            case UInt8(ascii: "T"): letters("M")
            case UInt8(ascii: "U"): letters("CILNRSTV")
            default: 0
            }
        return seconds & (1 << second) != 0
    }

    @inline(__always)
    private static func letters(_ text: StaticString) -> UInt32 {
        var set: UInt32 = 0
        for index in 0..<text.utf8CodeUnitCount { set |= 1 << (text.utf8Start[index] &- UInt8(ascii: "A")) }
        return set
    }

    /// VRs whose explicit header has a 32-bit length after two reserved bytes (PS3.5 7.1.2).
    @inline(__always)
    static func hasLongLength(_ vr: UInt16) -> Bool {
        switch vr {
        case 0x4F42, 0x4F44, 0x4F46, 0x4F4C, 0x4F56, 0x4F57, 0x5351, 0x5356, 0x5543, 0x554E, 0x5552, 0x5554, 0x5556:
            true  // OB OD OF OL OV OW SQ SV UC UN UR UT UV
        default:
            false
        }
    }

    /// The two characters as text, for messages (only ever called on standard VRs).
    static func text(_ vr: UInt16) -> String {
        String(decoding: [UInt8(vr >> 8), UInt8(vr & 0xFF)], as: UTF8.self)
    }
}
