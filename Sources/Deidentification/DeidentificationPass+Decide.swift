import DICOMCore

// Deciding: what Table E.1-1, the options, the IOD and the safety nets say to do with one element.
// Pure: an element and its context in, a ``Decision`` out.
extension DeidentificationPass {
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
            return element.effectiveVR.isTextual
                ? Decision(.cleanText(fallback: .X), .C, .graphics)
                : Decision(.keep, .K, .table)
        }
        if context.structuredContent {
            // Text Value is Type 1C in a TEXT item: a dummy when nothing safe is left.
            if tag == DICOMTag.textValue { return Decision(.cleanText(fallback: .D), .C, .structuredContent) }
            if tag == DICOMTag.personName, let name = element.string(in: context.characterSet), !name.isEmpty {
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
        if context.cleansEveryText, Self.isTypedText(vr), !Self.codeAttributes.contains(tag),
            !Self.isRegisteredCodeMeaning(tag, context: context)
        {
            let fallback: ActionCode = Self.requiredDummy(for: tag, vr: vr) != nil ? .D : .Z
            return Decision(.cleanText(fallback: fallback), .C, .cleanedSequence)
        }
        if context.dummy && vr != .SQ && vr != .UI && (vr.isTextual || vr.isTemporal) {
            return Decision(.dummy, .D, .dummySequence)
        }
        if DataDictionary.entry(for: tag) == nil { return Decision(.remove, .X, .unknownAttribute) }
        switch vr {
        case .UI:
            // Kept only when every value is a well-formed UID: text in a UID field is replaced.
            let values = element.strings
            if StandardUIDs.namesAClass(tag) && values.allSatisfy({ $0.isEmpty || UID.isValid($0) })
                || values.allSatisfy({ $0.isEmpty || UID.isDefinedByStandard($0) })
            {
                return Decision(.keep, .K, .table)
            }
            if options.contains(.retainUIDs) { return Decision(.keep, .K, .option(.retainUIDs)) }
            return Decision(.replaceUIDs, .U, .uidNotListed)
        case .PN: return removal(of: element, path: path, context: context, reason: .personNameNotListed)
        case .DA, .DT, .TM:
            if options.contains(.retainLongitudinalFullDates) {
                return Decision(.keep, .K, .option(.retainLongitudinalFullDates))
            }
            if options.contains(.retainLongitudinalModifiedDates) {
                return vr == .TM
                    ? Decision(.keep, .K, .option(.retainLongitudinalModifiedDates))
                    : Decision(.shiftDates, .C, .option(.retainLongitudinalModifiedDates))
            }
            return removal(of: element, path: path, context: context, reason: .temporalNotListed)
        case .SQ:
            return Decision(.keep, .K, .table, inner: Self.entering(context, publicSequence: tag))
        default:
            return Decision(.keep, .K, .table)
        }
    }

    /// A row's action under the profile, made concrete for this element.
    func decide(
        _ element: DataElement, path: TagPath, context: WalkContext, action: ActionCode,
        option: ProfileOption?, basic: ActionCode
    ) -> Decision {
        let vr = element.effectiveVR
        let tag = element.tag
        let basis: AppliedAction.Reason = option.map { .option($0) } ?? .table
        switch action {
        case .K:
            if option == .retainPatientCharacteristics, vr == .AS { return Decision(.capAge, .K, basis) }
            return Decision(.keep, .K, basis, inner: Self.entering(context, publicSequence: tag))
        case .C:
            return clean(element, path: path, context: context, option: option, basic: basic)
        case .X: return removal(of: element, path: path, context: context, reason: basis)
        case .Z: return Decision(.empty, .Z, basis)
        case .D: return Decision(.dummy, .D, basis, inner: sequenceContext(for: element, context: context, dummy: true))
        case .U: return Decision(.replaceUIDs, .U, basis)
        default:
            return resolveCompound(action, element: element, path: path, context: context)
        }
    }

    /// X, unless this instance's IOD requires the attribute (Presentation Creation Date is X in
    /// Table E.1-1 and Type 1 in Presentation States): then a dummy (Type 1) or empty (Type 2),
    /// so that the output stays a valid instance of its IOD.
    func removal(
        of element: DataElement, path: TagPath, context: WalkContext, reason: AppliedAction.Reason
    )
        -> Decision
    {
        switch IODAttributeTypes.requirement(sopClassUID: sopClassUID, path: path.tags) {
        case .valueRequired:
            return Decision(.dummy, .D, .iodType1, inner: sequenceContext(for: element, context: context, dummy: true))
        case .presenceRequired: return Decision(.empty, .Z, .iodType2)
        case .optional: return Decision(.remove, .X, reason)
        }
    }

    /// Resolves a compound action by the attribute's Type in this instance's IOD.
    func resolveCompound(_ action: ActionCode, element: DataElement, path: TagPath, context: WalkContext) -> Decision {
        let requirement = IODAttributeTypes.requirement(sopClassUID: sopClassUID, path: path.tags)
        let reason: AppliedAction.Reason =
            switch requirement {
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
    func clean(
        _ element: DataElement, path: TagPath, context: WalkContext, option: ProfileOption?,
        basic: ActionCode
    ) -> Decision {
        let vr = element.effectiveVR
        let basis = AppliedAction.Reason.option(option ?? .cleanDescriptors)
        switch option {
        case .retainLongitudinalModifiedDates:
            switch vr {
            case .DA, .DT: return Decision(.shiftDates, .C, basis)
            case .TM: return Decision(.keep, .K, basis)  // whole-day shifts leave times of day as they are
            default: return Decision(.remove, .X, basis)  // binary timestamps, time zone offsets
            }
        case .retainDeviceIdentity:
            return vr.isString ? Decision(.pseudonymizeApplicationEntity, .C, basis) : Decision(.remove, .X, basis)
        case .cleanStructuredContent:
            var inner = Self.entering(context, publicSequence: element.tag)
            inner.structuredContent = true
            return vr == .SQ
                ? Decision(.keep, .C, basis, inner: inner) : Decision(.cleanText(fallback: basic), .C, basis)
        case .cleanGraphics:
            var inner = Self.entering(context, publicSequence: element.tag)
            inner.graphics = true
            if vr == .SQ { return Decision(.keep, .C, basis, inner: inner) }
            return vr.isTextual ? Decision(.cleanText(fallback: basic), .C, basis) : Decision(.keep, .C, basis)
        default:  // Clean Descriptors, and Retain Patient Characteristics' free-text rows
            if vr == .SQ {
                var inner = Self.entering(context, publicSequence: element.tag)
                inner.cleansEveryText = true
                return Decision(.keep, .C, basis, inner: inner)
            }
            if vr == .CS {
                let codes = element.strings.allSatisfy {
                    $0.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" || $0 == " " }
                }
                return codes ? Decision(.keep, .C, basis) : Decision(.remove, .X, basis)
            }
            return vr.isString ? Decision(.cleanText(fallback: basic), .C, basis) : Decision(.remove, .X, basis)
        }
    }

    /// Private elements: removed, unless Retain Safe Private keeps what the Private Tag Knowledge
    /// Base or the instance's own declarations (0008,0300) vouch for.
    func decidePrivate(
        _ element: DataElement, path: TagPath, context: WalkContext,
        creators: [DICOMTag: String]
    ) -> Decision {
        guard options.contains(.retainSafePrivate), let creatorTag = element.tag.privateCreator,
            let creator = creators[creatorTag]
        else {
            return Decision(.remove, .X, .privateAttribute)
        }
        let low = UInt8(element.tag.element & 0xFF)
        let key = PrivateTagDictionary.key(group: element.tag.group, creator: creator, element: low)
        let known = PrivateTagDictionary.disposition(path: context.privatePath + [key])
        let declared =
            context.privatePath.isEmpty
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
            if options.contains(.retainLongitudinalModifiedDates) {
                return Decision(.shiftDates, .C, .privateKnowledgeBase)
            }
            if options.contains(.retainLongitudinalFullDates), known == .shiftDate {
                return Decision(.keep, .K, .privateKnowledgeBase)
            }
            return Decision(.remove, .X, .privateKnowledgeBase)
        case .delete, nil:
            if case .safe? = declared { return Decision(.keep, .K, .privateDeclaration, inner: inner) }
            return Decision(.remove, .X, .privateAttribute)
        }
    }

    func sequenceContext(for element: DataElement, context: WalkContext, dummy: Bool) -> WalkContext? {
        guard element.vr == .SQ else { return nil }
        var inner = Self.entering(context, publicSequence: element.tag)
        inner.dummy = dummy
        return inner
    }

    static func entering(_ context: WalkContext, publicSequence tag: DICOMTag) -> WalkContext {
        var inner = context
        inner.privatePath.append(PrivateTagDictionary.key(publicTag: tag))
        return inner
    }
}
