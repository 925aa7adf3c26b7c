import Foundation

/// Lines of a file, read in blocks: a manifest of millions of lines is never held whole.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func next() -> Data? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                defer { position = newline + 1 }
                return Data(buffer[position..<newline])
            }
            if finished {
                guard position < buffer.count else { return nil }
                defer { position = buffer.count }
                return Data(buffer[position...])
            }
            let block = handle.readData(ofLength: 1 << 20)
            buffer.removeFirst(position)
            position = 0
            if block.isEmpty { finished = true } else { buffer.append(contentsOf: block) }
        }
    }
}
