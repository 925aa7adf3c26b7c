import DICOMCore

// Type 1C and 2C attributes whose condition the actions of Table E.1-1 change (PS3.3 C.7.1.1,
// Patient Module): re-evaluated on the output, so that removing one attribute does not leave
// another invalid (dciodvfy: "attribute present when condition unsatisfied").
extension DeidentificationPass {
    mutating func reconcileConditions(_ dataSet: inout DataSet) {
        // Responsible Person and Responsible Organization are Type 2C, required when the patient
        // is an animal: emptied (Z) then, removed (their row's X) otherwise.
        let isAnimal = original[.patientSpeciesDescription] != nil || original[.patientSpeciesCodeSequence] != nil
        for tag in [DICOMTag.responsiblePerson, .responsibleOrganization] where original[tag] != nil {
            if isAnimal && dataSet[tag] == nil {
                dataSet[tag] = DataElement(tag, tag == .responsiblePerson ? .PN : .LO, .bytes([]))
                replaceAction(at: TagPath(tag), with: .Z, .iodType2)
            } else if !isAnimal && dataSet[tag]?.isEmpty == true {
                dataSet[tag] = nil
                replaceAction(at: TagPath(tag), with: .X, .table)
            }
        }
        // Responsible Person Role is Type 1C: required, and only allowed, when Responsible Person
        // is present with a value.
        if dataSet[.responsiblePersonRole] != nil, dataSet[.responsiblePerson]?.isEmpty ?? true {
            dataSet[.responsiblePersonRole] = nil
            replaceAction(at: TagPath(.responsiblePersonRole), with: .X, .conditionUnsatisfied)
        }
    }

    private mutating func replaceAction(at path: TagPath, with code: ActionCode, _ reason: AppliedAction.Reason) {
        actions.removeAll { $0.path == path }
        record(path, code, reason)
    }
}
