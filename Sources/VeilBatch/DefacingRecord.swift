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
    /// The subject's brain estimate (ml, rounded): nothing within the margin of it was removed.
    public var brainVolume: Int
    /// Renderings (front, 35° either side) in which dlib's face detector finds a face, before
    /// and after defacing (after: always 0, or the series is not written).
    public var viewsWithFaceBefore: Int
    public var viewsWithFaceAfter: Int
    /// Geometry warnings of the volume the file belongs to (`VolumeWarning.code`).
    public var volumeWarnings: [String]
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
