import CDCMTK
import DICOMCore
import Foundation
import TestSupport
import Testing

@testable import DICOMIO

/// Which files `DICOMFile` opens, and the error for the others.
@Suite struct FileOpeningTests {
    typealias E = ElementBytes

    static let name = E.explicit(0x0010, 0x0010, "PN", E.text("Doe^Jane", vr: "PN"))

    func open(_ bytes: [UInt8]) -> DICOMIOError? {
        // A helper, not a test: the folder is kept alive until the file has been opened.
        let folder = TemporaryFolder()
        defer { withExtendedLifetime(folder) {} }
        let path = folder.file("input.dcm").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try DICOMFile(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func part10AndBareDataSetsOpen() {
        #expect(open(E.part10(transferSyntax: "1.2.840.10008.1.2.1", E.sopIdentifiers + Self.name)) == nil)
        #expect(open(E.part10(transferSyntax: "1.2.840.10008.1.2", E.implicitSOPIdentifiers)) == nil)
        #expect(open(E.sopIdentifiers + Self.name) == nil)
        #expect(open(E.implicitSOPIdentifiers) == nil)
        let deflated = E.storedDeflateBlock(E.sopIdentifiers + Self.name)
        #expect(open(E.part10(transferSyntax: "1.2.840.10008.1.2.1.99", deflated)) == nil)
    }

    @Test func verdicts() {
        #expect(open([]) == DICOMIOError(.malformed, "empty file"))
        #expect(open(Array("not DICOM at all\n".utf8)) == FileOpening.notDICOM)
        // A well-formed bare data set without SOP Class and Instance is bytes that look like tags.
        #expect(open(Self.name) == FileOpening.notDICOM)
        // With them, a damaged one is malformed DICOM.
        let odd: [UInt8] = [0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x03, 0x00, 0x41, 0x42, 0x43]
        #expect(
            open(E.sopIdentifiers + odd)
                == DICOMIOError(.malformed, "malformed DICOM: odd value length in (0010,0020)"))
        #expect(
            open(E.part10(transferSyntax: "1.2.840.10008.1.2.1", odd))
                == DICOMIOError(.malformed, "malformed DICOM: odd value length in (0010,0020)"))
        #expect(
            open(E.part10(transferSyntax: "1.2.3.4", E.sopIdentifiers))
                == DICOMIOError(.unsupportedTransferSyntax, "unknown transfer syntax 1.2.3.4"))
        // A declared value that is not UID-like is not repeated.
        #expect(
            open(E.part10(transferSyntax: "Doe^Jane", E.sopIdentifiers))
                == DICOMIOError(.unsupportedTransferSyntax, "unknown transfer syntax"))
    }

    /// After DCMTK's parse: a bare data set must name its SOP Instance, and the data set must be
    /// in the encoding the check walked it in.
    @Test func verdictsAfterParsing() throws {
        let explicit = TransferSyntaxEncoding.explicitVRLittleEndian
        let implicit = TransferSyntaxEncoding.implicitVRLittleEndian
        func refusal(bare: Bool, _ sop: ([UInt8]?, [UInt8]?), readIn: Int32) throws -> DICOMIOError? {
            try FileOpening.refusal(hasMetaHeader: !bare, sopIdentifiers: { sop }, readIn: readIn, checked: explicit)
        }
        let uids = (Array("1.2.840.10008.5.1.4.1.1.7".utf8), Array("1.2.3".utf8))
        #expect(try refusal(bare: false, (nil, nil), readIn: explicit.id) == nil)
        #expect(try refusal(bare: true, uids, readIn: explicit.id) == nil)
        #expect(try refusal(bare: true, (uids.0, nil), readIn: explicit.id) == FileOpening.notDICOM)
        #expect(try refusal(bare: true, (uids.0, Array("1.2\u{0}3".utf8)), readIn: explicit.id) == FileOpening.notDICOM)
        #expect(
            try refusal(bare: false, uids, readIn: implicit.id)
                == DICOMIOError(.malformed, "malformed DICOM: the data set is not encoded as its meta header says"))
        #expect(
            try refusal(bare: false, uids, readIn: CDCM_TRANSFER_SYNTAX_UNKNOWN)
                == DICOMIOError(.unsupportedTransferSyntax, "unknown transfer syntax"))
    }

    @Test func parseFailuresOfPart10Files() {
        #expect(
            FileOpening.parseFailure(CDCM_ERROR_TRUNCATED, reason: "Stream", hasMetaHeader: true)
                == DICOMIOError(.unreadable, "truncated or corrupt DICOM file (Stream)"))
        #expect(
            FileOpening.parseFailure(CDCM_ERROR_TRANSFER_SYNTAX, reason: "Unsupported", hasMetaHeader: true)
                == DICOMIOError(.unsupportedTransferSyntax, "cannot parse DICOM (Unsupported)"))
        #expect(
            FileOpening.parseFailure(CDCM_ERROR_PARSE, reason: "Bad", hasMetaHeader: true)
                == DICOMIOError(.unreadable, "cannot parse DICOM (Bad)"))
        #expect(FileOpening.parseFailure(CDCM_ERROR_PARSE, reason: "Bad", hasMetaHeader: false) == FileOpening.notDICOM)
        #expect(
            FileOpening.parseFailure(CDCM_ERROR_EXCEPTION, reason: "out of memory", hasMetaHeader: false)
                == DICOMIOError(.internalError, "out of memory"))
    }

    /// Reading a file through the pread window gives the report reading it from memory gives, on
    /// every file of the public corpus and the malformed corpus.
    @Test func fileAndMemoryReportsAgree() throws {
        let malformed = try MalformedCorpus.load()
        var paths: [String] = []
        for folder in [malformed.cases, TestPaths.testData.appendingPathComponent("corpus")] {
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
                if isFile { paths.append(url.path) }
            }
        }
        #expect(paths.count > 300)
        for path in paths {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            try #require(descriptor >= 0)
            defer { close(descriptor) }
            let fromFile = StructureCheck.check(descriptor: descriptor, size: bytes.count)
            let fromMemory = bytes.withUnsafeBytes { StructureCheck.check($0) }
            #expect(fromFile == fromMemory, "\(path)")
        }
    }

    /// Every way out of opening closes its descriptor: thousands of refusals leave the number of
    /// open descriptors as it was (other tests running meanwhile open a few).
    @Test(.temporaryFolder) func noDescriptorLeaks() throws {
        let folder = try TemporaryFolder.current
        let inputs: [[UInt8]] = [
            E.part10(transferSyntax: "1.2.840.10008.1.2.1", E.sopIdentifiers + Self.name),
            Array("not DICOM at all\n".utf8),
            E.sopIdentifiers + [0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x03, 0x00, 0x41, 0x42, 0x43],
            E.part10(transferSyntax: "1.2.3.4", E.sopIdentifiers),
            E.part10(transferSyntax: "1.2.840.10008.1.2.1.99", [0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
            Self.name,
            [],
        ]
        let paths = inputs.enumerated().map { index, bytes in
            let path = folder.file("\(index).dcm").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return path
        }
        func openDescriptors() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        }
        let before = try openDescriptors()
        for _ in 0..<300 {
            for path in paths { _ = try? DICOMFile(path: path) }
        }
        #expect(try openDescriptors() - before < 100)
    }
}
