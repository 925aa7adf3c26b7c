internal import CDCMTK
import DICOMCore

/// Which files `DICOMFile` opens, and the error for the others: first from the structure check,
/// before DCMTK parses anything, then from what DCMTK's parse gave.
enum FileOpening {
    static let notDICOM = DICOMIOError(.notDICOM, "not a DICOM file")

    /// The refusal the structure check calls for, or nil when DCMTK may parse the file.
    static func refusal(_ report: StructureReport) -> DICOMIOError? {
        if report.unknownTransferSyntax {
            // The declared value is named only if it looks like a UID: it comes from the file.
            let declared = report.declaredTransferSyntax
            let named = UID.isPlausible(utf8: declared) ? " " + String(decoding: declared, as: UTF8.self) : ""
            return DICOMIOError(.unsupportedTransferSyntax, "unknown transfer syntax" + named)
        }
        guard let problem = report.problem else { return nil }
        // Without "DICM" and without a SOP Instance, the bytes were never a DICOM data set.
        if !report.hasMetaHeader && !report.namesSOPInstance { return notDICOM }
        return DICOMIOError(.malformed, "malformed DICOM: " + problem)
    }

    /// The error for a file DCMTK could not parse: `status` and `reason` from cdcm_file_load.
    static func parseFailure(_ status: cdcm_status, reason: String, hasMetaHeader: Bool) -> DICOMIOError {
        if status == CDCM_ERROR_EXCEPTION { return DICOMIOError(.internalError, reason) }
        // A bare data set DCMTK cannot read was bytes that merely looked like tags.
        if !hasMetaHeader { return notDICOM }
        switch status {
        case CDCM_ERROR_TRUNCATED:
            return DICOMIOError(.unreadable, "truncated or corrupt DICOM file (" + reason + ")")
        case CDCM_ERROR_TRANSFER_SYNTAX:
            return DICOMIOError(.unsupportedTransferSyntax, "cannot parse DICOM (" + reason + ")")
        default: return DICOMIOError(.unreadable, "cannot parse DICOM (" + reason + ")")
        }
    }

    /// The refusal of a file DCMTK parsed, or nil to accept it. `sopIdentifiers` gives the bytes
    /// of its top-level SOP Class and SOP Instance UIDs as DCMTK read them (nil when absent).
    static func refusal(
        hasMetaHeader: Bool, sopIdentifiers: () throws(DICOMIOError) -> ([UInt8]?, [UInt8]?),
        readIn original: Int32,
        checked: TransferSyntaxEncoding
    ) throws(DICOMIOError) -> DICOMIOError? {
        if !hasMetaHeader {
            // A bare data set is accepted only if it names its SOP Class and Instance with
            // plausible UIDs; otherwise the parser merely found bytes it could read as tags.
            let (sopClass, sopInstance) = try sopIdentifiers()
            guard let sopClass, let sopInstance, UID.isPlausible(utf8: sopClass), UID.isPlausible(utf8: sopInstance)
            else { return notDICOM }
        }
        if original == CDCM_TRANSFER_SYNTAX_UNKNOWN {
            return DICOMIOError(.unsupportedTransferSyntax, "unknown transfer syntax")
        }
        if original != checked.id {
            // DCMTK read the data set in another encoding than the one checked: never guess.
            return DICOMIOError(.malformed, "malformed DICOM: the data set is not encoded as its meta header says")
        }
        return nil
    }
}

extension StructureReport {
    /// The error `DICOMFile` throws for a file with this report, or nil when it goes on to let
    /// DCMTK parse it (which can still fail).
    public var refusal: DICOMIOError? { FileOpening.refusal(self) }
}
