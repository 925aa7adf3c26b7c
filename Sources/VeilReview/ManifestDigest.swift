import Deidentification
import Foundation
import TextRedaction
import VeilBatch

/// What the review needs of a manifest, read line by line: the run, the outputs grouped by
/// series, and the inputs not written grouped by reason. The manifest holds no original value or
/// path, so nothing read here can leak one.
struct ManifestDigest {
    /// At most this many input ids are kept per reason: the count is always exact, the list is
    /// for a person to look up, and memory must not grow with a dataset whose every input failed.
    static let idsPerReason = 500

    var header: ManifestRecord.Header
    /// By "<study>/<series>" of the replacement UIDs.
    var series: [String: Series] = [:]
    /// By status and reason code ("failed/not-dicom"): a code may come with either status.
    var reasons: [String: Reason] = [:]
    var records = 0

    struct Series {
        var study: String
        var series: String
        var patient: String?
        /// Output paths relative to the output folder, with what the manifest says of each.
        var files: [String: File] = [:]
    }

    struct File {
        var boxes: [TextBox]
        var defacing: DefacingRecord?
        var warnings: [String]
    }

    struct Reason {
        var status: String
        var code: String
        var count = 0
        var inputs: [String] = []
    }

    /// The lines of a file record this page reads; the actions are not decoded.
    private struct Line: Decodable {
        var type: String
        var input: String?
        var status: String?
        var reason: String?
        var output: String?
        var identifiers: OutputIdentifiers?
        var warnings: [String]?
        var defacing: DefacingRecord?
        var pixelText: PixelTextRecord?
    }

    init(path: String) throws(ReviewError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReviewError("cannot read the manifest (give --manifest when it is not <folder>/manifest.jsonl)")
        }
        defer { try? handle.close() }
        var reader = LineReader(handle)
        let decoder = JSONDecoder()
        guard let first = reader.next(), let header = try? decoder.decode(ManifestRecord.Header.self, from: first),
            header.type == "header"
        else { throw ReviewError("not a Veil manifest: its first line is not a header") }
        guard header.counts != nil else {
            throw ReviewError("the manifest is a journal of a run that has not finished; finish the run first")
        }
        self.header = header
        while let data = reader.next() {
            guard !data.isEmpty else { continue }
            guard let line = try? decoder.decode(Line.self, from: data) else {
                throw ReviewError("the manifest has a damaged line")
            }
            guard line.type == "file" else { continue }
            records += 1
            add(line)
        }
    }

    private mutating func add(_ line: Line) {
        switch line.status {
        case "failed", "skipped":
            let (status, code) = (line.status ?? "failed", line.reason ?? "unknown")
            var reason = reasons[status + "/" + code] ?? Reason(status: status, code: code)
            reason.count += 1
            if reason.inputs.count < Self.idsPerReason, let input = line.input { reason.inputs.append(input) }
            reasons[status + "/" + code] = reason
        case "written", "unchanged":
            // Duplicates that were `unchanged` point at the written file: one entry per output.
            guard let output = line.output, let identifiers = line.identifiers else { return }
            // Never read outside the output folder, whatever the manifest says.
            guard !output.hasPrefix("/"), !output.split(separator: "/").contains("..") else { return }
            let key = identifiers.studyInstanceUID + "/" + identifiers.seriesInstanceUID
            var entry =
                series[key]
                ?? Series(
                    study: identifiers.studyInstanceUID, series: identifiers.seriesInstanceUID,
                    patient: identifiers.patientPseudonym)
            if entry.files[output] == nil || line.status == "written" {
                entry.files[output] = File(
                    boxes: line.pixelText?.boxes ?? [], defacing: line.defacing, warnings: line.warnings ?? [])
            }
            series[key] = entry
        default: break
        }
    }
}
