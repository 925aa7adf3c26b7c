/// Something about a series' geometry a user of its volume must know. Recorded in the manifest;
/// never contains PHI.
public enum VolumeWarning: Hashable, Sendable, CustomStringConvertible {
    /// Slice steps differ by more than 1% (largest and smallest step, mm). Voxels follow the
    /// median step; `Volume.slicePositions` has the true positions.
    case nonUniformSpacing(minimum: Double, maximum: Double)
    /// The slice direction is not perpendicular to the image plane (degrees): the affine is sheared.
    case gantryTilt(degrees: Double)
    /// Gaps of a whole number of steps: slices filled with NaN to keep the grid regular.
    case missingSlices(count: Int)
    /// Frames at a position already taken; the first by Instance Number is kept.
    case duplicatePositions(count: Int)
    /// Localizer images left out of the volume.
    case localizersExcluded(count: Int)
    /// Uneven steps resampled onto evenly spaced slices (mm) for the representations: voxels
    /// between acquired slices are interpolated.
    case resampledToEvenSpacing(step: Double)

    public var code: String {
        switch self {
        case .nonUniformSpacing: "non-uniform-spacing"
        case .gantryTilt: "gantry-tilt"
        case .missingSlices: "missing-slices"
        case .duplicatePositions: "duplicate-positions"
        case .localizersExcluded: "localizers-excluded"
        case .resampledToEvenSpacing: "resampled-even-spacing"
        }
    }

    public var description: String {
        switch self {
        case .nonUniformSpacing(let minimum, let maximum):
            "non-uniform slice spacing (\(Self.format(minimum))–\(Self.format(maximum)) mm)"
        case .gantryTilt(let degrees): "gantry tilt \(Self.format(degrees))°"
        case .missingSlices(let count): "\(count) missing slice(s) filled with NaN"
        case .duplicatePositions(let count): "\(count) frame(s) at a duplicate position left out"
        case .localizersExcluded(let count): "\(count) localizer image(s) left out"
        case .resampledToEvenSpacing(let step):
            "resampled to an even \(Self.format(step)) mm slice step (values between acquired slices interpolated)"
        }
    }

    static func format(_ value: Double) -> String { String(Double((value * 100).rounded()) / 100) }
}
