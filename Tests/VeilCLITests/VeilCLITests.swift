import Foundation
import Testing
import TestSupport

/// The `veil` executable, run the way a user runs it.
@Suite struct VeilCLITests {
    func veil(_ arguments: [String]) throws -> ToolRun {
        try ExternalTool.run(Binaries.veil, arguments)
    }

    @Test func helpExplainsCommandsAndExitStatus() throws {
        let help = try veil(["--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("anonymize"))
        #expect(help.standardOutput.contains("keygen"))
        #expect(help.standardOutput.contains("Exit status"))
        let anonymize = try veil(["anonymize", "--help"])
        for option in ["--output", "--key-file", "--jobs", "--dry-run", "--manifest", "--mapping"] {
            #expect(anonymize.standardOutput.contains(option), "\(option)")
        }
    }

    @Test func anonymizesTheSampleScans() throws {
        let folder = TemporaryFolder()
        let key = folder.file("project.key").path
        #expect(try veil(["keygen", key]).status == 0)
        let run = try veil(["anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("6 files in: 5 written, 0 unchanged, 1 skipped, 0 failed"))
        #expect(run.standardError.isEmpty)
        #expect(FileManager.default.fileExists(atPath: folder.file("out/manifest.jsonl").path))
        // Same key, same inputs: a second run finds everything in place.
        let again = try veil(["anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key])
        #expect(again.standardOutput.contains("5 unchanged"))
    }

    @Test func reportsEachFailureOnOneLineWithoutPathsByDefault() throws {
        let folder = TemporaryFolder()
        let run = try veil(["anonymize", TestPaths.brokenCorpus.path, "--output", folder.file("out").path])
        #expect(run.status == 1)
        let errors = run.standardError.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.count == TestPaths.dicomFiles(in: TestPaths.brokenCorpus).count)
        #expect(errors.allSatisfy { $0.hasPrefix("input #") })
        #expect(!run.standardError.contains(TestPaths.brokenCorpus.path))
        let shown = try veil(["anonymize", TestPaths.brokenCorpus.path, "--output", folder.file("out2").path, "--paths", "show"])
        #expect(shown.standardError.contains(TestPaths.brokenCorpus.appendingPathComponent("empty.dcm").path + ": error: "))
    }

    @Test func keygenWritesAPrivateKeyAndNeverOverwrites() throws {
        let folder = TemporaryFolder()
        let key = folder.file("k.key").path
        #expect(try veil(["keygen", key]).status == 0)
        let permissions = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: key))
        let second = try veil(["keygen", key])
        #expect(second.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: key)) == before)
    }

    @Test func refusesAKeyOthersCanRead() throws {
        let folder = TemporaryFolder()
        let key = folder.file("k.key").path
        #expect(try veil(["keygen", key]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let run = try veil(["anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key])
        #expect(run.status == 2)
        #expect(run.standardError.contains("chmod 600"))
        let keyText = try String(contentsOfFile: key, encoding: .utf8).split(separator: "\n").last { !$0.hasPrefix("#") } ?? ""
        #expect(!run.standardError.contains(keyText))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out").path))
    }

    @Test func dryRunListsActionsAndWritesNothing() throws {
        let folder = TemporaryFolder()
        let run = try veil(["anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--dry-run"])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("(0010,0010)"))
        #expect(run.standardOutput.contains("(0040,0275)"))
        #expect(!run.standardOutput.lowercased().contains("doe"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out").path))
    }

    @Test func rejectsAnIncompleteCommandLine() throws {
        let run = try veil(["anonymize", TestPaths.sampleScans.path])
        #expect(run.status == 64)
        #expect(run.standardError.contains("--output"))
    }
}
