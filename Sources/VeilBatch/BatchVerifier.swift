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
        let reports = Collector<Report>()
        let problems = Collector<(path: String, reason: String)>()
        InputDiscovery(inputs).forEach(jobs: jobs) { item in
            switch item {
            case .file(let index, let path):
                guard let report = check(path, index: index) else { return }
                reports.store(report, index: index)
                progress(report)
            case .problem(let index, let path, let reason):
                problems.store((path, reason), index: index)
            }
        }
        let checked = reports.inOrder
        return Summary(filesChecked: checked.count, reports: checked, problems: problems.inOrder)
    }

    private func check(_ path: String, index: Int) -> Report? {
        do {
            let file = try DICOMFile(path: path)
            let object = try file.read()
            return Report(index: index, path: path, findings: verifier.findings(in: object))
        } catch {
            if error.kind == .notDICOM && !BatchFileFailure.hasDICOMExtension(path) { return nil }
            return Report(index: index, path: path, findings: [], error: error.message)
        }
    }
}
