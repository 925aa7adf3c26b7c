// Attributes Veil's code refers to by name. Names are the PS3.6 keywords; the full dictionary is
// `DataDictionary`.
extension DICOMTag {
    // File Meta Information (PS3.10 7.1)
    public static let fileMetaInformationGroupLength = DICOMTag(0x0002, 0x0000)
    public static let fileMetaInformationVersion = DICOMTag(0x0002, 0x0001)
    public static let mediaStorageSOPClassUID = DICOMTag(0x0002, 0x0002)
    public static let mediaStorageSOPInstanceUID = DICOMTag(0x0002, 0x0003)
    public static let transferSyntaxUID = DICOMTag(0x0002, 0x0010)
    public static let implementationClassUID = DICOMTag(0x0002, 0x0012)
    public static let implementationVersionName = DICOMTag(0x0002, 0x0013)
    public static let sourceApplicationEntityTitle = DICOMTag(0x0002, 0x0016)

    // SOP Common, identification
    public static let specificCharacterSet = DICOMTag(0x0008, 0x0005)
    public static let imageType = DICOMTag(0x0008, 0x0008)
    public static let sopClassUID = DICOMTag(0x0008, 0x0016)
    public static let sopInstanceUID = DICOMTag(0x0008, 0x0018)
    public static let accessionNumber = DICOMTag(0x0008, 0x0050)
    public static let modality = DICOMTag(0x0008, 0x0060)
    public static let manufacturer = DICOMTag(0x0008, 0x0070)
    public static let codeValue = DICOMTag(0x0008, 0x0100)
    public static let codingSchemeDesignator = DICOMTag(0x0008, 0x0102)
    public static let codeMeaning = DICOMTag(0x0008, 0x0104)
    public static let manufacturerModelName = DICOMTag(0x0008, 0x1090)
    public static let referencedSOPClassUID = DICOMTag(0x0008, 0x1150)
    public static let referencedSOPInstanceUID = DICOMTag(0x0008, 0x1155)

    // Patient
    public static let patientName = DICOMTag(0x0010, 0x0010)
    public static let patientID = DICOMTag(0x0010, 0x0020)
    public static let issuerOfPatientID = DICOMTag(0x0010, 0x0021)
    public static let patientBirthDate = DICOMTag(0x0010, 0x0030)

    // De-identification markers (PS3.15 E.1.1, E.2)
    public static let patientIdentityRemoved = DICOMTag(0x0012, 0x0062)
    public static let deidentificationMethod = DICOMTag(0x0012, 0x0063)
    public static let deidentificationMethodCodeSequence = DICOMTag(0x0012, 0x0064)

    // Equipment
    public static let softwareVersions = DICOMTag(0x0018, 0x1020)
    public static let contributingEquipmentSequence = DICOMTag(0x0018, 0xA001)

    // Study, series, frame of reference
    public static let studyInstanceUID = DICOMTag(0x0020, 0x000D)
    public static let seriesInstanceUID = DICOMTag(0x0020, 0x000E)
    public static let studyID = DICOMTag(0x0020, 0x0010)
    public static let frameOfReferenceUID = DICOMTag(0x0020, 0x0052)

    // Image pixel and related
    public static let photometricInterpretation = DICOMTag(0x0028, 0x0004)
    public static let planarConfiguration = DICOMTag(0x0028, 0x0006)
    public static let bitsAllocated = DICOMTag(0x0028, 0x0100)
    public static let burnedInAnnotation = DICOMTag(0x0028, 0x0301)
    public static let recognizableVisualFeatures = DICOMTag(0x0028, 0x0302)
    public static let longitudinalTemporalInformationModified = DICOMTag(0x0028, 0x0303)

    // Structured reporting and documents
    public static let verificationFlag = DICOMTag(0x0040, 0xA493)
    public static let purposeOfReferenceCodeSequence = DICOMTag(0x0040, 0xA170)
    public static let contentSequence = DICOMTag(0x0040, 0xA730)
    public static let encapsulatedDocument = DICOMTag(0x0042, 0x0011)

    public static let pixelData = DICOMTag(0x7FE0, 0x0010)
}
