import DICOMIO
import Deidentification
import Dispatch
import Foundation

/// Checks folders of DICOM files for residual identity (`veil verify`).
public struct BatchVerifier: Sendable {
    public let verifier: ResidualRiskVerifier
    public let jobs: Int

    public init(scope: ResidualRiskVerifier.Scope = .all, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        verifier = ResidualRiskVerifier(scope: scope)
        self.jobs = jobs
    }

    /// One file's findings; `error` when it could not be read.
    public struct Report: Sendable {
        public var index: Int
        public var path: String
        public var findings: [ResidualRiskVerifier.Finding]
        /// Set when the file is DICOM but could not be read; non-DICOM files are left out.
        public var error: String?
    }

    public struct Summary: Sendable {
        public var filesChecked: Int
        public var reports: [Report]
        public var problems: [(path: String, reason: String)]
        /// True when nothing was found and every DICOM file could be read.
        public var clean: Bool { problems.isEmpty && reports.allSatisfy { $0.findings.isEmpty && $0.error == nil } }
    }

    public func run(inputs: [String], progress: @Sendable (Report) -> Void = { _ in }) -> Summary {
        let discovered = InputDiscovery.discover(inputs)
        let files = discovered.files
        let collected = ReportCollector(count: files.count)
        let next = NextIndex()
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, files.count))) { _ in
            while let index = next.take(below: files.count) {
                guard let report = check(files[index], index: index) else { continue }
                collected.store(report)
                progress(report)
            }
        }
        let checked = collected.reports
        return Summary(filesChecked: checked.count, reports: checked, problems: discovered.problems)
    }

    private func check(_ path: String, index: Int) -> Report? {
        do {
            let file = try DICOMFile(path: path)
            let object = try file.read()
            return Report(index: index, path: path, findings: verifier.findings(in: object))
        } catch {
            if error.kind == .notDICOM && !BatchAnonymizer.hasDICOMExtension(path) { return nil }
            return Report(index: index, path: path, findings: [], error: error.message)
        }
    }
}

/// Collects reports from worker threads, in input order.
private final class ReportCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [BatchVerifier.Report?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ report: BatchVerifier.Report) { lock.withLock { slots[report.index] = report } }
    var reports: [BatchVerifier.Report] { lock.withLock { slots.compactMap { $0 } } }
}
