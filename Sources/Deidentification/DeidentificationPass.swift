import DICOMCore

/// Where in the data set the walk is, as far as decisions depend on it.
struct WalkContext {
    /// Inside a sequence whose contents are replaced by dummies (action D on a sequence).
    var dummy = false
    /// Inside content kept by Clean Structured Content: text, names and dates of content items
    /// are cleaned.
    var structuredContent = false
    /// Inside graphic annotations kept by Clean Graphics: their text is cleaned.
    var graphics = false
    /// Private Tag Knowledge Base keys of the enclosing sequences.
    var privatePath: [String] = []
    /// How the text of the data set being walked is read: its own Specific Character Set, or
    /// the one of the data set it is an item of.
    var characterSet = SpecificCharacterSet.default
    /// Inside a sequence that Clean Descriptors cleans: every text value at every depth is
    /// cleaned, not only those with a row of their own.
    var cleansEveryText = false
    /// The Coding Scheme Designator of the item being walked, when it is a code item.
    var codingScheme: String?

    static let topLevel = WalkContext()

    /// This context for the elements of `dataSet`: the character set it declares, if any, and
    /// its coding scheme when it is a code item.
    func reading(_ dataSet: DataSet) -> WalkContext {
        var context = self
        if dataSet[.specificCharacterSet] != nil {
            context.characterSet = SpecificCharacterSet(of: dataSet, inheriting: characterSet)
        }
        context.codingScheme = dataSet.string(.codingSchemeDesignator)
        return context
    }
}

/// How one element is treated.
enum Treatment: Equatable {
    case keep
    case remove
    case empty
    case dummy
    case replaceUIDs
    /// Modified Dates: shift DA and DT values by the patient's offset.
    case shiftDates
    /// Clean Descriptors and the other cleaning options: keep only safe words. When none is
    /// left, the fallback action (the row's Basic Profile action) applies.
    case cleanText(fallback: ActionCode)
    /// Retain Device Identity cleans AE titles: keyed replacements.
    case pseudonymizeApplicationEntity
    /// Retain Patient Characteristics keeps ages, but not above 89 (HIPAA Safe Harbor).
    case capAge
    /// A value the pass computes (pseudonyms, profile overrides).
    case replace(String)
}

struct Decision {
    var treatment: Treatment
    /// The action code reported: X, Z, D, U, C or K.
    var code: ActionCode
    var reason: AppliedAction.Reason
    /// For sequences kept: how their items are walked.
    var inner: WalkContext?

    init(_ treatment: Treatment, _ code: ActionCode, _ reason: AppliedAction.Reason, inner: WalkContext? = nil) {
        self.treatment = treatment
        self.code = code
        self.reason = reason
        self.inner = inner
    }
}

/// One de-identification: actions recorded, replacements made, and the facts about the instance
/// that decisions depend on.
struct DeidentificationPass {
    let deidentifier: Deidentifier
    let sopClassUID: String?
    let patient: PatientContext
    /// The profile with the pixel passes of this instance (see ``PixelPasses``).
    let profile: DeidentificationProfile
    let dateShift: DateShift
    let declarations: PrivateDataDeclarations
    private(set) var cleaner = TextCleaner()
    /// The instance as it came in: what the identifying-text filter learns identity from.
    let original: DataSet
    /// Built on first use (see ``filterKeptText(_:path:context:)``).
    var identifyingFilter: IdentifyingTextFilter?
    var actions: [AppliedAction] = []
    var replacements: Set<Replacement> = []

    init(deidentifier: Deidentifier, profile: DeidentificationProfile, object: DICOMObject) {
        self.deidentifier = deidentifier
        self.profile = profile
        self.sopClassUID = object.dataSet.string(.sopClassUID)
        self.patient = PatientContext(object.dataSet, identifiers: deidentifier.identifiers)
        self.dateShift = deidentifier.identifiers.dateShift(forPatient: patient.keyParts)
        self.declarations = PrivateDataDeclarations(object.dataSet)
        self.original = object.dataSet
        if profile.options.contains(where: {
            [
                .cleanDescriptors, .retainPatientCharacteristics, .cleanStructuredContent,
                .cleanGraphics,
            ].contains($0)
        }) {
            var tokens = Set<String>()
            collectIdentifyingTokens(object.dataSet, parent: nil, item: 0, context: .topLevel, into: &tokens)
            cleaner = TextCleaner(identifyingTokens: tokens)
        }
    }

    var identifiers: KeyedIdentifiers { deidentifier.identifiers }
    var options: Set<ProfileOption> { profile.options }

    // MARK: Walking

    /// De-identifies one data set or sequence item.
    mutating func walk(_ dataSet: DataSet, parent: TagPath?, item: Int, context: WalkContext) -> DataSet {
        let context = context.reading(dataSet)
        var output = DataSet()
        let creators = dataSet.privateCreators
        var keptBlocks = Set<DICOMTag>()
        for stored in dataSet.elements {
            let element = stored.withDictionaryVR
            let path = parent?.appending(item: item, element.tag) ?? TagPath(element.tag)
            if element.tag.isPrivateCreator {
                continue  // kept below, only when an element of its block is kept
            }
            let decision = decide(element, path: path, context: context, creators: creators)
            if var kept = apply(decision, to: element, path: path, context: context) {
                // What an option or an override retains is the user's explicit choice: kept as is.
                if decision.treatment == .keep, kept.vr != .SQ, !decision.reason.isExplicitRetention {
                    kept = filterKeptText(kept, path: path, context: context)
                }
                output.append(kept)
                if let creator = element.tag.privateCreator { keptBlocks.insert(creator) }
            }
        }
        for creator in keptBlocks {
            if let element = dataSet[creator] { output[creator] = element }
        }
        for element in dataSet.elements where element.tag.isPrivateCreator && !keptBlocks.contains(element.tag) {
            let path = parent?.appending(item: item, element.tag) ?? TagPath(element.tag)
            record(path, .X, .privateAttribute)
        }
        return output
    }

    // MARK: Identifying tokens for text cleaning

    /// Collects the tokens of every value this pass removes or replaces (names, IDs, places,
    /// private text), so that the text cleaner drops them wherever free text repeats them.
    func collectIdentifyingTokens(
        _ dataSet: DataSet, parent: TagPath?, item: Int, context: WalkContext,
        into tokens: inout Set<String>
    ) {
        let context = context.reading(dataSet)
        let creators = dataSet.privateCreators
        for stored in dataSet.elements {
            let element = stored.withDictionaryVR
            let path = parent?.appending(item: item, element.tag) ?? TagPath(element.tag)
            if element.tag.isPrivateCreator { continue }
            let decision = decide(element, path: path, context: context, creators: creators)
            switch decision.treatment {
            case .keep, .cleanText, .capAge, .shiftDates:
                if let items = element.items {
                    for (index, child) in items.enumerated() {
                        collectIdentifyingTokens(
                            child, parent: path, item: index, context: decision.inner ?? context,
                            into: &tokens)
                    }
                }
            case .replaceUIDs:
                continue
            default:
                Self.allText(of: element, in: context.characterSet, into: &tokens)
            }
        }
    }

    private static func allText(
        of element: DataElement, in characterSet: SpecificCharacterSet, into tokens: inout Set<String>
    ) {
        if let items = element.items {
            for item in items {
                let itemCharacterSet = SpecificCharacterSet(of: item, inheriting: characterSet)
                for child in item.elements { allText(of: child, in: itemCharacterSet, into: &tokens) }
            }
            return
        }
        let vr = element.effectiveVR
        guard vr.isString && vr != .UI && vr != .CS || vr == .UN, let values = element.textValues(in: characterSet)
        else { return }
        for value in values { tokens.formUnion(TextCleaner.identifyingTokens(of: value)) }
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
                if !options.contains(.retainUIDs) { record(TagPath(element.tag), .U, .fileMetaRebuilt) }
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

    /// Ages above 89 years become 090Y (HIPAA Safe Harbor); others stay.
    static func capAge(_ age: String) -> String {
        guard age.count == 4, age.hasSuffix("Y"), let years = Int(age.prefix(3)), years > 89 else { return age }
        return "090Y"
    }

    /// Overlay planes: groups 6000-601E, even.
    static func isOverlayPlane(_ tag: DICOMTag) -> Bool {
        tag.group >= 0x6000 && tag.group <= 0x601E && tag.group & 1 == 0
    }
}
