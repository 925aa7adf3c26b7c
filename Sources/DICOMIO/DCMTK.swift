internal import CDCMTK

/// Process-wide facts about the DCMTK library underneath.
public enum DCMTK {
    /// Silences DCMTK's own logging and sets its parser options. Called by `DICOMFile` on first
    /// use; calling it again does nothing.
    public static func initialize() {
        cdcm_initialize()
    }

    /// The DCMTK version, e.g. "3.6.7".
    public static var version: String { String(cString: cdcm_dcmtk_version()) }

    /// Whether DCMTK found its data dictionary (Debian: /usr/share/libdcmtk17/dicom.dic).
    /// Without it, implicit-VR files cannot be read correctly.
    public static var isDictionaryLoaded: Bool {
        initialize()
        return cdcm_dictionary_is_loaded() != 0
    }
}
