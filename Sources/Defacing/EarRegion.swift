import Volumes

/// Where the ears are, in the fitted head frame (Colin27's MNI millimetres, LPS: left +x,
/// posterior +y, superior +z): beside the head from just in front of the ear canal to behind
/// the auricle, from below the lobule to above the helix, lateral to the temporal bone.
/// What lies there outside the brain's protection is the auricle and the scalp around it,
/// which `--deface-ears` removes (the ears identify too: Mosaic ear recognition, and the
/// published re-identification studies render them).
enum EarRegion {
    static let anteroposterior = -5.0...55.0
    static let vertical = -75.0...(-5.0)
    /// The temporal bone's outer surface at the ear is about 70 mm from the midline in Colin27;
    /// the scalp is at 78–85 mm and the auricle stands out to about 100 mm.
    static let lateral = 70.0

    @inline(__always) static func contains(_ point: Vector3) -> Bool {
        abs(point.x) >= lateral && anteroposterior.contains(point.y) && vertical.contains(point.z)
    }
}
