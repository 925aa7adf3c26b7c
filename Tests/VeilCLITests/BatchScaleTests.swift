import Foundation
import TestSupport
import Testing

/// The batch as a PACS-export job: interrupted and resumed, sharded and merged, quarantining,
/// writing a DICOMDIR, reporting progress.
@Suite(.serialized) struct BatchScaleTests {
    let key: String

    init() throws { key = try TestKey.path() }

    func veil(_ arguments: [String]) throws -> ToolRun { try ExternalTool.run(Binaries.veil, arguments) }

    func outputsEqual(_ a: URL, _ b: URL) throws {
        let files = try GeneratedCorpus.dicomFiles(under: a)
        #expect(files == (try GeneratedCorpus.dicomFiles(under: b)))
        for file in files {
            #expect(
                try Data(contentsOf: a.appendingPathComponent(file))
                    == Data(contentsOf: b.appendingPathComponent(file)), "\(file)")
        }
    }

    /// kill -9 in the middle, run the same command again: the same outputs and manifest records
    /// as a run that was never interrupted, and no half-written file anywhere.
    @Test(.temporaryFolder) func resumesAfterKill() throws {
        let corpus = try GeneratedCorpus.folder(files: 400, size: 128)
        let folder = try TemporaryFolder.current
        let reference = folder.file("reference")
        #expect(try veil(["anonymize", corpus.path, "-o", reference.path, "--key-file", key]).status == 0)

        let interrupted = folder.file("interrupted")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.veil)
        process.arguments = [
            "anonymize", corpus.path, "-o", interrupted.path, "--key-file", key, "--jobs", "2",
            "--checkpoint-every", "25",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let journal = interrupted.appendingPathComponent("manifest.jsonl.journal").path
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = (try? String(contentsOfFile: journal, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines > 120 { break }
            usleep(2000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: journal), "the run was killed before it finished")

        let resumed = try veil(["anonymize", corpus.path, "-o", interrupted.path, "--key-file", key, "--jobs", "2"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed: "))
        try outputsEqual(reference, interrupted)
        #expect(
            try GeneratedCorpus.manifestRecords(reference.appendingPathComponent("manifest.jsonl"))
                == GeneratedCorpus.manifestRecords(interrupted.appendingPathComponent("manifest.jsonl")))
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: interrupted.path)
            .filter { $0.hasSuffix(".partial") || $0.hasSuffix(".journal") }
        #expect(leftovers.isEmpty)
    }

    @Test(.temporaryFolder) func oneWorkerAndFourGiveTheSameBytes() throws {
        let corpus = try GeneratedCorpus.folder(files: 400, size: 128)
        let folder = try TemporaryFolder.current
        #expect(
            try veil(["anonymize", corpus.path, "-o", folder.file("one").path, "--key-file", key, "--jobs", "1"]).status
                == 0)
        #expect(
            try veil(["anonymize", corpus.path, "-o", folder.file("four").path, "--key-file", key, "--jobs", "4"])
                .status == 0)
        try outputsEqual(folder.file("one"), folder.file("four"))
        #expect(
            try GeneratedCorpus.manifestRecords(folder.file("one/manifest.jsonl"))
                == GeneratedCorpus.manifestRecords(folder.file("four/manifest.jsonl")))
    }

    /// Three machines, each with its shard, then a merge: the same as one machine.
    @Test(.temporaryFolder) func shardsMergeIntoOneRun() throws {
        let inputs = [TestPaths.plantedCorpus.path, TestPaths.sampleScans.path, TestPaths.brokenCorpus.path]
        let folder = try TemporaryFolder.current
        _ = try veil(["anonymize"] + inputs + ["-o", folder.file("single").path, "--key-file", key])
        var manifests: [String] = []
        for shard in 1...3 {
            let manifest = folder.file("shard\(shard).jsonl").path
            manifests.append(manifest)
            _ = try veil(
                ["anonymize"] + inputs + [
                    "-o", folder.file("sharded").path, "--key-file", key,
                    "--shard", "\(shard)/3", "--manifest", manifest,
                ])
        }
        let merge = try veil(["manifest", "merge"] + manifests + ["-o", folder.file("merged.jsonl").path])
        #expect(merge.status == 0, "\(merge.standardError)")
        try outputsEqual(folder.file("single"), folder.file("sharded"))
        #expect(
            try GeneratedCorpus.manifestRecords(folder.file("single/manifest.jsonl"))
                == GeneratedCorpus.manifestRecords(folder.file("merged.jsonl")))
        let incomplete = try veil([
            "manifest", "merge", manifests[0], manifests[1], "-o", folder.file("bad.jsonl").path,
        ])
        #expect(incomplete.status == 2)
        #expect(
            try veil(["anonymize", TestPaths.sampleScans.path, "-o", folder.file("x").path, "--shard", "4/3"]).status
                == 64)
    }

    /// Manifests of `veil pull` carry a record per retrieved study: a merge keeps them.
    @Test(.temporaryFolder) func mergeKeepsRetrievalRecords() throws {
        let folder = try TemporaryFolder.current
        var manifests: [String] = []
        for (n, input) in [TestPaths.plantedCorpus, TestPaths.sampleScans].enumerated() {
            let manifest = folder.file("run\(n).jsonl").path
            manifests.append(manifest)
            _ = try veil([
                "anonymize", input.path, "-o", folder.file("out").path, "--key-file", key, "--manifest", manifest,
            ])
            let retrieval =
                #"{"complete":true,"expected":3,"method":"C-MOVE","node":"PACS\#(n)","received":3,"study":"2.25.\#(n)","type":"retrieval"}"#
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: manifest))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((retrieval + "\n").utf8))
            try handle.close()
        }
        let merge = try veil(["manifest", "merge"] + manifests + ["-o", folder.file("merged.jsonl").path])
        #expect(merge.status == 0, "\(merge.standardError)")
        let merged = try String(contentsOf: folder.file("merged.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(merged.filter { $0.contains(#""type":"retrieval""#) }.count == 2)
        #expect(merged.last?.contains(#""node":"PACS1""#) == true)
        let files = try manifests.map { try GeneratedCorpus.manifestRecords(URL(fileURLWithPath: $0)).count }
        #expect(try GeneratedCorpus.manifestRecords(folder.file("merged.jsonl")).count == files.reduce(0, +))
    }

    @Test(.temporaryFolder) func quarantinesFailedInputsUnderTheirIDs() throws {
        let folder = try TemporaryFolder.current
        let run = try veil([
            "anonymize", TestPaths.brokenCorpus.path, "-o", folder.file("out").path,
            "--quarantine", folder.file("quarantine").path, "--key-file", key,
        ])
        #expect(run.status == 1)
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder.file("quarantine").path)
        #expect(try copies.count == TestPaths.dicomFiles(in: TestPaths.brokenCorpus).count)
        #expect(copies.allSatisfy { $0.count == 26 && !$0.contains(".") })
        let inside = try veil([
            "anonymize", TestPaths.brokenCorpus.path, "-o", folder.file("out2").path,
            "--quarantine", folder.file("out2/q").path,
        ])
        #expect(inside.status == 2)
    }

    @Test(.temporaryFolder) func writesAValidDICOMDIR() throws {
        let folder = try TemporaryFolder.current
        let run = try veil([
            "anonymize", TestPaths.sampleScans.path, TestPaths.plantedCorpus.path,
            "-o", folder.file("media").path, "--key-file", key, "--dicomdir",
        ])
        #expect(run.status == 1)  // the burned-in ultrasound fails; the rest is on the media
        let unlisted =
            run.standardError.split(separator: "\n").first { $0.contains("not listed in it") }
            .flatMap { Int($0.split(separator: " ")[2]) } ?? 0
        let dicomdir = folder.file("media/DICOMDIR").path
        #expect(try ExternalTool.dciodvfyErrors(dicomdir).isEmpty)
        let dump = try ExternalTool.run("dcmdump", [dicomdir])
        let references = dump.standardOutput.split(separator: "\n").filter { $0.contains("ReferencedFileID") }
        let files =
            try GeneratedCorpus.dicomFiles(under: folder.file("media"))
            + (try FileManager.default
                .subpathsOfDirectory(atPath: folder.file("media/DICOM").path).filter {
                    !$0.contains(".") && $0.split(separator: "/").count == 3
                })
        #expect(references.count + unlisted == files.count)
        #expect(unlisted <= 5, "only test files without Modality or Series Instance UID are left out")
        #expect(files.allSatisfy { $0.split(separator: "/").allSatisfy { $0.count <= 8 } })
        let corpus = try PlantedCorpus.load()
        #expect(
            corpus.scanner(adding: ["Doe^Jane^Quinn", "VEIL-SAMPLE"]).findings(
                in: try Data(contentsOf: URL(fileURLWithPath: dicomdir))
            ).isEmpty)
    }

    @Test(.temporaryFolder) func reportsProgressAsJSONLines() throws {
        let corpus = try GeneratedCorpus.folder(files: 400, size: 128)
        let folder = try TemporaryFolder.current
        let run = try veil(["anonymize", corpus.path, "-o", folder.file("out").path, "--progress", "lines"])
        let lines = run.standardError.split(separator: "\n").filter { $0.contains("\"type\":\"progress\"") }
        #expect(!lines.isEmpty)
        let last = try JSONSerialization.jsonObject(with: Data((lines.last ?? "{}").utf8)) as? [String: Any]
        #expect(last?["done"] as? Int == last?["total"] as? Int)
        #expect((last?["done"] as? Int ?? 0) >= 400)
    }

    /// Pixel Data is copied from file to file, never held in memory: a file with 384 MiB of
    /// pixels costs no more memory than a small one, and the pixels arrive byte for byte.
    @Test(.temporaryFolder) func largePixelDataIsStreamedNotLoaded() throws {
        let folder = try TemporaryFolder.current
        let input = folder.file("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let pixelBytes = 384 << 20
        try writeLargeSlice(to: input.appendingPathComponent("large.dcm"), pixelBytes: pixelBytes)
        let output = folder.file("out")
        // Peak RSS of veil alone, measured by a small parent (wait4) rather than this process.
        let run = try ExternalTool.run(
            "python3",
            [
                "-c",
                """
                import os, subprocess, sys
                child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, status, usage = os.wait4(child.pid, 0)
                print(os.waitstatus_to_exitcode(status), usage.ru_maxrss // 1024)
                """, Binaries.veil, "anonymize", input.path, "-o", output.path, "--key-file", key,
            ])
        let fields = run.standardOutput.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(fields.first == 0, "\(run.standardError)")
        let peakMiB = fields.last ?? .max
        #expect(peakMiB < 160, "peak RSS \(peakMiB) MiB for a file of \(pixelBytes >> 20) MiB")

        let written = try GeneratedCorpus.dicomFiles(under: output)
        #expect(written.count == 1)
        let facts = try DICOMFacts.read(
            [input.appendingPathComponent("large.dcm").path] + written.map { output.appendingPathComponent($0).path })
        #expect(Set(facts.values.map(\.pixelMD5)).count == 1)
    }

    /// A sample CT slice with its Pixel Data replaced by `pixelBytes` bytes of a repeating
    /// pattern, written in chunks so that the test itself stays small.
    private func writeLargeSlice(to url: URL, pixelBytes: Int) throws {
        let sample = try Data(contentsOf: TestPaths.sampleScans.appendingPathComponent("CT-head-1.dcm"))
        let tag = Data([0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x57])  // (7FE0,0010) OW, Explicit VR Little Endian
        let start = try #require(sample.range(of: tag, options: .backwards)?.lowerBound)
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var header = sample[..<start] + tag + Data([0, 0])
        withUnsafeBytes(of: UInt32(pixelBytes).littleEndian) { header.append(contentsOf: $0) }
        try handle.write(contentsOf: header)
        let chunk = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 * 7) })
        for _ in 0..<(pixelBytes >> 20) { try handle.write(contentsOf: chunk) }
    }

    /// A file-size limit (ulimit -f) makes every output write fail as a full disk would: the run
    /// stops with exit status 2 and a message, leaves no partial file, and the same command,
    /// once the limit is lifted, finishes with the same files as a run that never stopped.
    @Test(.temporaryFolder) func stopsWhenOutputsCannotBeWrittenAndResumes() throws {
        let folder = try TemporaryFolder.current
        let input = folder.file("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        // Walked first: a file larger than the limit. The sample scans after it are small.
        try writeLargeSlice(to: input.appendingPathComponent("a-large.dcm"), pixelBytes: 1 << 20)
        for name in ["CT-head-2.dcm", "MR-head-rle.dcm"] {
            try FileManager.default.copyItem(
                at: TestPaths.sampleScans.appendingPathComponent(name), to: input.appendingPathComponent(name))
        }
        let output = folder.file("out")
        let limited = try ExternalTool.run(
            "bash",
            [
                "-c", "ulimit -f 256; exec \"$0\" \"$@\"", Binaries.veil, "anonymize",
                input.path, "-o", output.path, "--key-file", key, "--jobs", "1",
            ])
        #expect(limited.status == 2, "\(limited.standardError)")
        #expect(
            limited.standardError.contains("stopped: ") && limited.standardError.contains("run the same command again"))
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: output.path).filter {
            $0.hasSuffix(".partial")
        }
        #expect(leftovers.isEmpty)

        let resumed = try veil(["anonymize", input.path, "-o", output.path, "--key-file", key, "--jobs", "1"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let reference = folder.file("reference")
        #expect(try veil(["anonymize", input.path, "-o", reference.path, "--key-file", key]).status == 0)
        try outputsEqual(reference, output)
    }

    /// A real full file system: a 3 MiB tmpfs. Mounting one needs root, so the test is skipped,
    /// and reported as skipped, for other users; as root a failed mount fails the test.
    @Test(.temporaryFolder, .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func stopsOnAFullFileSystemAndResumes() throws {
        let folder = try TemporaryFolder.current
        let mountPoint = folder.file("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = try ExternalTool.run("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint.path])
        try #require(mount.status == 0, "mount -t tmpfs failed: \(mount.standardError)")
        defer { _ = try? ExternalTool.run("umount", [mountPoint.path]) }
        let corpus = try GeneratedCorpus.folder(files: 400, size: 128)
        let output = mountPoint.appendingPathComponent("out")
        let full = try veil(["anonymize", corpus.path, "-o", output.path, "--key-file", key, "--jobs", "2"])
        #expect(full.status == 2, "\(full.standardError)")
        #expect(full.standardError.contains("No space left on device"))
        #expect(
            try FileManager.default.subpathsOfDirectory(atPath: output.path).allSatisfy { !$0.hasSuffix(".partial") })

        #expect(try ExternalTool.run("mount", ["-o", "remount,size=64m", mountPoint.path]).status == 0)
        let resumed = try veil(["anonymize", corpus.path, "-o", output.path, "--key-file", key, "--jobs", "2"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed: "))
        let reference = folder.file("reference")
        #expect(try veil(["anonymize", corpus.path, "-o", reference.path, "--key-file", key]).status == 0)
        try outputsEqual(reference, output)
        #expect(
            try GeneratedCorpus.manifestRecords(reference.appendingPathComponent("manifest.jsonl"))
                == GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl")))
    }
}
