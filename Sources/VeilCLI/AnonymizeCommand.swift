import ArgumentParser
import DICOMIO
import Deidentification
import Foundation
import TextRedaction
import VeilBatch

struct AnonymizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anonymize",
        abstract: "De-identify DICOM files and folders into an output folder.",
        discussion: """
            Applies the Basic Application Level Confidentiality Profile of DICOM PS3.15 (edition \
            \(ConfidentialityProfileTable.edition)) to every file under the inputs: names, IDs, dates, \
            free text and private attributes are removed or replaced at every depth, UIDs are replaced \
            by keyed ones so that references still resolve, and the preamble and File Meta Information \
            are rebuilt. Pixel Data is copied byte for byte.

            Outputs are named <Study UID>/<Series UID>/<SOP Instance UID>.dcm from the new UIDs; no \
            part of an input path reaches the output. The manifest (manifest.jsonl in the output \
            folder) records every action without any original value.

            Files that are not DICOM are skipped and counted (files named *.dcm that are not DICOM \
            fail). Files that cannot be de-identified safely fail: nothing is written for them.
            """)

    @Argument(help: "DICOM files or folders (searched recursively).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Folder for the de-identified files (created if missing).")
    var output: String?

    @Option(
        name: .customLong("key-file"),
        help: ArgumentHelp(
            "Key for pseudonyms and replacement UIDs (make one with 'veil keygen'; mode 0600).",
            discussion:
                "Without it a random key is used for this run only: outputs then cannot be linked to any other run."))
    var keyFile: String?

    @Option(
        name: .shortAndLong,
        help: "Files processed in parallel (default: number of cores). Outputs do not depend on it.")
    var jobs: Int?

    @Flag(help: "Show what would be done to each file (tag paths and actions, never values); write nothing.")
    var dryRun = false

    @Option(help: "Write the manifest here instead of <output>/manifest.jsonl.")
    var manifest: String?

    @Option(
        help: ArgumentHelp(
            "Write original → new identifiers as CSV (id_old,id_new) to this file, mode 0600.",
            discussion: "The mapping holds PHI: keep it with the key holder, never with the de-identified data."))
    var mapping: String?

    @OptionGroup(title: "Profile (DICOM PS3.15 E.3 options)")
    var profileOptions: ProfileOptions

    @Option(
        help: ArgumentHelp(
            "anonymize: no way back (default). pseudonymize: keep the original values of every changed attribute, encrypted, in --vault.",
            discussion:
                "Pseudonymize needs --vault and --reidentification-key; 'veil reidentify' restores the originals."))
    var mode: Mode = .anonymize

    @Option(help: "Pseudonymize mode: where to write the encrypted originals (mode 0600, outside --output).")
    var vault: String?

    @Option(
        help: "Pseudonymize mode: the key that encrypts the vault (veil keygen --reidentification), not the --key-file."
    )
    var reidentificationKey: String?

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case anonymize, pseudonymize
    }

    @Option(
        help: ArgumentHelp(
            "Name input files in messages by path (show), by keyed ID (redact), or by path only on a terminal (auto).",
            discussion:
                "Input paths can carry patient names; redacted messages name inputs as 'input #<n> <id>', the id used in the manifest."
        ))
    var paths: PathDisplay = .auto

    @Flag(name: .shortAndLong, help: "Also list every file written and its warnings.")
    var verbose = false

    @Option(help: "Copy inputs that fail into this folder (named by their manifest id), outside --output.")
    var quarantine: String?

    @Option(
        help: ArgumentHelp(
            "Process only shard i of N (i from 1), split by study: N machines with shards 1/N … N/N do one batch.",
            discussion: "Join the shards' manifests with 'veil manifest merge'.", valueName: "i/N"))
    var shard: String?

    @Flag(help: "Also write a DICOMDIR; files then go to DICOM/<study>/<series>/<instance> (8-character names).")
    var dicomdir = false

    @Flag(
        help: ArgumentHelp(
            "Remove the face from head CT and MR series (self-checked; a head series that fails is not written).",
            discussion:
                "Head series are found from Body Part Examined, descriptions and protocol, and by fitting a head atlas."
        ))
    var deface = false

    @Flag(help: "With --deface (implied): also remove the ears, outside the same protection of the brain.")
    var defaceEars = false

    @Option(
        name: .customLong("clean-pixel-data"),
        help: ArgumentHelp(
            "Find and mask text burned into the pixels, on every frame: of flagged images (US, secondary captures, screenshots, Burned In Annotation YES, …) or of all images.",
            discussion:
                "A bare --clean-pixel-data means flagged. An image whose text cannot be removed is not written.",
            valueName: "flagged|all"))
    var cleanPixelData: TextTriage.Scope?

    @Option(
        help: ArgumentHelp(
            "Also write per series, beside its DICOM: nifti (volume.nii.gz + volume.json), png (qa.png), or both: nifti,png.",
            discussion: "Made from the de-identified (and defaced) outputs; no text fields, no dates, no PHI."))
    var representations: String?

    @Option(
        name: .customLong("k-anonymity"),
        help:
            "dataset.csv: flag series whose age bin, sex, year, modality and institution fewer than k patients share (default 5)."
    )
    var kAnonymity: Int = 5

    @Flag(help: "dataset.csv: replace those quasi-identifiers by * instead of only flagging them.")
    var suppressBelowK = false

    @Flag(
        help: "At the end, also write <output>/review.html: one offline page to review the output (as 'veil review').")
    var review = false

    @Option(help: .hidden)
    var checkpointEvery: Int?

    @Option(
        help:
            "Progress on stderr: auto (a bar on a terminal, nothing otherwise), bar, lines (JSON lines, for logs), or none."
    )
    var progress: ProgressDisplay.Style = .auto

    @Option(help: "Output format on stdout: text or json.")
    var format: OutputFormat = .text

    @Option(
        help: ArgumentHelp(
            "Then send the output folder to this node (as 'veil push OUTPUT --to NODE').",
            valueName: "node"))
    var push: String?

    @OptionGroup var nodeOptions: NodeOptions

    func validate() throws {
        if output == nil && !dryRun { throw ValidationError("--output is required (except with --dry-run).") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes i/N with 1 ≤ i ≤ N, e.g. 2/4.") }
        if mapping != nil && dryRun { throw ValidationError("--mapping cannot be used with --dry-run.") }
        if push != nil && dryRun { throw ValidationError("--push cannot be used with --dry-run.") }
        if review && dryRun { throw ValidationError("--review cannot be used with --dry-run.") }
        switch mode {
        case .pseudonymize where vault == nil || reidentificationKey == nil:
            throw ValidationError("--mode pseudonymize needs --vault and --reidentification-key.")
        case .anonymize where vault != nil || reidentificationKey != nil:
            throw ValidationError("--vault and --reidentification-key are for --mode pseudonymize.")
        default: break
        }
    }

    func run() throws { try execute(defaceRequiresHead: false) }

    /// The whole command; `veil deface` runs it with every CT and MR series taken as a head.
    /// `beforePush` is given the manifest once it is written (`veil pull` adds its records).
    func execute(defaceRequiresHead: Bool, beforePush: (String) -> Void = { _ in }) throws {
        let console = Console(paths: paths, format: format)
        let key: DeidentificationKey
        if let keyFile {
            do { key = try DeidentificationKey(contentsOf: keyFile) } catch {
                console.fatal("key file: \(error)")
                throw ExitCode(2)
            }
        } else {
            key = .random()
            if !dryRun {
                console.note("no --key-file: using a random key for this run; outputs cannot be linked to other runs")
            }
        }
        var configuration = BatchConfiguration(outputFolder: output ?? "/nonexistent-dry-run", key: key)
        configuration.profile = try profileOptions.makeProfile()
        if mode == .pseudonymize, let vault, let reidentificationKey {
            do {
                let reidentification = try ReidentificationKey(contentsOf: reidentificationKey)
                if reidentification.fingerprint == ReidentificationKey.fingerprint(ofDeidentificationKey: key) {
                    console.fatal("the re-identification key must not be the de-identification key")
                    throw ExitCode(2)
                }
                configuration.mode = .pseudonymize(vaultPath: vault, key: reidentification)
            } catch let error as KeyError {
                console.fatal("re-identification key file: \(error)")
                throw ExitCode(2)
            }
        }
        configuration.dryRun = dryRun
        configuration.manifestPath = manifest
        configuration.mappingPath = mapping
        if let jobs { configuration.jobs = jobs }
        configuration.quarantineFolder = quarantine
        configuration.shard = shard.flatMap(Shard.init)
        configuration.writesDICOMDIR = dicomdir
        configuration.deface = deface
        configuration.defaceEars = defaceEars
        configuration.cleanPixelData = cleanPixelData
        for name in (representations ?? "").split(separator: ",") {
            guard let representation = Representation(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
            else {
                console.fatal("--representations takes nifti, png or nifti,png")
                throw ExitCode(2)
            }
            configuration.representations.insert(representation)
        }
        configuration.kAnonymity = max(1, kAnonymity)
        configuration.suppressBelowK = suppressBelowK
        configuration.defaceRequiresHead = defaceRequiresHead
        if let checkpointEvery { configuration.checkpointInterval = (max(1, checkpointEvery), 30) }
        let display = ProgressDisplay(dryRun ? .none : progress)
        console.progress = display

        let batch = BatchAnonymizer(configuration)
        let summary: BatchSummary
        do {
            summary = try batch.run(inputs: inputs) { event in
                display.event(event)
                if case .finished(let outcome) = event {
                    console.report(outcome, dryRun: dryRun, verbose: verbose)
                }
            }
        } catch {
            display.finish()
            console.fatal(error.description)
            throw ExitCode(2)
        }
        console.summary(summary, dryRun: dryRun)
        if !dryRun { beforePush(batch.manifestPath) }
        var status: Int32 = summary.succeeded ? 0 : 1
        if review, let output {
            status = max(
                status,
                ReviewCommand.write(
                    folder: output, manifest: manifest,
                    to: (output as NSString).appendingPathComponent("review.html"), k: kAnonymity, jobs: jobs,
                    progress: progress, format: format))
        }
        if let push, let output {
            status = max(
                status,
                PushCommand.push(
                    folder: output, manifest: manifest, node: push, nodeOptions: nodeOptions, allowIdentified: false,
                    progress: progress))
        }
        if status != 0 { throw ExitCode(status) }
    }
}

extension ProgressDisplay.Style: ExpressibleByArgument {}
extension TextTriage.Scope: ExpressibleByArgument {}

enum PathDisplay: String, ExpressibleByArgument, CaseIterable {
    case auto, show, redact
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
