import DICOMIO
import Foundation

/// Joins the manifests of the shards of one batch (`veil manifest merge`) into the manifest one
/// machine would have written: the same records, counts added up, one header.
public enum ManifestMerge {
    public static func merge(_ paths: [String], into output: String) throws(BatchError) -> ManifestRecord.Counts {
        guard !paths.isEmpty else { throw BatchError("no manifests to merge") }
        var headers: [ManifestRecord.Header] = []
        var records: [[UInt8]] = []
        // `veil pull`'s records of retrieved studies: kept, after the files, in the order given.
        var retrievals: [[UInt8]] = []
        var inputs = Set<String>()
        struct Kind: Decodable { var type: String? }
        let decoder = JSONDecoder()
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BatchError("cannot read a manifest")
            }
            let lines = data.split(separator: 0x0A)
            guard let first = lines.first, let header = try? decoder.decode(ManifestRecord.Header.self, from: first),
                header.type == "header", header.counts != nil
            else {
                throw BatchError("not a complete Veil manifest (an interrupted shard leaves only a journal)")
            }
            headers.append(header)
            for line in lines.dropFirst() {
                if (try? decoder.decode(Kind.self, from: line))?.type == "retrieval" {
                    retrievals.append(Array(line))
                    continue
                }
                guard let record = try? decoder.decode(ManifestRecord.File.self, from: line) else {
                    throw BatchError("a manifest has a damaged record")
                }
                guard inputs.insert(record.input).inserted else {
                    throw BatchError("an input appears in two manifests: were two shards given the same number?")
                }
                records.append(Array(line))
            }
        }
        let first = headers[0]
        for header in headers.dropFirst() {
            guard header.version == first.version, header.profile == first.profile,
                header.keyFingerprint == first.keyFingerprint,
                header.mode == first.mode, header.dryRun == first.dryRun
            else {
                throw BatchError("the manifests come from runs with different settings or keys")
            }
        }
        let shards = headers.compactMap { $0.shard.flatMap(Shard.init) }
        if !shards.isEmpty {
            let count = shards[0].count
            guard shards.count == headers.count, shards.allSatisfy({ $0.count == count }),
                Set(shards.map(\.index)) == Set(1...count)
            else {
                throw BatchError("the manifests are not the shards 1/N … N/N of one batch, each once")
            }
        }
        var counts = ManifestRecord.Counts()
        for header in headers {
            guard let part = header.counts else { continue }
            counts.inputs += part.inputs
            counts.written += part.written
            counts.unchanged += part.unchanged
            counts.skipped += part.skipped
            counts.failed += part.failed
            counts.bytesRead += part.bytesRead
        }
        var merged = first
        merged.shard = nil
        merged.startTime = headers.map(\.startTime).min() ?? first.startTime
        merged.endTime = headers.compactMap(\.endTime).max()
        merged.counts = counts
        // Records in input order, as one run over the same inputs would have numbered them.
        let ordered = records.enumerated().sorted { a, b in
            let x = (try? decoder.decode(ManifestRecord.File.self, from: Data(a.element)))?.index ?? a.offset
            let y = (try? decoder.decode(ManifestRecord.File.self, from: Data(b.element)))?.index ?? b.offset
            return x < y
        }.map(\.element)
        var bytes = ManifestWriter.encode(merged) + [0x0A]
        for line in ordered + retrievals { bytes += line + [0x0A] }
        do { try AtomicFile.write(bytes, to: output) } catch {
            throw BatchError("cannot write the merged manifest: \(error.message)")
        }
        return counts
    }
}
