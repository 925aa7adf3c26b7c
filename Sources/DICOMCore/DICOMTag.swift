/// A DICOM attribute tag: (group, element), as in PS3.5 section 7.1.
public struct DICOMTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var group: UInt16
    public var element: UInt16

    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// The tag as one 32-bit number, group in the high half: 0x00100010 for (0010,0010).
    public init(_ value: UInt32) {
        self.init(UInt16(truncatingIfNeeded: value >> 16), UInt16(truncatingIfNeeded: value))
    }

    /// Parses "(0010,0010)", "0010,0010" or "00100010" (hex digits, either case).
    public init?(_ text: some StringProtocol) {
        let digits = String(text.filter { !"(), ".contains($0) })
        guard digits.count == 8, let value = UInt32(digits, radix: 16) else { return nil }
        self.init(value)
    }

    public var value: UInt32 { UInt32(group) << 16 | UInt32(element) }

    /// Private attributes live in odd groups (PS3.5 7.8). Groups 0001, 0003, 0005 and 0007 are
    /// not allowed to hold private data at all, but they are odd and treated as private too.
    public var isPrivate: Bool { group & 1 == 1 }

    /// A Private Creator Data Element, (gggg,0010) through (gggg,00FF) in an odd group.
    public var isPrivateCreator: Bool { isPrivate && (0x0010...0x00FF).contains(element) }

    /// The Private Creator element that reserves this private element's block, if any.
    public var privateCreator: DICOMTag? {
        guard isPrivate, element >= 0x1000 else { return nil }
        return DICOMTag(group, element >> 8)
    }

    /// Group Length elements, (gggg,0000).
    public var isGroupLength: Bool { element == 0x0000 }

    /// File Meta Information, group 0002.
    public var isFileMetaInformation: Bool { group == 0x0002 }

    public static func < (lhs: DICOMTag, rhs: DICOMTag) -> Bool { lhs.value < rhs.value }

    /// "(0010,0010)": upper-case hex, the notation of the standard.
    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(11)
        appendDescription(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the description's bytes: manifests write one per action, so no String in between.
    public func appendDescription(to text: inout [UInt8]) {
        let digits: StaticString = "0123456789ABCDEF"
        func hex(_ value: UInt16) {
            for shift in stride(from: 12, through: 0, by: -4) {
                text.append(digits.utf8Start[Int(value >> UInt16(shift) & 0xF)])
            }
        }
        text.append(UInt8(ascii: "("))
        hex(group)
        text.append(UInt8(ascii: ","))
        hex(element)
        text.append(UInt8(ascii: ")"))
    }
}
