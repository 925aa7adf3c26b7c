import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

@Suite struct DICOMFileTests {
    static func corpus() throws -> [URL] { try TestPaths.dicomFiles(in: TestPaths.plantedCorpus) }

    /// Reading a file and writing it back unchanged keeps every element and the Pixel Data bytes,
    /// and replaces the preamble with zeros.
    @Test(.temporaryFolder, arguments: try corpus())
    func roundTripKeepsElementsAndPixels(input: URL) throws {
        let folder = try TemporaryFolder.current
        let output = folder.file("out.dcm").path
        let file = try DICOMFile(path: input.path)
        let object = try file.read()
        try file.write(object, to: output)

        let reread = try DICOMFile(path: output).read()
        #expect(strip(reread.dataSet) == strip(object.dataSet))
        #expect(reread.transferSyntaxUID == object.transferSyntaxUID)

        let facts = try DICOMFacts.read([input.path, output])
        let before = try #require(facts[input.path])
        let after = try #require(facts[output])
        #expect(after.pixelMD5 == before.pixelMD5)
        #expect(after.preamble == String(repeating: "00", count: 128))
    }

    /// Unchanged Pixel Data is copied from the input file byte for byte; Pixel Data the caller
    /// replaced must be written as given, never taken from the input.
    @Test(
        .temporaryFolder,
        arguments: [
            "00-pydicom-CT_small.dcm", "04-pydicom-MR_small_implicit.dcm", "03-pydicom-MR_small_bigendian.dcm",
        ])
    func replacedPixelDataIsWrittenAsGiven(name: String) throws {
        let input = TestPaths.plantedCorpus.appendingPathComponent(name).path
        let folder = try TemporaryFolder.current
        let output = folder.file("out.dcm").path
        let file = try DICOMFile(path: input)
        var object = try file.read()
        let pixels = try #require(object.dataSet[.pixelData])
        guard case .bulk(let reference) = pixels.value else {
            Issue.record("Pixel Data not bulk")
            return
        }
        let replacement = [UInt8](repeating: 0x5A, count: Int(reference.length))
        object.dataSet[.pixelData] = DataElement(.pixelData, pixels.vr, .bytes(replacement))
        try file.write(object, to: output)

        let expected = folder.file("expected.raw")
        try Data(replacement).write(to: expected)
        let md5 = try ExternalTool.run("md5sum", [expected.path]).standardOutput.prefix(32)
        let facts = try DICOMFacts.read([input, output])
        #expect(facts[output]?.pixelMD5 == String(md5))
        #expect(facts[output]?.pixelMD5 != facts[input]?.pixelMD5)
    }

    @Test(.temporaryFolder) func refusesTextFile() throws {
        let folder = try TemporaryFolder.current
        let path = folder.file("notes.dcm").path
        try Data("not DICOM at all\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: DICOMIOError.self) { _ = try DICOMFile(path: path) }
        #expect(error?.kind == .notDICOM)
    }

    @Test func missingFileIsAFileSystemError() {
        let error = #expect(throws: DICOMIOError.self) { _ = try DICOMFile(path: "/nonexistent/veil.dcm") }
        #expect(error?.kind == .fileSystem)
    }

    /// Bulk values are only readable through the file they came from.
    @Test(.temporaryFolder) func refusesBulkValueFromAnotherFile() throws {
        let paths = try Self.corpus().prefix(2).map(\.path)
        let first = try DICOMFile(path: paths[0])
        let second = try DICOMFile(path: paths[1])
        let object = try first.read()
        let folder = try TemporaryFolder.current
        let error = #expect(throws: DICOMIOError.self) { try second.write(object, to: folder.file("x.dcm").path) }
        #expect(error?.kind == .invalidObject)
        #expect(!FileManager.default.fileExists(atPath: folder.file("x.dcm").path))
    }

    /// Bulk references differ between two opens of the same file; compare everything else.
    private func strip(_ dataSet: DataSet) -> DataSet {
        DataSet(
            dataSet.elements.map { element in
                switch element.value {
                case .bulk(let reference):
                    DataElement(
                        element.tag, element.vr,
                        .bulk(BulkDataReference(source: 0, index: reference.index, length: reference.length)))
                case .sequence(let items): DataElement(element.tag, items: items.map(strip))
                case .bytes: element
                }
            })
    }
}
