import DICOMCore
import DICOMIO
import Deidentification
import Dispatch
import Foundation
import TextRedaction

/// Checks folders of DICOM files for residual identity (`veil verify`).
public struct BatchVerifier: Sendable {
    public let verifier: ResidualRiskVerifier
    public let jobs: Int

    /// Whether the pixels are screened for text: pixel checks asked for and Tesseract installed.
    public let readsPixels: Bool

    public init(scope: ResidualRiskVerifier.Scope = .all, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        verifier = ResidualRiskVerifier(scope: scope)
        self.jobs = jobs
        readsPixels = scope != .metadata && LineConfirmation.isAvailable
    }

    /// Text left in the pixels, one finding per frame that has some: what `--clean-pixel-data`
    /// would screen, whatever the header says (a file marked Burned In Annotation NO included).
    private func textFindings(_ file: borrowing DICOMFile, _ dataSet: DataSet) -> [ResidualRiskVerifier.Finding] {
        let path = DICOMTag.pixelData.description
        do {
            let pixels = try file.decodePixels()
            let flagged = TextTriage.reason(dataSet, scope: .flagged) != nil
            let found = try TextScreen().findings(
                pixels, dataSet: dataSet, flagged: flagged, bulkValue: { try file.bulkValue($0) })
            let frames = Dictionary(grouping: found, by: \.frame).sorted { $0.key < $1.key }
            return frames.map { frame, lines -> ResidualRiskVerifier.Finding in
                let boxes: [String] = lines.map { line in
                    let box = line.box
                    return "\(box.x0),\(box.y0)-\(box.x1),\(box.y1)"
                }
                var message = "\(lines.count) line(s) of text in the pixels at " + boxes.joined(separator: " ")
                if lines.contains(where: \.showsHeaderValue) { message += ", showing a name, ID or date of the header" }
                return ResidualRiskVerifier.Finding(
                    kind: .textInPixels, path: "\(path) frame \(frame + 1)", message: message)
            }
        } catch {
            return [
                ResidualRiskVerifier.Finding(
                    kind: .textInPixels, path: path, message: "the pixels could not be read for text: \(error)")
            ]
        }
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
            var findings = verifier.findings(in: object)
            if readsPixels, object.dataSet[.pixelData] != nil { findings += textFindings(file, object.dataSet) }
            return Report(index: index, path: path, findings: findings)
        } catch {
            if error.kind == .notDICOM && !BatchFileFailure.hasDICOMExtension(path) { return nil }
            return Report(index: index, path: path, findings: [], error: error.message)
        }
    }
}
