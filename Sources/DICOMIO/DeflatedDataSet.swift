internal import CInflate

/// A deflated data set (PS3.5 A.5: one raw deflate stream after the meta header), inflated for
/// the structure check to walk. A stream that inflates past `StructureCheck.maximumInflatedSize`
/// is refused: a few kilobytes can claim gigabytes.
enum DeflatedDataSet {
    /// Output grows, and input is read, this many bytes at a time.
    static let blockSize = 1 << 20

    /// The inflated bytes of the stream that starts at `start` and runs to the end of `source`.
    /// Bytes after the end of the stream are ignored.
    static func inflate(_ source: inout some StructureBytes, from start: Int) throws(Malformed) -> [UInt8] {
        guard let stream = cinf_open() else { throw Malformed("cannot inflate the deflated data set") }
        defer { cinf_close(stream) }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { input.deallocate() }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { output.deallocate() }
        var next = start
        var inflated: [UInt8] = []
        var status = Int32(CINF_OK)
        while status == CINF_OK {
            if inflated.count >= StructureCheck.maximumInflatedSize { break }
            var filled = 0
            // One block of output, fed as much input as it takes to fill it.
            repeat {
                if cinf_input_left(stream) == 0 && next < source.count {
                    let count = min(blockSize, source.count - next)
                    guard source.copy(at: next, into: UnsafeMutableRawBufferPointer(rebasing: input[..<count])) else {
                        throw Malformed("cannot read the deflated data set")
                    }
                    cinf_give(stream, input.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(count))
                    next += count
                }
                var produced: UInt32 = 0
                status = cinf_inflate(
                    stream, output.baseAddress!.assumingMemoryBound(to: UInt8.self) + filled,
                    UInt32(blockSize - filled), &produced)
                filled += Int(produced)
            } while (status == CINF_OK || status == CINF_BUFFER_ERROR) && filled < blockSize
                && cinf_input_left(stream) == 0 && next < source.count
            inflated.append(contentsOf: UnsafeRawBufferPointer(rebasing: output[..<filled]))
        }
        guard status == CINF_STREAM_END else { throw Malformed("the deflated data set does not inflate") }
        return inflated
    }
}
