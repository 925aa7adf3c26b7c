import Defacing
import Foundation
import Testing
import TestSupport
import Volumes

/// Head series made by Scripts/make-head-series.py (pydeface's average head in random poses, MR
/// and pseudo-CT, axial, sagittal and coronal, some truncated), with their true brain and face.
@Suite struct DefacingTests {
    struct Truth: Decodable {
        var modality: String, plane: String, truncation: String, size: [Int], brainVoxels: Int, faceVoxels: Int
    }

    struct Outcome: Sendable {
        var name: String
        var brainRemoved: Int
        var faceRemovedFraction: Double
        var failure: String?
    }

    static func bits(_ url: URL, count: Int) throws -> [Bool] {
        let bytes = [UInt8](try Data(contentsOf: url))
        return (0..<count).map { bytes[$0 >> 3] & (1 << ($0 & 7)) != 0 }
    }

    static func run(_ folder: URL) throws -> Outcome {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: folder.appendingPathComponent("truth.json")))
        let volume = try #require(try VolumeLoader.load(paths: TestPaths.dicomFiles(in: folder).map(\.path)).first)
        let count = volume.count
        let brain = try bits(folder.appendingPathComponent("brain.bits"), count: count)
        let face = try bits(folder.appendingPathComponent("face.bits"), count: count)
        do {
            let result = try Defacer().deface(volume, isCT: truth.modality == "CT")
            if let dump = ProcessInfo.processInfo.environment["VEIL_DUMP"] {
                let bytes = (0..<(count + 7) / 8).map { b in (0..<8).reduce(UInt8(0)) { $0 | ((b * 8 + $1 < count && result.removed[b * 8 + $1]) ? 1 << $1 : 0) } }
                try Data(bytes).write(to: URL(fileURLWithPath: dump).appendingPathComponent(folder.lastPathComponent + ".removed"))
            }
            var brainRemoved = 0, faceRemoved = 0, faceTotal = 0
            for p in 0..<count {
                if brain[p] && result.removed[p] { brainRemoved += 1 }
                if face[p] { faceTotal += 1; if result.removed[p] { faceRemoved += 1 } }
            }
            return Outcome(name: folder.lastPathComponent, brainRemoved: brainRemoved,
                           faceRemovedFraction: faceTotal == 0 ? 1 : Double(faceRemoved) / Double(faceTotal), failure: nil)
        } catch let error as DefaceFailure {
            return Outcome(name: folder.lastPathComponent, brainRemoved: 0, faceRemovedFraction: 0, failure: error.description)
        }
    }

    @Test func defacesGeneratedHeads() throws {
        let root = URL(fileURLWithPath: ProcessInfo.processInfo.environment["VEIL_HEADS"] ?? TestPaths.testData.appendingPathComponent("heads").path)
        let only = ProcessInfo.processInfo.environment["VEIL_HEAD_CASES"]?.split(separator: ",").map(String.init)
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("head") && (only?.contains($0) ?? true) }.sorted()
        var outcomes: [Outcome] = []
        for name in cases {
            let start = Date()
            let outcome = try Self.run(root.appendingPathComponent(name))
            print(name, outcome.brainRemoved, String(format: "%.3f", outcome.faceRemovedFraction), outcome.failure ?? "", String(format: "%.1fs", Date().timeIntervalSince(start)))
            outcomes.append(outcome)
        }
        #expect(outcomes.allSatisfy { $0.brainRemoved == 0 })
    }
}
