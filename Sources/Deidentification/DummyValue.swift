import DICOMCore

/// Dummy values for action D: non-empty and valid for their VR (PS3.5 6.2), and plainly not real.
/// Dates are 1900-01-01, not 0001-01-01, which validators reject.
enum DummyValue {
    static func bytes(for vr: VR) -> [UInt8]? {
        switch vr {
        case .AE: Array("ANONYMOUS".utf8)
        case .AS: Array("000Y".utf8)
        case .CS: Array("ANONYMIZED".utf8)
        case .DA: Array("19000101".utf8)
        case .DT: Array("19000101000000".utf8)
        case .TM: Array("000000".utf8)
        case .DS, .IS: Array("0".utf8)
        case .LO, .LT, .SH, .ST, .UC, .UT: Array("ANONYMIZED".utf8)
        case .PN: Array("ANONYMIZED".utf8)
        case .UR: Array("urn:anonymized".utf8)
        case .AT, .FL, .SL, .UL, .OF, .OL: [0, 0, 0, 0]
        case .FD, .SV, .UV, .OD, .OV: [UInt8](repeating: 0, count: 8)
        case .SS, .US, .OW, .OB, .UN: [0, 0]
        case .UI, .SQ: nil  // UIDs are replaced (U); sequences are handled by the engine
        }
    }
}
