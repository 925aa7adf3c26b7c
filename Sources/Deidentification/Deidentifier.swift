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
///    without pixel cleaning, DICOMDIRs, missing or malformed SOP UIDs).
/// 2. Applies Table E.1-1 to every element at every depth: the row's action under the profile's
///    options, compound actions resolved by the attribute's Type in the instance's IOD; private
///    attributes removed or, with Retain Safe Private, kept where known safe; overlay planes and
///    curves removed whole unless Clean Graphics keeps them.
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

    /// De-identifies `object`. `pixelPasses` are the passes the caller applied to this instance's
    /// pixels (burned-in text masked, face removed): their options count for this instance only.
    public func deidentify(
        _ object: DICOMObject, pixelPasses: PixelPasses = []
    ) throws(DeidentificationRefusal)
        -> DeidentificationResult
    {
        let profile = self.profile.applying(pixelPasses)
        try Self.checkCanDeidentify(object, profile: profile)
        var pass = DeidentificationPass(deidentifier: self, profile: profile, object: object)
        var dataSet = pass.walk(object.dataSet, parent: nil, item: 0, context: .topLevel)
        pass.reconcileConditions(&dataSet)
        Markers.write(into: &dataSet, profile: profile)
        // The instance must still say what it is: never an output without its identity.
        guard let sopInstance = dataSet.string(.sopInstanceUID), UID.isPlausible(sopInstance),
            let sopClass = dataSet.string(.sopClassUID), UID.isPlausible(sopClass)
        else {
            throw DeidentificationRefusal(
                .missingSOPInstanceUID,
                "the SOP Class or Instance UID cannot be kept (stored with a non-string VR?)")
        }
        let fileMeta = pass.rebuildFileMeta(
            object.fileMeta, dataSet: dataSet, transferSyntaxUID: object.transferSyntaxUID)
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
            replacements: pass.replacements.sorted {
                ($0.kind.rawValue, $0.original) < ($1.kind.rawValue, $1.original)
            },
            warnings: Warnings.collect(output.dataSet, original: object.dataSet, profile: profile),
            methodCodes: profile.methodCodes)
    }

    /// SOP Classes whose content is an opaque document Veil cannot clean.
    static let encapsulatedDocumentSOPClasses: Set<String> = [
        "1.2.840.10008.5.1.4.1.1.104.1",  // Encapsulated PDF
        "1.2.840.10008.5.1.4.1.1.104.2",  // Encapsulated CDA
        "1.2.840.10008.5.1.4.1.1.104.3",  // Encapsulated STL
        "1.2.840.10008.5.1.4.1.1.104.4",  // Encapsulated OBJ
        "1.2.840.10008.5.1.4.1.1.104.5",  // Encapsulated MTL
    ]

    static let mediaStorageDirectorySOPClass = "1.2.840.10008.1.3.10"

    private static func checkCanDeidentify(
        _ object: DICOMObject, profile: DeidentificationProfile
    )
        throws(DeidentificationRefusal)
    {
        let dataSet = object.dataSet
        if let problem = profile.problem {
            throw DeidentificationRefusal(.unimplementedOption, problem)
        }
        let sopClass = dataSet.string(.sopClassUID) ?? object.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
        if sopClass == mediaStorageDirectorySOPClass {
            throw DeidentificationRefusal(
                .mediaDirectory, "DICOMDIR: its records repeat patient data; it is not copied")
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
        if encapsulatedDocumentSOPClasses.contains(sopClass) || contains(.encapsulatedDocument, in: dataSet) {
            throw DeidentificationRefusal(
                .encapsulatedDocument, "encapsulated document: its content cannot be de-identified")
        }
        if dataSet.string(.burnedInAnnotation)?.uppercased() == "YES",
            !profile.acceptsBurnedInAnnotation, !profile.options.contains(.cleanPixelData)
        {
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

/// Who the instance is about, as far as pseudonyms and date offsets need to know.
struct PatientContext {
    let patientID: String
    let pseudonym: String
    let studyInstanceUID: String
    /// What identifies the patient for keyed derivations: issuer and ID, or the fallbacks.
    let keyParts: [String]

    init(_ dataSet: DataSet, identifiers: KeyedIdentifiers) {
        let characterSet = dataSet.specificCharacterSet
        patientID = dataSet.string(.patientID, in: characterSet) ?? ""
        studyInstanceUID = dataSet.string(.studyInstanceUID) ?? ""
        if !patientID.isEmpty {
            let issuer = dataSet.string(.issuerOfPatientID, in: characterSet) ?? ""
            keyParts = ["id", issuer, patientID]
            pseudonym = identifiers.patientPseudonym(patientID: patientID, issuer: issuer)
        } else if let name = dataSet.string(.patientName, in: characterSet), !name.isEmpty {
            // No Patient ID: the name and birth date are what identify the patient in this file.
            keyParts = ["name", name, dataSet.string(.patientBirthDate) ?? ""]
            pseudonym = identifiers.patientPseudonym(fallback: keyParts)
        } else {
            // Nothing identifies the patient: instances of one study stay together.
            keyParts = ["study", studyInstanceUID]
            pseudonym = identifiers.patientPseudonym(fallback: keyParts)
        }
    }
}
