import Foundation
import TestSupport
import Testing

/// Malformed, truncated and hostile inputs: each is one error line naming the file, a failed
/// record in the manifest, nothing written for it; the batch goes on and finishes in bounded time.
@Suite struct RobustnessTests {
    let key: String

    init() throws { key = try TestKey.path() }

    @Test(.temporaryFolder) func everyMalformedInputIsReportedAndNothingPartialIsWritten() throws {
        let corpus = try MalformedCorpus.load()
        let before = try Self.fingerprint(of: corpus.cases)
        let folder = try TemporaryFolder.current
        let output = folder.file("out")
        let start = Date()
        // `timeout` turns a hang into exit status 124.
        let run = try ExternalTool.run(
            "timeout",
            [
                "120", Binaries.veil, "anonymize", corpus.cases.path, "-o", output.path,
                "--key-file", key, "--paths", "show", "--jobs", "2", "-v",
            ])
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(run.status == 1, "exit status \(run.status): \(run.standardError.suffix(500))")

        let errorLines = run.standardError.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let writtenLines = run.standardOutput.split(separator: "\n").map(String.init)
        for (relative, expectation) in corpus.expected.sorted(by: { $0.key < $1.key }) {
            let name = MalformedCorpus.printable(corpus.cases.appendingPathComponent(relative).path)
            let errors = errorLines.filter { $0.hasPrefix(name + ": error: ") }
            let written = writtenLines.filter { $0.hasPrefix(name + " -> ") }
            switch expectation.expected {
            case "failed":
                #expect(
                    errors.count == 1 && written.isEmpty,
                    "\(relative) (\(expectation.why)) must fail with one error line")
            case "written":
                #expect(errors.isEmpty && written.count == 1, "\(relative) (\(expectation.why)) must be written")
            default:
                #expect(errors.isEmpty && written.isEmpty, "\(relative) (\(expectation.why)) must be skipped")
            }
        }
        // Every line on stderr is a diagnostic of one input, or the run's own notes.
        for line in errorLines where !line.isEmpty {
            #expect(line.hasPrefix(corpus.cases.path) || line.hasPrefix("veil: "), "stray line: \(line)")
        }

        let records = try GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl"))
        let statuses = try records.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .compactMap { $0?["status"] as? String }
        #expect(statuses.count == corpus.expected.count)
        for status in ["failed", "written", "skipped"] {
            #expect(
                statuses.filter { $0 == status }.count == corpus.expected.values.filter { $0.expected == status }.count,
                "\(status)")
        }
        let outputs = try FileManager.default.subpathsOfDirectory(atPath: output.path)
        #expect(!outputs.contains { $0.hasSuffix(".partial") || $0.hasSuffix(".journal") })
        #expect(
            outputs.filter { $0.hasSuffix(".dcm") }.count
                == corpus.expected.values.filter { $0.expected == "written" }.count)

        let scanner = PHIScanner(MalformedCorpus.plantedStrings)
        #expect(scanner.findings(in: Data((run.standardOutput + run.standardError).utf8)).isEmpty)
        #expect(scanner.findings(in: try Data(contentsOf: output.appendingPathComponent("manifest.jsonl"))).isEmpty)
        #expect(try Self.fingerprint(of: corpus.cases) == before, "inputs must never change")
    }

    /// The same hostile inputs with every pass on (quarantine, defacing, representations): the run
    /// ends, every input has a record, and the quarantine holds copies of regular files only (a
    /// named pipe among the inputs must not be opened).
    @Test(.temporaryFolder) func everyPassSurvivesMalformedInputs() throws {
        let corpus = try MalformedCorpus.load()
        let folder = try TemporaryFolder.current
        let output = folder.file("out")
        let quarantine = folder.file("quarantine")
        let run = try ExternalTool.run(
            "timeout",
            [
                "120", Binaries.veil, "anonymize", corpus.cases.path, "-o", output.path,
                "--key-file", key, "--quarantine", quarantine.path, "--deface", "--clean-pixel-data", "all",
                "--representations", "nifti,png",
            ])
        #expect(run.status == 1, "exit status \(run.status) (124: hung): \(run.standardError.suffix(300))")
        let records = try GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl"))
        #expect(records.filter { $0.contains("\"type\":\"file\"") }.count == corpus.expected.count)
        for name in try FileManager.default.contentsOfDirectory(atPath: quarantine.path) {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: quarantine.appendingPathComponent(name).path)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular, "\(name)")
        }
    }

    /// Real-world oddities: every test file the corpus packages ship, valid or not (pydicom's
    /// deliberately broken ones included), is written, skipped or failed, and the run ends.
    @Test(.temporaryFolder) func everyPublicTestFileIsAccountedFor() throws {
        let corpus = TestPaths.testData.appendingPathComponent("corpus")
        let folder = try TemporaryFolder.current
        let run = try ExternalTool.run(
            "timeout",
            [
                "300", Binaries.veil, "anonymize", corpus.path, "-o", folder.file("out").path,
                "--key-file", key, "--jobs", "2",
            ])
        #expect(run.status == 1, "exit status \(run.status)")  // some of them are broken on purpose
        let inputs = try FileManager.default.subpathsOfDirectory(atPath: corpus.path).filter {
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: corpus.appendingPathComponent($0).path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        let records = try GeneratedCorpus.manifestRecords(folder.file("out/manifest.jsonl"))
        #expect(records.count == inputs.count)
    }

    /// Inputs the fuzzer (Scripts/fuzz.sh) once broke Veil with, kept after the fix: each is
    /// written or refused without a crash, and every output opens and de-identifies again (the
    /// fuzzer's own oracle).
    @Test(.temporaryFolder) func fuzzFindingsStayFixed() throws {
        let findings = TestPaths.repository.appendingPathComponent("Tests/Fixtures/fuzz-regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: findings.path).filter { !$0.hasPrefix(".") }
        #expect(!names.isEmpty)
        let folder = try TemporaryFolder.current
        let first = try ExternalTool.run(
            "timeout",
            [
                "120", Binaries.veil, "anonymize", findings.path, "-o", folder.file("once").path,
                "--key-file", key, "--jobs", "1",
            ])
        #expect(
            first.status == 0 || first.status == 1, "exit status \(first.status): \(first.standardError.suffix(400))")
        let records = try GeneratedCorpus.manifestRecords(folder.file("once/manifest.jsonl"))
        #expect(records.count == names.count)
        let outputs = try GeneratedCorpus.dicomFiles(under: folder.file("once"))
        let again = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", folder.file("once").path, "-o", folder.file("twice").path,
                "--key-file", key, "--jobs", "1",
            ])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try GeneratedCorpus.dicomFiles(under: folder.file("twice")).count == outputs.count)
    }

    /// A folder that cannot be listed is one error line, and the rest of the batch goes on. Root
    /// reads every folder, so as root the run drops to the `nobody` user.
    @Test(.temporaryFolder) func unreadableFolderIsReported() throws {
        let folder = try TemporaryFolder.current
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        let input = folder.file("in")
        let locked = input.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: TestPaths.sampleScans.appendingPathComponent("CT-head-1.dcm"),
            to: locked.appendingPathComponent("CT.dcm"))
        try FileManager.default.copyItem(
            at: TestPaths.sampleScans.appendingPathComponent("CT-head-2.dcm"),
            to: input.appendingPathComponent("CT.dcm"))
        for path in [folder.path, input.path] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        let output = folder.file("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: output.path)

        var command = [Binaries.veil, "anonymize", input.path, "-o", output.path, "--paths", "show"]
        if getuid() == 0 {
            try ExternalTool.require("setpriv", package: "util-linux")
            command = ["--reuid=65534", "--regid=65534", "--clear-groups"] + command
        }
        let run = try ExternalTool.run(getuid() == 0 ? "setpriv" : command.removeFirst(), command)
        #expect(run.status == 1, "\(run.standardError)")
        #expect(run.standardError.contains("\(locked.path): error: cannot list folder"))
        #expect(run.standardOutput.contains("2 files in: 1 written"))
    }

    /// Sizes and modification times of every regular file: inputs must come out untouched.
    static func fingerprint(of folder: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: folder.path) {
            var status = stat()
            guard lstat(folder.appendingPathComponent(relative).path, &status) == 0, status.st_mode & S_IFMT == S_IFREG
            else { continue }
            result[relative] = "\(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
        }
        return result
    }
}
