import DICOMCore
import Deidentification

/// A file cut short between two top-level elements parses as a complete, shorter data set. In an
/// image IOD the missing Pixel Data, always among the last elements, gives the truncation away;
/// such a file is refused rather than written without its image.
enum TruncatedImage {
    static let pixelDataTags = [DICOMTag.pixelData, .floatPixelData, .doubleFloatPixelData]

    /// Whether `dataSet`'s IOD (known from its SOP Class) always has Pixel Data but it has none.
    static func lacksPixelData(_ dataSet: DataSet) -> Bool {
        guard let sopClass = dataSet.string(.sopClassUID), IODAttributeTypes.knowsSOPClass(sopClass) else {
            return false
        }
        let required = pixelDataTags.contains {
            IODAttributeTypes.requirement(sopClassUID: sopClass, path: [$0]) == .valueRequired
        }
        // Pixel Data Provider URL: the pixels are referenced (JPIP), not included.
        return required && !pixelDataTags.contains { dataSet[$0] != nil } && dataSet[.pixelDataProviderURL] == nil
    }

    /// Why an image without Pixel Data is refused, saying what the file shows: pixels kept in a
    /// private element (some old Elscint and Picker CTs), elements after Pixel Data's place (the
    /// file is complete), or neither (cut short, or a header without its image). Nil when the
    /// image has its Pixel Data.
    static func failure(_ dataSet: DataSet) -> BatchFileFailure? {
        guard lacksPixelData(dataSet) else { return nil }
        // A private value at least as large as one frame: most likely the pixels (a Siemens CSA
        // header is large too, but smaller than an image).
        let frameBytes =
            (dataSet.int(.rows) ?? 0) * (dataSet.int(.columns) ?? 0) * max(1, (dataSet.int(.bitsAllocated) ?? 16) / 8)
            * max(1, dataSet.int(.samplesPerPixel) ?? 1)
        if frameBytes > 0,
            let element = dataSet.elements.last(where: { $0.tag.isPrivate && valueLength($0) >= frameBytes })
        {
            return BatchFileFailure(
                code: "no-pixel-data",
                message: "an image without Pixel Data (7FE0,0010): its pixels seem to be in private element "
                    + "\(element.tag), which Veil cannot check or carry")
        }
        if let last = dataSet.elements.last, last.tag > DICOMTag.pixelData {
            return BatchFileFailure(
                code: "no-pixel-data",
                message: "an image without Pixel Data (7FE0,0010), though elements after its place are present: "
                    + "the file is complete but has no image")
        }
        return .truncated
    }

    private static func valueLength(_ element: DataElement) -> Int {
        switch element.value {
        case .bytes(let bytes): bytes.count
        case .bulk(let reference): Int(reference.length)
        case .sequence: 0
        }
    }
}
