import DICOMCore

/// Puts new Pixel Data into a de-identified object as native Explicit VR Little Endian: lossless
/// whatever the input's encoding (Lossy Image Compression stays as it was: earlier loss is kept
/// on record).
enum NativePixelData {
    /// `photometricInterpretation` and `planarConfiguration` are those of the decoded samples
    /// (JPEG colour decodes to RGB), when they differ from the object's.
    static func store(
        _ bytes: [UInt8], in object: inout DICOMObject, photometricInterpretation: String? = nil,
        planarConfiguration: Int? = nil
    ) {
        let bitsAllocated = object.dataSet.int(.bitsAllocated) ?? 16
        object.dataSet[.pixelData] = DataElement(.pixelData, bitsAllocated > 8 ? .OW : .OB, .bytes(bytes))
        if let photometricInterpretation {
            let padded =
                photometricInterpretation.utf8.count % 2 == 0
                ? photometricInterpretation : photometricInterpretation + " "
            object.dataSet[.photometricInterpretation] = DataElement(.photometricInterpretation, .CS, string: padded)
        }
        if let planarConfiguration, object.dataSet[.planarConfiguration] != nil || planarConfiguration != 0 {
            let value = UInt16(planarConfiguration)
            object.dataSet[.planarConfiguration] = DataElement(
                .planarConfiguration, .US, .bytes([UInt8(value & 0xFF), UInt8(value >> 8)]))
        }
        object.transferSyntaxUID = TransferSyntax.explicitVRLittleEndian
        object.fileMeta[.transferSyntaxUID] = DataElement(
            .transferSyntaxUID, .UI, string: TransferSyntax.explicitVRLittleEndian + "\0")
    }
}
