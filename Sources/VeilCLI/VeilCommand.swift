import ArgumentParser
import Deidentification

@main
struct VeilCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veil",
        abstract: "De-identify DICOM files (DICOM PS3.15 Annex E) with an audit manifest.",
        discussion: """
        Start with a key, so that pseudonyms and replacement UIDs stay the same in every batch:
          veil keygen project.key
          veil anonymize /path/to/export --output /path/to/deidentified --key-file project.key

        Exit status: 0 every file was de-identified or skipped on purpose; 1 some files failed
        (each is reported, nothing is written for it); 2 the run could not start or finish;
        64 invalid command line.
        """,
        version: "veil \(Veil.version) (DICOM PS3.15 \(ConfidentialityProfileTable.edition))",
        subcommands: [AnonymizeCommand.self, KeygenCommand.self]
    )
}
