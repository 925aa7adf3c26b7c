import DICOMCore

/// Kinds of image that often carry text drawn into their pixels (names, dates, IDs).
public enum ImageTextRisk {
    /// Ultrasound, endoscopy, photographs, screen captures and secondary captures.
    public static func mayCarryText(_ dataSet: DataSet) -> Bool {
        let modality = dataSet.string(.modality)?.uppercased() ?? ""
        if ["US", "ES", "XC", "GM", "SM", "OT", "DOC", "SC"].contains(modality) { return true }
        let sopClass = dataSet.string(.sopClassUID) ?? ""
        if sopClass.hasPrefix("1.2.840.10008.5.1.4.1.1.7") { return true }  // Secondary Capture family
        let imageType = dataSet[.imageType]?.strings.map { $0.uppercased() } ?? []
        return imageType.contains("SECONDARY") || imageType.contains("SCREEN SHOT")
    }
}
