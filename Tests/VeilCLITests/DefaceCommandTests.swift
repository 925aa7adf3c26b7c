import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing
import VeilBatch
import Volumes

/// `veil anonymize --deface` and `veil deface`, end to end on generated head series: what is
/// written, what fails, what the manifest says.
@Suite struct DefaceCommandTests {
    /// MR with Body Part HEAD, CT with Body Part HEAD, CT with no body part (found by its shape).
    static let heads = ["head01", "head02", "head05"]

    @Test(.temporaryFolder) func anonymizeDefacesHeadsAndPassesOtherSeries() throws {
        let folder = try TemporaryFolder.current
        let input = folder.file("export")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for name in Self.heads {
            try FileManager.default.createDirectory(
                at: input.appendingPathComponent(name), withIntermediateDirectories: true)
            for file in try TestPaths.dicomFiles(in: HeadSeries.folder().appendingPathComponent(name)) {
                try FileManager.default.copyItem(
                    at: file, to: input.appendingPathComponent(name).appendingPathComponent(file.lastPathComponent))
            }
        }
        // A small oblique CT without a body part: not a head, de-identified as usual.
        try FileManager.default.copyItem(at: VolumeCases.folder("oblique"), to: input.appendingPathComponent("oblique"))
        let key = folder.file("project.key").path
        _ = try ExternalTool.run(Binaries.veil, ["keygen", key])
        let output = folder.file("out")
        let run = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", "--deface", "--deface-ears", input.path, "-o", output.path, "--key-file", key,
                "--quarantine", folder.file("quarantine").path, "--representations", "nifti,png",
            ])
        #expect(run.status == 0, "\(run.standardError.suffix(500))")
        let header = try #require(
            try String(contentsOf: output.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
                .split(separator: "\n").first)
        #expect(header.contains("\"deface\":true") && header.contains("\"defaceEars\":true"))

        let records = try GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl"))
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["type"] as? String == "file" }
        let defaced = records.filter { $0["defacing"] != nil }
        let headFiles = try Self.heads.reduce(0) {
            $0 + (try TestPaths.dicomFiles(in: input.appendingPathComponent($1)).count)
        }
        #expect(defaced.count == headFiles)
        #expect(defaced.allSatisfy { ($0["methodCodes"] as? [String])?.contains("113102") == true })
        let others = records.filter { $0["defacing"] == nil && $0["status"] as? String == "written" }
        #expect(try others.count == TestPaths.dicomFiles(in: input.appendingPathComponent("oblique")).count)
        #expect(others.allSatisfy { ($0["methodCodes"] as? [String])?.contains("113102") == false })
        #expect(!records.contains { $0["status"] as? String == "failed" })

        // Each head: voxels are unchanged or background, the brain is untouched, the face is gone.
        let outputs = try GeneratedCorpus.dicomFiles(under: output).map { output.appendingPathComponent($0).path }
        let volumes = try SeriesReader.volumes(paths: outputs)
        for name in Self.heads {
            let source = try HeadSeries.folder().appendingPathComponent(name)
            let before = try #require(
                try SeriesReader.volumes(paths: try TestPaths.dicomFiles(in: source).map(\.path)).first)
            let after = try #require(
                volumes.first { $0.size == before.size && ($0.affine.origin - before.affine.origin).length < 1e-3 },
                "\(name)")
            let brain = try HeadSeries.bits(source.appendingPathComponent("brain.bits"), count: before.count)
            let face = try HeadSeries.bits(source.appendingPathComponent("face.bits"), count: before.count)
            // Removed voxels all get one value: air (−1000 HU) for CT, the minimum for MR.
            let background = try #require(zip(before.voxels, after.voxels).first { $0 != $1 }?.1)
            #expect(background == -1000 || background == before.voxels.min())
            var (brainChanged, faceRemoved, faceTotal, otherwise) = (0, 0, 0, 0)
            for p in 0..<before.count {
                let changed = before.voxels[p] != after.voxels[p]
                if changed && after.voxels[p] != background { otherwise += 1 }
                if brain[p] && changed { brainChanged += 1 }
                if face[p] {
                    faceTotal += 1
                    if changed { faceRemoved += 1 }
                }
            }
            #expect(brainChanged == 0, "\(name)")
            #expect(otherwise == 0, "\(name): voxels changed to something other than background")
            #expect(Double(faceRemoved) >= 0.9 * Double(faceTotal), "\(name): \(faceRemoved) of \(faceTotal)")
        }
        // The defaced files are valid, say so, and are stored losslessly: the output of head02's
        // first slice (found by its position, which de-identification keeps) against that slice.
        let original = try TestPaths.dicomFiles(in: HeadSeries.folder().appendingPathComponent("head02"))[0].path
        let position = try DICOMFile(path: original).read().dataSet.string(DICOMTag.imagePositionPatient)
        let sample = try #require(
            outputs.first { path in
                (try? DICOMFile(path: path).read().dataSet.string(DICOMTag.imagePositionPatient)) == position
            })
        let object = try DICOMFile(path: sample).read()
        #expect(object.transferSyntaxUID == "1.2.840.10008.1.2.1")
        #expect(object.dataSet.string(.recognizableVisualFeatures) == "NO")
        #expect(try ExternalTool.dciodvfyErrors(sample).subtracting(try ExternalTool.dciodvfyErrors(original)).isEmpty)
        // Representations: per series a NIfTI, its sidecar and a QA picture; the heads' sidecars
        // say defaced; the pictures carry nothing but image data.
        let all = try FileManager.default.subpathsOfDirectory(atPath: output.path).map {
            output.appendingPathComponent($0).path
        }
        let pictures = all.filter { $0.hasSuffix("/qa.png") }
        #expect(pictures.count == Self.heads.count + 1)
        #expect(all.filter { $0.hasSuffix("/volume.nii.gz") }.count == Self.heads.count + 1)
        let sidecars = try all.filter { $0.hasSuffix("/volume.json") }.map {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: $0))) as? [String: Any]
        }
        #expect(sidecars.filter { $0?["Defaced"] as? Bool == true }.count == Self.heads.count)
        #expect(sidecars.allSatisfy { $0?["BurnedInTextCleaned"] as? Bool == false })
        for picture in pictures {
            #expect(
                Self.pngChunks(try Data(contentsOf: URL(fileURLWithPath: picture))).subtracting([
                    "IHDR", "IDAT", "IEND",
                ]).isEmpty)
        }
        // No PHI of the phantoms in any output byte.
        let nonDICOM = all.filter {
            !$0.hasSuffix(".dcm")
                && (try? URL(fileURLWithPath: $0).resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }
        for path in outputs + nonDICOM {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.range(of: Data("Head^Phantom".utf8)) == nil && bytes.range(of: Data("HEAD-00".utf8)) == nil)
        }
    }

    static func pngChunks(_ data: Data) -> Set<String> {
        let bytes = [UInt8](data)
        var chunks = Set<String>()
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            chunks.insert(String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self))
            offset += 12 + length
        }
        return chunks
    }

    /// `veil deface` takes every CT and MR series for a head: one it cannot deface fails as a
    /// whole, goes to quarantine, and nothing of it is written.
    /// Under --deface, Veil opens each head file at most twice: once to find the head series,
    /// once to build the volume, deface, de-identify and write it (its pixels decoded once, from
    /// that open). Counted with strace against a run without --deface, which opens it once.
    @Test(.temporaryFolder) func defaceOpensEachHeadFileAtMostTwice() throws {
        let folder = try TemporaryFolder.current
        let input = try HeadSeries.folder().appendingPathComponent("head01")
        let key = folder.file("project.key").path
        _ = try ExternalTool.run(Binaries.veil, ["keygen", key])
        func opens(_ options: [String], _ name: String) throws -> [String: Int] {
            let trace = folder.file("\(name).trace")
            let run = try ExternalTool.run(
                "strace",
                [
                    "-f", "-qq", "-e", "trace=open,openat", "-o", trace.path, Binaries.veil,
                    "anonymize", input.path, "-o", folder.file(name).path, "--key-file", key,
                ]
                    + options)
            #expect(run.status == 0, "\(run.standardError.suffix(500))")
            var counts: [String: Int] = [:]
            for line in try String(contentsOf: trace, encoding: .utf8).split(separator: "\n") {
                guard let start = line.firstIndex(of: "\""),
                    let end = line[line.index(after: start)...].firstIndex(of: "\"")
                else {
                    continue
                }
                let path = line[line.index(after: start)..<end]
                if path.hasSuffix(".dcm") && path.hasPrefix(input.path) { counts[String(path), default: 0] += 1 }
            }
            return counts
        }
        let plain = try opens([], "plain")
        let defaced = try opens(["--deface"], "defaced")
        let files = try TestPaths.dicomFiles(in: input).map(\.path)
        #expect(!files.isEmpty && files.allSatisfy { (plain[$0] ?? 0) > 0 })
        for file in files {
            #expect((defaced[file] ?? 0) <= 2 * (plain[file] ?? 0), "\(file): \(defaced[file] ?? 0) opens")
        }
    }

    @Test(.temporaryFolder) func defaceQuarantinesWhatItCannotDeface() throws {
        let folder = try TemporaryFolder.current
        let input = try VolumeCases.folder("oblique")
        let output = folder.file("out")
        let quarantine = folder.file("quarantine")
        let run = try ExternalTool.run(
            Binaries.veil, ["deface", input.path, "-o", output.path, "--quarantine", quarantine.path])
        #expect(run.status == 1)
        let files = try TestPaths.dicomFiles(in: input).count
        // One error line for the series, one note for the rest of its files: not one per slice.
        let errors = run.standardError.split(separator: "\n").filter { $0.contains(": error: head series not defaced") }
        #expect(errors.count == 1, "\(run.standardError.suffix(500))")
        #expect(run.standardError.contains("veil: note: \(files - 1) more files of that series failed the same way"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: quarantine.path).count == files)
        #expect(try GeneratedCorpus.dicomFiles(under: output).isEmpty)
        let records = try GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl"))
        #expect(records.filter { $0.contains("\"reason\":\"deface-unsupported\"") }.count == files)
    }
}

private func == (a: (i: Int, j: Int, k: Int), b: (i: Int, j: Int, k: Int)) -> Bool {
    a.i == b.i && a.j == b.j && a.k == b.k
}
