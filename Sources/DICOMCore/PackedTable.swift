/// Reads the packed tables that `Scripts/generate/generate-tables.py` writes into Swift sources: ASCII
/// lines of space-separated fields. Tables are parsed on first use, which is on the path of
/// every run, so this works on the UTF-8 bytes instead of splitting Strings.
public enum PackedTable {
    public typealias Field = Slice<UnsafeBufferPointer<UInt8>>

    /// Calls `body` with the fields of each non-empty line of `text`.
    public static func forEachLine(_ text: String, _ body: (_ fields: [Field]) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var fields: [Field] = []
            var lineStart = 0
            while lineStart < bytes.count {
                let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
                fields.removeAll(keepingCapacity: true)
                var fieldStart = lineStart
                for index in lineStart...lineEnd where index == lineEnd || bytes[index] == 0x20 {
                    if index > fieldStart { fields.append(bytes[fieldStart..<index]) }
                    fieldStart = index + 1
                }
                if !fields.isEmpty { body(fields) }
                lineStart = lineEnd + 1
            }
        }
    }

    /// The hexadecimal number in `field`, or nil if it has other characters or more than 8 digits.
    public static func hex(_ field: Field) -> UInt32? {
        guard !field.isEmpty, field.count <= 8 else { return nil }
        var value: UInt32 = 0
        for byte in field {
            guard let digit = hexDigit(byte) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    /// The decimal number in `field`, or nil if it has other characters or more than 9 digits.
    public static func decimal(_ field: Field) -> Int? {
        guard !field.isEmpty, field.count <= 9, field.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    public static func string(_ field: Field) -> String { String(decoding: field, as: UTF8.self) }

    /// The parts of `field` between `separator` bytes, empty parts left out.
    public static func parts(_ field: Field, separatedBy separator: UInt8) -> [Field] {
        var parts: [Field] = []
        var start = field.startIndex
        for index in field.startIndex...field.endIndex where index == field.endIndex || field.base[index] == separator {
            if index > start { parts.append(field.base[start..<index]) }
            start = index + 1
        }
        return parts
    }
}
