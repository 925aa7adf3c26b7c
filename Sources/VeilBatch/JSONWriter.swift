/// A small, fast JSON writer for manifest records, which are written once per file: JSONEncoder
/// costs more than de-identifying the file. Keys are written in the order given; callers give
/// them sorted, as the header's JSONEncoder (`.sortedKeys`) does.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init() { bytes.reserveCapacity(2048) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma.removeLast()
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma.removeLast()
    }

    /// Writes `"key":` inside an object.
    mutating func key(_ key: String) {
        separate()
        string(key, separated: false)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }

    mutating func field(_ key: String, _ value: Int) {
        self.key(key)
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A bare JSON literal (`true`, `false`, `null`) after a key.
    mutating func literal(_ value: StaticString) {
        separate()
        bytes.append(contentsOf: UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
    }

    /// An array of strings; nothing at all when `values` is nil.
    mutating func field(_ key: String, _ values: [String]?) {
        guard let values else { return }
        self.key(key)
        beginArray()
        values.forEach { string($0) }
        endArray()
    }

    /// A finite number as JSONEncoder writes it: whole numbers without a fraction (`1`, not
    /// `1.0`), others in the shortest form that reads back the same.
    mutating func field(_ key: String, _ value: Double) {
        self.key(key)
        separate()
        let text: String
        if !value.isFinite {
            text = "null"
        } else if value == value.rounded(), abs(value) < 0x1p53 {
            text = String(Int64(value))
        } else {
            text = String(value)
        }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func string(_ value: String, separated: Bool = true) {
        if separated { separate() }
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Most values (UIDs, tag paths, codes) need no escaping: one append.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 { appendEscaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        case 0..<0x20:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [
                UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)],
            ])
        default: bytes.append(byte)
        }
    }

    private mutating func separate() {
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }
}
