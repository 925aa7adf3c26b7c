/// A tag pattern with wildcard hex digits, as the standard writes repeating groups:
/// "60xx3000" (Overlay Data of any overlay plane), "50xxxxxx" (any curve attribute).
public struct TagMask: Hashable, Sendable {
    public let mask: UInt32
    public let value: UInt32

    /// Parses eight characters, each a hex digit or 'x'/'X' for "any".
    public init?(_ pattern: some StringProtocol) {
        guard pattern.count == 8 else { return nil }
        var mask: UInt32 = 0
        var value: UInt32 = 0
        for character in pattern {
            mask <<= 4
            value <<= 4
            if let digit = character.hexDigitValue {
                mask |= 0xF
                value |= UInt32(digit)
            } else if character != "x" && character != "X" {
                return nil
            }
        }
        self.mask = mask
        self.value = value
    }

    public func matches(_ tag: DICOMTag) -> Bool { tag.value & mask == value }
}
