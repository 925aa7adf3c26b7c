import DICOMCore
import Defacing

/// What defacing did to one file, for the manifest: counts and fit measures, no values.
public struct DefacingRecord: Codable, Sendable, Equatable {
    /// Voxels of this file set to background.
    public var changedVoxels: Int
    /// Fit of the atlas to the head (mm), and the share of atlas skin points that fit.
    public var registrationRMS: Double
    public var inlierFraction: Double
    /// Frontal rays that met facial skin before defacing, and those that still do (self-check).
    public var faceRays: Int
    public var raysStillOnSkin: Int
    /// The subject's brain estimate (ml, rounded), and the protection around it (mm): nothing
    /// within `protection` of it was removed (0 in manifests written before 2026-12-07).
    public var brainVolume: Int
    public var protection: Int
    /// Whether the face reached back behind the orbits because the face detector still found a
    /// face on the first cut (false in manifests written before 2026-12-07's second change).
    public var behindOrbits: Bool
    /// Renderings (front, 35° either side) in which dlib's face detector finds a face, before
    /// and after defacing (after: always 0, or the series is not written).
    public var viewsWithFaceBefore: Int
    public var viewsWithFaceAfter: Int
    /// Geometry warnings of the volume the file belongs to (`VolumeWarning.code`).
    public var volumeWarnings: [String]

    public init(
        changedVoxels: Int, registrationRMS: Double, inlierFraction: Double, faceRays: Int, raysStillOnSkin: Int,
        brainVolume: Int, protection: Int, behindOrbits: Bool = false, viewsWithFaceBefore: Int,
        viewsWithFaceAfter: Int,
        volumeWarnings: [String]
    ) {
        self.changedVoxels = changedVoxels
        self.registrationRMS = registrationRMS
        self.inlierFraction = inlierFraction
        self.faceRays = faceRays
        self.raysStillOnSkin = raysStillOnSkin
        self.brainVolume = brainVolume
        self.protection = protection
        self.behindOrbits = behindOrbits
        self.viewsWithFaceBefore = viewsWithFaceBefore
        self.viewsWithFaceAfter = viewsWithFaceAfter
        self.volumeWarnings = volumeWarnings
    }

    /// Manifests written before the brain estimate and the face detector (2026-12-06) have no
    /// `brainVolume` or `viewsWithFace…`: they read as 0, so that such runs still resume and review.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        changedVoxels = try values.decode(Int.self, forKey: .changedVoxels)
        registrationRMS = try values.decode(Double.self, forKey: .registrationRMS)
        inlierFraction = try values.decode(Double.self, forKey: .inlierFraction)
        faceRays = try values.decode(Int.self, forKey: .faceRays)
        raysStillOnSkin = try values.decode(Int.self, forKey: .raysStillOnSkin)
        brainVolume = try values.decodeIfPresent(Int.self, forKey: .brainVolume) ?? 0
        protection = try values.decodeIfPresent(Int.self, forKey: .protection) ?? 0
        behindOrbits = try values.decodeIfPresent(Bool.self, forKey: .behindOrbits) ?? false
        viewsWithFaceBefore = try values.decodeIfPresent(Int.self, forKey: .viewsWithFaceBefore) ?? 0
        viewsWithFaceAfter = try values.decodeIfPresent(Int.self, forKey: .viewsWithFaceAfter) ?? 0
        volumeWarnings = try values.decode([String].self, forKey: .volumeWarnings)
    }
}

/// A file's defaced Pixel Data, on its way to the output.
struct DefacedFile: Sendable {
    /// The decoded pixels of the file with the face removed.
    var pixels: DecodedPixels
    var record: DefacingRecord

    /// Puts the new pixels into a de-identified object: native Explicit VR Little Endian
    /// (lossless; Lossy Image Compression is left as it was), and Recognizable Visual Features NO.
    func apply(to object: inout DICOMObject) {
        NativePixelData.store(pixels.bytes, in: &object)
        object.dataSet[.recognizableVisualFeatures] = DataElement(.recognizableVisualFeatures, .CS, string: "NO")
    }
}
