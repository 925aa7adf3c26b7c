import Foundation
import TestSupport
import Testing

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

    @Test(.temporaryFolder) func anonymizesTheSampleScans() throws {
        let folder = try TemporaryFolder.current
        let key = folder.file("project.key").path
        #expect(try veil(["keygen", key]).status == 0)
        let run = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key,
        ])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("6 files in: 5 written, 0 unchanged, 1 skipped, 0 failed"))
        #expect(run.standardError.isEmpty)
        #expect(FileManager.default.fileExists(atPath: folder.file("out/manifest.jsonl").path))
        // Same key, same inputs: a second run finds everything in place.
        let again = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key,
        ])
        #expect(again.standardOutput.contains("5 unchanged"))
    }

    @Test(.temporaryFolder) func reportsEachFailureOnOneLineWithoutPathsByDefault() throws {
        let folder = try TemporaryFolder.current
        let run = try veil(["anonymize", TestPaths.brokenCorpus.path, "--output", folder.file("out").path])
        #expect(run.status == 1)
        let errors = run.standardError.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(try errors.count == TestPaths.dicomFiles(in: TestPaths.brokenCorpus).count)
        #expect(errors.allSatisfy { $0.hasPrefix("input #") })
        #expect(!run.standardError.contains(TestPaths.brokenCorpus.path))
        let shown = try veil([
            "anonymize", TestPaths.brokenCorpus.path, "--output", folder.file("out2").path, "--paths", "show",
        ])
        #expect(
            shown.standardError.contains(TestPaths.brokenCorpus.appendingPathComponent("empty.dcm").path + ": error: "))
    }

    @Test(.temporaryFolder) func keygenWritesAPrivateKeyAndNeverOverwrites() throws {
        let folder = try TemporaryFolder.current
        let key = folder.file("k.key").path
        #expect(try veil(["keygen", key]).status == 0)
        let permissions = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: key))
        let second = try veil(["keygen", key])
        #expect(second.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: key)) == before)
    }

    @Test(.temporaryFolder) func refusesAKeyOthersCanRead() throws {
        let folder = try TemporaryFolder.current
        let key = folder.file("k.key").path
        #expect(try veil(["keygen", key]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let run = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key,
        ])
        #expect(run.status == 2)
        #expect(run.standardError.contains("chmod 600"))
        let keyText =
            try String(contentsOfFile: key, encoding: .utf8).split(separator: "\n").last { !$0.hasPrefix("#") } ?? ""
        #expect(!run.standardError.contains(keyText))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out").path))
    }

    @Test(.temporaryFolder) func dryRunListsActionsAndWritesNothing() throws {
        let folder = try TemporaryFolder.current
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

/// The commands of the second issue: options, profiles, verify, pseudonymize and reidentify.
@Suite struct VeilCLIOptionTests {
    func veil(_ arguments: [String]) throws -> ToolRun {
        try ExternalTool.run(Binaries.veil, arguments)
    }

    @Test(.temporaryFolder) func optionsChangeWhatIsKept() throws {
        let folder = try TemporaryFolder.current
        let run = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path,
            "--retain-longitudinal", "modified", "--clean-descriptors", "--retain-patient-characteristics",
            "--format", "json",
        ])
        #expect(run.status == 0, "\(run.standardError)")
        let verify = try veil(["verify", folder.file("out").path, "--only", "metadata"])
        #expect(verify.status == 0, "\(verify.standardOutput)")
        #expect(verify.standardOutput.contains("5 files checked: 0 with findings"))
    }

    @Test(.temporaryFolder) func profileFilesAndProfileShow() throws {
        let folder = try TemporaryFolder.current
        let profile = folder.file("profile.yaml")
        try "options:\n  retain-uids: true\noverrides:\n  - attribute: SeriesDescription\n    action: keep\n"
            .write(to: profile, atomically: true, encoding: .utf8)
        let show = try veil(["profile", "show", "--profile", profile.path])
        #expect(show.status == 0)
        #expect(show.standardOutput.contains("(0020,000D)"))
        #expect(show.standardOutput.contains("← retainUIDs"))
        #expect(show.standardOutput.contains("override (0008,103E): keep"))
        try "options:\n  retain-everything: true\n".write(to: profile, atomically: true, encoding: .utf8)
        let bad = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--profile", profile.path,
        ])
        #expect(bad.status == 64)
        #expect(bad.standardError.contains("unknown option"))
        let exclusive = try veil(["profile", "show", "--retain-longitudinal", "full", "--profile", profile.path])
        #expect(exclusive.status == 64)
    }

    @Test func verifyFlagsRawFilesAndExplainsWithoutValues() throws {
        let run = try veil(["verify", TestPaths.sampleScans.path, "--paths", "show"])
        #expect(run.status == 1)
        #expect(run.standardOutput.contains("identifying-attribute (0010,0010)"))
        #expect(!run.standardOutput.contains("Doe"))
        #expect(!run.standardOutput.contains("VEIL-SAMPLE"))
        let json = try veil(["verify", TestPaths.sampleScans.path, "--format", "json"])
        #expect(json.standardOutput.split(separator: "\n").count == 6)
    }

    @Test(.temporaryFolder) func pseudonymizeAndReidentify() throws {
        let folder = try TemporaryFolder.current
        let key = folder.file("deid.key").path
        let reidKey = folder.file("reid.key").path
        #expect(try veil(["keygen", key]).status == 0)
        #expect(try veil(["keygen", "--reidentification", reidKey]).status == 0)
        let missing = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--mode", "pseudonymize",
        ])
        #expect(missing.status == 64)
        let same = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key,
            "--mode", "pseudonymize", "--vault", folder.file("v.jsonl").path, "--reidentification-key", key,
        ])
        #expect(same.status == 2)
        let run = try veil([
            "anonymize", TestPaths.sampleScans.path, "--output", folder.file("out").path, "--key-file", key,
            "--mode", "pseudonymize", "--vault", folder.file("vault.jsonl").path, "--reidentification-key", reidKey,
        ])
        #expect(run.status == 0, "\(run.standardError)")
        let back = try veil([
            "reidentify", folder.file("out").path, "--output", folder.file("back").path,
            "--vault", folder.file("vault.jsonl").path, "--reidentification-key", reidKey,
        ])
        #expect(back.status == 0, "\(back.standardError)")
        #expect(back.standardOutput.contains("5 written"))
        let restored = try ExternalTool.run("grep", ["-rl", "VEIL-SAMPLE-0001", folder.file("back").path])
        #expect(restored.standardOutput.split(separator: "\n").count == 4)
    }
}
