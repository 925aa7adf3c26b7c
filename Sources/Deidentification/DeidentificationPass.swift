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

    static let topLevel = WalkContext()
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
    var actions: [AppliedAction] = []
    var replacements: Set<Replacement> = []

    init(deidentifier: Deidentifier, profile: DeidentificationProfile, object: DICOMObject) {
        self.deidentifier = deidentifier
        self.profile = profile
        self.sopClassUID = object.dataSet.string(.sopClassUID)
        self.patient = PatientContext(object.dataSet, identifiers: deidentifier.identifiers)
        self.dateShift = deidentifier.identifiers.dateShift(forPatient: patient.keyParts)
        self.declarations = PrivateDataDeclarations(object.dataSet)
        if profile.options.contains(where: { [.cleanDescriptors, .retainPatientCharacteristics, .cleanStructuredContent,
                                              .cleanGraphics].contains($0) }) {
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
        var output = DataSet()
        let creators = dataSet.privateCreators
        var keptBlocks = Set<DICOMTag>()
        for stored in dataSet.elements {
            let element = stored.withDictionaryVR
            let path = parent?.appending(item: item, element.tag) ?? TagPath(element.tag)
            if element.tag.isPrivateCreator {
                continue // kept below, only when an element of its block is kept
            }
            let decision = decide(element, path: path, context: context, creators: creators)
            if let kept = apply(decision, to: element, path: path, context: context) {
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

    // MARK: Deciding

    func decide(_ element: DataElement, path: TagPath, context: WalkContext, creators: [DICOMTag: String]) -> Decision {
        let tag = element.tag
        if let override = profile.override(for: path) {
            switch override.action {
            case .keep: return Decision(.keep, .K, .override, inner: context)
            case .remove: return Decision(.remove, .X, .override)
            case .replace(let value): return Decision(.replace(value), .D, .override)
            }
        }
        if tag.isPrivate { return decidePrivate(element, path: path, context: context, creators: creators) }
        if tag.isGroupLength { return Decision(.remove, .X, .groupLength) }
        if tag.isFileMetaInformation { return Decision(.remove, .X, .fileMetaInDataSet) }
        if Self.isOverlayPlane(tag) && path.depth == 0 {
            guard options.contains(.cleanGraphics) else { return Decision(.remove, .X, .overlayPlane) }
            if tag.element == 0x3000 { return Decision(.keep, .C, .graphics) }
            return element.effectiveVR.isTextual ? Decision(.cleanText(fallback: .X), .C, .graphics)
                : Decision(.keep, .K, .table)
        }
        if context.structuredContent {
            // Text Value is Type 1C in a TEXT item: a dummy when nothing safe is left.
            if tag == DICOMTag.textValue { return Decision(.cleanText(fallback: .D), .C, .structuredContent) }
            if tag == DICOMTag.personName, let name = element.string, !name.isEmpty {
                return Decision(.replace(identifiers.personPseudonym(for: name)), .C, .structuredContent)
            }
        }
        if context.graphics && tag == DICOMTag.unformattedTextValue {
            return Decision(.cleanText(fallback: .D), .C, .graphics)
        }
        if let row = ConfidentialityProfileTable.row(for: tag) {
            let (action, option) = profile.action(for: row)
            return decide(element, path: path, context: context, action: action, option: option, basic: row.basic)
        }
        if tag == DICOMTag.encryptedAttributesSequence { return Decision(.remove, .X, .encryptedAttributes) }
        let vr = element.effectiveVR
        if context.dummy && vr != .SQ && vr != .UI && (vr.isTextual || vr.isTemporal) {
            return Decision(.dummy, .D, .dummySequence)
        }
        if DataDictionary.entry(for: tag) == nil { return Decision(.remove, .X, .unknownAttribute) }
        switch vr {
        case .UI:
            // Kept only when every value is a well-formed UID: text in a UID field is replaced.
            let values = element.strings
            if StandardUIDs.namesAClass(tag) && values.allSatisfy({ $0.isEmpty || UID.isValid($0) })
                || values.allSatisfy({ $0.isEmpty || UID.isDefinedByStandard($0) }) {
                return Decision(.keep, .K, .table)
            }
            if options.contains(.retainUIDs) { return Decision(.keep, .K, .option(.retainUIDs)) }
            return Decision(.replaceUIDs, .U, .uidNotListed)
        case .PN: return Decision(.remove, .X, .personNameNotListed)
        case .DA, .DT, .TM:
            if options.contains(.retainLongitudinalFullDates) { return Decision(.keep, .K, .option(.retainLongitudinalFullDates)) }
            if options.contains(.retainLongitudinalModifiedDates) {
                return vr == .TM ? Decision(.keep, .K, .option(.retainLongitudinalModifiedDates))
                    : Decision(.shiftDates, .C, .option(.retainLongitudinalModifiedDates))
            }
            return Decision(.remove, .X, .temporalNotListed)
        case .SQ:
            return Decision(.keep, .K, .table, inner: Self.entering(context, publicSequence: tag))
        default:
            return Decision(.keep, .K, .table)
        }
    }

    /// A row's action under the profile, made concrete for this element.
    private func decide(_ element: DataElement, path: TagPath, context: WalkContext, action: ActionCode,
                        option: ProfileOption?, basic: ActionCode) -> Decision {
        let vr = element.effectiveVR
        let tag = element.tag
        let basis: AppliedAction.Reason = option.map { .option($0) } ?? .table
        switch action {
        case .K:
            if option == .retainPatientCharacteristics, vr == .AS { return Decision(.capAge, .K, basis) }
            return Decision(.keep, .K, basis, inner: Self.entering(context, publicSequence: tag))
        case .C:
            return clean(element, path: path, context: context, option: option, basic: basic)
        case .X: return Decision(.remove, .X, basis)
        case .Z: return Decision(.empty, .Z, basis)
        case .D: return Decision(.dummy, .D, basis, inner: sequenceContext(for: element, context: context, dummy: true))
        case .U: return Decision(.replaceUIDs, .U, basis)
        default:
            return resolveCompound(action, element: element, path: path, context: context)
        }
    }

    /// Resolves a compound action by the attribute's Type in this instance's IOD.
    private func resolveCompound(_ action: ActionCode, element: DataElement, path: TagPath, context: WalkContext) -> Decision {
        let requirement = IODAttributeTypes.requirement(sopClassUID: sopClassUID, path: path.tags)
        let reason: AppliedAction.Reason = switch requirement {
        case .valueRequired: .iodType1
        case .presenceRequired: .iodType2
        case .optional: .iodType3
        }
        let dummy = Decision(.dummy, .D, reason, inner: sequenceContext(for: element, context: context, dummy: true))
        switch action {
        case .ZD: return requirement == .valueRequired ? dummy : Decision(.empty, .Z, reason)
        case .XZ: return requirement == .optional ? Decision(.remove, .X, reason) : Decision(.empty, .Z, reason)
        case .XD: return requirement == .optional ? Decision(.remove, .X, reason) : dummy
        case .XZD:
            switch requirement {
            case .valueRequired: return dummy
            case .presenceRequired: return Decision(.empty, .Z, reason)
            case .optional: return Decision(.remove, .X, reason)
            }
        case .XZU:
            // A sequence of references: kept, with every instance UID inside replaced, so that
            // references still resolve (the "U*" variant). Anything else is removed.
            return element.vr == .SQ
                ? Decision(.keep, .K, .table, inner: Self.entering(context, publicSequence: element.tag))
                : Decision(.remove, .X, reason)
        default:
            return Decision(.remove, .X, reason)
        }
    }

    /// What C means for an element, by the option whose column asked for it.
    private func clean(_ element: DataElement, path: TagPath, context: WalkContext, option: ProfileOption?,
                       basic: ActionCode) -> Decision {
        let vr = element.effectiveVR
        let basis = AppliedAction.Reason.option(option ?? .cleanDescriptors)
        switch option {
        case .retainLongitudinalModifiedDates:
            switch vr {
            case .DA, .DT: return Decision(.shiftDates, .C, basis)
            case .TM: return Decision(.keep, .K, basis) // whole-day shifts leave times of day as they are
            default: return Decision(.remove, .X, basis) // binary timestamps, time zone offsets
            }
        case .retainDeviceIdentity:
            return vr.isString ? Decision(.pseudonymizeApplicationEntity, .C, basis) : Decision(.remove, .X, basis)
        case .cleanStructuredContent:
            var inner = Self.entering(context, publicSequence: element.tag)
            inner.structuredContent = true
            return vr == .SQ ? Decision(.keep, .C, basis, inner: inner) : Decision(.cleanText(fallback: basic), .C, basis)
        case .cleanGraphics:
            var inner = Self.entering(context, publicSequence: element.tag)
            inner.graphics = true
            if vr == .SQ { return Decision(.keep, .C, basis, inner: inner) }
            return vr.isTextual ? Decision(.cleanText(fallback: basic), .C, basis) : Decision(.keep, .C, basis)
        default: // Clean Descriptors, and Retain Patient Characteristics' free-text rows
            if vr == .SQ { return Decision(.keep, .C, basis, inner: Self.entering(context, publicSequence: element.tag)) }
            if vr == .CS {
                let codes = element.strings.allSatisfy { $0.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" || $0 == " " } }
                return codes ? Decision(.keep, .C, basis) : Decision(.remove, .X, basis)
            }
            return vr.isString ? Decision(.cleanText(fallback: basic), .C, basis) : Decision(.remove, .X, basis)
        }
    }

    /// Private elements: removed, unless Retain Safe Private keeps what the Private Tag Knowledge
    /// Base or the instance's own declarations (0008,0300) vouch for.
    private func decidePrivate(_ element: DataElement, path: TagPath, context: WalkContext,
                               creators: [DICOMTag: String]) -> Decision {
        guard options.contains(.retainSafePrivate), let creatorTag = element.tag.privateCreator,
              let creator = creators[creatorTag] else {
            return Decision(.remove, .X, .privateAttribute)
        }
        let low = UInt8(element.tag.element & 0xFF)
        let key = PrivateTagDictionary.key(group: element.tag.group, creator: creator, element: low)
        let known = PrivateTagDictionary.disposition(path: context.privatePath + [key])
        let declared = context.privatePath.isEmpty
            ? declarations.declared(group: element.tag.group, creator: creator, element: low) : nil
        var inner = context
        inner.privatePath.append(key)
        // The more protective of the knowledge base and the instance's declaration wins.
        if known == .delete { return Decision(.remove, .X, .privateKnowledgeBase) }
        if case .action(let action)? = declared {
            switch action {
            case .K: return Decision(.keep, .K, .privateDeclaration, inner: inner)
            case .Z: return Decision(.empty, .Z, .privateDeclaration)
            case .D: return Decision(.dummy, .D, .privateDeclaration)
            case .U: return Decision(.replaceUIDs, .U, .privateDeclaration)
            default: return Decision(.remove, .X, .privateDeclaration)
            }
        }
        switch known {
        case .keep: return Decision(.keep, .K, .privateKnowledgeBase, inner: inner)
        case .replaceUID: return Decision(.replaceUIDs, .U, .privateKnowledgeBase)
        case .shiftDate, .shiftDateAlways:
            if options.contains(.retainLongitudinalModifiedDates) { return Decision(.shiftDates, .C, .privateKnowledgeBase) }
            if options.contains(.retainLongitudinalFullDates), known == .shiftDate {
                return Decision(.keep, .K, .privateKnowledgeBase)
            }
            return Decision(.remove, .X, .privateKnowledgeBase)
        case .delete, nil:
            if case .safe? = declared { return Decision(.keep, .K, .privateDeclaration, inner: inner) }
            return Decision(.remove, .X, .privateAttribute)
        }
    }

    private func sequenceContext(for element: DataElement, context: WalkContext, dummy: Bool) -> WalkContext? {
        guard element.vr == .SQ else { return nil }
        var inner = Self.entering(context, publicSequence: element.tag)
        inner.dummy = dummy
        return inner
    }

    private static func entering(_ context: WalkContext, publicSequence tag: DICOMTag) -> WalkContext {
        var inner = context
        inner.privatePath.append(PrivateTagDictionary.key(publicTag: tag))
        return inner
    }

    // MARK: Applying

    private mutating func apply(_ decision: Decision, to element: DataElement, path: TagPath,
                                context: WalkContext) -> DataElement? {
        switch decision.treatment {
        case .keep:
            if decision.code != .K { record(path, decision.code, decision.reason) }
            guard let items = element.items else { return element }
            let inner = decision.inner ?? context
            return DataElement(element.tag, items: items.enumerated().map { index, item in
                walk(item, parent: path, item: index, context: inner)
            })
        case .remove:
            record(path, .X, decision.reason)
            return nil
        case .empty:
            if let pseudonym = pseudonym(for: element, required: false) {
                record(path, .Z, .pseudonym)
                return pseudonym
            }
            record(path, .Z, decision.reason)
            if element.vr == .SQ { return DataElement(element.tag, items: []) }
            return DataElement(element.tag, element.vr, .bytes([]))
        case .dummy:
            return dummyElement(for: element, path: path, decision: decision, context: context)
        case .replaceUIDs:
            return replaceUIDs(in: element, path: path, reason: decision.reason)
        case .shiftDates:
            return shiftDates(in: element, path: path, reason: decision.reason)
        case .cleanText(let fallback):
            return cleanText(in: element, path: path, reason: decision.reason, fallback: fallback, context: context)
        case .pseudonymizeApplicationEntity:
            record(path, .C, decision.reason)
            let values = element.strings.map { $0.isEmpty ? "" : identifiers.applicationEntityPseudonym(for: $0) }
            return DataElement(element.tag, element.vr, string: values.joined(separator: "\\"))
        case .capAge:
            let values = element.strings.map(Self.capAge)
            guard values != element.strings else { return element }
            record(path, .C, decision.reason)
            return DataElement(element.tag, .AS, string: values.joined(separator: "\\"))
        case .replace(let value):
            let vr = element.effectiveVR
            guard vr.isString else {
                record(path, .X, decision.reason)
                return nil
            }
            record(path, decision.code, decision.reason)
            return DataElement(element.tag, vr, string: value)
        }
    }

    private mutating func dummyElement(for element: DataElement, path: TagPath, decision: Decision,
                                       context: WalkContext) -> DataElement? {
        if let pseudonym = pseudonym(for: element, required: true) {
            record(path, .D, .pseudonym)
            return pseudonym
        }
        let vr = element.effectiveVR
        if vr == .SQ {
            guard let items = element.items else { return nil }
            if element.tag == .contentSequence || element.tag == DICOMTag.graphicAnnotationSequence {
                // Content Sequence and Graphic Annotation Sequence are Type 1C: required only while
                // there is content. Removing the content removes the requirement.
                record(path, .X, .contentRemoved)
                return nil
            }
            record(path, .D, .dummySequence)
            let inner = decision.inner ?? context
            return DataElement(element.tag, items: items.enumerated().map { index, item in
                walk(item, parent: path, item: index, context: inner)
            })
        }
        if vr == .UI { return replaceUIDs(in: element, path: path, reason: decision.reason) }
        guard let value = DummyValue.bytes(for: vr) else {
            record(path, .X, decision.reason)
            return nil
        }
        record(path, .D, decision.reason)
        return DataElement(element.tag, vr, .bytes(value))
    }

    private mutating func replaceUIDs(in element: DataElement, path: TagPath, reason: AppliedAction.Reason) -> DataElement? {
        let values = element.textValues
        guard element.effectiveVR == .UI || element.vr == .UN, let values else {
            // A UID row on something that holds no UID string: nothing to keep safely.
            record(path, .X, reason)
            return nil
        }
        var changed = false
        let replaced = values.map { original -> String in
            guard !original.isEmpty, !UID.isDefinedByStandard(original) else { return original }
            changed = true
            let replacement = identifiers.replacementUID(for: original)
            replacements.insert(Replacement(kind: .uid, original: original, replacement: replacement))
            return replacement
        }
        if changed { record(path, .U, reason) }
        return DataElement(element.tag, .UI, string: replaced.joined(separator: "\\"))
    }

    private mutating func shiftDates(in element: DataElement, path: TagPath, reason: AppliedAction.Reason) -> DataElement? {
        guard let values = element.textValues else {
            record(path, .X, reason)
            return nil
        }
        // Elements stored as UN (private dates in implicit VR files) are read by their form.
        let vr = element.effectiveVR
        var shifted: [String] = []
        for value in values {
            if value.isEmpty {
                shifted.append(value)
                continue
            }
            let result = vr == .DA || (vr == .UN && value.count == 8) ? dateShift.shiftDA(value) : dateShift.shiftDT(value)
            guard let result else {
                record(path, .X, .unparseableDate)
                return nil
            }
            shifted.append(result)
        }
        record(path, .C, reason)
        return DataElement(element.tag, vr == .UN ? element.vr : vr, string: shifted.joined(separator: "\\"))
    }

    private mutating func cleanText(in element: DataElement, path: TagPath, reason: AppliedAction.Reason,
                                    fallback: ActionCode, context: WalkContext) -> DataElement? {
        let vr = element.effectiveVR
        guard vr.isString else {
            record(path, .X, reason)
            return nil
        }
        let values = vr.isFreeText ? [element.string ?? ""] : element.strings
        let cleaned = values.map { cleaner.clean($0) }
        if cleaned.allSatisfy(\.isEmpty) && !values.allSatisfy(\.isEmpty) {
            // Nothing safe was left: what the Basic Profile would have done.
            let decision = fallback.isCompound
                ? resolveCompound(fallback, element: element, path: path, context: context)
                : Decision(fallback == .D ? .dummy : fallback == .Z ? .empty : .remove, fallback, reason)
            return apply(decision, to: element, path: path, context: context)
        }
        if cleaned != values { record(path, .C, reason) }
        let limited = cleaned.map { value in vr.maximumLength.map { String(value.prefix($0)) } ?? value }
        return DataElement(element.tag, vr, string: limited.joined(separator: "\\"))
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
        return DataElement(element.tag, element.effectiveVR, string: value)
    }

    private mutating func record(_ path: TagPath, _ action: ActionCode, _ reason: AppliedAction.Reason) {
        actions.append(AppliedAction(path, action, reason))
    }

    // MARK: Identifying tokens for text cleaning

    /// Collects the tokens of every value this pass removes or replaces (names, IDs, places,
    /// private text), so that the text cleaner drops them wherever free text repeats them.
    private func collectIdentifyingTokens(_ dataSet: DataSet, parent: TagPath?, item: Int, context: WalkContext,
                                          into tokens: inout Set<String>) {
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
                        collectIdentifyingTokens(child, parent: path, item: index, context: decision.inner ?? context,
                                                 into: &tokens)
                    }
                }
            case .replaceUIDs:
                continue
            default:
                Self.allText(of: element, into: &tokens)
            }
        }
    }

    private static func allText(of element: DataElement, into tokens: inout Set<String>) {
        if let items = element.items {
            for item in items { for child in item.elements { allText(of: child, into: &tokens) } }
            return
        }
        let vr = element.effectiveVR
        guard vr.isString && vr != .UI && vr != .CS || vr == .UN, let values = element.textValues else { return }
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
