import Foundation
import Volumes

/// What defacing did to one volume, and the evidence that it worked.
public struct DefaceResult: Sendable {
    /// Per voxel of the volume (i fastest): true where the face was set to background.
    public var removed: [Bool]
    public var removedCount: Int
    /// The value removed voxels get: −1000 HU for CT, the volume's minimum for MR.
    public var background: Float
    public var transform: SimilarityTransform
    public var registrationRMS: Double
    public var inlierFraction: Double
    /// Frontal rays that met facial skin before, and how many still meet skin within 5 mm of it.
    public var faceRays: Int
    public var raysStillOnSkin: Int
}

/// Removes the face from a head CT or MR, in patient coordinates:
///
/// 1. the head is found on a ~2 mm grid (threshold, largest piece, cavities filled);
/// 2. the Colin27 atlas's skin is fitted to the head's skin (7 degrees of freedom), which says
///    where the subject's brain and face are (HeadAtlas);
/// 3. the protected region is the fitted brain grown by `margin` mm; for CT also the inside of
///    the skull near it, found from bone;
/// 4. voxels in the fitted face region and outside the protected region become background;
/// 5. self-check, failing closed: nothing removed in the protected region, the fit is good
///    (RMS distance, share of fitting points, scale), and a frontal rendering no longer meets the
///    skin it met before in the face region.
public struct Defacer: Sendable {
    public var atlas: HeadAtlas = .colin27
    /// Protection around the fitted brain (mm).
    public var margin: Double = 8
    /// Registration sanity limits.
    public var maximumRMS: Double = 4
    public var minimumInlierFraction: Double = 0.5
    public var scaleRange: ClosedRange<Double> = 0.7...1.3
    /// Share of facial rays allowed to still meet skin.
    public var maximumVisibleFraction: Double = 0.05
    /// Wider objects (left to right, mm) are not heads.
    public var maximumHeadWidth: Double = 240

    public init() {}

    public func deface(_ volume: Volume, isCT: Bool) throws(DefaceFailure) -> DefaceResult {
        guard volume.size.k >= 10, volume.size.i >= 32, volume.size.j >= 32 else {
            throw DefaceFailure(
                reason: .unsupported,
                detail: "\(volume.size.k) slice(s) of \(volume.size.i)×\(volume.size.j): too few to find a face")
        }
        let grid = WorkingGrid(volume)
        guard let inverse = InverseAffine(grid.affine) else {
            throw DefaceFailure(reason: .unsupported, detail: "degenerate geometry")
        }
        let head = HeadMask.make(grid, isCT: isCT)
        let voxelVolume = abs(grid.affine.columnStep.dot(grid.affine.rowStep.cross(grid.affine.sliceStep)))
        let headVolume = Double(head.lazy.filter { $0 }.count) * voxelVolume
        guard headVolume > 600_000 else {  // 0.6 litre: less than any head that shows a face
            throw DefaceFailure(reason: .noHead, detail: "largest object \(Int(headVolume / 1000)) ml")
        }
        // A head is at most about 200 mm from ear to ear; a torso (shoulders, chest, abdomen) is
        // wider. Wider objects are not heads: a series without a body part is then left alone.
        let width = Self.width(of: head, grid: grid)
        guard width <= maximumHeadWidth else {
            throw DefaceFailure(reason: .noHead, detail: "largest object \(Int(width)) mm wide")
        }

        let fit = register(grid: grid, inverse: inverse, head: head)
        guard fit.rmsDistance <= maximumRMS, fit.inlierFraction >= minimumInlierFraction,
            scaleRange.contains(fit.transform.scale)
        else {
            throw DefaceFailure(
                reason: .registrationFailed,
                detail: String(
                    format: "rms %.1f mm, inliers %.0f%%, scale %.2f", fit.rmsDistance, fit.inlierFraction * 100,
                    fit.transform.scale))
        }
        let transform = fit.transform
        let protected = protectedRegion(grid: grid, head: head, transform: transform, isCT: isCT)

        // Removal, voxel by voxel of the full-resolution volume.
        var removed = [Bool](repeating: false, count: volume.count)
        var removedCount = 0
        var touched = 0
        for k in 0..<volume.size.k {
            for j in 0..<volume.size.j {
                let rowStart = volume.affine.patientPoint(i: 0, j: Double(j), k: Double(k))
                for i in 0..<volume.size.i {
                    let index = volume.index(i, j, k)
                    guard !volume.voxels[index].isNaN else { continue }
                    let atlasPoint = transform.inverse(rowStart + Double(i) * volume.affine.columnStep)
                    guard atlas.isFace(atlasPoint) else { continue }
                    if protected[grid.index(native: i, j, k)] { continue }
                    if atlas.isBrain(atlasPoint) {
                        touched += 1
                        continue
                    }
                    removed[index] = true
                    removedCount += 1
                }
            }
        }
        guard touched == 0 else {
            throw DefaceFailure(
                reason: .brainTouched, detail: "\(touched) voxels of the fitted brain in the face region")
        }
        let background = isCT ? -1000 : volume.voxels.lazy.filter { $0.isFinite }.min() ?? 0
        let threshold = isCT ? HeadMask.ctThreshold : HeadMask.otsu(grid.values)
        let (rays, visible) = FrontalRendering(
            volume: volume, removed: removed, threshold: threshold,
            transform: transform, atlas: atlas
        ).count()
        if rays > 0, Double(visible) > maximumVisibleFraction * Double(rays) {
            throw DefaceFailure(reason: .faceStillVisible, detail: "\(visible) of \(rays) frontal rays still meet skin")
        }
        return DefaceResult(
            removed: removed, removedCount: removedCount, background: background, transform: transform,
            registrationRMS: fit.rmsDistance, inlierFraction: fit.inlierFraction,
            faceRays: rays, raysStillOnSkin: visible)
    }

    /// Fits the atlas to the head's skin, from a few starting pitches (heads nod more than they turn).
    func register(grid: WorkingGrid, inverse: InverseAffine, head: [Bool]) -> SurfaceRegistration.Fit {
        // Skin: the head's boundary, except where the field of view cuts the head.
        var skin = MaskOperations.boundary(head, size: grid.size)
        for k in 0..<grid.size.k {
            for j in 0..<grid.size.j {
                for i in 0..<grid.size.i
                where i == 0 || j == 0 || k == 0 || i == grid.size.i - 1 || j == grid.size.j - 1 || k == grid.size.k - 1
                {
                    skin[grid.index(i, j, k)] = false
                    MaskOperations.forEachNeighbour(grid.index(i, j, k), size: grid.size) { skin[$0] = false }
                }
            }
        }
        let distance = DistanceTransform.distances(to: skin, size: grid.size, spacing: grid.spacing)
        var subjectSkin: [Vector3] = []
        for k in 0..<grid.size.k {
            for j in 0..<grid.size.j {
                for i in 0..<grid.size.i where skin[grid.index(i, j, k)] {
                    subjectSkin.append(grid.affine.patientPoint(i: Double(i), j: Double(j), k: Double(k)))
                }
            }
        }
        let subjectCentre = Self.upperCentroid(subjectSkin)
        let atlasCentre = Self.upperCentroid(atlas.surface)
        let registration = SurfaceRegistration(
            grid: grid, inverse: inverse, distance: distance, atlasPoints: atlas.surface)
        let degree = Double.pi / 180
        let starts = [-15.0, 0, 15].map { pitch in
            SimilarityTransform(
                angles: Vector3(pitch * degree, 0, 0), translation: .zero, scale: 1,
                atlasCentre: atlasCentre, subjectCentre: subjectCentre)
        }
        return registration.fit(from: starts)
    }

    /// Extent of `mask` along the patient's left–right axis (mm).
    static func width(of mask: [Bool], grid: WorkingGrid) -> Double {
        var low = Double.infinity
        var high = -Double.infinity
        for k in 0..<grid.size.k {
            for j in 0..<grid.size.j {
                for i in 0..<grid.size.i where mask[grid.index(i, j, k)] {
                    let x = grid.affine.patientPoint(i: Double(i), j: Double(j), k: Double(k)).x
                    low = min(low, x)
                    high = max(high, x)
                }
            }
        }
        return high - low
    }

    /// Centroid of the skin within 90 mm of the top of the head (whatever the neck coverage).
    static func upperCentroid(_ points: [Vector3]) -> Vector3 {
        guard let top = points.map(\.z).max() else { return .zero }
        let upper = points.filter { $0.z > top - 90 }
        return upper.reduce(.zero, +) / Double(max(1, upper.count))
    }

    /// The fitted brain grown by `margin`; for CT also the inside of the skull within 12 mm of it.
    func protectedRegion(grid: WorkingGrid, head: [Bool], transform: SimilarityTransform, isCT: Bool) -> [Bool] {
        var brain = [Bool](repeating: false, count: grid.count)
        for k in 0..<grid.size.k {
            for j in 0..<grid.size.j {
                for i in 0..<grid.size.i {
                    brain[grid.index(i, j, k)] = atlas.isBrain(
                        transform.inverse(grid.affine.patientPoint(i: Double(i), j: Double(j), k: Double(k))))
                }
            }
        }
        let distance = DistanceTransform.distances(to: brain, size: grid.size, spacing: grid.spacing)
        var protected = distance.map { Double($0) <= margin }
        if isCT {
            let inside = IntracranialRegion.find(grid)
            for p in protected.indices where inside[p] && distance[p] <= 12 { protected[p] = true }
        }
        return protected
    }
}
