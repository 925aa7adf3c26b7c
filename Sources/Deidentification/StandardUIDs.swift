import DICOMCore

/// UID attributes whose values name a class, a syntax or a scheme rather than an instance: a SOP
/// Class UID is the same for every patient (even a vendor's private SOP Class), so replacing it
/// would only break the file. Every other UID is replaced unless the standard defines it.
enum StandardUIDs {
    static func namesAClass(_ tag: DICOMTag) -> Bool { classAttributes.contains(tag) }

    private static let classAttributes: Set<DICOMTag> = Set([
        "AffectedSOPClassUID", "RequestedSOPClassUID", "MediaStorageSOPClassUID", "TransferSyntaxUID",
        "ImplementationClassUID", "RTVCommunicationSOPClassUID", "ReferencedSOPClassUIDInFile",
        "ReferencedTransferSyntaxUIDInFile", "ReferencedRelatedGeneralSOPClassUIDInFile", "SOPClassUID",
        "RelatedGeneralSOPClassUID", "OriginalSpecializedSOPClassUID", "SOPClassesInStudy", "CodingSchemeUID",
        "ContextGroupExtensionCreatorUID", "ContextUID", "MappingResourceUID", "StoredInstanceTransferSyntaxUID",
        "ReferencedSOPClassUID", "SOPClassesSupported", "AvailableTransferSyntaxUID", "FlowTransferSyntaxUID",
        "MACCalculationTransferSyntaxUID", "EncryptedContentTransferSyntaxUID", "PertinentSOPClassesInStudy",
        "PertinentSOPClassesInSeries", "SegmentationTemplateUID",
    ].map { keyword in
        guard let tag = DataDictionary.tag(forKeyword: keyword) else { fatalError("unknown keyword \(keyword)") }
        return tag
    })
}
