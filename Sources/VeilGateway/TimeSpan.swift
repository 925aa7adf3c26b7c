/// Durations in the gateway configuration: `90` (seconds), `90s`, `5m`, `4h`, `7d`.
public enum TimeSpan {
    /// Seconds, or nil when the text is not a duration.
    public static func seconds(_ value: Any) -> Double? {
        if let number = value as? Int { return number >= 0 ? Double(number) : nil }
        if let number = value as? Double { return number >= 0 ? number : nil }
        guard let text = (value as? String)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last, let factor = units[unit] {
            guard let number = Double(text.dropLast()), number >= 0 else { return nil }
            return number * factor
        }
        guard let number = Double(text), number >= 0 else { return nil }
        return number
    }
}
