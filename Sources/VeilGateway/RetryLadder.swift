/// How long to wait before each new attempt to forward, as dcm4chee writes it:
/// `5x1m,12x5m,24x1h` = five retries a minute apart, then twelve five minutes apart, then
/// twenty-four an hour apart; after the last one the release is held.
public struct RetryLadder: Sendable, Equatable, CustomStringConvertible {
    public var steps: [(count: Int, seconds: Double)]

    public static let standard = RetryLadder("5x1m,12x5m,24x1h")!

    public init?(_ text: String) {
        var steps: [(Int, Double)] = []
        for part in text.split(separator: ",") {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: "x", maxSplits: 1)
            guard pieces.count == 2, let count = Int(pieces[0]), count > 0,
                let seconds = TimeSpan.seconds(String(pieces[1]))
            else { return nil }
            steps.append((count, seconds))
        }
        guard !steps.isEmpty else { return nil }
        self.steps = steps
    }

    /// The wait after `failures` failed attempts, or nil when the ladder is used up (hold).
    public func delay(afterFailures failures: Int) -> Double? {
        var remaining = failures
        for step in steps {
            if remaining <= step.count { return step.seconds }
            remaining -= step.count
        }
        return nil
    }

    public var description: String {
        steps.map { "\($0.count)x\(Int($0.seconds))s" }.joined(separator: ",")
    }

    public static func == (left: RetryLadder, right: RetryLadder) -> Bool {
        left.steps.map(\.count) == right.steps.map(\.count) && left.steps.map(\.seconds) == right.steps.map(\.seconds)
    }
}
