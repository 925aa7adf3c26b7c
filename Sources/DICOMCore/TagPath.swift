/// Where an element sits in a data set: the tags from the top level down, with the item index
/// for each sequence passed through. Written as in PS3.15 and the manifest:
/// `(0040,0275)[0](0032,1060)`.
public struct TagPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    public struct Step: Hashable, Sendable {
        public var tag: DICOMTag
        /// The item of the sequence `tag` that the next step is in; nil on the last step.
        public var item: Int?
    }

    public private(set) var steps: [Step]

    public init(_ tag: DICOMTag) { steps = [Step(tag: tag, item: nil)] }

    private init(steps: [Step]) { self.steps = steps }

    /// The path of an element inside item `item` of the sequence at this path.
    public func appending(item: Int, _ tag: DICOMTag) -> TagPath {
        var copy = steps
        copy[copy.count - 1].item = item
        copy.append(Step(tag: tag, item: nil))
        return TagPath(steps: copy)
    }

    /// The tag of the element itself.
    public var tag: DICOMTag { steps[steps.count - 1].tag }

    /// The tags from the top level down, without item indices: `[(0040,0275), (0032,1060)]`.
    public var tags: [DICOMTag] { steps.map(\.tag) }

    /// The number of sequences the element is nested in.
    public var depth: Int { steps.count - 1 }

    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(steps.count * 14)
        for step in steps {
            step.tag.appendDescription(to: &text)
            if let item = step.item {
                text.append(UInt8(ascii: "["))
                text.append(contentsOf: String(item).utf8)
                text.append(UInt8(ascii: "]"))
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func < (lhs: TagPath, rhs: TagPath) -> Bool {
        for (left, right) in zip(lhs.steps, rhs.steps) {
            if left.tag != right.tag { return left.tag < right.tag }
            if left.item != right.item { return (left.item ?? -1) < (right.item ?? -1) }
        }
        return lhs.steps.count < rhs.steps.count
    }
}
