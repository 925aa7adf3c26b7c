import DICOMCore

/// What an instance says about its own private blocks in Private Data Element Characteristics
/// Sequence (0008,0300) (PS3.3 C.12.1.1.7): blocks declared SAFE, elements declared
/// non-identifying, and de-identification actions for identifying elements.
struct PrivateDataDeclarations {
    enum Declared {
        case safe
        /// D, Z, X or U, as (0008,0307) says.
        case action(ActionCode)
    }

    private var declarations: [String: Declared] = [:] // "gggg|CREATOR|ee"
    private var safeBlocks: Set<String> = []           // "gggg|CREATOR"

    init(_ dataSet: DataSet) {
        for item in dataSet.items(DICOMTag(0x0008, 0x0300)) ?? [] {
            guard let group = Self.uint16s(item[DICOMTag(0x0008, 0x0301)]).first,
                  let creator = item.string(DICOMTag(0x0008, 0x0302)) else { continue }
            let block = "\(Self.hex(group))|\(PrivateTagDictionary.normalize(creator))"
            if item.string(DICOMTag(0x0008, 0x0303))?.uppercased() == "SAFE" { safeBlocks.insert(block) }
            for element in Self.uint16s(item[DICOMTag(0x0008, 0x0304)]) {
                declarations[Self.key(block, element)] = .safe
            }
            for actionItem in item.items(DICOMTag(0x0008, 0x0305)) ?? [] {
                let code = actionItem.string(DICOMTag(0x0008, 0x0307)).flatMap { ActionCode(rawValue: $0.uppercased()) } ?? .X
                for element in Self.uint16s(actionItem[DICOMTag(0x0008, 0x0306)]) {
                    declarations[Self.key(block, element)] = .action(code)
                }
            }
        }
    }

    /// What the instance declares about one element, if anything.
    func declared(group: UInt16, creator: String, element: UInt8) -> Declared? {
        let block = "\(Self.hex(group))|\(PrivateTagDictionary.normalize(creator))"
        if let declared = declarations[Self.key(block, UInt16(element))] { return declared }
        return safeBlocks.contains(block) ? .safe : nil
    }

    private static func key(_ block: String, _ element: UInt16) -> String {
        "\(block)|\(hex(element & 0xFF).suffix(2))"
    }

    private static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    private static func uint16s(_ element: DataElement?) -> [UInt16] {
        guard let bytes = element?.bytes, element?.vr == .US || element?.vr == .UN else { return [] }
        return stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
    }
}
