import DICOMCore
import DICOMIO
import Deidentification
import Foundation
import TestSupport
import Testing
import VeilBatch

/// The corpus de-identified with every option on (Modified Dates, Patient Characteristics, Device
/// and Institution Identity, Safe Private, Clean Descriptors, Structured Content and Graphics).
@Suite struct OptionsCorpusTests {
    /// What the options keep on purpose: institution and device identity.
    static let retainedOnPurpose: Set<String> = [
        "St Quillon Hospital", "Quillon Road 44 Brackenfield", "QUILLONCT01",
        "SN99FAKE01", "MILLBROOK-CT2", "SN-7781-MB", "Millbrook", "Harrowgate",
    ]

    @Test func noPlantedPHIOutsideWhatTheOptionsRetain() throws {
        let run = try CorpusRun.withAllOptions.get()
        let forbidden =
            run.corpus.forbiddenStrings.filter { !Self.retainedOnPurpose.contains($0) }
            + [
                "Doe^Jane^Quinn", "VEIL-SAMPLE-0001", "Smith^John", "19580214", "Larkspur", "555-0100", "ACC20240001",
                "Rosalind", "Verifier^Vera", "20240312", "DOE_JANE", "QUIXOTE_ZEBULON",
            ]
        let planted = Set(run.corpus.plantedStrings)
        let scanner = PHIScanner(
            forbidden,
            nameParts: forbidden.filter {
                $0.contains("^") && (planted.contains($0) || $0.hasPrefix("Doe") || $0.hasPrefix("Smith"))
            })
        let report = try scanner.scanFolder(run.output)
        #expect(report.isEmpty, "PHI found: \(report.mapValues { $0.sorted() })")
    }

    @Test func markersNameEveryOption() throws {
        let run = try CorpusRun.withAllOptions.get()
        let expected = DeidentificationProfile(options: CorpusRun.allOptions).methodCodes.map(\.value)
        for file in run.writtenFiles.prefix(10) {
            let dataSet = try DICOMFile(path: file.path).read().dataSet
            #expect(
                dataSet.items(.deidentificationMethodCodeSequence)?.compactMap { $0.string(.codeValue) } == expected)
            #expect(dataSet.string(.longitudinalTemporalInformationModified) == "MODIFIED")
        }
    }

    /// Every date of one patient moves by the same number of days, in every file and every run.
    @Test func datesOfAPatientMoveTogether() throws {
        let run = try CorpusRun.withAllOptions.get()
        var offsets: [String: Set<Int>] = [:]
        for file in run.corpus.files where !file.file.contains("ultrasound-multiframe") {
            let input = try DICOMFile(path: TestPaths.plantedCorpus.appendingPathComponent(file.file).path).read()
                .dataSet
            let output = try #require(run.outputsByInput["QUIXOTE_ZEBULON/\(file.file)"])
            let shifted = try DICOMFile(path: output.path).read().dataSet
            for tag in [DICOMTag.studyDate, DICOMTag.seriesDate, DICOMTag.acquisitionDate] {
                guard let before = input.string(tag).flatMap(CivilDate.init(yyyymmdd:)),
                    let after = shifted.string(tag).flatMap(CivilDate.init(yyyymmdd:))
                else { continue }
                offsets[file.patient, default: []].insert(after.dayNumber - before.dayNumber)
            }
        }
        #expect(offsets.count == 2)
        for (_, days) in offsets {
            #expect(days.count == 1, "one offset per patient")
            #expect(days.allSatisfy { DateShift.offsetRange.contains($0) })
        }
        #expect(Set(offsets.values.flatMap { $0 }).count == 2, "different patients, different offsets")
        // A second, separate run with the same key shifts the same way.
        let again = try CorpusRun(key: TestKeys.primary, jobs: 1, into: "veil-corpus-options-again") { configuration in
            configuration.profile = DeidentificationProfile(options: CorpusRun.allOptions)
        }
        for (input, output) in run.outputsByInput {
            let other = try #require(again.outputsByInput[input])
            #expect(try Data(contentsOf: output) == Data(contentsOf: other), "\(input)")
        }
    }

    @Test func pixelsAndReferencesSurvive() throws {
        let run = try CorpusRun.withAllOptions.get()
        let pairs = run.outputsByInput.map { (run.inputs.appendingPathComponent($0.key).path, $0.value.path) }
        let facts = try DICOMFacts.read(pairs.flatMap { [$0.0, $0.1] })
        var newUID: [String: String] = [:]
        for (input, output) in pairs { newUID[facts[input]!.sopInstanceUID] = facts[output]!.sopInstanceUID }
        for (input, output) in pairs {
            #expect(facts[output]?.pixelMD5 == facts[input]?.pixelMD5, "\(input)")
            let before = facts[input]!.uids.filter { $0[0].hasSuffix("(0008,1155)") }
            let after = facts[output]!.uids.filter { $0[0].hasSuffix("(0008,1155)") }
            for (old, new) in zip(before, after) where old[0] == new[0] {
                if let target = newUID[old[1]] { #expect(new[1] == target, "\(input) \(old[0])") }
            }
        }
    }

    @Test(.temporaryFolder)
    func dciodvfyReportsNoNewErrors() throws {
        let run = try CorpusRun.withAllOptions.get()
        let scratch = try TemporaryFolder.current.url
        for (relative, output) in run.outputsByInput.sorted(by: { $0.key < $1.key }) {
            let new = try ExternalTool.newDciodvfyErrors(
                input: run.inputs.appendingPathComponent(relative).path,
                output: output.path, scratch: scratch)
            #expect(new.isEmpty, "\(relative): \(new.sorted())")
        }
    }
}
