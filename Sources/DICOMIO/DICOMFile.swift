public import DICOMCore
internal import CDCMTK
import Synchronization

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

    /// Opens and parses `path`. Throws `.notDICOM` for files that are not DICOM at all, and
    /// `.unreadable` for DICOM files that do not parse completely.
    public init(path: String, bulkDataThreshold: UInt32 = DICOMFile.defaultBulkDataThreshold) throws(DICOMIOError) {
        DCMTK.initialize()
        var message = [CChar](repeating: 0, count: 512)
        var opened: OpaquePointer?
        let status = message.withUnsafeMutableBufferPointer { buffer in
            cdcm_file_open(path, bulkDataThreshold, &opened, buffer.baseAddress!, buffer.count)
        }
        guard status == CDCM_OK, let opened else {
            throw DICOMIOError(Self.kind(of: status), String(nulTerminated: message))
        }
        handle = opened
        hasMetaHeader = cdcm_file_has_meta_header(opened) != 0
        sourceID = Self.nextSourceID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    deinit { cdcm_file_close(handle) }

    /// The file's File Meta Information and data set.
    public func read() throws(DICOMIOError) -> DICOMObject {
        var message = [CChar](repeating: 0, count: 512)
        var meta = cdcm_buffer(bytes: nil, length: 0)
        var data = cdcm_buffer(bytes: nil, length: 0)
        defer {
            cdcm_buffer_free(&meta)
            cdcm_buffer_free(&data)
        }
        let status = message.withUnsafeMutableBufferPointer { buffer in
            cdcm_file_export(handle, &meta, &data, buffer.baseAddress!, buffer.count)
        }
        guard status == CDCM_OK else { throw DICOMIOError(Self.kind(of: status), String(nulTerminated: message)) }
        do {
            let fileMeta = try DataSetCoding.decode(UnsafeRawBufferPointer(start: meta.bytes, count: meta.length), source: sourceID)
            let dataSet = try DataSetCoding.decode(UnsafeRawBufferPointer(start: data.bytes, count: data.length), source: sourceID)
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
        var message = [CChar](repeating: 0, count: 512)
        var value = cdcm_buffer(bytes: nil, length: 0)
        defer { cdcm_buffer_free(&value) }
        let status = message.withUnsafeMutableBufferPointer { buffer in
            cdcm_file_read_bulk(handle, reference.index, &value, buffer.baseAddress!, buffer.count)
        }
        guard status == CDCM_OK else { throw DICOMIOError(Self.kind(of: status), String(nulTerminated: message)) }
        return value.length == 0 ? [] : Array(UnsafeBufferPointer(start: value.bytes, count: value.length))
    }

    /// Writes `object` as a Part 10 file at `path`: zeroed preamble, "DICM", the object's File Meta
    /// Information (group length computed), and its data set in its transfer syntax. Bulk values
    /// are copied from this file unchanged.
    ///
    /// The write is atomic: the data goes to a temporary file beside `path` and is moved to
    /// `path` only when complete (`durable`: and flushed to disk, see `AtomicFile`). On failure nothing is left behind. With
    /// `.keepIfIdentical`, an existing file at `path` is never replaced: identical bytes are
    /// reported as `.identicalFileExists`, different ones as an `.outputConflict` error.
    @discardableResult
    public func write(_ object: DICOMObject, to path: String,
                      ifExists policy: AtomicFile.ExistingFilePolicy = .replace,
                      durable: Bool = true, owner: String = "veil") throws(DICOMIOError) -> AtomicFile.Outcome {
        let meta: [UInt8]
        let data: [UInt8]
        do {
            meta = try DataSetCoding.encode(object.fileMeta, source: sourceID)
            data = try DataSetCoding.encode(object.dataSet, source: sourceID)
        } catch {
            throw DICOMIOError(.invalidObject, error.reason)
        }
        return try AtomicFile.write(to: path, ifExists: policy, durable: durable, owner: owner) { (temporaryPath) throws(DICOMIOError) in
            var message = [CChar](repeating: 0, count: 512)
            let status = meta.withUnsafeBufferPointer { metaBytes in
                data.withUnsafeBufferPointer { dataBytes in
                    message.withUnsafeMutableBufferPointer { buffer in
                        cdcm_file_write(handle, metaBytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, metaBytes.count,
                                        dataBytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, dataBytes.count,
                                        object.transferSyntaxUID, temporaryPath, buffer.baseAddress!, buffer.count)
                    }
                }
            }
            guard status == CDCM_OK else {
                throw DICOMIOError(Self.kind(of: status), String(nulTerminated: message))
            }
        }
    }

    private func transferSyntaxUID() throws(DICOMIOError) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let status = buffer.withUnsafeMutableBufferPointer { cdcm_file_transfer_syntax(handle, $0.baseAddress!, $0.count) }
        guard status == CDCM_OK else { throw DICOMIOError(.unsupportedTransferSyntax, "unknown transfer syntax") }
        return String(nulTerminated: buffer)
    }

    static func kind(of status: cdcm_status) -> DICOMIOError.Kind {
        switch status {
        case CDCM_ERROR_NOT_DICOM: .notDICOM
        case CDCM_ERROR_PARSE: .unreadable
        case CDCM_ERROR_MALFORMED: .malformed
        case CDCM_ERROR_NO_SPACE: .outputFull
        case CDCM_ERROR_IO: .fileSystem
        case CDCM_ERROR_TRANSFER_SYNTAX: .unsupportedTransferSyntax
        case CDCM_ERROR_RECORDS: .invalidObject
        default: .internalError
        }
    }
}

@available(*, unavailable, message: "a DICOMFile owns DCMTK state; open one per task")
extension DICOMFile: Sendable {}

extension String {
    /// Decodes a NUL-terminated C buffer as UTF-8 (`String(cString: [CChar])` is deprecated).
    init(nulTerminated buffer: [CChar]) {
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        self = String(decoding: buffer[..<end].lazy.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
