import DICOMCore

/// Checks an instance for identity left in it: for ML teams checking training data, and for
/// anyone checking an output before sharing it. Pure: no files.
///
/// The expectations follow the instance's own markers: a file that says it was de-identified
/// with some options (0012,0064) is judged against Table E.1-1 under those options; a file that
/// says nothing is judged against the Basic Profile, and every identifying attribute in it is a
/// finding. Findings name attributes and kinds of risk, never values.
public struct ResidualRiskVerifier: Sendable {
    /// What to check.
    public enum Scope: String, Sendable, CaseIterable {
        case all, metadata, pixels
    }

    public let scope: Scope

    public init(scope: Scope = .all) { self.scope = scope }

    public struct Finding: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            /// An attribute Table E.1-1 says must go (or be emptied, or dummied) is there with a value.
            case identifyingAttribute = "identifying-attribute"
            /// UIDs that were never replaced (the instance is not marked de-identified).
            case originalUIDs = "original-uids"
            /// Private attributes, or ones the Private Tag Knowledge Base does not vouch for.
            case privateAttribute = "private-attribute"
            /// Free text with dates, phone numbers, identifiers, or this patient's name or ID.
            case freeText = "free-text"
            /// Dates present although (0028,0303) says they were removed, or no marker at all.
            case dates
            /// De-identification markers missing or inconsistent.
            case markers
            /// An image type that often carries burned-in text, not marked Burned In Annotation NO.
            case burnedInText = "burned-in-text"
            /// A head scan whose face was not removed (Recognizable Visual Features not NO).
            case face
            /// Text found in the pixels by the detector and read as text by OCR (by the batch
            /// verifier, which reads the pixels; this type looks at attributes only).
            case textInPixels = "text-in-pixels"
        }

        public var kind: Kind
        /// Where, e.g. "(0040,0275)[0](0032,1060)"; empty for instance-wide findings.
        public var path: String
        public var message: String

        public init(kind: Kind, path: String, message: String) {
            (self.kind, self.path, self.message) = (kind, path, message)
        }
    }

    /// The residual risks of one instance.
    public func findings(in object: DICOMObject) -> [Finding] {
        var findings: [Finding] = []
        let dataSet = object.dataSet
        let profile = Self.claimedProfile(dataSet)
        let deidentified = profile != nil
        if scope != .pixels {
            findings += markerFindings(dataSet, profile: profile)
            var walker = Walker(
                profile: profile ?? .basic, deidentified: deidentified,
                identifyingTokens: deidentified ? [] : Self.identifyingTokens(dataSet),
                sopClassUID: dataSet.string(.sopClassUID))
            walker.walk(dataSet, parent: nil, item: 0)
            findings += walker.findings
        }
        if scope != .metadata { findings += pixelFindings(dataSet) }
        return findings
    }

    // MARK: Markers and dates

    /// The profile an instance says it was de-identified with, from (0012,0062) and (0012,0064).
    static func claimedProfile(_ dataSet: DataSet) -> DeidentificationProfile? {
        guard dataSet.string(.patientIdentityRemoved)?.uppercased() == "YES" else { return nil }
        var profile = DeidentificationProfile()
        for item in dataSet.items(.deidentificationMethodCodeSequence) ?? [] {
            guard item.string(.codingSchemeDesignator) == "DCM", let value = item.string(.codeValue),
                case .option(let option)? = DeidentificationMethodCode.all.first(where: { $0.value == value })?.method
            else { continue }
            profile.options.insert(option)
        }
        return profile
    }

    private func markerFindings(_ dataSet: DataSet, profile: DeidentificationProfile?) -> [Finding] {
        guard let profile else {
            return [
                Finding(
                    kind: .markers, path: DICOMTag.patientIdentityRemoved.description,
                    message: "not marked de-identified: Patient Identity Removed (0012,0062) is not YES")
            ]
        }
        var findings: [Finding] = []
        let codes = (dataSet.items(.deidentificationMethodCodeSequence) ?? []).compactMap { $0.string(.codeValue) }
        if !codes.contains("113100") {
            findings.append(
                Finding(
                    kind: .markers, path: DICOMTag.deidentificationMethodCodeSequence.description,
                    message: "De-identification Method Code Sequence does not name the Basic Profile (113100)"))
        }
        let longitudinal = dataSet.string(.longitudinalTemporalInformationModified)?.uppercased()
        if longitudinal != Markers.longitudinalState(profile) {
            findings.append(
                Finding(
                    kind: .markers, path: DICOMTag.longitudinalTemporalInformationModified.description,
                    message: "Longitudinal Temporal Information Modified does not match the options in (0012,0064)"))
        }
        return findings
    }

    // MARK: Pixels

    private func pixelFindings(_ dataSet: DataSet) -> [Finding] {
        guard dataSet[.pixelData] != nil else { return [] }
        var findings: [Finding] = []
        let burnedIn = dataSet.string(.burnedInAnnotation)?.uppercased()
        if burnedIn == "YES" || (burnedIn != "NO" && ImageTextRisk.mayCarryText(dataSet)) {
            findings.append(
                Finding(
                    kind: .burnedInText, path: DICOMTag.burnedInAnnotation.description,
                    message: "the image may show burned-in text: Burned In Annotation is not NO"))
        }
        if Self.isHeadScan(dataSet), dataSet.string(.recognizableVisualFeatures)?.uppercased() != "NO" {
            findings.append(
                Finding(
                    kind: .face, path: DICOMTag.recognizableVisualFeatures.description,
                    message: "a head scan whose face may be reconstructed: Recognizable Visual Features is not NO"))
        }
        return findings
    }

    /// CT, MR and PET of the head, from Body Part Examined and the descriptions.
    public static func isHeadScan(_ dataSet: DataSet) -> Bool {
        guard ["CT", "MR", "PT"].contains(dataSet.string(.modality)?.uppercased() ?? "") else { return false }
        let hints = [
            DICOMTag.bodyPartExamined, DICOMTag.studyDescription, DICOMTag.seriesDescription, DICOMTag.protocolName,
        ]
        .compactMap { dataSet.string($0)?.uppercased() }.joined(separator: " ")
        let words = hints.split(whereSeparator: { !$0.isLetter })
        return words.contains {
            ["HEAD", "HEADNECK", "BRAIN", "SKULL", "FACE", "NEURO", "CRANIUM", "ORBIT", "ORBITS", "SINUS"].contains($0)
        }
    }

    /// Tokens of the identifying values an unmarked instance carries (names, IDs): free text
    /// repeating them is a finding.
    static func identifyingTokens(_ dataSet: DataSet) -> Set<String> {
        let characterSet = dataSet.specificCharacterSet
        var tokens = Set<String>()
        for tag in [
            DICOMTag.patientName, .patientID, .accessionNumber, DICOMTag.otherPatientIDs,
            DICOMTag.referringPhysicianName,
            DICOMTag.patientAddress, DICOMTag.institutionName,
        ] {
            for value in dataSet[tag]?.strings(in: characterSet) ?? [] {
                tokens.formUnion(TextCleaner.identifyingTokens(of: value).filter { $0.count >= 3 })
            }
        }
        return tokens
    }
}

/// Walks an instance, comparing every element with what the claimed profile allows.
private struct Walker {
    let profile: DeidentificationProfile
    let deidentified: Bool
    let identifyingTokens: Set<String>
    let sopClassUID: String?
    var findings: [ResidualRiskVerifier.Finding] = []
    private var reportedUIDs = false

    init(profile: DeidentificationProfile, deidentified: Bool, identifyingTokens: Set<String>, sopClassUID: String?) {
        self.profile = profile
        self.deidentified = deidentified
        self.identifyingTokens = identifyingTokens
        self.sopClassUID = sopClassUID
    }

    /// Values Veil and other tools write as dummies, and Veil's pseudonym forms.
    static let dummies: Set<String> = [
        "ANONYMIZED", "ANONYMOUS", "19000101", "19000101000000", "000000", "0", "000Y",
        "urn:anonymized", "REMOVED", "DUMMY",
    ]

    mutating func walk(
        _ dataSet: DataSet, parent: TagPath?, item: Int, characterSet enclosing: SpecificCharacterSet = .default
    ) {
        let characterSet = SpecificCharacterSet(of: dataSet, inheriting: enclosing)
        let creators = dataSet.privateCreators
        for element in dataSet.elements {
            let path = parent?.appending(item: item, element.tag) ?? TagPath(element.tag)
            if element.tag.isPrivate {
                checkPrivate(element, path: path, creators: creators)
                continue
            }
            check(element, path: path, characterSet: characterSet)
            if let items = element.items {
                for (index, child) in items.enumerated() {
                    walk(child, parent: path, item: index, characterSet: characterSet)
                }
            }
        }
    }

    private mutating func check(_ element: DataElement, path: TagPath, characterSet: SpecificCharacterSet) {
        let tag = element.tag
        let values = element.strings(in: characterSet).filter { !$0.isEmpty }
        if let row = ConfidentialityProfileTable.row(for: tag), !element.isEmpty, element.vr != .SQ {
            let (action, _) = profile.action(for: row)
            switch action {
            case .K, .C:
                break
            case .U:
                if !deidentified && !reportedUIDs && values.contains(where: { !UID.isDefinedByStandard($0) }) {
                    reportedUIDs = true
                    report(.originalUIDs, path, "UIDs have not been replaced")
                }
                return
            default:
                let acceptable =
                    values.allSatisfy { value in
                        Walker.dummies.contains(value) || (deidentified && Self.isPseudonym(value, tag: tag))
                    } && deidentified
                if !acceptable && (!values.isEmpty || element.bytes?.isEmpty == false) {
                    report(.identifyingAttribute, path, "\(row.name) is present with a value (E.1-1: \(row.basic))")
                    return
                }
            }
        }
        if element.vr.isTemporal && element.vr != .TM && !values.isEmpty && !values.allSatisfy(Walker.dummies.contains)
        {
            if !deidentified {
                report(.dates, path, "a date is present and nothing says it was shifted")
                return
            }
            if !profile.options.contains(.retainLongitudinalFullDates)
                && !profile.options.contains(.retainLongitudinalModifiedDates)
            {
                report(.dates, path, "a date is present although (0028,0303) says dates were removed")
                return
            }
        }
        // Free text: the descriptors the cleaning options clean (the table lists every free-text
        // attribute that needs protecting), and the text of SR content and graphic annotations.
        let cleaned =
            ConfidentialityProfileTable.row(for: tag)?.options.values.contains(.C) == true
            || tag == DICOMTag.textValue || tag == DICOMTag.unformattedTextValue
        if cleaned && element.vr.isTextual, !Self.identityAttributes.contains(tag) {
            for value in values where Self.textLooksIdentifying(value, tokens: identifyingTokens) {
                report(.freeText, path, "free text holds a date, a phone number, an identifier or the patient's name")
                break
            }
        }
    }

    /// Private attributes are findings unless the instance claims Retain Safe Private and the
    /// Private Tag Knowledge Base lists the element as safe (or as a UID or date it replaces).
    private mutating func checkPrivate(_ element: DataElement, path: TagPath, creators: [DICOMTag: String]) {
        if element.tag.isPrivateCreator { return }
        guard profile.options.contains(.retainSafePrivate) else {
            report(.privateAttribute, path, "private attribute present")
            return
        }
        guard let creatorTag = element.tag.privateCreator, let creator = creators[creatorTag] else {
            report(.privateAttribute, path, "private attribute without a private creator")
            return
        }
        let key = PrivateTagDictionary.key(
            group: element.tag.group, creator: creator, element: UInt8(element.tag.element & 0xFF))
        switch PrivateTagDictionary.disposition(path: [key]) {
        case .keep, .replaceUID, .shiftDate, .shiftDateAlways: return
        case .delete, nil:
            report(.privateAttribute, path, "private attribute the Private Tag Knowledge Base does not list as safe")
        }
    }

    private mutating func report(_ kind: ResidualRiskVerifier.Finding.Kind, _ path: TagPath, _ message: String) {
        findings.append(ResidualRiskVerifier.Finding(kind: kind, path: path.description, message: message))
    }

    /// Attributes whose own values are identifiers (checked by the table, not as free text).
    static let identityAttributes: Set<DICOMTag> = [
        .patientName, .patientID, .accessionNumber, .studyID,
        DICOMTag.otherPatientIDs, DICOMTag.otherPatientNames,
    ]

    /// Veil's pseudonym forms (``PseudonymFormat``) of the attributes that hold them.
    static func isPseudonym(_ value: String, tag: DICOMTag) -> Bool {
        switch tag {
        case .personName: PseudonymFormat.person.matches(value)
        case .patientID, .patientName: PseudonymFormat.patient.matches(value)
        case .accessionNumber: PseudonymFormat.accession.matches(value)
        case .studyID: PseudonymFormat.studyID.matches(value)
        default: false
        }
    }

    /// Dates in any format, times, phone-like digit runs, long identifiers, or the patient's own
    /// name and ID tokens.
    static func textLooksIdentifying(_ text: String, tokens: Set<String>) -> Bool {
        if TextCleaner.blankOutDatesTimesAndNumbers(text) != text { return true }
        if tokens.isEmpty { return false }
        return TextCleaner.identifyingTokens(of: text).contains { tokens.contains($0) }
    }
}
