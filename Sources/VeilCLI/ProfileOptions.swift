import ArgumentParser
import Deidentification
import Foundation
import VeilBatch

/// The PS3.15 options and the profile file, shared by the commands that de-identify or show a profile.
struct ProfileOptions: ParsableArguments {
    @Option(
        name: .customLong("profile"),
        help: ArgumentHelp(
            "A profile file (YAML) with options and per-attribute overrides.",
            discussion: "Flags given on the command line add to the file's options."))
    var profileFile: String?

    @Option(
        help: ArgumentHelp(
            "Keep dates (full), or shift them by a keyed per-patient offset (modified) (PS3.15 E.3.6).",
            valueName: "full|modified"))
    var retainLongitudinal: Longitudinal?

    @Flag(help: "Keep sex, age (above 89 as 090Y), size, weight and similar (E.3.7).")
    var retainPatientCharacteristics = false

    @Flag(help: "Keep device serial numbers, station names and calibration data; replace AE titles (E.3.8).")
    var retainDeviceIdentity = false

    @Flag(help: "Keep institution names, addresses and departments (E.3.11).")
    var retainInstitutionIdentity = false

    @Flag(name: .customLong("retain-uids"), help: "Keep the original UIDs (E.3.9).")
    var retainUIDs = false

    @Flag(help: "Keep private attributes the TCIA Private Tag Knowledge Base marks safe (E.3.10).")
    var retainSafePrivate = false

    @Flag(help: "Clean free text (descriptions, comments, protocol names) instead of removing it (E.3.5).")
    var cleanDescriptors = false

    @Flag(help: "Keep structured report content, its text, names, dates and UIDs cleaned (E.3.4).")
    var cleanStructuredContent = false

    @Flag(help: "Keep overlays, curves and graphic annotations, their text cleaned (E.3.3).")
    var cleanGraphics = false

    @Flag(help: "De-identify files whose Burned In Annotation is YES although text in their pixels stays.")
    var acceptBurnedInAnnotation = false

    enum Longitudinal: String, ExpressibleByArgument, CaseIterable {
        case full, modified
    }

    /// The profile file, with the command-line options added.
    func makeProfile() throws -> DeidentificationProfile {
        var profile = DeidentificationProfile()
        if let profileFile {
            guard let data = FileManager.default.contents(atPath: profileFile) else {
                throw ValidationError("cannot read the profile file")
            }
            do { profile = try ProfileDocument.parse(String(decoding: data, as: UTF8.self)) } catch {
                throw ValidationError("profile file: \(error)")
            }
        }
        switch retainLongitudinal {
        case .full: profile.options.insert(.retainLongitudinalFullDates)
        case .modified: profile.options.insert(.retainLongitudinalModifiedDates)
        case nil: break
        }
        let flags: [(Bool, ProfileOption)] = [
            (retainPatientCharacteristics, .retainPatientCharacteristics),
            (retainDeviceIdentity, .retainDeviceIdentity),
            (retainInstitutionIdentity, .retainInstitutionIdentity), (retainUIDs, .retainUIDs),
            (retainSafePrivate, .retainSafePrivate), (cleanDescriptors, .cleanDescriptors),
            (cleanStructuredContent, .cleanStructuredContent), (cleanGraphics, .cleanGraphics),
        ]
        for (enabled, option) in flags where enabled { profile.options.insert(option) }
        if acceptBurnedInAnnotation { profile.acceptsBurnedInAnnotation = true }
        if let problem = profile.problem { throw ValidationError(problem) }
        return profile
    }
}
