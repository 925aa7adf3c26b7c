/// An ordered collection of data elements: a top-level data set, a sequence item, or the File
/// Meta Information. Elements are kept in ascending tag order, as PS3.5 7.1 requires.
public struct DataSet: Hashable, Sendable {
    public private(set) var elements: [DataElement]

    public init() { elements = [] }

    /// Builds a data set from elements in any order; a later duplicate tag replaces an earlier one.
    public init(_ elements: [DataElement]) {
        self.init()
        for element in elements { self[element.tag] = element }
    }

    public var isEmpty: Bool { elements.isEmpty }
    public var count: Int { elements.count }

    /// The element with `tag`, if present. Setting nil removes it.
    public subscript(tag: DICOMTag) -> DataElement? {
        get {
            let index = insertionIndex(of: tag)
            return index < elements.count && elements[index].tag == tag ? elements[index] : nil
        }
        set {
            let index = insertionIndex(of: tag)
            let present = index < elements.count && elements[index].tag == tag
            switch (newValue, present) {
            case (let element?, true): elements[index] = element
            case (let element?, false): elements.insert(element, at: index)
            case (nil, true): elements.remove(at: index)
            case (nil, false): break
            }
        }
    }

    /// Appends an element whose tag is greater than every tag present (the fast path for readers).
    public mutating func append(_ element: DataElement) {
        if let last = elements.last, last.tag >= element.tag {
            self[element.tag] = element
        } else {
            elements.append(element)
        }
    }

    /// The trimmed text of a string element, nil when absent or not a string VR; read in the
    /// default character set (UIDs, codes, dates and the like need nothing else).
    public func string(_ tag: DICOMTag) -> String? { self[tag]?.string }

    /// The trimmed text of a string element read in `characterSet` (names and free text).
    public func string(_ tag: DICOMTag, in characterSet: SpecificCharacterSet) -> String? {
        self[tag]?.string(in: characterSet)
    }

    /// The character set this data set's own Specific Character Set names (the default when it
    /// has none); a sequence item inherits its enclosing data set's, see ``SpecificCharacterSet``.
    public var specificCharacterSet: SpecificCharacterSet { SpecificCharacterSet(of: self) }

    /// The items of a sequence element, nil when absent or not a sequence.
    public func items(_ tag: DICOMTag) -> [DataSet]? { self[tag]?.items }

    private func insertionIndex(of tag: DICOMTag) -> Int {
        var low = 0
        var high = elements.count
        while low < high {
            let middle = (low + high) / 2
            if elements[middle].tag < tag { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// A DICOM object as read from or written to a Part 10 file.
public struct DICOMObject: Hashable, Sendable {
    /// File Meta Information, group 0002.
    public var fileMeta: DataSet
    /// The data set proper.
    public var dataSet: DataSet
    /// The transfer syntax the data set is encoded in.
    public var transferSyntaxUID: String

    public init(fileMeta: DataSet, dataSet: DataSet, transferSyntaxUID: String) {
        self.fileMeta = fileMeta
        self.dataSet = dataSet
        self.transferSyntaxUID = transferSyntaxUID
    }
}
