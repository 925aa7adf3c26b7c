import ArgumentParser
import DICOMCore
import Deidentification
import Foundation

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Show de-identification profiles.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the effective action of every row of PS3.15 Table E.1-1 under a profile.",
            discussion: """
                Each line: the tag, the attribute, the Basic Profile's action, and the action under the \
                profile with the option that decided it. Compound actions (X/Z/D…) are resolved per file \
                by the attribute's Type in its IOD. Overrides follow the table.
                """)

        @OptionGroup var profileOptions: ProfileOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let profile = try profileOptions.makeProfile()
            var rows: [[String: String]] = []
            for row in ConfidentialityProfileTable.rows {
                let (action, option) = profile.action(for: row)
                rows.append([
                    "tag": row.tagDescription, "name": row.name, "basic": row.basic.rawValue,
                    "action": action.rawValue, "option": option?.rawValue ?? "",
                ])
            }
            let overrides = profile.overrides.map { override -> [String: String] in
                switch override.action {
                case .keep: ["attribute": override.selector.description, "action": "keep"]
                case .remove: ["attribute": override.selector.description, "action": "remove"]
                case .replace(let value):
                    ["attribute": override.selector.description, "action": "replace", "value": value]
                }
            }
            let codes = profile.methodCodes.map(\.value)
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                struct Document: Encodable {
                    var edition: String
                    var methodCodes: [String]
                    var rows: [[String: String]]
                    var overrides: [[String: String]]
                }
                let data = try encoder.encode(
                    Document(
                        edition: ConfidentialityProfileTable.edition, methodCodes: codes,
                        rows: rows, overrides: overrides))
                print(String(decoding: data, as: UTF8.self))
            case .text:
                print(
                    "DICOM PS3.15 \(ConfidentialityProfileTable.edition) Table E.1-1; (0012,0064) codes: \(codes.joined(separator: ", "))"
                )
                for row in rows {
                    let name = row["name"]!.count > 50 ? String(row["name"]!.prefix(49)) + "…" : row["name"]!
                    let changed = row["action"] != row["basic"] ? "  ← \(row["option"]!)" : ""
                    print(
                        "\(row["tag"]!.padding(toLength: 14, withPad: " ", startingAt: 0)) "
                            + "\(name.padding(toLength: 51, withPad: " ", startingAt: 0)) "
                            + "\(row["basic"]!.padding(toLength: 7, withPad: " ", startingAt: 0)) → \(row["action"]!)\(changed)"
                    )
                }
                for override in overrides {
                    print(
                        "override \(override["attribute"]!): \(override["action"]!)\(override["value"].map { " \"\($0)\"" } ?? "")"
                    )
                }
            }
        }
    }
}
