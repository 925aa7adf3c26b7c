import DICOMCore

// Text the profile keeps is not trusted as is: identifying words the instance carries elsewhere
// are taken out of it wherever it is (PS3.15 E.3.5: no identifying information in what is kept).
extension DeidentificationPass {
    /// The text VRs a person or a site can type identity into.
    static func isTypedText(_ vr: VR) -> Bool {
        switch vr {
        case .SH, .LO, .ST, .LT, .UT, .UC: true
        default: false
        }
    }

    /// Code attributes whose values a coding scheme defines: cleaning their words would break the
    /// code (the identifying-word filter still runs on them).
    static let codeAttributes: Set<DICOMTag> = [
        .codeValue, .codingSchemeDesignator, .codingSchemeVersion, .longCodeValue, .contextIdentifier,
        .mappingResource, .contextGroupVersion, .contextGroupExtensionCreatorUID, .contextUID,
    ]

    /// Whether `tag` is a Code Meaning under a registered coding scheme: vocabulary, kept.
    static func isRegisteredCodeMeaning(_ tag: DICOMTag, context: WalkContext) -> Bool {
        tag == .codeMeaning && CodingSchemes.isRegistered(context.codingScheme ?? "")
    }

    /// Names of schemes and context groups, and codes of registered schemes: never a person's
    /// words, and changing them breaks the code ("TEST" is a designator, whoever "Test^S R" is).
    static func isCodeIdentity(_ tag: DICOMTag, context: WalkContext) -> Bool {
        if codeAttributes.contains(tag) && tag != .codeValue && tag != .longCodeValue { return true }
        return [.codeValue, .longCodeValue, .codeMeaning].contains(tag)
            && CodingSchemes.isRegistered(context.codingScheme ?? "")
    }

    /// `element`, kept by the profile, without the instance's identifying words; in free text,
    /// Code Meanings of local codes and content items' Text Values also without dates, phone
    /// numbers and identifier-like digit runs.
    mutating func filterKeptText(_ element: DataElement, path: TagPath, context: WalkContext) -> DataElement {
        let vr = element.effectiveVR
        guard Self.isTypedText(vr), !element.isEmpty, !Self.isCodeIdentity(element.tag, context: context)
        else { return element }
        let patterns = vr.isFreeText || vr == .UC || element.tag == .codeMeaning || element.tag == .textValue
        if identifyingFilter == nil { identifyingFilter = IdentifyingTextFilter(original) }
        guard let filter = identifyingFilter else { return element }
        let values = element.strings(in: context.characterSet)
        var changed = false
        let filtered = values.map { value -> String in
            guard let result = filter.filter(value, patterns: patterns) else { return value }
            changed = true
            return result
        }
        guard changed else { return element }
        record(path, .C, .identifyingText)
        if filtered.allSatisfy(\.isEmpty), let dummy = Self.requiredDummy(for: element.tag, vr: vr) {
            return DataElement(element.tag, vr, .bytes(dummy))
        }
        let text = filtered.joined(separator: "\\")
        let bytes = context.characterSet.encode(text) ?? Array(String(text.unicodeScalars.filter(\.isASCII)).utf8)
        return DataElement(element.tag, vr, .bytes(bytes))
    }

    /// A dummy for the attributes of code and content items that must have a value (Type 1 in
    /// the Code Sequence Macro and the content item macros); nil for the others, which are emptied.
    static func requiredDummy(for tag: DICOMTag, vr: VR) -> [UInt8]? {
        guard [.codeValue, .codingSchemeDesignator, .codeMeaning, .textValue].contains(tag) else { return nil }
        return DummyValue.bytes(for: vr)
    }
}
