import Foundation
import Volumes

/// Where the face is, relative to the subject's own brain, in the fitted head frame (atlas
/// millimetres, LPS: anterior is −y, superior +z).
///
/// The brain is projected onto the mid-sagittal plane; everything at least `margin` outside the
/// projection's convex hull (or at most −`margin` inside it, when negative), across a hull edge
/// that faces the front or the bottom (outward normal from `upward` degrees above anterior to
/// `downward` below it), and in front of the brainstem, is face: eyes, nose, mouth, cheeks, jaw
/// and chin; ears (beside the brain, inside the hull) and the back of the neck are not. This is
/// Quickshear's idea (Schimke & Hale 2011) with the hull's own edges instead of one plane, built
/// on the subject's brain, so that a registration off by a centimetre moves neither the
/// protection nor the face.
struct FaceRegion {
    static let upward = 25.0
    static let downward = 100.0

    /// Within this distance of the mid-sagittal plane (frame mm) the brain's own underside (gyrus
    /// rectus, olfactory sulcus) makes the hull's lower edge, and `margin` applies; farther out,
    /// beside the orbits, `lateralMargin`.
    static let midline = 15.0

    /// 1 mm tables over (y, z) of the frame: near the midline, and beside it.
    let origin: (y: Double, z: Double)
    let size: (y: Int, z: Int)
    let table: [Bool]
    let lateralTable: [Bool]

    /// `brain`: points of the brain in the frame; `margin` and `lateralMargin` in frame
    /// millimetres; `including`: a second face region of the same kind (the same across the
    /// head's width), joined to this one; `depthBehindPole`: when set, everything below the
    /// brain's frontal pole and less than this far behind it is face as well (a coronal cut
    /// behind the orbits: no orbit, nasal cavity or cheek is left as a hollow in the cut surface).
    init?(
        brain: [Vector3], margin: Double, lateralMargin: Double? = nil,
        including: ((_ y: Double, _ z: Double) -> Bool)? = nil, depthBehindPole: Double? = nil
    ) {
        guard brain.count >= 3 else { return nil }
        // Projected points, deduplicated on a 1 mm lattice before the hull.
        var seen = Set<Int64>()
        var points: [(y: Double, z: Double)] = []
        for p in brain {
            let key = Int64((p.y + 1000).rounded()) << 20 | Int64((p.z + 1000).rounded())
            if seen.insert(key).inserted { points.append((p.y, p.z)) }
        }
        let hull = Self.convexHull(points)
        guard hull.count >= 3 else { return nil }
        let zs = points.map(\.z).sorted()
        let lowZ = zs[zs.count / 10]
        let brainstemFront = points.lazy.filter { $0.z <= lowZ }.map(\.y).min() ?? 0
        // The frontal pole: the brain's front (its 0.5th percentile, not a stray point), at the
        // median height of the brain within 4 mm of it.
        let ys = points.map(\.y).sorted()
        let front = ys[ys.count / 200]
        let poleHeights = points.filter { $0.y <= front + 4 }.map(\.z).sorted()
        let pole = (y: front, z: poleHeights[poleHeights.count / 2])

        let low = (y: (points.map(\.y).min() ?? 0) - 200, z: (points.map(\.z).min() ?? 0) - 250)
        let high = (y: (points.map(\.y).max() ?? 0) + 60, z: (points.map(\.z).max() ?? 0) + 60)
        origin = low
        size = (Int(high.y - low.y) + 1, Int(high.z - low.z) + 1)
        // Edges counter-clockwise in (y, z): the outward normal of edge a→b is (dz, −dy)/length.
        let edges = hull.indices.map { n -> (normal: (Double, Double), offset: Double, facing: Bool) in
            let a = hull[n]
            let b = hull[(n + 1) % hull.count]
            let (dy, dz) = (b.y - a.y, b.z - a.z)
            let length = (dy * dy + dz * dz).squareRoot()
            let normal = (dz / length, -dy / length)
            // Angle of the normal from anterior (−y) towards inferior (−z), in degrees.
            let angle = atan2(-normal.1, -normal.0) * 180 / .pi
            return (normal, normal.0 * a.y + normal.1 * a.z, angle >= -Self.upward && angle <= Self.downward)
        }
        var table = [Bool](repeating: false, count: size.y * size.z)
        var lateralTable = table
        let lateralMargin = lateralMargin ?? margin
        for zi in 0..<size.z {
            let z = low.z + Double(zi)
            for yi in 0..<size.y {
                let y = low.y + Double(yi)
                guard y <= brainstemFront else {
                    table[yi + size.y * zi] = including?(y, z) ?? false
                    lateralTable[yi + size.y * zi] = table[yi + size.y * zi]
                    continue
                }
                var best = -Double.infinity
                var facing = false
                for edge in edges {
                    let distance = edge.normal.0 * y + edge.normal.1 * z - edge.offset
                    if distance > best {
                        best = distance
                        facing = edge.facing
                    }
                }
                let atlasFace = including?(y, z) ?? false
                let behindOrbits = depthBehindPole.map { z < pole.z && y < pole.y + $0 } ?? false
                table[yi + size.y * zi] = (best >= margin && facing) || atlasFace || behindOrbits
                lateralTable[yi + size.y * zi] = (best >= lateralMargin && facing) || atlasFace || behindOrbits
            }
        }
        self.table = table
        self.lateralTable = lateralTable
    }

    @inline(__always) func contains(_ point: Vector3) -> Bool {
        // Offsets are positive inside the table: truncation of +0.5 rounds (and is cheap).
        let (y, z) = (point.y - origin.y + 0.5, point.z - origin.z + 0.5)
        guard y >= 0, z >= 0 else { return false }
        let (yi, zi) = (Int(y), Int(z))
        guard yi < size.y, zi < size.z else { return false }
        return abs(point.x) <= Self.midline ? table[yi + size.y * zi] : lateralTable[yi + size.y * zi]
    }

    /// Andrew's monotone chain: the hull counter-clockwise in (y, z), no collinear points.
    static func convexHull(_ points: [(y: Double, z: Double)]) -> [(y: Double, z: Double)] {
        let sorted = points.sorted { $0.y != $1.y ? $0.y < $1.y : $0.z < $1.z }
        guard sorted.count >= 3 else { return sorted }
        func cross(_ o: (y: Double, z: Double), _ a: (y: Double, z: Double), _ b: (y: Double, z: Double)) -> Double {
            (a.y - o.y) * (b.z - o.z) - (a.z - o.z) * (b.y - o.y)
        }
        var lower: [(y: Double, z: Double)] = []
        for p in sorted {
            while lower.count >= 2, cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        var upper: [(y: Double, z: Double)] = []
        for p in sorted.reversed() {
            while upper.count >= 2, cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
