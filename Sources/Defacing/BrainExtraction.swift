import Foundation
import Volumes

/// The subject's own brain, from its intensities (not the atlas's): what defacing protects.
///
/// In every MR contrast the skull is dark and the brain is not; in CT the brain (with its CSF)
/// lies between −15 and 100 HU, enclosed by bone. So, on the working grid: tissue of brain-like
/// intensity inside the head; an erosion by one voxel (more if needed) breaks the thin bridges
/// between brain and scalp, eyes or neck; the piece holding the fitted atlas's brain core is
/// the brain; it is grown back inside the tissue, closed (sulci) and filled (ventricles).
/// The atlas only says which piece is the brain and serves as a second, independent estimate
/// for the trust checks: a brain estimate that leaks far outside the atlas brain, misses its
/// core, has an implausible volume or is lopsided is refused.
struct BrainEstimate {
    /// Working-grid voxels of the brain (T1: without the CSF around it; T2 and CT: with it).
    var mask: [Bool]
    var volume: Double
    /// Erosion steps that separated the brain.
    var erosions: Int
    /// The fitted atlas brain's core (≥ 10 mm inside it), and the grid within 15 mm of the atlas
    /// brain: the independent estimate the checks and the face region use.
    var atlasCore: [Bool]
    var nearAtlasBrain: [Bool]
}

enum BrainExtraction {
    /// Adult brains with their CSF span about 1.0–1.9 litres; the bounds leave room for
    /// children, atrophy and partial coverage (a field of view cutting the top).
    static let volumeRange = 500_000.0...2_400_000.0
    static let leakShare = 0.015

    static func estimate(
        grid: WorkingGrid, head: [Bool], isCT: Bool, transform: SimilarityTransform, atlas: HeadAtlas
    ) throws(DefaceFailure) -> BrainEstimate {
        let size = grid.size
        let voxelVolume = grid.voxelVolume
        // The atlas brain on the grid: its core (≥ 10 mm inside it, brain even when the fit is off by
        // a centimetre) picks the piece; 25 mm around it bounds where brain can be.
        // Distances in atlas millimetres, looked up in the atlas's own distance maps.
        var core = [Bool](repeating: false, count: grid.count)
        var outside = [Float](repeating: 0, count: grid.count)
        grid.forEachFramePoint(transform) { p, point in
            let (depth, distance) = atlas.brainDistances(at: point)
            core[p] = depth >= 10
            outside[p] = distance
        }
        let coreCount = core.lazy.filter { $0 }.count
        guard coreCount > 0 else {
            throw DefaceFailure(reason: .brainNotFound, detail: "the fitted atlas brain lies outside the field of view")
        }
        let bound: Float = 25

        // MR whose skull is not dark enough to separate at the air–tissue threshold (averaged or
        // blurred heads) get a second try at the head's median intensity, grown back afterwards
        // into the tissue of the first threshold by 6 mm (grey matter and CSF it left out).
        let low = Self.tissue(grid: grid, head: head, isCT: isCT, threshold: nil)
        let attempts: [(tissue: [Bool], erosions: ClosedRange<Int>, regrowth: Int)] =
            isCT
            ? [(low, 1...3, 0)]
            : [(low, 1...3, 0), (Self.tissue(grid: grid, head: head, isCT: false, threshold: 0.5), 1...4, 3)]
        var reasons: [String] = []
        let near = outside.map { $0 <= 15 }
        // A passing estimate with more than `leakShare` of it beyond 15 mm of the atlas brain may
        // still hold scalp or orbit joined across a thin skull (a blurred head turned sideways):
        // more erosion and the second threshold are tried, and a clean estimate replaces it if it
        // keeps at least 85% of its volume near the atlas brain (not one shrunk to white matter).
        var first: (estimate: BrainEstimate, nearVolume: Double)?
        for attempt in attempts {
            let tissue = attempt.tissue
            for erosions in attempt.erosions {
                var eroded = tissue
                for _ in 0..<erosions { eroded = MaskOperations.erode(eroded, size: size) }
                let (labels, count) = MaskOperations.components(eroded, size: size)
                guard count > 0 else { break }
                var overlap = [Int](repeating: 0, count: count + 1)
                for p in labels.indices where core[p] { overlap[Int(labels[p])] += 1 }
                overlap[0] = 0
                let best = overlap.indices.max { overlap[$0] < overlap[$1] }!
                guard overlap[best] > 0 else { continue }
                var brain = labels.map { $0 == Int32(best) }
                for _ in 0...erosions { brain = MaskOperations.dilate(brain, size: size, within: tissue) }
                for _ in 0..<attempt.regrowth { brain = MaskOperations.dilate(brain, size: size, within: low) }
                for _ in 0..<2 { brain = MaskOperations.dilate(brain, size: size) }
                for _ in 0..<2 { brain = MaskOperations.erode(brain, size: size) }

                var total = 0
                var beyond = 0
                var leaked = 0
                var covered = 0
                var left = 0
                grid.forEachFramePoint(transform) { p, point in
                    guard brain[p] else { return }
                    total += 1
                    if outside[p] > bound { beyond += 1 }
                    if !near[p] { leaked += 1 }
                    if core[p] { covered += 1 }
                    if point.x > 0 { left += 1 }
                }
                let volume = Double(total) * voxelVolume
                let beyondShare = Double(beyond) / Double(max(1, total))
                if beyondShare > 0.03 || volume > volumeRange.upperBound {
                    // Still joined to the scalp or the face: erode more.
                    reasons.append(
                        String(format: "%.0f%% beyond the atlas brain, %.0f ml", beyondShare * 100, volume / 1000))
                    continue
                }
                let coverage = Double(covered) / Double(coreCount)
                let balance = Double(left) / Double(max(1, total - left))
                guard volumeRange.contains(volume), coverage >= 0.8, (0.75...1.33).contains(balance) else {
                    if let first { return first.estimate }
                    throw DefaceFailure(
                        reason: .brainNotFound,
                        detail: String(
                            format: "brain estimate %.0f ml, %.0f%% of the atlas core, left/right %.2f", volume / 1000,
                            coverage * 100, balance))
                }
                // Ventricles and sulci left as holes (dark in T1) are brain too; filled once, here.
                brain = MaskOperations.fillHoles(brain, size: size)
                let estimate = BrainEstimate(
                    mask: brain, volume: volume, erosions: erosions, atlasCore: core, nearAtlasBrain: near)
                let leak = Double(leaked) / Double(total)
                let keepsVolume = volume >= 0.85 * (first?.nearVolume ?? 0)
                if leak <= Self.leakShare, keepsVolume { return estimate }
                if !keepsVolume { break }  // more erosion only shrinks it further
                if first == nil { first = (estimate, volume * (1 - leak)) }
            }
        }
        if let first { return first.estimate }
        throw DefaceFailure(
            reason: .brainNotFound,
            detail: "brain not separable from the head: " + (reasons.last ?? "no tissue around the atlas core"))
    }

    /// Whether the CSF is brighter than the brain (T2-like contrast), so that the estimate holds
    /// the CSF around the brain too, as CT's does: the ventricles, deep in the brain, are then its
    /// brightest part (CSF about twice white matter), while in T1 and FLAIR they are its darkest.
    /// Measured on `core`, the deep brain (the estimate within the fitted atlas brain's core), as
    /// its 95th percentile over its median above the volume's lowest value: 1.2–1.3 on the T1
    /// heads of the accuracy harness, 2.1 on its T2 head. PD (CSF a little brighter than white
    /// matter) stays below: it keeps the wider T1 protection.
    static let brightCSFRatio: Float = 1.6

    static func cerebrospinalFluidIsBright(values: [Float], core: [Bool]) -> Bool {
        let floor = values.lazy.filter { $0.isFinite }.min() ?? 0
        var deep: [Float] = []
        for p in core.indices where core[p] && values[p].isFinite { deep.append(values[p] - floor) }
        guard deep.count >= 100 else { return false }
        deep.sort()
        let median = deep[deep.count / 2]
        return median > 0 && deep[deep.count * 95 / 100] >= brightCSFRatio * median
    }

    /// Voxels of brain-like intensity in the head: CT −15…100 HU (brain, CSF, blood; not fat, not
    /// bone); MR above the air–tissue threshold (the skull has no signal in any contrast).
    /// `quantile`: MR only, the head's intensity quantile to use instead.
    static func tissue(grid: WorkingGrid, head: [Bool], isCT: Bool, threshold quantile: Double?) -> [Bool] {
        if isCT { return zip(grid.values, head).map { $1 && $0 > -15 && $0 < 100 } }
        var threshold = HeadMask.otsu(grid.values)
        if let quantile {
            var inside: [Float] = []
            for p in head.indices where head[p] && grid.values[p].isFinite { inside.append(grid.values[p]) }
            inside.sort()
            if !inside.isEmpty { threshold = max(threshold, inside[Int(Double(inside.count - 1) * quantile)]) }
        }
        return zip(grid.values, head).map { $1 && $0 > threshold }
    }
}
