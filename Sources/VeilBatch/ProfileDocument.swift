import Deidentification
import Yams

/// A profile file: the options of PS3.15 E.3 and per-attribute overrides, in YAML.
///
/// ```yaml
/// options:
///   retain-longitudinal: modified        # full, modified or none
///   retain-patient-characteristics: true
///   retain-device-identity: false
///   retain-institution-identity: false
///   retain-uids: false
///   retain-safe-private: true
///   clean-descriptors: true
///   clean-structured-content: true
///   clean-graphics: false
///   clean-pixel-data: true                # burned-in text of flagged images (--clean-pixel-data)
///   clean-recognizable-visual-features: false   # defacing (--deface)
/// accept-burned-in-annotation: false
/// overrides:                             # first match wins; applied before the table
///   - attribute: SeriesDescription       # keyword, (gggg,eeee), or a path A/B from the top level
///     action: keep                       # keep, remove or replace
///   - attribute: InstitutionName
///     action: replace
///     value: Research Site 1
/// ```
///
/// Unknown keys are errors, so that a typo never silently weakens a profile.
public enum ProfileDocument {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The option names of profile files and command-line flags, by option.
    public static let optionNames: [(name: String, option: ProfileOption)] = [
        ("retain-patient-characteristics", .retainPatientCharacteristics),
        ("retain-device-identity", .retainDeviceIdentity),
        ("retain-institution-identity", .retainInstitutionIdentity),
        ("retain-uids", .retainUIDs),
        ("retain-safe-private", .retainSafePrivate),
        ("clean-descriptors", .cleanDescriptors),
        ("clean-structured-content", .cleanStructuredContent),
        ("clean-graphics", .cleanGraphics),
        // Pixel options: the batch defaces, and masks burned-in text of flagged images.
        ("clean-recognizable-visual-features", .cleanRecognizableVisualFeatures),
        ("clean-pixel-data", .cleanPixelData),
    ]

    /// Parses a profile file's text.
    public static func parse(_ text: String) throws(Problem) -> DeidentificationProfile {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw Problem("not valid YAML: \(error)") }
        guard let document = root as? [String: Any] else {
            if root == nil { return .basic }
            throw Problem("a profile is a mapping with 'options', 'accept-burned-in-annotation' and 'overrides'")
        }
        var profile = DeidentificationProfile()
        for (key, value) in document {
            switch key {
            case "options":
                guard let options = value as? [String: Any] else { throw Problem("'options' must be a mapping") }
                profile.options = try parseOptions(options)
            case "accept-burned-in-annotation":
                profile.acceptsBurnedInAnnotation = try bool(value, key)
            case "overrides":
                guard let list = value as? [Any] else { throw Problem("'overrides' must be a list") }
                profile.overrides = try list.enumerated().map { index, entry throws(Problem) in
                    try parseOverride(entry, index: index)
                }
            default:
                throw Problem("unknown key '\(key)'")
            }
        }
        if let problem = profile.problem { throw Problem(problem) }
        return profile
    }

    private static func parseOptions(_ options: [String: Any]) throws(Problem) -> Set<ProfileOption> {
        var result = Set<ProfileOption>()
        for (key, value) in options {
            if key == "retain-longitudinal" {
                switch "\(value)" {
                case "full": result.insert(.retainLongitudinalFullDates)
                case "modified": result.insert(.retainLongitudinalModifiedDates)
                case "none", "false": break
                default: throw Problem("retain-longitudinal must be full, modified or none")
                }
                continue
            }
            guard let option = optionNames.first(where: { $0.name == key })?.option else {
                throw Problem("unknown option '\(key)'")
            }
            if try bool(value, key) { result.insert(option) }
        }
        return result
    }

    private static func parseOverride(_ entry: Any, index: Int) throws(Problem) -> AttributeOverride {
        guard let fields = entry as? [String: Any] else { throw Problem("override \(index + 1) must be a mapping") }
        for key in fields.keys where !["attribute", "action", "value"].contains(key) {
            throw Problem("override \(index + 1): unknown key '\(key)'")
        }
        guard let attribute = fields["attribute"].map({ "\($0)" }), let selector = AttributeSelector(attribute) else {
            throw Problem("override \(index + 1): 'attribute' must be a keyword, a tag or a path of them")
        }
        switch fields["action"].map({ "\($0)" }) {
        case "keep": return AttributeOverride(selector, .keep)
        case "remove": return AttributeOverride(selector, .remove)
        case "replace":
            guard let value = fields["value"] else { throw Problem("override \(index + 1): 'replace' needs a 'value'") }
            return AttributeOverride(selector, .replace("\(value)"))
        default:
            throw Problem("override \(index + 1): 'action' must be keep, remove or replace")
        }
    }

    private static func bool(_ value: Any, _ key: String) throws(Problem) -> Bool {
        if let flag = value as? Bool { return flag }
        throw Problem("'\(key)' must be true or false")
    }
}
