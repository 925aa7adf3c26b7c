internal import CDCMTK
import DICOMCore

/// Walks a data set element by element from its raw bytes: sequences and items at any depth, and
/// the fragments of encapsulated Pixel Data (see `StructureCheck`). Values are skipped, except
/// the few the report names. Throws at the first problem.
struct StructureWalker<Bytes: StructureBytes> {
    private var bytes: Bytes
    private let explicitVR: Bool
    private let bigEndian: Bool
    private let encapsulated: Bool
    private var elements = 0
    private var namesSOPClass = false
    private var namesSOPInstanceUID = false
    /// The top level names a SOP Class and a SOP Instance with plausible UIDs.
    private(set) var namesSOPInstance = false
    private(set) var pixelData: PixelDataLocation?

    private static var pixelDataTag: UInt32 { 0x7FE0_0010 }
    private static var sopClassUIDTag: UInt32 { 0x0008_0016 }
    private static var sopInstanceUIDTag: UInt32 { 0x0008_0018 }

    init(bytes: Bytes, encoding: TransferSyntaxEncoding) {
        self.bytes = bytes
        (explicitVR, bigEndian, encapsulated) = (encoding.isExplicitVR, encoding.isBigEndian, encoding.isEncapsulated)
    }

    /// The data set from `start` to the end of the bytes.
    mutating func walkDataSet(from start: Int) throws(Malformed) {
        _ = try walkContent(from: start, to: bytes.count, untilDelimiter: false, depth: 0, explicitVR: explicitVR)
    }

    @inline(__always)
    private mutating func header(at position: Int, explicitVR: Bool) -> ElementHeader? {
        ElementHeader.read(from: &bytes, at: position, explicitVR: explicitVR, bigEndian: bigEndian)
    }

    /// The elements of a data set or item from `start`: up to `end` exactly, or, with
    /// `untilDelimiter` (an item of undefined length), up to its item delimiter before `end`.
    /// Returns where they end.
    private mutating func walkContent(
        from start: Int, to end: Int, untilDelimiter: Bool, depth: Int,
        explicitVR: Bool
    ) throws(Malformed) -> Int {
        var position = start
        var previous: UInt32 = 0
        var first = true
        while true {
            if !untilDelimiter && position == end { return position }
            if position >= end {
                throw Malformed(untilDelimiter ? "item without its delimiter" : "element runs past its container")
            }
            guard let header = header(at: position, explicitVR: explicitVR), position + header.size <= end else {
                throw Malformed("element header cut short")
            }
            if header.group == 0xFFFE {
                if untilDelimiter && header.isItemDelimiter {
                    if header.length != 0 { throw Malformed("item delimiter with a length") }
                    return position + header.size
                }
                throw Malformed(
                    depth == 0
                        ? "item or delimiter tag in the data set"
                        : "misplaced item or delimiter tag")
            }
            let tag = header.tag
            if !first && tag <= previous {
                let named = StructureCheck.text(header.group, header.element)
                throw Malformed(tag == previous ? "duplicate element " + named : "elements out of order at " + named)
            }
            previous = tag
            first = false
            elements += 1
            if elements > StructureCheck.maximumElements { throw Malformed("more than 1,000,000 elements") }
            if explicitVR && !VRCode.isStandard(header.vr) {
                throw Malformed("invalid VR in " + StructureCheck.text(header.group, header.element))
            }
            let valueStart = position + header.size

            if header.length == ElementHeader.undefinedLength {
                if tag == Self.pixelDataTag {
                    if !encapsulated { throw Malformed("Pixel Data of undefined length in a native transfer syntax") }
                    let after = try walkFragments(from: valueStart, limit: end)
                    if depth == 0 {
                        pixelData = PixelDataLocation(start: position, end: after, valueLength: header.length)
                    }
                    position = after
                    continue
                }
                if explicitVR && header.vr != VRCode.SQ && header.vr != VRCode.UN {
                    throw Malformed(
                        "undefined length on a " + VRCode.text(header.vr) + " element "
                            + StructureCheck.text(header.group, header.element))
                }
                // Items inside UN of undefined length are Implicit VR Little Endian (PS3.5 6.2.2).
                position = try walkSequence(
                    from: valueStart, limit: end, defined: false, depth: depth + 1,
                    explicitVR: explicitVR && header.vr != VRCode.UN)
                continue
            }
            // Odd lengths are refused in public elements; vendors' private blocks often have them
            // (and are removed, or padded when kept), so there they are tolerated.
            if header.length % 2 != 0 && header.group % 2 == 0 {
                throw Malformed("odd value length in " + StructureCheck.text(header.group, header.element))
            }
            let valueEnd = valueStart + Int(header.length)
            if valueEnd > end {
                throw Malformed(
                    "value of " + StructureCheck.text(header.group, header.element) + " runs past "
                        + (end == bytes.count ? "the end of the file" : "its container"))
            }
            if isSequence(header, explicitVR: explicitVR) {
                _ = try walkSequence(
                    from: valueStart, limit: valueEnd, defined: true, depth: depth + 1,
                    explicitVR: explicitVR)
            } else if depth == 0 {
                if tag == Self.pixelDataTag {
                    pixelData = PixelDataLocation(start: position, end: valueEnd, valueLength: header.length)
                }
                if tag == Self.sopClassUIDTag || tag == Self.sopInstanceUIDTag {
                    noteSOPIdentifier(tag, at: valueStart, length: Int(header.length))
                }
            }
            position = valueEnd
        }
    }

    /// The items of a sequence from `start`: filling `start..<limit` when `defined`, else up to
    /// the sequence delimiter before `limit`. Returns where they end.
    private mutating func walkSequence(
        from start: Int, limit: Int, defined: Bool, depth: Int,
        explicitVR: Bool
    ) throws(Malformed) -> Int {
        if depth > StructureCheck.maximumDepth { throw Malformed("sequences nested deeper than 64 levels") }
        var position = start
        while true {
            if defined && position == limit { return position }
            if position >= limit {
                throw Malformed(defined ? "sequence runs past its container" : "sequence without its delimiter")
            }
            guard let header = header(at: position, explicitVR: false), position + header.size <= limit else {
                throw Malformed("item header cut short")
            }
            if !defined && header.isSequenceDelimiter {
                if header.length != 0 { throw Malformed("sequence delimiter with a length") }
                return position + header.size
            }
            if !header.isItem {
                throw Malformed(
                    "an element where a sequence item should be, "
                        + StructureCheck.text(header.group, header.element))
            }
            let content = position + header.size
            if header.length == ElementHeader.undefinedLength {
                position = try walkContent(
                    from: content, to: limit, untilDelimiter: true, depth: depth,
                    explicitVR: explicitVR)
                continue
            }
            if header.length % 2 != 0 { throw Malformed("item of odd length") }
            let itemEnd = content + Int(header.length)
            if itemEnd > limit { throw Malformed("item runs past its sequence") }
            _ = try walkContent(
                from: content, to: itemEnd, untilDelimiter: false, depth: depth,
                explicitVR: explicitVR)
            position = itemEnd
        }
    }

    /// The fragments of encapsulated Pixel Data, up to its sequence delimiter. Returns where it ends.
    private mutating func walkFragments(from start: Int, limit: Int) throws(Malformed) -> Int {
        var position = start
        while true {
            if position >= limit { throw Malformed("encapsulated Pixel Data without its sequence delimiter") }
            guard let header = header(at: position, explicitVR: false), position + header.size <= limit else {
                throw Malformed("fragment header cut short")
            }
            if header.isSequenceDelimiter {
                if header.length != 0 { throw Malformed("sequence delimiter with a length") }
                return position + header.size
            }
            if !header.isItem || header.length == ElementHeader.undefinedLength {
                throw Malformed("malformed fragment in encapsulated Pixel Data")
            }
            position += header.size + Int(header.length)
            if position > limit { throw Malformed("fragment runs past the end of the file") }
        }
    }

    /// Explicit VR says so; in Implicit VR DCMTK's data dictionary does, for public attributes:
    /// the walk must see a sequence exactly where DCMTK's parser will.
    private func isSequence(_ header: ElementHeader, explicitVR: Bool) -> Bool {
        if explicitVR { return header.vr == VRCode.SQ }
        if header.group % 2 != 0 { return false }
        return cdcm_dictionary_is_sequence(header.group, header.element) != 0
    }

    private mutating func noteSOPIdentifier(_ tag: UInt32, at valueStart: Int, length: Int) {
        guard length <= 64, length > 0, let value = bytes.bytes(at: valueStart, count: length) else { return }
        // UIDs are padded with NUL (PS3.5 9.1); spaces are a common slip.
        var count = length
        while count > 0 {
            let last = value.load(fromByteOffset: count - 1, as: UInt8.self)
            guard last == 0 || last == 0x20 else { break }
            count -= 1
        }
        guard UID.isPlausible(utf8: UnsafeRawBufferPointer(start: value, count: count)) else { return }
        if tag == Self.sopClassUIDTag { namesSOPClass = true } else { namesSOPInstanceUID = true }
        namesSOPInstance = namesSOPClass && namesSOPInstanceUID
    }
}
