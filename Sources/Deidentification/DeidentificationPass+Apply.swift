import DICOMCore

// Applying a ``Decision`` to one element: removing, emptying, replacing with a dummy or a keyed
// value, shifting dates, cleaning text, and recording what was done.
extension DeidentificationPass {
    mutating func apply(
        _ decision: Decision, to element: DataElement, path: TagPath,
        context: WalkContext
    ) -> DataElement? {
        switch decision.treatment {
        case .keep:
            if decision.code != .K { record(path, decision.code, decision.reason) }
            guard let items = element.items else { return element }
            let inner = decision.inner ?? context
            return DataElement(
                element.tag,
                items: items.enumerated().map { index, item in
                    walk(item, parent: path, item: index, context: inner)
                })
        case .remove:
            record(path, .X, decision.reason)
            return nil
        case .empty:
            if let pseudonym = pseudonym(for: element, required: false, in: context.characterSet) {
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
            return shiftDates(in: element, path: path, reason: decision.reason, context: context)
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

    mutating func dummyElement(
        for element: DataElement, path: TagPath, decision: Decision,
        context: WalkContext
    ) -> DataElement? {
        if let pseudonym = pseudonym(for: element, required: true, in: context.characterSet) {
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
            return DataElement(
                element.tag,
                items: items.enumerated().map { index, item in
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

    mutating func replaceUIDs(in element: DataElement, path: TagPath, reason: AppliedAction.Reason) -> DataElement? {
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

    mutating func shiftDates(
        in element: DataElement, path: TagPath, reason: AppliedAction.Reason, context: WalkContext
    ) -> DataElement? {
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
            let result =
                vr == .DA || (vr == .UN && value.count == 8) ? dateShift.shiftDA(value) : dateShift.shiftDT(value)
            guard let result else {
                // What the Basic Profile does with the row: Study Date (Z) stays present, empty,
                // as its Type 2 asks; a date without a row goes.
                if let row = ConfidentialityProfileTable.row(for: element.tag), row.basic != .C, row.basic != .K {
                    let basic = decide(
                        element, path: path, context: context, action: row.basic, option: nil, basic: row.basic)
                    let decision = Decision(
                        basic.treatment, basic.code, .unparseableDateBasicAction, inner: basic.inner)
                    return apply(decision, to: element, path: path, context: context)
                }
                record(path, .X, .unparseableDate)
                return nil
            }
            shifted.append(result)
        }
        record(path, .C, reason)
        return DataElement(element.tag, vr == .UN ? element.vr : vr, string: shifted.joined(separator: "\\"))
    }

    mutating func cleanText(
        in element: DataElement, path: TagPath, reason: AppliedAction.Reason,
        fallback: ActionCode, context: WalkContext
    ) -> DataElement? {
        let vr = element.effectiveVR
        guard vr.isString else {
            record(path, .X, reason)
            return nil
        }
        let values = element.strings(in: context.characterSet)
        let cleaned = values.map { cleaner.clean($0) }
        if cleaned.allSatisfy(\.isEmpty) && !values.allSatisfy(\.isEmpty) {
            // Nothing safe was left: what the Basic Profile would have done.
            let decision =
                fallback.isCompound
                ? resolveCompound(fallback, element: element, path: path, context: context)
                : Decision(fallback == .D ? .dummy : fallback == .Z ? .empty : .remove, fallback, reason)
            return apply(decision, to: element, path: path, context: context)
        }
        if cleaned != values { record(path, .C, reason) }
        let limited = cleaned.map { value in vr.maximumLength.map { String(value.prefix($0)) } ?? value }
        // Kept words are written in the data set's character set (a kept "°" in an ISO 8859-1
        // file is one byte); a character it cannot hold without code extensions is left out.
        let text = limited.joined(separator: "\\")
        let bytes = context.characterSet.encode(text) ?? Array(String(text.unicodeScalars.filter(\.isASCII)).utf8)
        return DataElement(element.tag, vr, .bytes(bytes))
    }

    /// For attributes that must stay linkable, a keyed pseudonym replaces Z and D.
    mutating func pseudonym(
        for element: DataElement, required: Bool, in characterSet: SpecificCharacterSet
    ) -> DataElement? {
        let original = element.string(in: characterSet) ?? ""
        guard !original.isEmpty || required else { return nil }
        let value: String
        let kind: Replacement.Kind
        switch element.tag {
        case .patientID:
            value =
                original.isEmpty || original == patient.patientID
                ? patient.pseudonym
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
            replacements.insert(
                Replacement(
                    kind: kind, original: original.isEmpty ? patient.patientID : original,
                    replacement: value))
        }
        return DataElement(element.tag, element.effectiveVR, string: value)
    }

    mutating func record(_ path: TagPath, _ action: ActionCode, _ reason: AppliedAction.Reason) {
        actions.append(AppliedAction(path, action, reason))
    }
}
