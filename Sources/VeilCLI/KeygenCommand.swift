import ArgumentParser
import Deidentification
import Foundation

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new random de-identification key to a file (mode 0600).",
        discussion: """
            The key makes pseudonyms and replacement UIDs repeatable: the same patient gets the same \
            pseudonym in every batch de-identified with the same key. Anyone holding the key can test \
            whether a given identifier produced a given pseudonym, so store it like a password, \
            separately from the de-identified data. An existing file is never overwritten.
            """)

    @Argument(help: "Where to write the key.")
    var file: String

    @Flag(help: "Write a re-identification key (for --mode pseudonymize and veil reidentify) instead.")
    var reidentification = false

    func run() throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "file exists; not overwriting a key" : String(cString: strerror(errno))
            Console.writeError("veil: error: cannot create key file: \(reason)")
            throw ExitCode(2)
        }
        let text = Array(
            (reidentification
                ? ReidentificationKey.newKeyFileContents()
                : DeidentificationKey.newKeyFileContents()).utf8)
        let written = text.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == text.count, synced else {
            unlink(file)
            Console.writeError("veil: error: cannot write key file")
            throw ExitCode(2)
        }
        let fingerprint =
            reidentification
            ? try ReidentificationKey(contentsOf: file).fingerprint
            : try DeidentificationKey(contentsOf: file).fingerprint
        print(
            "wrote a new \(reidentification ? "re-identification " : "")key to \(file) (mode 0600); fingerprint \(fingerprint)"
        )
    }
}
