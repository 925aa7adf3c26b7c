import DICOMCore
import Deidentification

/// Which images the header flags as likely to carry burned-in text (research part A.3: the union
/// of CTP's BurnedInPixelsFilter and deid's blacklist). A flag raises suspicion (the image is
/// read by OCR even when the detector finds nothing) but never clears it: every image is screened.
public enum TextTriage {
    /// The triage of an image no rule flagged: screened by the detector only.
    public static let screened = "screened"

    public enum Scope: String, Sendable, CaseIterable {
        /// Every image screened; images flagged by the rules below also read by OCR.
        case flagged
        /// Every image screened and read by OCR.
        case all
    }

    /// Why `dataSet` is read by OCR under `scope`, or nil when it is only screened (or has no pixels).
    public static func reason(_ dataSet: DataSet, scope: Scope) -> String? {
        guard dataSet[.pixelData] != nil else { return nil }
        if scope == .all { return "all" }
        if dataSet.string(.burnedInAnnotation)?.uppercased() == "YES" { return "burned-in-annotation" }
        if ImageTextRisk.mayCarryText(dataSet) { return "image-kind" }
        let imageType = dataSet[.imageType]?.strings.map { $0.uppercased() } ?? []
        if imageType.isEmpty || imageType.contains(where: flaggedImageTypes.contains) { return "image-type" }
        // Whole words: "FORM" is a screen form, not the "FORM" of "TRANSFORM" or "INFORMATION".
        let words = Set(
            (dataSet.string(.seriesDescription) ?? "").uppercased()
                .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        if !words.isDisjoint(with: flaggedDescriptions) { return "series-description" }
        // Present with a value: scanners write these attributes empty on ordinary images.
        if secondaryCaptureDevice.contains(where: { dataSet[$0].map { !$0.isEmpty } ?? false }) {
            return "secondary-capture-device"
        }
        return nil
    }

    /// Whether an image no rule flags is screened: every image but a segmentation, whose frames
    /// are labels derived from other images (one bit per pixel), not pictures text is drawn on.
    public static func screens(_ dataSet: DataSet) -> Bool {
        dataSet[.pixelData] != nil && dataSet.string(.sopClassUID) != segmentationStorage
    }

    static let segmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4"

    static let flaggedImageTypes: Set<String> = ["SAVE", "SCREEN", "REPORTDATA", "DEMOGRAPHICDATA", "INVALID"]
    static let flaggedDescriptions: Set<String> = ["SAVE", "DOSE", "SCREEN", "REPORT", "PROTOCOL", "FORM", "OUTSIDE"]
    /// Date of Secondary Capture and the Secondary Capture Device's manufacturer, model, software.
    static let secondaryCaptureDevice = [
        DICOMTag.dateOfSecondaryCapture, DICOMTag.secondaryCaptureDeviceManufacturer,
        DICOMTag.secondaryCaptureDeviceManufacturerModelName, DICOMTag.secondaryCaptureDeviceSoftwareVersions,
    ]
}
