import DICOMCore
import Testing

@testable import VeilBatch

/// An image without Pixel Data is refused with what is true of the file.
@Suite struct TruncatedImageTests {
    static func ct(_ extra: [DataElement] = []) -> DataSet {
        DataSet(
            [
                DataElement(.sopClassUID, .UI, string: "1.2.840.10008.5.1.4.1.1.2"),
                DataElement(.sopInstanceUID, .UI, string: "1.2.3.4"),
                DataElement(.rows, .US, .bytes([0, 2])),
                DataElement(.columns, .US, .bytes([2, 0])),
                DataElement(.bitsAllocated, .US, .bytes([16, 0])),
            ] + extra)
    }

    @Test func saysWhatTheFileShows() throws {
        #expect(TruncatedImage.failure(Self.ct())?.code == "truncated")
        let privatePixels = Self.ct([
            DataElement(DICOMTag(0x7FE1, 0x0010), .LO, string: "ELSCINT1"),
            DataElement(DICOMTag(0x7FE1, 0x1010), .OB, .bytes([UInt8](repeating: 0, count: 2 * 512 * 2))),
        ])
        let inPrivate = try #require(TruncatedImage.failure(privatePixels))
        #expect(inPrivate.code == "no-pixel-data" && inPrivate.message.contains("(7FE1,1010)"))
        let complete = Self.ct([DataElement(.dataSetTrailingPadding, .OB, .bytes([0, 0]))])
        #expect(TruncatedImage.failure(complete)?.code == "no-pixel-data")
        let image = Self.ct([DataElement(.pixelData, .OW, .bytes([0, 0]))])
        #expect(TruncatedImage.failure(image) == nil)
        // A Siemens CSA header (smaller than a frame) is not taken for the pixels.
        let csa = Self.ct([
            DataElement(DICOMTag(0x0029, 0x0010), .LO, string: "SIEMENS CSA HEADER"),
            DataElement(DICOMTag(0x0029, 0x1010), .OB, .bytes([UInt8](repeating: 0, count: 1000))),
        ])
        #expect(TruncatedImage.failure(csa)?.code == "truncated")
    }
}
