/// One attribute of a data set: its tag, VR and value.
public struct DataElement: Hashable, Sendable {
    public var tag: DICOMTag
    public var vr: VR
    public var value: Value

    public init(_ tag: DICOMTag, _ vr: VR, _ value: Value) {
        self.tag = tag
        self.vr = vr
        self.value = value
    }

    /// A string-valued element; `text` is stored as UTF-8 bytes (ASCII for the values Veil writes).
    public init(_ tag: DICOMTag, _ vr: VR, string text: String) {
        self.init(tag, vr, .bytes(Array(text.utf8)))
    }

    /// A sequence element.
    public init(_ tag: DICOMTag, items: [DataSet]) {
        self.init(tag, .SQ, .sequence(items))
    }

    /// What an element holds.
    public enum Value: Hashable, Sendable {
        /// String VRs: the stored bytes, values separated by `\`. Binary VRs: little-endian bytes.
        case bytes([UInt8])
        /// The items of a sequence (VR SQ).
        case sequence([DataSet])
        /// A large binary value, such as Pixel Data, left in the source file and copied unchanged.
        case bulk(BulkDataReference)
    }

    /// The raw bytes, or nil for sequences and bulk values.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = value { return bytes }
        return nil
    }

    /// The items, or nil when this is not a sequence.
    public var items: [DataSet]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// True for a zero-length value or a sequence without items.
    public var isEmpty: Bool {
        switch value {
        case .bytes(let bytes): bytes.isEmpty
        case .sequence(let items): items.isEmpty
        case .bulk(let reference): reference.length == 0
        }
    }

    /// The value of a string VR as text, with the padding and the leading and trailing spaces
    /// that PS3.5 6.2 calls insignificant removed, read in the default character set (see
    /// ``string(in:)`` for text VRs of a data set that has a Specific Character Set).
    public var string: String? { string(in: .default) }

    /// The values of a multi-valued string VR, each trimmed, in the default character set.
    public var strings: [String] { strings(in: .default) }

    /// The value of a string VR as text, read in `characterSet` when the VR is one it applies to.
    public func string(in characterSet: SpecificCharacterSet) -> String? {
        guard vr.isString, let bytes else { return nil }
        let characterSet = SpecificCharacterSet.applies(to: vr) ? characterSet : .default
        if characterSet.readsAsASCII(bytes) { return Self.trimmedASCII(bytes[...], vr: vr) }
        return DataElement.trimmed(characterSet.decode(bytes, vr: vr), vr: vr)
    }

    /// The values of a multi-valued string VR, each trimmed, read in `characterSet` when the VR
    /// is one it applies to. Free-text VRs have exactly one value.
    public func strings(in characterSet: SpecificCharacterSet) -> [String] {
        guard vr.isString, let bytes else { return [] }
        let characterSet = SpecificCharacterSet.applies(to: vr) ? characterSet : .default
        if characterSet.readsAsASCII(bytes) {
            // Every value of most files: split and trim bytes, not Characters.
            if vr.isFreeText { return [Self.trimmedASCII(bytes[...], vr: vr)] }
            return bytes.split(separator: UInt8(ascii: "\\"), omittingEmptySubsequences: false).map {
                Self.trimmedASCII($0, vr: vr)
            }
        }
        // Decoded before splitting: in multi-byte character sets 0x5C can be half of a character.
        let text = characterSet.decode(bytes, vr: vr)
        if vr.isFreeText { return [DataElement.trimmed(text, vr: vr)] }
        return text.split(separator: "\\", omittingEmptySubsequences: false).map {
            DataElement.trimmed(String($0), vr: vr)
        }
    }


    /// ``trimmed(_:vr:)`` for ASCII bytes, where every byte is a Character.
    private static func trimmedASCII(_ bytes: ArraySlice<UInt8>, vr: VR) -> String {
        var value = bytes
        while let last = value.last, last == 0x20 || last == 0 { value.removeLast() }
        if vr != .UT && vr != .LT && vr != .ST {
            while let first = value.first, first == 0x20 { value.removeFirst() }
        }
        return String(decoding: value, as: UTF8.self)
    }

    /// `text` without the padding and spaces PS3.5 6.2 calls insignificant for `vr`.
    public static func trimmed(_ text: String, vr: VR) -> String {
        var scalars = Substring(text)
        while let last = scalars.last, last == " " || last == "\0" { scalars.removeLast() }
        if vr != .UT && vr != .LT && vr != .ST {
            while let first = scalars.first, first == " " { scalars.removeFirst() }
        }
        return String(scalars)
    }
}

/// A binary value that was not read into memory: it stays in the source file and is copied into
/// the output unchanged. Only the file it came from can write it.
public struct BulkDataReference: Hashable, Sendable {
    /// Identifies the opened file the value belongs to.
    public var source: UInt64
    /// The value's index within that file.
    public var index: UInt32
    /// The value length in bytes; 0xFFFFFFFF for encapsulated (compressed) pixel data.
    public var length: UInt32

    public init(source: UInt64, index: UInt32, length: UInt32) {
        self.source = source
        self.index = index
        self.length = length
    }
}
