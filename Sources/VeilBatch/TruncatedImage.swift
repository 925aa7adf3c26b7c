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
}
