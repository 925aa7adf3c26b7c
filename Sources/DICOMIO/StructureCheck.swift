/// The structure check: every element of a file walked from its raw bytes before DCMTK parses it.
///
/// A file is well formed when every length fits its container, public values have even lengths
/// (private ones are often odd), VRs are those of PS3.5, tags ascend within each data set and
/// item, items and sequences are delimited as their lengths say, nothing follows the last
/// element, nesting stays within 64 sequences and there are at most 1,000,000 elements. DCMTK
/// repairs or accepts many of these defects silently, and another reader may repair them
/// differently: a file whose structure is in doubt is refused rather than guessed at. DCMTK's
/// recursive parser never sees nesting a hostile file chose.
///
/// The check reads only bytes; what it knows of DCMTK (which transfer syntaxes it reads, which
/// attributes its dictionary makes sequences in Implicit VR) it asks DCMTK, so that it walks a
/// file exactly as DCMTK will parse it.
public enum StructureCheck {
    /// Sequences inside sequences, counted from the data set.
    public static let maximumDepth = 64
    /// Elements at every depth, items and fragments not counted.
    public static let maximumElements = 1_000_000
    /// A deflated data set larger than this once inflated is refused.
    public static let maximumInflatedSize = 1 << 30

    /// Bytes read from a file at a time: the meta header and the data set up to Pixel Data fit
    /// in one read for most files.
    static let windowSize = 16384

    /// Checks a whole file held in memory.
    public static func check(_ bytes: UnsafeRawBufferPointer) -> StructureReport {
        DCMTK.initialize()  // the check asks DCMTK's dictionary, which must not log
        var source = MemoryBytes(memory: bytes)
        return check(&source)
    }

    /// Checks the file open at `descriptor`, of `size` bytes (its fstat size), reading only
    /// element headers and the few values the report names.
    public static func check(descriptor: Int32, size: Int) -> StructureReport {
        DCMTK.initialize()
        return withUnsafeTemporaryAllocation(byteCount: windowSize, alignment: 16) { window in
            var source = FileBytes(descriptor: descriptor, count: size, window: window)
            return check(&source)
        }
    }

    static func check(_ source: inout some StructureBytes) -> StructureReport {
        var report = StructureReport(hasMetaHeader: hasPart10Prefix(&source))
        do throws(Malformed) {
            var start = 0
            let encoding: TransferSyntaxEncoding
            if report.hasMetaHeader {
                let meta = try FileMetaInformation.read(&source)
                start = meta.dataSetStart
                report.declaredTransferSyntax = meta.transferSyntaxUID
                guard let known = TransferSyntaxEncoding(uid: meta.transferSyntaxUID) else {
                    report.unknownTransferSyntax = true
                    return report
                }
                encoding = known
            } else {
                encoding = guessEncoding(&source)
            }
            report.transferSyntax = encoding
            if encoding.isDeflated {
                // Offsets in the inflated bytes mean nothing in the file: no Pixel Data location.
                let inflated = try DeflatedDataSet.inflate(&source, from: start)
                let walked = inflated.withUnsafeBytes { memory -> Result<Bool, Malformed> in
                    var walker = StructureWalker(bytes: MemoryBytes(memory: memory), encoding: encoding)
                    return Result { () throws(Malformed) in
                        try walker.walkDataSet(from: 0)
                        return walker.namesSOPInstance
                    }
                }
                report.namesSOPInstance = try walked.get()
            } else {
                var walker = StructureWalker(bytes: source, encoding: encoding)
                // What the walk learnt before a problem still counts (a damaged bare data set
                // that names its SOP Instance is malformed DICOM, not "not DICOM").
                defer {
                    report.namesSOPInstance = walker.namesSOPInstance
                    report.pixelData = walker.pixelData
                }
                try walker.walkDataSet(from: start)
            }
        } catch {
            report.problem = error.problem
        }
        return report
    }

    /// Bytes 128..<132 are "DICM" (PS3.10 7.1).
    static func hasPart10Prefix(_ source: inout some StructureBytes) -> Bool {
        guard let head = source.bytes(at: 0, count: 132) else { return false }
        return head.loadUnaligned(fromByteOffset: 128, as: UInt32.self) == UInt32(littleEndian: 0x4D43_4944)  // "DICM"
    }

    /// A bare data set's encoding, guessed as DCMTK does for the common cases: Explicit VR Little
    /// Endian when the first element has a valid VR, Implicit VR Little Endian otherwise.
    static func guessEncoding(_ source: inout some StructureBytes) -> TransferSyntaxEncoding {
        guard let head = source.bytes(at: 0, count: 6) else { return .implicitVRLittleEndian }
        return VRCode.isStandard(VRCode.at(head + 4)) ? .explicitVRLittleEndian : .implicitVRLittleEndian
    }

    /// The tag as messages name it: "(0010,0010)".
    static func text(_ group: UInt16, _ element: UInt16) -> String {
        "(" + hex(group) + "," + hex(element) + ")"
    }

    private static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

/// The first problem the structure check found; it ends the walk.
struct Malformed: Error {
    var problem: String

    init(_ problem: String) { self.problem = problem }
}
