import DICOMCore

/// UID attributes whose values name a class, a syntax or a scheme rather than an instance: a SOP
/// Class UID is the same for every patient (even a vendor's private SOP Class), so replacing it
/// would only break the file. Every other UID is replaced unless the standard defines it.
enum StandardUIDs {
    static func namesAClass(_ tag: DICOMTag) -> Bool { classAttributes.contains(tag) }

    private static let classAttributes: Set<DICOMTag> = [
        .affectedSOPClassUID, .requestedSOPClassUID, .mediaStorageSOPClassUID, .transferSyntaxUID,
        .implementationClassUID, .rtvCommunicationSOPClassUID, .referencedSOPClassUIDInFile,
        .referencedTransferSyntaxUIDInFile, .referencedRelatedGeneralSOPClassUIDInFile, .sopClassUID,
        .relatedGeneralSOPClassUID, .originalSpecializedSOPClassUID, .sopClassesInStudy, .codingSchemeUID,
        .contextGroupExtensionCreatorUID, .contextUID, .mappingResourceUID, .storedInstanceTransferSyntaxUID,
        .referencedSOPClassUID, .sopClassesSupported, .availableTransferSyntaxUID, .flowTransferSyntaxUID,
        .macCalculationTransferSyntaxUID, .encryptedContentTransferSyntaxUID, .pertinentSOPClassesInStudy,
        .pertinentSOPClassesInSeries, .segmentationTemplateUID,
    ]
}
