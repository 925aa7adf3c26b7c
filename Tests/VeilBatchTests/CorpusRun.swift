import DICOMIO
import Deidentification
import Foundation
import TestSupport
import VeilBatch

/// One batch over the whole test corpus, shared by the tests that inspect its outputs: the
/// SampleScans, the planted corpus, the broken files, the special cases (DICOMDIR, bare data set,
/// duplicate), and a note that is not DICOM.
struct CorpusRun: Sendable {
    let corpus: PlantedCorpus
    let inputs: URL
    let output: URL
    let summary: BatchSummary
    let mappingPath: String
    /// Contents and modification times of every input, taken before the run.
    let inputsBefore: [String: InputState]

    struct InputState: Equatable, Sendable {
        var contents: Data
        var modified: Date?
    }

    static let shared: Result<CorpusRun, any Error> = Result { try CorpusRun(key: TestKeys.primary, jobs: 2) }

    static func get() throws -> CorpusRun { try shared.get() }

    init(
        key: DeidentificationKey, jobs: Int, into label: String = "veil-corpus",
        configure: (inout BatchConfiguration) -> Void = { _ in }
    ) throws {
        corpus = try PlantedCorpus.load()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        inputs = root.appendingPathComponent("export")
        output = root.appendingPathComponent("deidentified")
        mappingPath = root.appendingPathComponent("mapping.csv").path
        let manager = FileManager.default
        try manager.createDirectory(at: inputs, withIntermediateDirectories: true)
        // The export as a PACS would lay it out: folders named after patients.
        for (name, source) in [
            ("DOE_JANE", TestPaths.sampleScans), ("QUIXOTE_ZEBULON", TestPaths.plantedCorpus),
            ("BROKEN", TestPaths.brokenCorpus), ("SPECIAL", TestPaths.specialCorpus),
        ] {
            try manager.copyItem(at: source, to: inputs.appendingPathComponent(name))
        }
        try Data("Export notes for Quixote Zebulon\n".utf8).write(to: inputs.appendingPathComponent("notes.txt"))
        inputsBefore = try Self.snapshot(inputs)
        var configuration = BatchConfiguration(outputFolder: output.path, key: key)
        configuration.jobs = jobs
        configuration.mappingPath = mappingPath
        configuration.keepsOutcomes = true
        configure(&configuration)
        summary = try BatchAnonymizer(configuration).run(inputs: [inputs.path])
    }

    /// Output path of each input file (relative to `inputs`), for the files that were written.
    var outputsByInput: [String: URL] {
        var result: [String: URL] = [:]
        for outcome in summary.outcomes {
            guard let relative = outcome.outputPath, outcome.status == .written || outcome.status == .unchanged else {
                continue
            }
            result[String(outcome.inputPath.dropFirst(inputs.path.count + 1))] = output.appendingPathComponent(relative)
        }
        return result
    }

    static func snapshot(_ folder: URL) throws -> [String: InputState] {
        var states: [String: InputState] = [:]
        for name in try FileManager.default.subpathsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(name)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            states[name] = InputState(
                contents: try Data(contentsOf: url),
                modified: try url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate)
        }
        return states
    }

    /// Every option of PS3.15 E.3 that Veil implements (Modified Dates for the longitudinal one),
    /// except the two that change pixels on purpose, which have their own tests: defacing
    /// (DefacingTests, DefaceCommandTests) and Clean Pixel Data (TextRedactionTests,
    /// CleanPixelDataCommandTests).
    static let allOptions: Set<ProfileOption> = DeidentificationProfile.implementedOptions
        .subtracting([.retainLongitudinalFullDates, .retainUIDs, .cleanRecognizableVisualFeatures, .cleanPixelData])

    static let withAllOptions: Result<CorpusRun, any Error> = Result {
        try CorpusRun(key: TestKeys.primary, jobs: 2, into: "veil-corpus-options") { configuration in
            configuration.profile = DeidentificationProfile(options: allOptions)
        }
    }

    var writtenFiles: [URL] { Array(outputsByInput.values).sorted { $0.path < $1.path } }
}

enum TestKeys {
    static let primary = try! DeidentificationKey(bytes: Array(repeating: 7, count: 32))
    static let other = try! DeidentificationKey(bytes: Array(repeating: 9, count: 32))
}
