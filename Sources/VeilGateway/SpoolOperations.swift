import Foundation

/// The operator's commands on the spool (`veil gateway retry|hold|release|purge`). Each is a
/// rename or an atomic write, safe while the gateway runs: it picks the change up on its next pass.
public struct SpoolOperations: Sendable {
    public let spool: Spool
    let audit: GatewayAudit

    public init(configuration: GatewayConfiguration) {
        spool = Spool(root: configuration.spool)
        audit = GatewayAudit(path: configuration.auditPath, syslog: configuration.auditSyslog)
    }

    /// Units of `study` (a keyed Study Instance UID, or `<route>/<study>.r<n>`) in `states`.
    func units(_ study: String, in states: [Spool.State]) -> [(Spool.UnitName, Spool.State)] {
        states.flatMap { state in
            spool.units(in: state).filter { $0.study == study || $0.description == study }.map { ($0, state) }
        }
    }

    /// Held (or waiting) releases go out again now, with a fresh retry ladder.
    public func retry(_ study: String) -> Int {
        var count = 0
        for (unit, state) in units(study, in: [.held, .outbox]) {
            guard var record = spool.record(unit, in: state) else { continue }
            for name in record.destinations.keys where record.destinations[name]?.delivered == false {
                record.destinations[name]?.attempts = 0
                record.destinations[name]?.nextAttempt = nil
            }
            record.heldReason = nil
            try? spool.write(record, for: unit, in: state)
            if state == .held, record.written == nil {
                // Held before de-identification: start from there.
                if spool.move(unit, from: .held, to: .ready) { count += 1 }
            } else if state == .held {
                if spool.move(unit, from: .held, to: .outbox) { count += 1 }
            } else {
                count += 1
            }
            audit.record(
                .export, action: "E", event: "retry requested",
                fields: ["route": unit.route, "study": unit.study, "release": unit.release])
        }
        return count
    }

    /// Stops forwarding (or de-identifying) the study's releases until `retry`.
    public func hold(_ study: String) -> Int {
        var count = 0
        for (unit, state) in units(study, in: [.ready, .deidentified, .outbox]) {
            // Moved first, then marked: a record the running gateway writes at the old place
            // meanwhile can then not overwrite the reason.
            guard spool.move(unit, from: state, to: .held) else { continue }
            count += 1
            if var record = spool.record(unit, in: .held) {
                record.heldReason = "held by the operator"
                try? spool.write(record, for: unit, in: .held)
            }
            audit.record(
                .export, action: "E", event: "held",
                fields: ["route": unit.route, "study": unit.study, "release": unit.release, "reason": "operator"])
        }
        return count
    }

    /// Releases a study still arriving now, without waiting for its quiet period.
    public func release(_ study: String) -> Int {
        var count = 0
        for (route, arriving) in spool.incomingStudies() where arriving == study {
            guard let unit = spool.release(route: route, study: study) else { continue }
            let instances = spool.subfolders(spool.path(unit, in: .ready) + "/raw").count
            try? spool.write(
                ReleaseRecord(
                    route: route, study: study, release: unit.release, instances: instances, reason: "operator",
                    releasedAt: Date()), for: unit, in: .ready)
            audit.record(
                .instancesAccessed, action: "R", event: "study released",
                fields: [
                    "route": route, "study": study, "release": unit.release, "instances": instances, "rule": "operator",
                ])
            count += 1
        }
        return count
    }

    /// Removes done releases (their de-identified copies and records) older than `seconds`.
    public func purge(doneOlderThan seconds: Double) -> Int {
        var count = 0
        let limit = Date().addingTimeInterval(-seconds)
        for unit in spool.units(in: .done) {
            let done = spool.record(unit, in: .done)?.doneAt ?? .distantPast
            guard done <= limit else { continue }
            if (try? FileManager.default.removeItem(atPath: spool.path(unit, in: .done))) != nil {
                count += 1
                audit.record(
                    .studyDeleted, action: "D", event: "purged",
                    fields: ["route": unit.route, "study": unit.study, "release": unit.release])
            }
        }
        return count
    }
}
