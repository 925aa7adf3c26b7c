internal import CDCMTK
public import DICOMCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A DICOM file opened through DCMTK.
///
/// Reading turns the file into a ``DICOMObject``: every element with its value, except bulk
/// values (Pixel Data, and binary values longer than the bulk threshold), which stay in the file
/// and are copied unchanged when an object read from this file is written. The input file is
/// only ever read.
///
/// ```swift
/// let file = try DICOMFile(path: "in.dcm")
/// var object = try file.read()
/// object.dataSet[.patientName] = DataElement(.patientName, .PN, string: "ANONYMOUS")
/// try file.write(object, to: "out.dcm")
/// ```
///
/// A `DICOMFile` owns DCMTK state: it cannot be copied or shared between tasks. Open one per
/// file and per task.
public struct DICOMFile: ~Copyable {
    let handle: OpaquePointer
    /// Tags this file's bulk references so that they cannot be written through another file.
    private let sourceID: UInt64

    /// Whether the file had a Part 10 preamble, "DICM" and File Meta Information. Bare data sets
    /// (no meta header) are accepted when they carry SOP Class and SOP Instance UIDs.
    public let hasMetaHeader: Bool

    private static let nextSourceID = Atomic<UInt64>(1)

    /// The default bulk threshold: binary values longer than this stay in the file.
    public static let defaultBulkDataThreshold: UInt32 = 64 * 1024

    /// Opens and parses `path`. Throws `.notDICOM` for files that are not DICOM at all,
    /// `.malformed` for files the structure check refuses (`StructureCheck`), and `.unreadable`
    /// for DICOM files that do not parse completely.
    public init(path: String, bulkDataThreshold: UInt32 = DICOMFile.defaultBulkDataThreshold) throws(DICOMIOError) {
        DCMTK.initialize()
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DICOMIOError(.fileSystem, "cannot open file for reading") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw DICOMIOError(.fileSystem, "cannot open file for reading") }
        guard status.st_size > 0 else { throw DICOMIOError(.malformed, "empty file") }

        // The structure first: DCMTK repairs or accepts some defects silently, and its recursive
        // parser should never see nesting a hostile file chose.
        let report = StructureCheck.check(descriptor: descriptor, size: Int(status.st_size))
        if let refusal = FileOpening.refusal(report) { throw refusal }
        guard let checked = report.transferSyntax else {
            throw DICOMIOError(.internalError, "structure check without a transfer syntax")
        }

        let pixelData = report.pixelData
        var request = cdcm_load_request(
            has_meta_header: report.hasMetaHeader ? 1 : 0, transfer_syntax: checked.id,
            bulk_threshold: bulkDataThreshold,
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modified_seconds: Int64(status.st_mtim.tv_sec), modified_nanoseconds: Int64(status.st_mtim.tv_nsec),
            pixel_data_found: pixelData == nil ? 0 : 1, pixel_data_start: Int64(pixelData?.start ?? 0),
            pixel_data_end: Int64(pixelData?.end ?? 0), pixel_data_value_length: pixelData?.valueLength ?? 0)
        var loaded: OpaquePointer?
        let load = ShimCall.status { cdcm_file_load(path, &request, &loaded, $0, $1) }
        guard load.status == CDCM_OK, let loaded else {
            throw FileOpening.parseFailure(load.status, reason: load.text, hasMetaHeader: report.hasMetaHeader)
        }
        do throws(DICOMIOError) {
            let refusal = try FileOpening.refusal(
                hasMetaHeader: report.hasMetaHeader,
                sopIdentifiers: { () throws(DICOMIOError) in
                    (try Self.text(of: 0x0008, 0x0016, in: loaded), try Self.text(of: 0x0008, 0x0018, in: loaded))
                },
                readIn: cdcm_file_original_transfer_syntax(loaded), checked: checked)
            if let refusal { throw refusal }
        } catch {
            cdcm_file_close(loaded)
            throw error
        }
        handle = loaded
        hasMetaHeader = report.hasMetaHeader
        sourceID = Self.nextSourceID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// The bytes of a top-level attribute's text as DCMTK gives it; nil when there is none.
    private static func text(
        of group: UInt16, _ element: UInt16,
        in handle: OpaquePointer
    ) throws(DICOMIOError) -> [UInt8]? {
        var length = 0
        let capacity = ShimCall.messageCapacity
        let (status, bytes) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            let status = cdcm_file_find_string(handle, group, element, buffer.baseAddress!, buffer.count, &length)
            // Embedded NULs included; a longer value is cut, and is no UID anyway.
            let stored = UnsafeRawBufferPointer(buffer).prefix(status == CDCM_OK ? min(length, buffer.count - 1) : 0)
            return (status, Array(stored))
        }
        switch status {
        case CDCM_OK: return bytes
        case CDCM_ERROR_EXCEPTION: throw DICOMIOError(.internalError, String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    deinit { cdcm_file_close(handle) }

    /// The file's File Meta Information and data set.
    public func read() throws(DICOMIOError) -> DICOMObject {
        var meta = cdcm_buffer(bytes: nil, length: 0)
        var data = cdcm_buffer(bytes: nil, length: 0)
        defer {
            cdcm_buffer_free(&meta)
            cdcm_buffer_free(&data)
        }
        try ShimCall.run { cdcm_file_export(handle, &meta, &data, $0, $1) }
        do {
            let fileMeta = try DataSetCoding.decode(
                UnsafeRawBufferPointer(start: meta.bytes, count: meta.length), source: sourceID)
            let dataSet = try DataSetCoding.decode(
                UnsafeRawBufferPointer(start: data.bytes, count: data.length), source: sourceID)
            return DICOMObject(fileMeta: fileMeta, dataSet: dataSet, transferSyntaxUID: try transferSyntaxUID())
        } catch let error as DataSetCoding.MalformedStream {
            throw DICOMIOError(.internalError, "malformed record stream from the shim: \(error.reason)")
        } catch let error as DICOMIOError {
            throw error
        } catch {
            throw DICOMIOError(.internalError, "\(error)")
        }
    }

    /// The value of a bulk element read from this file: its bytes in little-endian order, as
    /// `DataElement.Value.bytes` would hold them. Encapsulated Pixel Data cannot be read this way.
    public func bulkValue(_ reference: BulkDataReference) throws(DICOMIOError) -> [UInt8] {
        guard reference.source == sourceID else {
            throw DICOMIOError(.invalidObject, "the bulk value belongs to another file")
        }
        var value = cdcm_buffer(bytes: nil, length: 0)
        defer { cdcm_buffer_free(&value) }
        try ShimCall.run { cdcm_file_read_bulk(handle, reference.index, &value, $0, $1) }
        return value.length == 0 ? [] : Array(UnsafeBufferPointer(start: value.bytes, count: value.length))
    }

    /// Writes `object` as a Part 10 file at `path`: zeroed preamble, "DICM", the object's File Meta
    /// Information (group length computed), and its data set in its transfer syntax. Bulk values
    /// are copied from this file unchanged.
    ///
    /// The write is atomic: the data goes to a temporary file beside `path` and is moved to
    /// `path` only when complete (`durable`: and flushed to disk, see `AtomicFile`). On failure
    /// nothing is left behind. With `.keepIfIdentical`, an existing file at `path` is never replaced: identical bytes are
    /// reported as `.identicalFileExists`, different ones as an `.outputConflict` error.
    @discardableResult
    public func write(
        _ object: DICOMObject, to path: String,
        ifExists policy: AtomicFile.ExistingFilePolicy = .replace,
        durable: Bool = true, owner: String = "veil"
    ) throws(DICOMIOError) -> AtomicFile.Outcome {
        let meta: [UInt8]
        let data: [UInt8]
        do {
            meta = try DataSetCoding.encode(object.fileMeta, source: sourceID)
            data = try DataSetCoding.encode(object.dataSet, source: sourceID)
        } catch {
            throw DICOMIOError(.invalidObject, error.reason)
        }
        return try AtomicFile.write(to: path, ifExists: policy, durable: durable, owner: owner) {
            (temporaryPath) throws(DICOMIOError) in
            try ShimCall.run { message, capacity in
                meta.withUnsafeBufferPointer { metaBytes in
                    data.withUnsafeBufferPointer { dataBytes in
                        cdcm_file_write(
                            handle, metaBytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, metaBytes.count,
                            dataBytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, dataBytes.count,
                            object.transferSyntaxUID, temporaryPath, message, capacity)
                    }
                }
            }
        }
    }

    private func transferSyntaxUID() throws(DICOMIOError) -> String {
        let (status, uid) = ShimCall.status { cdcm_file_transfer_syntax(handle, $0, $1) }
        guard status == CDCM_OK else { throw DICOMIOError(.unsupportedTransferSyntax, "unknown transfer syntax") }
        return uid
    }
}

@available(*, unavailable, message: "a DICOMFile owns DCMTK state; open one per task")
extension DICOMFile: Sendable {}
