/// The File Meta Information of a Part 10 file read from raw bytes (PS3.10 7.1), for the
/// structure check: where the data set starts and which transfer syntax it is in.
struct FileMetaInformation {
    /// Offset of the first data set element.
    var dataSetStart: Int
    /// Transfer Syntax UID as stored, trailing NULs and spaces removed; never empty.
    var transferSyntaxUID: [UInt8]

    /// The group 0002 elements from offset 132, after the preamble and "DICM": Explicit VR Little
    /// Endian whatever the data set's transfer syntax.
    static func read(_ bytes: inout some StructureBytes) throws(Malformed) -> FileMetaInformation {
        var position = 132
        var groupLengthEnd = -1
        var previous: UInt32 = 0
        var any = false
        var transferSyntaxUID: [UInt8]?
        while position < bytes.count {
            guard
                let header = ElementHeader.read(
                    from: &bytes, at: position, explicitVR: true,
                    bigEndian: false)
            else {
                throw Malformed("File Meta Information cut short")
            }
            if header.group != 0x0002 { break }
            if !VRCode.isStandard(header.vr) {
                throw Malformed("invalid VR in " + StructureCheck.text(header.group, header.element))
            }
            if any && header.tag <= previous { throw Malformed("File Meta Information elements out of order") }
            if header.length == ElementHeader.undefinedLength || header.length % 2 != 0 {
                throw Malformed(
                    "File Meta Information element " + StructureCheck.text(header.group, header.element)
                        + " of odd or undefined length")
            }
            let valueStart = position + header.size
            let next = valueStart + Int(header.length)
            if next > bytes.count { throw Malformed("File Meta Information cut short") }
            if header.tag == 0x0002_0000 && header.length == 4 {
                guard let value = bytes.bytes(at: valueStart, count: 4) else {
                    throw Malformed("File Meta Information cut short")
                }
                groupLengthEnd = next + Int(UInt32(littleEndian: value.loadUnaligned(as: UInt32.self)))
            }
            if header.tag == 0x0002_0010 && header.length <= 128 {
                var value = [UInt8](repeating: 0, count: Int(header.length))
                if header.length > 0 {
                    guard let stored = bytes.bytes(at: valueStart, count: value.count) else {
                        throw Malformed("File Meta Information cut short")
                    }
                    value.withUnsafeMutableBytes { target in
                        target.copyMemory(from: UnsafeRawBufferPointer(start: stored, count: target.count))
                    }
                }
                while let last = value.last, last == 0 || last == 0x20 { value.removeLast() }
                transferSyntaxUID = value
            }
            previous = header.tag
            any = true
            position = next
        }
        if !any { throw Malformed("no File Meta Information after the DICM prefix") }
        if groupLengthEnd >= 0 && groupLengthEnd != position {
            throw Malformed("File Meta Information Group Length does not match its elements")
        }
        guard let transferSyntaxUID, !transferSyntaxUID.isEmpty else {
            throw Malformed("no Transfer Syntax UID in the File Meta Information")
        }
        return FileMetaInformation(dataSetStart: position, transferSyntaxUID: transferSyntaxUID)
    }
}
