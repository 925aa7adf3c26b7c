import Foundation
import TestSupport
import Testing

/// What Veil prints and records must never carry PHI or key material: every diagnostic, summary,
/// dry-run listing, verify report and manifest of runs over an export whose folders are named
/// after patients, scanned for every planted PHI string and for the key.
@Suite struct SecretsTests {
    @Test(.temporaryFolder) func diagnosticsAndManifestsCarryNoPHIAndNoKey() throws {
        let corpus = try PlantedCorpus.load()
        let folder = try TemporaryFolder.current
        let export = folder.file("export")
        for (name, source) in [
            ("DOE_JANE", TestPaths.sampleScans), ("QUIXOTE_ZEBULON", TestPaths.plantedCorpus),
            ("BROKEN", TestPaths.brokenCorpus),
        ] {
            try FileManager.default.createDirectory(at: export, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: export.appendingPathComponent(name))
        }
        let key = folder.file("project.key").path
        #expect(try ExternalTool.run(Binaries.veil, ["keygen", key]).status == 0)
        let keyHex =
            try String(contentsOfFile: key, encoding: .utf8).split(separator: "\n").last { !$0.hasPrefix("#") }.map(
                String.init) ?? "?"
        let output = folder.file("out").path
        let runs: [[String]] = [
            ["anonymize", export.path, "-o", output, "--key-file", key, "-v"],
            ["anonymize", export.path, "-o", folder.file("dry").path, "--key-file", key, "--dry-run"],
            [
                "anonymize", export.path, "-o", folder.file("json").path, "--key-file", key, "--format", "json", "-v",
                "--progress", "lines",
            ],
            ["verify", export.path],
            ["verify", output, "--format", "json"],
        ]
        var printed = Data()
        for arguments in runs {
            let run = try ExternalTool.run(Binaries.veil, arguments)
            // 1: the broken files fail (anonymize) or findings were reported (verify); 2: verify
            // could not read the broken files.
            let expected: Set<Int32> = arguments.first == "verify" ? [0, 1, 2] : [1]
            #expect(
                expected.contains(run.status),
                "\(arguments.first ?? ""): status \(run.status): \(run.standardError.suffix(300))")
            printed.append(Data((run.standardOutput + run.standardError).utf8))
        }
        let scanner = corpus.scanner(adding: [
            "DOE_JANE", "QUIXOTE_ZEBULON", "Doe^Jane^Quinn", "VEIL-SAMPLE-0001", keyHex,
        ])
        #expect(scanner.findings(in: printed).isEmpty, "printed: \(scanner.findings(in: printed).sorted())")
        for manifest in ["out/manifest.jsonl", "json/manifest.jsonl"] {
            let data = try Data(contentsOf: folder.file(manifest))
            #expect(scanner.findings(in: data).isEmpty, "\(manifest): \(scanner.findings(in: data).sorted())")
        }
        let outputs = try scanner.scanFolder(folder.file("out"))
        #expect(outputs.isEmpty, "\(outputs.mapValues { $0.sorted() })")
    }
}
