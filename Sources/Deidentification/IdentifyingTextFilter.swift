import DICOMCore

/// Takes identity out of text that de-identification keeps: the words of the instance's own
/// identifying values (names in any order, IDs, accession numbers, addresses, phone numbers),
/// wherever a kept value repeats them, and — in free text — dates in any spelling,
/// times, phone numbers and identifier-like digit runs.
///
/// Unlike ``TextCleaner`` (Clean Descriptors), which keeps only words it can vouch for, this filter
/// removes only what it can recognise: it runs on every kept text value (vendor names, protocol
/// codes, local Code Meanings, kept private text), which must otherwise stay as they are.
struct IdentifyingTextFilter {
    /// Upper-case words of the instance's identifying values.
    let tokens: Set<String>

    init(tokens: Set<String>) { self.tokens = tokens }

    /// The tokens of `dataSet`'s identifying values at every depth: every person name, and the
    /// identifiers, addresses and phone numbers listed below. Words of two letters
    /// or more from names; from the other values, only words that identify on their own (see
    /// ``identifiesOnItsOwn(_:)``).
    init(_ dataSet: DataSet) {
        var tokens = Set<String>()
        Self.collect(dataSet, characterSet: .default, into: &tokens)
        self.tokens = tokens
    }

    /// `text` without identifying words (and, when `patterns` is set, without dates, times,
    /// phone numbers and long digit runs); nil when nothing was found. Text around what is
    /// removed keeps its spelling; runs of spaces left behind become one. Words of two letters
    /// (a name "Li", but also "OB" of a placeholder name in "OB_GENERAL") count in free text
    /// only (`patterns`), not in short coded values.
    func filter(_ text: String, patterns: Bool) -> String? {
        // Most kept values hold nothing to remove: tell that from the bytes, without Characters.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let digits = patterns && text.utf8.contains { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            if !digits && !containsTokenASCII(text, minimum: patterns ? 2 : 3) { return nil }
        }
        var source = text
        var changed = false
        if patterns {
            let blanked = TextCleaner.blankOutDatesTimesAndNumbers(source)
            if blanked != source {
                source = blanked
                changed = true
            }
        }
        var output = ""
        var word = ""
        func flushWord() {
            if !word.isEmpty {
                if (patterns || word.count >= 3) && tokens.contains(word.uppercased()) {
                    changed = true
                } else {
                    output += word
                }
            }
            word = ""
        }
        for character in source {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else {
                flushWord()
                output.append(character)
            }
        }
        flushWord()
        guard changed else { return nil }
        return Self.tidy(output)
    }

    /// Whether an ASCII `text` has a word of `minimum` characters or more among the tokens.
    private func containsTokenASCII(_ text: String, minimum: Int) -> Bool {
        guard !tokens.isEmpty else { return false }
        var word: [UInt8] = []
        for byte in text.utf8 {
            if let upper = TextCleaner.asciiWordByte(byte) {
                word.append(upper)
                continue
            }
            if word.count >= minimum && tokens.contains(String(decoding: word, as: UTF8.self)) { return true }
            word.removeAll(keepingCapacity: true)
        }
        return word.count >= minimum && tokens.contains(String(decoding: word, as: UTF8.self))
    }

    /// Spaces collapsed, and punctuation left standing alone by a removed word dropped.
    private static func tidy(_ text: String) -> String {
        let dangling: Set<Character> = [",", ";", ":", "^", "-", "/", "(", ")", "."]
        return text.split(separator: " ").filter { !$0.allSatisfy(dangling.contains) }.joined(separator: " ")
    }

    // MARK: Collecting

    /// Identifying attributes whose values are not person names (PN values all count). The
    /// institution's name and address are not among them: Table E.1-1 removes them, but their
    /// words are often a vendor's ("Philips Medical Systems" at a vendor's site), and taking them
    /// out of Manufacturer would damage what ML teams harmonise on.
    static let identifyingTags: Set<DICOMTag> = [
        .patientID, .otherPatientIDs, .issuerOfPatientID, .accessionNumber, .studyID, .admissionID,
        .patientAddress, .patientTelephoneNumbers, .patientTelecomInformation, .medicalRecordLocator, .personAddress,
        .personTelephoneNumbers, .personTelecomInformation, .responsibleOrganization, .regionOfResidence,
        .patientInsurancePlanCodeSequence, .militaryRank, .branchOfService, .referringPhysicianAddress,
        .referringPhysicianTelephoneNumbers, .requestingService, .placerOrderNumberImagingServiceRequest,
        .fillerOrderNumberImagingServiceRequest, .performedProcedureStepID, .scheduledProcedureStepID,
        .requestedProcedureID,
    ]

    /// The identifiers among them: numbers a site assigns, often with a fixed prefix.
    static let identifierTags: Set<DICOMTag> = [
        .patientID, .otherPatientIDs, .accessionNumber, .studyID, .admissionID, .medicalRecordLocator,
        .placerOrderNumberImagingServiceRequest, .fillerOrderNumberImagingServiceRequest, .performedProcedureStepID,
        .scheduledProcedureStepID, .requestedProcedureID,
    ]

    /// Not a word of Veil's safe vocabulary ("HOSPITAL", "STREET"), not shorter than three
    /// characters, and not a number of fewer than four digits (a house number, "12" in an
    /// address, would otherwise be taken out of "12 channel" elsewhere).
    static func identifiesOnItsOwn(_ token: String) -> Bool {
        guard token.count >= 3, !SafeVocabulary.contains(token) else { return false }
        return token.count >= 4 || !token.allSatisfy(\.isNumber)
    }

    /// The groups the identifying tags are in: a cheap test before the set's.
    static func mayIdentify(_ tag: DICOMTag) -> Bool {
        switch tag.group {
        case 0x0008, 0x0010, 0x0020, 0x0032, 0x0038, 0x0040, 0x0400: true
        default: false
        }
    }

    private static func collect(
        _ dataSet: DataSet, characterSet enclosing: SpecificCharacterSet, into tokens: inout Set<String>
    ) {
        let characterSet = SpecificCharacterSet(of: dataSet, inheriting: enclosing)
        for element in dataSet.elements {
            if let items = element.items {
                for item in items { collect(item, characterSet: characterSet, into: &tokens) }
                continue
            }
            let isName = element.effectiveVR == .PN
            guard isName || mayIdentify(element.tag) && identifyingTags.contains(element.tag), !element.tag.isPrivate,
                let values = element.textValues(in: characterSet)
            else { continue }
            let isIdentifier = identifierTags.contains(element.tag)
            for value in values {
                let words = TextCleaner.identifyingTokens(of: value)
                for token in words where isName || identifiesOnItsOwn(token) {
                    // An identifier's letters alone ("SAMPLE" of "SAMPLE-0001", "PAT" of "PAT-42")
                    // are a site's prefix, not the patient: its digits, or the whole one-word ID.
                    if isIdentifier && words.count > 1 && !token.contains(where: \.isNumber) { continue }
                    tokens.insert(token)
                }
            }
        }
    }
}
