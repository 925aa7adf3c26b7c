/// The action codes of PS3.15 Table E.1-1a.
public enum ActionCode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Remove the attribute.
    case X
    /// Replace with a zero-length value (Veil writes a keyed pseudonym where linkage matters).
    case Z
    /// Replace with a non-zero-length dummy value consistent with the VR.
    case D
    /// Keep; for a sequence, keep it and apply the profile to its items.
    case K
    /// Clean: replace with values of similar meaning known not to identify (options only).
    case C
    /// Replace the UID with a keyed replacement, consistently across instances.
    case U
    /// Z, unless the IOD needs a value (Type 1): then D.
    case ZD = "Z/D"
    /// X, unless the IOD needs the attribute (Type 2): then Z.
    case XZ = "X/Z"
    /// X, unless the IOD needs a value (Type 1): then D.
    case XD = "X/D"
    /// X, unless the IOD needs the attribute (Z) or a value (D).
    case XZD = "X/Z/D"
    /// X, unless the IOD needs it (Z), or, for a sequence of references, replace the UIDs inside.
    case XZU = "X/Z/U*"

    public var description: String { rawValue }

    /// Whether the choice depends on the attribute's Type in the instance's IOD.
    public var isCompound: Bool { rawValue.contains("/") }
}
