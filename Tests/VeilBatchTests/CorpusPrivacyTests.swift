import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing
import VeilBatch

/// What must hold for every file of the test corpus after de-identification.
@Suite struct CorpusPrivacyTests {
    /// The scanner itself: a planted ID as a value is found, the same digits inside a keyed UID's
    /// digit run are not; names are found in any case and inside words.
    @Test func scannerFindsValuesNotDigitsInsideUIDs() {
        let scanner = PHIScanner(["642341", "Quixote^Zebulon"])
        #expect(scanner.findings(in: Data("\u{0}642341 ".utf8)) == ["642341"])
        #expect(scanner.findings(in: Data("ID:642341".utf8)) == ["642341"])
        #expect(scanner.findings(in: Data("1.2.642341.7".utf8)) == ["642341"])
        #expect(scanner.findings(in: Data("2.25.1186423415502".utf8)).isEmpty)
        #expect(scanner.findings(in: Data("2.25.9642341 642341".utf8)) == ["642341"])
        #expect(scanner.findings(in: Data("dr QUIXOTE ZEBULON".utf8)) == ["Quixote^Zebulon"])
    }

    @Test func everyInputIsAccountedFor() throws {
        let run = try CorpusRun.get()
        let counts = run.summary.counts
        let inputCount = try FileManager.default.subpathsOfDirectory(atPath: run.inputs.path).filter { path in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: run.inputs.appendingPathComponent(path).path, isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue
        }.count
        #expect(counts.inputs == inputCount)
        #expect(counts.inputs == counts.written + counts.unchanged + counts.skipped + counts.failed)
        // The note is skipped; every damaged *.dcm fails, and so does the declared burned-in ultrasound.
        let statuses = Dictionary(
            uniqueKeysWithValues: run.summary.outcomes.map {
                (String($0.inputPath.dropFirst(run.inputs.path.count + 1)), $0.status)
            })
        #expect(statuses["notes.txt"] == .skipped)
        for broken in try TestPaths.dicomFiles(in: TestPaths.brokenCorpus) {
            #expect(statuses["BROKEN/\(broken.lastPathComponent)"] == .failed, "\(broken.lastPathComponent)")
        }
        let burnedIn = try #require(run.corpus.files.first { $0.file.contains("ultrasound-multiframe") })
        #expect(statuses["QUIXOTE_ZEBULON/\(burnedIn.file)"] == .failed)
        // A DICOMDIR is skipped, a bare data set without extension is de-identified, a second
        // identical copy of an instance finds its output already there.
        #expect(statuses["SPECIAL/DICOMDIR"] == .skipped)
        #expect(statuses["SPECIAL/IM0001"] == .written)
        #expect(
            statuses["SPECIAL/duplicate-copy.dcm"] == .unchanged
                || statuses["QUIXOTE_ZEBULON/\(run.corpus.files[0].file)"] == .unchanged)
        #expect(counts.unchanged == 1)
        #expect(
            try counts.written == run.corpus.files.count - 1 + TestPaths.dicomFiles(in: TestPaths.sampleScans).count + 1
        )
        // Failed inputs leave nothing behind: every output file is accounted for by a written input.
        let outputFiles = try FileManager.default.subpathsOfDirectory(atPath: run.output.path).filter {
            $0.hasSuffix(".dcm")
        }
        #expect(outputFiles.count == counts.written)
        #expect(
            !(try FileManager.default.subpathsOfDirectory(atPath: run.output.path)).contains {
                $0.hasSuffix(".partial")
            })
    }

    @Test func noPlantedPHIInAnyOutputByteOrPath() throws {
        let run = try CorpusRun.get()
        let samples = [
            "Doe^Jane^Quinn", "VEIL-SAMPLE-0001", "VEIL-SAMPLE-0002", "Smith^John", "19580214", "19711103",
            "Larkspur", "Millbrook", "Eastwick", "Harbour Row", "555-0100", "ACC20240001", "ACC20240002",
            "Rosalind", "Oliver", "Paula", "Rupert", "Verifier^Vera", "SPS-55120", "RP-55120",
            "MILLBROOKPACS", "SN-7781-MB", "20240312", "20240313", "DOE_JANE", "QUIXOTE_ZEBULON",
        ]
        let scanner = run.corpus.scanner(adding: samples)
        let report = try scanner.scanFolder(run.output)
        #expect(report.isEmpty, "PHI found in outputs: \(report.mapValues { $0.sorted() })")
    }

    @Test func pixelDataIsByteIdentical() throws {
        let run = try CorpusRun.get()
        let pairs = run.outputsByInput.map { (run.inputs.appendingPathComponent($0.key).path, $0.value.path) }
        let facts = try DICOMFacts.read(pairs.flatMap { [$0.0, $0.1] })
        for (input, output) in pairs {
            let before = try #require(facts[input]?.pixelMD5 ?? "none" as String?)
            #expect(facts[output]?.pixelMD5 ?? "none" == before, "\(input)")
            #expect(facts[output]?.preamble == String(repeating: "00", count: 128))
        }
    }

    /// Every UID is replaced, except those naming a class or defined by the standard, and every
    /// reference to an instance of the batch points at that instance's new UID.
    @Test func uidsAreReplacedAndReferencesResolve() throws {
        let run = try CorpusRun.get()
        let pairs = run.outputsByInput.map { (run.inputs.appendingPathComponent($0.key).path, $0.value.path) }
        let facts = try DICOMFacts.read(pairs.flatMap { [$0.0, $0.1] })
        let classAttributes = [
            "(0002,0002)", "(0002,0010)", "(0008,0016)", "(0008,1150)", "(0008,010C)", "(0002,0012)",
        ]
        var originalUIDs = Set<String>()
        var newInstanceUID: [String: String] = [:]
        for (input, output) in pairs {
            let before = try #require(facts[input])
            let after = try #require(facts[output])
            originalUIDs.formUnion(
                before.uids.filter { uid in !classAttributes.contains { uid[0].hasSuffix($0) } }.map { $0[1] })
            newInstanceUID[before.sopInstanceUID] = after.sopInstanceUID
        }
        let allNew = Set(newInstanceUID.values)
        for (input, output) in pairs {
            let before = try #require(facts[input])
            let after = try #require(facts[output])
            for entry in after.uids
            where !UID.isDefinedByStandard(entry[1]) && !classAttributes.contains(where: { entry[0].hasSuffix($0) }) {
                #expect(!originalUIDs.contains(entry[1]), "\(output) \(entry[0]) keeps an original UID")
                #expect(entry[1].hasPrefix("2.25."), "\(entry[0])")
            }
            // References to instances of the batch resolve to their new UIDs, at every depth.
            let referencesBefore = before.uids.filter { $0[0].hasSuffix("(0008,1155)") }
            let referencesAfter = after.uids.filter { $0[0].hasSuffix("(0008,1155)") }
            for (old, new) in zip(referencesBefore, referencesAfter) where old[0] == new[0] {
                if let target = newInstanceUID[old[1]] {
                    #expect(new[1] == target, "\(input) \(old[0]) does not resolve")
                    #expect(allNew.contains(new[1]))
                }
            }
        }
        // The corpus chains each file to the previous one through Source Image Sequence.
        let chained = run.corpus.files.filter { $0.references != nil && !$0.file.contains("ultrasound-multiframe") }
        #expect(chained.count > 30)
    }

    @Test func markersArePresent() throws {
        let run = try CorpusRun.get()
        for file in run.writtenFiles {
            let object = try DICOMFile(path: file.path).read()
            #expect(object.dataSet.string(.patientIdentityRemoved) == "YES", "\(file.lastPathComponent)")
            #expect(
                object.dataSet.items(.deidentificationMethodCodeSequence)?.compactMap { $0.string(.codeValue) } == [
                    "113100"
                ])
            #expect(object.dataSet.string(.longitudinalTemporalInformationModified) == "REMOVED")
            #expect(object.fileMeta.string(.implementationVersionName)?.hasPrefix("VEIL_") == true)
            #expect(object.fileMeta[.sourceApplicationEntityTitle] == nil)
        }
    }

    /// dciodvfy (dicom3tools) finds no error in an output that it did not find in its input.
    @Test(.temporaryFolder)
    func dciodvfyReportsNoNewErrors() throws {
        let run = try CorpusRun.get()
        let scratch = try TemporaryFolder.current.url
        for (relative, output) in run.outputsByInput.sorted(by: { $0.key < $1.key }) {
            let new = try ExternalTool.newDciodvfyErrors(
                input: run.inputs.appendingPathComponent(relative).path,
                output: output.path, scratch: scratch)
            #expect(new.isEmpty, "\(relative): \(new.sorted())")
        }
    }

    @Test func manifestRecordsActionsWithoutPHIOrPaths() throws {
        let run = try CorpusRun.get()
        let manifest = run.output.appendingPathComponent("manifest.jsonl")
        let lines = try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == run.summary.counts.inputs + 1)
        let header = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(header["type"] as? String == "header")
        #expect(header["keyFingerprint"] as? String == TestKeys.primary.fingerprint)
        #expect((header["profile"] as? [String: Any])?["edition"] as? String == "2024b")
        #expect((header["counts"] as? [String: Any])?["failed"] as? Int == run.summary.counts.failed)
        #expect(header["endTime"] != nil)
        let text = try String(contentsOf: manifest, encoding: .utf8)
        #expect(!text.contains(run.inputs.path))
        #expect(!text.contains("/tmp"))
        for line in lines.dropFirst() {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(record["type"] as? String == "file")
            #expect((record["input"] as? String)?.count == 26)
            if record["status"] as? String == "written" {
                let actions = try #require(record["actions"] as? [[String: String]])
                #expect(actions.contains { $0["path"] == "(0010,0010)" })
            }
        }
        let findings = run.corpus.scanner().findings(in: try Data(contentsOf: manifest))
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test func mappingFileIsPrivateAndComplete() throws {
        let run = try CorpusRun.get()
        let attributes = try FileManager.default.attributesOfItem(atPath: run.mappingPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: run.mappingPath, encoding: .utf8)
        #expect(text.hasPrefix("id_old,id_new\n"))
        for file in run.corpus.files where !file.file.contains("ultrasound-multiframe") {
            #expect(text.contains("\n\(file.sopInstanceUID),2.25."), "\(file.file)")
        }
        #expect(text.contains("\nZQ-884422,"))
    }
}
