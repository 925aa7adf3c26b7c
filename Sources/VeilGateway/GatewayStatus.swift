import Foundation

/// `veil gateway status`: what the spool holds, read from its folders and release records
/// (works whether the gateway runs or not). Keyed identifiers only.
public struct GatewayStatus: Codable, Sendable {
    public struct Arriving: Codable, Sendable {
        public var route: String
        public var study: String
        public var instances: Int
    }

    public struct Release: Codable, Sendable {
        public var state: String
        public var route: String
        public var study: String
        public var release: Int
        public var instances: Int
        public var reason: String
        public var written: Int?
        public var failed: Int?
        public var heldReason: String?
        public var destinations: [String: ReleaseRecord.Delivery]
    }

    public struct Destination: Codable, Sendable {
        /// From the latest attempt: true delivered, false failed, nil never tried.
        public var up: Bool?
        public var lastAttempt: Date?
        public var lastError: String?
        public var retries: Int
        public var waiting: Int
    }

    public var running: Bool
    public var arriving: [Arriving]
    /// Releases per state (incoming counts studies).
    public var states: [String: Int]
    public var releases: [Release]
    public var destinations: [String: Destination]
    public var lastErrors: [String]

    public init(spool: Spool) {
        running = Self.isLocked(spool.root + "/gateway.lock")
        arriving = spool.incomingStudies().map { route, study in
            Arriving(
                route: route, study: study,
                instances: spool.subfolders(spool.incomingStudy(route: route, study: study)).count)
        }
        states = [Spool.State.incoming.rawValue: arriving.count]
        releases = []
        destinations = [:]
        var errors: [(Date, String)] = []
        for state in Spool.State.allCases where state != .incoming {
            let units = spool.units(in: state)
            states[state.rawValue] = units.count
            for unit in units {
                guard let record = spool.record(unit, in: state) else { continue }
                releases.append(
                    Release(
                        state: state.rawValue, route: unit.route, study: unit.study, release: unit.release,
                        instances: record.instances, reason: record.reason, written: record.written,
                        failed: record.failed, heldReason: record.heldReason, destinations: record.destinations))
                if let held = record.heldReason { errors.append((record.releasedAt, "\(unit): \(held)")) }
                for (name, delivery) in record.destinations {
                    var destination =
                        destinations[name]
                        ?? Destination(up: nil, lastAttempt: nil, lastError: nil, retries: 0, waiting: 0)
                    destination.retries += max(0, delivery.attempts - 1)
                    if !delivery.delivered { destination.waiting += 1 }
                    // A release with nothing to send (every input failed) tells nothing of the destination.
                    let contacted = delivery.sent > 0 || delivery.lastError != nil
                    if contacted, let attempt = delivery.lastAttempt,
                        attempt >= (destination.lastAttempt ?? .distantPast)
                    {
                        destination.lastAttempt = attempt
                        destination.up = delivery.delivered
                        destination.lastError = delivery.lastError
                    }
                    if let error = delivery.lastError, let attempt = delivery.lastAttempt {
                        errors.append((attempt, "\(unit) → \(name): \(error)"))
                    }
                    destinations[name] = destination
                }
            }
        }
        lastErrors = errors.sorted { $0.0 > $1.0 }.prefix(10).map(\.1)
    }

    static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public var text: String {
        var lines = ["gateway: \(running ? "running" : "not running")"]
        let order = ["incoming", "ready", "de-identified", "outbox", "done", "held", "quarantine"]
        lines.append(order.map { "\($0) \(states[$0] ?? 0)" }.joined(separator: ", "))
        for study in arriving { lines.append("  arriving \(study.route)/\(study.study): \(study.instances) instances") }
        for release in releases where release.state != "done" {
            var line =
                "  \(release.state) \(release.route)/\(release.study).r\(release.release): \(release.instances) instances"
            if let held = release.heldReason { line += " (\(held))" }
            lines.append(line)
        }
        for (name, destination) in destinations.sorted(by: { $0.key < $1.key }) {
            let state = destination.up.map { $0 ? "up" : "down" } ?? "untried"
            lines.append(
                "destination \(name): \(state), \(destination.waiting) releases waiting, \(destination.retries) retries"
            )
        }
        if !lastErrors.isEmpty { lines.append("last errors:") }
        for error in lastErrors { lines.append("  \(error)") }
        return lines.joined(separator: "\n")
    }
}
