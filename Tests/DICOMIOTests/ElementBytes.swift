import DICOMCore

/// Element bytes laid out as PS3.5 7.1 says, little-endian, for tests of the structure check.
enum ElementBytes {
    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func u32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    static let undefined: UInt32 = 0xFFFF_FFFF
    static let itemDelimiter: [UInt8] = [0xFE, 0xFF, 0x0D, 0xE0, 0x00, 0x00, 0x00, 0x00]
    static let sequenceDelimiter: [UInt8] = [0xFE, 0xFF, 0xDD, 0xE0, 0x00, 0x00, 0x00, 0x00]

    /// An Explicit VR element; `length` overrides the value's (for lies and undefined length).
    static func explicit(
        _ group: UInt16, _ element: UInt16, _ vr: String, _ value: [UInt8] = [],
        length: UInt32? = nil
    ) -> [UInt8] {
        let long = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"].contains(vr)
        let declared = length ?? UInt32(value.count)
        let head = u16(group) + u16(element) + Array(vr.utf8)
        return head + (long ? [0, 0] + u32(declared) : u16(UInt16(truncatingIfNeeded: declared))) + value
    }

    /// An Implicit VR element.
    static func implicit(_ group: UInt16, _ element: UInt16, _ value: [UInt8] = [], length: UInt32? = nil) -> [UInt8] {
        u16(group) + u16(element) + u32(length ?? UInt32(value.count)) + value
    }

    /// An item (FFFE,E000) around `content`: of its length, or of undefined length and delimited.
    static func item(_ content: [UInt8], undefinedLength: Bool = false) -> [UInt8] {
        undefinedLength
            ? [0xFE, 0xFF, 0x00, 0xE0] + u32(undefined) + content + itemDelimiter
            : [0xFE, 0xFF, 0x00, 0xE0] + u32(UInt32(content.count)) + content
    }

    /// Text padded to even length as its VR wants (UI with NUL, others with a space).
    static func text(_ value: String, vr: String = "LO") -> [UInt8] {
        var bytes = Array(value.utf8)
        if bytes.count % 2 != 0 { bytes.append(vr == "UI" ? 0 : 0x20) }
        return bytes
    }

    /// SOP Class and SOP Instance UIDs, Explicit VR: what makes a bare data set DICOM.
    static let sopIdentifiers =
        explicit(0x0008, 0x0016, "UI", text("1.2.840.10008.5.1.4.1.1.7", vr: "UI"))
        + explicit(0x0008, 0x0018, "UI", text("1.2.3.4.5", vr: "UI"))

    /// The same in Implicit VR.
    static let implicitSOPIdentifiers =
        implicit(0x0008, 0x0016, text("1.2.840.10008.5.1.4.1.1.7", vr: "UI"))
        + implicit(0x0008, 0x0018, text("1.2.3.4.5", vr: "UI"))

    /// A Part 10 file: zero preamble, "DICM", File Meta Information with its group length and
    /// `transferSyntax`, then `dataSet` as given.
    static func part10(transferSyntax: String, _ dataSet: [UInt8]) -> [UInt8] {
        let elements =
            explicit(0x0002, 0x0001, "OB", [0x00, 0x01])
            + explicit(0x0002, 0x0010, "UI", text(transferSyntax, vr: "UI"))
        let meta = explicit(0x0002, 0x0000, "UL", u32(UInt32(elements.count))) + elements
        return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + meta + dataSet
    }

    /// `bytes` as one stored (uncompressed) deflate block: a valid raw deflate stream (RFC 1951
    /// 3.2.4) that needs no compressor in the test.
    static func storedDeflateBlock(_ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes.count <= 0xFFFF)
        let length = UInt16(bytes.count)
        return [0x01] + u16(length) + u16(~length) + bytes
    }
}
