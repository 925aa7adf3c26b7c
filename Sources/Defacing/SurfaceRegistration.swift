import Volumes

/// Fits the atlas head to the subject's head: the similarity transform that brings the atlas's
/// skin points onto the subject's skin, found by pattern search on the mean of truncated squared
/// distances (robust to a different face, hair, ears and noise). Atlas points that land outside
/// the subject's field of view do not count: truncated heads still fit.
struct SurfaceRegistration {
    struct Fit {
        var transform: SimilarityTransform
        /// Root mean square distance (mm) of the points that fit (closer than `inlierDistance`).
        var rmsDistance: Double
        /// Share of atlas points inside the field of view that fit.
        var inlierFraction: Double
        /// Share of atlas points inside the field of view.
        var coveredFraction: Double
    }

    static let inlierDistance: Float = 6

    let grid: WorkingGrid
    let inverse: InverseAffine
    /// Distance (mm) to the subject's skin, per working voxel.
    let distance: [Float]
    let atlasPoints: [Vector3]

    /// `stride`: every n-th point only (the coarse searches need no more).
    func cost(_ transform: SimilarityTransform, cap: Float, stride: Int = 1) -> (cost: Double, covered: Int) {
        var total = 0.0
        var covered = 0
        var used = 0
        for index in Swift.stride(from: 0, to: atlasPoints.count, by: stride) {
            let point = atlasPoints[index]
            used += 1
            guard let v = grid.voxel(of: transform.apply(point), inverse: inverse, margin: 1) else { continue }
            let d = min(grid.interpolate(distance, at: v), cap)
            total += Double(d * d)
            covered += 1
        }
        // Points outside the field of view cost as much as a bad fit, so that the search does not
        // push the atlas out of the picture.
        let missing = used - covered
        let capped = Double(cap * cap)
        return ((total + 0.5 * capped * Double(missing)) / Double(max(1, used)), covered)
    }

    func fit(from starts: [SimilarityTransform]) -> Fit {
        var best = starts[0]
        var bestCost = Double.infinity
        for start in starts {
            var candidate = search(from: start, cap: 20, finestScale: 2, stride: 6)
            candidate = search(from: candidate, cap: 10, finestScale: 0.25, stride: 3)
            let c = cost(candidate, cap: 10).cost
            if c < bestCost { (best, bestCost) = (candidate, c) }
        }
        best = search(from: best, cap: 6, finestScale: 0.125)
        return measure(best)
    }

    func measure(_ transform: SimilarityTransform) -> Fit {
        var inliers = 0
        var covered = 0
        var sum = 0.0
        for point in atlasPoints {
            guard let v = grid.voxel(of: transform.apply(point), inverse: inverse, margin: 1) else { continue }
            covered += 1
            let d = grid.interpolate(distance, at: v)
            if d < Self.inlierDistance {
                inliers += 1
                sum += Double(d * d)
            }
        }
        return Fit(
            transform: transform, rmsDistance: inliers > 0 ? (sum / Double(inliers)).squareRoot() : .infinity,
            inlierFraction: covered > 0 ? Double(inliers) / Double(covered) : 0,
            coveredFraction: Double(covered) / Double(max(1, atlasPoints.count)))
    }

    /// Coordinate pattern search: try ± a step on each parameter, keep improvements, halve the
    /// steps when none helps. Steps: 8° and 8 mm and 8 % at `1`, scaled by the step factor.
    private func search(
        from start: SimilarityTransform, cap: Float, finestScale: Double, stride: Int = 1
    )
        -> SimilarityTransform
    {
        var current = start
        var currentCost = cost(current, cap: cap, stride: stride).cost
        var factor = 1.0
        let degree = Double.pi / 180
        while factor >= finestScale / 8 {
            var improved = false
            for parameter in 0..<7 {
                for sign in [1.0, -1.0] {
                    var trial = current
                    switch parameter {
                    case 0...2: trial.angles[parameter] += sign * 8 * degree * factor
                    case 3...5: trial.translation[parameter - 3] += sign * 8 * factor
                    default: trial.scale *= 1 + sign * 0.08 * factor
                    }
                    guard trial.scale > 0.6, trial.scale < 1.6 else { continue }
                    let c = cost(trial, cap: cap, stride: stride).cost
                    if c < currentCost - 1e-9 {
                        (current, currentCost, improved) = (trial, c, true)
                        break
                    }
                }
            }
            if !improved { factor /= 2 }
        }
        return current
    }
}
