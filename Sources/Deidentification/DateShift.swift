import DICOMCore

/// Shifting DA and DT values by whole days (PS3.15 E.3.6, Retain Longitudinal Temporal
/// Information with Modified Dates). A whole-day shift keeps every interval within a patient and
/// every time of day; times (TM) are therefore left as they are.
public struct DateShift: Sendable, Hashable {
    /// Days added to every date; negative: into the past.
    public let days: Int

    public init(days: Int) { self.days = days }

    /// The range offsets are drawn from: one to ten years into the past, so that shifted dates
    /// never lie in the future and are never within a year of the real ones.
    public static let offsetRange = -3653 ... -365

    /// Shifts one DA value (YYYYMMDD; also the query range "A-B" and the ACR-NEMA form
    /// YYYY.MM.DD). Nil when the value is not a date.
    public func shiftDA(_ value: String) -> String? {
        if value.contains("-") {
            let sides = value.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard sides.count == 2 else { return nil }
            let shifted = sides.map { side in side.isEmpty ? "" : shiftDA(String(side)) }
            guard !shifted.contains(where: { $0 == nil }) else { return nil }
            return shifted.map { $0! }.joined(separator: "-")
        }
        let digits =
            value.count == 10 && value.filter({ $0 == "." }).count == 2 ? String(value.filter { $0 != "." }) : value
        guard digits.count == 8, let date = CivilDate(yyyymmdd: digits) else { return nil }
        return date.adding(days: days).yyyymmdd
    }

    /// Shifts the date part of one DT value (YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]), keeping its
    /// precision and everything after the date. Nil when the value is not a date-time.
    public func shiftDT(_ value: String) -> String? {
        // Stored instances hold no DT ranges (those are query syntax): a '-' after the date is
        // a time zone offset and is kept.
        let characters = Array(value)
        var dateLength = 0
        while dateLength < min(8, characters.count), characters[dateLength].isASCII, characters[dateLength].isNumber {
            dateLength += 1
        }
        guard [4, 6, 8].contains(dateLength) else { return nil }
        let datePart = String(characters[0..<dateLength])
        let rest = String(characters[dateLength...])
        guard rest.allSatisfy({ $0.isNumber || $0 == "." || $0 == "+" || $0 == "-" || $0 == " " }) else { return nil }
        let padded = datePart + String("0101".suffix(8 - dateLength))
        guard let date = CivilDate(yyyymmdd: padded) else { return nil }
        let shifted = date.adding(days: days).yyyymmdd
        return String(shifted.prefix(dateLength)) + rest
    }
}

/// A proleptic Gregorian calendar date, with day arithmetic that does not depend on a time zone.
public struct CivilDate: Hashable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Parses a DA value, YYYYMMDD.
    public init?(yyyymmdd text: String) {
        guard text.count == 8, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            let year = Int(text.prefix(4)), let month = Int(text.dropFirst(4).prefix(2)), let day = Int(text.suffix(2)),
            (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date as a DA value.
    public var yyyymmdd: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2)
    }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    public init(dayNumber: Int) {
        let z = dayNumber + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}
