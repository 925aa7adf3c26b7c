import DICOMCore

/// The attributes that say an instance was de-identified, and how (PS3.15 E.1.1, E.2, E.3;
/// PS3.3 C.12.1 for Contributing Equipment).
enum Markers {
    static func write(into dataSet: inout DataSet, profile: DeidentificationProfile) {
        dataSet[.patientIdentityRemoved] = DataElement(.patientIdentityRemoved, .CS, string: "YES")
        dataSet[.deidentificationMethod] = DataElement(
            .deidentificationMethod, .LO, string: methodDescription(profile).joined(separator: "\\"))
        dataSet[.deidentificationMethodCodeSequence] = DataElement(
            .deidentificationMethodCodeSequence,
            items: profile.methodCodes.map { code($0.value, $0.scheme, $0.meaning) })
        dataSet[.longitudinalTemporalInformationModified] = DataElement(
            .longitudinalTemporalInformationModified, .CS, string: longitudinalState(profile))
        appendContributingEquipment(to: &dataSet)
    }

    /// Values of De-identification Method (0012,0063), each at most 64 characters (LO).
    static func methodDescription(_ profile: DeidentificationProfile) -> [String] {
        var values = ["Veil \(Veil.version)", "DICOM PS3.15 \(ConfidentialityProfileTable.edition) Basic Profile"]
        values += profile.options.map(\.rawValue).sorted().map { "option \($0)" }
        return values
    }

    /// (0028,0303): REMOVED unless a Retain Longitudinal option keeps dates (PS3.15 E.2, E.3.6).
    static func longitudinalState(_ profile: DeidentificationProfile) -> String {
        if profile.options.contains(.retainLongitudinalFullDates) { return "UNMODIFIED" }
        if profile.options.contains(.retainLongitudinalModifiedDates) { return "MODIFIED" }
        return "REMOVED"
    }

    /// Adds an item naming Veil as De-identifying Equipment (DCM 109104) to Contributing Equipment
    /// Sequence (0018,A001), after any items the instance already has.
    private static func appendContributingEquipment(to dataSet: inout DataSet) {
        let item = DataSet([
            DataElement(.manufacturer, .LO, string: "Veil"),
            DataElement(.manufacturerModelName, .LO, string: "Veil"),
            DataElement(.softwareVersions, .LO, string: Veil.version),
            DataElement(.purposeOfReferenceCodeSequence, items: [code("109104", "DCM", "De-identifying Equipment")]),
        ])
        let existing = dataSet.items(.contributingEquipmentSequence) ?? []
        dataSet[.contributingEquipmentSequence] = DataElement(.contributingEquipmentSequence, items: existing + [item])
    }

    private static func code(_ value: String, _ scheme: String, _ meaning: String) -> DataSet {
        DataSet([
            DataElement(.codeValue, .SH, string: value),
            DataElement(.codingSchemeDesignator, .SH, string: scheme),
            DataElement(.codeMeaning, .LO, string: meaning),
        ])
    }
}
