import DICOMCore
import DICOMIO
import DICOMNetwork
import Deidentification
import Foundation
import TextRedaction
import VeilBatch
import VeilNetwork

/// `veil gateway run`: receives studies on the routes' called AE titles, keeps them in the
/// spool, releases each study once complete, de-identifies it with the batch pipeline and
/// forwards it to the route's destinations, at least once, with retries.
///
/// Threads: the storage SCP calls the delegate methods from its threads (several associations
/// at once); ``run()`` does releases, de-identification and forwarding on the caller's thread.
/// The lock guards what both touch: the studies still arriving and the open associations.
public final class Gateway: StorageServiceDelegate, @unchecked Sendable {
    public let configuration: GatewayConfiguration
    public let spool: Spool
    let audit: GatewayAudit
    let log: @Sendable (String) -> Void

    private let lock = NSLock()
    private var arriving: [StudyID: Activity] = [:]
    private var openAssociations: [UInt64: OpenAssociation] = [:]
    private var stopRequested = false
    private var provider: StorageServiceProvider?
    private let stopLock = NSLock()
    private var lockFile: Int32 = -1

    struct StudyID: Hashable {
        var route: String
        var study: String
    }

    struct Activity {
        var first: Date
        var last: Date
        /// An association carrying the study ended: ask the source for its count.
        var countCheckWanted = false
        var lastCountCheck: Date?
    }

    struct OpenAssociation {
        var route: String
        var callingAET: String
        var address: String
        /// Instances received per keyed study.
        var studies: [String: Int] = [:]
    }

    public init(configuration: GatewayConfiguration, log: @escaping @Sendable (String) -> Void) throws {
        self.configuration = configuration
        // Refused at start, not at a study's release: without OCR no release could be cleaned.
        if let route = configuration.routes.first(where: { $0.cleanPixelData != nil }), !LineConfirmation.isAvailable {
            throw GatewayError(
                "route \(route.calledAET) cleans pixel data, which needs Tesseract OCR: install Debian's tesseract-ocr and tesseract-ocr-eng"
            )
        }
        self.spool = Spool(root: configuration.spool)
        self.log = log
        try spool.prepare()
        // One gateway per spool; what a crash left is cleared only under the lock.
        lockFile = open(configuration.spool + "/gateway.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFile >= 0, flock(lockFile, LOCK_EX | LOCK_NB) == 0 else {
            throw GatewayError("another gateway is running on this spool")
        }
        spool.recoverAfterCrash()
        audit = GatewayAudit(path: configuration.auditPath, syslog: configuration.auditSyslog)
        // Studies that were arriving when the last run ended: their quiet period starts again.
        let now = Date()
        for (route, study) in spool.incomingStudies() {
            arriving[StudyID(route: route, study: study)] = Activity(first: now, last: now)
        }
    }

    deinit {
        if lockFile >= 0 { close(lockFile) }
    }

    /// Opens the DICOM port. From now on associations are accepted or rejected.
    public func start() throws {
        provider = try StorageServiceProvider(
            aet: configuration.listenAET, port: configuration.port, temporaryFolder: spool.receiving,
            acseTimeout: configuration.acseTimeout, dimseTimeout: configuration.dimseTimeout,
            maxAssociations: configuration.maxAssociations, tls: configuration.tls, delegate: self)
        audit.record(
            .applicationActivity, action: "E", event: "application start",
            fields: [
                "port": Int(configuration.port), "routes": configuration.routes.map(\.calledAET),
                "tls": configuration.tls != nil,
            ])
        log(
            "listening on port \(configuration.port) for \(configuration.routes.map(\.calledAET).joined(separator: ", "))"
        )
    }

    /// Stops ``run()``: no new association from now on; returns once the associations in
    /// progress have ended. ``run()`` then returns after the step it is in.
    public func requestStop() {
        lock.withLock { stopRequested = true }
        stopListening()
    }

    /// Closes the port, once, whoever asks first (the signal handler or ``run()``).
    private func stopListening() {
        stopLock.withLock {
            provider?.stop()
            provider = nil
        }
    }

    var isStopping: Bool { lock.withLock { stopRequested } }

    /// Works until ``requestStop()``: releases, de-identifies, forwards.
    public func run(interval: Double = 0.2) {
        while !isStopping {
            step()
            Thread.sleep(forTimeInterval: interval)
        }
        stopListening()
        audit.record(.applicationActivity, action: "E", event: "application stop")
        log("stopped")
    }

    /// One pass over the spool.
    public func step() {
        releaseDueStudies()
        for unit in spool.units(in: .ready) {
            if isStopping { return }
            deidentify(unit)
        }
        for unit in spool.units(in: .deidentified) { spool.move(unit, from: .deidentified, to: .outbox) }
        for unit in spool.units(in: .outbox) {
            if isStopping { return }
            forward(unit)
        }
    }

    // MARK: Association policy and reception (storage SCP thread)

    public func decide(callingAET: String, calledAET: String, address: String) -> AssociationDecision {
        let calling = callingAET.trimmingCharacters(in: .whitespaces)
        guard let route = configuration.route(calledAET: calledAET.trimmingCharacters(in: .whitespaces)) else {
            return .calledAETNotRecognized
        }
        let sources = route.sources.filter { $0.aet == calling }
        if sources.isEmpty { return .callingAETNotRecognized }
        if sources.contains(where: { $0.hosts.isEmpty || $0.hosts.contains { $0.contains(address) } }) {
            return .accept
        }
        return .hostNotAllowed
    }

    public func associationAccepted(_ association: UInt64, callingAET: String, calledAET: String, address: String) {
        guard let route = configuration.route(calledAET: calledAET.trimmingCharacters(in: .whitespaces)) else { return }
        lock.withLock {
            openAssociations[association] = OpenAssociation(route: route.name, callingAET: callingAET, address: address)
        }
        audit.record(
            .beginTransferring, action: "E", event: "association accepted",
            fields: ["calling_aet": callingAET, "called_aet": calledAET, "address": address])
    }

    public func associationRejected(
        callingAET: String, calledAET: String, address: String, reason: AssociationDecision
    ) {
        audit.record(
            .securityAlert, action: "E", outcome: .minorFailure, event: "association rejected",
            fields: [
                "calling_aet": callingAET, "called_aet": calledAET, "address": address, "reason": reason.reason,
            ])
        log("rejected an association from \(callingAET)@\(address) to \(calledAET): \(reason.reason)")
    }

    public func associationEnded(_ association: UInt64) {
        let ended: OpenAssociation? = lock.withLock {
            guard let ended = openAssociations.removeValue(forKey: association) else { return nil }
            // The quiet period of its studies counts from now.
            for study in ended.studies.keys {
                arriving[StudyID(route: ended.route, study: study)]?.last = Date()
                arriving[StudyID(route: ended.route, study: study)]?.countCheckWanted = true
            }
            return ended
        }
        guard let ended else { return }
        for (study, count) in ended.studies.sorted(by: { $0.key < $1.key }) {
            audit.record(
                .instancesTransferred, action: "C", event: "instances received",
                fields: [
                    "route": ended.route, "study": study, "instances": count, "calling_aet": ended.callingAET,
                    "address": ended.address,
                ])
        }
    }

    public func instanceReceived(association: UInt64, temporaryPath: String) -> UInt16 {
        let outOfResources: UInt16 = 0xA700
        guard let routeName = lock.withLock({ openAssociations[association]?.route }),
            let route = configuration.route(named: routeName)
        else { return outOfResources }
        // Never accept what cannot be kept: the sender retries later.
        if spool.freeBytes() < configuration.minimumFreeBytes {
            audit.record(
                .instancesTransferred, action: "C", outcome: .minorFailure, event: "instance refused: spool full",
                fields: ["route": routeName])
            return outOfResources
        }
        let studyUID: String
        let sopUID: String
        do {
            let dataSet = try DICOMFile(path: temporaryPath).read().dataSet
            guard let study = dataSet.string(.studyInstanceUID)?.trimmingCharacters(in: .whitespaces),
                let sop = dataSet.string(.sopInstanceUID)?.trimmingCharacters(in: .whitespaces),
                !study.isEmpty, !sop.isEmpty
            else { return 0xC000 }
            studyUID = study
            sopUID = sop
        } catch {
            return 0xC000  // cannot understand
        }
        let keyed = KeyedIdentifiers(key: route.key)
        let study = keyed.replacementUID(for: studyUID)
        let sop = keyed.replacementUID(for: sopUID)
        return lock.withLock {
            let folder = spool.incomingStudy(route: routeName, study: study)
            do {
                try Spool.makePrivateFolder((folder as NSString).deletingLastPathComponent)
                try Spool.makePrivateFolder(folder)
            } catch { return outOfResources }
            guard rename(temporaryPath, "\(folder)/\(sop).dcm") == 0 else { return outOfResources }
            Spool.flushFolder(folder)
            let id = StudyID(route: routeName, study: study)
            let now = Date()
            arriving[id, default: Activity(first: now, last: now)].last = now
            openAssociations[association]?.studies[study, default: 0] += 1
            return 0
        }
    }

    // MARK: Release

    /// Releases every study that is complete: (1) as many instances arrived as the route's
    /// `count_from` source holds (C-FIND), else (2) quiet (no instance for `quiet_seconds`, no
    /// open association carrying it), else (3) `max_wait` since its first instance.
    func releaseDueStudies() {
        let now = Date()
        var due: [(StudyID, String)] = []
        // Studies whose count to ask the source for, and whether they are quiet.
        var counts: [(StudyID, Bool)] = []
        lock.withLock {
            let carried = Set(
                openAssociations.values.flatMap { association in
                    association.studies.keys.map { StudyID(route: association.route, study: $0) }
                })
            for (id, activity) in arriving {
                if now.timeIntervalSince(activity.first) >= configuration.maxWait {
                    due.append((id, "max_wait"))
                    continue
                }
                if carried.contains(id) { continue }
                let quiet = now.timeIntervalSince(activity.last) >= configuration.quietSeconds
                if configuration.route(named: id.route)?.countSource != nil {
                    let checkAgain = activity.lastCountCheck.map {
                        now.timeIntervalSince($0) >= configuration.quietSeconds
                    }
                    if activity.countCheckWanted || (quiet && checkAgain ?? true) {
                        arriving[id]?.countCheckWanted = false
                        arriving[id]?.lastCountCheck = now
                        counts.append((id, quiet))
                    }
                } else if quiet {
                    due.append((id, "quiet"))
                }
            }
        }
        for (id, quiet) in counts {
            let received = spool.subfolders(spool.incomingStudy(route: id.route, study: id.study)).count
            switch expectedCount(id) {
            case .some(let expected) where received >= expected: due.append((id, "count"))
            case .none where quiet: due.append((id, "quiet"))  // the source did not say: the quiet rule
            default: break  // fewer than the source holds: wait for the rest, or for max_wait
            }
        }
        for (id, reason) in due {
            // Under the lock: no instance of the study is being moved in meanwhile.
            lock.withLock {
                arriving[id] = nil
                _ = releaseLocked(route: id.route, study: id.study, reason: reason)
            }
        }
    }

    /// Number of Study Related Instances at the route's `count_from` node, by C-FIND with the
    /// original Study Instance UID (read from an instance received; never logged), or nil.
    func expectedCount(_ id: StudyID) -> Int? {
        guard let route = configuration.route(named: id.route), let source = route.countSource else { return nil }
        let folder = spool.incomingStudy(route: id.route, study: id.study)
        guard let first = spool.subfolders(folder).first,
            let uid = try? DICOMFile(path: "\(folder)/\(first)").read().dataSet.string(.studyInstanceUID)?
                .trimmingCharacters(in: .whitespaces)
        else { return nil }
        do {
            let client = try DIMSEClient(node: source, callingAET: configuration.callingAET)
            let retrieval = StudyRetrieval(
                client: client, local: LocalApplicationEntity(aet: configuration.callingAET), method: .move)
            return try retrieval.studies(matching: [QueryKey(.studyInstanceUID, uid)]).first?.expected
        } catch {
            log("\(id.route)/\(id.study): count from \(source.name): \(error.message)")
            return nil
        }
    }

    /// Makes a release of an arriving study (the caller holds the lock, or is the operator).
    func releaseLocked(route: String, study: String, reason: String) -> Spool.UnitName? {
        guard let unit = spool.release(route: route, study: study) else { return nil }
        let count = spool.subfolders(spool.path(unit, in: .ready) + "/raw").count
        let record = ReleaseRecord(
            route: route, study: study, release: unit.release, instances: count, reason: reason, releasedAt: Date())
        try? spool.write(record, for: unit, in: .ready)
        audit.record(
            .instancesAccessed, action: "R", event: "study released",
            fields: ["route": route, "study": study, "release": unit.release, "instances": count, "rule": reason])
        log("released \(unit) (\(count) instances, \(reason))")
        return unit
    }

    // MARK: De-identification

    func deidentify(_ unit: Spool.UnitName) {
        let folder = spool.path(unit, in: .ready)
        var record =
            spool.record(unit, in: .ready)
            ?? ReleaseRecord(
                route: unit.route, study: unit.study, release: unit.release,
                instances: spool.subfolders(folder + "/raw").count, reason: "recovered", releasedAt: Date())
        guard let route = configuration.route(named: unit.route) else {
            record.heldReason = "no route \(unit.route) in the configuration"
            try? spool.write(record, for: unit, in: .ready)
            spool.move(unit, from: .ready, to: .held)
            return
        }
        var batch = BatchConfiguration(outputFolder: folder + "/out", key: route.key)
        batch.profile = route.profile
        batch.deface = route.deface
        batch.defaceEars = route.defaceEars
        batch.cleanPixelData = route.cleanPixelData
        batch.jobs = configuration.jobs
        // Inputs that fail are kept for a person to look at, beside the quarantined releases.
        batch.quarantineFolder = spool.path(unit, in: .quarantine) + ".failed-inputs"
        // Nothing failed: no quarantine folder.
        defer { rmdir(batch.quarantineFolder!) }
        do {
            let summary = try BatchAnonymizer(batch).run(inputs: [folder + "/raw"])
            record.written = summary.counts.written
            record.unchanged = summary.counts.unchanged
            record.failed = summary.counts.failed
            try ReleaseManifestRecord(record).append(toManifest: summary.manifestPath ?? folder + "/out/manifest.jsonl")
            try spool.write(record, for: unit, in: .ready)
            spool.move(unit, from: .ready, to: .deidentified)
            audit.record(
                .instancesAccessed, action: "U", outcome: summary.counts.failed == 0 ? .success : .minorFailure,
                event: "de-identified",
                fields: [
                    "route": unit.route, "study": unit.study, "release": unit.release,
                    "written": summary.counts.written + summary.counts.unchanged, "failed": summary.counts.failed,
                ])
            log(
                "de-identified \(unit): \(summary.counts.written + summary.counts.unchanged) written, "
                    + "\(summary.counts.failed) failed")
        } catch {
            record.heldReason = "de-identification could not run: \(error)"
            try? spool.write(record, for: unit, in: .ready)
            spool.move(unit, from: .ready, to: .quarantine)
            audit.record(
                .instancesAccessed, action: "U", outcome: .seriousFailure, event: "de-identification failed",
                fields: ["route": unit.route, "study": unit.study, "release": unit.release])
            log("quarantined \(unit): \(error)")
        }
    }

    // MARK: Forwarding

    func forward(_ unit: Spool.UnitName) {
        let folder = spool.path(unit, in: .outbox)
        guard var record = spool.record(unit, in: .outbox), let route = configuration.route(named: unit.route) else {
            return
        }
        let now = Date()
        var held: String?
        var attempted = false
        for node in route.destinations {
            var delivery = record.destinations[node.name] ?? ReleaseRecord.Delivery()
            if delivery.delivered { continue }
            if let next = delivery.nextAttempt, next > now { continue }
            attempted = true
            delivery.attempts += 1
            delivery.lastAttempt = now
            var failure: String?
            do {
                let push = OutputPush(folder: folder + "/out", node: node, callingAET: configuration.callingAET)
                let summary = try push.run()
                delivery.sent = summary.sent + summary.alreadySent
                if summary.succeeded {
                    delivery.delivered = true
                    delivery.nextAttempt = nil
                    delivery.lastError = nil
                    audit.record(
                        .export, action: "R", event: "sent",
                        fields: [
                            "route": unit.route, "study": unit.study, "release": unit.release,
                            "destination": node.name, "instances": summary.sent,
                        ])
                } else {
                    failure = summary.stopped?.message ?? summary.failed.first ?? "not every instance was stored"
                }
            } catch {
                failure = error.description
            }
            if let failure {
                delivery.lastError = failure
                if let delay = configuration.retry.delay(afterFailures: delivery.attempts) {
                    delivery.nextAttempt = now.addingTimeInterval(delay)
                } else {
                    held = "\(node.name): retries used up: \(failure)"
                }
                audit.record(
                    .export, action: "R", outcome: .minorFailure, event: "send failed",
                    fields: [
                        "route": unit.route, "study": unit.study, "release": unit.release, "destination": node.name,
                        "attempt": delivery.attempts, "reason": failure,
                    ])
                log("\(unit) → \(node.name): attempt \(delivery.attempts) failed: \(failure)")
            }
            record.destinations[node.name] = delivery
        }
        let delivered = route.destinations.allSatisfy { record.destinations[$0.name]?.delivered == true }
        // Every destination confirmed before a crash (or a hold) kept the release here: finish it.
        guard attempted || delivered else { return }
        if delivered {
            // Every destination confirmed the de-identified copy: the originals go.
            try? FileManager.default.removeItem(atPath: folder + "/raw")
            Spool.flushFolder(folder)
            record.doneAt = Date()
            try? spool.write(record, for: unit, in: .outbox)
            spool.move(unit, from: .outbox, to: .done)
            log("delivered \(unit)")
        } else if let held {
            record.heldReason = held
            try? spool.write(record, for: unit, in: .outbox)
            spool.move(unit, from: .outbox, to: .held)
            audit.record(
                .export, action: "R", outcome: .seriousFailure, event: "held",
                fields: ["route": unit.route, "study": unit.study, "release": unit.release, "reason": held])
            log("held \(unit): \(held)")
        } else {
            try? spool.write(record, for: unit, in: .outbox)
        }
    }
}

public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
