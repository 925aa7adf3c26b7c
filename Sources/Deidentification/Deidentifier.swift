import DICOMCore

/// The PS3.15 Annex E engine: turns a ``DICOMObject`` into a de-identified one.
///
/// Pure and deterministic: no files, no clock, no global state. The same object, profile and key
/// always give the same result, whichever thread or batch it runs in.
///
/// ```swift
/// let deidentifier = Deidentifier(profile: .basic, key: try DeidentificationKey(contentsOf: "veil.key"))
/// let result = try deidentifier.deidentify(object)
/// // result.object has no PHI in its metadata; result.actions says what changed.
/// ```
///
/// What it does, in order:
/// 1. Refuses instances it cannot vouch for (encapsulated documents, declared burned-in text
///    without pixel cleaning, DICOMDIRs, missing SOP UIDs).
/// 2. Applies Table E.1-1 to every element at every depth: the row's action under the profile,
///    compound actions resolved by the attribute's Type in the instance's IOD; private attributes
///    removed; overlay planes and curves removed whole.
/// 3. Applies safety nets where the table is silent: every UID that does not name a class,
///    syntax or standard-defined instance is replaced; person names, dates and times, and
///    attributes unknown to the data dictionary are removed.
/// 4. Writes the markers (0012,0062/0063/0064), (0028,0303) and a Contributing Equipment item,
///    and rebuilds the File Meta Information (E.1.1).
public struct Deidentifier: Sendable {
    public let profile: DeidentificationProfile
    public let identifiers: KeyedIdentifiers

    public init(profile: DeidentificationProfile, key: DeidentificationKey) {
        self.profile = profile
        self.identifiers = KeyedIdentifiers(key: key)
    }

    public func deidentify(_ object: DICOMObject) throws(DeidentificationRefusal) -> DeidentificationResult {
        try checkCanDeidentify(object)
        var pass = Pass(deidentifier: self, object: object)
        var dataSet = pass.walk(object.dataSet, parent: nil, item: 0, dummy: false)
        Markers.write(into: &dataSet, profile: profile)
        let fileMeta = pass.rebuildFileMeta(object.fileMeta, dataSet: dataSet, transferSyntaxUID: object.transferSyntaxUID)
        let output = DICOMObject(fileMeta: fileMeta, dataSet: dataSet, transferSyntaxUID: object.transferSyntaxUID)
        return DeidentificationResult(
            object: output,
            actions: pass.actions.sorted { $0.path < $1.path },
            identifiers: OutputIdentifiers(
                studyInstanceUID: dataSet.string(.studyInstanceUID) ?? "",
                seriesInstanceUID: dataSet.string(.seriesInstanceUID) ?? "",
                sopInstanceUID: dataSet.string(.sopInstanceUID) ?? "",
                sopClassUID: dataSet.string(.sopClassUID) ?? "",
                frameOfReferenceUID: dataSet.string(.frameOfReferenceUID),
                patientPseudonym: dataSet.string(.patientID).flatMap { $0.isEmpty ? nil : $0 }),
            replacements: pass.replacements.sorted { ($0.kind.rawValue, $0.original) < ($1.kind.rawValue, $1.original) },
            warnings: Warnings.collect(object.dataSet, profile: profile),
            methodCodes: profile.methodCodes)
    }

    /// SOP Classes whose content is an opaque document Veil cannot clean.
    static let encapsulatedDocumentSOPClasses: Set<String> = [
        "1.2.840.10008.5.1.4.1.1.104.1", // Encapsulated PDF
        "1.2.840.10008.5.1.4.1.1.104.2", // Encapsulated CDA
        "1.2.840.10008.5.1.4.1.1.104.3", // Encapsulated STL
        "1.2.840.10008.5.1.4.1.1.104.4", // Encapsulated OBJ
        "1.2.840.10008.5.1.4.1.1.104.5", // Encapsulated MTL
    ]

    static let mediaStorageDirectorySOPClass = "1.2.840.10008.1.3.10"

    private func checkCanDeidentify(_ object: DICOMObject) throws(DeidentificationRefusal) {
        let dataSet = object.dataSet
        if let unimplemented = profile.unimplementedOptions.map(\.rawValue).sorted().first {
            throw DeidentificationRefusal(.unimplementedOption, "option \(unimplemented) is not implemented")
        }
        let sopClass = dataSet.string(.sopClassUID) ?? object.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
        if sopClass == Self.mediaStorageDirectorySOPClass {
            throw DeidentificationRefusal(.mediaDirectory, "DICOMDIR: its records repeat patient data; it is not copied")
        }
        guard let sopInstance = dataSet.string(.sopInstanceUID), !sopInstance.isEmpty else {
            throw DeidentificationRefusal(.missingSOPInstanceUID, "no SOP Instance UID")
        }
        guard !sopClass.isEmpty, dataSet.string(.sopClassUID) != nil else {
            throw DeidentificationRefusal(.missingSOPClassUID, "no SOP Class UID")
        }
        guard UID.isValid(sopClass) else {
            throw DeidentificationRefusal(.missingSOPClassUID, "the SOP Class UID is not a valid UID")
        }
        if Self.encapsulatedDocumentSOPClasses.contains(sopClass) || Self.contains(.encapsulatedDocument, in: dataSet) {
            throw DeidentificationRefusal(.encapsulatedDocument, "encapsulated document: its content cannot be de-identified")
        }
        if dataSet.string(.burnedInAnnotation)?.uppercased() == "YES",
           !profile.acceptsBurnedInAnnotation, !profile.options.contains(.cleanPixelData) {
            throw DeidentificationRefusal(
                .burnedInAnnotation,
                "Burned In Annotation is YES: pixels carry text that metadata de-identification cannot remove")
        }
    }

    private static func contains(_ tag: DICOMTag, in dataSet: DataSet) -> Bool {
        for element in dataSet.elements {
            if element.tag == tag { return true }
            if let items = element.items, items.contains(where: { contains(tag, in: $0) }) { return true }
        }
        return false
    }
}

/// The state of one de-identification: actions recorded, replacements made, and the facts about
/// the instance that decisions depend on.
struct Pass {
    let deidentifier: Deidentifier
    let sopClassUID: String?
    let patient: PatientContext
    var actions: [AppliedAction] = []
    var replacements: Set<Replacement> = []

    init(deidentifier: Deidentifier, object: DICOMObject) {
        self.deidentifier = deidentifier
        self.sopClassUID = object.dataSet.string(.sopClassUID)
        self.patient = PatientContext(object.dataSet, identifiers: deidentifier.identifiers)
    }

    var profile: DeidentificationProfile { deidentifier.profile }
    var identifiers: KeyedIdentifiers { deidentifier.identifiers }

    /// De-identifies one data set or item. `dummy` is set inside a sequence whose contents are
    /// being replaced by dummies (action D on a sequence).
    mutating func walk(_ dataSet: DataSet, parent: TagPath?, item: Int, dummy: Bool) -> DataSet {
        var output = DataSet()
        for stored in dataSet.elements {
            let element = Self.withDictionaryVR(stored)
            let path = parent?.appending(item: item, element.tag) ?? TagPath(element.tag)
            let (action, reason) = decide(element, path: path, dummy: dummy)
            if let kept = apply(action, reason: reason, to: element, path: path, dummy: dummy) {
                output.append(kept)
            }
        }
        return output
    }

    // MARK: Deciding

    private func decide(_ element: DataElement, path: TagPath, dummy: Bool) -> (ActionCode, AppliedAction.Reason) {
        let tag = element.tag
        if tag.isPrivate {
            return (resolve(profile.action(for: ConfidentialityProfileTable.privateAttributesRow), element, path).0,
                    .privateAttribute)
        }
        if tag.isGroupLength { return (.X, .groupLength) }
        if tag.isFileMetaInformation { return (.X, .fileMetaInDataSet) }
        if Self.isOverlayPlane(tag) && path.depth == 0 { return (.X, .overlayPlane) }
        if let row = ConfidentialityProfileTable.row(for: tag) {
            return resolve(profile.action(for: row), element, path)
        }
        if tag == DICOMTag(0x0400, 0x0500) { return (.X, .encryptedAttributes) }
        let vr = Self.effectiveVR(of: element)
        if dummy && vr != .SQ && vr != .UI && (vr.isTextual || vr.isTemporal) { return (.D, .dummySequence) }
        if DataDictionary.entry(for: tag) == nil { return (.X, .unknownAttribute) }
        switch vr {
        case .UI:
            // Kept only when every value is a well-formed UID: text in a UID field is replaced.
            let values = element.strings
            if StandardUIDs.namesAClass(tag) && values.allSatisfy({ $0.isEmpty || UID.isValid($0) })
                || values.allSatisfy({ $0.isEmpty || UID.isDefinedByStandard($0) }) {
                return (.K, .table)
            }
            return (.U, .uidNotListed)
        case .PN: return (.X, .personNameNotListed)
        case .DA, .DT, .TM: return (.X, .temporalNotListed)
        default: return (.K, .table)
        }
    }

    /// Resolves a compound action by the attribute's Type in this instance's IOD.
    private func resolve(_ action: ActionCode, _ element: DataElement, _ path: TagPath) -> (ActionCode, AppliedAction.Reason) {
        guard action.isCompound else { return (action, .table) }
        let requirement = IODAttributeTypes.requirement(sopClassUID: sopClassUID, path: path.tags)
        let reason: AppliedAction.Reason = switch requirement {
        case .valueRequired: .iodType1
        case .presenceRequired: .iodType2
        case .optional: .iodType3
        }
        switch action {
        case .ZD: return (requirement == .valueRequired ? .D : .Z, reason)
        case .XZ: return (requirement == .optional ? .X : .Z, reason)
        case .XD: return (requirement == .optional ? .X : .D, reason)
        case .XZD:
            return (requirement == .valueRequired ? .D : requirement == .presenceRequired ? .Z : .X, reason)
        case .XZU:
            // A sequence of references: kept, with every instance UID inside replaced, so that
            // references still resolve (the "U*" variant). Anything else is removed.
            return (element.vr == .SQ ? .K : .X, .table)
        default:
            return (action, .table)
        }
    }

    // MARK: Applying

    private mutating func apply(_ action: ActionCode, reason: AppliedAction.Reason, to element: DataElement,
                                path: TagPath, dummy: Bool) -> DataElement? {
        switch action {
        case .K:
            guard let items = element.items else { return element }
            return DataElement(element.tag, items: items.enumerated().map { index, item in
                walk(item, parent: path, item: index, dummy: dummy)
            })
        case .X:
            record(path, .X, reason)
            return nil
        case .Z:
            if let pseudonym = pseudonym(for: element, required: false) {
                record(path, .Z, .pseudonym)
                return pseudonym
            }
            record(path, .Z, reason)
            if element.vr == .SQ { return DataElement(element.tag, items: []) }
            return DataElement(element.tag, element.vr, .bytes([]))
        case .D:
            return dummyElement(for: element, path: path, reason: reason)
        case .U:
            return replaceUIDs(in: element, path: path, reason: reason)
        default:
            // C and unresolved compound actions only arise from options not implemented here;
            // `Deidentifier` refuses those profiles, so remove rather than keep if one slips through.
            record(path, .X, reason)
            return nil
        }
    }

    private mutating func dummyElement(for element: DataElement, path: TagPath, reason: AppliedAction.Reason) -> DataElement? {
        if let pseudonym = pseudonym(for: element, required: true) {
            record(path, .D, .pseudonym)
            return pseudonym
        }
        let vr = Self.effectiveVR(of: element)
        if vr == .SQ {
            guard let items = element.items else { return nil }
            if element.tag == .contentSequence || element.tag == DICOMTag(0x0070, 0x0001) {
                // Content Sequence and Graphic Annotation Sequence are Type 1C: required only while
                // there is content. Removing the content removes the requirement.
                record(path, .X, .contentRemoved)
                return nil
            }
            record(path, .D, .dummySequence)
            return DataElement(element.tag, items: items.enumerated().map { index, item in
                walk(item, parent: path, item: index, dummy: true)
            })
        }
        if vr == .UI { return replaceUIDs(in: element, path: path, reason: reason) }
        guard let value = DummyValue.bytes(for: vr) else {
            record(path, .X, reason)
            return nil
        }
        record(path, .D, reason)
        return DataElement(element.tag, vr, .bytes(value))
    }

    private mutating func replaceUIDs(in element: DataElement, path: TagPath, reason: AppliedAction.Reason) -> DataElement? {
        guard Self.effectiveVR(of: element) == .UI, element.bytes != nil else {
            // A UID row on something that holds no UID string: nothing to keep safely.
            record(path, .X, reason)
            return nil
        }
        var changed = false
        let values = element.strings.map { original -> String in
            guard !original.isEmpty, !UID.isDefinedByStandard(original) else { return original }
            changed = true
            let replacement = identifiers.replacementUID(for: original)
            replacements.insert(Replacement(kind: .uid, original: original, replacement: replacement))
            return replacement
        }
        if changed { record(path, .U, reason) }
        return DataElement(element.tag, .UI, string: values.joined(separator: "\\"))
    }

    /// For attributes that must stay linkable, a keyed pseudonym replaces Z and D.
    private mutating func pseudonym(for element: DataElement, required: Bool) -> DataElement? {
        let original = element.string ?? ""
        guard !original.isEmpty || required else { return nil }
        let value: String
        let kind: Replacement.Kind
        switch element.tag {
        case .patientID:
            value = original.isEmpty || original == patient.patientID ? patient.pseudonym
                : identifiers.patientPseudonym(patientID: original, issuer: "")
            kind = .patientID
        case .patientName:
            value = patient.pseudonym
            kind = .patientID
        case .accessionNumber where !original.isEmpty:
            value = identifiers.accessionPseudonym(for: original)
            kind = .accessionNumber
        case .studyID where !original.isEmpty:
            value = identifiers.studyIDPseudonym(studyID: original, studyInstanceUID: patient.studyInstanceUID)
            kind = .studyID
        default:
            return nil
        }
        if element.tag != .patientName {
            replacements.insert(Replacement(kind: kind, original: original.isEmpty ? patient.patientID : original,
                                            replacement: value))
        }
        return DataElement(element.tag, Self.effectiveVR(of: element), string: value)
    }

    private mutating func record(_ path: TagPath, _ action: ActionCode, _ reason: AppliedAction.Reason) {
        actions.append(AppliedAction(path, action, reason))
    }

    // MARK: File Meta Information

    /// New File Meta Information (PS3.15 E.1.1, PS3.10 7.1): nothing of the original survives
    /// but the SOP Class and the transfer syntax; the SOP Instance UID is the replacement one.
    mutating func rebuildFileMeta(_ original: DataSet, dataSet: DataSet, transferSyntaxUID: String) -> DataSet {
        for element in original.elements {
            switch element.tag {
            case .fileMetaInformationGroupLength, .fileMetaInformationVersion, .mediaStorageSOPClassUID,
                 .transferSyntaxUID:
                continue
            case .mediaStorageSOPInstanceUID:
                record(TagPath(element.tag), .U, .fileMetaRebuilt)
            default:
                record(TagPath(element.tag), .X, .fileMetaRebuilt)
            }
        }
        return DataSet([
            DataElement(.fileMetaInformationVersion, .OB, .bytes([0x00, 0x01])),
            DataElement(.mediaStorageSOPClassUID, .UI, string: dataSet.string(.sopClassUID) ?? ""),
            DataElement(.mediaStorageSOPInstanceUID, .UI, string: dataSet.string(.sopInstanceUID) ?? ""),
            DataElement(.transferSyntaxUID, .UI, string: transferSyntaxUID),
            DataElement(.implementationClassUID, .UI, string: Veil.implementationClassUID),
            DataElement(.implementationVersionName, .SH, string: Veil.implementationVersionName),
        ])
    }

    // MARK: Helpers

    /// The VR to reason with: an element stored as UN whose tag the dictionary knows is treated
    /// as its dictionary VR, so that a name or a UID hidden behind UN is still recognised.
    static func effectiveVR(of element: DataElement) -> VR {
        guard element.vr == .UN, !element.tag.isPrivate else { return element.vr }
        return DataDictionary.entry(for: element.tag)?.vrs.first ?? .UN
    }

    /// A public element stored as UN whose dictionary VR is a string VR gets that VR: the bytes
    /// mean the same, and a name or a UID hidden behind UN is then handled like any other.
    /// (Binary VRs stay UN: their byte order depends on the transfer syntax.)
    static func withDictionaryVR(_ element: DataElement) -> DataElement {
        guard element.vr == .UN, !element.tag.isPrivate,
              let vr = DataDictionary.entry(for: element.tag)?.vrs.first, vr.isString else { return element }
        return DataElement(element.tag, vr, element.value)
    }

    /// Overlay planes: groups 6000-601E, even.
    static func isOverlayPlane(_ tag: DICOMTag) -> Bool {
        tag.group >= 0x6000 && tag.group <= 0x601E && tag.group & 1 == 0
    }
}

/// Who the instance is about, as far as pseudonyms need to know.
struct PatientContext {
    let patientID: String
    let pseudonym: String
    let studyInstanceUID: String

    init(_ dataSet: DataSet, identifiers: KeyedIdentifiers) {
        patientID = dataSet.string(.patientID) ?? ""
        studyInstanceUID = dataSet.string(.studyInstanceUID) ?? ""
        if !patientID.isEmpty {
            pseudonym = identifiers.patientPseudonym(patientID: patientID, issuer: dataSet.string(.issuerOfPatientID) ?? "")
        } else if let name = dataSet.string(.patientName), !name.isEmpty {
            // No Patient ID: the name and birth date are what identify the patient in this file.
            pseudonym = identifiers.patientPseudonym(fallback: ["name", name, dataSet.string(.patientBirthDate) ?? ""])
        } else {
            // Nothing identifies the patient: instances of one study stay together.
            pseudonym = identifiers.patientPseudonym(fallback: ["study", studyInstanceUID])
        }
    }
}
