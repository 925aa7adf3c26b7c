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
    /// The subject's brain estimate (ml), and the protection around it (mm): nothing within
    /// `protection` of it was removed.
    public var brainVolume: Double
    public var protection: Double
    /// Whether the face had to reach back behind the orbits (``Defacer/orbitDepth``).
    public var reachesBehindOrbits: Bool
    /// Frontal rays that met facial skin before, and how many still meet skin within 5 mm of it.
    public var faceRays: Int
    public var raysStillOnSkin: Int
    /// Renderings (front, and turned either way) in which the face detector found a face,
    /// before and after defacing; after is always 0 for a result.
    public var viewsWithFaceBefore: Int
    public var viewsWithFaceAfter: Int
}

/// Removes the face from a head CT or MR, in patient coordinates:
///
/// 1. the head is found on a ~2 mm grid (threshold, largest piece, cavities filled);
/// 2. the Colin27 atlas's skin is fitted to the head's skin (7 degrees of freedom): the head's
///    frame (which way is front and up) and a rough idea of where the brain is (HeadAtlas);
/// 3. the subject's own brain is estimated from its intensities (BrainExtraction), checked
///    against the atlas's; nothing within `margin` of it is ever removed;
/// 4. the face is what lies in front of and below that brain (FaceRegion); its voxels become
///    background;
/// 5. self-check, failing closed: nothing removed near the subject's brain or in the atlas brain's
///    core, frontal rays no longer meet the skin they met, and dlib's face detector finds no face
///    in renderings of the defaced head from the front and from `viewAngle` either side.
public struct Defacer: Sendable {
    public var atlas: HeadAtlas = .colin27
    /// Protection around the subject's brain estimate (mm): covers the CSF a T1 estimate leaves
    /// out, the working grid's 2 mm and partial volume. At 8 mm the accuracy harness found cuts
    /// up to 2.8 mm into a (generous) reference brain; at 11 mm none comes closer than 1.4 mm.
    public var margin: Double = 11
    /// The same for an estimate that holds the CSF around the brain, bounded by the inner table:
    /// CT's (everything between −15 and 100 HU inside the bone) and that of MR in which the CSF
    /// is bright (T2). 6 mm covers the working grid's 2 mm and the partial volume at the bone; in
    /// the accuracy harness no CT cut comes closer than 6.2 mm to the reference brain, no T2 cut
    /// closer than 3.0 mm to a reference that is 3–5 mm tight there (11 mm kept 6 to 8 mm of the
    /// face in place, and 11% of a T2 head's face).
    public var intracranialMargin: Double = 6
    /// How far outside the brain's mid-sagittal hull the face starts (mm); negative: inside it.
    /// Small: the hull only says "in front of or below the brain"; `margin`, measured in 3-D to
    /// the brain itself, keeps the brain safe. Near the midline the hull's lower edge is the
    /// brain's own underside: +2 mm. Beside the orbits it is the temporal poles' projection,
    /// which lie behind the eyes: −4 mm there reaches the cheeks and the sides of the orbits
    /// (1 to 5 points more of the reference face in the accuracy harness; at +2 a band behind
    /// the eyes stayed; −4 at the midline too cut 1.6 mm into the gyrus rectus of one head).
    public var hullMargin: Double = 2
    public var lateralHullMargin: Double = -4
    /// When the face detector still finds a face after the face region is removed: the face
    /// reaches back this far behind the brain's frontal pole, below it (mm; the orbits are about
    /// 45 mm deep). Still a face: the series fails.
    public var orbitDepth: Double? = 45
    /// Registration sanity limits.
    public var maximumRMS: Double = 4
    public var minimumInlierFraction: Double = 0.5
    public var scaleRange: ClosedRange<Double> = 0.7...1.3
    /// Share of facial rays allowed to still meet skin.
    public var maximumVisibleFraction: Double = 0.05
    /// Wider objects (left to right, mm) are not heads.
    public var maximumHeadWidth: Double = 240
    /// The side views of the face-detector check (degrees from the front).
    public var viewAngle: Double = 35
    /// Run the face detector on renderings (the check a face-recognition attack would defeat).
    public var detectsFaces = true
    /// Also remove the ears (EarRegion), outside the same protection.
    public var removesEars = false

    public init() {}

    public func deface(_ volume: Volume, isCT: Bool) throws(DefaceFailure) -> DefaceResult {
        guard volume.size.k >= 10, volume.size.i >= 32, volume.size.j >= 32 else {
            throw DefaceFailure(
                reason: .unsupported,
                detail: "\(volume.size.k) slice(s) of \(volume.size.i)×\(volume.size.j): too few to find a face")
        }
        let (grid, inverse, head, fit, brain) = try locate(volume, isCT: isCT)
        let transform = fit.transform
        let holdsCSF =
            isCT
            || BrainExtraction.cerebrospinalFluidIsBright(
                values: grid.values, core: zip(brain.mask, brain.atlasCore).map { $0 && $1 })
        let margin = holdsCSF ? intracranialMargin : self.margin
        let toBrain = DistanceTransform.distances(to: brain.mask, size: grid.size, spacing: grid.spacing)
        let protected = toBrain.map { Double($0) <= margin }
        let hullPoints = Self.hullPoints(grid: grid, brain: brain, transform: transform)
        let background = isCT ? -1000 : volume.voxels.lazy.filter { $0.isFinite }.min() ?? 0
        let threshold = isCT ? HeadMask.ctThreshold : HeadMask.otsu(grid.values)
        // The renderings' skin: above noise and ghosts in front of the face, which Otsu's air–tissue
        // threshold can leave on MR.
        let surface = isCT ? threshold : max(threshold, 0.3 * Self.median(of: grid.values, in: head))
        let rendering = SurfaceRendering(grid: grid, inverse: inverse, transform: transform, threshold: surface)
        let yaws = [0, -viewAngle, viewAngle]
        var before: [SurfaceRendering.View] = []
        var views = (before: 0, after: 0)
        // The face region of the subject's brain; if the detector still finds a face, once more
        // reaching back behind the orbits (what is left of orbits and nasal cavity under the
        // frontal lobes, seen through a T1 skull as dark as air, reads as eyes and a nose).
        let depths: [Double?] = [nil] + (orbitDepth.map { [$0] } ?? [])
        for (attempt, depth) in depths.enumerated() {
            // Two estimates of the face, either suffices: the subject brain's, and the fitted atlas's
            // (where the hull falls short, e.g. a brain estimate that runs down into the neck).
            // Neither reaches into the protection. The atlas's face is the same across the width.
            guard
                let face = FaceRegion(
                    brain: hullPoints, margin: hullMargin / transform.scale,
                    lateralMargin: lateralHullMargin / transform.scale,
                    including: { [atlas] y, z in atlas.isFace(Vector3(0, y, z)) },
                    depthBehindPole: depth.map { $0 / transform.scale })
            else {
                throw DefaceFailure(reason: .brainNotFound, detail: "brain estimate too small for a face region")
            }
            let (removed, removedCount) = try removal(
                of: face, in: volume, grid: grid, transform: transform, protected: protected, brain: brain)
            let (rays, visible) = FrontalRendering(
                volume: volume, removed: removed, threshold: threshold, transform: transform, face: face,
                // The rays of the self-check: skin at least 8 mm outside the protection.
                protected: toBrain.map { Double($0) < margin + 8 }, grid: grid
            ).count()
            if rays > 0, Double(visible) > maximumVisibleFraction * Double(rays) {
                throw DefaceFailure(
                    reason: .faceStillVisible, detail: "\(visible) of \(rays) frontal rays still meet skin")
            }
            views.after = 0
            if detectsFaces {
                var defaced = volume
                for p in removed.indices where removed[p] { defaced.voxels[p] = background }
                let after = WorkingGrid(defaced).values
                if before.isEmpty {
                    let occupancy = SurfaceRendering.Occupancy(grid: grid, values: grid.values, threshold: surface)
                    before = yaws.map { rendering.render(grid.values, yaw: $0, occupancy: occupancy) }
                    views.before = before.filter { !(FaceDetector.faces(in: $0.image)?.isEmpty ?? true) }.count
                }
                for (yaw, earlier) in zip(yaws, before) {
                    // Any face counts, on skin as it was or on the cut surface.
                    guard let found = FaceDetector.faces(in: rendering.render(after, yaw: yaw, after: earlier).image)
                    else {
                        throw DefaceFailure(reason: .faceStillVisible, detail: "the face detector failed")
                    }
                    if !found.isEmpty { views.after += 1 }
                }
                guard views.after == 0 else {
                    if attempt < depths.count - 1 { continue }
                    throw DefaceFailure(
                        reason: .faceStillVisible,
                        detail: "the face detector finds a face in \(views.after) of 3 renderings after defacing")
                }
            }
            return DefaceResult(
                removed: removed, removedCount: removedCount, background: background, transform: transform,
                registrationRMS: fit.rmsDistance, inlierFraction: fit.inlierFraction, brainVolume: brain.volume / 1000,
                protection: margin, reachesBehindOrbits: depth != nil,
                faceRays: rays, raysStillOnSkin: visible, viewsWithFaceBefore: views.before,
                viewsWithFaceAfter: views.after)
        }
        throw DefaceFailure(reason: .faceStillVisible, detail: "no face region tried")
    }

    /// The voxels of `volume` in `face` (and the ears when asked) outside the protection; none
    /// may lie deep in the fitted atlas brain (a check independent of the brain estimate).
    private func removal(
        of face: FaceRegion, in volume: Volume, grid: WorkingGrid, transform: SimilarityTransform, protected: [Bool],
        brain: BrainEstimate
    ) throws(DefaceFailure) -> (removed: [Bool], count: Int) {
        // Voxel by voxel of the full-resolution volume; frame points change linearly along a row.
        var removed = [Bool](repeating: false, count: volume.count)
        var removedCount = 0
        var inAtlasCore = 0
        let frameStep = transform.inverse(volume.affine.columnStep) - transform.inverse(.zero)
        let workingColumn = (0..<volume.size.i).map { $0 / grid.factor.i }
        for k in 0..<volume.size.k {
            for j in 0..<volume.size.j {
                var point = transform.inverse(volume.affine.patientPoint(i: 0, j: Double(j), k: Double(k)))
                let base = volume.index(0, j, k)
                let workingRow = grid.index(0, j / grid.factor.j, k / grid.factor.k)
                for i in 0..<volume.size.i {
                    defer { point = point + frameStep }
                    let w = workingRow + workingColumn[i]
                    guard !protected[w], face.contains(point) || (removesEars && EarRegion.contains(point)),
                        !volume.voxels[base + i].isNaN
                    else { continue }
                    if brain.atlasCore[w] { inAtlasCore += 1 }
                    removed[base + i] = true
                    removedCount += 1
                }
            }
        }
        guard inAtlasCore == 0 else {
            throw DefaceFailure(
                reason: .brainTouched, detail: "\(inAtlasCore) voxels to remove lie deep in the fitted atlas brain")
        }
        return (removed, removedCount)
    }

    /// Steps 1–3: the head on the working grid, the atlas fitted to it and the subject's brain
    /// estimate, each checked (also what the tests of the estimate call).
    func locate(
        _ volume: Volume, isCT: Bool
    ) throws(DefaceFailure) -> (
        grid: WorkingGrid, inverse: InverseAffine, head: [Bool], fit: SurfaceRegistration.Fit, brain: BrainEstimate
    ) {
        let grid = WorkingGrid(volume)
        guard let inverse = InverseAffine(grid.affine) else {
            throw DefaceFailure(reason: .unsupported, detail: "degenerate geometry")
        }
        let head = HeadMask.make(grid, isCT: isCT)
        let headVolume = Double(head.lazy.filter { $0 }.count) * grid.voxelVolume
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
        let brain = try BrainExtraction.estimate(
            grid: grid, head: head, isCT: isCT, transform: fit.transform, atlas: atlas)
        return (grid, inverse, head, fit, brain)
    }

    /// The subject's brain in the fitted frame, for the face region's hull: the part within 15 mm
    /// of the atlas brain (a T2 estimate runs down the spinal canal, and a hull down the neck
    /// would keep the eyes).
    static func hullPoints(grid: WorkingGrid, brain: BrainEstimate, transform: SimilarityTransform) -> [Vector3] {
        var points: [Vector3] = []
        grid.forEachFramePoint(transform) { p, point in
            if brain.mask[p], brain.nearAtlasBrain[p] { points.append(point) }
        }
        return points
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

    static func median(of values: [Float], in mask: [Bool]) -> Float {
        var inside: [Float] = []
        for p in values.indices where mask[p] && values[p].isFinite { inside.append(values[p]) }
        guard !inside.isEmpty else { return 0 }
        let middle = inside.count / 2
        inside.withUnsafeMutableBufferPointer { buffer in buffer.sort() }
        return inside[middle]
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
}
