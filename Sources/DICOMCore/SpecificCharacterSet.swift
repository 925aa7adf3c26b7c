#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Specific Character Set (0008,0005): how the bytes of the text VRs (SH, LO, UC, ST, LT, UT, PN)
/// of a data set or item are to be read (PS3.3 C.12.1.1.2, PS3.5 6.1).
///
/// Decoding is done by the C library's `iconv`, which knows every character set DICOM defines;
/// code extensions (`ISO 2022 …`) are followed escape sequence by escape sequence, as PS3.5 6.1.2.5
/// describes. Bytes a character set cannot read are read as ISO 8859-1, so that decoding never
/// fails and the same bytes always give the same text (a name is then still matched in free text).
public struct SpecificCharacterSet: Hashable, Sendable {
    /// The defined terms, as stored (the first may be empty: the default repertoire).
    public let terms: [String]

    /// No Specific Character Set: the default repertoire (ISO-IR 6). Bytes above 0x7F, which the
    /// default repertoire does not have, are read as UTF-8 when they are valid UTF-8, as many
    /// writers put UTF-8 without saying so, and as ISO 8859-1 otherwise.
    public static let `default` = SpecificCharacterSet(terms: [])

    public init(terms: [String]) {
        self.terms = terms
        self.initial = Self.initialState(terms)
    }

    /// The character set of `dataSet`: its own Specific Character Set, or, for a sequence item
    /// without one, the enclosing data set's (PS3.5 7.5.3).
    public init(of dataSet: DataSet, inheriting enclosing: SpecificCharacterSet = .default) {
        guard let element = dataSet[.specificCharacterSet] else {
            self = enclosing
            return
        }
        self.init(terms: element.strings)
    }

    /// True when the terms use ISO 2022 code extensions.
    public var usesCodeExtensions: Bool { terms.contains { $0.hasPrefix("ISO 2022") } }

    /// Whether `vr` is read with this character set; the other VRs use the default repertoire.
    public static func applies(to vr: VR) -> Bool {
        switch vr {
        case .SH, .LO, .UC, .ST, .LT, .UT, .PN: true
        default: false
        }
    }

    /// True when `bytes` read as ASCII in this character set: the common case, which callers
    /// can handle without decoding.
    public func readsAsASCII(_ bytes: some Collection<UInt8>) -> Bool {
        initial.g0 == .ascii && bytes.allSatisfy { $0 < 0x80 && $0 != 0x1B }
    }

    /// The text `bytes` hold in this character set.
    public func decode(_ bytes: some Collection<UInt8>, vr: VR) -> String {
        let bytes = Array(bytes)
        if readsAsASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        if usesCodeExtensions { return decodeWithCodeExtensions(bytes, vr: vr) }
        switch terms.first(where: { !$0.isEmpty }) ?? "" {
        case "": return Self.utf8OrLatin1(bytes)
        case "ISO_IR 192": return Self.utf8OrLatin1(bytes)
        case let term: return Self.iconvDecode(bytes, from: Self.iconvNames[term] ?? "ISO-8859-1")
        }
    }

    /// `text` as bytes of this character set, or nil when it has a character this character set
    /// cannot write without code extensions. ASCII text is the same in every character set.
    public func encode(_ text: String) -> [UInt8]? {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return Array(text.utf8) }
        let name: String
        if usesCodeExtensions {
            // Without escape sequences only the initial G1 set can be written.
            guard case .singleByte(let g1) = initial.g1 else { return nil }
            name = g1
        } else {
            switch terms.first(where: { !$0.isEmpty }) ?? "" {
            case "", "ISO_IR 192": return Array(text.utf8)
            case let term:
                guard let known = Self.iconvNames[term] else { return nil }
                name = known
            }
        }
        return Self.iconvEncode(text, to: name)
    }

    // MARK: Code extensions (ISO 2022)

    /// One graphic set that an escape sequence designates.
    enum GraphicSet: Hashable, Sendable {
        case ascii
        /// JIS X 0201 Romaji in G0: ASCII with ¥ and ‾ in place of \ and ~.
        case jisRomaji
        /// A set of 96 characters in G1, read with iconv under this name.
        case singleByte(String)
        /// JIS X 0208 (ISO-IR 87) in G0: two 7-bit bytes per character.
        case jisX0208
        /// JIS X 0212 (ISO-IR 159) in G0: two 7-bit bytes per character.
        case jisX0212
        /// A set of 94×94 characters in G1, read with iconv under this name (EUC-KR, GB2312).
        case doubleByteG1(String)

        var isG0: Bool {
            switch self {
            case .ascii, .jisRomaji, .jisX0208, .jisX0212: true
            case .singleByte, .doubleByteG1: false
            }
        }
    }

    struct State: Hashable, Sendable {
        var g0: GraphicSet = .ascii
        var g1: GraphicSet?
    }

    private let initial: State

    private static func initialState(_ terms: [String]) -> State {
        var state = State()
        guard let first = terms.first, first.hasPrefix("ISO 2022") || first.hasPrefix("ISO_IR") else { return state }
        let key = first.hasPrefix("ISO_IR ") ? "ISO 2022 IR " + first.dropFirst(7) : first
        for (_, entry) in escapeSequences where entry.term == key {
            if entry.set.isG0 { state.g0 = entry.set } else { state.g1 = entry.set }
        }
        return state
    }

    /// The escape sequences of PS3.3 Table C.12-3 and C.12-4, with the term each belongs to.
    private static let escapeSequences: [(bytes: [UInt8], (term: String, set: GraphicSet))] = [
        ([0x28, 0x42], ("ISO 2022 IR 6", .ascii)),
        ([0x2D, 0x41], ("ISO 2022 IR 100", .singleByte("ISO-8859-1"))),
        ([0x2D, 0x42], ("ISO 2022 IR 101", .singleByte("ISO-8859-2"))),
        ([0x2D, 0x43], ("ISO 2022 IR 109", .singleByte("ISO-8859-3"))),
        ([0x2D, 0x44], ("ISO 2022 IR 110", .singleByte("ISO-8859-4"))),
        ([0x2D, 0x4C], ("ISO 2022 IR 144", .singleByte("ISO-8859-5"))),
        ([0x2D, 0x47], ("ISO 2022 IR 127", .singleByte("ISO-8859-6"))),
        ([0x2D, 0x46], ("ISO 2022 IR 126", .singleByte("ISO-8859-7"))),
        ([0x2D, 0x48], ("ISO 2022 IR 138", .singleByte("ISO-8859-8"))),
        ([0x2D, 0x4D], ("ISO 2022 IR 148", .singleByte("ISO-8859-9"))),
        ([0x2D, 0x62], ("ISO 2022 IR 203", .singleByte("ISO-8859-15"))),
        ([0x2D, 0x54], ("ISO 2022 IR 166", .singleByte("TIS-620"))),
        ([0x29, 0x49], ("ISO 2022 IR 13", .singleByte("SHIFT_JIS"))),
        ([0x28, 0x4A], ("ISO 2022 IR 13", .jisRomaji)),
        ([0x24, 0x42], ("ISO 2022 IR 87", .jisX0208)),
        ([0x24, 0x28, 0x44], ("ISO 2022 IR 159", .jisX0212)),
        ([0x24, 0x29, 0x43], ("ISO 2022 IR 149", .doubleByteG1("EUC-KR"))),
        ([0x24, 0x29, 0x41], ("ISO 2022 IR 58", .doubleByteG1("GB2312"))),
    ]

    /// The iconv names of the character sets used without code extensions.
    private static let iconvNames: [String: String] = [
        "ISO_IR 6": "ASCII", "ISO_IR 100": "ISO-8859-1", "ISO_IR 101": "ISO-8859-2", "ISO_IR 109": "ISO-8859-3",
        "ISO_IR 110": "ISO-8859-4", "ISO_IR 144": "ISO-8859-5", "ISO_IR 127": "ISO-8859-6",
        "ISO_IR 126": "ISO-8859-7", "ISO_IR 138": "ISO-8859-8", "ISO_IR 148": "ISO-8859-9",
        "ISO_IR 203": "ISO-8859-15", "ISO_IR 166": "TIS-620", "ISO_IR 13": "SHIFT_JIS", "GB18030": "GB18030",
        "GBK": "GBK",
    ]

    private func decodeWithCodeExtensions(_ bytes: [UInt8], vr: VR) -> String {
        var text = ""
        var state = initial
        var run: [UInt8] = []
        var runSet: GraphicSet = state.g0
        func flush() {
            if !run.isEmpty { text += Self.decode(run, in: runSet) }
            run.removeAll(keepingCapacity: true)
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x1B,
                let (sequence, entry) = Self.escapeSequences.first(where: {
                    bytes[(index + 1)...].starts(with: $0.bytes)
                })
            {
                flush()
                if entry.set.isG0 { state.g0 = entry.set } else { state.g1 = entry.set }
                index += 1 + sequence.count
                continue
            }
            let set: GraphicSet = byte >= 0x80 ? (state.g1 ?? .singleByte("ISO-8859-1")) : state.g0
            if set != runSet {
                flush()
                runSet = set
            }
            run.append(byte)
            // Delimiters return to the initial designations (PS3.5 6.1.2.5.3); in a two-byte G0
            // they are halves of characters, which writers must not produce there.
            if !(state.g0 == .jisX0208 || state.g0 == .jisX0212), Self.isDelimiter(byte, vr: vr) {
                flush()
                state = initial
                runSet = state.g0
            }
            index += 1
        }
        flush()
        return text
    }

    private static func isDelimiter(_ byte: UInt8, vr: VR) -> Bool {
        switch byte {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x5C: true
        case 0x5E, 0x3D: vr == .PN
        default: false
        }
    }

    private static func decode(_ run: [UInt8], in set: GraphicSet) -> String {
        switch set {
        case .ascii:
            return String(decoding: run, as: UTF8.self)
        case .jisRomaji:
            return String(String(decoding: run, as: UTF8.self).map { $0 == "\\" ? "¥" : $0 == "~" ? "‾" : $0 })
        case .singleByte(let name), .doubleByteG1(let name):
            return iconvDecode(run, from: name)
        case .jisX0208:
            return iconvDecode(run.map { $0 | 0x80 }, from: "EUC-JP")
        case .jisX0212:
            var euc: [UInt8] = []
            for pair in stride(from: 0, to: run.count - 1, by: 2) {
                euc += [0x8F, run[pair] | 0x80, run[pair + 1] | 0x80]
            }
            return iconvDecode(euc, from: "EUC-JP")
        }
    }

    // MARK: Decoders

    private static func utf8OrLatin1(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return latin1(bytes)
    }

    private static func latin1(_ bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// `text` written with iconv as `name`, or nil when a character has no code there.
    private static func iconvEncode(_ text: String, to name: String) -> [UInt8]? {
        let converter = iconv_open(name, "UTF-8")
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = text.utf8.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 4 + 8)
        let written: Int? = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = inputBuffer.baseAddress!
                var inLeft = inputBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = outputBuffer.baseAddress!
                var outLeft = outputBuffer.count
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else {
                    return nil
                }
                // Return to the initial shift state (multi-byte encodings with states).
                guard iconv(converter, nil, nil, &outPointer, &outLeft) != -1 else { return nil }
                return outputBuffer.count - outLeft
            }
        }
        return written.map { output[..<$0].map { UInt8(bitPattern: $0) } }
    }

    /// `bytes` read with iconv as `name`; whatever iconv cannot read is read as ISO 8859-1.
    private static func iconvDecode(_ bytes: [UInt8], from name: String) -> String {
        let converter = iconv_open("UTF-8", name)
        guard let converter, converter != iconv_t(bitPattern: -1) else { return latin1(bytes) }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 4 + 4)
        var text = ""
        var consumed = 0
        while consumed < input.count {
            let (read, written, failed) = input.withUnsafeMutableBufferPointer { inputBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    var inPointer: UnsafeMutablePointer<CChar>? = inputBuffer.baseAddress! + consumed
                    var inLeft = inputBuffer.count - consumed
                    var outPointer: UnsafeMutablePointer<CChar>? = outputBuffer.baseAddress!
                    var outLeft = outputBuffer.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (inputBuffer.count - consumed - inLeft, outputBuffer.count - outLeft, result == -1)
                }
            }
            text += String(decoding: output[..<written].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            consumed += read
            if failed, consumed < input.count {
                // A byte this character set cannot read: take it as ISO 8859-1 and go on.
                text += latin1([UInt8(bitPattern: input[consumed])])
                consumed += 1
                iconv(converter, nil, nil, nil, nil)
            }
        }
        input.removeAll()
        return text
    }
}
