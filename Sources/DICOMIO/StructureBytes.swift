#if canImport(Glibc)
import Glibc
#endif

/// Bytes the structure check reads: a file through a window, or memory. The check reads a few
/// bytes per element header and skips values, so a file of any size costs a few reads.
protocol StructureBytes {
    /// Bytes in all; nothing at or past this offset can be read.
    var count: Int { get }

    /// `count` bytes at `offset` (at most `StructureCheck.windowSize`), valid until the next call;
    /// nil when they are not all there.
    mutating func bytes(at offset: Int, count: Int) -> UnsafeRawPointer?

    /// Copies `buffer.count` bytes at `offset` into `buffer`; false when they are not all there.
    mutating func copy(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool
}

/// Bytes in memory: a buffer handed to the check, or an inflated data set.
struct MemoryBytes: StructureBytes {
    let memory: UnsafeRawBufferPointer

    var count: Int { memory.count }

    @inline(__always)
    func bytes(at offset: Int, count: Int) -> UnsafeRawPointer? {
        guard offset >= 0, count <= memory.count - offset, let base = memory.baseAddress else { return nil }
        return base + offset
    }

    func copy(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard let source = bytes(at: offset, count: buffer.count) else { return false }
        if let target = buffer.baseAddress { target.copyMemory(from: source, byteCount: buffer.count) }
        return true
    }
}

/// An open file read through a window of `StructureCheck.windowSize` bytes: one pread per window,
/// and memory that does not depend on the size of the file.
struct FileBytes: StructureBytes {
    let descriptor: Int32
    /// The size when the file was opened (fstat): a file that shrinks since reads short.
    let count: Int
    let window: UnsafeMutableRawBufferPointer
    private var windowStart = 0
    private var windowLength = 0

    init(descriptor: Int32, count: Int, window: UnsafeMutableRawBufferPointer) {
        (self.descriptor, self.count, self.window) = (descriptor, count, window)
    }

    @inline(__always)
    mutating func bytes(at offset: Int, count: Int) -> UnsafeRawPointer? {
        guard offset >= 0, count <= self.count - offset, let base = window.baseAddress else { return nil }
        if offset < windowStart || offset + count > windowStart + windowLength {
            return refill(at: offset, count: count)
        }
        return UnsafeRawPointer(base) + (offset - windowStart)
    }

    /// Reads the window at `offset`: the rare case, kept out of line.
    @inline(never)
    private mutating func refill(at offset: Int, count: Int) -> UnsafeRawPointer? {
        guard count <= window.count, let base = window.baseAddress else { return nil }
        let got = pread(descriptor, base, window.count, off_t(offset))
        guard got >= count else { return nil }
        (windowStart, windowLength) = (offset, got)
        return UnsafeRawPointer(base)
    }

    func copy(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard offset >= 0, buffer.count <= count - offset else { return false }
        guard let target = buffer.baseAddress else { return true }
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, target + done, buffer.count - done, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            done += got
        }
        return true
    }
}
