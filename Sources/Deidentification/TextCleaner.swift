/// Cleans free text (PS3.15 E.3.5, Clean Descriptors): keeps the words Veil can vouch for and
/// drops everything else.
///
/// A word is kept only if it is in ``SafeVocabulary``, or is a small number (at most three digits,
/// possibly decimal) or a number with a unit ("5mm", "3 T", "120 kV"). Dropped, always: every token
/// of the identifying values this instance's de-identification removed (however the text spells
/// or orders them), dates in any format, times, phone-like digit runs, numbers of four or more
/// digits, and any word not known to be safe.
public struct TextCleaner: Sendable {
    /// Upper-case tokens of the values removed from this instance (names, IDs, places…).
    public let identifyingTokens: Set<String>

    public init(identifyingTokens: Set<String> = []) {
        self.identifyingTokens = identifyingTokens
    }

    /// The cleaned text: kept words in their original spelling, separated by single spaces (or by
    /// the original '/', '-' or '.' inside a compound such as "W/O" or "T1-weighted").
    public func clean(_ text: String) -> String {
        // Dropping words can bring numbers together ("90 [dropped] 17.401"): clean until the
        // result is stable, so that it holds nothing a second look would drop.
        var current = text
        for _ in 0..<4 {
            let next = cleanOnce(current)
            if next == current { break }
            current = next
        }
        return current
    }

    private func cleanOnce(_ text: String) -> String {
        let scrubbed = Self.blankOutDatesTimesAndNumbers(text)
        var kept: [String] = []
        let words = scrubbed.split(whereSeparator: { Self.separators.contains($0) }).map(String.init)
        var previousWasNumber = false
        for (index, word) in words.enumerated() {
            let previous = index > 0 ? words[index - 1] : nil
            let next = index + 1 < words.count ? words[index + 1] : nil
            // A unit on its own is kept after a kept number ("3.0 T", "2.5 mm").
            if previousWasNumber, SafeVocabulary.isUnit(word), !identifyingTokens.contains(word.uppercased()) {
                kept.append(word)
                previousWasNumber = false
                continue
            }
            let cleaned = cleanWord(word, previous: previous, next: next)
            if let cleaned { kept.append(cleaned) }
            previousWasNumber =
                cleaned != nil && word.first?.isNumber == true && word.allSatisfy { $0.isNumber || $0 == "." }
        }
        // Connecting words left at either end once their neighbours are gone say nothing.
        while let first = kept.first, Self.connectives.contains(first.uppercased()) { kept.removeFirst() }
        while let last = kept.last, Self.connectives.contains(last.uppercased()) { kept.removeLast() }
        return kept.joined(separator: " ")
    }

    /// Splits a text into the upper-case tokens that identify: used to collect identifyingTokens.
    /// Tokens of one letter are left out: an initial cannot be told from "L" or "R".
    public static func identifyingTokens(of value: String) -> [String] {
        if value.utf8.allSatisfy({ $0 < 0x80 }) {
            // Most values: words of ASCII letters and digits, upper-cased byte by byte.
            var tokens: [String] = []
            var word: [UInt8] = []
            for byte in value.utf8 {
                if let upper = asciiWordByte(byte) {
                    word.append(upper)
                    continue
                }
                if word.count >= 2 { tokens.append(String(decoding: word, as: UTF8.self)) }
                word.removeAll(keepingCapacity: true)
            }
            if word.count >= 2 { tokens.append(String(decoding: word, as: UTF8.self)) }
            return tokens
        }
        return value.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count >= 2 }
    }

    /// An ASCII letter (upper-cased) or digit; nil for anything else.
    static func asciiWordByte(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 0x20
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): byte
        default: nil
        }
    }

    // MARK: Words

    private static let separators: Set<Character> = [
        " ", "\t", "\n", "\r", "^", ",", ";", ":", "(", ")", "[", "]", "{", "}", "\"", "'", "\\", "|", "_", "=", "!",
        "?",
        "*", "#", "@", "&", "<", ">", "~", "`",
    ]

    /// A word is kept whole if safe; otherwise its parts around '/', '-' and '.' are tried, and
    /// the safe parts kept with the separators between adjacent kept parts.
    private func cleanWord(_ word: String, previous: String?, next: String?) -> String? {
        if isSafe(word, previous: previous, next: next) { return word }
        var pieces: [(text: String, separator: Character?)] = []
        var current = ""
        for character in word {
            if character == "/" || character == "-" || character == "." || character == "+" {
                pieces.append((current, character))
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append((current, nil))
        guard pieces.count > 1 else { return nil }
        var output = ""
        var lastKept = -2
        for (index, piece) in pieces.enumerated() where !piece.text.isEmpty {
            guard isSafe(piece.text, previous: nil, next: nil) else { continue }
            if !output.isEmpty {
                output += lastKept == index - 1 ? String(pieces[index - 1].separator ?? " ") : " "
            }
            output += piece.text
            lastKept = index
        }
        return output.isEmpty ? nil : output
    }

    private func isSafe(_ word: String, previous: String?, next: String?) -> Bool {
        let upper = word.uppercased()
        if identifyingTokens.contains(upper) { return false }
        let parts = upper.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        if parts.contains(where: { identifyingTokens.contains($0) }) { return false }
        if SafeVocabulary.contains(upper) { return true }
        return isSafeNumber(upper, previous: previous?.uppercased(), next: next?.uppercased())
    }

    /// Small numbers and numbers with units. Years, ages and long digit runs are not kept.
    private func isSafeNumber(_ word: String, previous: String?, next: String?) -> Bool {
        let digits = word.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, digits.contains(where: \.isNumber) else { return false }
        let unit = String(word.dropFirst(digits.count))
        let integerDigits = digits.prefix { $0 != "." }.count
        guard integerDigits <= 3, digits.filter({ $0 == "." }).count <= 1 else { return false }
        if !unit.isEmpty { return SafeVocabulary.isUnit(unit) }
        if let previous, Self.dateOrAgeWords.contains(previous) { return false }
        if let next, Self.dateOrAgeWords.contains(next) { return false }
        return true
    }

    /// Words that only connect other words.
    private static let connectives: Set<String> = [
        "OF", "THE", "A", "AN", "IN", "ON", "AT", "TO", "BY", "FROM", "FOR", "AS", "IS", "AND", "OR", "VIA", "PER",
    ]

    /// Words that make a neighbouring number a date or an age.
    private static let dateOrAgeWords: Set<String> = [
        "JAN", "JANUARY", "FEB", "FEBRUARY", "MAR", "MARCH", "APR", "APRIL", "MAY", "JUN", "JUNE", "JUL", "JULY",
        "AUG", "AUGUST", "SEP", "SEPT", "SEPTEMBER", "OCT", "OCTOBER", "NOV", "NOVEMBER", "DEC", "DECEMBER",
        "Y", "YO", "Y/O", "YR", "YRS", "YEAR", "YEARS", "OLD", "AGE", "AGED", "DOB", "BORN", "MONTH", "MONTHS",
        "WEEK", "WEEKS", "DAY", "DAYS", "DAYOLD", "MO", "MOS", "WK", "WKS",
    ]

    // MARK: Dates, times, phone numbers

    /// Replaces dates (numeric, in any order and with any separator), times, and digit runs that
    /// look like phone numbers or identifiers with spaces, before words are split.
    ///
    /// A digit run is digits joined by the separators those use ("-/.: ()+"), each separator
    /// followed (within two characters) by another digit: "2019-03-12", "12.03.19", "10:15",
    /// "(555) 123-4567", "ZQ-884422" (from its digits on).
    static func blankOutDatesTimesAndNumbers(_ text: String) -> String {
        var characters = Array(text)
        let runSeparators: Set<Character> = ["-", "/", ".", ":", " ", "(", ")", "+"]
        var index = 0
        while index < characters.count {
            guard characters[index].isASCII, characters[index].isNumber else {
                index += 1
                continue
            }
            var end = index
            var groups: [Int] = [0]
            var separators: [Character] = []
            while end < characters.count {
                let character = characters[end]
                if character.isASCII && character.isNumber {
                    groups[groups.count - 1] += 1
                    end += 1
                    continue
                }
                guard runSeparators.contains(character) else { break }
                // Continue only if a digit follows within the next two characters.
                let lookahead = characters[(end + 1)..<min(end + 3, characters.count)]
                guard let digitAt = lookahead.firstIndex(where: { $0.isASCII && $0.isNumber }),
                    lookahead[lookahead.startIndex..<digitAt].allSatisfy({ runSeparators.contains($0) })
                else { break }
                separators.append(contentsOf: characters[end..<digitAt])
                groups.append(0)
                end = digitAt
            }
            let digits = groups.reduce(0, +)
            let dateSeparators = separators.filter { "-/.".contains($0) }
            let isTime = separators.contains(":")
            let isDate =
                groups.count >= 3 && dateSeparators.count == separators.count
                || groups.count == 2 && (separators == ["/"] || separators == ["-"]) && groups.contains(4)
            let isLong = digits >= 7 || groups.contains { $0 >= 5 }
            if isTime || isDate || isLong {
                for position in index..<end { characters[position] = " " }
            }
            index = max(end, index + 1)
        }
        return String(characters)
    }
}
