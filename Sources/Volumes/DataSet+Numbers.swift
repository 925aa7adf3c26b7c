import DICOMCore

// Numbers from the VRs geometry uses: DS and IS (text) and US (binary, little-endian).
extension DataSet {
    func decimals(_ tag: DICOMTag) -> [Double]? {
        guard let element = self[tag], element.vr == .DS || element.vr == .IS else { return nil }
        let values = element.strings.compactMap { Double($0) }
        guard !values.isEmpty, values.count == element.strings.count, values.allSatisfy(\.isFinite) else { return nil }
        return values
    }

    func decimal(_ tag: DICOMTag) -> Double? { decimals(tag)?.first }

    func unsigned16(_ tag: DICOMTag) -> Int? {
        guard let element = self[tag], element.vr == .US, let bytes = element.bytes, bytes.count >= 2 else { return nil }
        return Int(bytes[0]) | Int(bytes[1]) << 8
    }

    /// The first item of `tag`'s sequence, when it has one.
    func firstItem(_ tag: DICOMTag) -> DataSet? { items(tag)?.first }
}

// Attributes of the image plane, pixel and functional group modules (PS3.3 C.7.6.2, C.7.6.3,
// C.7.6.16).
extension DICOMTag {
    static let imagePositionPatient = DICOMTag(0x0020, 0x0032)
    static let imageOrientationPatient = DICOMTag(0x0020, 0x0037)
    static let pixelSpacing = DICOMTag(0x0028, 0x0030)
    static let sliceThickness = DICOMTag(0x0018, 0x0050)
    static let rescaleIntercept = DICOMTag(0x0028, 0x1052)
    static let rescaleSlope = DICOMTag(0x0028, 0x1053)
    static let rows = DICOMTag(0x0028, 0x0010)
    static let columns = DICOMTag(0x0028, 0x0011)
    static let samplesPerPixel = DICOMTag(0x0028, 0x0002)
    static let numberOfFrames = DICOMTag(0x0028, 0x0008)
    static let echoNumbers = DICOMTag(0x0018, 0x0086)
    static let instanceNumber = DICOMTag(0x0020, 0x0013)
    static let acquisitionNumber = DICOMTag(0x0020, 0x0012)
    static let sharedFunctionalGroupsSequence = DICOMTag(0x5200, 0x9229)
    static let perFrameFunctionalGroupsSequence = DICOMTag(0x5200, 0x9230)
    static let planePositionSequence = DICOMTag(0x0020, 0x9113)
    static let planeOrientationSequence = DICOMTag(0x0020, 0x9116)
    static let pixelMeasuresSequence = DICOMTag(0x0028, 0x9110)
    static let pixelValueTransformationSequence = DICOMTag(0x0028, 0x9145)
    static let frameContentSequence = DICOMTag(0x0020, 0x9111)
    static let stackID = DICOMTag(0x0020, 0x9056)
    static let temporalPositionIndex = DICOMTag(0x0020, 0x9128)
    static let mrEchoSequence = DICOMTag(0x0018, 0x9114)
    static let effectiveEchoTime = DICOMTag(0x0018, 0x9082)
}
