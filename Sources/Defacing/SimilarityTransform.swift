import Foundation
import Volumes

/// Atlas millimetres to subject millimetres: rotate and scale about the atlas centre, then move
/// the centre to `centre + translation`. Seven degrees of freedom: a head's pose and size.
public struct SimilarityTransform: Sendable, Hashable {
    /// Rotation angles about x, y, z (radians), applied x first.
    public var angles: Vector3 {
        didSet { rotation = Self.rotation(angles) }
    }
    public var translation: Vector3
    public var scale: Double
    var atlasCentre: Vector3
    var subjectCentre: Vector3

    /// Rows of the rotation matrix, kept with the angles: the registration and the per-voxel
    /// loops apply the transform millions of times.
    private(set) var rotation: (Vector3, Vector3, Vector3)

    init(angles: Vector3, translation: Vector3, scale: Double, atlasCentre: Vector3, subjectCentre: Vector3) {
        self.angles = angles
        self.translation = translation
        self.scale = scale
        self.atlasCentre = atlasCentre
        self.subjectCentre = subjectCentre
        rotation = Self.rotation(angles)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.angles == b.angles && a.translation == b.translation && a.scale == b.scale
            && a.atlasCentre == b.atlasCentre && a.subjectCentre == b.subjectCentre
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(angles)
        hasher.combine(translation)
        hasher.combine(scale)
    }

    static func rotation(_ angles: Vector3) -> (Vector3, Vector3, Vector3) {
        let (cx, sx, cy, sy, cz, sz) = (
            cos(angles.x), sin(angles.x), cos(angles.y), sin(angles.y), cos(angles.z), sin(angles.z)
        )
        // Rows of Rz · Ry · Rx.
        return (
            Vector3(cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx),
            Vector3(sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx),
            Vector3(-sy, cy * sx, cy * cx)
        )
    }

    public func apply(_ atlasPoint: Vector3) -> Vector3 {
        let d = atlasPoint - atlasCentre
        let r = rotation
        return subjectCentre + translation + scale * Vector3(r.0.dot(d), r.1.dot(d), r.2.dot(d))
    }

    public func inverse(_ subjectPoint: Vector3) -> Vector3 {
        let d = (subjectPoint - subjectCentre - translation) / scale
        let r = rotation
        // The transpose of the rotation.
        return atlasCentre + r.0 * d.x + r.1 * d.y + r.2 * d.z
    }

    /// The subject direction of an atlas direction.
    public func direction(_ atlasDirection: Vector3) -> Vector3 {
        let r = rotation
        return Vector3(r.0.dot(atlasDirection), r.1.dot(atlasDirection), r.2.dot(atlasDirection)).normalized
    }
}
