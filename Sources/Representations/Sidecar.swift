import DICOMCore
import Foundation
import Volumes

/// volume.json: what a user of the NIfTI needs about the acquisition, from the de-identified
/// DICOM, allow-listed: nothing is copied that is not on the list below. No dates unless shifted,
/// no free text but device and kernel names, ages in bins (90 and above as "90+").
public enum Sidecar {
    /// JSON key, tag, and whether the value is a number.
    static let allowed: [(String, DICOMTag, Bool)] = [
        ("Modality", DICOMTag.modality, false), ("Manufacturer", DICOMTag.manufacturer, false),
        ("ManufacturersModelName", DICOMTag.manufacturerModelName, false),
        ("BodyPartExamined", DICOMTag.bodyPartExamined, false),
        ("MagneticFieldStrength", DICOMTag.magneticFieldStrength, true),
        ("RepetitionTime", DICOMTag.repetitionTime, true),
        ("EchoTime", DICOMTag.echoTime, true), ("InversionTime", DICOMTag.inversionTime, true),
        ("FlipAngle", DICOMTag.flipAngle, true), ("SliceThickness", DICOMTag.sliceThickness, true),
        ("SpacingBetweenSlices", DICOMTag.spacingBetweenSlices, true), ("KVP", DICOMTag.kvp, true),
        ("XRayTubeCurrent", DICOMTag.xRayTubeCurrent, true), ("ConvolutionKernel", DICOMTag.convolutionKernel, false),
        ("PatientSex", DICOMTag.patientSex, false), ("PatientPosition", DICOMTag.patientPosition, false),
    ]

    /// The sidecar of `volume`, the first of `timePoints` time points when the NIfTI is 4-D.
    public static func json(
        for volume: Volume, timePoints: Int = 1, dataSet: DataSet, version: String
    ) throws
        -> [UInt8]
    {
        var object: [String: Any] = [:]
        for (key, tag, numeric) in allowed {
            guard let text = dataSet.string(tag), !text.isEmpty else { continue }
            if numeric {
                if let number = Double(text.split(separator: "\\").first.map(String.init) ?? "") {
                    object[key] = number
                }
            } else {
                object[key] = text
            }
        }
        if let age = dataSet.string(DICOMTag.patientAge), let bin = ageBin(age) { object["PatientAgeBin"] = bin }
        // Dates only when they were shifted by the keyed per-patient offset (Modified Dates option).
        if dataSet.string(DICOMTag.longitudinalTemporalInformationModified) == "MODIFIED",
            let date = dataSet.string(DICOMTag.studyDate), !date.isEmpty
        {
            object["StudyDateShifted"] = date
        }
        let dimensions: [Int] = [volume.size.i, volume.size.j, volume.size.k] + (timePoints > 1 ? [timePoints] : [])
        object["Dimensions"] = dimensions
        let spacing = volume.affine.spacing
        object["VoxelSize"] = [spacing.x, spacing.y, spacing.z]
        object["VolumeWarnings"] = volume.warnings.map(\.code)
        let codes = (dataSet.items(.deidentificationMethodCodeSequence) ?? []).compactMap { $0.string(.codeValue) }
        object["DeidentificationMethodCodes"] = codes
        object["Defaced"] = codes.contains("113102") && dataSet.string(.recognizableVisualFeatures) == "NO"
        object["BurnedInAnnotation"] = dataSet.string(.burnedInAnnotation) ?? "unknown"
        // Clean Pixel Data (113101): burned-in text was searched for on every frame and masked.
        object["BurnedInTextCleaned"] = codes.contains("113101")
        object["Software"] = "Veil \(version)"
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]))
    }

    /// "nnY" and the like to decade bins; 90 and above as "90+" (HIPAA Safe Harbor).
    static func ageBin(_ age: String) -> String? {
        guard age.count == 4, let value = Int(age.prefix(3)) else { return nil }
        let years: Int
        switch age.last {
        case "Y": years = value
        case "M": years = value / 12
        case "W": years = value / 52
        case "D": years = value / 365
        default: return nil
        }
        if years >= 90 { return "90+" }
        let decade = years / 10 * 10
        return "\(decade)-\(decade + 9)"
    }
}
