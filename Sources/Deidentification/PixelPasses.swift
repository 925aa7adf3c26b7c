/// The pixel passes applied to one instance before its metadata is de-identified. The profile's
/// pixel options only say that the passes were asked for; an instance gets their options, codes
/// (CID 7050 113101, 113102) and markers only when a pass really changed its pixels.
public struct PixelPasses: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Burned-in text was masked (Clean Pixel Data, E.3.1).
    public static let cleanPixelData = PixelPasses(rawValue: 1)
    /// The face was removed (Clean Recognizable Visual Features, E.3.2).
    public static let cleanRecognizableVisualFeatures = PixelPasses(rawValue: 2)

    /// The profile options these passes stand for.
    var options: Set<ProfileOption> {
        var options: Set<ProfileOption> = []
        if contains(.cleanPixelData) { options.insert(.cleanPixelData) }
        if contains(.cleanRecognizableVisualFeatures) { options.insert(.cleanRecognizableVisualFeatures) }
        return options
    }
}

extension DeidentificationProfile {
    /// This profile for one instance: its pixel options replaced by the passes applied.
    func applying(_ passes: PixelPasses) -> DeidentificationProfile {
        var profile = self
        profile.options.subtract([.cleanPixelData, .cleanRecognizableVisualFeatures])
        profile.options.formUnion(passes.options)
        return profile
    }
}
