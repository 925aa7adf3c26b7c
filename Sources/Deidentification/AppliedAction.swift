import DICOMCore

/// One change Veil made to an instance: which element, which action, and why. Never the value.
public struct AppliedAction: Sendable, Hashable {
    public var path: TagPath
    /// The action carried out: X, Z, D, U (or K for a sequence kept to have its contents remapped).
    public var action: ActionCode
    public var reason: Reason

    public init(_ path: TagPath, _ action: ActionCode, _ reason: Reason) {
        self.path = path
        self.action = action
        self.reason = reason
    }

    /// Where the decision came from.
    public enum Reason: Sendable, Hashable {
        /// The attribute's row in Table E.1-1.
        case table
        /// A compound action of Table E.1-1 resolved by the attribute's Type in the IOD.
        case iodType1, iodType2, iodType3
        /// The row's action under an option (PS3.15 E.3).
        case option(ProfileOption)
        /// The "Private Attributes" row of Table E.1-1: removed.
        case privateAttribute
        /// Retain Safe Private: the TCIA Private Tag Knowledge Base's disposition.
        case privateKnowledgeBase
        /// Retain Safe Private: the instance's own Private Data Element Characteristics (0008,0300).
        case privateDeclaration
        /// A keyed pseudonym as the Z/D replacement, so that the identifier stays linkable.
        case pseudonym
        /// Overlay Data is removed (E.1-1 (60xx,3000)), so the rest of its overlay plane goes too.
        case overlayPlane
        /// A D sequence whose 1C condition only holds while it has content: removed with its content.
        case contentRemoved
        /// A D sequence kept with dummy contents.
        case dummySequence
        /// Clean Structured Content: text and names of content items cleaned.
        case structuredContent
        /// Clean Graphics: overlays and annotations kept, their text cleaned.
        case graphics
        /// A per-attribute override of the profile.
        case override
        /// Clean Descriptors on a sequence: every text value inside it is cleaned.
        case cleanedSequence
        /// Identifying words (the instance's own names, IDs, addresses…), dates or phone numbers
        /// taken out of a value that is otherwise kept.
        case identifyingText
        /// Safety nets beyond Table E.1-1.
        case uidNotListed, personNameNotListed, temporalNotListed, unknownAttribute
        /// Encrypted Attributes Sequence (0400,0500) holds the originals, encrypted (PS3.15 E.1.1):
        /// whoever has the private key could restore them, so it is removed.
        case encryptedAttributes
        /// A date that could not be read, so could not be shifted: removed.
        case unparseableDate
        /// A Type 1C attribute whose condition no longer holds once other attributes were removed.
        case conditionUnsatisfied
        /// A date that could not be read, so could not be shifted: the row's Basic Profile action.
        case unparseableDateBasicAction
        case groupLength, fileMetaInDataSet
        /// The File Meta Information is rebuilt (PS3.15 E.1.1).
        case fileMetaRebuilt

        /// Kept because the user asked for it: an option of E.3 or a profile override.
        var isExplicitRetention: Bool {
            switch self {
            case .option, .override: true
            default: false
            }
        }

        /// How the manifest and dry runs name the reason.
        public var text: String {
            switch self {
            case .table: "E.1-1"
            case .iodType1: "E.1-1, IOD Type 1"
            case .iodType2: "E.1-1, IOD Type 2"
            case .iodType3: "E.1-1, IOD Type 3 or absent"
            case .option(let option): "E.1-1, option \(option.rawValue)"
            case .privateAttribute: "E.1-1 private attributes"
            case .privateKnowledgeBase: "E.1-1 safe private, TCIA knowledge base"
            case .privateDeclaration: "E.1-1 safe private, declared in (0008,0300)"
            case .pseudonym: "E.1-1, keyed pseudonym"
            case .overlayPlane: "overlay plane removed with its data"
            case .contentRemoved: "content removed (Type 1C)"
            case .dummySequence: "dummy sequence contents"
            case .structuredContent: "E.1-1, option cleanStructuredContent"
            case .graphics: "E.1-1, option cleanGraphics"
            case .override: "profile override"
            case .cleanedSequence: "E.1-1, option cleanDescriptors: text inside a cleaned sequence"
            case .identifyingText: "identifying words removed from kept text"
            case .uidNotListed: "UID not listed: replaced"
            case .personNameNotListed: "person name not listed: removed"
            case .temporalNotListed: "date or time not listed: removed"
            case .unknownAttribute: "not in the data dictionary: removed"
            case .encryptedAttributes: "encrypted original attributes: removed"
            case .unparseableDate: "date not readable, so not shiftable: removed"
            case .conditionUnsatisfied: "Type 1C condition no longer holds: removed"
            case .unparseableDateBasicAction: "date not readable, so not shiftable: Basic Profile action"
            case .groupLength: "group length: removed"
            case .fileMetaInDataSet: "file meta element in data set: removed"
            case .fileMetaRebuilt: "file meta information rebuilt"
            }
        }
    }
}

/// Something a user should know about an instance that was written.
public struct DeidentificationWarning: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The image may carry burned-in text: Burned In Annotation is not NO for an image type
        /// that often has it (US, secondary capture, documents).
        case burnedInTextPossible = "burned-in-text-possible"
        /// Overlay bits are embedded in Pixel Data: removing the overlay attributes does not
        /// remove them.
        case overlayInPixelData = "overlay-in-pixel-data"
        /// Recognizable Visual Features is YES: a face may be reconstructed from the pixels.
        case recognizableVisualFeatures = "recognizable-visual-features"
        /// Clean Graphics kept overlay bitmaps, which may contain drawn text.
        case overlayKept = "overlay-kept"
    }

    public var kind: Kind
    public var message: String
}
