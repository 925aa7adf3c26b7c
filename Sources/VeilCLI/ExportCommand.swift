import ArgumentParser
import VeilBatch

/// `veil export`: NIfTI, JSON sidecars, QA pictures and dataset.csv from de-identified DICOM.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write NIfTI, JSON sidecars, QA pictures and dataset.csv for already de-identified DICOM.",
        discussion: """
            For DICOM that `veil anonymize` (or another tool that sets Patient Identity Removed to YES) \
            has de-identified. Files without that mark are refused. Per series, in \
            <output>/<Study UID>/<Series UID>/: volume.nii.gz and volume.json (nifti), qa.png (png); and \
            <output>/dataset.csv with a k-anonymity check. The DICOM files are not copied or changed.
            """)

    @Argument(help: "De-identified DICOM files or folders.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Folder for the representations (created if missing).")
    var output: String

    @Option(help: "nifti, png, or nifti,png (default).")
    var representations = "nifti,png"

    @Option(
        name: .customLong("k-anonymity"),
        help: "dataset.csv: flag series whose age bin, sex, year, modality and institution fewer than k patients share."
    )
    var kAnonymity = 5

    @Flag(help: "dataset.csv: replace those quasi-identifiers by * instead of only flagging them.")
    var suppressBelowK = false

    @Option(help: "Output format on stdout: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let console = Console(paths: .redact, format: format)
        var kinds = Set<Representation>()
        for name in representations.split(separator: ",") {
            guard let kind = Representation(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                console.fatal("--representations takes nifti, png or nifti,png")
                throw ExitCode(2)
            }
            kinds.insert(kind)
        }
        var pass = RepresentationPass(representations: kinds)
        pass.k = max(1, kAnonymity)
        pass.suppressBelowK = suppressBelowK
        let result: RepresentationExporter.Result
        do {
            result = try RepresentationExporter(pass: pass, outputFolder: output).run(inputs: inputs)
        } catch {
            console.fatal(error.description)
            throw ExitCode(2)
        }
        for index in result.refused {
            Console.writeError(
                "input #\(index + 1): refused: not marked de-identified (Patient Identity Removed is not YES)")
        }
        for failure in result.summary.failures { Console.writeError("veil: error: \(failure)") }
        for warning in result.summary.warnings { Console.writeError("veil: warning: \(warning)") }
        if result.summary.belowK > 0 {
            Console.writeError(
                "veil: warning: \(result.summary.belowK) series in dataset.csv have quasi-identifiers fewer than \(pass.k) patients share"
            )
        }
        print(
            "\(result.series) series: \(result.summary.written) files written, \(result.refused.count) inputs refused")
        if !result.refused.isEmpty || !result.summary.failures.isEmpty { throw ExitCode(1) }
    }
}
