/// A DIMSE response status (PS3.7 Annex C and the service class annexes of PS3.4), printed as
/// "A700 out of resources".
public struct DIMSEStatus: Sendable, Hashable, CustomStringConvertible {
    public var code: UInt16

    public init(_ code: UInt16) { self.code = code }

    public var isSuccess: Bool { code == 0x0000 }
    public var isWarning: Bool { code == 0x0001 || code & 0xF000 == 0xB000 || code == 0x0107 || code == 0x0116 }
    public var isPending: Bool { code == 0xFF00 || code == 0xFF01 }
    public var isFailure: Bool { !isSuccess && !isWarning && !isPending && code != 0xFE00 }

    /// Meaning from the standard; families by their high byte when the code is not listed.
    public var meaning: String {
        switch code {
        case 0x0000: "success"
        case 0x0001, 0x0107: "warning: attribute list error"
        case 0x0116: "warning: attribute value out of range"
        case 0x0110: "processing failure"
        case 0x0111: "duplicate SOP instance"
        case 0x0112: "no such SOP instance"
        case 0x0117: "invalid object instance"
        case 0x0118: "no such SOP class"
        case 0x0122: "SOP class not supported"
        case 0x0124: "not authorized"
        case 0x0210: "duplicate invocation"
        case 0x0211: "unrecognized operation"
        case 0x0212: "mistyped argument"
        case 0x0213: "resource limitation"
        case 0xA700: "out of resources"
        case 0xA701: "out of resources: unable to calculate number of matches"
        case 0xA702: "out of resources: unable to perform sub-operations"
        case 0xA801: "move destination unknown"
        case 0xA900: "identifier does not match SOP class"
        case 0xB000: "sub-operations complete: one or more failures or warnings"
        case 0xB006: "elements discarded"
        case 0xB007: "data set does not match SOP class"
        case 0xC000: "unable to process"
        case 0xFE00: "cancelled"
        case 0xFF00, 0xFF01: "pending"
        case 0xFFFF: "no response"
        default:
            switch code >> 8 {
            case 0xA7: "out of resources"
            case 0xA9: "data set does not match SOP class"
            case 0xC0...0xCF: "cannot understand"
            default: "status not known to Veil"
            }
        }
    }

    public var description: String { "\(String(code, radix: 16, uppercase: true).leftPadded(to: 4)) \(meaning)" }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
