import DICOMCore

/// The red, green and blue lookup tables of a PALETTE COLOR image (PS3.3 C.7.6.3.1.5), scaled to
/// 8 bits; plain or segmented (C.7.9.2).
struct Palette {
    var red: [UInt8]
    var green: [UInt8]
    var blue: [UInt8]
    var firstIndex: Int

    init?(_ dataSet: DataSet, bulkValue: (BulkDataReference) throws -> [UInt8]) {
        var tables: [[UInt8]] = []
        var first = 0
        for channel in 0..<3 {
            let descriptor = DICOMTag(0x0028, UInt16(0x1101 + channel))
            let plain = DICOMTag(0x0028, UInt16(0x1201 + channel))
            let segmented = DICOMTag(0x0028, UInt16(0x1221 + channel))
            // The descriptor is US or SS: its first index is signed for SS.
            guard let raw = dataSet.uint16s(descriptor), raw.count >= 3,
                let element = dataSet[plain] ?? dataSet[segmented]
            else { return nil }
            let entries = raw[0] == 0 ? 65536 : Int(raw[0])
            first = dataSet[descriptor]?.vr == .SS ? Int(Int16(bitPattern: raw[1])) : Int(raw[1])
            let bits = Int(raw[2])
            let bytes: [UInt8]
            switch element.value {
            case .bytes(let value): bytes = value
            case .bulk(let reference):
                guard let value = try? bulkValue(reference) else { return nil }
                bytes = value
            case .sequence: return nil
            }
            // 16-bit entries are stored one per word; 8-bit ones too (in the low byte), or packed.
            let wide = bits > 8
            var table = [UInt8](repeating: 0, count: entries)
            if element.tag == segmented {
                let words = DataElement.uint16s(littleEndian: bytes).map(Int.init)
                guard let values = Self.expandSegments(words, entries: entries) else { return nil }
                for i in 0..<entries { table[i] = UInt8(clamping: wide ? values[i] >> 8 : values[i] & 0xFF) }
            } else if bytes.count >= 2 * entries {
                let words = DataElement.uint16s(littleEndian: bytes)
                for i in 0..<entries { table[i] = UInt8(truncatingIfNeeded: wide ? words[i] >> 8 : words[i] & 0xFF) }
            } else if !wide, bytes.count >= entries {
                for i in 0..<entries { table[i] = bytes[i] }
            } else {
                return nil
            }
            tables.append(table)
        }
        guard tables[0].count == tables[1].count, tables[1].count == tables[2].count else { return nil }
        (red, green, blue, firstIndex) = (tables[0], tables[1], tables[2], first)
    }

    /// The entries of a segmented table: discrete (0, n, values), linear (1, n, end: a ramp from
    /// the previous value) and indirect (2, n, offset low, offset high: n segments copied from
    /// that word offset) segments. Nil when malformed or not `entries` long.
    static func expandSegments(_ words: [Int], entries: Int) -> [Int]? {
        var output: [Int] = []
        func run(_ start: Int, _ end: Int, segmentLimit: Int, depth: Int) -> Bool {
            var position = start
            var segments = 0
            while position + 1 < end && segments < segmentLimit {
                let (opcode, length) = (words[position], words[position + 1])
                switch opcode {
                case 0:
                    guard position + 2 + length <= end else { return false }
                    output += words[(position + 2)..<(position + 2 + length)]
                    position += 2 + length
                case 1:
                    guard position + 2 < end, let previous = output.last, length > 0 else { return false }
                    let target = words[position + 2]
                    for step in 1...length { output.append(previous + (target - previous) * step / length) }
                    position += 3
                case 2:
                    guard depth == 0, position + 3 < end else { return false }
                    let offset = words[position + 2] | words[position + 3] << 16
                    guard offset < words.count, run(offset, words.count, segmentLimit: length, depth: 1) else {
                        return false
                    }
                    position += 4
                default:
                    return false
                }
                segments += 1
                guard output.count <= entries else { return false }
            }
            return true
        }
        guard run(0, words.count, segmentLimit: Int.max, depth: 0), output.count == entries else { return nil }
        return output
    }
}
