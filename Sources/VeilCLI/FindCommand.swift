import ArgumentParser
import DICOMCore
import DICOMNetwork
import Foundation

struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Query a node for studies or series (C-FIND, or QIDO-RS for a DICOMweb node).",
        discussion: """
            The output is PHI by nature (patient names, IDs, dates): it goes to stdout only, never \
            to a log or a manifest. Keep it where PHI may be kept.

            Keys are DICOM keywords or tags: -k PatientID=123 -k StudyDate=20240101-20240131 \
            -k ModalitiesInStudy=CT. A key without a value is returned, not matched.
            """)

    @Argument(help: "The node's name in the nodes file.")
    var node: String

    @Option(name: .shortAndLong, help: "A matching or return key: Keyword=value, or gggg,eeee=value.")
    var key: [String] = []

    @Option(help: "Query/Retrieve Level: study or series.")
    var level: Level = .study

    @Option(help: "Output: text (a table) or json (one object per match).")
    var format: OutputFormat = .text

    @OptionGroup var nodeOptions: NodeOptions

    enum Level: String, ExpressibleByArgument, CaseIterable {
        case study, series
        var queryLevel: QueryLevel { self == .study ? .study : .series }
    }

    /// Columns shown by default (return keys asked for), per level.
    static func defaultColumns(_ level: Level) -> [DICOMTag] {
        switch level {
        case .study:
            [
                .patientID, .patientName, .studyDate, .accessionNumber, .modalitiesInStudy, .studyDescription,
                .numberOfStudyRelatedInstances, .studyInstanceUID,
            ]
        case .series:
            [
                .patientID, .studyInstanceUID, .seriesInstanceUID, .modality, .seriesNumber, .seriesDescription,
                .numberOfSeriesRelatedInstances,
            ]
        }
    }

    func run() throws {
        var keys: [QueryKey] = []
        for argument in key {
            guard let parsed = QueryKey(argument: argument) else {
                // The name only: the value may be a patient's.
                let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                throw ValidationError("-k \(name)=…: not a DICOM keyword or a public tag gggg,eeee")
            }
            keys.append(parsed)
        }
        let columns = Self.defaultColumns(level) + keys.map(\.tag).filter { !Self.defaultColumns(level).contains($0) }
        for tag in columns where !keys.contains(where: { $0.tag == tag }) { keys.append(QueryKey(tag)) }
        let matches: [QueryMatch]
        do {
            let directory = try nodeOptions.directory()
            let target = try directory.node(node)
            if target.isWeb {
                matches = try DICOMwebClient(node: target).query(level: level.queryLevel, keys: keys)
            } else {
                matches = try DIMSEClient(node: target, callingAET: directory.local.aet).find(
                    level: level.queryLevel, keys: keys)
            }
        } catch {
            throw NetworkFailure.exit(error)
        }
        print(Self.render(matches, columns: columns, format: format), terminator: "")
        Console.writeError("veil: \(matches.count) matches")
    }

    static func render(_ matches: [QueryMatch], columns: [DICOMTag], format: OutputFormat) -> String {
        let names = columns.map { DataDictionary.entry(for: $0)?.keyword ?? $0.description }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return matches.map { match in
                var object: [String: String] = [:]
                for (name, tag) in zip(names, columns) { object[name] = match[tag] ?? "" }
                return String(decoding: (try? encoder.encode(object)) ?? Data(), as: UTF8.self) + "\n"
            }.joined()
        case .text:
            let rows = [names] + matches.map { match in columns.map { match[$0] ?? "" } }
            let widths = columns.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces) + "\n"
            }.joined()
        }
    }
}
