import Deidentification
import Foundation
import TestSupport
import Testing
import VeilBatch

/// `veil verify`: every PHI-bearing file of the raw corpus is flagged; Veil's own output is not.
@Suite struct VerifyTests {
    @Test func flagsEveryRawFile() throws {
        let summary = BatchVerifier(scope: .metadata).run(inputs: [
            TestPaths.plantedCorpus.path, TestPaths.sampleScans.path,
        ])
        #expect(try summary.filesChecked == PlantedCorpusCount.value() + 5)
        for report in summary.reports {
            #expect(!report.findings.isEmpty, "\(report.path) was not flagged")
            #expect(report.findings.contains { $0.kind == .markers })
        }
        let kinds = Set(summary.reports.flatMap { $0.findings.map(\.kind) })
        #expect(kinds.isSuperset(of: [.identifyingAttribute, .privateAttribute, .originalUIDs, .markers, .freeText]))
    }

    @Test func findsNothingInVeilsOutput() throws {
        for run in [try CorpusRun.get(), try CorpusRun.withAllOptions.get()] {
            let summary = BatchVerifier(scope: .metadata).run(inputs: [run.output.path])
            let flagged = summary.reports.filter { !$0.findings.isEmpty }
            #expect(
                flagged.isEmpty,
                "\(flagged.map { "\($0.path): \($0.findings.map { "\($0.kind.rawValue) \($0.path)" })" })")
            #expect(summary.filesChecked == run.summary.counts.written)
        }
    }

    /// Pixel-level risks stay until pixel cleaning and defacing run: ultrasound and secondary
    /// captures carry text, head CT and MR carry faces.
    @Test func flagsPixelRisks() throws {
        let run = try CorpusRun.get()
        let summary = BatchVerifier(scope: .pixels).run(inputs: [run.output.path])
        let kinds = summary.reports.flatMap { $0.findings.map(\.kind) }
        #expect(kinds.contains(.burnedInText))
        #expect(kinds.contains(.face))
        #expect(!kinds.contains(.identifyingAttribute))
    }

    /// Findings name attributes, never their values.
    @Test func findingsHoldNoValues() throws {
        let corpus = try PlantedCorpus.load()
        let summary = BatchVerifier().run(inputs: [TestPaths.plantedCorpus.path])
        let text = summary.reports.flatMap { $0.findings.map { "\($0.path) \($0.message)" } }.joined(separator: "\n")
        #expect(corpus.scanner().findings(in: Data(text.utf8)).isEmpty)
    }
}

enum PlantedCorpusCount {
    static func value() throws -> Int { try TestPaths.dicomFiles(in: TestPaths.plantedCorpus).count }
}
