import DICOMCore

@testable import Deidentification

/// In-memory DICOM objects for engine tests: no files involved.
enum Fixtures {
    static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"
    static let comprehensiveSRStorage = "1.2.840.10008.5.1.4.1.1.88.33"
    static let key = try! DeidentificationKey(bytes: Array(0..<32))
    static let otherKey = try! DeidentificationKey(bytes: Array(100..<132))

    /// A minimal instance of `sopClass` with identifying attributes and `extra` elements.
    static func object(
        sopClass: String = ctImageStorage, sopInstance: String = "1.2.826.0.1.3680043.99.1.1",
        patientID: String = "PAT-0042", extra: [DataElement] = []
    ) -> DICOMObject {
        var elements = [
            DataElement(.sopClassUID, .UI, string: sopClass),
            DataElement(.sopInstanceUID, .UI, string: sopInstance),
            DataElement(.studyInstanceUID, .UI, string: "1.2.826.0.1.3680043.99.2"),
            DataElement(.seriesInstanceUID, .UI, string: "1.2.826.0.1.3680043.99.3"),
            DataElement(.patientName, .PN, string: "Quixote^Zebulon"),
            DataElement(.patientID, .LO, string: patientID),
            DataElement(.modality, .CS, string: "CT"),
        ]
        elements += extra
        let meta = DataSet([
            DataElement(.fileMetaInformationVersion, .OB, .bytes([0, 1])),
            DataElement(.mediaStorageSOPClassUID, .UI, string: sopClass),
            DataElement(.mediaStorageSOPInstanceUID, .UI, string: sopInstance),
            DataElement(.transferSyntaxUID, .UI, string: TransferSyntax.explicitVRLittleEndian),
            DataElement(.sourceApplicationEntityTitle, .AE, string: "HOSPITALPACS"),
        ])
        return DICOMObject(
            fileMeta: meta, dataSet: DataSet(elements), transferSyntaxUID: TransferSyntax.explicitVRLittleEndian)
    }

    static func deidentify(
        _ object: DICOMObject, profile: DeidentificationProfile = .basic,
        key: DeidentificationKey = key
    ) throws -> DeidentificationResult {
        try Deidentifier(profile: profile, key: key).deidentify(object)
    }

    /// A sample value of `vr` that no dummy or pseudonym equals.
    static func sample(for tag: DICOMTag, vr: VR) -> DataElement {
        switch vr {
        case .SQ:
            return DataElement(tag, items: [DataSet([DataElement(.codeValue, .SH, string: "SAMPLE1")])])
        case .UI: return DataElement(tag, vr, string: "1.2.826.0.1.3680043.99.77")
        case .DA: return DataElement(tag, vr, string: "19620908")
        case .DT: return DataElement(tag, vr, string: "19620908101010")
        case .TM: return DataElement(tag, vr, string: "101010")
        case .AS: return DataElement(tag, vr, string: "061Y")
        case .DS, .IS: return DataElement(tag, vr, string: "42")
        case .CS: return DataElement(tag, vr, string: "SAMPLE")
        case .AE: return DataElement(tag, vr, string: "SAMPLEAE")
        case .UR: return DataElement(tag, vr, string: "http://hospital.example/record/42")
        case .US, .SS: return DataElement(tag, vr, .bytes([42, 0]))
        case .UL, .SL, .FL, .AT: return DataElement(tag, vr, .bytes([42, 0, 0, 0]))
        case .FD, .SV, .UV: return DataElement(tag, vr, .bytes([42, 0, 0, 0, 0, 0, 0, 0]))
        case .OB, .OW, .UN, .OD, .OF, .OL, .OV: return DataElement(tag, vr, .bytes([1, 2, 3, 4, 5, 6, 7, 8]))
        default: return DataElement(tag, vr, string: "Sample Text 42")
        }
    }

    /// Every value of a string element that holds text.
    static func texts(in dataSet: DataSet) -> [String] {
        dataSet.elements.flatMap { element -> [String] in
            if let items = element.items { return items.flatMap(texts) }
            return element.vr.isString ? [element.string ?? ""] : []
        }
    }
}
