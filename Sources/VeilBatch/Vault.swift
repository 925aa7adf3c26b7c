import DICOMIO
import Deidentification
import Foundation

/// The re-identification vault of pseudonymize mode: one encrypted record of original attributes
/// per de-identified instance, found by the instance's (new) SOP Instance UID. JSON lines, mode
/// 0600: a header naming the key by fingerprint, then `{"type":"instance","sopInstanceUID":…,
/// "nonce":…,"ciphertext":…,"tag":…}` with base64 fields. Without the re-identification key
/// it reveals nothing but the number of instances.
public enum Vault {
    struct Header: Codable {
        var type = "vault-header"
        var tool = "Veil"
        var version = 1
        var reidentificationKeyFingerprint: String
    }

    struct Record: Codable {
        var type = "instance"
        var sopInstanceUID: String
        var nonce: String
        var ciphertext: String
        var tag: String
    }

    /// Appends records during a batch and writes the vault at the end.
    final class Writer: Sendable {
        private let log: JournaledLog
        private let header: [UInt8]

        init(path: String, key: ReidentificationKey, carriedOver: [[UInt8]] = []) throws(DICOMIOError) {
            header = ManifestWriter.encode(Header(reidentificationKeyFingerprint: key.fingerprint))
            log = try JournaledLog(path: path, permissions: 0o600, header: header, carriedOver: carriedOver)
        }

        func checkpoint() { log.checkpoint() }
        var failure: String? { log.failure }
        var spaceRunningOut: String? { log.spaceRunningOut }

        func record(index: Int, sopInstanceUID: String, sealed: SealedAttributes) {
            let record = Record(
                sopInstanceUID: sopInstanceUID, nonce: Data(sealed.nonce).base64EncodedString(),
                ciphertext: Data(sealed.ciphertext).base64EncodedString(),
                tag: Data(sealed.tag).base64EncodedString())
            log.append(ManifestWriter.encode(record))
        }

        func finish() throws(DICOMIOError) { try log.finish(header: header) }
    }

    /// Reads a vault: its records by SOP Instance UID.
    public static func read(_ path: String, key: ReidentificationKey) throws(BatchError) -> [String: SealedAttributes] {
        guard let data = FileManager.default.contents(atPath: path) else { throw BatchError("cannot read the vault") }
        var records: [String: SealedAttributes] = [:]
        let decoder = JSONDecoder()
        for (number, line) in data.split(separator: 0x0A).enumerated() {
            if number == 0 {
                guard let header = try? decoder.decode(Header.self, from: line), header.type == "vault-header" else {
                    throw BatchError("not a Veil vault")
                }
                guard header.reidentificationKeyFingerprint == key.fingerprint else {
                    throw BatchError("the vault was sealed with another re-identification key")
                }
                continue
            }
            guard let record = try? decoder.decode(Record.self, from: line),
                let nonce = Data(base64Encoded: record.nonce), let ciphertext = Data(base64Encoded: record.ciphertext),
                let tag = Data(base64Encoded: record.tag)
            else {
                throw BatchError("vault line \(number + 1) is damaged")
            }
            records[record.sopInstanceUID] = SealedAttributes(
                nonce: Array(nonce), ciphertext: Array(ciphertext), tag: Array(tag))
        }
        return records
    }
}
