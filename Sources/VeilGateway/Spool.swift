import DICOMIO
import Foundation

/// The gateway's spool: a state machine of folders, changed only by renames and atomic writes,
/// so that a process killed at any moment leaves every instance in exactly one state.
///
/// ```
/// incoming/<route>/<study>/<sop>.dcm        raw instances of a study still arriving
/// incoming/.receiving/                       C-STORE data being received (removed at start)
/// ready/<route>/<study>.r<n>/raw/            a release: raw instances, waiting for de-identification
/// de-identified/<route>/<study>.r<n>/out/    de-identified (manifest.jsonl), raw kept until delivered
/// outbox/<route>/<study>.r<n>/               being forwarded (push journals beside the manifest)
/// done/<route>/<study>.r<n>/                 every destination confirmed; raw removed
/// held/<route>/<study>.r<n>/                 retries used up or held by the operator
/// quarantine/<route>/<study>.r<n>/           the pipeline could not run; inputs that failed
/// ```
///
/// `<study>` and `<sop>` are the keyed replacement UIDs of the route's key (the UIDs the
/// destination receives), never an original value. Every folder is mode 0700.
public struct Spool: Sendable {
    public enum State: String, Sendable, CaseIterable, Codable {
        case incoming, ready
        case deidentified = "de-identified"
        case outbox, done, held, quarantine
    }

    /// A release of a study: `<study>.r<n>` under a route, in some state.
    public struct UnitName: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var route: String
        public var study: String
        public var release: Int

        public var folderName: String { "\(study).r\(release)" }
        public var description: String { "\(route)/\(folderName)" }

        init(route: String, study: String, release: Int) {
            self.route = route
            self.study = study
            self.release = release
        }

        init?(route: String, folderName: String) {
            guard let dot = folderName.range(of: ".r", options: .backwards),
                let release = Int(folderName[dot.upperBound...])
            else { return nil }
            self.init(route: route, study: String(folderName[..<dot.lowerBound]), release: release)
        }

        public static func < (left: UnitName, right: UnitName) -> Bool {
            (left.route, left.study, left.release) < (right.route, right.study, right.release)
        }
    }

    public let root: String

    public init(root: String) { self.root = root }

    public func folder(_ state: State) -> String { (root as NSString).appendingPathComponent(state.rawValue) }
    public var receiving: String { (folder(.incoming) as NSString).appendingPathComponent(".receiving") }

    public func incomingStudy(route: String, study: String) -> String {
        "\(folder(.incoming))/\(route)/\(study)"
    }

    public func path(_ unit: UnitName, in state: State) -> String {
        "\(folder(state))/\(unit.route)/\(unit.folderName)"
    }

    /// Creates the spool (mode 0700 throughout).
    public func prepare() throws {
        try Self.makePrivateFolder(root)
        chmod(root, 0o700)
        for state in State.allCases { try Self.makePrivateFolder(folder(state)) }
        try Self.makePrivateFolder(receiving)
    }

    /// Removes what a crash cut short: receptions, releases being made, temporary files of atomic
    /// writes. Only under the spool's lock: another gateway's work in progress looks the same.
    public func recoverAfterCrash() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: receiving)) ?? [] {
            unlink("\(receiving)/\(name)")
        }
        // A release interrupted between making its folder and moving the instances in.
        for unit in units(in: .ready) where !FileManager.default.fileExists(atPath: path(unit, in: .ready) + "/raw") {
            try? FileManager.default.removeItem(atPath: path(unit, in: .ready))
        }
        // Temporary files of atomic writes a crash cut short (a release record, a batch output):
        // the finished files are whole or absent.
        if let walk = FileManager.default.enumerator(atPath: root) {
            for case let relative as String in walk
            where AtomicFile.temporaryFileOwner(of: (relative as NSString).lastPathComponent) != nil {
                unlink((root as NSString).appendingPathComponent(relative))
            }
        }
    }

    static func makePrivateFolder(_ path: String) throws {
        if mkdir(path, 0o700) == 0 {
            Self.flushFolder((path as NSString).deletingLastPathComponent)
            return
        }
        guard errno == EEXIST else {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return
        }
    }

    static func flushFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// The studies still arriving: (route, keyed study).
    public func incomingStudies() -> [(route: String, study: String)] {
        var result: [(String, String)] = []
        for route in subfolders(folder(.incoming)) where !route.hasPrefix(".") {
            for study in subfolders("\(folder(.incoming))/\(route)") { result.append((route, study)) }
        }
        return result
    }

    public func units(in state: State) -> [UnitName] {
        var result: [UnitName] = []
        for route in subfolders(folder(state)) where !route.hasPrefix(".") {
            for name in subfolders("\(folder(state))/\(route)") {
                if let unit = UnitName(route: route, folderName: name) { result.append(unit) }
            }
        }
        return result.sorted()
    }

    /// Where `unit` is now, if anywhere.
    public func state(of unit: UnitName) -> State? {
        State.allCases.first { $0 != .incoming && FileManager.default.fileExists(atPath: path(unit, in: $0)) }
    }

    /// The next release number of a study: one more than any release in any state.
    func nextRelease(route: String, study: String) -> Int {
        var highest = 0
        for state in State.allCases where state != .incoming {
            for name in subfolders("\(folder(state))/\(route)") {
                if let unit = UnitName(route: route, folderName: name), unit.study == study {
                    highest = max(highest, unit.release)
                }
            }
        }
        return highest + 1
    }

    /// Moves a unit to another state by one rename; false when it is not where expected.
    @discardableResult
    public func move(_ unit: UnitName, from: State, to: State) -> Bool {
        let target = "\(folder(to))/\(unit.route)"
        try? Self.makePrivateFolder(target)
        guard rename(path(unit, in: from), path(unit, in: to)) == 0 else { return false }
        Self.flushFolder(target)
        Self.flushFolder("\(folder(from))/\(unit.route)")
        return true
    }

    /// Makes a release of the study still arriving: its folder becomes the release's `raw`.
    /// Instances arriving later start a new incoming folder: the next release, an increment.
    func release(route: String, study: String) -> UnitName? {
        let source = incomingStudy(route: route, study: study)
        guard FileManager.default.fileExists(atPath: source) else { return nil }
        let unit = UnitName(route: route, study: study, release: nextRelease(route: route, study: study))
        let folder = path(unit, in: .ready)
        do {
            try Self.makePrivateFolder("\(self.folder(.ready))/\(route)")
            try Self.makePrivateFolder(folder)
        } catch { return nil }
        guard rename(source, folder + "/raw") == 0 else {
            try? FileManager.default.removeItem(atPath: folder)
            return nil
        }
        Self.flushFolder(folder)
        Self.flushFolder((source as NSString).deletingLastPathComponent)
        return unit
    }

    func subfolders(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Bytes free for us on the spool's file system.
    public func freeBytes() -> UInt64 {
        var info = statvfs()
        guard statvfs(root, &info) == 0 else { return 0 }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    // MARK: Unit records

    public func record(_ unit: UnitName, in state: State) -> ReleaseRecord? {
        guard let data = FileManager.default.contents(atPath: path(unit, in: state) + "/release.json") else {
            return nil
        }
        return try? ReleaseRecord.decoder.decode(ReleaseRecord.self, from: data)
    }

    public func write(_ record: ReleaseRecord, for unit: UnitName, in state: State) throws {
        let data = try ReleaseRecord.encoder.encode(record)
        try AtomicFile.write(Array(data), to: path(unit, in: state) + "/release.json", permissions: 0o600)
    }
}

/// What the spool knows of one release (`release.json`, written atomically): keyed identifiers,
/// counts, reasons and forwarding state; never an original value.
public struct ReleaseRecord: Codable, Sendable {
    public var route: String
    public var study: String
    public var release: Int
    public var instances: Int
    /// quiet, max_wait or operator.
    public var reason: String
    public var releasedAt: Date
    public var written: Int?
    public var unchanged: Int?
    public var failed: Int?
    public var destinations: [String: Delivery] = [:]
    public var heldReason: String?
    public var doneAt: Date?

    public struct Delivery: Codable, Sendable {
        public var delivered = false
        public var attempts = 0
        public var sent = 0
        public var nextAttempt: Date?
        public var lastError: String?
        public var lastAttempt: Date?
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
