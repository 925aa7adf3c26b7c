// What an element means when its stored VR hides it: general DICOM knowledge that the
// de-identification engine and the verifier both reason with.

extension DataElement {
    /// The VR to reason with: an element stored as UN whose tag the dictionary knows is treated
    /// as its dictionary VR, so that a name or a UID hidden behind UN is still recognised.
    public var effectiveVR: VR {
        guard vr == .UN, !tag.isPrivate else { return vr }
        return DataDictionary.entry(for: tag)?.vrs.first ?? .UN
    }

    /// A public element stored as UN, or with a string VR its dictionary entry does not allow
    /// (a SOP Instance UID labelled DS), gets its dictionary VR when that is a string VR: the
    /// bytes mean the same, and a name or a UID behind the wrong VR is then handled like any
    /// other. (Binary VRs stay as stored: their byte order depends on the transfer syntax.)
    public var withDictionaryVR: DataElement {
        guard vr == .UN || vr.isString, !tag.isPrivate,
            let allowed = DataDictionary.entry(for: tag)?.vrs, let dictionaryVR = allowed.first, dictionaryVR.isString,
            !allowed.contains(vr)
        else { return self }
        return DataElement(tag, dictionaryVR, value)
    }

    /// The values of a string element, or of a UN element whose bytes are printable text.
    public var textValues: [String]? { textValues(in: .default) }

    /// The values of a string element read in `characterSet`, or of a UN element whose bytes
    /// are printable text.
    public func textValues(in characterSet: SpecificCharacterSet) -> [String]? {
        if vr.isString { return strings(in: characterSet) }
        guard vr == .UN, let bytes, bytes.allSatisfy({ $0 == 0 || ($0 >= 0x20 && $0 < 0x7F) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\\", omittingEmptySubsequences: false)
            .map { DataElement.trimmed(String($0), vr: .LO) }
    }
}

extension DataSet {
    /// The private creators of this data set or item, by the tag of their creator element.
    public var privateCreators: [DICOMTag: String] {
        var creators: [DICOMTag: String] = [:]
        for element in elements where element.tag.isPrivateCreator {
            if let text = element.textValues?.first { creators[element.tag] = text }
        }
        return creators
    }
}
