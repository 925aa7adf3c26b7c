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

    private var declarations: [String: Declared] = [:]  // "gggg|CREATOR|ee"
    private var safeBlocks: Set<String> = []  // "gggg|CREATOR"

    init(_ dataSet: DataSet) {
        for item in dataSet.items(DICOMTag.privateDataElementCharacteristicsSequence) ?? [] {
            guard let group = item.uint16s(.privateGroupReference)?.first,
                let creator = item.string(DICOMTag.privateCreatorReference)
            else { continue }
            let block = "\(Self.hex(group))|\(PrivateTagDictionary.normalize(creator))"
            if item.string(DICOMTag.blockIdentifyingInformationStatus)?.uppercased() == "SAFE" {
                safeBlocks.insert(block)
            }
            for element in item.uint16s(.nonidentifyingPrivateElements) ?? [] {
                declarations[Self.key(block, element)] = .safe
            }
            for actionItem in item.items(DICOMTag.deidentificationActionSequence) ?? [] {
                let code =
                    actionItem.string(DICOMTag.deidentificationAction).flatMap { ActionCode(rawValue: $0.uppercased()) }
                    ?? .X
                for element in actionItem.uint16s(.identifyingPrivateElements) ?? [] {
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
}
