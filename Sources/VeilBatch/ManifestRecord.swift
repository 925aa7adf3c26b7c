import Deidentification

/// The records of `manifest.jsonl`: one header, then one record per input file. They say what
/// was done without saying to what: no original value, name, ID, date, UID or input path.
public enum ManifestRecord {
    /// The run: tool, profile, key fingerprint, times and counts.
    public struct Header: Codable, Sendable, Equatable {
        public var type = "header"
        public var tool = "Veil"
        public var version = Veil.version
        public var dcmtkVersion: String
        public var profile: Profile
        public var keyFingerprint: String
        /// True when no key file was given: the run's random key was discarded, so its outputs
        /// cannot be linked to anything.
        public var ephemeralKey: Bool
        public var dryRun: Bool
        /// "anonymize" or "pseudonymize".
        public var mode: String
        /// "i/N" when this manifest covers one shard of a batch.
        public var shard: String?
        public var startTime: String
        public var endTime: String?
        public var counts: Counts?
    }

    public struct Profile: Codable, Sendable, Equatable {
        public var standard = "DICOM PS3.15 Annex E"
        public var edition = ConfidentialityProfileTable.edition
        public var tableSHA256 = ConfidentialityProfileTable.sourceSHA256
        public var options: [String]
        public var methodCodes: [String]
        public var acceptsBurnedInAnnotation: Bool
        /// Burned-in text cleaning: "flagged" images, "all" images, or absent when off.
        public var cleanPixelData: String?
        /// True when head series are defaced (`--deface`, or a profile file's option); absent when off.
        public var deface: Bool?
        /// True when defacing also removes the ears (`--deface-ears`); absent otherwise.
        public var defaceEars: Bool?
        /// How many per-attribute overrides the profile has (their contents are in the profile file).
        public var overrides: Int
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var inputs = 0
        public var written = 0
        public var unchanged = 0
        public var skipped = 0
        public var failed = 0
        public var bytesRead: UInt64 = 0

        public init() {}
    }

    /// One input file.
    public struct File: Codable, Sendable {
        public var type = "file"
        /// Position of the input in the order the inputs were walked.
        public var index: Int
        /// Keyed hash of the input path.
        public var input: String
        public var status: FileOutcome.Status
        public var reason: String?
        public var message: String?
        /// Relative to the output folder.
        public var output: String?
        public var sopClassUID: String?
        public var transferSyntaxUID: String?
        /// Replacement UIDs and the patient pseudonym of the output.
        public var identifiers: OutputIdentifiers?
        public var actions: [Action]?
        public var warnings: [String]?
        public var methodCodes: [String]?
        public var defacing: DefacingRecord?
        public var pixelText: PixelTextRecord?
    }

    public struct Action: Codable, Sendable, Equatable {
        public var path: String
        public var action: String
        public var basis: String
    }

    /// The manifest line of one file: the JSON of `file(from:)`, written without JSONEncoder.
    /// `type` is "amendment" for the journal line that replaces an earlier record of the same
    /// input (see ``OutputOwners``); the final manifest holds only "file" records.
    static func fileLine(from outcome: FileOutcome, type: String = "file") -> [UInt8] {
        var record = file(from: outcome)
        record.type = type
        var json = JSONWriter()
        json.beginObject()
        if let actions = record.actions {
            json.key("actions")
            json.beginArray()
            for action in actions {
                json.beginObject()
                json.field("action", action.action)
                json.field("basis", action.basis)
                json.field("path", action.path)
                json.endObject()
            }
            json.endArray()
        }
        if let defacing = record.defacing {
            json.key("defacing")
            json.beginObject()
            json.key("behindOrbits")
            json.literal(defacing.behindOrbits ? "true" : "false")
            json.field("brainVolume", defacing.brainVolume)
            json.field("changedVoxels", defacing.changedVoxels)
            json.field("faceRays", defacing.faceRays)
            json.field("inlierFraction", defacing.inlierFraction)
            json.field("protection", defacing.protection)
            json.field("raysStillOnSkin", defacing.raysStillOnSkin)
            json.field("registrationRMS", defacing.registrationRMS)
            json.field("viewsWithFaceAfter", defacing.viewsWithFaceAfter)
            json.field("viewsWithFaceBefore", defacing.viewsWithFaceBefore)
            json.field("volumeWarnings", defacing.volumeWarnings)
            json.endObject()
        }
        if let identifiers = record.identifiers {
            json.key("identifiers")
            json.beginObject()
            json.field("frameOfReferenceUID", identifiers.frameOfReferenceUID)
            json.field("patientPseudonym", identifiers.patientPseudonym)
            json.field("seriesInstanceUID", identifiers.seriesInstanceUID)
            json.field("sopClassUID", identifiers.sopClassUID)
            json.field("sopInstanceUID", identifiers.sopInstanceUID)
            json.field("studyInstanceUID", identifiers.studyInstanceUID)
            json.endObject()
        }
        json.field("index", record.index)
        json.field("input", record.input)
        json.field("message", record.message)
        json.field("methodCodes", record.methodCodes)
        json.field("output", record.output)
        if let pixelText = record.pixelText {
            json.key("pixelText")
            json.beginObject()
            json.key("boxes")
            json.beginArray()
            for box in pixelText.boxes {
                json.beginObject()
                json.field("frame", box.frame)
                json.field("rule", box.rule.rawValue)
                json.field("x0", box.x0)
                json.field("x1", box.x1)
                json.field("y0", box.y0)
                json.field("y1", box.y1)
                json.endObject()
            }
            json.endArray()
            json.field("frames", pixelText.frames)
            json.key("ocrChecked")
            json.literal(pixelText.ocrChecked ? "true" : "false")
            json.field("secondLookLines", pixelText.secondLookLines)
            json.field("triage", pixelText.triage)
            json.endObject()
        }
        json.field("reason", record.reason)
        json.field("sopClassUID", record.sopClassUID)
        json.field("status", record.status.rawValue)
        json.field("transferSyntaxUID", record.transferSyntaxUID)
        json.field("type", record.type)
        json.field("warnings", record.warnings)
        json.endObject()
        return json.bytes
    }

    static func file(from outcome: FileOutcome) -> File {
        File(
            index: outcome.index, input: outcome.inputID, status: outcome.status, reason: outcome.reason,
            message: outcome.message,
            output: outcome.outputPath, sopClassUID: outcome.identifiers?.sopClassUID,
            transferSyntaxUID: outcome.transferSyntaxUID, identifiers: outcome.identifiers,
            actions: outcome.identifiers == nil
                ? nil
                : outcome.actions.map {
                    Action(path: $0.path.description, action: $0.action.rawValue, basis: $0.reason.text)
                },
            warnings: outcome.warnings.isEmpty ? nil : outcome.warnings.map(\.kind.rawValue),
            methodCodes: outcome.methodCodes.isEmpty ? nil : outcome.methodCodes, defacing: outcome.defacing,
            pixelText: outcome.pixelText)
    }
}
