import Testing

@testable import Volumes

/// The Siemens CSA header reader: values by name; truncated or hostile bytes give nil.
@Suite struct CSAHeaderTests {
    static func header(_ name: String, _ items: [String]) -> [UInt8] {
        func le(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        var bytes = Array("SV10".utf8) + [4, 3, 2, 1] + le(1) + le(77)
        var nameField = Array(name.utf8)
        nameField += [UInt8](repeating: 0, count: 64 - nameField.count)
        bytes += nameField + le(3) + Array("FD\0\0".utf8) + le(4) + le(items.count) + le(77)
        for item in items {
            var data = Array(item.utf8) + [0]
            bytes += le(data.count) + le(data.count) + le(77) + le(data.count)
            while data.count % 4 != 0 { data.append(0) }
            bytes += data
        }
        return bytes
    }

    @Test func readsValuesByName() {
        let bytes = Self.header("SliceNormalVector", ["0.0", "-0.0052", "0.99998"])
        #expect(CSAHeader.values(of: "SliceNormalVector", in: bytes) == ["0.0", "-0.0052", "0.99998"])
        #expect(CSAHeader.values(of: "Other", in: bytes) == nil)
    }

    @Test func truncatedOrHostileBytesGiveNil() {
        let bytes = Self.header("SliceNormalVector", ["0.0", "-0.0052", "0.99998"])
        for length in stride(from: 0, to: bytes.count - 1, by: 7) {
            _ = CSAHeader.values(of: "SliceNormalVector", in: Array(bytes.prefix(length)))
        }
        var huge = bytes
        huge[8] = 0xFF
        huge[9] = 0xFF
        #expect(CSAHeader.values(of: "SliceNormalVector", in: huge) == nil)
        #expect(CSAHeader.values(of: "SliceNormalVector", in: Array("SV10".utf8)) == nil)
    }
}
