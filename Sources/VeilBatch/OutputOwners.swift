import Foundation

/// Which inputs of this run meet at each output path. Outputs are named by the new SOP Instance
/// UID, so two inputs with the same SOP Instance UID (one instance exported twice, in two
/// transfer syntaxes; a toolkit's test variants) meet at one path. Whatever the order in which
/// `--jobs` workers finish, the run ends the same way:
/// - the path holds the output of the input first in input order (lowest index);
/// - its record is the full `written` record; inputs whose output is identical to it are
///   `unchanged`, the others fail with `duplicate-sop-instance-uid`; both records name it;
/// - when an input first in input order comes late, it takes the path over, and the records of
///   the inputs already there are amended (see ``RunRecorder``).
///
/// Memory: one small entry per output of the run, and the digests of duplicates.
final class OutputOwners: @unchecked Sendable {
    struct Input: Sendable {
        var index: Int
        var inputID: String
    }

    /// What an input's record says.
    struct Record: Equatable, Sendable {
        var status: FileOutcome.Status
        var reason: String?
        var message: String?
    }

    struct Member: Sendable {
        var input: Input
        /// SHA-256 of the input's de-identified output; nil until a duplicate needs it.
        var digest: [UInt8]?
        var record: Record
    }

    /// The inputs that meet at one path.
    struct Owner: Sendable {
        var members: [Member]
        /// Still being written by the input that claimed the path first.
        var pending: Bool
        /// SHA-256 of the file at the path, once a duplicate needed it.
        var digest: [UInt8]?

        /// How a duplicate with output `digest` settles: its own record, whether its output
        /// replaces the file at the path, and the records of other inputs that change.
        mutating func settle(_ input: Input, digest mine: [UInt8], current: [UInt8]) -> Settlement {
            digest = current
            for index in members.indices where members[index].digest == nil { members[index].digest = current }
            let lowest = members.filter { $0.digest == current }.map(\.input.index).min() ?? Int.max
            let replaces = mine != current && input.index < lowest
            if replaces { digest = mine }
            // A new first input of the path's content becomes its writer: written, or, if the file
            // was already there before this run, what its writer's record says.
            let writerStatus = members.first { $0.digest == current && $0.input.index == lowest }?.record.status
            members.append(Member(input: input, digest: mine, record: Record(status: .written)))
            let content = digest
            let first = members.filter { $0.digest == content }.map(\.input.index).min()!
            var changed: [(Input, previous: FileOutcome.Status, Record)] = []
            var own = Record(status: .written)
            for index in members.indices {
                let member = members[index]
                let wanted: Record
                if member.input.index == first {
                    wanted =
                        member.input.index == input.index && !replaces
                        ? Record(status: writerStatus ?? .written) : member.record
                } else if member.digest == content {
                    wanted = Record(
                        status: .unchanged,
                        message: "duplicate SOP Instance UID of input #\(first) (identical after de-identification)")
                } else {
                    let failure = BatchFileFailure.duplicate(of: first)
                    wanted = Record(status: .failed, reason: failure.code, message: failure.message)
                }
                if member.input.index == input.index {
                    own = wanted
                } else if wanted != member.record {
                    changed.append((member.input, member.record.status, wanted))
                }
                members[index].record = wanted
            }
            return Settlement(record: own, replaces: replaces, amended: changed)
        }
    }

    struct Settlement {
        var record: Record
        var replaces: Bool
        var amended: [(Input, previous: FileOutcome.Status, Record)]
    }

    enum Claim {
        /// No input of this run has this path yet: write it.
        case first
        /// Another input has it: settle with ``resolveDuplicate(_:_:)``.
        case duplicate
    }

    private let condition = NSCondition()
    private var owners: [UInt64: Owner] = [:]

    static func key(_ relativePath: String) -> UInt64 { FNV1a.hash(relativePath) }

    /// Claims `key` for `input`, or, when another input has it, waits until that input's write
    /// is over and answers `.duplicate`.
    func claim(_ key: UInt64, for input: Input) -> Claim {
        condition.lock()
        defer { condition.unlock() }
        while let owner = owners[key], owner.pending { condition.wait() }
        if owners[key] != nil { return .duplicate }
        owners[key] = Owner(members: [Member(input: input, record: Record(status: .written))], pending: true)
        return .first
    }

    /// The first claimant's write is over: it has the path with `status`, or, when it wrote
    /// nothing (a failure), the path is free again for the duplicates waiting for it.
    func finishFirst(_ key: UInt64, status: FileOutcome.Status?) {
        condition.lock()
        if let status {
            owners[key]?.pending = false
            owners[key]?.members[0].record = Record(status: status)
        } else {
            owners[key] = nil
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` on the owner of `key`, one duplicate at a time (duplicates are rare: the lock
    /// is held while the duplicate's output is compared or moved).
    func resolveDuplicate<T>(_ key: UInt64, _ body: (inout Owner?) throws -> T) rethrows -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&owners[key])
    }

    /// An output an interrupted run already wrote and recorded (the first input to claim it, in
    /// input order, keeps it).
    func seed(_ relativePath: String, input: Input, status: FileOutcome.Status) {
        condition.lock()
        let key = Self.key(relativePath)
        if owners[key] == nil {
            owners[key] = Owner(members: [Member(input: input, record: Record(status: status))], pending: false)
        }
        condition.unlock()
    }
}
